#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Host binding addresses, -P, conflicts, and exact ownership at scale.

load lib

setup() {
	nd_setup
	outside_setup
}
teardown() { nd_teardown; }

@test "the seed's my-network: host_binding_ipv4 is honoured, other addresses do not answer" {
	N=$(pm_net my-network '[{"subnet":"10.221.0.0/24"}]' \
		'{"options":{"com.docker.network.bridge.host_binding_ipv4":"10.250.0.1"}}')
	CAP_ARGS='{"portMappings":[{"hostPort":6379,"containerPort":6379}]}' run br_add "$N" redis
	assert_success
	listen redis 6379
	assert_equal "$(fetch "$OUT" 10.250.0.1 6379)" hello-redis
	run fetch - 127.0.0.1 6379
	refute_output hello-redis
	assert_equal "$(map_count portmap-addr4)" 1
	assert_equal "$(map_count portmap-any4)" 0
}

@test "a hostIP that is not on this host is refused, saying so" {
	N=$(pm_net n '[{"subnet":"10.222.0.0/24"}]')
	CAP_ARGS='{"portMappings":[{"hostPort":80,"containerPort":80,"hostIP":"192.0.2.99"}]}' run br_add "$N" c1
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 110
	assert_equal "$(jq -r .msg <<<"$output")" "runtimeConfig.portMappings[0].hostIP 192.0.2.99 is not an address of this host"
	# the failed ADD was undone: no veth, no lease
	[ -z "$(ls "$NETDOCK_LIB_DIR/ipam/n-$ND_ID/addr")" ]
}

@test "-P: hostPort 0 picks distinct free ports, recorded and reachable" {
	N=$(pm_net p '[{"subnet":"10.223.0.0/24"}]')
	CAP_ARGS='{"portMappings":[{"hostPort":0,"containerPort":80},{"hostPort":0,"containerPort":81}]}' run br_add "$N" c1
	assert_success
	listen c1 80
	rec="$NETDOCK_RUN_DIR/endpoints/p-$ND_ID/$(nd_cid c1)-eth0.json"
	p80=$(jq -r '.ports[] | select(.containerPort == 80) | .hostPort' "$rec")
	p81=$(jq -r '.ports[] | select(.containerPort == 81) | .hostPort' "$rec")
	lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
	[ "$p80" -ge "$lo" ] && [ "$p81" -ge "$lo" ] && [ "$p80" != "$p81" ]
	assert_equal "$(fetch "$OUT" 10.250.0.1 "$p80")" hello-c1
	CAP_ARGS='{"portMappings":[{"hostPort":0,"containerPort":80}]}' run br_add "$N" c2
	p2=$(jq -r '.ports[0].hostPort' "$NETDOCK_RUN_DIR/endpoints/p-$ND_ID/$(nd_cid c2)-eth0.json")
	[ "$p2" != "$p80" ] && [ "$p2" != "$p81" ]
}

@test "a host port published twice is refused, naming the holder" {
	N=$(pm_net c '[{"subnet":"10.224.0.0/24"}]')
	CAP_ARGS='{"portMappings":[{"hostPort":9000,"containerPort":80}]}' run br_add "$N" first
	assert_success
	CAP_ARGS='{"portMappings":[{"hostPort":9000,"containerPort":80}]}' run br_add "$N" second
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 106
	[[ $(jq -r .msg <<<"$output") == "host port tcp/9000 is already published by container $(nd_cid first) eth0"* ]]
	# the holder is untouched
	listen first 80
	assert_equal "$(fetch "$OUT" 10.250.0.1 9000)" hello-first
	# udp on the same number is another port
	CAP_ARGS='{"portMappings":[{"hostPort":9000,"containerPort":80,"protocol":"udp"}]}' run br_add "$N" third
	assert_success
}

@test "1,000 mappings: DEL half, the others answer and the map holds exactly the rest" {
	N=$(pm_net big '[{"subnet":"10.225.0.0/24"}]')
	for c in $(seq 0 9); do
		maps=$(jq -nc --argjson c "$c" '[range(0;100) | {hostPort: (20000 + $c * 100 + .), containerPort: 80}]')
		CAP_ARGS="{\"portMappings\":$maps}" run br_add "$N" "c$c"
		assert_success
	done
	assert_equal "$(map_count portmap-any4)" 1000
	for c in 0 2 4 6 8; do run br_del "$N" "c$c"; assert_success; done
	assert_equal "$(map_count portmap-any4)" 500
	nft -j list map inet "$NETDOCK_NFT_TABLE" portmap-any4 |
		jq -r '.nftables[] | .map? // empty | .elem[] | .[0].concat[1]' | sort -n >"$ND_TMP/ports"
	expected=$(for c in 1 3 5 7 9; do seq $((20000 + c * 100)) $((20000 + c * 100 + 99)); done | sort -n)
	assert_equal "$(cat "$ND_TMP/ports")" "$expected"
	listen c3 80
	listen c9 80
	assert_equal "$(fetch "$OUT" 10.250.0.1 20342)" hello-c3
	assert_equal "$(fetch "$OUT" 10.250.0.1 20999)" hello-c9
	run fetch "$OUT" 10.250.0.1 20242
	refute_output --partial hello
}

@test "GC removes the mappings of attachments not in valid-attachments" {
	N=$(pm_net g '[{"subnet":"10.226.0.0/24"}]')
	CAP_ARGS='{"portMappings":[{"hostPort":9100,"containerPort":80}]}' run br_add "$N" keep
	CAP_ARGS='{"portMappings":[{"hostPort":9101,"containerPort":80}]}' run br_add "$N" gone
	GC_VALID="[{\"containerID\":\"$(nd_cid keep)\",\"ifname\":\"eth0\"}]" run nd_list GC "$N"
	assert_success
	assert_equal "$(map_count portmap-any4)" 1
	nft list map inet "$NETDOCK_NFT_TABLE" portmap-any4 | grep -q "tcp . 9100"
}
