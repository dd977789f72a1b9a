#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Input refused up front, with the right code and the field and value named,
# before anything is made on the host (the cases issue 13 found).

load ../bridge/lib

setup() {
	nd_setup
	NS=$(nd_ns in)
}
teardown() { nd_teardown; }

code_of() { jq -r .code <<<"$1"; }
msg_of() { jq -r .msg <<<"$1"; }

# add_raw PLUGIN TEXT [IFNAME]: ADD with TEXT on stdin as it is.
add_raw() {
	printf '%s' "$2" >"$ND_TMP/conf/raw.json"
	nd_plugin "$1" ADD "$ND_TMP/conf/raw.json" c1 "$NS" "${3:-eth0}"
}

conf() { # NAME [EXTRA_JSON]
	jq -nc --arg name "$1" --argjson extra "${2:-"{}"}" '{cniVersion: "1.0.0", name: $name, type: "bridge",
		ipam: {type: "ipam-subnet", subnets: [{subnet: "10.186.0.0/24"}]}} + $extra'
}

nothing_made() {
	run find "$NETDOCK_RUN_DIR" "$NETDOCK_LIB_DIR" -mindepth 1 -not -name .sysctl.lock
	assert_output ""
}

@test "NUL and control characters in strings are refused, naming the path" {
	run add_raw bridge '{"cniVersion":"1.0.0","name":"a\u0000b","type":"bridge","ipam":{"type":"ipam-subnet"}}'
	assert_failure
	assert_equal "$(code_of "$output")" 7
	[[ $(msg_of "$output") == name* ]]
	run add_raw bridge "$(conf n1 | jq -c '.bridge = "a"' | sed 's/"bridge":"a"/"bridge":"a\\u0000b"/')"
	assert_equal "$(code_of "$output")" 7
	[[ $(msg_of "$output") == "bridge \"a...\" holds a NUL"* ]]
	run add_raw bridge "$(conf n1 '{"embeddedDNS":{"domain":"x\u0001\n"}}')"
	assert_equal "$(code_of "$output")" 7
	[[ $(msg_of "$output") == "embeddedDNS.domain \"x...\" holds control character 0x01"* ]]
	nothing_made
}

@test "trailing garbage after the JSON object is code 6" {
	run add_raw bridge "$(conf n1)garbage"
	assert_equal "$(code_of "$output")" 6
	assert_output --partial "data after the JSON object"
	run add_raw bridge "$(conf n1)  "$'\n'
	assert_success
}

@test "args.cni.name of the wrong type is code 7, also with a name in CNI_ARGS" {
	for v in 12345 true '[]' '{}' 1.5 -1; do
		CNI_ARGS="K8S_POD_NAME=x;IgnoreUnknown=1" run add_raw bridge "$(conf n1 "{\"args\":{\"cni\":{\"name\":$v}}}")"
		assert_equal "$(code_of "$output")" 7
		[[ $(msg_of "$output") == "args.cni.name must be a string, not "* ]]
	done
	nothing_made
}

@test "network names outside the documented charset are code 7 before any file is made" {
	for n in 'é漢字🙂‮' 10.0.0.0/33 ../x .. -x _x "$(printf 'x%.0s' $(seq 201))"; do
		run add_raw bridge "$(conf "$n")"
		assert_equal "$(code_of "$output")" 7
		[[ $(msg_of "$output") == "name \""*"must be 1 to 200 letters, digits"* ]]
	done
	nothing_made
}

@test "reserved subnets, multicast and zero MACs, a CNI_NETNS that is no netns, bad CNI_IFNAMEs" {
	for s in 0.0.0.0/0 127.0.0.0/16 224.0.0.0/24 ::/0 ff02::/64; do
		run add_raw bridge "$(conf n1 "{\"ipam\":{\"type\":\"ipam-subnet\",\"subnets\":[{\"subnet\":\"$s\"}]}}")"
		assert_equal "$(code_of "$output")" 7
		[[ $(msg_of "$output") == *"ipam.subnets[0].subnet $s overlaps"* ]]
	done
	for m in 01:00:5e:00:00:01 ff:ff:ff:ff:ff:ff 00:00:00:00:00:00; do
		run add_raw bridge "$(conf n1 "{\"runtimeConfig\":{\"mac\":\"$m\"}}")"
		assert_equal "$(code_of "$output")" 7
		[[ $(msg_of "$output") == "runtimeConfig.mac $m is a "*" address"* ]]
		CNI_ARGS="MAC=$m" run add_raw bridge "$(conf n1)"
		assert_equal "$(code_of "$output")" 4
	done
	printf '%s' "$(conf n1)" >"$ND_TMP/conf/ok.json"
	run nd_plugin bridge ADD "$ND_TMP/conf/ok.json" c1 /etc/passwd eth0
	assert_equal "$(code_of "$output")" 4
	assert_equal "$(msg_of "$output")" "CNI_NETNS /etc/passwd is not a network namespace"
	for p in bridge portmap; do
		for i in é0 a:b 'a b' . .. 0123456789abcdef; do
			run add_raw "$p" "$(conf n1)" "$i"
			assert_equal "$(code_of "$output")" 4
			[[ $(msg_of "$output") == "CNI_IFNAME \"$i\""* ]]
		done
	done
	nothing_made
}
