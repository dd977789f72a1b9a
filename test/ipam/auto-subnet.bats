#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Networks created with only a name get a subnet that overlaps nothing, and keep it.

load lib

setup() { nd_setup; }
teardown() { nd_teardown; }

subnet_of() { jq -r '.ips[0].address' <<<"$1"; }

@test "networks with only a name get distinct subnets from the default pools" {
	a=$(ipam_conf "auto-a" '{"type":"ipam-subnet"}')
	b=$(ipam_conf "auto-b" '{"type":"ipam-subnet"}')
	run ipam ADD "$a" c1
	assert_success
	sa=$(subnet_of "$output")
	run ipam ADD "$b" c1
	assert_success
	sb=$(subnet_of "$output")
	[[ $sa == 172.*/16 && $sb == 172.*/16 ]] || fail "$sa $sb not from the pools"
	refute [ "${sa%.*.*}" = "${sb%.*.*}" ]
	# the choice is remembered
	run ipam ADD "$a" c2
	assert_equal "$(subnet_of "$output" | cut -d. -f1-2)" "$(cut -d. -f1-2 <<<"$sa")"
}

@test "a subnet on a host route is skipped" {
	link=nd${ND_ID}r
	ip link add "$link" type bridge
	nd_track_link "$link"
	ip addr add 10.70.0.1/20 dev "$link"
	ip link set "$link" up
	c=$(ipam_conf auto '{"type":"ipam-subnet","defaultPools":[{"base":"10.70.0.0/16","size":20}]}')
	run ipam ADD "$c" c1
	assert_success
	assert_equal "$(subnet_of "$output")" "10.70.16.2/20"
}

@test "explicit subnets are not handed to automatic networks" {
	e=$(ipam_conf explicit '{"type":"ipam-subnet","subnets":[{"subnet":"10.71.0.0/20"}]}')
	run ipam ADD "$e" c1
	assert_success
	c=$(ipam_conf auto '{"type":"ipam-subnet","defaultPools":[{"base":"10.71.0.0/16","size":20}]}')
	run ipam ADD "$c" c1
	assert_equal "$(subnet_of "$output")" "10.71.16.2/20"
}

@test "exhausted default pools are an error that says what to do" {
	e=$(ipam_conf explicit '{"type":"ipam-subnet","subnets":[{"subnet":"10.72.0.0/16"}]}')
	run ipam ADD "$e" c1
	c=$(ipam_conf auto '{"type":"ipam-subnet","defaultPools":[{"base":"10.72.0.0/16","size":17}]}')
	run ipam ADD "$c" c1
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 104
	[[ $(jq -r .msg <<<"$output") == *"set ipam.subnets"* ]]
}

@test "GC that leaves a network empty frees its automatic subnet for others" {
	a=$(ipam_conf "auto-a" '{"type":"ipam-subnet","defaultPools":[{"base":"10.73.0.0/23","size":24}]}')
	b=$(ipam_conf "auto-b" '{"type":"ipam-subnet","defaultPools":[{"base":"10.73.0.0/23","size":24}]}')
	run ipam ADD "$a" c1
	assert_equal "$(subnet_of "$output")" "10.73.0.2/24"
	jq '.["cni.dev/valid-attachments"] = []' "$a" >"$ND_TMP/gc.json"
	run ipam GC "$ND_TMP/gc.json" ""
	assert_success
	run ipam ADD "$b" c1
	assert_equal "$(subnet_of "$output")" "10.73.0.2/24"
}
