#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Cluster IPAM and failures: static-IP conflicts across hosts, etcd members
# lost, etcd gone and back, overlayd killed, a host crashing.

load lib

setup() {
	nd_setup
	ov_cluster 3
	N=$(ov_net res '[{"subnet":"10.90.0.0/24"}]')
}
teardown() { ov_teardown; }

@test "a static address is claimed cluster-wide: 103 names the holding host and container" {
	run ov_add 1 "$N" c1 eth0 "IP=10.90.0.200"
	assert_success
	run ov_add 2 "$N" c2 eth0 "IP=10.90.0.200"
	assert_failure
	assert_output --partial '"code":103'
	assert_output --partial "host h1"
	assert_output --partial "$(nd_cid c1)"
	run ov_del 1 "$N" c1
	assert_success
	run ov_add 2 "$N" c2 eth0 "IP=10.90.0.200"
	assert_success
	# A static address inside another host's block is refused too, naming that host.
	run ov_add 3 "$N" c3
	assert_success
	a3=$(ip_of "$output")
	run ov_add 1 "$N" c4 eth0 "IP=${a3%.*}.$((${a3##*.} + 1))"
	assert_failure
	assert_output --partial '"code":103'
	assert_output --partial "host h3"
}

@test "one etcd member killed: ADD, DEL and propagation keep working" {
	run ov_add 1 "$N" c1
	a1=$(ip_of "$output")
	ov_etcd_kill 1 # every client's first endpoint, and the watches' member
	run ov_add 2 "$N" c2
	assert_success
	a2=$(ip_of "$output")
	run ov_add 3 "$N" c3 eth0 "IP=10.90.0.222"
	assert_success
	ov_wait_for 8 reaches c1 "$a2"
	ov_wait_for 5 reaches c1 10.90.0.222
	reaches c3 "$a1"
	run ov_del 2 "$N" c2
	assert_success
	ov_wait_for 8 ov_converged || { cat "$ND_TMP/converge.out"; false; }
}

@test "all etcd members stopped: traffic flows, ADD inside a block works, the rest fails with 11; then every host converges" {
	run ov_add 1 "$N" c1
	a1=$(ip_of "$output")
	run ov_add 2 "$N" c2
	a2=$(ip_of "$output")
	ov_wait_for 5 reaches c1 "$a2"
	for i in 1 2 3; do ov_etcd_kill "$i"; done
	reaches c1 "$a2"
	reaches c2 "$a1"
	# Host 1's block has room: no etcd needed.
	run ov_add 1 "$N" c3
	assert_success
	a3=$(ip_of "$output")
	# Host 3 has no block yet: it must ask etcd, and says whom it tried.
	run ov_add 3 "$N" c4
	assert_failure
	assert_output --partial '"code":11'
	assert_output --partial "10.99.0.1:2379"
	assert_output --partial "10.99.0.3:2379"
	run ov_status 3 "$N"
	assert_failure
	assert_output --partial '"code":50'
	reaches c2 "$a1"
	for i in 1 2 3; do ov_etcd_member "$i" 3; done
	ov_wait_for 20 ov_etcd_healthy
	ov_wait_for 10 reaches c2 "$a3"
	run ov_add 3 "$N" c4
	assert_success
	ov_wait_for 10 ov_converged || { cat "$ND_TMP/converge.out"; false; }
}

@test "overlayd killed with -9 and restarted: the host converges to etcd" {
	run ov_add 1 "$N" c1
	run ov_add 2 "$N" c2
	a2=$(ip_of "$output")
	run ov_add 3 "$N" c3
	ov_wait_for 5 ov_converged
	ov_agent_kill 2 KILL
	run ov_del 1 "$N" c1
	run ov_add 3 "$N" c4
	a4=$(ip_of "$output")
	run ov_add 2 "$N" c5 # published once the agent is back
	a5=$(ip_of "$output")
	ov_agent 2
	ov_wait_for 10 ov_converged || { cat "$ND_TMP/converge.out"; false; }
	cat "$ND_TMP/converge.out"
	reaches c2 "$a4"
	reaches c4 "$a5"
	reaches c3 "$a2"
}

@test "a host crashes: the other hosts drop its entries and records within the lease TTL plus a second" {
	run ov_add 1 "$N" c1
	run ov_add 3 "$N" c3
	a3=$(ip_of "$output")
	ov_wait_for 5 reaches c1 "$a3"
	run ov_no_trace 1 10.99.0.3
	assert_failure
	ov_agent_kill 3 KILL
	ov_etcd_kill 3
	ip netns del "nd-$ND_ID-h3"
	start=$(date +%s%N)
	ov_wait_for $((OV_TTL + 1)) ov_no_trace 1 10.99.0.3
	ov_wait_for 1 ov_no_trace 2 10.99.0.3
	echo "# gone after $((($(date +%s%N) - start) / 1000000)) ms (TTL ${OV_TTL}s)" >&3
	OV_HOSTS="1 2" ov_wait_for 5 ov_converged || { cat "$ND_TMP/converge.out"; false; }
}
