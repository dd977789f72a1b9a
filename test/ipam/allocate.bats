#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Address allocation: subnets, gateways, ranges, aux addresses, both families, reuse.

load lib

setup() { nd_setup; }
teardown() { nd_teardown; }

@test "first address follows the gateway, which defaults to the subnet's first" {
	c=$(ipam_conf n1 '{"type":"ipam-subnet","subnets":[{"subnet":"10.44.0.0/24"}]}')
	run ipam ADD "$c" c1
	assert_success
	assert_equal "$(jq -r '.ips[0].address' <<<"$output")" "10.44.0.2/24"
	assert_equal "$(jq -r '.ips[0].gateway' <<<"$output")" "10.44.0.1"
}

@test "the seed's --subnet --ip-range --gateway --aux-address network" {
	c=$(ipam_conf n1 '{"type":"ipam-subnet","subnets":[{"subnet":"172.28.0.0/16","ipRange":"172.28.5.0/24","gateway":"172.28.5.254","auxAddresses":{"my-router":"172.28.5.1","a":"172.28.5.2"}}]}')
	declare -A seen
	for i in $(seq 1 20); do
		run ipam ADD "$c" "c$i"
		assert_success
		a=$(ipam_addr "$output")
		[[ $a == 172.28.5.* ]] || fail "address $a outside the ip range"
		[[ $a != 172.28.5.1 && $a != 172.28.5.2 && $a != 172.28.5.254 ]] || fail "aux or gateway $a handed out"
		[ -z "${seen[$a]:-}" ] || fail "$a handed out twice"
		seen[$a]=1
		assert_equal "$(jq -r '.ips[0].gateway' <<<"$output")" "172.28.5.254"
		assert_equal "$(jq -r '.ips[0].address' <<<"$output" | cut -d/ -f2)" "16"
	done
}

@test "the seed's my-multihost-network conflist: ip range, gateways, aux addresses" {
	c="$ND_TMP/conf/ex.json"
	jq '.plugins[0] + {cniVersion, name}' "$ND_SRC/conf/examples/my-multihost-network.conflist" >"$c"
	for i in $(seq 1 8); do
		run ipam ADD "$c" "c$i"
		assert_success
		a=$(ipam_addr "$output")
		[[ $a == 192.168.1.* ]] || fail "address $a outside the ip range"
		[[ $a != 192.168.1.5 && $a != 192.168.1.6 ]] || fail "aux address $a handed out"
		assert_equal "$(jq -r '.ips[0].gateway' <<<"$output")" "192.168.0.100"
	done
}

@test "dual stack: one address per family" {
	c=$(ipam_conf n1 '{"type":"ipam-subnet","subnets":[{"subnet":"10.45.0.0/24"},{"subnet":"fd00:45::/64"}]}')
	run ipam ADD "$c" c1
	assert_success
	assert_equal "$(jq '.ips | length' <<<"$output")" 2
	assert_equal "$(jq -r '.ips[1].address' <<<"$output")" "fd00:45::2/64"
	assert_equal "$(jq -r '.ips[1].gateway' <<<"$output")" "fd00:45::1"
}

@test "a second subnet of the same family is used when the first is full (overlay)" {
	c=$(ipam_conf n1 '{"type":"ipam-subnet","subnets":[{"subnet":"10.46.0.0/30"},{"subnet":"10.46.1.0/24"}]}')
	run ipam ADD "$c" c1
	assert_equal "$(ipam_addr "$output")" "10.46.0.2"
	run ipam ADD "$c" c2
	assert_success
	assert_equal "$(ipam_addr "$output")" "10.46.1.2"
	assert_equal "$(jq '.ips | length' <<<"$output")" 1
}

@test "a repeated ADD of one attachment returns the same address" {
	c=$(ipam_conf n1 '{"type":"ipam-subnet","subnets":[{"subnet":"10.47.0.0/24"}]}')
	run ipam ADD "$c" c1
	first=$(ipam_addr "$output")
	run ipam ADD "$c" c1
	assert_equal "$(ipam_addr "$output")" "$first"
	run ipam ADD "$c" c1 eth1
	refute [ "$(ipam_addr "$output")" = "$first" ]
}

@test "DEL releases, is idempotent, and the address is handed out again" {
	c=$(ipam_conf n1 '{"type":"ipam-subnet","subnets":[{"subnet":"10.48.0.0/29"}]}')
	for i in 1 2 3 4 5; do run ipam ADD "$c" "c$i"; assert_success; done
	run ipam ADD "$c" c6
	assert_failure
	assert_equal "$(jq -r .code <<<"$output")" 104
	run ipam DEL "$c" c3
	assert_success
	run ipam DEL "$c" c3
	assert_success
	run ipam DEL "$c" never-added
	assert_success
	run ipam ADD "$c" c6
	assert_success
	assert_equal "$(ipam_addr "$output")" "10.48.0.4"
}

@test "routes from the config are in the result; host-local's format works unchanged" {
	c=$(ipam_conf n1 '{"type":"host-local","ranges":[[{"subnet":"10.49.0.0/24","rangeStart":"10.49.0.100","rangeEnd":"10.49.0.110"}],[{"subnet":"fd00:49::/64"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"192.0.2.0/24","gw":"10.49.0.1"}]}')
	sed -i 's/"host-local"/"ipam-subnet"/' "$c"
	run ipam ADD "$c" c1
	assert_success
	assert_equal "$(ipam_addr "$output")" "10.49.0.100"
	assert_equal "$(jq '.ips | length' <<<"$output")" 2
	assert_equal "$(jq -r '.routes[1].gw' <<<"$output")" "10.49.0.1"
	c2=$(ipam_conf n2 '{"type":"ipam-subnet","subnet":"10.50.0.0/24","gateway":"10.50.0.1","rangeStart":"10.50.0.20"}')
	run ipam ADD "$c2" c1
	assert_equal "$(ipam_addr "$output")" "10.50.0.20"
}

@test "the lease store survives in dataDir" {
	c=$(ipam_conf n1 "{\"type\":\"ipam-subnet\",\"dataDir\":\"$ND_TMP/data\",\"subnets\":[{\"subnet\":\"10.51.0.0/24\"}]}")
	run ipam ADD "$c" c1
	assert_success
	[ -f "$ND_TMP/data/ipam/n1/addr/10.51.0.2" ]
	[ ! -e "$NETDOCK_LIB_DIR/ipam" ]
}
