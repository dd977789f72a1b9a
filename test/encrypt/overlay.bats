#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# An encrypted overlay network on three hosts through the real overlay
# plugin, netdock-overlayd, netdock-dnsd and etcd, on a kernel with ESP:
# Debian's, in a VM (test/vm/vm.bash), as this machine's kernel may have no
# ESP. One VM runs the whole scenario (overlay-vm.bash) in setup_file; each
# test asserts one of its checks and prints that check's evidence.
# test/run: vm

load ../helpers
source "$ND_SRC/test/vm/vm.bash"

setup_file() {
	nd_setup
	local rc=0
	vm_run "$ND_SRC/test/encrypt/overlay-vm.bash" 600 >"$ND_TMP/vm.out" 2>&1 || rc=$?
	echo "$rc" >"$ND_TMP/vm.rc"
	echo "# $(cat "$ND_TMP/vm/took" 2>/dev/null)" >&3
}
teardown_file() { nd_teardown; }

# check NAME: the check's evidence, then its status; a check that did not
# run (the VM failed before it) fails with the VM's own output.
check() {
	local out=$ND_TMP/vm/out f
	cat "$out/$1.log" 2>/dev/null
	if [ ! -f "$out/$1.rc" ]; then
		echo "check $1 did not run (VM status $(cat "$ND_TMP/vm.rc")):"
		tail -n 40 "$ND_TMP/vm.out"
		return 1
	fi
	[ "$(cat "$out/$1.rc")" = 0 ] && return 0
	for f in "$out"/*.log; do
		case $f in */h*-overlayd.log | */h*-dnsd.log | */plugins-stderr.log) ;; *) continue ;; esac
		echo "--- $(basename "$f")"
		tail -n 15 "$f"
	done
	return 1
}

@test "containers on two hosts attach to the encrypted and the plain network; nothing of it in clear before the first key" {
	check attach
}

@test "across hosts on the encrypted network: ping by address" {
	check address
}

@test "across hosts on the encrypted network: names resolve (dnsd) and answer ping" {
	check name
}

@test "the underlay carries the encrypted network only as ESP, the plain one as VXLAN" {
	check esp-only
}

@test "a key rotation on demand under a continuous ping both ways: no reply missing, both keys on the wire" {
	check rotation
}

@test "a third host joining after the rotation gets working keys" {
	check join
}

@test "overlayd killed with -9 and restarted: never in clear, working again after" {
	check restart
}

@test "every daemon ran to the end and stopped on TERM, nothing from the sanitizers" {
	check daemons
}
