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

@test "a static address racing another host's first block: one of the two wins, never both" {
	local i n dyn sta block ips won_static=0 won_block=0
	for i in $(seq 1 10); do
		n=$(ov_net "race$i" "[{\"subnet\":\"10.91.$i.0/24\"}]")
		# Host 2's first ADD claims the first block, 10.91.$i.0/28; host 1
		# asks for .5 inside it at the same moment.
		ov_add 2 "$n" "d$i" >"$ND_TMP/dyn$i" 2>&1 &
		dyn=$!
		ov_add 1 "$n" "s$i" eth0 "IP=10.91.$i.5" >"$ND_TMP/sta$i" 2>&1 &
		sta=$!
		wait "$dyn" || { cat "$ND_TMP/dyn$i"; false; }
		block=$(ov_etcdctl get --print-value-only "/nd/ipam/race$i/blocks/10.91.$i.0-28")
		ips=$(ov_etcdctl get --print-value-only "/nd/ipam/race$i/ips/10.91.$i.5")
		if wait "$sta"; then
			won_static=$((won_static + 1))
			[ -z "$block" ] || { echo "round $i: .5 static on h1 AND its block on $block"; false; }
			[[ $ips == *'"host":"h1"'* ]]
			[ "$(ip_of "$(cat "$ND_TMP/dyn$i")")" != "10.91.$i.5" ]
		else
			won_block=$((won_block + 1))
			grep -q '"code":103' "$ND_TMP/sta$i" || { cat "$ND_TMP/sta$i"; false; }
			grep -q "held by host h2" "$ND_TMP/sta$i"
			[ "$block" = h2 ] && [ -z "$ips" ]
		fi
	done
	echo "# static first: $won_static, block first: $won_block" >&3
}

@test "a block chosen on a read that a static claim then overtook is not taken" {
	local relay=$ND_TMP/relay dyn h2conf
	n=$(ov_net race '[{"subnet":"10.91.0.0/24"}]' '{"vni": 4711}')
	# Host 2 reaches etcd through a relay that holds its first txn (the
	# block claim) until host 1 has claimed .5, inside that block.
	mkdir -p "$relay"
	ip netns exec "nd-$ND_ID-h2" /usr/bin/python3 "$ND_SRC/test/overlay/hold-txn.py" \
		10.99.0.2 2399 10.99.0.1 2379 "$relay" &
	nd_track_pid $!
	ov_wait_for 5 test -e "$relay/ready"
	h2conf=$ND_TMP/conf/race-h2.conflist
	jq '.plugins[0].store.endpoints = ["http://10.99.0.2:2399"]' "$n" >"$h2conf"
	ov_add 2 "$h2conf" d1 >"$ND_TMP/dyn" 2>&1 &
	dyn=$!
	ov_wait_for 10 test -e "$relay/held"
	run ov_add 1 "$n" s1 eth0 "IP=10.91.0.5"
	assert_success
	touch "$relay/release"
	wait "$dyn" || { cat "$ND_TMP/dyn"; false; }
	run ip_of "$(cat "$ND_TMP/dyn")"
	assert_output 10.91.0.16
	run ov_etcdctl get --prefix --keys-only /nd/ipam/race/blocks/
	assert_output "/nd/ipam/race/blocks/10.91.0.16-28"
	run ov_etcdctl get --print-value-only /nd/ipam/race/blocks/10.91.0.16-28
	assert_output h2
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

@test "bad or hostile etcd data is logged and skipped; the agents live on and the rest still works" {
	run ov_add 1 "$N" c1
	a1=$(ip_of "$output")
	run ov_add 2 "$N" c2
	a2=$(ip_of "$output")
	ov_wait_for 5 reaches c1 "$a2"
	good=$(ov_etcdctl get --print-value-only "/nd/endpoints/res/h2/$(nd_cid c2)-eth0.json")
	p=/nd/endpoints/res/evil
	ov_etcdctl put "$p/not-json-eth0.json" '{"containerID": "not-json", ' >/dev/null
	ov_etcdctl put "$p/types-eth0.json" '{"containerID": 7, "ifname": ["eth0"], "ips": "x"}' >/dev/null
	ov_etcdctl put "$p/badmac-eth0.json" \
		"$(jq -c '.containerID = "badmac" | .mac = "zz:zz" | .ips = ["10.90.0.240/24"]' <<<"$good")" >/dev/null
	ov_etcdctl put "$p/badvtep-eth0.json" \
		"$(jq -c '.containerID = "badvtep" | .host = "not-an-ip" | .ips = ["10.90.0.241/24"]' <<<"$good")" >/dev/null
	ov_etcdctl put "$p/other-eth0.json" "$good" >/dev/null # names another container than its key
	ov_etcdctl put "/nd/endpoints/res/evil/../../../etc-eth0.json" "$good" >/dev/null
	head -c 200000 /dev/zero | tr '\0' 'a' >"$ND_TMP/huge"
	ov_etcdctl put "$p/huge-eth0.json" <"$ND_TMP/huge" >/dev/null
	run ov_add 3 "$N" c3
	a3=$(ip_of "$output")
	ov_wait_for 5 reaches c1 "$a3"
	reaches c3 "$a2"
	for i in 1 2 3; do
		kill -0 "$(cat "$ND_TMP/h$i/overlayd.pid")"
		grep -q "skipping etcd key" "$ND_TMP/h$i/overlayd.log"
		! on_host "$i" ip neigh show | grep -qE "10\.90\.0\.24[01] "
		! ls "$ND_TMP/h$i/run/endpoints/res/" | grep -qE "badmac|badvtep|not-json|types|huge|other"
	done
}
