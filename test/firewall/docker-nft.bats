#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# A host running dockerd 20.10 on iptables-nft: FORWARD policy DROP, DOCKER-USER first.

load lib

setup_file() {
	fw_host_new dnft
	fw_dockerd
	export FW_IPT=iptables-nft FW_CHAIN=DOCKER-USER
}
teardown_file() { fw_host_del; }
setup() { nd_setup; }
teardown() { fw_teardown; }

@test "docker/nft: dockerd's FORWARD drops; the containers of a network still reach each other" {
	fw_check_docker iptables-nft
}

@test "docker/nft: egress through masquerade" { fw_check_egress; }
@test "docker/nft: a published port from another machine, an unpublished one stays closed" { fw_check_published; }
@test "docker/nft: two networks stay isolated" { fw_check_isolation; }
@test "docker/nft: an internal network stays closed" { fw_check_internal; }
@test "docker/nft: icc=false keeps a network's containers apart" { fw_check_icc; }
@test "docker/nft: rules never doubled, re-added after a flush, gone with the last network" {
	fw_check_owned iptables-nft -F DOCKER-USER
}
@test "docker/nft: the rules of a bridge deleted without GC go at the next ADD" { fw_check_stale; }
