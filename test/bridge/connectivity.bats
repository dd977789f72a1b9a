#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The seeds' ping matrix: same network yes, across networks no, dual-homed reaches both.

load lib

setup() {
	nd_setup
	A=$(br_net isolated '[{"subnet":"10.201.0.0/24"}]')
	B=$(br_net default '[{"subnet":"10.202.0.0/24"}]')
}
teardown() { nd_teardown; }

@test "container1/2/3: same network reaches, other network does not, dual-homed reaches both" {
	run br_add "$B" container1
	assert_success
	c1=$(ip_of "$output")
	run br_add "$B" container2
	assert_success
	c2b=$(ip_of "$output")
	run br_add "$A" container2 eth1
	assert_success
	c2a=$(ip_of "$output")
	run br_add "$A" container3
	assert_success
	c3=$(ip_of "$output")

	reaches container1 "$c2b"
	reaches container2 "$c1"
	reaches container2 "$c3"
	reaches container3 "$c2a"
	run reaches container1 "$c3"
	assert_failure
	run reaches container3 "$c1"
	assert_failure
	# the isolation rule, not a missing route, stopped it
	nft list chain inet "$NETDOCK_NFT_TABLE" bridge-forward | grep 'isolation' | grep -qv 'packets 0 '

	# container2 leaves the isolated network: it no longer reaches container3 there
	run br_del "$A" container2 eth1
	assert_success
	run reaches container2 "$c3"
	assert_failure
	reaches container2 "$c1"
}

@test "the result, the interfaces and the records agree" {
	CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=web" run br_add "$A" c1
	assert_success
	res=$output
	assert_equal "$(jq -r '.interfaces[2].name' <<<"$res")" eth0
	assert_equal "$(jq -r '.interfaces[2].sandbox' <<<"$res")" "/var/run/netns/nd-$ND_ID-c1"
	assert_equal "$(jq -r '.ips[0].interface' <<<"$res")" 2
	assert_equal "$(jq -r '.dns.nameservers[0]' <<<"$res")" 10.201.0.1
	assert_equal "$(jq -r '.dns.search[0]' <<<"$res")" dns.netdock
	host=$(jq -r '.interfaces[1].name' <<<"$res")
	br=$(jq -r '.interfaces[0].name' <<<"$res")
	ip -d link show "$host" | grep -q "master $br"
	inside c1 ip -br addr show eth0 | grep -q "10.201.0.2/24"
	ip -br addr show "$br" | grep -q "10.201.0.1/24"
	rec="$NETDOCK_RUN_DIR/endpoints/isolated-$ND_ID/$(nd_cid c1)-eth0.json"
	assert_equal "$(jq -r .name "$rec")" web
	assert_equal "$(jq -r .hostInterface "$rec")" "$host"
	assert_equal "$(jq -r '.ips[0]' "$rec")" 10.201.0.2/24
	net="$NETDOCK_RUN_DIR/networks/isolated-$ND_ID.json"
	assert_equal "$(jq -r .bridge "$net")" "$br"
	assert_equal "$(jq -r '.subnets[0].gateway' "$net")" 10.201.0.1
}

@test "DEL removes veth, record and lease, and keeps the bridge" {
	run br_add "$A" c1
	host=$(jq -r '.interfaces[1].name' <<<"$output")
	br=$(jq -r '.interfaces[0].name' <<<"$output")
	run br_del "$A" c1
	assert_success
	run ip link show "$host"
	assert_failure
	ip link show "$br" >/dev/null
	[ ! -e "$NETDOCK_RUN_DIR/endpoints/isolated-$ND_ID/$(nd_cid c1)-eth0.json" ]
	[ -z "$(ls "$NETDOCK_LIB_DIR/ipam/isolated-$ND_ID/addr")" ]
	run br_del "$A" c1
	assert_success
}

@test "a static address and Docker's MAC: 172.25.3.3 -> 02:42:ac:19:03:03" {
	N=$(br_net static '[{"subnet":"172.25.0.0/16"}]')
	CNI_ARGS="IgnoreUnknown=1;IP=172.25.3.3" run br_add "$N" c1
	assert_success
	inside c1 ip -br link show eth0 | grep -q "02:42:ac:19:03:03"
	inside c1 ip -br addr show eth0 | grep -q "172.25.3.3/16"
	CAP_ARGS='{"mac":"02:42:ac:11:00:32"}' run br_add "$N" c2
	assert_success
	inside c2 ip -br link show eth0 | grep -q "02:42:ac:11:00:32"
}

@test "MTU 9001 on both ends; a custom bridge name" {
	N=$(br_net mtu '[{"subnet":"10.203.0.0/24"}]' \
		"{\"options\":{\"com.docker.network.driver.mtu\":\"9001\",\"com.docker.network.bridge.name\":\"ndbr$ND_ID\"}}")
	run br_add "$N" c1
	assert_success
	host=$(jq -r '.interfaces[1].name' <<<"$output")
	inside c1 ip link show eth0 | grep -q "mtu 9001"
	ip link show "$host" | grep -q "mtu 9001"
	ip -d link show "ndbr$ND_ID" | grep -q bridge
	ip link show "$host" | grep -q "master ndbr$ND_ID"
}

@test "bridge ports: no IPv6 of their own, snooping off unless mcastSnooping" {
	N=$(br_net ports '[{"subnet":"10.207.0.0/24"},{"subnet":"fd00:207::/64"}]')
	run br_add "$N" c1
	assert_success
	br=$(jq -r '.interfaces[0].name' <<<"$output")
	host=$(jq -r '.interfaces[1].name' <<<"$output")
	ip -d link show "$br" | grep -q "mcast_snooping 0"
	assert_equal "$(cat /proc/sys/net/ipv6/conf/$host/disable_ipv6)" 1
	run ip -6 route show table local dev "$host"
	assert_output ""
	S=$(br_net snoop '[{"subnet":"10.208.0.0/24"}]' '{"mcastSnooping":true}')
	run br_add "$S" c2
	assert_success
	ip -d link show "$(jq -r '.interfaces[0].name' <<<"$output")" | grep -q "mcast_snooping 1"
}

@test "dual stack: addresses of both families and ping6 between containers" {
	N=$(br_net dual '[{"subnet":"10.204.0.0/24"},{"subnet":"fd00:204::/64"}]' '{"ipv6":true}')
	run br_add "$N" c1
	assert_success
	run br_add "$N" c2
	assert_success
	v6=$(ip_of "$output" 1)
	assert_equal "$v6" "fd00:204::3"
	inside c1 ping -6 -c1 -W2 "$v6" >/dev/null
	inside c1 ip -6 route show default | grep -q "via fd00:204::1"
}

@test "without an IPv6 subnet, IPv6 is off on the container interface" {
	run br_add "$A" c1
	assert_equal "$(inside c1 cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6)" 1
}
