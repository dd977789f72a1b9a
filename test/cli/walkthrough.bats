#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The seeds' walkthrough (000/001) typed through `netdock network …`, with the
# inspect output checked field by field against Docker 20.10's shapes.

load lib

setup() { cli_setup; }
teardown() { nd_teardown; }

# Docker 20.10's top-level keys of `docker network inspect`, in its order.
KEYS='["Name","Id","Created","Scope","Driver","EnableIPv6","IPAM","Internal","Attachable","Ingress","ConfigFrom","ConfigOnly","Containers","Options","Labels"]'

@test "create with a name only: a 64-hex ID, Docker's inspect object, a subnet at once and a different one next" {
	run nd network create --subnet 172.17.0.0/16 "$(net bridge)"
	assert_success
	run nd network create "$(net simple-network)"
	assert_success
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	id=$output
	run nd network inspect "$(net simple-network)"
	assert_success
	o=$output
	[ "$(jq -c '.[0] | keys_unsorted' <<<"$o")" = "$KEYS" ]
	[ "$(jq -r '.[0].Name' <<<"$o")" = "$(net simple-network)" ]
	[ "$(jq -r '.[0].Id' <<<"$o")" = "$id" ]
	[[ $(jq -r '.[0].Created' <<<"$o") =~ ^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-9:]{8}\.[0-9]{9}Z$ ]]
	[ "$(jq -r '.[0].Scope' <<<"$o")" = local ]
	[ "$(jq -r '.[0].Driver' <<<"$o")" = bridge ]
	[ "$(jq -r '.[0].EnableIPv6' <<<"$o")" = false ]
	[ "$(jq -c '.[0].IPAM | [.Driver, .Options]' <<<"$o")" = '["default",{}]' ]
	sub=$(jq -r '.[0].IPAM.Config[0].Subnet' <<<"$o")
	[[ $sub =~ ^172\.(1[89]|2[0-9]|3[01])\.0\.0/16$ ]]
	[ "$(jq -r '.[0].IPAM.Config[0].Gateway' <<<"$o")" = "${sub%.0/16}.1" ]
	[ "$(jq -c '.[0] | [.Internal, .Attachable, .Ingress, .ConfigFrom, .ConfigOnly, .Containers, .Options, .Labels]' <<<"$o")" = '[false,false,false,{"Network":""},false,{},{},{}]' ]
	# Indented as Docker prints it: four spaces, "key": value.
	assert_line --index 1 '    {'
	assert_line --index 2 "        \"Name\": \"$(net simple-network)\","
	# The next network gets another subnet, overlapping neither.
	nd network create "$(net next)" >/dev/null
	next=$(field "$(net next)" '.IPAM.Config[0].Subnet')
	[[ $next =~ ^172\.(1[89]|2[0-9]|3[01])\.0\.0/16$ ]]
	[ "$next" != "$sub" ]
	# An ordinary conflist: the driver plugin with ipam-subnet and the subnet, then portmap.
	f=$NETDOCK_CNI_CONF_DIR/$(net simple-network).conflist
	[ "$(jq -c '[.cniVersion, .name, [.plugins[].type], .plugins[0].ipam.type, .plugins[0].ipam.subnets[0].subnet]' "$f")" = \
		"[\"1.0.0\",\"$(net simple-network)\",[\"bridge\",\"portmap\"],\"ipam-subnet\",\"$sub\"]" ]
	# ipam-subnet's registry holds it, so an ADD keeps it.
	[ "$(grep -v "^kept$" "$NETDOCK_LIB_DIR/subnets/$(net simple-network)")" = "$sub" ]
	run nd network ls
	assert_line --index 0 --regexp '^NETWORK ID +NAME +DRIVER +SCOPE$'
	assert_line --regexp "^${id:0:12}   $(net simple-network) +bridge +local$"
}

