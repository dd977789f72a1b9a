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

# capture_start FILE: tcpdump on hb's underlay end, until capture_stop.
capture_start() {
	ip netns exec $HB tcpdump -i u1 -n -U --immediate-mode -w "$1" 2>"$1.err" &
	CAPTURE_PID=$!
	# "listening on" comes once the socket is bound to u1: nothing after it is missed.
	for _ in $(seq 200); do
		grep -q "listening on" "$1.err" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "tcpdump did not start"
	return 1
}

# Immediate mode: without it packets wait in a ring block until a timeout,
# and those of the last second die with tcpdump.
capture_stop() {
	sleep 0.2 # the last packets reach the socket
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

# etcd_up: one etcd member on UML's own loopback (the hosts' agents reach it
# from the root namespace, as ipsec-tool sync does), data on tmpfs.
ETCD=http://127.0.0.1:23790
etcd_up() {
	mkdir -p /run/etcd
	etcd --name u --data-dir /run/etcd/d --listen-client-urls $ETCD \
		--advertise-client-urls $ETCD --listen-peer-urls http://127.0.0.1:23800 \
		--initial-advertise-peer-urls http://127.0.0.1:23800 \
		--initial-cluster u=http://127.0.0.1:23800 >/run/etcd/log 2>&1 &
	for _ in $(seq 200); do
		curl -sf -X POST -d '{"key":"eA=="}' $ETCD/v3/kv/range >/dev/null && return 0
		sleep 0.05
	done
	echo "etcd did not start"
	return 1
}

# sync_a / sync_b: one pass of a host's agent (etcd -> kernel -> ack).
sync_a() { $TOOL sync $ETCD net42 host-a /run/netns/$HA 42 $PORT $A $B; }
sync_b() { $TOOL sync $ETCD net42 host-b /run/netns/$HB 42 $PORT $B $A; }
advance() { $TOOL store $ETCD net42 advance 3600; }
ring_json() {
	etcdctl --endpoints=$ETCD get /netdock/ipsec/net42/ring --print-value-only |
		jq -c '{primary, ids: [.keys[].id]}'
}
