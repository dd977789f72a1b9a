#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# netdock-overlayd restarted over the kernel state a previous run left, in
# a VM on Debian's kernel with ESP: SAs of a peer that left, of a key the ring no
# longer holds, of a network deleted meanwhile (and that network's policy)
# are removed; the SAs and policy that are right are left alone, so a
# continuous ping across the restart loses nothing and never leaves in
# clear; someone else's SA is not touched.

# test/run: vm

load lib

setup() { nd_setup; }
teardown() { nd_teardown; }

@test "overlayd restart: exactly the ring's SAs remain, traffic flows encrypted across it" {
	printf 'source %s/test/encrypt/hosts.sh\n%s\n' "$ND_SRC" '
		C=10.55.0.3
		# The restarted agent has reconciled (its log holds both runs).
		restarted() { test "$(grep -c "reconciled at revision" /run/agent-host-a.log)" -ge 2; }
		hosts_up
		agents_up
		wait_until ip netns exec $HA ping -c 1 -W 1 192.168.42.2
		sas $HA >$OUT/right
		policies $HA >$OUT/policy
		ip netns exec $HB etcdctl --endpoints=$ETCD_U get /netdock/ipsec/net42/ring \
			--print-value-only >$OUT/ring.json
		capture_start $OUT/cap.pcap
		ping_replies $HA 192.168.42.2 400 0.01 $OUT/ping &
		PING=$!
		sleep 1
		kill $(cat /run/agent-host-a)
		wait $(cat /run/agent-host-a) || true
		# While the agent is down (a running one hears the kernel and cleans
		# up at once), as a previous run may leave them: both SAs of the
		# current key with a host that left ...
		ip netns exec $HA $TOOL sas $OUT/ring.json 42 $PORT $A $C
		# ... both of key 4 (reqid 0x40000054), which the ring no longer holds ...
		sa_add $HA $B $A 0x4444 0x40000054
		sa_add $HA $A $B 0x4445 0x40000054
		# ... an SA and the policy of VNI 77, a network deleted meanwhile ...
		sa_add $HA $A $B 0x7777 0x4000009a
		ip -n $HA xfrm policy add dir out proto udp dport $PORT mark 0xe500004d \
			mask 0xffffffff tmpl proto esp mode transport reqid 0x4000009a
		# ... and an SA that is not netdock'"'"'s (reqid 7).
		sa_add $HA $A $B 0x9999 7
		echo "planted $(esp_count $HA)"
		# The send SA to the host that left stays while its key lives (its
		# receive SA may expect our sequence to go on), the other SA is not ours.
		{ cat $OUT/right; sas $HA | grep "^$A>$C "; sas $HA | grep " 0x00009999 "; } |
			sort >$OUT/want
		LOG_BEFORE=$(wc -l </run/agent-host-a.log)
		agent $HA host-a
		wait_until restarted
		wait $PING
		capture_stop
		echo "ping $(seq_gaps $OUT/ping)"
		# The restarted agent'"'"'s first full pass (a later one, after a lease
		# renewal on a busy machine, finds less to do).
		echo "counts $(tail -n +$((LOG_BEFORE + 1)) /run/agent-host-a.log | grep "ipsec reconciled" | head -1 | sed "s/^.*reconciled: //")"
		sas $HA >$OUT/have
		policies $HA >$OUT/policy-now
		echo "sas $(wc -l <$OUT/have)"
		if cmp -s $OUT/want $OUT/have; then echo "sas as expected"; else
			echo "want:"; cat $OUT/want; echo "have:"; cat $OUT/have; fi
		if cmp -s $OUT/policy $OUT/policy-now; then echo "policy as before: $(cat $OUT/policy)"; else
			echo "policies:"; cat $OUT/policy-now; fi
		echo "vxlan42 $(count $OUT/cap.pcap "$(vni_filter 42)")"
		kill $(cat /run/agent-host-a) $(cat /run/agent-host-b)' >"$ND_TMP/s.sh"
	run kernel_run "$ND_TMP/s.sh" 240
	echo "$output"
	assert_success
	assert_line "planted 8"
	assert_line "ping 400 replies, last 400, 0 missing"
	assert_line "counts SAs 3 kept, 0 added, 0 replaced, 4 removed; policies 1 kept, 0 added, 0 updated, 1 removed"
	assert_line "sas 4"
	assert_line "sas as expected"
	# VNI 42's, on key 1 (reqid 0x40000055): VNI 77's went.
	assert_line "policy as before: 0xe500002a/0xffffffff 1073741909"
	assert_line "vxlan42 0"
}