@test "host_binding_ipv4: the option shows in Options and portmap publishes on that address" {
	nd network create -o "com.docker.network.bridge.host_binding_ipv4"="172.23.0.1" --subnet 172.23.0.0/16 "$(net my-network)" >/dev/null
	run field "$(net my-network)" .Options
	assert_output "$(printf '{\n  "com.docker.network.bridge.host_binding_ipv4": "172.23.0.1"\n}')"
	f=$NETDOCK_CNI_CONF_DIR/$(net my-network).conflist
	[ "$(jq -r '.plugins[0].options["com.docker.network.bridge.host_binding_ipv4"]' "$f")" = 172.23.0.1 ]
	# docker run -P on that network, through the same conflist as a runtime runs it.
	n=$(ns redis)
	CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=redis" \
		CAP_ARGS='{"portMappings":[{"hostPort":0,"containerPort":6379,"protocol":"tcp"}]}' \
		run nd_list ADD "$f" "$(nd_cid redis)" "$n"
	assert_success
	port=$(jq -r '.ports[0].hostPort' "$NETDOCK_RUN_DIR/endpoints/$(net my-network)/$(nd_cid redis)-eth0.json")
	[ "$port" -gt 0 ]
	run nft list map inet "$NETDOCK_NFT_TABLE" portmap-addr4
	assert_output --partial "172.23.0.1 . tcp . $port"
	run nd network inspect -f '{{range $id, $c := .Containers}}{{$c.Name}} {{$c.IPv4Address}}{{end}}' "$(net my-network)"
	assert_output "redis 172.23.0.2/16"
	run nd_list DEL "$f" "$(nd_cid redis)" "$n"
	assert_success
}

