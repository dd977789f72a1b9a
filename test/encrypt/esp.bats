#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# VXLAN of an encrypted VNI travels as ESP between two hosts; a plain VNI
# between the same hosts stays plain; a key rotation under a continuous
# ping loses nothing; the ESP probe. Runs in a UML kernel with ESP (lib.bash).

load lib

setup() { nd_setup; }
teardown() { nd_teardown; }

# scenario NAME BODY: a script for uml_run that sets up both hosts first.
scenario() {
	printf 'MARK_WITH=iptables\nsource %s/test/encrypt/hosts.sh\nhosts_up\n%s\n' \
		"$ND_SRC" "$2" >"$ND_TMP/$1.sh"
	echo "$ND_TMP/$1.sh"
}

@test "encrypted VNI travels as ESP, the plain one as VXLAN, between the same hosts" {
	s=$(scenario esp '
		$TOOL ring $OUT/ring.json new
		encrypt ha $A $B
		encrypt hb $B $A
		capture_start $OUT/cap.pcap
		ip netns exec ha ping -c 5 -i 0.1 -W 2 192.168.42.2
		ip netns exec ha ping -c 5 -i 0.1 -W 2 192.168.43.2
		capture_stop
		echo "esp $(count $OUT/cap.pcap esp)"
		echo "vxlan42 $(count $OUT/cap.pcap "$(vni_filter 42)")"
		echo "vxlan43 $(count $OUT/cap.pcap "$(vni_filter 43)")"
		ip -n ha xfrm state | grep -c "proto esp"
		ip -n ha xfrm policy')
	run uml_run "$s"
	echo "$output"
	assert_success
	assert_output --partial "5 received, 0% packet loss"
	assert_line --regexp '^vxlan42 0$'
	# Echo requests and replies of VNI 43, plain: at least the 5 requests.
	[[ $(grep '^vxlan43 ' <<<"$output" | cut -d' ' -f2) -ge 5 ]]
	# Both directions of VNI 42 (and its ARP) as ESP, seen from hb's end of the underlay.
	[[ $(grep '^esp ' <<<"$output" | cut -d' ' -f2) -ge 10 ]]
	assert_output --partial "mark 0xe500002a/0xffffffff"
	assert_output --partial "proto esp reqid"
}

@test "a key rotation under a continuous ping loses nothing" {
	s=$(scenario rotate '
		$TOOL ring $OUT/ring.json new
		encrypt ha $A $B
		encrypt hb $B $A
		ip netns exec ha ping -c 2 -W 2 192.168.42.2
		capture_start $OUT/cap.pcap
		ip netns exec ha ping -i 0.01 -c 400 -W 2 192.168.42.2 >$OUT/ping &
		PING=$!
		sleep 0.5
		# The order netdock-overlayd follows: every host receives with the
		# new key, then each sends with it, then the old one goes.
		$TOOL ring $OUT/ring.json begin; apply_a; apply_b
		sleep 0.5
		$TOOL ring $OUT/ring.json promote; apply_a
		sleep 0.5
		apply_b
		sleep 0.5
		$TOOL ring $OUT/ring.json retire; apply_a; apply_b
		wait $PING
		capture_stop
		tail -2 $OUT/ping
		echo "spis $(tcpdump -r $OUT/cap.pcap -n "esp and src $A" 2>/dev/null | grep -o "spi=0x[0-9a-f]*" | sort -u | wc -l)"
		echo "states $(ip -n ha xfrm state | grep -c "proto esp")"')
	run uml_run "$s"
	echo "$output"
	assert_success
	assert_output --partial "400 packets transmitted, 400 received, 0% packet loss"
	# ha sent with the old key, then the new one.
	assert_line "spis 2"
	# After the retire only the new key's two SAs (in and out) remain.
	assert_line "states 2"
}

@test "without esp4 the probe fails with the kernel's reason, with it the probe passes" {
	s=$(scenario probe '
		! ip netns exec ha $TOOL probe
		modprobe -d /run/mods esp4
		echo /run/modprobe >/proc/sys/kernel/modprobe
		ip netns exec ha $TOOL probe')
	# No module autoload for the first probe: the kernel must not fetch esp4 itself.
	sed -i 's|^hosts_up$|echo /bin/false >/proc/sys/kernel/modprobe; hosts_up|' "$s"
	run uml_run "$s"
	echo "$output"
	assert_success
	assert_output --regexp "ipsec-tool: ESP with rfc4106\(gcm\(aes\)\): .*(Protocol not supported|not found)"
	assert_output --partial "esp: supported"
}
