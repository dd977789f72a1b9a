# SPDX-License-Identifier: MIT
# Two hosts (network namespaces $HA, $HB) on a veth underlay, each with two
# VXLAN devices made by hand: VNI 42, to be encrypted, and VNI 43, plain.
# $TOOL is ipsec-tool, $OUT a folder for files. Sourced inside the VM
# (lib.bash), where HA=ha HB=hb, and by the suites on this machine's kernel,
# which set unique names.
set -eu
: "${HA:=ha}" "${HB:=hb}" "${NETDOCK_NFT_TABLE:=netdock}"
export NETDOCK_NFT_TABLE
A=10.55.0.1 B=10.55.0.2 PORT=4789
CAPTURE_PID=
source "$(dirname "${BASH_SOURCE[0]}")/ping.sh"
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

# mark_vni HOST: VNI 42's VXLAN gets the mark its policy selects, and plain
# VXLAN arriving for it is dropped (common/ipsec-nft.c's rules).
mark_vni() {
	ip netns exec $1 $TOOL nft $PORT 42
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

# etcd_up: one etcd member on the VM's own loopback (the hosts' agents reach it
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

# agents_up: netdock-overlayd per host, each with its own run dir holding what
# the overlay plugin would have written for VNI 42 (encrypted) and one
# endpoint record (the VXLAN device's own MAC and address stand for a
# container); etcd runs in $HA on the underlay, so both hosts reach it.
ETCD_U=http://$A:23790
etcd_up_underlay() {
	mkdir -p /run/etcd
	ip netns exec $HA etcd --name u --data-dir /run/etcd/d --listen-client-urls $ETCD_U \
		--advertise-client-urls $ETCD_U --listen-peer-urls http://$A:23800 \
		--initial-advertise-peer-urls http://$A:23800 \
		--initial-cluster u=http://$A:23800 >/run/etcd/log 2>&1 &
	for _ in $(seq 200); do
		ip netns exec $HB curl -sf -X POST -d '{"key":"eA=="}' $ETCD_U/v3/kv/range \
			>/dev/null && return 0
		sleep 0.05
	done
	echo "etcd did not start"
	return 1
}

# run_dir HOST NAME VTEP N: overlay/net42.json and one endpoint record in /run/rd-NAME.
run_dir() {
	local d=/run/rd-$2 mac
	mac=$(ip -n $1 -j link show vx42 | jq -r '.[0].address')
	mkdir -p $d/overlay $d/endpoints/net42
	printf '{"name":"net42","vni":42,"vxlan":"vx42","bridge":"vx42","vtep":"%s","port":%s,"host":"%s","encrypted":true}\n' \
		$3 $PORT $2 >$d/overlay/net42.json
	printf '{"containerID":"c%s","ifname":"eth0","netns":"","name":"c%s","aliases":[],"links":[],"ips":["192.168.42.%s/24"],"mac":"%s","hostInterface":"","host":""}\n' \
		$4 $4 $4 $mac >$d/endpoints/net42/c$4-eth0.json
}

# agents_up: both hosts marking VNI 42, etcd on the underlay, a record and an
# agent on each, and each host's two SAs in place.
agents_up() {
	etcd_up_underlay
	mark_vni $HA
	mark_vni $HB
	run_dir $HA host-a $A 1
	run_dir $HB host-b $B 2
	agent $HA host-a
	agent $HB host-b
	wait_until esp_is $HA 2
	wait_until esp_is $HB 2
}

# agent HOST NAME: starts that host's overlayd; its PID goes to /run/agent-NAME.
# Its slow fallback pass is an hour away: keys reach it through its etcd watch.
# Its lease (8 s, the default is 3) outlasts a restart of the ASan build in
# the emulated VM, which takes seconds: a restart, not a host that left.
agent() {
	ip netns exec $1 env NETDOCK_IPSEC_INTERVAL=3600 NETDOCK_IPSEC_POLL=3600 NETDOCK_LOG_LEVEL=info \
		${BIN:-$SRC/build/bin}/netdock-overlayd --endpoints $ETCD_U --host $2 --ttl 8 \
		--run-dir /run/rd-$2 >>/run/agent-$2.log 2>&1 &
	echo $! >/run/agent-$2
}

# esp_count HOST: the ESP SAs in the host's kernel.
esp_count() { ip -n $1 xfrm state | grep -c "proto esp" || true; }

# wait_until CMD...: retries CMD for up to 20 s.
wait_until() {
	for _ in $(seq 400); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "timed out: $*"
	tail -n 15 /run/agent-*.log 2>/dev/null
	return 1
}

esp_is() { test "$(esp_count $1)" = "$2"; }

# sas HOST: the host's ESP SAs, one "src>dst spi reqid" a line, sorted.
sas() { ip -n $1 xfrm state | awk '/^src /{s=$2; d=$4} /proto esp spi/{print s ">" d, $4, $6}' | sort; }
# spis HOST: their SPIs on one line, sorted.
spis() { sas $1 | awk '{print $2}' | sort | tr '\n' ' '; }
# same_spis: both hosts hold SAs with the same SPIs (each one's send is the other's receive).
same_spis() { test -n "$(spis $HA)" && test "$(spis $HA)" = "$(spis $HB)"; }
# policies HOST: each policy's "mark reqid", sorted.
policies() { ip -n $1 xfrm policy | awk '/^[ \t]*mark /{m=$2} /proto esp reqid/{print m, $4}' | sort; }
# sa_add HOST SRC DST SPI REQID: an ESP transport SA with a throwaway key, made by iproute2.
sa_add() {
	ip -n $1 xfrm state add src $2 dst $3 proto esp spi $4 reqid $5 mode transport \
		aead 'rfc4106(gcm(aes))' 0x$(printf '%040x' $(($4))) 128
}
# reconciled NAME: the counts of the agent's last full ipsec pass.
reconciled() { grep "ipsec reconciled" /run/agent-$1.log | tail -1 | sed 's/^.*reconciled: //'; }
ring_is() { test "$(ring_u)" = "$1"; }

ring_u() {
	ip netns exec $HB etcdctl --endpoints=$ETCD_U get /netdock/ipsec/net42/ring \
		--print-value-only | jq -c '{primary, ids: [.keys[].id]}'
}
