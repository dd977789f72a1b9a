#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The seeds' embedded DNS walkthrough, step by step, with dig from the containers.

load lib

setup() {
	nd_setup
	upstream_start
	BR=$(br_net bridge '[{"subnet":"10.161.0.0/24"}]' '{"options":{"com.docker.network.bridge.default_bridge":"true"}}')
	ISO=$(br_net isolated_nw '[{"subnet":"10.162.0.0/24"}]')
	LA=$(br_net local_alias '[{"subnet":"10.163.0.0/24"}]')
	dnsd_start
}
teardown() { nd_teardown; }

@test "container2 resolves container3 on isolated_nw, not container1 on the default bridge" {
	named container1 "$BR"
	named container2 "$BR"
	named container2 "$ISO" eth1
	named container3 "$ISO"
	c3=$(addr_on container3 "$ISO")
	nd_wait_for test -n "$(q container2 container3 A 10.162.0.1)"
	assert_equal "$(q container2 container3 A 10.162.0.1)" "$c3"
	assert_equal "$(q container2 container3 A 10.161.0.1)" "$c3"
	assert_equal "$(q container2 container3.dns.netdock A 10.162.0.1)" "$c3"
	assert_equal "$(q container2 container1 A 10.161.0.1)" ""
	assert_equal "$(q container2 container1 A 10.162.0.1)" ""
	assert_equal "$(q container3 container2 A 10.162.0.1)" "$(addr_on container2 "$ISO" eth1)"
	# container1 shares no user-defined network with container3
	assert_equal "$(q container1 container3 A 10.161.0.1)" ""
}

@test "Docker's <name>.<network>: names, aliases and links with their scoping; PTR as name.network." {
	named container1 "$BR"
	named container2 "$BR" eth0 "" '{"links":["container1:c1"]}'
	named container2 "$ISO" eth1 "" '{"links":["container3:c3iso"]}'
	named container3 "$ISO" eth0 "" '{"aliases":["app"]}'
	named container3 "$LA" eth1 "" '{"aliases":["scoped-app"]}'
	named container4 "$LA"
	c3=$(addr_on container3 "$ISO")
	iso=isolated_nw-$ND_ID la=local_alias-$ND_ID br=bridge-$ND_ID
	assert_equal "$(q container2 container3.$iso A 10.162.0.1)" "$c3"
	assert_equal "$(q container2 app.$iso A 10.162.0.1)" "$c3"
	assert_equal "$(q container2 c3iso.$iso A 10.162.0.1)" "$c3"
	# scoped: the name under a network answers only what that network holds
	assert_equal "$(q container4 container3.$la A 10.163.0.1)" "$(addr_on container3 "$LA" eth1)"
	assert_equal "$(q container4 scoped-app.$la A 10.163.0.1)" "$(addr_on container3 "$LA" eth1)"
	assert_equal "$(status container2 scoped-app.$iso 10.162.0.1)" NXDOMAIN
	# not a network of container4: not ours to answer (forwarded, as Docker does)
	assert_equal "$(q container4 container3.$iso A 10.163.0.1)" ""
	# the default bridge: names are off there, the link declared there answers
	assert_equal "$(status container2 container1.$br 10.161.0.1)" NXDOMAIN
	assert_equal "$(q container2 c1.$br A 10.161.0.1)" "$(addr_on container1 "$BR")"
	assert_equal "$(status container2 c3iso.$br 10.161.0.1)" NXDOMAIN
	# PTR: Docker's "container3.isolated_nw."
	assert_equal "$(inside container2 dig +short @10.162.0.1 -x "$c3")" "container3.$iso."
	assert_equal "$(inside container4 dig +short @10.163.0.1 -x "$(addr_on container3 "$LA" eth1)")" "container3.$la."
}

@test "--link container5:c5 before container5 exists, then both ways; links stay private" {
	named container4 "$ISO" eth0 "" '{"links":["container5:c5"]}'
	assert_equal "$(q container4 c5 A 10.162.0.1)" ""
	named container5 "$ISO" eth0 "" '{"links":["container4:c4"]}'
	assert_equal "$(q container4 c5 A 10.162.0.1)" "$(addr_on container5 "$ISO")"
	assert_equal "$(q container5 c4 A 10.162.0.1)" "$(addr_on container4 "$ISO")"
	named container3 "$ISO"
	assert_equal "$(q container3 c5 A 10.162.0.1)" ""
}

@test "foo/bar on local_alias; container5 leaves isolated_nw: c5 fails, foo still answers" {
	named container4 "$ISO" eth0 "" '{"links":["container5:c5"]}'
	named container5 "$ISO"
	named container4 "$LA" eth1 "" '{"links":["container5:foo"]}'
	named container5 "$LA" eth1 "" '{"links":["container4:bar"]}'
	assert_equal "$(q container4 foo A 10.163.0.1)" "$(addr_on container5 "$LA" eth1)"
	assert_equal "$(q container5 bar A 10.163.0.1)" "$(addr_on container4 "$LA" eth1)"
	assert_equal "$(q container4 c5 A 10.162.0.1)" "$(addr_on container5 "$ISO")"
	br_del "$ISO" container5 >/dev/null
	nd_wait_for test -z "$(q container4 c5 A 10.162.0.1)"
	assert_equal "$(q container4 c5 A 10.162.0.1)" ""
	assert_equal "$(q container4 foo A 10.163.0.1)" "$(addr_on container5 "$LA" eth1)"
}

@test "aliases: app on isolated_nw, scoped-app only on local_alias, shared app survives container6" {
	named container4 "$ISO"
	named container4 "$LA" eth1
	named container5 "$ISO"
	named container6 "$ISO" eth0 "" '{"aliases":{"isolated_nw-'"$ND_ID"'":["app"]}}'
	named container6 "$LA" eth1 "" '{"aliases":["scoped-app"]}'
	c6=$(addr_on container6 "$ISO")
	assert_equal "$(q container4 app A 10.162.0.1)" "$c6"
	assert_equal "$(q container4 scoped-app A 10.163.0.1)" "$(addr_on container6 "$LA" eth1)"
	assert_equal "$(q container5 scoped-app A 10.162.0.1)" ""
	named container7 "$ISO" eth0 "" '{"aliases":["app"]}'
	c7=$(addr_on container7 "$ISO")
	assert_equal "$(q container4 app A 10.162.0.1)" "$(printf '%s\n' "$c6" "$c7" | sort)"
	# the answer rotates between queries
	firsts=$(for i in 1 2 3 4; do inside container4 dig +short @10.162.0.1 app | head -1; done | sort -u | wc -l)
	assert_equal "$firsts" 2
	br_del "$ISO" container6 >/dev/null
	nd_wait_for test "$(q container4 app A 10.162.0.1)" = "$c7"
	assert_equal "$(q container4 app A 10.162.0.1)" "$c7"
}

@test "names off on the default bridge: names and aliases do not resolve there, links do" {
	named container1 "$BR" eth0 "" '{"links":["container2:web"],"aliases":["one"]}'
	named container2 "$BR"
	assert_equal "$(q container1 container2 A 10.161.0.1)" ""
	assert_equal "$(q container2 one A 10.161.0.1)" ""
	assert_equal "$(q container1 web A 10.161.0.1)" "$(addr_on container2 "$BR")"
}
