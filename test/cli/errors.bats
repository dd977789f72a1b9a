#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Every bad argument gets Docker 20.10's error (on stderr, with its exit code)
# and changes nothing on disk: conf dir, lib dir, run dir and result cache.

load lib
bats_require_minimum_version 1.5.0

setup() {
	cli_setup
	A=$(net a)
	nd network create --subnet 172.30.0.0/16 "$A" >/dev/null
	nd network create "$(net auto)" >/dev/null
	C=$(ns c)
	nd network connect "$A" "$C"
}
teardown() { nd_teardown; }

# refused CODE MESSAGE CMD...: CMD exits CODE, prints MESSAGE first on stderr, nothing on stdout, touches nothing.
refused() {
	local code=$1 msg=$2 before
	shift 2
	before=$(disk_state)
	run --separate-stderr nd "$@"
	[ "$status" -eq "$code" ] || { echo "exit $status, not $code: $*" >&2; echo "$stderr" >&2; return 1; }
	[ "${stderr%%$'\n'*}" = "$msg" ] || { echo "stderr: $stderr" >&2; echo "wanted: $msg" >&2; return 1; }
	[ -z "$output" ] || [ "$output" = "[]" ] || { echo "stdout: $output" >&2; return 1; }
	[ "$(disk_state)" = "$before" ] || { echo "disk changed by: $*" >&2; return 1; }
}

@test "network create: Docker's errors, nothing written" {
	refused 1 '"netdock network create" requires exactly 1 argument.' network create
	refused 1 '"netdock network create" requires exactly 1 argument.' network create x y
	refused 125 'unknown flag: --bogus' network create --bogus x
	refused 125 "unknown shorthand flag: 'x' in -x" network create -x y
	refused 125 'flag needs an argument: --subnet' network create x --subnet
	refused 125 "flag needs an argument: 'd' in -d" network create x -d
	refused 1 "Error: network with name $A already exists" network create "$A"
	refused 1 'Error: Pool overlaps with other one on this address space' network create --subnet 172.30.5.0/24 x
	refused 1 'Error: no matching subnet for gateway 10.2.0.1' network create --subnet 10.1.0.0/16 --gateway 10.2.0.1 x
	refused 1 "Error: bridge driver doesn't support multiple subnets" network create --subnet 10.1.0.0/16 --subnet 10.2.0.0/16 x
	refused 1 'Error: plugin "foo" not found' network create -d foo x
	refused 1 'Error: failed to parse com.docker.network.driver.mtu value: abc (strconv.Atoi: parsing "abc": invalid syntax)' network create -o com.docker.network.driver.mtu=abc x
	refused 1 'Error: failed to parse com.docker.network.bridge.enable_icc value: maybe (strconv.ParseBool: parsing "maybe": invalid syntax)' network create -o com.docker.network.bridge.enable_icc=maybe x
	refused 1 'Error: every ip-range or gateway must have a corresponding subnet' network create --gateway 10.1.0.1 x
	refused 1 'Error: Invalid subnet foo : invalid CIDR address: foo' network create --subnet foo x
	refused 1 'Error: could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network' network create --ipv6 x
	refused 1 'Error: no matching subnet for aux-address 10.8.0.1' network create --subnet 10.9.0.0/16 --aux-address a=10.8.0.1 x
	refused 1 'Error: no matching subnet for range 10.8.0.0/24' network create --subnet 10.9.0.0/16 --ip-range 10.8.0.0/24 x
	refused 1 'Error: multiple overlapping subnet configuration is not supported' network create --subnet 10.9.0.0/16 --subnet 10.9.1.0/24 x
	refused 1 'Error: invalid network name "bad name!": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at most 200 characters' network create 'bad name!'
}

@test "network ls, inspect, rm, prune: Docker's errors, nothing changed" {
	refused 1 '"netdock network ls" accepts no arguments.' network ls x
	refused 1 "Error: Invalid filter 'foo'" network ls -f foo=bar
	refused 125 'unknown flag: --nope' network ls --nope
	refused 1 '"netdock network inspect" requires at least 1 argument.' network inspect
	refused 1 'Error: No such network: nope' network inspect nope
	refused 1 'template parsing error: template: :1:2: executing "" at <.Bogus>: map has no entry for key "Bogus"' network inspect -f '{{.Bogus}}' "$A"
	refused 1 '"netdock network rm" requires at least 1 argument.' network rm
	refused 1 'Error: No such network: nope' network rm nope
	refused 1 "Error: error while removing network: network $A id $(field "$A" .Id) has active endpoints" network rm "$A"
	refused 1 '"netdock network prune" accepts no arguments.' network prune x
	refused 1 "netdock: 'network foo' is not a netdock command." network foo
	# inspect of one good and one missing network prints the good one and fails.
	run --separate-stderr nd network inspect "$A" nope
	assert_failure 1
	[ "$(jq -r '.[0].Name' <<<"$output")" = "$A" ]
	[ "$stderr" = "Error: No such network: nope" ]
}

@test "network connect / disconnect: Docker's errors, nothing attached" {
	refused 1 '"netdock network connect" requires exactly 2 arguments.' network connect "$A"
	refused 1 'Error: network nope not found' network connect nope "$C"
	refused 1 'Error: No such container: nope' network connect "$A" nope
	refused 1 'Error: invalid IPv4 address: bad' network connect --ip bad "$A" "$(ns d)"
	refused 1 'Error: invalid IPv6 address: 10.0.0.1' network connect --ip6 10.0.0.1 "$A" "$(ns d)"
	refused 1 "Error: Invalid address 10.99.1.1: It does not belong to any of this network's subnets" network connect --ip 10.99.1.1 "$A" "$(ns d)"
	refused 1 'Error: user specified IP address is supported only when connecting to networks with user configured subnets' network connect --ip 172.20.0.9 "$(net auto)" "$(ns d)"
	refused 1 "Error: endpoint with name $C already exists in network $A" network connect "$A" "$C"
	refused 1 '"netdock network disconnect" requires exactly 2 arguments.' network disconnect "$A"
	refused 1 'Error: network nope not found' network disconnect nope "$C"
	refused 1 'Error: No such container: nope' network disconnect "$A" nope
	id=$(nd network inspect -f '{{range $k, $v := .Containers}}{{$k}}{{end}}' "$A")
	refused 1 "Error: container $(sed 's/[0-9a-f]\{20\}$//' <<<"$id")$(printf '/run/netns/%s' "$(ns d)" | sha512sum | cut -c1-20) is not connected to network $A" \
		network disconnect "$A" "$(ns d)"
	# A plugin's refusal (the address is held) is reported with its message; nothing stays attached.
	addr=$(nd network inspect -f '{{range .Containers}}{{.IPv4Address}}{{end}}' "$A")
	run --separate-stderr nd network connect --ip "${addr%/16}" "$A" "$(ns d)"
	assert_failure 1
	[[ $stderr == "Error: plugin type=\"bridge\" failed: "*"${addr%/16}"* ]]
	run nd network inspect -f '{{len .Containers}}' "$A"
	assert_output 1
	[ -z "$(ls "$ND_TMP/cni/results" | grep -v -- "$id")" ]
}
