#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Key rings in etcd (common/ipsec-store.c) driving two hosts' kernels, in a
# VM on Debian's kernel with ESP: the first key, a rotation asked for on demand that
# advances only when every host acked and loses nothing under a continuous
# ping, an agent pass repeated (a restart) that changes nothing, and a host
# joining after rotations that gets working keys.

# test/run: vm

load lib

setup() { nd_setup; }
teardown() { nd_teardown; }

scenario() {
	printf 'source %s/test/encrypt/hosts.sh\nhosts_up\netcd_up\n%s\n' \
		"$ND_SRC" "$2" >"$ND_TMP/$1.sh"
	echo "$ND_TMP/$1.sh"
}

@test "rotation through etcd: each step waits for every host's ack and no packet is lost" {
	s=$(scenario etcd-rotate '
		mark_vni $HA
		mark_vni $HB
		sync_a
		sync_b
		echo "first $(ring_json)"
		ip netns exec $HA ping -c 2 -W 2 192.168.42.2
		capture_start $OUT/cap.pcap
		ping_replies $HA 192.168.42.2 500 0.01 $OUT/ping &
		PING=$!
		sleep 0.3
		$TOOL store $ETCD net42 rotate
		echo "$(advance) $(ring_json)"
		sync_a
		# hb has not acked the new key yet: nobody may send with it.
		echo "early $(advance)"
		sync_b
		echo "$(advance) $(ring_json)"
		sync_a
		sleep 0.3
		sync_b
		echo "$(advance) $(ring_json)"
		sync_a
		sync_b
		echo "after $(advance)"
		wait $PING
		# An agent restarted: the same pass again changes nothing.
		before=$(ip -n $HA xfrm state | grep -c "proto esp")
		sync_a
		echo "restart $before $(ip -n $HA xfrm state | grep -c "proto esp")"
		ip netns exec $HA ping -c 2 -W 2 192.168.42.2
		capture_stop
		echo "ping $(seq_gaps $OUT/ping)"
		echo "vxlan42 $(count $OUT/cap.pcap "$(vni_filter 42)")"
		echo "spis $(tcpdump -r $OUT/cap.pcap -n "esp and src $A" 2>/dev/null | grep -o "spi=0x[0-9a-f]*" | sort -u | wc -l)"')
	run kernel_run "$s"
	echo "$output"
	assert_success
	assert_line 'first {"primary":1,"ids":[1]}'
	assert_line 'step 2 {"primary":1,"ids":[1,2]}'
	assert_line "early step 0"
	assert_line 'step 3 {"primary":2,"ids":[1,2]}'
	assert_line 'step 4 {"primary":2,"ids":[2]}'
	assert_line "after step 0"
	assert_line "restart 2 2"
	assert_line "ping 500 replies, last 500, 0 missing"
	assert_line "vxlan42 0"
	assert_line "spis 2"
}

@test "a host joining after two rotations gets working keys" {
	s=$(scenario etcd-join '
		mark_vni $HA
		mark_vni $HB
		sync_a
		for i in 1 2; do
			$TOOL store $ETCD net42 rotate
			for step in begin promote retire; do advance; sync_a; done
		done
		echo "ring $(ring_json)"
		sync_b
		capture_start $OUT/cap.pcap
		ip netns exec $HB ping -c 3 -i 0.2 -W 2 192.168.42.1
		capture_stop
		echo "esp $(count $OUT/cap.pcap esp)"
		echo "vxlan42 $(count $OUT/cap.pcap "$(vni_filter 42)")"')
	run kernel_run "$s"
	echo "$output"
	assert_success
	assert_line 'ring {"primary":3,"ids":[3]}'
	assert_output --partial "3 received, 0% packet loss"
	assert_line "vxlan42 0"
	[[ $(grep '^esp ' <<<"$output" | cut -d' ' -f2) -ge 6 ]]
}
