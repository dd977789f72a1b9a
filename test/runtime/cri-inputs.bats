#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# What containerd's CRI, the kubelet and CRI-O send, taken as the reference
# plugins take it (Go's case-insensitive field matching, "" for unset), and a
# DEL that removes the attachment whatever the config it is handed.

load ../portmap/lib

setup() {
	nd_setup
	outside_setup
	export CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=$(nd_cid infra);K8S_POD_UID=0f4c3b2e-1d5a-4b8e-9c6f-2a7d8e9f0a1b"
}
teardown() { nd_teardown; }

# add_pod CONFLIST CONTAINER: ADD with one published port; HOSTIF names its host-end veth.
add_pod() {
	CAP_ARGS='{"portMappings":[{"hostPort":18433,"containerPort":80}]}' run br_add "$1" "$2"
	assert_success
	HOSTIF=$(jq -r .hostInterface "$NETDOCK_RUN_DIR"/endpoints/*/"$(nd_cid "$2")-eth0.json")
	ip link show "$HOSTIF" >/dev/null
}

# leftovers CONTAINER: every piece of state the attachment could have left, one per line.
leftovers() {
	local cid m
	cid=$(nd_cid "$1")
	ip link show "$HOSTIF" 2>/dev/null | head -1
	find "$NETDOCK_RUN_DIR" "$NETDOCK_LIB_DIR" -name "*$cid*" 2>/dev/null
	grep -rls "$cid" "$NETDOCK_RUN_DIR" "$NETDOCK_LIB_DIR" 2>/dev/null || true
	for m in portmap-any4 portmap-any6; do
		[ "$(map_count "$m" 2>/dev/null || echo 0)" = 0 ] || echo "nft map $m"
	done
}

# plugin_conf CONFLIST INDEX: the config libcni hands plugin INDEX (no prevResult).
plugin_conf() {
	jq -c --argjson i "$2" '.plugins[$i] + {cniVersion: .cniVersion, name: .name}' "$1"
}

# del_with CONFLIST CONTAINER JQ_MUTATION: DEL of the whole list (portmap, then bridge),
# each plugin handed its config after JQ_MUTATION; prints each plugin's output.
del_with() {
	local i conf
	for i in 1 0; do
		conf=$(plugin_conf "$1" "$i" | jq -c "$3" 2>/dev/null || echo "$3")
		printf '%s' "$conf" >"$ND_TMP/del.json"
		nd_plugin "$(jq -r ".plugins[$i].type" "$1")" DEL "$ND_TMP/del.json" \
			"$(nd_cid "$2")" "nd-$ND_ID-$2" eth0 || return 1
	done
}

@test "containerd's port mappings (Go-style keys, HostIP \"\") publish and answer" {
	N=$(pm_net pods '[{"subnet":"10.241.0.0/24"}]')
	CAP_ARGS='{"portMappings":[{"HostPort":18431,"ContainerPort":80,"Protocol":"tcp","HostIP":""}]}' \
		run br_add "$N" web
	assert_success
	listen web 80
	assert_equal "$(fetch "$OUT" 10.250.0.1 18431)" hello-web
	assert_equal "$(fetch - 127.0.0.1 18431)" hello-web
	rec="$NETDOCK_RUN_DIR/endpoints/pods-$ND_ID/$(nd_cid web)-eth0.json"
	assert_equal "$(jq -c '.ports[0] | [.hostPort, .containerPort, .protocol]' "$rec")" '[18431,80,"tcp"]'
	assert_equal "$(jq -r .name "$rec")" web
}

@test "conflist and runtime keys match case-insensitively, an exact key wins" {
	jq -n --arg name "ci-$ND_ID" '{cniVersion: "1.0.0", name: $name, plugins: [
		{Type: "bridge", IPMasq: false, IsGateway: true, Capabilities: {portMappings: true},
		 IPAM: {Type: "ipam-subnet", Subnets: [{Subnet: "10.242.0.0/24", Gateway: "10.242.0.254"}]}},
		{type: "portmap", capabilities: {portMappings: true}}]}' >"$ND_TMP/conf/ci.conflist"
	# cni-exec reads .type; libcni does too, so the list itself keeps "type" lower-case
	jq '.plugins[0].type = .plugins[0].Type | del(.plugins[0].Type)' "$ND_TMP/conf/ci.conflist" \
		>"$ND_TMP/conf/ci2.conflist"
	CAP_ARGS='{"portMappings":[{"hostport":18432,"containerPort":80,"containerport":1}]}' \
		run br_add "$ND_TMP/conf/ci2.conflist" c1
	assert_success
	assert_equal "$(jq -r '.ips[0].gateway' <<<"$output")" 10.242.0.254
	listen c1 80
	assert_equal "$(fetch "$OUT" 10.250.0.1 18432)" hello-c1
	# ipMasq false arrived as IPMasq: no masquerade element for the network
	! nft list table inet "$NETDOCK_NFT_TABLE" | grep -A3 'masq' | grep -q 10.242.0.0/24
}

@test "one host port mapped to two container ports is code 7 naming the mapping" {
	N=$(pm_net twice '[{"subnet":"10.248.0.0/24"}]')
	CAP_ARGS='{"portMappings":[{"hostPort":18440,"containerPort":80},{"hostPort":18441,"containerPort":81},{"hostPort":18440,"containerPort":81}]}' \
		run br_add "$N" c1
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 7
	assert_equal "$(jq -r .msg <<<"$output")" "runtimeConfig.portMappings[2] maps host port tcp/18440, which portMappings[0] already maps to container port 80"
	# the same mapping twice, or the port on another protocol, is fine
	CAP_ARGS='{"portMappings":[{"hostPort":18440,"containerPort":80},{"hostPort":18440,"containerPort":80},{"hostPort":18440,"containerPort":81,"protocol":"udp"}]}' \
		run br_add "$N" c1
	assert_success
}

@test "bandwidth, ipRanges, pod annotations and dns in runtimeConfig are accepted" {
	N=$(pm_net k8s '[{"subnet":"10.243.0.0/24"}]')
	jq '.plugins[0].capabilities += {bandwidth: true, ipRanges: true, dns: true, "io.kubernetes.cri.pod-annotations": true}' \
		"$N" >"$N.tmp" && mv "$N.tmp" "$N"
	CAP_ARGS='{"portMappings":[],"bandwidth":{"ingressRate":1000000,"ingressBurst":0,"egressRate":0,"egressBurst":0},
		"ipRanges":[[{"subnet":"10.243.0.0/24","rangeStart":"","rangeEnd":"","gateway":""}]],
		"dns":{"servers":null,"searches":["default.svc.cluster.local"],"options":null},
		"io.kubernetes.cri.pod-annotations":{"kubernetes.io/config.source":"api"}}' \
		run br_add "$N" web
	assert_success
	[[ $(ip_of "$output") == 10.243.0.* ]]
}

@test "DEL removes everything whatever malformed config or arguments it gets" {
	N=$(pm_net gone '[{"subnet":"10.244.0.0/24"}]')
	mutations=(
		'.runtimeConfig = {"portMappings":[{"hostPort":80}]}'
		'.runtimeConfig = {"portMappings":[{"hostPort":80,"containerPort":80,"hostIP":"nope"}]}'
		'.runtimeConfig = {"portMappings":"all"}'
		'.runtimeConfig = {"mac":"zz:zz"}'
		'.runtimeConfig = {"aliases":7}'
		'.ipMasq = "sometimes"'
		'.mtuu = 1400'
		'.ipam.subnets = [{"subnet":"10.244.0.0/33"}]'
		'.ipam = "ipam-subnet"'
		'.ipam.type = "nosuch"'
		'.prevResult = {"ips":[{"address":"not-an-ip"}]}'
		'.name = "../../etc"'
		'.name = 42'
		'.cniVersion = "9.9.9"'
		'{"not":"closed"'
	)
	for m in "${mutations[@]}"; do
		add_pod "$N" c1
		[ -n "$(leftovers c1)" ]
		run del_with "$N" c1 "$m"
		[ "$status" -eq 0 ] || { echo "DEL failed with mutation $m: $output"; false; }
		run leftovers c1
		[ -z "$output" ] || { echo "left by DEL with mutation $m:"; echo "$output"; false; }
	done
	# CNI_ARGS that ADD refuses (unknown key without IgnoreUnknown, a bad MAC)
	for a in "FOO=bar" "IgnoreUnknown=1;MAC=nope" "junk"; do
		add_pod "$N" c1
		CNI_ARGS=$a run del_with "$N" c1 .
		[ "$status" -eq 0 ] || { echo "DEL failed with CNI_ARGS $a: $output"; false; }
		run leftovers c1
		[ -z "$output" ] || { echo "left by DEL with CNI_ARGS $a:"; echo "$output"; false; }
	done
}

@test "DEL with CNI_NETNS empty, after the sandbox's netns is gone" {
	N=$(pm_net late '[{"subnet":"10.245.0.0/24"}]')
	add_pod "$N" c1
	ip netns del "nd-$ND_ID-c1"
	CNI_CACHE_DIR=$ND_TMP/cache run "$ND_SRC/test/cni-exec" DEL "$N" "$(nd_cid c1)" "" eth0
	assert_success
	run leftovers c1
	assert_output ""
}

@test "pod names may repeat across Kubernetes namespaces: records keep them apart" {
	N=$(pm_net ns '[{"subnet":"10.246.0.0/24"}]')
	CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=prod;K8S_POD_NAME=web" run br_add "$N" a
	assert_success
	CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=dev;K8S_POD_NAME=web" run br_add "$N" b
	assert_success
	d="$NETDOCK_RUN_DIR/endpoints/ns-$ND_ID"
	assert_equal "$(jq -r '[.name, .namespace] | join(" ")' "$d/$(nd_cid a)-eth0.json")" "web prod"
	assert_equal "$(jq -r '[.name, .namespace] | join(" ")' "$d/$(nd_cid b)-eth0.json")" "web dev"
}

@test "loopback: ADD brings lo up and reports it, CHECK verifies, DEL is a no-op" {
	ns=$(nd_ns lo1)
	ip -n "$ns" link set lo down
	conf=$(nd_conf lo.json '{"cniVersion":"1.0.0","name":"cni-loopback","type":"loopback"}')
	run nd_plugin loopback ADD "$conf" "$(nd_cid lo1)" "$ns" lo
	assert_success
	assert_equal "$(jq -r '.interfaces[0].name' <<<"$output")" lo
	assert_equal "$(jq -r '.ips[0].address' <<<"$output")" 127.0.0.1/8
	ip -n "$ns" link show lo | grep -q 'state UNKNOWN\|,UP'
	ip netns exec "$ns" ping -c1 -W1 127.0.0.1 >/dev/null
	run nd_plugin loopback CHECK "$conf" "$(nd_cid lo1)" "$ns" lo
	assert_success
	run nd_plugin loopback DEL "$conf" "$(nd_cid lo1)" "$ns" lo
	assert_success
	ip -n "$ns" link set lo down
	run nd_plugin loopback CHECK "$conf" "$(nd_cid lo1)" "$ns" lo
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 108
	# DEL after the namespace is gone, as a CRI runtime sends it
	ip netns del "$ns"
	CNI_NETNS= run nd_plugin loopback DEL "$conf" "$(nd_cid lo1)" "" lo
	assert_success
}

@test "an interface name the container already has is code 4 naming it, and leaves nothing" {
	N=$(pm_net taken '[{"subnet":"10.249.0.0/24"}]')
	ns=$(nd_ns c1)
	ip -n "$ns" link add eth0 type veth peer name other0
	run br_add "$N" c1
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 4
	assert_equal "$(jq -r .msg <<<"$output")" "CNI_IFNAME eth0 already exists in CNI_NETNS /var/run/netns/$ns"
	[ -z "$(find "$NETDOCK_LIB_DIR/ipam" -path '*/addr/*' -type f 2>/dev/null)" ]
	ip -n "$ns" link show other0 >/dev/null # the container's own pair is untouched
}
