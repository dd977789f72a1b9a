#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Hosts whose forward path drops in a way netdock does not know how to open: STATUS
# says so (code 51, naming the chain and policy), ADD logs a warning, nothing is added.

load lib

setup() {
	nd_setup
	fw_host_new unk
	N=$(br_net unk '[{"subnet":"10.234.0.0/24"}]')
}
teardown() {
	h_gc "$N" >/dev/null
	nd_teardown
	fw_host_del
}

# unknown_checks CHAIN_TEXT: STATUS 51 naming it, and the warning of an ADD.
unknown_checks() {
	run h_status "$N"
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 51
	assert_equal "$(jq -r .msg <<<"$output")" "a host firewall drops forwarded traffic: $1"
	run h_list ADD "$N" c1
	assert_success
	grep -q "a host firewall netdock does not know drops forwarded traffic ($1)" "$NETDOCK_LOG_FILE"
}

@test "no host firewall: STATUS succeeds and nothing is added to iptables" {
	run h_status "$N"
	assert_success
	run h_list ADD "$N" c1
	assert_success
	run on_host nft list tables
	assert_output "table inet $NETDOCK_NFT_TABLE"
}

# policy_drop_checks IPTABLES TEXT: FORWARD DROP alone is named, and nothing is added.
policy_drop_checks() {
	on_host "$1" -P FORWARD DROP
	unknown_checks "$2"
	assert_equal "$(on_host "$1" -S | grep -c netdock)" 0
}

@test "iptables-nft FORWARD policy DROP without Docker's or ufw's chains: STATUS 51, ADD warns" {
	policy_drop_checks iptables-nft "ip filter FORWARD: policy drop"
}

@test "an nftables forward chain with policy drop (nftables.conf style): STATUS 51, ADD warns" {
	on_host nft add table inet filter
	on_host nft add chain inet filter forward '{ type filter hook forward priority 0; policy drop; }'
	unknown_checks "inet filter forward: policy drop"
}

@test "iptables-legacy FORWARD policy DROP without Docker's or ufw's chains: STATUS 51, ADD warns" {
	policy_drop_checks iptables-legacy "iptables-legacy: filter FORWARD policy DROP"
}

@test "firewalld's table without firewalld answering on D-Bus: STATUS 51" {
	# what a firewalld that died without cleaning up leaves behind
	on_host nft add table inet firewalld
	on_host nft add chain inet firewalld filter_FORWARD '{ type filter hook forward priority 10; policy accept; }'
	on_host nft add rule inet firewalld filter_FORWARD reject with icmpx admin-prohibited
	DBUS_SYSTEM_BUS_ADDRESS=unix:path=$FW_DIR/no-bus run h_status "$N"
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 51
	assert_equal "$(jq -r .msg <<<"$output" | grep -c 'inet firewalld filter_FORWARD')" 1
	# an ADD still works (the bridge is not lost to a dead firewalld), and warns
	DBUS_SYSTEM_BUS_ADDRESS=unix:path=$FW_DIR/no-bus run h_list ADD "$N" c1
	assert_success
	grep -q "firewalld does not answer on D-Bus" "$NETDOCK_LOG_FILE"
}

@test "Docker's chains present: STATUS succeeds (netdock knows where to add)" {
	on_host iptables-nft -P FORWARD DROP
	on_host iptables-nft -N DOCKER-USER
	on_host iptables-nft -I FORWARD -j DOCKER-USER
	run h_status "$N"
	assert_success
}
