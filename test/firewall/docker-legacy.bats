#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# A host running dockerd 20.10 on iptables-legacy (its PATH's iptables is the legacy one).

load lib

setup_file() {
	fw_host_new dleg
	fw_dockerd "$(fw_legacy_bin)"
	export FW_IPT=iptables-legacy FW_CHAIN=DOCKER-USER
}
teardown_file() { fw_host_del; }
setup() { nd_setup; }
teardown() { fw_teardown; }

@test "docker/legacy: dockerd's FORWARD drops; the containers of a network still reach each other" {
	run on_host iptables-legacy -S FORWARD
	assert_line "-P FORWARD DROP"
	assert_line "-A FORWARD -j DOCKER-USER"
	# no iptables-nft table in this host: everything is legacy
	run on_host nft list table ip filter
	assert_failure
	fw_check_same_network
	br=$(bridge_of "$A")
	run fw_rules iptables-legacy DOCKER-USER
	assert_line "-A DOCKER-USER -i $br -m comment --comment \"netdock $br\" -j ACCEPT"
	assert_line "-A DOCKER-USER -o $br -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -m comment --comment \"netdock $br\" -j ACCEPT"
}

@test "docker/legacy: egress through masquerade" { fw_check_egress; }
@test "docker/legacy: a published port from another machine, an unpublished one stays closed" { fw_check_published; }
@test "docker/legacy: two networks stay isolated" { fw_check_isolation; }
@test "docker/legacy: an internal network stays closed" { fw_check_internal; }
@test "docker/legacy: rules never doubled, re-added after a flush, gone with the last network" {
	fw_check_owned iptables-legacy -F DOCKER-USER
}
