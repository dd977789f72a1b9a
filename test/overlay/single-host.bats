#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The overlay without a store works on one host, as Docker's does: bridge + VXLAN device.

load ../bridge/lib

ov_net() {
	local name="$1-$ND_ID" extra=${3:-"{}"}
	jq -n --arg name "$name" --argjson subnets "$2" --argjson extra "$extra" '{
		cniVersion: "1.0.0", name: $name,
		plugins: [({type: "overlay",
			capabilities: {ips: true, mac: true, aliases: true},
			ipam: {type: "ipam-subnet", subnets: $subnets}} + $extra),
			{type: "portmap", capabilities: {portMappings: true}}]
	}' >"$ND_TMP/conf/$1.conflist"
	echo "$ND_TMP/conf/$1.conflist"
}

setup() { nd_setup; }
teardown() {
	local vx
	for vx in $(cat "$NETDOCK_RUN_DIR"/overlay/*.json 2>/dev/null | jq -r '.vxlan // empty'); do
		ip link del "$vx" 2>/dev/null
	done
	nd_teardown
}

@test "one host, no store: containers reach each other over the overlay's bridge" {
	N=$(ov_net ov '[{"subnet":"10.213.0.0/24"}]' '{"vni": 7100}')
	run br_add "$N" c1
	assert_success
	a1=$(ip_of "$output")
	inside c1 ip link show eth0 | grep -q "mtu 1450 "
	run br_add "$N" c2
	assert_success
	a2=$(ip_of "$output")
	reaches c1 "$a2"
	reaches c2 "$a1"
	br=$(bridge_of "$N")
	run ip -d link show vx-7100
	assert_success
	assert_output --partial "vxlan id 7100"
	assert_output --partial "dstport 4789"
	assert_output --partial "nolearning"
	assert_output --partial "proxy"
	assert_output --partial "master $br"
	assert_output --partial "mtu 1450"
	assert_equal "$(jq -r .driver "$NETDOCK_RUN_DIR/networks/ov-$ND_ID.json")" overlay
	assert_equal "$(jq -r .vni "$NETDOCK_RUN_DIR/overlay/ov-$ND_ID.json")" 7100
	run nd_list CHECK "$N" "$(nd_cid c1)" "nd-$ND_ID-c1"
	assert_success

	run br_del "$N" c1
	assert_success
	run br_del "$N" c2
	assert_success
	GC_VALID='[]' run nd_list GC "$N"
	assert_success
	run ip link show vx-7100
	assert_failure
	run ip link show "$br"
	assert_failure
	[ ! -e "$NETDOCK_RUN_DIR/overlay/ov-$ND_ID.json" ]
}

@test "every configured subnet is masqueraded from the first ADD, and GC removes them all" {
	N=$(ov_net two '[{"subnet":"10.214.0.0/24"},{"subnet":"10.215.0.0/24"}]' '{"vni": 7102}')
	run br_add "$N" c1
	assert_success
	assert_equal "$(ip_of "$output")" 10.214.0.2
	# The second subnet's containers may live on other hosts only; its
	# elements are this host's all the same, as on every host.
	run nft list set inet "$NETDOCK_NFT_TABLE" masq4
	assert_success
	assert_output --partial 10.214.0.0/24
	assert_output --partial 10.215.0.0/24
	br_check_del_gc "$N" c1
	run nft list set inet "$NETDOCK_NFT_TABLE" masq4
	refute_output --partial 10.214.0.0
	refute_output --partial 10.215.0.0
}

@test "no vni: one derived from the network name, the same on every run" {
	N=$(ov_net derived '[{"subnet":"10.214.0.0/24"}]')
	run br_add "$N" c1
	assert_success
	vni=$(jq -r .vni "$NETDOCK_RUN_DIR/overlay/derived-$ND_ID.json")
	[ "$vni" -ge 4096 ]
	ip -d link show "vx-$vni" | grep -q "vxlan id $vni "
}

@test "bad overlay keys are refused with the field named" {
	N=$(ov_net bad '[{"subnet":"10.215.0.0/24"}]' '{"vni": 16777216}')
	run br_add "$N" c1
	assert_failure
	assert_output --partial '"code":7'
	assert_output --partial "vni"
	N=$(ov_net bad2 '[{"subnet":"10.215.0.0/24"}]' '{"store": {"endpoints": []}}')
	run br_add "$N" c1
	assert_failure
	assert_output --partial "store.endpoints"
	N=$(ov_net bad3 '[{"subnet":"10.215.0.0/24"}]' '{"vtep": "nosuchdev0"}')
	run br_add "$N" c1
	assert_failure
	assert_output --partial 'vtep \"nosuchdev0\"'
}
