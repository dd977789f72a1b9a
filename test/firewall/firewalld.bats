#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# A host running firewalld 1.3 (nftables backend, default zone public), reached over
# its D-Bus interface on a private system bus.

load lib

setup_file() {
	fw_host_new fwd
	fw_firewalld
}
teardown_file() { fw_host_del; }
setup() { nd_setup; }
teardown() { fw_teardown; }

@test "firewalld: its forward chain rejects; the containers of a network still reach each other" {
	run on_host nft list chain inet firewalld filter_FORWARD
	assert_line --partial "reject with icmpx admin-prohibited"
	fw_check_same_network
	assert_equal "$(fw_zone "$(bridge_of "$A")")" trusted
}

@test "firewalld: egress through masquerade" { fw_check_egress; }
@test "firewalld: a published port from another machine, an unpublished one stays closed" { fw_check_published; }
@test "firewalld: two networks stay isolated" { fw_check_isolation; }
@test "firewalld: an internal network stays closed" { fw_check_internal; }
@test "firewalld: icc=false keeps a network's containers apart" { fw_check_icc; }

@test "firewalld: CHECK sees a lost zone binding, the next ADD restores it, GC removes it" {
	fw_networks
	run h_list ADD "$A" c1
	assert_success
	br=$(bridge_of "$A")
	run h_list CHECK "$A" c1
	assert_success
	dbus-send --system --print-reply --dest=org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 \
		org.fedoraproject.FirewallD1.zone.removeInterface string:trusted "string:$br" >/dev/null
	assert_equal "$(fw_zone "$br")" ""
	run h_list CHECK "$A" c1
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 108
	assert_output --partial "firewalld: $br is in no zone (expected trusted)"
	run h_list ADD "$A" c2
	assert_success
	assert_equal "$(fw_zone "$br")" trusted
	run h_gc "$A"
	assert_success
	assert_equal "$(fw_zone "$br")" ""
	run on_host nft list chain inet firewalld filter_FORWARD_ZONES
	refute_output --partial "$br"
}
