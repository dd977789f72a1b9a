#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Static addresses (--ip / --ip6) from every place a runtime puts them.

load lib

setup() {
	nd_setup
	C=$(ipam_conf n1 '{"type":"ipam-subnet","subnets":[{"subnet":"172.25.0.0/16"},{"subnet":"fd00:25::/64"}]}')
}
teardown() { nd_teardown; }

@test "CNI_ARGS IP= as Podman sends it" {
	CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=ad1;IP=172.25.3.3" run ipam ADD "$C" c1
	assert_success
	assert_equal "$(jq -r '.ips[0].address' <<<"$output")" "172.25.3.3/16"
	# the other family still gets one from the pool
	assert_equal "$(jq -r '.ips[1].address' <<<"$output")" "fd00:25::2/64"
}

@test "runtimeConfig ips, bare and CIDR, both families" {
	jq '.runtimeConfig = {"ips":["172.25.3.4/16","fd00:25::99"]}' "$C" >"$ND_TMP/c.json"
	run ipam ADD "$ND_TMP/c.json" c1
	assert_success
	assert_equal "$(jq -r '[.ips[].address] | join(",")' <<<"$output")" "172.25.3.4/16,fd00:25::99/64"
}

@test "args.cni.ips" {
	jq '.args = {"cni":{"ips":["172.25.3.5"]}}' "$C" >"$ND_TMP/c.json"
	run ipam ADD "$ND_TMP/c.json" c1
	assert_success
	assert_equal "$(ipam_addr "$output")" "172.25.3.5"
}

@test "an address held by another attachment is refused, naming the holder" {
	CNI_ARGS="IP=172.25.3.3" run ipam ADD "$C" holder
	assert_success
	CNI_ARGS="IP=172.25.3.3" run ipam ADD "$C" second
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 103
	assert_equal "$(jq -r .msg <<<"$output")" "ips: 172.25.3.3 is already held by container holder (interface eth0)"
	# the failed ADD left nothing: its v6 address was not kept either
	[ ! -e "$NETDOCK_LIB_DIR/ipam/n1/owner/second-eth0" ]
}

@test "an address outside every subnet is refused" {
	CNI_ARGS="IP=10.9.9.9" run ipam ADD "$C" c1
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 7
	assert_equal "$(jq -r .msg <<<"$output")" "ips: 10.9.9.9 is outside every subnet of network n1"
	CNI_ARGS="IP=172.25.0.1" run ipam ADD "$C" c1
	assert_failure
	[[ $(jq -r .msg <<<"$output") == *"172.25.0.1 is reserved"* ]]
}

@test "a static address is kept across restarts of the container" {
	CNI_ARGS="IP=172.25.3.3" run ipam ADD "$C" c1
	assert_success
	run ipam DEL "$C" c1
	assert_success
	run ipam ADD "$C" other
	refute [ "$(ipam_addr "$output")" = "172.25.3.3" ]
	CNI_ARGS="IP=172.25.3.3" run ipam ADD "$C" c1
	assert_success
	assert_equal "$(ipam_addr "$output")" "172.25.3.3"
}
