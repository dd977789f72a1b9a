#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Mutation sweep (sweep.py): every field of every plugin's config and every
# CNI_* variable; success or a CNI error with an allowed code naming the field,
# and nothing written outside the run and lib dirs.

load ../portmap/lib

setup() {
	nd_setup
	export SWEEP_CWD=$ND_TMP/cwd
	mkdir -p "$SWEEP_CWD"
	NS=/var/run/netns/$(nd_ns sweep)
}

# A mutated "bridge" (removed, or a name the kernel takes) makes another bridge than the
# one the network record names: every link holding one of the sweep's subnets goes.
teardown() {
	local net link
	for net in 10.131 10.132 10.133 10.134; do
		for link in $(ip -o -4 addr show to "$net.0.0/16" | awk '{print $2}'); do
			ip link del "$link" 2>/dev/null
		done
	done
	nd_teardown
}

# sweep PLUGIN CONF VERBS: runs sweep.py, prints its bad cases, fails on any.
sweep() {
	run python3 "$ND_SRC/test/robustness/sweep.py" "$@"
	echo "$output" | tail -n 40
	assert_success
}

# nothing_outside: every file the sweep made is in the run dir, the lib dir or the test's own.
nothing_outside() {
	run find "$SWEEP_CWD" -mindepth 1
	assert_output ""
	run find "$ND_TMP" -mindepth 1 -maxdepth 1 -not -name run -not -name lib -not -name conf \
		-not -name cwd -not -name stderr -not -name netdock.log -not -name netns \
		-not -name links -not -name pids -not -name cache
	assert_output ""
}

bridge_conf() { # SUBNETS_JSON
	jq -n --arg run "$NETDOCK_RUN_DIR" --arg lib "$NETDOCK_LIB_DIR" --arg name "sw-$ND_ID" \
		--argjson subnets "$1" '{
		cniVersion: "1.1.0", name: $name, type: "bridge", runDir: $run,
		bridge: ("b" + ($name | .[3:])), mtu: 1400, ipMasq: true, isGateway: true,
		hairpinMode: false, promiscMode: false, mcastSnooping: false, portIsolation: false,
		internal: false,
		embeddedDNS: {enabled: true, names: true, domain: "dns.netdock", servers: ["10.1.1.1"]},
		options: {"com.docker.network.bridge.enable_icc": "true",
			"com.docker.network.driver.mtu": "1400"},
		runtimeConfig: {ips: [], mac: "02:42:0a:00:00:09", aliases: ["web"], links: ["db:d"]},
		args: {cni: {name: "c1", aliases: ["a1"]}},
		ipam: {type: "ipam-subnet", dataDir: $lib, subnets: $subnets,
			routes: [{dst: "10.9.0.0/16"}]}
	}' >"$ND_TMP/conf/bridge.json"
	echo "$ND_TMP/conf/bridge.json"
}

@test "sweep: bridge ADD (IPv4), every field and variable" {
	c=$(bridge_conf '[{"subnet":"10.131.0.0/24","gateway":"10.131.0.1","ipRange":"10.131.0.0/25","auxAddresses":{"r":"10.131.0.5"}}]')
	sweep bridge "$c" "$NS" ADD
	nothing_outside
	# every successful ADD was DELeted: no veth, lease or record is left
	run ls "$NETDOCK_RUN_DIR/endpoints/sw-$ND_ID"
	assert_output ""
}

@test "sweep: bridge ADD (IPv6 dual stack), every field" {
	c=$(bridge_conf '[{"subnet":"10.132.0.0/24"},{"subnet":"fd00:132::/64","gateway":"fd00:132::1"}]')
	jq '.ipv6 = true' "$c" >"$c.6" && mv "$c.6" "$c"
	SWEEP_SHORT=1 sweep bridge "$c" "$NS" ADD
	nothing_outside
}

@test "sweep: bridge CHECK, GC and STATUS" {
	c=$(bridge_conf '[{"subnet":"10.133.0.0/24"}]')
	SWEEP_SHORT=1 sweep bridge "$c" "$NS" CHECK
	jq '. + {"cni.dev/valid-attachments": [{containerID: "keep", ifname: "eth0"}]}' "$c" >"$c.g" && mv "$c.g" "$c"
	SWEEP_SHORT=1 sweep bridge "$c" "$NS" GC,STATUS
	nothing_outside
}

@test "sweep: ipam-subnet ADD, GC and STATUS" {
	jq -n --arg lib "$NETDOCK_LIB_DIR" --arg name "sw-$ND_ID" '{
		cniVersion: "1.1.0", name: $name, type: "ipam-subnet",
		runtimeConfig: {ips: ["10.134.0.9"]},
		ipam: {type: "ipam-subnet", dataDir: $lib,
			ranges: [[{subnet: "10.134.0.0/24", rangeStart: "10.134.0.5", rangeEnd: "10.134.0.50",
				gateway: "10.134.0.1"}]]}
	}' >"$ND_TMP/conf/ipam.json"
	sweep ipam-subnet "$ND_TMP/conf/ipam.json" "$NS" ADD
	SWEEP_SHORT=1 sweep ipam-subnet "$ND_TMP/conf/ipam.json" "$NS" GC,STATUS
	nothing_outside
}

@test "sweep: portmap ADD and CHECK, every field of the mappings and the prevResult" {
	jq -n --arg run "$NETDOCK_RUN_DIR" --arg name "sw-$ND_ID" '{
		cniVersion: "1.1.0", name: $name, type: "portmap", runDir: $run,
		capabilities: {portMappings: true}, hostIP: "127.0.0.1",
		runtimeConfig: {portMappings: [
			{hostPort: 18080, containerPort: 80, protocol: "tcp", hostIP: "127.0.0.1"},
			{hostPort: 0, containerPort: 53, protocol: "udp"}]},
		prevResult: {cniVersion: "1.1.0",
			interfaces: [{name: "eth0", mac: "02:42:0a:00:00:02", sandbox: "/x"}],
			ips: [{address: "10.135.0.2/24", gateway: "10.135.0.1", interface: 0},
			      {address: "fd00:135::2/64", interface: 0}],
			routes: [{dst: "0.0.0.0/0", gw: "10.135.0.1"}],
			dns: {nameservers: ["10.135.0.1"], search: ["dns.netdock"]}}
	}' >"$ND_TMP/conf/portmap.json"
	SWEEP_WORKERS=1 sweep portmap "$ND_TMP/conf/portmap.json" "$NS" ADD
	SWEEP_SHORT=1 sweep portmap "$ND_TMP/conf/portmap.json" "$NS" CHECK
	nothing_outside
	# every ADD was DELeted: no claim, owner record or map element is left
	run find "$NETDOCK_RUN_DIR/portmap/claims" "$NETDOCK_RUN_DIR/portmap/owners" \
		"$NETDOCK_RUN_DIR/portmap/subnets" -mindepth 1
	assert_output ""
	assert_equal "$(map_count portmap-any4)" 0
	assert_equal "$(map_count portmap-addr4)" 0
}
