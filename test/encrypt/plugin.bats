#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The overlay plugin on an encrypted network, on this machine's kernel. A
# kernel without ESP (this project's machines run one: no CONFIG_INET_ESP,
# no gcm) fails ADD with the kernel's reason, leaves nothing behind, and
# STATUS says why; one with ESP gets the drop-until-keyed policy and the
# VNI's mark, which GC removes. Each test asserts the branch the probe of
# this kernel selects; the ESP data path itself is overlay.bats (a VM on
# Debian's kernel, where this plugin takes the ESP branch).

load ../bridge/lib

ov_net() {
	local name="$1-$ND_ID" extra=${3:-"{}"}
	jq -n --arg name "$name" --argjson subnets "$2" --argjson extra "$extra" '{
		cniVersion: "1.0.0", name: $name,
		plugins: [({type: "overlay", capabilities: {ips: true, mac: true},
			ipam: {type: "ipam-subnet", subnets: $subnets}} + $extra)]
	}' >"$ND_TMP/conf/$1.conflist"
	echo "$ND_TMP/conf/$1.conflist"
}

setup() {
	nd_setup
	VNI=$((7300 + RANDOM % 500))
	MARK=$(printf '0x%08x' $((0xe5000000 | VNI)))
}
teardown() {
	ip xfrm policy delete dir out proto udp dport 4789 mark "$MARK" 2>/dev/null || true
	ip link del "vx-$VNI" 2>/dev/null || true
	ip link del "vx-$((VNI + 1))" 2>/dev/null || true
	nd_teardown
}

esp_here() { "$ND_TEST_DIR/ipsec-tool" probe >/dev/null 2>&1; }

@test "ADD on an encrypted network: refused without ESP, drop-until-keyed with it" {
	N=$(ov_net enc '[{"subnet":"10.214.0.0/24"}]' "{\"vni\": $VNI, \"encrypted\": true}")
	run br_add "$N" c1
	echo "$output"
	if ! esp_here; then
		assert_failure
		assert_equal "$(jq -r .code <<<"$output")" 101
		assert_output --partial "encrypted: this host's kernel cannot run ESP with rfc4106(gcm(aes))"
		assert_output --regexp "(not found|not supported)"
		run ip link show "vx-$VNI"
		assert_failure
		run ip xfrm policy list mark "$MARK"
		refute_output --partial "dir out"
		refute [ -e "$NETDOCK_RUN_DIR/networks/enc-$ND_ID.json" ]
		return
	fi
	assert_success
	run ip xfrm policy list mark "$MARK"
	assert_output --partial "proto esp"
	inside c1 ip link show eth0 | grep -q "mtu 1410 "
	assert_equal "$(jq -r .encrypted "$NETDOCK_RUN_DIR/overlay/enc-$ND_ID.json")" true
	br_check_del_gc "$N" c1
	run ip xfrm policy list mark "$MARK"
	refute_output --partial "dir out"
}

@test "STATUS of an encrypted network says why it cannot serve ADDs; a plain overlay is fine" {
	N=$(ov_net enc '[{"subnet":"10.214.1.0/24"}]' \
		"{\"vni\": $VNI, \"options\": {\"encrypted\": \"\"}}")
	run nd_list STATUS "$N"
	echo "$output"
	if esp_here; then
		assert_success
	else
		assert_failure
		assert_equal "$(jq -r .code <<<"$output")" 50
		assert_output --partial "cannot run ESP"
	fi
	# The same host, the same kind of network without encryption.
	P=$(ov_net plain '[{"subnet":"10.214.2.0/24"}]' "{\"vni\": $((VNI + 1))}")
	run nd_list STATUS "$P"
	assert_success
	run br_add "$P" c2
	assert_success
	inside c2 ip link show eth0 | grep -q "mtu 1450 "
	assert_equal "$(jq -r .encrypted "$NETDOCK_RUN_DIR/overlay/plain-$ND_ID.json")" false
	run br_del "$P" c2
	assert_success
}

@test "encrypted: a value that is not a boolean names the field" {
	N=$(ov_net enc '[{"subnet":"10.214.3.0/24"}]' "{\"vni\": $VNI, \"options\": {\"encrypted\": \"maybe\"}}")
	run br_add "$N" c1
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 7
	assert_output --partial "options.encrypted"
}
