#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# dnsd knows a querier by its source address, so that address must be
# unforgeable: on a netdock bridge a frame from a port is dropped unless its
# source (IPv4, IPv6, ARP sender) is one the port's endpoint holds. A
# spoofing container taking its neighbour's address cannot read the
# neighbour's private link; with the rule flushed, the same attack works.

load lib

setup() {
	nd_setup
	upstream_start
	A=$(br_net anet '[{"subnet":"10.172.0.0/24"},{"subnet":"fd00:172::/64"}]')
}
teardown() { nd_teardown; }

table() { nft list table bridge "$NETDOCK_NFT_TABLE"; }
# dropped ip|arp|ip6: packets the drop rule of that protocol counted
dropped() { nft list chain bridge "$NETDOCK_NFT_TABLE" antispoof | awk -v p="$1" '$0 ~ "meta protocol " p " iifname" {for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1)}'; }

@test "a container sending with its neighbour's address cannot read the neighbour's links" {
	named web "$A"
	named client "$A" eth0 "" '{"links":["web:secret"]}'
	rules=$(nft -a list chain bridge "$NETDOCK_NFT_TABLE" antispoof | grep -c handle)
	named spoofer "$A"
	dnsd_start
	web=$(addr_on web "$A") client=$(addr_on client "$A")
	assert_equal "$(q client secret A 10.172.0.1)" "$web"
	assert_equal "$(q spoofer secret A 10.172.0.1)" ""
	# an endpoint is elements (its port, port . address), never a rule of its own
	run table
	assert_output --partial "\"$(jq -r .hostInterface "$NETDOCK_RUN_DIR/endpoints/anet-$ND_ID/$(nd_cid client)-eth0.json")\" . $client"
	assert_equal "$(nft -a list chain bridge "$NETDOCK_NFT_TABLE" antispoof | grep -c handle)" "$rules"
	# the spoofer takes client's address (client is down, the host forgets client's MAC)
	inside client ip link set eth0 down
	inside spoofer ip addr flush dev eth0
	inside spoofer ip addr add "$client/24" dev eth0
	ip neigh flush dev "$(bridge_of "$A")"
	run inside spoofer dig +time=1 +tries=1 +short -b "$client" @10.172.0.1 secret
	refute_output --partial "$web"
	# dropped at the port: its ARP for the gateway, or the query itself
	[ $(($(dropped ip) + $(dropped arp))) -gt 0 ]
	# without the rule the very same attack reads the link: the test can fail
	nft flush chain bridge "$NETDOCK_NFT_TABLE" antispoof
	ip neigh flush dev "$(bridge_of "$A")"
	run inside spoofer dig +time=1 +tries=2 +short -b "$client" @10.172.0.1 secret
	assert_output "$web"
}

@test "IPv6 and ARP: a forged source is dropped, link-local and the endpoint's own pass" {
	named web "$A"
	named spoofer "$A"
	web6=$(jq -r '.ips[1]' "$NETDOCK_RUN_DIR/endpoints/anet-$ND_ID/$(nd_cid web)-eth0.json" | cut -d/ -f1)
	nd_wait_for inside spoofer ping -6 -c1 -W1 "$web6"
	inside spoofer ping -6 -c1 -W1 "$web6"
	inside spoofer ping -c1 -W1 "$(addr_on web "$A")"
	inside spoofer ip addr add fd00:172::99/64 dev eth0 nodad
	run inside spoofer ping -6 -c1 -W1 -I fd00:172::99 "$web6"
	assert_failure
	[ "$(dropped ip6)" -gt 0 ]
	# an ARP request whose sender address is not the spoofer's own
	inside spoofer ip addr add 10.172.0.99/24 dev eth0
	inside spoofer ip neigh flush dev eth0
	run inside spoofer ping -c1 -W1 -I 10.172.0.99 "$(addr_on web "$A")"
	assert_failure
	[ "$(dropped arp)" -gt 0 ]
}

@test "DEL and GC remove the endpoint's elements; the port's source addresses follow ADD" {
	named web "$A"
	named other "$A"
	port=$(jq -r .hostInterface "$NETDOCK_RUN_DIR/endpoints/anet-$ND_ID/$(nd_cid web)-eth0.json")
	run table
	assert_output --partial "\"$port\" . $(addr_on web "$A")"
	br_del "$A" web >/dev/null
	run table
	refute_output --partial "$port"
	# a second DEL finds nothing to remove and still succeeds
	run br_del "$A" web
	assert_success
	# GC of a stale attachment removes its elements too
	oport=$(jq -r .hostInterface "$NETDOCK_RUN_DIR/endpoints/anet-$ND_ID/$(nd_cid other)-eth0.json")
	GC_VALID='[]' run nd_list GC "$A"
	assert_success
	run table
	refute_output --partial "$oport"
}
