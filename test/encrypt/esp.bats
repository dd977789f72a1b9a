#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The ESP probe on a kernel that has esp4 as a module: refused with the
# kernel's reason while the module is not loaded (and the kernel may not
# load it), passing once it is. Runs in a VM on Debian's kernel (lib.bash),
# where module autoloading may be switched off. The ESP data path itself (ESP only on
# the underlay, rotation under ping) runs through the real plugin and
# agents in test/encrypt/overlay.bats (a VM on Debian's kernel).

# test/run: vm

load lib

setup() { nd_setup; }
teardown() { nd_teardown; }

# scenario NAME BODY: a script for kernel_run that sets up both hosts first.
scenario() {
	printf 'source %s/test/encrypt/hosts.sh\nhosts_up\n%s\n' \
		"$ND_SRC" "$2" >"$ND_TMP/$1.sh"
	echo "$ND_TMP/$1.sh"
}

@test "without esp4 the probe fails with the kernel's reason, with it the probe passes" {
	s=$(scenario probe '
		! ip netns exec ha $TOOL probe
		modprobe esp4
		echo /sbin/modprobe >/proc/sys/kernel/modprobe
		ip netns exec ha $TOOL probe')
	# No module autoload for the first probe: the kernel must not fetch esp4
	# itself. What the hosts and the probe's socket need is loaded before.
	sed -i 's|^hosts_up$|modprobe -a veth vxlan xfrm_user; echo /bin/false >/proc/sys/kernel/modprobe; hosts_up|' "$s"
	run kernel_run "$s"
	echo "$output"
	assert_success
	assert_output --regexp "ipsec-tool: ESP with rfc4106\(gcm\(aes\)\): .*(Protocol not supported|not found)"
	assert_output --partial "esp: supported"
}
