#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# netdock-overlayd on an encrypted network, two hosts, in a UML kernel with
# ESP: the agents create the first key and install SAs for each other from
# the endpoints they publish; traffic is ESP only; a rotation asked for on
# demand completes by itself under a continuous ping with nothing lost; an
# agent killed with -9 (its peer drops it with its lease) and restarted:
# traffic never in clear, and flowing again once it is back.

load lib

setup() { nd_setup; }
teardown() { nd_teardown; }

@test "overlayd: keys from etcd, ESP only, rotation on demand without loss, kill -9 and restart" {
	printf 'MARK_WITH=iptables\nsource %s/test/encrypt/hosts.sh\n%s\n' "$ND_SRC" '
		hosts_up
		etcd_up_underlay
		mark_vni $HA
		mark_vni $HB
		run_dir $HA host-a $A 1
		run_dir $HB host-b $B 2
		agent $HA host-a
		agent $HB host-b
		wait_until esp_is $HA 2
		wait_until esp_is $HB 2
		echo "first $(ring_u)"
		wait_until ip netns exec $HA ping -c 1 -W 1 192.168.42.2
		capture_start $OUT/cap.pcap
		ip netns exec $HA ping -i 0.01 -c 1000 -W 2 192.168.42.2 >$OUT/ping &
		PING=$!
		sleep 1
		ip netns exec $HA $TOOL store $ETCD_U net42 rotate
		wait_until ring_is "{\"primary\":2,\"ids\":[2]}"
		wait_until esp_is $HA 2
		echo "rotated $(ring_u)"
		wait $PING
		tail -2 $OUT/ping
		# hb drops the endpoints of ha when its lease runs out, and its receive SA
		# from ha with them (a fresh one when ha is back: its sequence may restart)
		kill -9 $(cat /run/agent-host-a)
		wait_until esp_is $HB 1
		! ip netns exec $HA ping -c 2 -i 0.2 -W 1 192.168.42.2
		agent $HA host-a
		wait_until esp_is $HB 2
		echo "restarted $(esp_count $HA) $(ring_u)"
		ip netns exec $HA ping -c 3 -i 0.2 -W 1 192.168.42.2
		capture_stop
		echo "vxlan42 $(count $OUT/cap.pcap "$(vni_filter 42)")"
		echo "spis $(tcpdump -r $OUT/cap.pcap -n "esp and src $A" 2>/dev/null | grep -o "spi=0x[0-9a-f]*" | sort -u | wc -l)"
		grep -h "rotation step" /run/agent-*.log | sed "s/^.*overlayd: /log: /" | sort | uniq -c
		! grep -ih "secret" /run/agent-*.log
		kill $(cat /run/agent-host-a) $(cat /run/agent-host-b)' >"$ND_TMP/s.sh"
	run uml_run "$ND_TMP/s.sh" 300
	echo "$output"
	assert_success
	assert_line 'first {"primary":1,"ids":[1]}'
	assert_line 'rotated {"primary":2,"ids":[2]}'
	assert_output --partial "1000 packets transmitted, 1000 received, 0% packet loss"
	assert_output --partial "3 received, 0% packet loss"
	assert_line --regexp '^restarted 2 \{"primary":2,"ids":\[2\]\}$'
	assert_line "vxlan42 0"
	assert_line "spis 2"
}
