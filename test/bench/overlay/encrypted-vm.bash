# SPDX-License-Identifier: MIT
# The encrypted phase of test/bench/overlay/run, as the script of a VM on
# Debian's kernel (test/vm/vm.bash: this project's machines have no ESP in
# theirs): two hosts, the real overlay plugin, netdock-overlayd and etcd,
# network "enc" encrypted and "pla" plain between the same two containers'
# hosts. Prints, for the machine side to turn into ratios:
#   tput enc|pla MBIT   TCP throughput e1->e2 / p1->p2 (iperf3), per round
#   rtt enc|pla MS      ping round trip, per round
#   rotate MS           a key rotation on demand, until every host is on the new key alone
#   propagate MS        a new container on h2, from its ADD until h1 reaches it
# Both sides of every ratio run in the same VM, alternating, so the
# emulator's own costs fall on both. Printed, never asserted.
set -u
source "$ND_SRC/test/vm/in-vm.bash"
load ../../overlay/lib
OV_TTL=8 # under the emulator a 2 s lease may expire between keepalives
nd_setup
ROUNDS=${ROUNDS:-3} SECS=${SECS:-3}

addr() { ip_of "$(cat "$ND_TMP/res-$1")"; }
attach() { ov_add "$1" "$2" "$3" >"$ND_TMP/res-$3"; }
ms_since() { echo $(((${EPOCHREALTIME/./} - $1) / 1000)); }
ring_primary() { ov_etcdctl get /nd/ipsec/enc/ring --print-value-only | jq -c '[.primary, [.keys[].id]]'; }
ring_is() { [ "$(ring_primary)" = "$1" ]; }

# tput FROM TO: Mbit/s of one iperf3 run between two containers.
tput() {
	ip netns exec "nd-$ND_ID-$2" iperf3 -s -1 -p 5301 >/dev/null 2>&1 &
	local srv=$!
	ov_wait_for 10 sh -c "ip netns exec nd-$ND_ID-$2 ss -ltn | grep -q ':5301 '"
	ip netns exec "nd-$ND_ID-$1" iperf3 -c "$(addr "$2")" -p 5301 -t "$SECS" -J |
		jq -r '.end.sum_received.bits_per_second / 1e6 | floor'
	wait "$srv" || true
}
rtt() {
	ip netns exec "nd-$ND_ID-$1" ping -c 20 -i 0.05 -q "$(addr "$2")" |
		awk -F/ '/^rtt/ {print $5}'
}

modprobe -a veth bridge vxlan xfrm_user esp4 gcm seqiv aesni_intel ghash_clmulni_intel \
	nf_tables nft_ct nft_masq nft_chain_nat nft_meta_bridge nf_conntrack
ov_hosts 2
ov_etcd 1
ov_agent 1
ov_agent 2
ENC=$(ov_net enc '[{"subnet":"10.77.0.0/16"}]' '{"encrypted":true}')
PLA=$(ov_net pla '[{"subnet":"10.78.0.0/16"}]')
attach 1 "$ENC" e1
attach 2 "$ENC" e2
attach 1 "$PLA" p1
attach 2 "$PLA" p2
ov_wait_for 60 reaches e1 "$(addr e2)"
ov_wait_for 30 reaches p1 "$(addr p2)"
for ((i = 0; i < ROUNDS; i++)); do
	echo "tput enc $(tput e1 e2)"
	echo "tput pla $(tput p1 p2)"
	echo "rtt enc $(rtt e1 e2)"
	echo "rtt pla $(rtt p1 p2)"
done
for ((i = 0; i < ROUNDS; i++)); do
	before=$(ring_primary)
	t0=${EPOCHREALTIME/./}
	ov_etcdctl put /nd/ipsec/enc/rotate 1 >/dev/null
	want=$(jq -c '[.[0] + 1, [.[0] + 1]]' <<<"$before")
	ov_wait_for 120 ring_is "$want"
	echo "rotate $(ms_since "$t0")"
	ov_wait_for 20 reaches e1 "$(addr e2)"
	t0=${EPOCHREALTIME/./}
	attach 2 "$ENC" "n$i"
	ov_wait_for 60 reaches e1 "$(addr "n$i")"
	echo "propagate $(ms_since "$t0")"
done
