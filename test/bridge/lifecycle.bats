#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# CHECK, stale endpoints, killed plugins, GC, and reference-plugin conflists.

load lib

setup() {
	nd_setup
	N=$(br_net life '[{"subnet":"10.212.0.0/24"}]')
}
teardown() { nd_teardown; }

@test "CHECK passes on a healthy attachment and names a removed address" {
	run br_add "$N" c1
	assert_success
	run nd_list CHECK "$N" "$(nd_cid c1)" "nd-$ND_ID-c1"
	assert_success
	inside c1 ip addr del 10.212.0.2/24 dev eth0
	run nd_list CHECK "$N" "$(nd_cid c1)" "nd-$ND_ID-c1"
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 108
	assert_equal "$(jq -r .msg <<<"$output")" "address 10.212.0.2/24 is missing from eth0"
}

@test "CHECK names a missing nftables entry and a missing host interface" {
	run br_add "$N" c1
	host=$(jq -r '.interfaces[1].name' <<<"$output")
	nft flush set inet "$NETDOCK_NFT_TABLE" bridges
	run nd_list CHECK "$N" "$(nd_cid c1)" "nd-$ND_ID-c1"
	assert_failure
	[[ $(jq -r .msg <<<"$output") == "nftables: "*" is not in set bridges" ]]
	ip link del "$host"
	run nd_list CHECK "$N" "$(nd_cid c1)" "nd-$ND_ID-c1"
	assert_failure
	assert_equal "$(jq -r .msg <<<"$output")" "host interface $host is missing"
}

@test "a stale endpoint (netns deleted) is removed by DEL and the name reused at once" {
	run br_add "$N" c1
	assert_success
	ip netns del "nd-$ND_ID-c1"
	run br_del "$N" c1
	assert_success
	[ -z "$(ls "$NETDOCK_LIB_DIR/ipam/life-$ND_ID/addr")" ]
	run br_add "$N" c1
	assert_success
	assert_equal "$(ip_of "$output")" 10.212.0.2
}

@test "a plugin killed mid-ADD leaves nothing DEL cannot clean, and ADD works again" {
	ns=$(nd_ns k)
	conf=$(jq -c '.plugins[0] + {cniVersion, name}' "$N")
	for i in $(seq 1 15); do
		CNI_COMMAND=ADD CNI_CONTAINERID=k1 CNI_NETNS=/var/run/netns/$ns CNI_IFNAME=eth0 \
			"$ND_BIN_DIR/bridge" <<<"$conf" >/dev/null 2>&1 &
		pid=$!
		for ((s = 0; s < i * 40; s++)); do :; done
		kill -9 $pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
		run env CNI_COMMAND=DEL CNI_CONTAINERID=k1 CNI_NETNS=/var/run/netns/$ns CNI_IFNAME=eth0 \
			"$ND_BIN_DIR/bridge" <<<"$conf"
		assert_success
	done
	assert_equal "$(ip netns exec "$ns" ip -o link show | grep -c eth0)" 0
	[ -z "$(ls "$NETDOCK_LIB_DIR/ipam/life-$ND_ID/addr" | grep -v '^\.')" ]
	run env CNI_COMMAND=ADD CNI_CONTAINERID=k1 CNI_NETNS=/var/run/netns/$ns CNI_IFNAME=eth0 \
		"$ND_BIN_DIR/bridge" <<<"$conf"
	assert_success
}

