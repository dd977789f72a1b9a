#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# `make demo` keeps working: the walkthrough runs, shows what the seeds show, and
# leaves nothing behind.

load ../helpers

@test "the walkthrough replays the seeds and cleans up after itself" {
	run "$ND_SRC/test/demo/run"
	assert_success
	assert_output --partial "eth0@"
	assert_output --partial "02:42:ac:19:03:03"
	assert_output --partial "container2 -> container3: reachable"
	assert_output --partial "container1 -> container3: unreachable"
	assert_output --partial "container2 asks container3: 172.25.3.3"
	assert_output --partial "container2 asks container1: (no answer)"
	assert_output --partial "container2 asks container3.isolated_nw: 172.25.3.3"
	# forwarded to the demo's own upstream, never the machine's resolv.conf
	assert_output --partial "container2 asks www.example.test: 192.0.2.10"
	assert_output --partial "container4 asks c5: 172.25.0.4"
	assert_output --partial "container5 asks scoped-app: (no answer)"
	assert_output --partial "ping: +PONG"
	assert_output --partial "all networks removed: 0 left"
	id=$(sed -n 's/.*carry the id \([0-9a-f]*\)$/\1/p' <<<"$output")
	[ -n "$id" ]
	run sh -c "ip netns list | grep -c 'demo-$id-'"
	assert_output 0
	run nft list tables
	refute_output --partial "netdock_demo_$id"
	run pgrep -f "netdock-dnsd --run-dir /tmp/netdock-demo-$id"
	assert_failure
	run nft list tables bridge
	refute_output --partial "netdock_demo_$id"
}
