#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Three hosts on one overlay: containers reach each other by address, name,
# alias and link across hosts; the seed's two-subnet network; isolation.

load lib

setup() {
	nd_setup
	ov_cluster 3
}
teardown() { ov_teardown; }

@test "across three hosts: ping by address, name, alias and link; state equals etcd" {
	N=$(ov_net mh '[{"subnet":"10.77.0.0/16"}]')
	run ov_add 1 "$N" web
	assert_success
	a1=$(ip_of "$output")
	CAP_ARGS='{"aliases":["db-alias"]}' run ov_add 2 "$N" db
	assert_success
	a2=$(ip_of "$output")
	CAP_ARGS='{"links":["web:frontend"]}' run ov_add 3 "$N" app
	assert_success
	a3=$(ip_of "$output")
	# Two hosts never hand out one address.
	[ "$a1" != "$a2" ] && [ "$a2" != "$a3" ] && [ "$a1" != "$a3" ]

	ov_wait_for 5 reaches web "$a2"
	reaches web "$a3"
	reaches db "$a1"
	reaches app "$a1"
	reaches app "$a2"
	# The anycast gateway: the same address and MAC on every host's bridge.
	for i in 1 2 3; do
		on_host "$i" ip -br link show "$(jq -r .bridge "$ND_TMP/h$i/run/overlay/mh.json")"
	done | awk '{print $3}' | sort -u | wc -l | grep -qx 1

	ov_wait_for 5 sh -c "[ -e $ND_TMP/h3/run/endpoints/mh/$(nd_cid db)-eth0.json ]"
	assert_equal "$(dig_on app db)" "$a2"
	assert_equal "$(dig_on app db-alias)" "$a2"
	assert_equal "$(dig_on app frontend)" "$a1"
	assert_equal "$(dig_on web app)" "$a3"
	# The link is private to app: web's DNS does not know "frontend".
	run dig_on web frontend
	refute_output --partial "$a1"

	ov_wait_for 5 ov_converged || { cat "$ND_TMP/converge.out"; false; }
	cat "$ND_TMP/converge.out"

	# db leaves: its entries and records go from every host.
	run ov_del 2 "$N" db
	assert_success
	ov_wait_for 5 ov_converged || { cat "$ND_TMP/converge.out"; false; }
	[ ! -e "$ND_TMP/h1/run/endpoints/mh/$(nd_cid db)-eth0.json" ]
	run reaches web "$a2"
	assert_failure
}

@test "the seed's two-subnet network across hosts: ipRange, aux addresses, a static address in the second subnet" {
	subnets=$(jq -c '.plugins[0].ipam.subnets' "$ND_SRC/conf/examples/my-multihost-network.conflist")
	N=$(ov_net my-multihost-network "$subnets")
	run ov_add 1 "$N" c1
	assert_success
	a1=$(ip_of "$output")
	[[ $a1 == 192.168.1.* ]] && [ "$a1" != 192.168.1.5 ] && [ "$a1" != 192.168.1.6 ]
	run ov_add 2 "$N" c2 eth0 "IP=192.170.2.2"
	assert_success
	assert_equal "$(ip_of "$output")" 192.170.2.2
	run ov_add 3 "$N" c3
	assert_success
	a3=$(ip_of "$output")
	[[ $a3 == 192.168.1.* ]] && [ "$a3" != "$a1" ]
	on_host 2 ip -4 addr show | grep -q "inet 192.170.0.100/16"
	on_host 3 ip -4 addr show | grep -q "inet 192.168.0.100/16"
	ov_wait_for 5 reaches c1 192.170.2.2
	reaches c2 "$a1"
	reaches c3 "$a1"
	reaches c3 192.170.2.2
}

@test "isolation: another overlay network and a bridge network stay unreachable" {
	A=$(ov_net neta '[{"subnet":"10.81.0.0/24"}]')
	B=$(ov_net netb '[{"subnet":"10.82.0.0/24"}]')
	run ov_add 1 "$A" a1
	a1=$(ip_of "$output")
	run ov_add 2 "$A" a2
	a2=$(ip_of "$output")
	run ov_add 1 "$B" b1
	b1=$(ip_of "$output")
	run ov_add 2 "$B" b2
	b2=$(ip_of "$output")
	jq '.plugins[0] |= (del(.store, .vtep) | .type = "bridge")' "$A" |
		jq '.name = "brnet" | .plugins[0].ipam.subnets = [{"subnet":"10.83.0.0/24"}]' \
			>"$ND_TMP/conf/brnet.conflist"
	run ov_add 1 "$ND_TMP/conf/brnet.conflist" br1
	assert_success
	c1=$(ip_of "$output")
	ov_wait_for 5 reaches a1 "$a2"
	reaches b1 "$b2"
	for target in "$b1" "$b2" "$c1"; do
		run reaches a1 "$target"
		assert_failure
	done
	run reaches a2 "$b1"
	assert_failure
	run reaches br1 "$a1"
	assert_failure
	run reaches b2 "$a2"
	assert_failure
	# Separate VNIs, separate devices.
	[ "$(jq .vni "$ND_TMP/h1/run/overlay/neta.json")" != "$(jq .vni "$ND_TMP/h1/run/overlay/netb.json")" ]
	[ "$(jq .vni "$ND_TMP/h1/run/overlay/neta.json")" = "$(jq .vni "$ND_TMP/h2/run/overlay/neta.json")" ]
}

@test "--internal overlay: reaches across hosts, not the outside; a normal one reaches out through its host" {
	I=$(ov_net internal '[{"subnet":"10.84.0.0/24"}]' '{"internal": true}')
	E=$(ov_net external '[{"subnet":"10.85.0.0/24"}]')
	run ov_add 1 "$I" i1
	i1=$(ip_of "$output")
	run ov_add 2 "$I" i2
	i2=$(ip_of "$output")
	run ov_add 1 "$E" e1
	assert_success
	ov_wait_for 5 reaches i2 "$i1"
	# 10.99.0.2 is host 2's underlay address: outside the overlay.
	reaches e1 10.99.0.2
	run reaches i1 10.99.0.2
	assert_failure
}

@test "a published port on an overlay container answers on its host's underlay address" {
	N=$(ov_net pub '[{"subnet":"10.86.0.0/24"}]')
	CAP_ARGS='{"portMappings":[{"hostPort":18080,"containerPort":80,"protocol":"tcp"}]}' \
		run ov_add 1 "$N" srv
	assert_success
	ip netns exec "nd-$ND_ID-srv" socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:"echo hello-overlay" \
		3>&- &
	nd_track_pid $!
	nd_wait_for sh -c "ip netns exec nd-$ND_ID-srv ss -ltn | grep -q ':80 '"
	run on_host 2 socat -T2 - TCP:10.99.0.1:18080,connect-timeout=2
	assert_success
	assert_output hello-overlay
	# From an overlay container on another host too (out through its own host).
	run ov_add 2 "$N" client
	assert_success
	run inside client socat -T2 - TCP:10.99.0.1:18080,connect-timeout=2
	assert_output hello-overlay
}
