#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# GC, STATUS, CHECK, concurrency and crashes.

load lib

setup() {
	nd_setup
	C=$(ipam_conf n1 '{"type":"ipam-subnet","subnets":[{"subnet":"10.80.0.0/24"}]}')
}
teardown() { nd_teardown; }

leases() { ls "$NETDOCK_LIB_DIR/ipam/n1/addr" | grep -v '^\.' | sort; }

@test "GC releases every lease not in cni.dev/valid-attachments" {
	for i in 1 2 3 4; do run ipam ADD "$C" "c$i"; assert_success; done
	jq '.["cni.dev/valid-attachments"] = [{"containerID":"c2","ifname":"eth0"},{"containerID":"c4","ifname":"eth0"}]' "$C" >"$ND_TMP/gc.json"
	run ipam GC "$ND_TMP/gc.json" ""
	assert_success
	assert_equal "$(leases | tr '\n' ' ')" "10.80.0.3 10.80.0.5 "
	# without the list, GC knows nothing stale and removes nothing
	run ipam GC "$C" ""
	assert_success
	assert_equal "$(leases | wc -l)" 2
}

@test "STATUS fails with 50 when the pool is exhausted, and recovers" {
	c=$(ipam_conf small '{"type":"ipam-subnet","subnets":[{"subnet":"10.81.0.0/30"}]}')
	run ipam STATUS "$c" ""
	assert_success
	run ipam ADD "$c" c1
	assert_success
	run ipam STATUS "$c" ""
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 50
	run ipam DEL "$c" c1
	run ipam STATUS "$c" ""
	assert_success
}

@test "CHECK passes for a lease and names a missing one" {
	run ipam ADD "$C" c1
	run ipam CHECK "$C" c1
	assert_success
	rm "$NETDOCK_LIB_DIR/ipam/n1/addr/10.80.0.2"
	run ipam CHECK "$C" c1
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 108
	[[ $(jq -r .msg <<<"$output") == *"10.80.0.2"* ]]
}

@test "16 processes allocating in parallel never get the same address" {
	c=$(ipam_conf par '{"type":"ipam-subnet","subnets":[{"subnet":"10.82.0.0/24"}]}')
	for i in $(seq 1 16); do
		(for j in 1 2 3 4 5 6 7 8; do
			ipam ADD "$c" "p$i-$j" | jq -r '.ips[0].address'
		done >"$ND_TMP/out.$i") &
	done
	wait
	cat "$ND_TMP"/out.* | sort >"$ND_TMP/all"
	assert_equal "$(wc -l <"$ND_TMP/all")" 128
	assert_equal "$(sort -u "$ND_TMP/all" | wc -l)" 128
	refute grep -q null "$ND_TMP/all"
}

@test "a process killed at any point leaves a store the next call repairs" {
	c=$(ipam_conf crash '{"type":"ipam-subnet","subnets":[{"subnet":"10.83.0.0/26"}]}')
	# kill ADDs at staggered moments, then DEL and GC must leave a clean store
	for i in $(seq 1 40); do
		CNI_COMMAND=ADD CNI_CONTAINERID="k$i" CNI_NETNS=/x CNI_IFNAME=eth0 \
			"$ND_BIN_DIR/ipam-subnet" <"$c" >/dev/null 2>&1 &
		pid=$!
		for ((s = 0; s < i % 7; s++)); do :; done
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	# a half-written temporary lease, as a crash between write and link leaves it
	mkdir -p "$NETDOCK_LIB_DIR/ipam/crash/addr"
	echo "zz" >"$NETDOCK_LIB_DIR/ipam/crash/addr/.10.83.0.9.12345"
	for i in $(seq 1 40); do run ipam DEL "$c" "k$i"; assert_success; done
	jq '.["cni.dev/valid-attachments"] = []' "$c" >"$ND_TMP/gc.json"
	run ipam GC "$ND_TMP/gc.json" ""
	assert_success
	assert_equal "$(ls -A "$NETDOCK_LIB_DIR/ipam/crash/addr" | wc -l)" 0
	assert_equal "$(ls -A "$NETDOCK_LIB_DIR/ipam/crash/owner" | wc -l)" 0
	# and the full range is usable again: 61 addresses (64 - network, gateway, broadcast)
	for i in $(seq 1 61); do run ipam ADD "$c" "n$i"; assert_success; done
	run ipam ADD "$c" n62
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 104
}

@test "a corrupted allocation hint is rebuilt from the leases" {
	for i in 1 2 3; do run ipam ADD "$C" "c$i"; done
	for h in "$NETDOCK_LIB_DIR"/ipam/n1/hint-*; do head -c 100 /dev/urandom >"$h"; done
	run ipam ADD "$C" c4
	assert_success
	assert_equal "$(ipam_addr "$output")" "10.80.0.5"
}
