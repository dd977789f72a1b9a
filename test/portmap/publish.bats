#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Published ports: from outside, from the host, from 127.0.0.1, hairpin; TCP and UDP; IPv6.

load lib

setup() {
	nd_setup
	outside_setup
	N=$(pm_net web '[{"subnet":"10.220.0.0/24"},{"subnet":"fd00:220::/64"}]' '{"ipv6":true}')
}
teardown() { nd_teardown; }

@test "TCP and UDP reach the container from another machine, the host, 127.0.0.1 and a neighbour" {
	CAP_ARGS='{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"},{"hostPort":5353,"containerPort":53,"protocol":"udp"}]}' \
		run br_add "$N" c1
	assert_success
	listen c1 80
	listen c1 53 udp
	assert_equal "$(fetch "$OUT" 10.250.0.1 8080)" hello-c1
	assert_equal "$(fetch - 10.250.0.1 8080)" hello-c1
	assert_equal "$(fetch - 127.0.0.1 8080)" hello-c1
	assert_equal "$(fetch "$OUT" 10.250.0.1 5353 udp)" hello-c1
	run br_add "$N" c2
	assert_equal "$(fetch "nd-$ND_ID-c2" 10.250.0.1 8080)" hello-c1
	assert_equal "$(fetch "nd-$ND_ID-c2" 10.220.0.1 8080)" hello-c1
}

@test "IPv6: published on every local IPv6 address too" {
	CAP_ARGS='{"portMappings":[{"hostPort":8081,"containerPort":80}]}' run br_add "$N" c1
	assert_success
	listen c1 80
	assert_equal "$(fetch "$OUT" fd00:250::1 8081)" hello-c1
}

@test "the result passes through and the endpoint record shows the published ports" {
	CAP_ARGS='{"portMappings":[{"hostPort":8082,"containerPort":80}]}' run br_add "$N" c1
	assert_success
	assert_equal "$(jq -r '.ips[0].address' <<<"$output")" 10.220.0.2/24
	rec="$NETDOCK_RUN_DIR/endpoints/web-$ND_ID/$(nd_cid c1)-eth0.json"
	assert_equal "$(jq -c '[.ports[] | "\(.hostPort)->\(.containerPort)/\(.protocol)"] | unique' "$rec")" '["8082->80/tcp"]'
}

@test "DEL stops the port at once, also for an established flow's next connection" {
	CAP_ARGS='{"portMappings":[{"hostPort":8083,"containerPort":80}]}' run br_add "$N" c1
	listen c1 80
	assert_equal "$(fetch "$OUT" 10.250.0.1 8083)" hello-c1
	run br_del "$N" c1
	assert_success
	run fetch "$OUT" 10.250.0.1 8083
	refute_output hello-c1
	assert_equal "$(map_count portmap-any4)" 0
	run br_del "$N" c1
	assert_success
}

# flows PORT [ipv6]: conntrack entries of UDP flows to host port PORT.
flows() {
	conntrack -L -f "${2:-ipv4}" -p udp --orig-port-dst "$1" 2>/dev/null | grep -c "dport=$1" || true
}

@test "DEL drops the conntrack entries of its own mappings, IPv4 and IPv6, and no others" {
	CAP_ARGS='{"portMappings":[{"hostPort":5354,"containerPort":53,"protocol":"udp"}]}' run br_add "$N" c1
	assert_success
	CAP_ARGS='{"portMappings":[{"hostPort":5355,"containerPort":53,"protocol":"udp"}]}' run br_add "$N" c2
	assert_success
	listen c1 53 udp
	listen c2 53 udp
	assert_equal "$(fetch "$OUT" 10.250.0.1 5354 udp)" hello-c1
	assert_equal "$(fetch "$OUT" fd00:250::1 5354 udp)" hello-c1
	assert_equal "$(fetch "$OUT" 10.250.0.1 5355 udp)" hello-c2
	[ "$(flows 5354)" -ge 1 ] && [ "$(flows 5354 ipv6)" -ge 1 ]
	others=$(flows 5355)
	[ "$others" -ge 1 ]
	run br_del "$N" c1
	assert_success
	assert_equal "$(flows 5354)" 0
	assert_equal "$(flows 5354 ipv6)" 0
	assert_equal "$(flows 5355)" "$others"
}

@test "CHECK verifies the map entries" {
	CAP_ARGS='{"portMappings":[{"hostPort":8084,"containerPort":80}]}' run br_add "$N" c1
	run nd_list CHECK "$N" "$(nd_cid c1)" "nd-$ND_ID-c1"
	assert_success
	nft flush map inet "$NETDOCK_NFT_TABLE" portmap-any4
	run nd_list CHECK "$N" "$(nd_cid c1)" "nd-$ND_ID-c1"
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 108
	assert_equal "$(jq -r .msg <<<"$output")" "published port tcp/8084 -> 80 is missing from nftables"
}
