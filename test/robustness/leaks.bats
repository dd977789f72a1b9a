#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# State with an owner: nothing outlives the DEL or GC of its last owner, a failed
# ADD leaves nothing, and neither do parallel rounds or plugins killed with SIGKILL.

load ../portmap/lib

setup() { nd_setup; }
teardown() { nd_teardown; }

# subnet_elems SET: the elements of portmap-subnets4/6 as nft prints them.
subnet_elems() {
	nft -j list set inet "$NETDOCK_NFT_TABLE" "$1" 2>/dev/null |
		jq -c '[.nftables[] | .set? // empty | .elem // [] | .[] |
			if type == "object" then
				(if .prefix then "\(.prefix.addr)/\(.prefix.len)" else (.range | join("-")) end)
			else . end]'
}

# pm_direct VERB CID SUBNET_CIDR [PORT]: portmap alone, with a prevResult in SUBNET_CIDR.
pm_direct() {
	local ns=/var/run/netns/$(cat "$ND_TMP/pmns")
	jq -n --arg name "pm-$ND_ID" --arg a "$3" --argjson port "${4:-18080}" '{
		cniVersion: "1.1.0", name: $name, type: "portmap", capabilities: {portMappings: true},
		runtimeConfig: {portMappings: [{hostPort: $port, containerPort: 80}]},
		prevResult: {cniVersion: "1.1.0", interfaces: [{name: "eth0", sandbox: "/x"}],
			ips: [{address: $a, interface: 0}]},
		"cni.dev/valid-attachments": []}' >"$ND_TMP/conf/pm-$2.json"
	nd_plugin portmap "$1" "$ND_TMP/conf/pm-$2.json" "$2" "$ns" eth0
}

# leftovers NET NS: veths, leases, records, claims, owner records, nft elements and temp files left.
leftovers() {
	local veths leases records ledger elems tmps
	veths=$(ip -n "$2" -o link show type veth | wc -l)
	leases=$(find "$NETDOCK_LIB_DIR" -path "*/addr/*" -o -path "*/owner/*" | grep -c . || true)
	records=$(find "$NETDOCK_RUN_DIR/endpoints" -mindepth 2 2>/dev/null | grep -c . || true)
	ledger=$(find "$NETDOCK_RUN_DIR/portmap/claims" "$NETDOCK_RUN_DIR/portmap/owners" \
		"$NETDOCK_RUN_DIR/portmap/subnets" -mindepth 1 2>/dev/null | grep -c . || true)
	elems=0
	for m in portmap-any4 portmap-any6 portmap-addr4 portmap-addr6; do
		v=$(map_count $m 2>/dev/null)
		elems=$((elems + ${v:-0}))
	done
	for s in portmap-subnets4 portmap-subnets6; do
		v=$(subnet_elems $s | jq 'length')
		elems=$((elems + ${v:-0}))
	done
	tmps=$(find "$NETDOCK_RUN_DIR" "$NETDOCK_LIB_DIR" -name '.*.tmp.*' | grep -c . || true)
	find "$NETDOCK_RUN_DIR" "$NETDOCK_LIB_DIR" -name '.*.tmp.*' >&2
	echo "veths=$veths leases=$leases records=$records ledger=$ledger elems=$elems tmps=$tmps"
}

@test "hairpin subnets: an overlapping one publishes, each goes with its last holder" {
	nd_ns pm >"$ND_TMP/pmns"
	run pm_direct ADD a1 10.199.0.2/22 18080
	assert_success
	run pm_direct ADD a2 10.199.0.3/22 18081
	assert_success
	# inside the /22 that is already there: adding it must not fail
	run pm_direct ADD b1 10.199.1.2/24 18082
	assert_success
	assert_equal "$(subnet_elems portmap-subnets4)" '["10.199.0.0/22"]'
	run pm_direct DEL a1 10.199.0.2/22
	assert_success
	assert_equal "$(subnet_elems portmap-subnets4)" '["10.199.0.0/22"]'
	run pm_direct DEL a2 10.199.0.3/22
	assert_success
	assert_equal "$(subnet_elems portmap-subnets4)" '["10.199.1.0/24"]'
	# GC with no valid attachment takes the last holder
	run pm_direct GC b1 10.199.1.2/24
	assert_success
	assert_equal "$(subnet_elems portmap-subnets4)" '[]'
	run find "$NETDOCK_RUN_DIR/portmap" -mindepth 2
	assert_output ""
}

@test "a network's subnet leaves the hairpin set with DEL and GC, a later one inside it publishes" {
	A=$(pm_net wide '[{"subnet":"10.198.0.0/22"}]' | sed 's/"1.0.0"/"1.1.0"/')
	sed -i 's/"cniVersion": "1.0.0"/"cniVersion": "1.1.0"/' "$A"
	CAP_ARGS='{"portMappings":[{"hostPort":18090,"containerPort":80}]}' run br_add "$A" c1
	assert_success
	assert_equal "$(subnet_elems portmap-subnets4)" '["10.198.0.0/22"]'
	run br_del "$A" c1
	assert_success
	GC_VALID='[]' run nd_list GC "$A"
	assert_success
	assert_equal "$(subnet_elems portmap-subnets4)" '[]'
	B=$(pm_net narrow '[{"subnet":"10.198.1.0/24"}]')
	CAP_ARGS='{"portMappings":[{"hostPort":18091,"containerPort":80}]}' run br_add "$B" c2
	assert_success
	assert_equal "$(subnet_elems portmap-subnets4)" '["10.198.1.0/24"]'
}

