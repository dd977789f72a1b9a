# SPDX-License-Identifier: MIT
# Encrypt suites: scenarios that need a kernel with ESP, run on Debian's own
# kernel in a VM.
#
# The machine's kernel may lack ESP (CONFIG_INET_ESP, rfc4106(gcm(aes))).
# kernel_run (kernel.bash) boots Debian's kernel (linux-image-amd64, 6.1,
# every module there) in QEMU on the machine's root file system
# (test/vm/vm.bash), runs a bash script there as root and hands back its
# output and exit status. The VM has its own network stack: its namespaces,
# links, SAs and nftables tables never touch the machine's, and end with it.
# Why not User Mode Linux, which boots faster (the suites ran there until
# 2026-12): Debian 12's UML kernel dies at its first process (fatal_sigsegv)
# on some of this project's machines. Seen on one whose CPU has AMX, whose
# XSAVE area outgrows the fixed buffer UML 6.1 keeps for the FPU state.

load ../helpers

source "$ND_SRC/test/encrypt/kernel.bash"
