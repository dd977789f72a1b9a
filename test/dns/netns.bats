#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# An endpoint whose network namespace vanished without a DEL (the runtime
# crashed, the container was killed) stops resolving, as in Docker, and
# resolves again if its netns comes back; followed by events, not polling.

load lib

setup() {
	nd_setup
	upstream_start
	A=$(br_net anet '[{"subnet":"10.167.0.0/24"}]')
}
teardown() { nd_teardown; }

# in_own_netns PID: PID has left this shell's network namespace (unshare has run).
in_own_netns() { [ "$(readlink "/proc/$1/ns/net")" != "$(readlink "/proc/$$/ns/net")" ]; }

@test "a netns file removed without DEL: name, alias, link and PTR stop resolving; back when it returns" {
	named web "$A" eth0 "" '{"aliases":["app"]}'
	named client "$A" eth0 "" '{"links":["web:w"]}'
	dnsd_start
	ip=$(addr_on web "$A")
	assert_equal "$(q client web A 10.167.0.1)" "$ip"
	ip netns del "nd-$ND_ID-web"
	nd_wait_for test -z "$(q client web A 10.167.0.1)"
	assert_equal "$(q client app A 10.167.0.1)" ""
	assert_equal "$(q client w A 10.167.0.1)" ""
	assert_equal "$(inside client dig +short @10.167.0.1 -x "$ip")" ""
	assert_equal "$(status client web.anet-$ND_ID 10.167.0.1)" NXDOMAIN
	# the record is still there: only the netns went
	[ -e "$NETDOCK_RUN_DIR/endpoints/anet-$ND_ID/$(nd_cid web)-eth0.json" ]
	ip netns add "nd-$ND_ID-web"
	nd_wait_for test -n "$(q client web A 10.167.0.1)"
	assert_equal "$(q client app A 10.167.0.1)" "$ip"
	assert_equal "$(q client w A 10.167.0.1)" "$ip"
}

@test "a record whose netns is already gone at start does not resolve" {
	named web "$A"
	named client "$A"
	ip netns del "nd-$ND_ID-web"
	dnsd_start
	assert_equal "$(q client web A 10.167.0.1)" ""
	assert_equal "$(q client client A 10.167.0.1)" "$(addr_on client "$A")"
}

@test "a process's netns (/proc/PID/ns/net): its name goes when the process exits" {
	named client "$A"
	unshare -n sleep 600 3>&- &
	pid=$!
	nd_track_pid "$pid"
	nd_wait_for in_own_netns "$pid"
	CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=proc1" run nd_list ADD "$A" "$(nd_cid proc1)" "/proc/$pid/ns/net"
	assert_success
	dnsd_start
	assert_equal "$(q client proc1 A 10.167.0.1)" "$(addr_on proc1 "$A")"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	nd_wait_for test -z "$(q client proc1 A 10.167.0.1)"
	assert_equal "$(q client proc1 A 10.167.0.1)" ""
}