@test "DEL removes its attachment's temp files, GC those of dead writers only" {
	N=$(pm_net tmp '[{"subnet":"10.197.0.0/24"}]')
	run br_add "$N" c1
	assert_success
	cid=$(nd_cid c1) dir=$NETDOCK_RUN_DIR/endpoints/tmp-$ND_ID
	sh -c 'exit 0' & dead=$!
	wait $dead
	: >"$dir/.$cid-eth0.json.tmp.$$"
	: >"$dir/.other-eth0.json.tmp.$dead"
	: >"$dir/.alive-eth0.json.tmp.$$"
	: >"$NETDOCK_RUN_DIR/portmap/owners/.$cid-eth0.tmp.$$" 2>/dev/null || {
		mkdir -p "$NETDOCK_RUN_DIR/portmap/owners"; : >"$NETDOCK_RUN_DIR/portmap/owners/.$cid-eth0.tmp.$$"; }
	: >"$NETDOCK_RUN_DIR/portmap/owners/.gone-eth0.tmp.$dead"
	run br_del "$N" c1
	assert_success
	[ ! -e "$dir/.$cid-eth0.json.tmp.$$" ]
	[ ! -e "$NETDOCK_RUN_DIR/portmap/owners/.$cid-eth0.tmp.$$" ]
	[ -e "$dir/.other-eth0.json.tmp.$dead" ]
	GC_VALID='[]' run nd_list GC "$N"
	assert_success
	[ ! -e "$dir/.other-eth0.json.tmp.$dead" ] || [ ! -d "$dir" ]
	[ ! -e "$NETDOCK_RUN_DIR/portmap/owners/.gone-eth0.tmp.$dead" ]
	# a live writer's file stays
	[ -e "$dir/.alive-eth0.json.tmp.$$" ] || [ ! -d "$dir" ]
}

