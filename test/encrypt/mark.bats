#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The nftables half of encryption on this machine's kernel (no ESP needed):
# the mark that common/ipsec-nft.c sets selects the outbound policy, so
# before the first key the encrypted VNI's packets are dropped by the kernel
# and never reach the wire, while a plain VNI between the same hosts flows;
# with no policy at all (flushed) they are dropped on the way out, never
# sent in clear; and plain VXLAN arriving for an encrypted VNI is dropped.

load ../helpers

setup() {
	nd_setup
	HA=nd-$ND_ID-ha HB=nd-$ND_ID-hb
	printf '%s\n' "$HA" "$HB" >>"$ND_TMP/netns"
	mkdir -p "$ND_TMP/out"
}
teardown() { nd_teardown; }

# host_script BODY: runs BODY after two hosts are up (test/encrypt/hosts.sh).
host_script() {
	printf 'source %s/test/encrypt/hosts.sh\nhosts_up\n%s\n' "$ND_SRC" "$1" >"$ND_TMP/s.sh"
	HA=$HA HB=$HB TOOL=$ND_TEST_DIR/ipsec-tool OUT=$ND_TMP/out bash "$ND_TMP/s.sh"
}

@test "before the first key the kernel drops the encrypted VNI; the plain one flows" {
	run host_script '
		echo "{\"keys\":[],\"primary\":0}" >$OUT/ring.json
		encrypt $HA $A $B
		encrypt $HB $B $A
		capture_start $OUT/cap.pcap
		! ip netns exec $HA ping -c 3 -i 0.2 -W 1 192.168.42.2
		ip netns exec $HA ping -c 3 -i 0.2 -W 1 192.168.43.2
		capture_stop
		echo "vxlan42 $(count $OUT/cap.pcap "$(vni_filter 42)")"
		echo "vxlan43 $(count $OUT/cap.pcap "$(vni_filter 43)")"
		echo "esp $(count $OUT/cap.pcap esp)"
		ip netns exec $HA grep XfrmOutNoStates /proc/net/xfrm_stat
		ip -n $HA xfrm policy'
	echo "$output"
	assert_success
	assert_output --partial "3 received, 0% packet loss"
	assert_line "vxlan42 0"
	assert_line "esp 0"
	[[ $(grep '^vxlan43 ' <<<"$output" | cut -d' ' -f2) -ge 3 ]]
	# The kernel found the policy (by the mark) and no SA for it.
	assert_output --regexp "XfrmOutNoStates[[:space:]]+[1-9]"
	assert_output --partial "mark 0xe500002a/0xffffffff"
}

@test "with its policy gone the encrypted VNI is dropped on the way out, never sent in clear" {
	run host_script '
		echo "{\"keys\":[],\"primary\":0}" >$OUT/ring.json
		encrypt $HA $A $B
		# Another tool flushes the policies: the mark selects nothing now.
		ip -n $HA xfrm policy flush
		capture_start $OUT/cap.pcap
		! ip netns exec $HA ping -c 3 -i 0.2 -W 1 192.168.42.2
		ip netns exec $HA ping -c 3 -i 0.2 -W 1 192.168.43.2
		capture_stop
		# From ha only: hb, not encrypting here, sends its own (IPv6 autoconf).
		echo "vxlan42 $(count $OUT/cap.pcap "src $A and $(vni_filter 42)")"
		echo "vxlan43 $(count $OUT/cap.pcap "src $A and $(vni_filter 43)")"
		echo "policies $(ip -n $HA xfrm policy | grep -c "^src" || true)"
		ip netns exec $HA nft list chain inet $NETDOCK_NFT_TABLE overlay-encrypt-post'
	echo "$output"
	assert_success
	assert_line "policies 0"
	assert_line "vxlan42 0"
	[[ $(grep '^vxlan43 ' <<<"$output" | cut -d' ' -f2) -ge 3 ]]
	assert_output --regexp "rt ipsec missing counter packets [1-9][0-9]* bytes [0-9]+ drop"
}

@test "plain VXLAN arriving for an encrypted VNI is dropped, and only while it is encrypted" {
	run host_script '
		# HB treats VNI 42 as encrypted; HA sends it unmarked, in clear.
		ip netns exec $HB $TOOL nft $PORT 42
		capture_start $OUT/cap.pcap
		! ip netns exec $HA ping -c 3 -i 0.2 -W 1 192.168.42.2
		capture_stop
		echo "vxlan42 $(count $OUT/cap.pcap "$(vni_filter 42)")"
		ip netns exec $HB nft list chain inet $NETDOCK_NFT_TABLE overlay-encrypt-in
		ip netns exec $HB nft list chain inet $NETDOCK_NFT_TABLE overlay-encrypt-out
		# Without the element, the same packets are let in.
		ip netns exec $HB $TOOL nft $PORT 42 del
		ip netns exec $HA ping -c 2 -i 0.2 -W 1 192.168.42.2'
	echo "$output"
	assert_success
	[[ $(grep '^vxlan42 ' <<<"$output" | cut -d' ' -f2) -ge 3 ]]
	assert_output --regexp "meta ipsec missing counter packets [1-9][0-9]* bytes [0-9]+ drop"
	assert_output --partial "meta mark set udp dport . @th,96,24 map @overlay_encrypted"
	assert_output --partial "2 received, 0% packet loss"
}

@test "removing a network's policy and element leaves no xfrm or nftables state of it" {
	run host_script '
		echo "{\"keys\":[],\"primary\":0}" >$OUT/ring.json
		encrypt $HA $A $B
		ip netns exec $HA $TOOL clear 42 $PORT $A $B 1 2
		ip netns exec $HA $TOOL nft $PORT 42 del
		echo "policies $(ip -n $HA xfrm policy | grep -c "dir out" || true)"
		ip netns exec $HA nft list map inet $NETDOCK_NFT_TABLE overlay_encrypted'
	echo "$output"
	assert_success
	assert_line "policies 0"
	refute_output --partial "elements"
}
