#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The server itself: forwarding, PTR, TCP, refusing strangers, strict scoping,
# following the run dir, privileges, and malformed packets.

load lib

setup() {
	nd_setup
	upstream_start
	A=$(br_net anet '[{"subnet":"10.164.0.0/24"}]')
	B=$(br_net bnet '[{"subnet":"10.165.0.0/24"}]')
}
teardown() { nd_teardown; }

@test "started before any network exists, it follows networks and endpoints as they come" {
	dnsd_start
	named web "$A"
	named client "$A"
	nd_wait_for test -n "$(q client web A 10.164.0.1)"
	assert_equal "$(q client web A 10.164.0.1)" "$(addr_on web "$A")"
	br_del "$A" web >/dev/null
	nd_wait_for test -z "$(q client web A 10.164.0.1)"
}

@test "started after its networks exist, it follows new endpoints on them" {
	named web "$A"
	dnsd_start
	named client "$A"
	nd_wait_for test -n "$(q client web A 10.164.0.1)"
	assert_equal "$(q client web A 10.164.0.1)" "$(addr_on web "$A")"
	named late "$A"
	nd_wait_for test -n "$(q client late A 10.164.0.1)"
}

@test "unknown names are forwarded to the upstream, over UDP and TCP" {
	named client "$A"
	dnsd_start
	assert_equal "$(q client www.ext.test A 10.164.0.1)" 192.0.2.7
	assert_equal "$(inside client dig +tcp +short @10.164.0.1 www.ext.test)" 192.0.2.7
	assert_equal "$(status client nothing.test 10.164.0.1)" NXDOMAIN
	# a network's own servers win over the host's
	jq '.plugins[0].embeddedDNS = {"servers":["10.170.0.2"]}' "$B" >"$ND_TMP/b2.conflist"
	: >"$ND_TMP/resolv.conf"
	kill "$DNSD_PID"
	wait "$DNSD_PID" 2>/dev/null || true
	named other "$ND_TMP/b2.conflist"
	dnsd_start
	assert_equal "$(q other www.ext.test A 10.165.0.1)" 192.0.2.7
	assert_equal "$(status client www.ext.test 10.164.0.1)" SERVFAIL
	# no upstream at all: SERVFAIL at once, with the question
	run inside client dig +time=2 +tries=1 @10.164.0.1 www.ext.test
	assert_output --partial "QUERY: 1, ANSWER: 0"
}

@test "an upstream that does not answer gives SERVFAIL, and the server keeps serving" {
	named client "$A"
	named web "$A"
	echo "nameserver 10.170.0.3" >"$ND_TMP/resolv.conf"
	dnsd_start
	run inside client dig +time=5 +tries=1 @10.164.0.1 slow.example
	assert_output --partial "status: SERVFAIL"
	# the SERVFAIL echoes the question (it came back as a bare 12-byte header before)
	assert_output --partial "QUERY: 1, ANSWER: 0"
	assert_output --regexp ";slow\.example\.[[:space:]]+IN[[:space:]]+A"
	run inside client dig +tcp +time=5 +tries=1 @10.164.0.1 slow.example
	assert_output --partial "QUERY: 1, ANSWER: 0"
	assert_equal "$(q client web A 10.164.0.1)" "$(addr_on web "$A")"
}

@test "PTR for container addresses, names under the domain, TCP for local answers" {
	named web "$A"
	named client "$A"
	dnsd_start
	ip=$(addr_on web "$A")
	assert_equal "$(inside client dig +short @10.164.0.1 -x "$ip")" "web.anet-$ND_ID."
	assert_equal "$(q client web.dns.netdock A 10.164.0.1)" "$ip"
	assert_equal "$(status client nobody.dns.netdock 10.164.0.1)" NXDOMAIN
	assert_equal "$(inside client dig +tcp +short @10.164.0.1 web)" "$ip"
	assert_equal "$(q client web AAAA 10.164.0.1)" ""
	assert_equal "$(status client web 10.164.0.1)" NOERROR
}

@test "queries from addresses outside netdock networks are refused" {
	named web "$A"
	dnsd_start
	run dig +time=2 +tries=1 @10.164.0.1 web
	assert_output --partial "status: REFUSED"
	run dig +time=2 +tries=1 @10.164.0.1 www.ext.test
	assert_output --partial "status: REFUSED"
}

@test "strict scoping: another network's gateway never reveals that network's names" {
	named a1 "$A"
	named b1 "$B"
	named b2 "$B"
	dnsd_start
	assert_equal "$(q b2 b1 A 10.165.0.1)" "$(addr_on b1 "$B")"
	run inside a1 dig +time=2 +tries=1 @10.165.0.1 b1
	assert_output --partial "status: REFUSED"
	assert_equal "$(q a1 b1 A 10.164.0.1)" ""
}

@test "after binding it runs as nobody with only CAP_NET_BIND_SERVICE" {
	dnsd_start
	assert_equal "$(ps -o user= -p "$DNSD_PID")" nobody
	assert_equal "$(awk '/^CapEff/ {print $2}' /proc/$DNSD_PID/status)" 0000000000000400
	# and still opens listeners for networks created afterwards
	named web "$A"
	named client "$A"
	nd_wait_for test -n "$(q client web A 10.164.0.1)"
}

@test "malformed packets: the corpus's expected rcodes over UDP and TCP; the server survives them" {
	named web "$A"
	named client "$A"
	dnsd_start
	run inside client python3 "$ND_SRC/test/dns/malformed.py" 10.164.0.1 udp
	assert_success
	assert_output "$(cat "$ND_SRC/test/dns/malformed.expected")"
	run inside client python3 "$ND_SRC/test/dns/malformed.py" 10.164.0.1 tcp
	assert_success
	assert_output "$(cat "$ND_SRC/test/dns/malformed-tcp.expected")"
	assert_equal "$(q client web A 10.164.0.1)" "$(addr_on web "$A")"
	kill -0 "$DNSD_PID"
}

@test "--help, and bad arguments are refused" {
	run "$ND_BIN_DIR/netdock-dnsd" --help
	assert_success
	assert_output --partial "--run-dir"
	run "$ND_BIN_DIR/netdock-dnsd" --port 99999
	assert_equal "$status" 2
}