@test "isolated_nw: connect, --ip, links, aliases, disconnect and rm as in the seed" {
	nd network create -d bridge --subnet 172.25.0.0/16 "$(net isolated_nw)" >/dev/null
	nd network create -d bridge --subnet 172.26.0.0/24 "$(net local_alias)" >/dev/null
	iso=$(net isolated_nw)
	run nd network connect "$iso" "$(ns container2)"
	assert_success
	assert_output ""
	run nd network inspect "$iso"
	assert_success
	[ "$(jq '.[0].Containers | length' <<<"$output")" = 1 ]
	c=$(jq -c '.[0].Containers | to_entries[0]' <<<"$output")
	[[ $(jq -r .key <<<"$c") =~ ^cnitool-[0-9a-f]{20}$ ]]
	[ "$(jq -c '.value | keys_unsorted' <<<"$c")" = '["Name","EndpointID","MacAddress","IPv4Address","IPv6Address"]' ]
	[ "$(jq -r .value.Name <<<"$c")" = "nd-$ND_ID-container2" ]
	[[ $(jq -r .value.EndpointID <<<"$c") =~ ^[0-9a-f]{64}$ ]]
	[ "$(jq -c '.value | [.MacAddress, .IPv4Address, .IPv6Address]' <<<"$c")" = '["02:42:ac:19:00:02","172.25.0.2/16",""]' ]
	# container3 with --ip: Docker's MAC from the address.
	run nd network connect --ip 172.25.3.3 "$iso" "$(ns container3)"
	assert_success
	run nd network inspect -f '{{json .Containers}}' "$iso"
	assert_output --partial '"MacAddress":"02:42:ac:19:03:03","IPv4Address":"172.25.3.3/16","IPv6Address":""'
	nd_wait_for inside container2 ping -c1 -W1 172.25.3.3 >/dev/null
	# Links and aliases go to the plugins as a runtime sends them; dnsd answers them.
	nd network connect --link container5:c5 --name container4 "$iso" "$(ns container4)"
	nd network connect --link container4:c4 --name container5 "$iso" "$(ns container5)"
	nd network connect --alias app --name container6 "$iso" "$(ns container6)"
	nd network connect --alias scoped-app --name container6 "$(net local_alias)" "$(ns container6)"
	run ip -n "$(ns container6)" -br link show eth1
	assert_success
	NETDOCK_LOG_LEVEL=info "$ND_BIN_DIR/netdock-dnsd" --run-dir "$NETDOCK_RUN_DIR" --resolv-conf /dev/null 2>>"$ND_TMP/dnsd.log" 3>&- &
	nd_track_pid $!
	nd_wait_for grep -q "serving" "$ND_TMP/dnsd.log"
	addr() { nd network inspect -f "{{range .Containers}}{{if eq .Name \"$1\"}}{{.IPv4Address}}{{end}}{{end}}" "$iso" | cut -d/ -f1; }
	c5=$(addr container5)
	[ -n "$c5" ]
	nd_wait_for sh -c "ip netns exec $(ns container4) dig +short +time=1 +tries=1 @172.25.0.1 c5 | grep -qx $c5"
	run inside container4 dig +short +time=1 +tries=1 @172.25.0.1 app
	assert_output "$(addr container6)"
	run inside container5 dig +short +time=1 +tries=1 @172.25.0.1 c4
	assert_output "$(addr container4)"
	run inside container5 dig +short +time=1 +tries=1 @172.25.0.1 scoped-app
	assert_output ""
	# disconnect: container2 leaves, no longer reaches container3.
	run nd network disconnect "$iso" "$(ns container2)"
	assert_success
	run nd network inspect -f '{{range .Containers}}{{.Name}} {{end}}' "$iso"
	refute_output --partial container2
	assert_output --partial container3
	run inside container2 ping -c1 -W1 172.25.3.3
	assert_failure
	# rm is refused while endpoints are attached, and changes nothing.
	before=$(disk_state)
	run nd network rm "$iso"
	assert_failure 1
	assert_output "Error: error while removing network: network $iso id $(field "$iso" .Id) has active endpoints"
	[ "$(disk_state)" = "$before" ]
	for c in container3 container4 container5 container6; do nd network disconnect "$iso" "$(ns $c)"; done
	nd network disconnect "$(net local_alias)" "$(ns container6)"
	br=$(jq -r .bridge "$NETDOCK_RUN_DIR/networks/$iso.json")
	run nd network rm "$iso"
	assert_success
	assert_output "$iso"
	# Gone from the host: conflist, bridge, nftables elements, run-dir record, subnet, leases.
	[ ! -e "$NETDOCK_CNI_CONF_DIR/$iso.conflist" ]
	run ip link show "$br"
	assert_failure
	run nft list set inet "$NETDOCK_NFT_TABLE" bridges
	refute_output --partial "$br"
	[ ! -e "$NETDOCK_RUN_DIR/networks/$iso.json" ]
	[ ! -e "$NETDOCK_LIB_DIR/subnets/$iso" ]
	[ ! -e "$NETDOCK_LIB_DIR/ipam/$iso" ]
	[ -z "$(ls "$ND_TMP/cni/results")" ]
	run nd network ls -q -f name="$iso"
	assert_output ""
}

@test "--ipv6: EnableIPv6 true, both subnets in IPAM.Config, IPv6Address filled" {
	v6=fd00:$((RANDOM % 9000 + 1000)):1::/64
	nd network create --ipv6 --subnet "$v6" "$(net v6net)" >/dev/null
	run nd network inspect -f '{{.EnableIPv6}} {{range .IPAM.Config}}{{.Subnet}} {{end}}' "$(net v6net)"
	assert_output --regexp "^true 172\.[0-9]+\.0\.0/16 ${v6//./\\.} $"
	nd network connect "$(net v6net)" "$(ns c1)"
	run nd network inspect -f '{{range .Containers}}{{.IPv4Address}} {{.IPv6Address}}{{end}}' "$(net v6net)"
	assert_output --regexp "^172\.[0-9]+\.0\.2/16 ${v6%%::/64}::[0-9a-f:]+/64$"
	run inside c1 ip -6 -br addr show eth0
	assert_output --partial "${v6%%::/64}::"
	nd network disconnect "$(net v6net)" "$(ns c1)"
	run nd network rm "$(net v6net)"
	assert_success
}
