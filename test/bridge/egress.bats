#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Leaving the host: masquerade, internal networks, icc, and the default-route rule.

load lib

# An "outside" machine: a namespace on a point-to-point link with the host.
outside_setup() { OUT=$(nd_peer outside 10.250.0.1/30 10.250.0.2/30); }

# who_connects: the source address the outside machine sees for one TCP connection.
who_connects() {
	ip netns exec "$OUT" socat -T3 TCP-LISTEN:7000,reuseaddr SYSTEM:'echo $SOCAT_PEERADDR' >/dev/null 2>&1 3>&- &
	nd_track_pid $!
	nd_wait_for sh -c "ip netns exec $OUT ss -ltn | grep -q ':7000 '"
	inside "$1" socat -T3 - TCP:10.250.0.2:7000 </dev/null
}

setup() {
	nd_setup
	outside_setup
}
teardown() { nd_teardown; }

@test "masquerade: the outside sees the host's address, not the container's" {
	N=$(br_net masq '[{"subnet":"10.205.0.0/24"}]')
	run br_add "$N" c1
	assert_success
	# even with a route back to the containers, the source is the host
	ip -n "$OUT" route add 10.205.0.0/24 via 10.250.0.1
	run who_connects c1
	assert_success
	assert_output "10.250.0.1"
}

@test "ipMasq false: the outside sees the container's own address" {
	N=$(br_net nomasq '[{"subnet":"10.206.0.0/24"}]' '{"ipMasq":false}')
	run br_add "$N" c1
	ip -n "$OUT" route add 10.206.0.0/24 via 10.250.0.1
	run who_connects c1
	assert_success
	assert_output "10.206.0.2"
}

@test "internal: no default route, and nothing forwarded even with one" {
	N=$(br_net internal '[{"subnet":"10.207.0.0/24"}]' '{"internal":true}')
	run br_add "$N" c1
	assert_success
	assert_equal "$(jq '[.routes // [] | .[] | select(.dst == "0.0.0.0/0")] | length' <<<"$output")" 0
	run inside c1 ip route show default
	assert_output ""
	run reaches c1 10.250.0.2
	assert_failure
	inside c1 ip route add default via 10.207.0.1
	run reaches c1 10.250.0.2
	assert_failure
	# the gateway (embedded DNS lives there) still answers
	reaches c1 10.207.0.1
}

@test "icc false: containers cannot reach each other but reach the gateway" {
	N=$(br_net noicc '[{"subnet":"10.208.0.0/24"}]' '{"options":{"com.docker.network.bridge.enable_icc":"false"}}')
	run br_add "$N" c1
	run br_add "$N" c2
	c2=$(ip_of "$output")
	run reaches c1 "$c2"
	assert_failure
	reaches c1 10.208.0.1
	reaches c2 10.208.0.1
}

@test "default route: the lexically first non-internal network, re-evaluated on DEL" {
	BN=$(br_net bnet '[{"subnet":"10.209.0.0/24"}]')
	AN=$(br_net anet '[{"subnet":"10.210.0.0/24"}]')
	IN=$(br_net aaa-internal '[{"subnet":"10.211.0.0/24"}]' '{"internal":true}')
	run br_add "$BN" c1 eth0
	assert_success
	inside c1 ip route show default | grep -q "via 10.209.0.1 dev eth0"
	run br_add "$AN" c1 eth1
	assert_success
	inside c1 ip route show default | grep -q "via 10.210.0.1 dev eth1"
	# an internal network never provides it, however it sorts
	run br_add "$IN" c1 eth2
	assert_success
	inside c1 ip route show default | grep -q "via 10.210.0.1 dev eth1"
	run br_del "$AN" c1 eth1
	assert_success
	inside c1 ip route show default | grep -q "via 10.209.0.1 dev eth0"
	reaches c1 10.250.0.2
}
