#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# netdock-overlayd reading back the kernel's xfrm policies at start and at
# a full pass, on this machine's kernel (policies need no ESP; the SAs'
# half runs in UML, restart.bats): the policy the plugin left without a key
# is moved to the ring's key, a stale one of a network that is gone is
# removed, one whose VNI is still marked in nftables stays, someone else's
# is not touched; a network whose record goes loses its policy.

load ../helpers

setup() {
	nd_setup
	NS=$(nd_ns h)
	ip -n "$NS" link add "d$ND_ID" type veth peer name "e$ND_ID"
	ip -n "$NS" addr add 10.77.0.1/24 dev "d$ND_ID"
	ip -n "$NS" link set "d$ND_ID" up
	mkdir -p "$ND_TMP/rd/overlay"
}
teardown() { nd_teardown; }

etcd_up() {
	ip netns exec "$NS" etcd --name r --data-dir "$ND_TMP/etcd" \
		--listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
		--listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
		--initial-cluster r=http://127.0.0.1:2380 >"$ND_TMP/etcd.log" 2>&1 &
	nd_track_pid $!
	for _ in $(seq 200); do
		ip netns exec "$NS" curl -sf -X POST -d '{"key":"eA=="}' http://127.0.0.1:2379/v3/kv/range \
			>/dev/null && return 0
		sleep 0.05
	done
	fail "etcd did not start"
}

# policy VNI_OR_MARK PORT REQID: an outbound policy as netdock's are made (iproute2 here).
policy() {
	ip -n "$NS" xfrm policy add dir out proto udp dport "$2" mark "$1" mask 0xffffffff \
		tmpl proto esp mode transport reqid "$3"
}

# policies: "mark reqid" of each policy in the host, sorted, on one line.
policies() {
	ip -n "$NS" xfrm policy | awk '/^[ \t]*mark /{m=$2} /proto esp reqid/{print m, $4}' |
		sort | tr '\n' ' '
}

reconciled() { cat "$ND_TMP/netdock.log" 2>/dev/null | grep -c "ipsec reconciled"; }

@test "overlayd reads the kernel's policies back: moves, removes, keeps exactly what it should" {
	etcd_up
	printf '{"name":"net42","vni":42,"vxlan":"vx42","bridge":"vx42","vtep":"10.77.0.1","port":4789,"host":"h1","encrypted":true}\n' \
		>"$ND_TMP/rd/overlay/net42.json"
	# VNI 42 as the plugin leaves it before any key (reqid of no key: 0x42000054).
	policy 0xe500002a 4789 0x42000054
	# VNI 77: a network gone while the agent was down; VNI 78: marked in nftables.
	policy 0xe500004d 4789 0x4000009a
	policy 0xe500004e 4789 0x4000009c
	ip netns exec "$NS" "$ND_TEST_DIR/ipsec-tool" nft 4789 78
	# Someone else's.
	policy 0x1234 5000 7
	ip netns exec "$NS" env NETDOCK_LOG_LEVEL=info NETDOCK_IPSEC_POLL=3600 \
		"$ND_BIN_DIR/netdock-overlayd" --endpoints http://127.0.0.1:2379 --host h1 \
		--run-dir "$ND_TMP/rd" 2>"$ND_TMP/agent.err" &
	AGENT=$!
	nd_track_pid $AGENT
	for _ in $(seq 200); do [ "$(reconciled)" -ge 1 ] && break; sleep 0.05; done
	run grep -o "ipsec reconciled: .*" "$ND_TMP/netdock.log"
	assert_output "ipsec reconciled: SAs 0 kept, 0 added, 0 replaced, 0 removed; policies 1 kept, 0 added, 1 updated, 1 removed"
	# 42 on key 1 (0x40000055), 78 and the foreign one as they were; 77 gone.
	run policies
	assert_output "0x1234/0xffffffff 7 0xe500002a/0xffffffff 1073741909 0xe500004e/0xffffffff 1073741980 "
	# The network's record goes (its GC): a full pass, and nothing marks VNI 42 any more.
	rm "$ND_TMP/rd/overlay/net42.json"
	for _ in $(seq 200); do [ "$(reconciled)" -ge 2 ] && break; sleep 0.05; done
	run policies
	assert_output "0x1234/0xffffffff 7 0xe500004e/0xffffffff 1073741980 "
	kill $AGENT
	wait $AGENT
	run grep -c "Sanitizer\|runtime error" "$ND_TMP/agent.err"
	assert_output 0
}
