# SPDX-License-Identifier: MIT
# Two hosts (network namespaces $HA, $HB) on a veth underlay, each with two
# VXLAN devices made by hand: VNI 42, to be encrypted, and VNI 43, plain.
# $TOOL is ipsec-tool, $OUT a folder for files. Sourced inside UML
# (lib.bash), where HA=ha HB=hb, and by the suites on this machine's kernel,
# which set unique names.
set -eu
: "${HA:=ha}" "${HB:=hb}" "${NETDOCK_NFT_TABLE:=netdock}"
export NETDOCK_NFT_TABLE
A=10.55.0.1 B=10.55.0.2 PORT=4789
CAPTURE_PID=
trap '[ -z "$CAPTURE_PID" ] || kill $CAPTURE_PID 2>/dev/null' EXIT

hosts_up() {
	ip netns add $HA
	ip netns add $HB
	ip link add u0 netns $HA type veth peer u1 netns $HB
	ip -n $HA addr add $A/24 dev u0
	ip -n $HB addr add $B/24 dev u1
	for h in $HA $HB; do
		ip -n $h link set lo up
		ip -n $h link set $(ip -n $h -o link show type veth | awk -F'[ :@]+' '{print $2}') up
	done
	vxlan $HA 42 $A $B u0 1
	vxlan $HB 42 $B $A u1 2
	vxlan $HA 43 $A $B u0 1
	vxlan $HB 43 $B $A u1 2
}

# vxlan HOST VNI LOCAL REMOTE DEV N: device vxVNI with 192.168.VNI.N/24.
vxlan() {
	ip -n $1 link add vx$2 type vxlan id $2 local $3 remote $4 dev $5 dstport $PORT nolearning
	ip -n $1 addr add 192.168.$2.$6/24 dev vx$2
	ip -n $1 link set vx$2 up
}

# mark_vni HOST: VNI 42's VXLAN gets the mark its policy selects. UML's
# Debian kernel has no nftables inet family (CONFIG_NF_TABLES_INET is off),
# so there the same mark and drop come from iptables (MARK_WITH=iptables),
# matching what common/ipsec-nft.c programs; this machine's kernel runs the
# nftables rules themselves (mark.bats).
mark_vni() {
	if [ "${MARK_WITH:-nft}" = nft ]; then
		ip netns exec $1 $TOOL nft $PORT 42
		return
	fi
	local vni='0>>22&0x3C@12>>8=42'
	ip netns exec $1 iptables-legacy -t mangle -A OUTPUT -p udp --dport $PORT -m u32 \
		--u32 "$vni" -j MARK --set-mark 0xe500002a
	ip netns exec $1 iptables-legacy -A INPUT -p udp --dport $PORT -m u32 --u32 "$vni" \
		-m policy --dir in --pol none -j DROP
}

# encrypt HOST LOCAL PEER: the host marks VNI 42 and applies the key ring.
encrypt() {
	mark_vni $1
	ip netns exec $1 $TOOL apply $OUT/ring.json 42 $PORT $2 $3
}

apply_a() { ip netns exec $HA $TOOL apply $OUT/ring.json 42 $PORT $A $B; }
apply_b() { ip netns exec $HB $TOOL apply $OUT/ring.json 42 $PORT $B $A; }

# capture_start FILE: tcpdump on hb's underlay end, until capture_stop.
capture_start() {
	ip netns exec $HB tcpdump -i u1 -n -U -w "$1" 2>/dev/null &
	CAPTURE_PID=$!
	# tcpdump opened its socket once it shows in /proc/net/packet of hb.
	for _ in $(seq 100); do
		[ "$(ip netns exec $HB cat /proc/net/packet | wc -l)" -gt 1 ] && return 0
		sleep 0.05
	done
	echo "tcpdump did not start"
	return 1
}

capture_stop() {
	sleep 0.2 # the last packets reach the capture file
	kill $CAPTURE_PID
	wait $CAPTURE_PID || true
	CAPTURE_PID=
}

# count FILE FILTER: packets of the capture matching a tcpdump filter.
count() {
	tcpdump -r "$1" -n "$2" 2>/dev/null | wc -l
}

# VXLAN on the underlay carrying VNI $2 (the VNI is bytes 4-6 of the VXLAN header).
vni_filter() {
	echo "udp dst port $PORT and (udp[12:4] >> 8) = $1"
}
