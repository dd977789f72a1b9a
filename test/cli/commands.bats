#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# ls (filters, -q, --no-trunc, --format), inspect templates, prune, overlay
# conflists, --help, conflists written by others, and attachments undone across
# netdock and a libcni-style runner (test/cni-exec: Debian 12 packages no cnitool).

load lib

setup() { cli_setup; }
teardown() { nd_teardown; }

@test "ls: Docker's columns, -q, --no-trunc, filters, --format; a foreign conflist is listed with its first plugin's type" {
	a=$(nd network create --label env=prod --label tier --subnet 172.31.0.0/24 "$(net alpha)")
	b=$(nd network create --internal --subnet 172.31.1.0/24 "$(net beta)")
	jq -n --arg n "$(net handmade)" '{cniVersion:"1.0.0", name:$n, plugins:[{type:"macvlan", master:"lo",
		ipam:{type:"host-local", ranges:[[{subnet:"10.200.0.0/24", gateway:"10.200.0.1"}]]}}]}' \
		>"$NETDOCK_CNI_CONF_DIR/50-handmade.conflist"
	run nd network ls
	assert_success
	w=$((${#ND_ID} + 12)) # "handmade-<id>" and three spaces
	hid=$(printf '%s' "$(net handmade)" | sha256sum | cut -c1-64)
	assert_line --index 0 "$(printf 'NETWORK ID     %-*sDRIVER    SCOPE' $w NAME)"
	assert_line --index 1 "$(printf '%s   %-*sbridge    local' "${a:0:12}" $w "$(net alpha)")"
	assert_line --index 2 "$(printf '%s   %-*sbridge    local' "${b:0:12}" $w "$(net beta)")"
	assert_line --index 3 "$(printf '%s   %-*smacvlan   local' "${hid:0:12}" $w "$(net handmade)")"
	run nd network ls -q
	assert_output "$(printf '%s\n%s\n%s' "${a:0:12}" "${b:0:12}" "${hid:0:12}")"
	run nd network ls -q --no-trunc -f name=beta
	assert_output "$b"
	run nd network ls -q -f driver=macvlan
	assert_output "${hid:0:12}"
	run nd network ls -q -f label=env=prod
	assert_output "${a:0:12}"
	run nd network ls -q -f label=tier -f name=beta
	assert_output ""
	run nd network ls -q -f id="${b:0:5}"
	assert_output "${b:0:12}"
	run nd network ls -f name=alpha -f name=beta --format '{{.Name}}|{{.Internal}}|{{.Labels}}|{{.Scope}}'
	assert_output "$(printf '%s|false|env=prod,tier=|local\n%s|true||local' "$(net alpha)" "$(net beta)")"
	run nd network ls -f name=alpha --format 'table {{.Name}}\t{{.Driver}}'
	assert_output "$(printf '%-*sDRIVER\n%s   bridge' $((${#ND_ID} + 9)) NAME "$(net alpha)")"
	run nd network inspect -f '{{.Driver}} {{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{.IPAM.Driver}}' "$(net handmade)"
	assert_output "macvlan 10.200.0.0/24 10.200.0.1 host-local"
}

@test "inspect -f: the template forms scripts use" {
	id=$(nd network create --subnet 172.31.4.0/24 --gateway 172.31.4.254 --ip-range 172.31.4.128/25 \
		--aux-address router=172.31.4.5 -o com.docker.network.driver.mtu=1400 --label a=b "$(net tpl)")
	n=$(net tpl)
	run nd network inspect -f '{{.Name}}' "$n"
	assert_output "$n"
	run nd network inspect -f '{{.Id}} {{.Scope}} {{.EnableIPv6}} {{.Internal}}' "$n"
	assert_output "$id local false false"
	run nd network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' "$n"
	assert_output 172.31.4.0/24
	run nd network inspect -f '{{json .IPAM.Config}}' "$n"
	assert_output '[{"Subnet":"172.31.4.0/24","IPRange":"172.31.4.128/25","Gateway":"172.31.4.254","AuxiliaryAddresses":{"router":"172.31.4.5"}}]'
	run nd network inspect -f '{{json .Containers}} {{.Containers}} {{len .Containers}}' "$n"
	assert_output '{} map[] 0'
	run nd network inspect -f '{{index .Options "com.docker.network.driver.mtu"}} {{.Labels}} {{index .Labels "a"}}' "$n"
	assert_output '1400 map[a:b] b'
	run nd network inspect -f '{{if .Internal}}internal{{else}}external{{end}} {{upper .Driver}} {{range $k, $v := .Labels}}{{$k}}={{$v}}{{end}}' "$n"
	assert_output 'external BRIDGE a=b'
	nd network connect "$n" "$(ns c1)"
	run nd network inspect -f '{{range $id, $c := .Containers}}{{$c.Name}} {{$c.IPv4Address}} {{$c.MacAddress}}{{end}}' "$n"
	assert_output "$(ns c1) 172.31.4.128/24 02:42:ac:1f:04:80"
	run nd network inspect -f '{{- range .Containers -}} {{ .Name }} {{- end }}' "$n"
	assert_output "$(ns c1)"
	# The ipRange, MTU and aux address reached the plugins.
	run inside c1 ip -br link show eth0
	assert_output --partial "mtu 1400" || inside c1 ip link show eth0 | grep -q "mtu 1400"
	nd network disconnect "$n" "$(ns c1)"
}

@test "netdock and a libcni runner undo each other's attachments through libcni's cache" {
	n=$(net shared)
	nd network create --subnet 172.31.5.0/24 "$n" >/dev/null
	f=$NETDOCK_CNI_CONF_DIR/$n.conflist
	c=$(ns c1)
	cid=cnitool-$(printf '/run/netns/%s' "$c" | sha512sum | cut -c1-20)
	nd network connect "$n" "$c"
	cache=$ND_TMP/cni/results/$n-$cid-eth0
	[ "$(jq -r '[.kind, .containerId, .ifName, .networkName, .netns] | join(" ")' "$cache")" = "cniCacheV1 $cid eth0 $n /run/netns/$c" ]
	[ "$(jq -r .config "$cache" | base64 -d | jq -r .name)" = "$n" ]
	[ "$(jq -r '.result.ips[0].address' "$cache")" = 172.31.5.2/24 ]
	[ "$(stat -c %a "$cache")" = 600 ]
	# DEL by the runner, from netdock's cache entry.
	CNI_CACHE_DIR=$ND_TMP/cni run "$ND_SRC/test/cni-exec" DEL "$f" "$cid" "/run/netns/$c" eth0
	assert_success
	[ ! -e "$cache" ]
	run nd network inspect -f '{{len .Containers}}' "$n"
	assert_output 0
	# ADD by the runner, disconnect by netdock.
	CNI_CACHE_DIR=$ND_TMP/cni CNI_ARGS="K8S_POD_NAME=runner" run "$ND_SRC/test/cni-exec" ADD "$f" "$cid" "/run/netns/$c" eth0
	assert_success
	run nd network inspect -f '{{range .Containers}}{{.Name}}{{end}}' "$n"
	assert_output runner
	run nd network disconnect "$n" "$c"
	assert_success
	[ ! -e "$cache" ]
	run nd network inspect -f '{{len .Containers}}' "$n"
	assert_output 0
	# A second network becomes eth1; disconnect -f removes a stale endpoint (netns gone).
	nd network create --subnet 172.31.6.0/24 "$(net second)" >/dev/null
	nd network connect "$n" "$c"
	nd network connect "$(net second)" "$c"
	run ip -n "$c" -br link show eth1
	assert_success
	ip netns del "$c"
	run nd network disconnect -f "$(net second)" "$c"
	assert_success
	run nd network disconnect -f "$n" "$c"
	assert_success
	run nd network inspect -f '{{len .Containers}}' "$n" "$(net second)"
	assert_output "$(printf '0\n0')"
	# connect by PID: the process's network namespace.
	c2=$(ns c2)
	ip netns exec "$c2" sleep 60 3>&- &
	pid=$!
	nd_track_pid "$pid"
	nd_wait_for sh -c "[ \"\$(readlink /proc/$pid/ns/net)\" = \"\$(ip netns exec $c2 readlink /proc/self/ns/net)\" ]"
	run nd network connect "$n" "$pid"
	assert_success
	run nd network inspect -f '{{range .Containers}}{{.Name}}{{end}}' "$n"
	assert_output sleep
	run inside c2 ip -br addr show eth0
	assert_output --partial 172.31.5.
	nd network disconnect "$n" "$pid"
}

@test "prune removes netdock's networks without endpoints, listing them; keeps used and foreign ones" {
	nd network create --subnet 172.31.7.0/24 "$(net used)" >/dev/null
	nd network create --subnet 172.31.8.0/24 "$(net idle1)" >/dev/null
	nd network create "$(net idle2)" >/dev/null
	jq -n --arg n "$(net foreign)" '{cniVersion:"1.0.0", name:$n, plugins:[{type:"loopback"}]}' \
		>"$NETDOCK_CNI_CONF_DIR/foreign.conflist"
	nd network connect "$(net used)" "$(ns c1)"
	run nd network prune <<<"n"
	assert_output --partial "Are you sure you want to continue? [y/N]"
	[ -e "$NETDOCK_CNI_CONF_DIR/$(net idle1).conflist" ]
	run nd network prune -f
	assert_success
	assert_output "$(printf 'Deleted Networks:\n%s\n%s\n' "$(net idle1)" "$(net idle2)")"
	run nd network ls --format '{{.Name}}'
	assert_output "$(printf '%s\n%s' "$(net foreign)" "$(net used)")"
	[ ! -e "$NETDOCK_LIB_DIR/subnets/$(net idle2)" ]
	run nd network prune -f
	assert_output ""
	nd network disconnect "$(net used)" "$(ns c1)"
}

@test "-d overlay: type overlay, scope global, VXLAN and store settings from -o and the environment" {
	NETDOCK_ETCD_ENDPOINTS=https://10.0.0.1:2379,https://10.0.0.2:2379 NETDOCK_ETCD_PREFIX=/nd \
		NETDOCK_ETCD_CACERT=/etc/ca.pem run nd network create -d overlay \
		--subnet 192.168.0.0/16 --subnet 192.170.0.0/16 --gateway 192.168.0.100 --gateway 192.170.0.100 \
		--ip-range 192.168.1.0/24 --aux-address a=192.168.1.5 --aux-address b=192.170.1.6 \
		-o com.docker.network.driver.overlay.vxlanid_list=4097 -o vtep=10.0.0.9 -o port=4790 \
		-o com.docker.network.driver.mtu=1450 -o store.username=nd "$(net my-multihost-network)"
	assert_success
	f=$NETDOCK_CNI_CONF_DIR/$(net my-multihost-network).conflist
	run jq -c '.plugins[0] | [.type, .vni, .vtep, .port, .options["com.docker.network.driver.mtu"], .store, .ipam.type, (.ipam.subnets | length)]' "$f"
	assert_output '["overlay",4097,"10.0.0.9",4790,"1450",{"endpoints":["https://10.0.0.1:2379","https://10.0.0.2:2379"],"prefix":"/nd","cacert":"/etc/ca.pem","username":"nd"},"ipam-subnet",2]'
	run jq -c '[.plugins[].type]' "$f"
	assert_output '["overlay","portmap"]'
	run nd network inspect -f '{{.Driver}} {{.Scope}} {{json .IPAM.Config}}' "$(net my-multihost-network)"
	assert_output 'overlay global [{"Subnet":"192.168.0.0/16","IPRange":"192.168.1.0/24","Gateway":"192.168.0.100","AuxiliaryAddresses":{"a":"192.168.1.5"}},{"Subnet":"192.170.0.0/16","Gateway":"192.170.0.100","AuxiliaryAddresses":{"b":"192.170.1.6"}}]'
	run nd network ls -f driver=overlay --format '{{.Name}} {{.Scope}}'
	assert_output "$(net my-multihost-network) global"
	run nd network create -d overlay -o com.docker.network.driver.overlay.vxlanid_list=0 "$(net bad)"
	assert_failure 1
	assert_output "Error: invalid VXLAN id 0 (1-16777215)"
	# rm without the overlay plugin on CNI_PATH (its store is not reachable from a test):
	# the IPAM part still runs, the subnets and the conflist go.
	mkdir "$ND_TMP/bin"
	ln -s "$ND_BIN_DIR/ipam-subnet" "$ND_BIN_DIR/portmap" "$ND_TMP/bin/"
	[ -e "$NETDOCK_LIB_DIR/subnets/$(net my-multihost-network)" ]
	CNI_PATH=$ND_TMP/bin run nd network rm "$(net my-multihost-network)"
	assert_success
	[ ! -e "$f" ]
	[ ! -e "$NETDOCK_LIB_DIR/subnets/$(net my-multihost-network)" ]
}

@test "--help on every command, exit 0, Docker's usage lines" {
	run nd --help
	assert_success
	assert_output --partial "network     Manage networks"
	run nd network --help
	assert_success
	assert_output --partial "Usage:  netdock network COMMAND"
	for cmd in create ls inspect connect disconnect rm prune; do
		run nd network "$cmd" --help
		assert_success
		assert_output --partial "Usage:  netdock network $cmd"
		assert_output --partial "--conf-dir string"
	done
	run nd network create --help
	assert_output --partial "--aux-address map"
	run nd network connect --help
	assert_output --partial "named network namespace"
	# --conf-dir before and after the command
	nd network create --conf-dir "$ND_TMP/other" --subnet 172.31.9.0/24 "$(net elsewhere)" >/dev/null
	[ -e "$ND_TMP/other/$(net elsewhere).conflist" ]
	run nd --conf-dir "$ND_TMP/other" network ls -q
	[ "${#lines[@]}" -eq 1 ]
	run nd network ls -q
	assert_output ""
}

@test "man page renders without warnings; bash completion completes commands, flags, networks and namespaces" {
	run sh -c "MANWIDTH=80 man --warnings -l '$ND_SRC/cli/netdock.1' 2>&1 >/dev/null"
	assert_output ""
	run sh -c "MANWIDTH=80 man -l '$ND_SRC/cli/netdock.1' | col -b"
	assert_output --partial "netdock - Docker's network commands for CNI hosts"
	assert_output --partial "NETDOCK_CNI_CONF_DIR"
	nd network create --subnet 172.31.10.0/24 "$(net comp)" >/dev/null
	c=$(ns c1)
	netdock() { "$ND_BIN_DIR/netdock" "$@"; }
	source "$ND_SRC/cli/netdock.bash-completion"
	complete_words() {
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMPREPLY=()
		_netdock 2>/dev/null
		printf '%s\n' "${COMPREPLY[@]}"
	}
	run complete_words netdock network c
	assert_output "$(printf 'connect\ncreate')"
	run complete_words netdock network create --i
	assert_output "$(printf -- '--internal\n--ip-range\n--ipv6')"
	run complete_words netdock network rm ""
	assert_output "$(net comp)"
	run complete_words netdock network connect "$(net comp)" "nd-$ND_ID-"
	assert_output "$c"
	run complete_words netdock network create -d ""
	assert_output "$(printf 'bridge\noverlay')"
}

@test "concurrent creates of one name: one wins, the others get Docker's error; distinct names get distinct subnets" {
	for i in 1 2 3 4; do nd network create "$(net race)" >"$ND_TMP/race.$i" 2>&1 3>&- & done
	for i in 1 2 3 4; do nd network create "$(net auto$i)" >/dev/null 2>&1 3>&- & done
	wait
	[ "$(cat "$ND_TMP"/race.* | grep -c '^[0-9a-f]\{64\}$')" -eq 1 ]
	[ "$(cat "$ND_TMP"/race.* | grep -c "^Error: network with name $(net race) already exists$")" -eq 3 ]
	run nd network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' "$(net race)" "$(net auto1)" "$(net auto2)" "$(net auto3)" "$(net auto4)"
	assert_success
	[ "$(sort -u <<<"$output" | wc -l)" -eq 5 ]
}
