# SPDX-License-Identifier: MIT
# Encrypt suites: a Debian kernel with ESP, run as User Mode Linux.
#
# The machine's own kernel may lack ESP (CONFIG_INET_ESP, rfc4106(gcm(aes)));
# Debian's user-mode-linux package (make deps) is a whole Linux 6.1 built as
# a program, with esp4, gcm, vxlan and veth as modules. uml_run
# boots it on the machine's root file system (hostfs, read-only), runs a
# bash script there as init, and hands back its output and exit status. The
# UML kernel has its own network stack: its namespaces, links, SAs and
# nftables tables never touch the machine's, and end with it.

load ../helpers

source "$ND_SRC/test/encrypt/uml.bash"
