#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Bad IPAM configs: code 7 naming the field and value, and nothing allocated.

load lib

setup() { nd_setup; }
teardown() { nd_teardown; }

# refused IPAM_JSON CODE PATTERN: ADD fails with CODE and a msg matching PATTERN.
refused() {
	c=$(ipam_conf bad "$1")
	run ipam ADD "$c" c1
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" "$2"
	[[ $(jq -r .msg <<<"$output") == *"$3"* ]] || fail "msg $(jq -r .msg <<<"$output") lacks: $3"
	[ -z "$(ls "$NETDOCK_LIB_DIR/ipam/bad/addr" 2>/dev/null)" ] || fail "a lease was left behind"
}

@test "gateway outside its subnet" {
	refused '{"type":"ipam-subnet","subnets":[{"subnet":"10.60.0.0/24","gateway":"10.61.0.1"}]}' 7 \
		"ipam.subnets[0].gateway 10.61.0.1 is outside subnet 10.60.0.0/24"
}

@test "ip range outside its subnet" {
	refused '{"type":"ipam-subnet","subnets":[{"subnet":"10.60.0.0/24","ipRange":"10.60.1.0/25"}]}' 7 \
		"ipam.subnets[0].ipRange 10.60.1.0/25 is outside subnet 10.60.0.0/24"
}

@test "aux address outside its subnet" {
	refused '{"type":"ipam-subnet","subnets":[{"subnet":"10.60.0.0/24","auxAddresses":{"r":"10.99.0.1"}}]}' 7 \
		"auxAddresses 10.99.0.1 is outside subnet 10.60.0.0/24"
}

@test "malformed CIDRs and addresses" {
	refused '{"type":"ipam-subnet","subnets":[{"subnet":"10.60.0.0/33"}]}' 7 \
		'ipam.subnets[0].subnet "10.60.0.0/33" is not a CIDR'
	refused '{"type":"ipam-subnet","subnets":[{"subnet":"10.60.0.1/24"}]}' 7 \
		"has host bits set; did you mean 10.60.0.0/24?"
	refused '{"type":"ipam-subnet","subnets":[{"subnet":"10.60.0.0/24","gateway":"10.60.0.300"}]}' 7 \
		'ipam.subnets[0].gateway "10.60.0.300" is not an IPv4 or IPv6 address'
	refused '{"type":"ipam-subnet","subnets":[{"subnet":42}]}' 7 "ipam.subnets[0].subnet must be a string"
}

@test "a subnet with nothing to hand out" {
	refused '{"type":"ipam-subnet","subnets":[{"subnet":"10.60.0.0/30","auxAddresses":{"x":"10.60.0.2"}}]}' 7 \
		"subnet 10.60.0.0/30 has no address left to hand out"
}

@test "typos of known keys are refused, other keys pass" {
	refused '{"type":"ipam-subnet","subnte":[{"subnet":"10.60.0.0/24"}]}' 7 \
		'ipam.subnte is not a known key; did you mean "subnet'
	refused '{"type":"ipam-subnet","subnets":[{"subnet":"10.60.0.0/24","gatway":"10.60.0.1"}]}' 7 \
		'did you mean "gateway"?'
	c=$(ipam_conf ok '{"type":"ipam-subnet","subnets":[{"subnet":"10.60.0.0/24"}],"vendorExtension":true}')
	run ipam ADD "$c" c1
	assert_success
}

@test "overlapping subnets between two networks" {
	c=$(ipam_conf one '{"type":"ipam-subnet","subnets":[{"subnet":"10.62.0.0/16"}]}')
	run ipam ADD "$c" c1
	assert_success
	refused '{"type":"ipam-subnet","subnets":[{"subnet":"10.62.5.0/24"}]}' 7 \
		"ipam.subnets[0].subnet 10.62.5.0/24 overlaps 10.62.0.0/16 of network one"
}

@test "ipam missing entirely" {
	c=$(nd_conf x.json '{"cniVersion":"1.0.0","name":"x","type":"bridge"}')
	run ipam ADD "$c" c1
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 7
	assert_equal "$(jq -r .msg <<<"$output")" "ipam is missing"
}
