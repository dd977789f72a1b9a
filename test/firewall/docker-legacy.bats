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
	# no iptables-nft table in this host: everything is legacy
	run on_host nft list table ip filter
	assert_failure
	fw_check_docker iptables-legacy
}

@test "docker/legacy: egress through masquerade" { fw_check_egress; }
@test "docker/legacy: a published port from another machine, an unpublished one stays closed" { fw_check_published; }
@test "docker/legacy: two networks stay isolated" { fw_check_isolation; }
@test "docker/legacy: an internal network stays closed" { fw_check_internal; }
@test "docker/legacy: icc=false keeps a network's containers apart" { fw_check_icc; }
@test "docker/legacy: rules never doubled, re-added after a flush, gone with the last network" {
	fw_check_owned iptables-legacy -F DOCKER-USER
}
@test "docker/legacy: the rules of a bridge deleted without GC go at the next ADD" { fw_check_stale; }
