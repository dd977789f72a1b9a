#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Three hosts on one overlay: containers reach each other by address, name,
# alias and link across hosts; the seed's two-subnet network; isolation.

load lib

setup() {
	nd_setup
	ov_cluster 3
}
teardown() { nd_teardown; }

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
