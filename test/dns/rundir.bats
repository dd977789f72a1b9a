#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Never silently deaf: a run dir below a directory its user cannot enter
# (0700) is still followed, because it is opened once before privileges are
# dropped; a record or directory it cannot read is logged with its path and
# errno, and a network it cannot serve is named.

load lib

setup() {
	nd_setup
	upstream_start
	# the run dir below a 0700 directory: nobody cannot walk the path to it
	mkdir -m 0700 "$ND_TMP/private"
	export NETDOCK_RUN_DIR=$ND_TMP/private/run
	A=$(br_net anet '[{"subnet":"10.168.0.0/24"}]')
	B=$(br_net bnet '[{"subnet":"10.169.0.0/24"}]')
}
teardown() { nd_teardown; }

@test "a run dir under a 0700 directory: networks and endpoints created later are served" {
	dnsd_start
	assert_equal "$(ps -o user= -p "$DNSD_PID")" nobody
	run su -s /bin/sh nobody -c "ls $NETDOCK_RUN_DIR"
	assert_failure
	named web "$A"
	named client "$A"
	nd_wait_for test -n "$(q client web A 10.168.0.1)"
	assert_equal "$(q client web A 10.168.0.1)" "$(addr_on web "$A")"
	named other "$B"
	named other2 "$B"
	nd_wait_for test -n "$(q other2 other A 10.169.0.1)"
	# an update is followed too
	br_del "$A" web >/dev/null
	nd_wait_for test -z "$(q client web A 10.168.0.1)"
	run grep -i "warn\|error" "$ND_TMP/dnsd.log"
	assert_failure
}

@test "an unreadable record and an unreadable network directory are logged with path and errno" {
	named web "$A"
	named client "$A"
	named other "$B"
	f=$NETDOCK_RUN_DIR/endpoints/anet-$ND_ID/$(nd_cid web)-eth0.json
	chmod 0600 "$f"
	chmod 0700 "$NETDOCK_RUN_DIR/endpoints/bnet-$ND_ID"
	dnsd_start
	grep -q "warning: cannot read endpoint record $f: Permission denied" "$ND_TMP/dnsd.log"
	grep -q "network bnet-$ND_ID cannot be served: $NETDOCK_RUN_DIR/endpoints/bnet-$ND_ID: Permission denied" "$ND_TMP/dnsd.log"
	# what it can read it serves
	assert_equal "$(q client client A 10.168.0.1)" "$(addr_on client "$A")"
	assert_equal "$(q client web A 10.168.0.1)" ""
	# once readable, it is read on the next change
	chmod 0644 "$f"
	touch "$f" && mv "$f" "$f.x" && mv "$f.x" "$f"
	nd_wait_for test -n "$(q client web A 10.168.0.1)"
}

@test "a network record it cannot read names the network's file" {
	named client "$A"
	named other "$B"
	chmod 0600 "$NETDOCK_RUN_DIR/networks/bnet-$ND_ID.json"
	dnsd_start
	grep -q "network record $NETDOCK_RUN_DIR/networks/bnet-$ND_ID.json cannot be read, its network is not served: Permission denied" "$ND_TMP/dnsd.log"
	assert_equal "$(q client client A 10.168.0.1)" "$(addr_on client "$A")"
}

@test "plugins hand their netfilter sockets to dnsd, which closes them; without dnsd they close them themselves" {
	br_add "$A" early >/dev/null # no dnsd yet: the plugin closes its own
	DNSD_LOG_LEVEL=debug dnsd_start
	named web "$A"
	br_del "$A" web >/dev/null
	# ADD's and DEL's sockets, closed after the closer's hold (1 s)
	nd_wait_for sh -c "[ \$(grep -c 'closed a handed-over socket' $ND_TMP/dnsd.log) -ge 2 ]"
	# a second dnsd on the same run dir leaves the closing to the first
	NETDOCK_LOG_LEVEL=info "$ND_BIN_DIR/netdock-dnsd" --run-dir "$NETDOCK_RUN_DIR" --port 5399 \
		--resolv-conf "$ND_TMP/resolv.conf" 2>>"$ND_TMP/dnsd2.log" 3>&- &
	nd_track_pid $!
	nd_wait_for grep -q "another netdock-dnsd closes the sockets" "$ND_TMP/dnsd2.log"
}