@test "a failed ADD leaves nothing: -P on a non-local host_binding_ipv4, a taken port" {
	bad=$(pm_net hb '[{"subnet":"10.196.0.0/24"}]' '{"options":{"com.docker.network.bridge.host_binding_ipv4":"10.255.255.254"}}')
	# the network record (with its host_binding_ipv4) comes from a bridge ADD without ports
	run br_add "$bad" c0
	assert_success
	jq -c '.plugins[1] + {cniVersion, name} + {runtimeConfig: {portMappings: [{hostPort: 0, containerPort: 80}]},
		prevResult: {cniVersion: "1.0.0", ips: [{address: "10.196.0.2/24"}]}}' "$bad" >"$ND_TMP/conf/pmP.json"
	run nd_plugin portmap ADD "$ND_TMP/conf/pmP.json" "$(nd_cid c0)" "nd-$ND_ID-c0" eth0
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 110
	run find "$NETDOCK_RUN_DIR/portmap" -mindepth 2
	assert_output ""
	# the next -P gets the port the failed one would have had
	N=$(pm_net ok '[{"subnet":"10.195.0.0/24"}]')
	CAP_ARGS='{"portMappings":[{"hostPort":0,"containerPort":80}]}' run br_add "$N" c1
	assert_success
	first=$(jq -r '.ports[0].hostPort' "$NETDOCK_RUN_DIR"/endpoints/ok-$ND_ID/*.json)
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range
	[ "$first" -eq "$lo" ] || [ "$first" -gt "$lo" ]
	# a port another container holds: 106, and the loser keeps nothing
	CAP_ARGS="{\"portMappings\":[{\"hostPort\":$first,\"containerPort\":80}]}" run br_add "$N" c2
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 106
	assert_equal "$(ls "$NETDOCK_RUN_DIR/portmap/owners")" "$(nd_cid c1)-eth0"
}

@test "5,000 port mappings publish, and a later ADD of the same attachment works; past the limit is refused up front" {
	N=$(pm_net big '[{"subnet":"10.194.0.0/24"}]')
	jq -nc '{portMappings: [range(0;5000) | {hostPort: (30000 + .), containerPort: 80}]}' >"$ND_TMP/caps"
	CAP_ARGS_FILE=$ND_TMP/caps run br_add "$N" c1
	assert_success
	assert_equal "$(map_count portmap-any4)" 5000
	# the sweep's ~180 failures: every later ADD of this attachment first releases its 5,000
	CAP_ARGS='{"portMappings":[{"hostPort":9000,"containerPort":80}]}' run br_add "$N" c1
	assert_success
	assert_equal "$(map_count portmap-any4)" 1
	jq -nc '{portMappings: [range(0;8193) | {hostPort: (20000 + . % 40000), containerPort: 80}]}' >"$ND_TMP/caps"
	CAP_ARGS_FILE=$ND_TMP/caps run br_add "$N" c2
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 7
	assert_output --partial "runtimeConfig.portMappings has 8193 entries, more than 8192"
	assert_equal "$(ls "$NETDOCK_RUN_DIR/portmap/claims" | wc -l)" 1
}

@test "parallel ADD/DEL rounds on one network: no duplicate address, nothing left" {
	N=$(pm_net par '[{"subnet":"10.193.0.0/24"}]')
	sed -i 's/"cniVersion": "1.0.0"/"cniVersion": "1.1.0"/' "$N"
	ns=$(nd_ns par)
	for round in 1 2; do
		for i in $(seq 1 12); do
			CAP_ARGS="{\"portMappings\":[{\"hostPort\":$((19000 + i)),\"containerPort\":80}]}" \
				nd_list ADD "$N" "r$i" "$ns" "e$i" >"$ND_TMP/add.$i" &
		done
		wait
		for i in $(seq 1 12); do jq -r '.ips[0].address' "$ND_TMP/add.$i"; done | sort >"$ND_TMP/ips"
		assert_equal "$(grep -c . "$ND_TMP/ips")" 12
		assert_equal "$(sort -u "$ND_TMP/ips" | grep -c .)" 12
		assert_equal "$(map_count portmap-any4)" 12
		for i in $(seq 1 12); do nd_list DEL "$N" "r$i" "$ns" "e$i" & done
		wait
		run leftovers "$N" "$ns"
		assert_output "veths=0 leases=0 records=0 ledger=0 elems=0 tmps=0"
	done
}

@test "kill -9 campaign: after DEL of every attachment and GC, nothing is left" {
	N=$(pm_net kill '[{"subnet":"10.192.0.0/24"}]')
	sed -i 's/"cniVersion": "1.0.0"/"cniVersion": "1.1.0"/' "$N"
	ns=$(nd_ns kill)
	br=$(jq -c '.plugins[0] + {cniVersion, name}' "$N")
	jq -c '.plugins[1] + {cniVersion, name} + {runtimeConfig: {portMappings: [{hostPort: 0, containerPort: 80}, {hostPort: 18500, containerPort: 81}]},
		prevResult: {cniVersion: "1.1.0", ips: [{address: "10.192.0.200/24"}]}}' "$N" >"$ND_TMP/conf/pm.json"
	printf '%s' "$br" >"$ND_TMP/conf/br.json"
	jq -c '. + {"cni.dev/valid-attachments": [{containerID: "k1", ifname: "e1"}]}' \
		"$ND_TMP/conf/br.json" >"$ND_TMP/conf/br-gc.json"
	jq -c '. + {"cni.dev/valid-attachments": [{containerID: "k1", ifname: "e1"}]}' \
		"$ND_TMP/conf/pm.json" >"$ND_TMP/conf/pm-gc.json"
	for i in $(seq 1 48); do
		case $((RANDOM % 7)) in
		0 | 1) plugin=bridge conf=$ND_TMP/conf/br.json verb=ADD ;;
		2) plugin=portmap conf=$ND_TMP/conf/pm.json verb=ADD ;;
		3) plugin=bridge conf=$ND_TMP/conf/br.json verb=DEL ;;
		4) plugin=portmap conf=$ND_TMP/conf/pm.json verb=DEL ;;
		5) plugin=bridge conf=$ND_TMP/conf/br-gc.json verb=GC ;;
		6) plugin=portmap conf=$ND_TMP/conf/pm-gc.json verb=GC ;;
		esac
		CNI_COMMAND=$verb CNI_CONTAINERID=k$((i % 8)) CNI_NETNS=/var/run/netns/$ns \
			CNI_IFNAME=e$((i % 8)) "$ND_BIN_DIR/$plugin" <"$conf" >/dev/null 2>&1 3>&- &
		pid=$!
		sleep "0.00$((RANDOM % 10))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	# the runtime's cleanup: DEL of every attachment it knew, then GC
	for k in $(seq 0 7); do
		for p in portmap bridge; do
			c=$ND_TMP/conf/pm.json
			[ $p = bridge ] && c=$ND_TMP/conf/br.json
			run env CNI_COMMAND=DEL CNI_CONTAINERID=k$k CNI_NETNS=/var/run/netns/$ns CNI_IFNAME=e$k \
				"$ND_BIN_DIR/$p" <"$c"
			assert_success
		done
	done
	GC_VALID='[]' run nd_list GC "$N"
	assert_success
	run leftovers "$N" "$ns"
	assert_output "veths=0 leases=0 records=0 ledger=0 elems=0 tmps=0"
	# and a fresh ADD still works
	CAP_ARGS='{"portMappings":[{"hostPort":18600,"containerPort":80}]}' run nd_list ADD "$N" fresh "$ns" e9
	assert_success
}
