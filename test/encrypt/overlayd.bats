#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# netdock-overlayd on an encrypted network, two hosts, in a VM on Debian's
# kernel (lib.bash): the agents create the first key and install SAs for
# each other from the endpoints they publish; traffic is ESP only; a
# rotation asked for on demand reaches both agents through their etcd watch (their fallback pass
# is an hour away) and completes by itself under a continuous ping with
# nothing lost; an agent killed with -9 (its peer drops it with its lease),
# a rotation while it is down, and its restart over its stale kernel state:
# traffic never in clear, the old key's SAs gone, flowing again on the new;
# another tool's flush of its xfrm tables, repaired on the kernel's
# notification, and a reboot within its lease, each mended by a new key.

# test/run: vm

load lib

setup() { nd_setup; }
teardown() { nd_teardown; }

@test "overlayd: keys from etcd, ESP only, rotation on demand without loss, kill -9 and restart" {
	printf 'source %s/test/encrypt/hosts.sh\n%s\n' "$ND_SRC" '
		hosts_up
		agents_up
		echo "first $(ring_u)"
		wait_until ip netns exec $HA ping -c 1 -W 1 192.168.42.2
		before=$(spis $HA)
		capture_start $OUT/cap.pcap
		ping_replies $HA 192.168.42.2 600 0.01 $OUT/ping &
		PING=$!
		sleep 1
		ip netns exec $HA $TOOL store $ETCD_U net42 rotate
		wait_until ring_is "{\"primary\":2,\"ids\":[2]}"
		wait_until esp_is $HA 2
		wait_until esp_is $HB 2
		wait_until same_spis
		echo "rotated $(ring_u)"
		# Both hosts hold the same two SAs (a->b, b->a), none of them an old one,
		# and both policies name key 2 (reqid 0x40000054).
		now=$(spis $HA) old=0
		for spi in $before; do case " $now " in *" $spi "*) old=1 ;; esac; done
		echo "new spis $([ "$now" = "$(spis $HB)" ] && [ $old = 0 ] && echo same on both, none old)"
		echo "policies $(policies $HA) $(policies $HB)"
		wait $PING
		echo "ping $(seq_gaps $OUT/ping)"
		# hb drops the endpoints of ha when its lease runs out, and its receive SA
		# from ha with them (a fresh one when ha is back: its sequence may restart)
		kill -9 $(cat /run/agent-host-a)
		wait_until esp_is $HB 1
		! ip netns exec $HA ping -c 2 -i 0.2 -W 1 192.168.42.2
		# A rotation while ha is down: its ack went with its lease, hb alone acks.
		ip netns exec $HB $TOOL store $ETCD_U net42 rotate
		wait_until ring_is "{\"primary\":3,\"ids\":[3]}"
		wait_until esp_is $HB 0
		agent $HA host-a
		wait_until esp_is $HB 2
		wait_until same_spis
		echo "restarted $(esp_count $HA) $(ring_u)"
		echo "counts $(reconciled host-a)"
		ip netns exec $HA ping -c 3 -i 0.2 -W 1 192.168.42.2
		# Another tool flushes ha'"'"'s xfrm tables: the agent hears it from the
		# kernel (its slow pass is an hour away) and puts back what the ring
		# says; meanwhile the marked VXLAN is dropped, never sent in clear. Its
		# new send SA starts at sequence 1 under hb'"'"'s receive SA, whose replay
		# window refuses that: the agent asks for a new key.
		ip -n $HA xfrm state flush
		ip -n $HA xfrm policy flush
		wait_until ring_is "{\"primary\":4,\"ids\":[4]}"
		wait_until esp_is $HA 2
		wait_until esp_is $HB 2
		wait_until same_spis
		echo "after flush $(esp_count $HA) $(policies $HA) ping $(ip netns exec $HA ping -c 3 -i 0.2 -W 1 192.168.42.2 | grep -o "[0-9]* received")"
		# ha reboots within its lease: agent killed, its kernel state gone,
		# agent back before hb drops it; its past ack says hb had its SAs.
		kill -9 $(cat /run/agent-host-a)
		ip -n $HA xfrm state flush
		ip -n $HA xfrm policy flush
		agent $HA host-a
		wait_until ring_is "{\"primary\":5,\"ids\":[5]}"
		wait_until esp_is $HA 2
		wait_until esp_is $HB 2
		wait_until same_spis
		echo "after reboot $(esp_count $HA) $(policies $HA) ping $(ip netns exec $HA ping -c 3 -i 0.2 -W 1 192.168.42.2 | grep -o "[0-9]* received")"
		grep -h "send SAs were gone" /run/agent-host-a.log | sed "s/^.*overlayd: /log: /"
		capture_stop
		echo "vxlan42 $(count $OUT/cap.pcap "$(vni_filter 42)")"
		echo "spis $(tcpdump -r $OUT/cap.pcap -n "esp and src $A" 2>/dev/null | grep -o "spi=0x[0-9a-f]*" | sort -u | wc -l)"
		grep -h "rotation step" /run/agent-*.log | sed "s/^.*overlayd: /log: /" | sort | uniq -c
		! grep -ih "secret" /run/agent-*.log
		kill $(cat /run/agent-host-a) $(cat /run/agent-host-b)' >"$ND_TMP/s.sh"
	run kernel_run "$ND_TMP/s.sh" 300
	echo "$output"
	assert_success
	assert_line 'first {"primary":1,"ids":[1]}'
	assert_line 'rotated {"primary":2,"ids":[2]}'
	assert_line "ping 600 replies, last 600, 0 missing"
	assert_output --partial "3 received, 0% packet loss"
	assert_line "new spis same on both, none old"
	assert_line "policies 0xe500002a/0xffffffff 1073741908 0xe500002a/0xffffffff 1073741908"
	# ha came back with key 2's SAs and its policy on key 2: key 3 added, the policy moved, key 2 gone.
	assert_line --regexp '^restarted 2 \{"primary":3,"ids":\[3\]\}$'
	assert_line "counts SAs 0 kept, 2 added, 0 replaced, 2 removed; policies 0 kept, 0 added, 1 updated, 0 removed"
	# After the flush key 4 (reqid 0x40000054), after the reboot key 5 (0x40000055).
	assert_line "after flush 2 0xe500002a/0xffffffff 1073741908 ping 3 received"
	assert_line "after reboot 2 0xe500002a/0xffffffff 1073741909 ping 3 received"
	assert_equal "$(grep -c "^log: .*send SAs were gone.*rotation asked for" <<<"$output")" 2
	assert_line "vxlan42 0"
	assert_line "spis 5"
}
