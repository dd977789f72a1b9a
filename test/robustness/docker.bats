#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Docker 20.10's behaviour where netdock differed: ports on --internal networks,
# IPv6 switched off in IPv4-only containers, IPv4 addresses with a broadcast.

load ../portmap/lib

setup() { nd_setup; }
teardown() { nd_teardown; }

@test "-p on an --internal network publishes nothing, says so in the log and the record" {
	N=$(pm_net int '[{"subnet":"10.191.0.0/24"}]' '{"internal":true}')
	CAP_ARGS='{"portMappings":[{"hostPort":8099,"containerPort":80}]}' run br_add "$N" web
	assert_success
	listen web 80
	ip=$(ip_of "$output")
	# the container listens, yet no published port reaches it
	assert_equal "$(inside web sh -c 'echo ok')" ok
	run fetch - 127.0.0.1 8099
	refute_output --partial hello
	n=$(map_count portmap-any4 2>/dev/null)
	[ "${n:-0}" = 0 ]
	rec=$(cat "$NETDOCK_RUN_DIR/endpoints/int-$ND_ID/$(nd_cid web)-eth0.json")
	assert_equal "$(jq -c .ports <<<"$rec")" "[]"
	assert_equal "$(jq -r .portsNote <<<"$rec")" "internal network: no port is published"
	grep -q "internal network: no port is published" "$NETDOCK_LOG_FILE"
	# the same mapping on a normal network answers (the test could fail)
	M=$(pm_net ext '[{"subnet":"10.190.0.0/24"}]')
	CAP_ARGS='{"portMappings":[{"hostPort":8099,"containerPort":80}]}' run br_add "$M" web2
	assert_success
	listen web2 80
	assert_equal "$(fetch - 127.0.0.1 8099)" hello-web2
	assert_equal "$(inside web sh -c 'echo ok')" ok
}

@test "an IPv4-only container has IPv6 off everywhere and a broadcast on its address" {
	N=$(br_net v4 '[{"subnet":"10.189.0.0/16"}]')
	run br_add "$N" c1
	assert_success
	assert_equal "$(inside c1 sysctl -n net.ipv6.conf.all.disable_ipv6)" 1
	run inside c1 ip -6 addr show dev lo
	assert_output ""
	run inside c1 ip -4 -o addr show dev eth0
	assert_output --partial "10.189.0.2/16 brd 10.189.255.255"
	# a dual-stack network in the same container turns IPv6 back on
	M=$(br_net v6 '[{"subnet":"10.188.0.0/24"},{"subnet":"fd00:188::/64"}]')
	run br_add "$M" c1 eth1
	assert_success
	assert_equal "$(inside c1 sysctl -n net.ipv6.conf.all.disable_ipv6)" 0
	run inside c1 ip -6 -o addr show dev eth1 scope global
	assert_output --partial "fd00:188::2/64"
	# and a later IPv4-only network leaves it on
	O=$(br_net v4b '[{"subnet":"10.187.0.0/24"}]')
	run br_add "$O" c1 eth2
	assert_success
	assert_equal "$(inside c1 sysctl -n net.ipv6.conf.all.disable_ipv6)" 0
}