@test "GC removes what valid-attachments does not list, then the empty network's bridge and entries" {
	run br_add "$N" c1
	run br_add "$N" c2
	br=$(bridge_of "$N")
	GC_VALID="[{\"containerID\":\"$(nd_cid c2)\",\"ifname\":\"eth0\"}]" run nd_list GC "$N"
	assert_success
	[ ! -e "$NETDOCK_RUN_DIR/endpoints/life-$ND_ID/$(nd_cid c1)-eth0.json" ]
	[ -e "$NETDOCK_RUN_DIR/endpoints/life-$ND_ID/$(nd_cid c2)-eth0.json" ]
	assert_equal "$(ls "$NETDOCK_LIB_DIR/ipam/life-$ND_ID/addr")" 10.212.0.3
	assert_equal "$(inside c1 ip -o link show | grep -c eth0)" 0
	GC_VALID='[]' run nd_list GC "$N"
	assert_success
	run ip link show "$br"
	assert_failure
	run nft list set inet "$NETDOCK_NFT_TABLE" bridges
	refute_output --partial "$br"
	[ ! -e "$NETDOCK_RUN_DIR/networks/life-$ND_ID.json" ]
}

@test "a conflist written for the reference bridge plugin works unchanged" {
	jq -n --arg name "ref-$ND_ID" --arg br "ref$ND_ID" '{cniVersion: "0.4.0", name: $name,
		plugins: [{type: "bridge", bridge: $br, isGateway: true, isDefaultGateway: true,
			ipMasq: true, hairpinMode: true, mtu: 1400, promiscMode: true, portIsolation: false,
			ipam: {type: "host-local", ranges: [[{subnet: "10.213.0.0/24"}]],
				routes: [{dst: "0.0.0.0/0"}], dataDir: "'"$ND_TMP"'/host-local"}}]}' >"$ND_TMP/ref.conflist"
	run br_add "$ND_TMP/ref.conflist" c1
	assert_success
	assert_equal "$(jq -r '.ips[0].version' <<<"$output")" 4
	run br_add "$ND_TMP/ref.conflist" c2
	reaches c1 "$(ip_of "$output")"
	inside c1 ip link show eth0 | grep -q "mtu 1400"
	ip -d link show "$(jq -r '.interfaces[1].name' <<<"$output")" | grep -q "hairpin on"
	ip link show "ref$ND_ID" | grep -q PROMISC
	inside c1 ip route show default | grep -q "via 10.213.0.1"
	run nd_list CHECK "$ND_TMP/ref.conflist" "$(nd_cid c2)" "nd-$ND_ID-c2"
	assert_success
	run br_del "$ND_TMP/ref.conflist" c1
	assert_success
}

@test "bad bridge configs are code 7 naming the field" {
	bad() {
		jq ".plugins[0] += $1" "$N" >"$ND_TMP/bad.conflist"
		run br_add "$ND_TMP/bad.conflist" c1
		assert_failure
		assert_equal "$(jq -r .code <<<"$output")" 7
		[[ $(jq -r .msg <<<"$output") == *"$2"* ]] || fail "$(jq -r .msg <<<"$output") lacks $2"
	}
	bad '{"mtu": 20}' "mtu 20 is out of range 68..65535"
	bad '{"ipMasq": "maybe"}' "ipMasq must be true or false, not \"maybe\""
	bad '{"bridge": "a-name-far-too-long"}' "bridge is longer than 15 characters"
	bad '{"hairpinMod": true}' 'did you mean "hairpinMode"?'
	bad '{"embeddedDNS": {"servers": ["nope"]}}' "embeddedDNS.servers[0] must be an IP address"
	bad '{"options": {"com.docker.network.driver.mtu": "big"}}' "com.docker.network.driver.mtu must be a whole number, not \"big\""
	bad '{"ipam": {}}' "ipam.type is missing"
	# ipam-subnet runs inside bridge: its errors keep their code and field, and leave no lease.
	bad '{"ipam": {"type": "ipam-subnet", "subnets": [{"subnet": "10.9.0.0/24", "gateway": "10.8.0.1"}]}}' \
		"ipam-subnet: ipam.subnets[0].gateway 10.8.0.1 is outside"
	[ -z "$(ls "/var/run/netns" | grep "nd-$ND_ID-c1" | xargs -r -I{} ip -n {} -o link show | grep eth0)" ]
}
