# SPDX-License-Identifier: MIT
# An encrypted overlay network end to end on three hosts, run as the VM's
# script (test/vm/vm.bash) by overlay.bats: the real overlay plugin,
# netdock-overlayd, netdock-dnsd and etcd, as test/overlay/ runs them on the
# machine's kernel (its helpers, unchanged), here on a kernel with ESP.
# Network "enc" is encrypted, "pla" plain, both between hosts h1 and h2; h3
# joins after a key rotation. Every check leaves $OUT/NAME.rc and NAME.log
# (vm_check); overlay.bats asserts them one by one. A tcpdump on the
# underlay bridge watches each check's traffic.
set -u
source "$ND_SRC/test/vm/in-vm.bash"
load ../overlay/lib
source "$ND_SRC/test/encrypt/ping.sh"
# Leases of 8 s, not 2: under the emulator, with ASan and CI's other suites
# beside it, an agent's keepalive can come late, and an expired lease takes
# its host's endpoints (and traffic) away until it publishes again.
OV_TTL=8
nd_setup
UL=nd-$ND_ID-ul
CAPS=$ND_TMP/cap
mkdir -p "$CAPS"

# cap_start NAME / cap_stop: a capture on the underlay bridge, all hosts' VXLAN and ESP.
cap_start() {
	ip netns exec "$UL" tcpdump -i ul0 -n -U --immediate-mode -Z root -w "$CAPS/$1.pcap" \
		2>"$CAPS/$1.err" &
	CAP=$!
	ov_wait_for 20 grep -q "listening on" "$CAPS/$1.err"
}
cap_stop() {
	sleep 0.3 # the last packets reach the socket
	kill "$CAP"
	wait "$CAP" || true
}
# cap_count NAME FILTER: packets of capture NAME matching a tcpdump filter.
cap_count() { tcpdump -r "$CAPS/$1.pcap" -n "$2" 2>/dev/null | wc -l; }
# The VNI is bytes 4-6 of the VXLAN header: plain VXLAN of network NET.
clear_of() { echo "udp dst port 4789 and (udp[12:4] >> 8) = $(vni_of "$1")"; }
vni_of() { jq -r .vni "$ND_TMP/h1/run/overlay/$1.json"; }
# no_clear NAME: capture NAME holds no plain VXLAN of the encrypted network (and says so).
no_clear() {
	local n
	n=$(cap_count "$1" "$(clear_of enc)")
	echo "$1: VXLAN of enc (VNI $(vni_of enc)) in clear: $n; ESP: $(cap_count "$1" esp)"
	[ "$n" = 0 ]
}
addr() { cat "$ND_TMP/addr-$1"; }
attach() { # HOST NET CONTAINER
	ov_add "$1" "$2" "$3" >"$ND_TMP/res-$3"
	ip_of "$(cat "$ND_TMP/res-$3")" >"$ND_TMP/addr-$3"
	echo "$3 on h$1: $(addr "$3")"
}
pings() { inside "$1" ping -c "${3:-3}" -i 0.1 -W 2 "$2"; }
# ping_bg FROM TO INTERVAL FILE: a ping until SIGINT; $! is ping itself (ip
# netns exec execs it), not a subshell, which would ignore SIGINT.
ping_bg() { ip netns exec "nd-$ND_ID-$1" ping -i "$3" "$(addr "$2")" >"$4" 2>&1 & }
ring() {
	ov_etcdctl get /nd/ipsec/enc/ring --print-value-only | jq -c '{primary, ids: [.keys[].id]}'
}
ring_is() { [ "$(ring)" = "$1" ]; }
esp_sas() { on_host "$1" ip xfrm state | grep -c "proto esp" || true; }

# Containers e1 (h1), e2 (h2) on enc and p1, p2 on pla; the first key and
# its SAs come from the agents. Nothing of enc leaves in clear meanwhile.
check_attach() {
	local t0=$SECONDS
	cap_start attach
	# Two hosts at once, as two runtimes would (and the VM has two CPUs).
	attach 1 "$ENC" e1 &
	attach 2 "$ENC" e2
	wait $!
	attach 1 "$PLA" p1 &
	attach 2 "$PLA" p2
	wait $!
	ov_wait_for 30 reaches e1 "$(addr e2)"
	echo "e1 reaches e2 after $((SECONDS - t0)) s"
	cap_stop
	echo "ring $(ring); SAs h1 $(esp_sas 1) h2 $(esp_sas 2)"
	no_clear attach
}

check_address() {
	pings e1 "$(addr e2)"
	pings e2 "$(addr e1)"
	pings p1 "$(addr p2)"
}

check_name() {
	local a
	ov_wait_for 10 test -e "$ND_TMP/h1/run/endpoints/enc/$(nd_cid e2)-eth0.json"
	a=$(dig_on e1 e2)
	echo "e1: e2 is $a"
	[ "$a" = "$(addr e2)" ]
	pings e1 "$a"
	a=$(dig_on e2 e1)
	echo "e2: e1 is $a"
	[ "$a" = "$(addr e1)" ]
	pings e2 "$a"
}

# Both networks' pings on one capture: enc only as ESP, pla as plain VXLAN.
check_esp_only() {
	local esp plain
	cap_start esp
	pings e1 "$(addr e2)" 10
	pings p1 "$(addr p2)" 10
	cap_stop
	esp=$(cap_count esp "esp and host 10.99.0.1 and host 10.99.0.2")
	plain=$(cap_count esp "$(clear_of pla)")
	echo "VNI enc $(vni_of enc), pla $(vni_of pla); ESP h1-h2 $esp; VXLAN of pla $plain"
	no_clear esp
	[ "$esp" -ge 20 ] && [ "$plain" -ge 20 ]
	on_host 1 ip xfrm policy | grep -E "^src|mark|tmpl|proto esp" | head -8
}

# A rotation asked for on demand (the `rotate` key) completes under a
# continuous ping both ways; no reply is missing and both keys were used.
check_rotation() {
	local p1 p2 spis
	echo "before $(ring)"
	cap_start rotation
	ping_bg e1 e2 0.01 "$ND_TMP/ping12"
	p1=$!
	ping_bg e2 e1 0.01 "$ND_TMP/ping21"
	p2=$!
	sleep 1
	ov_etcdctl put /nd/ipsec/enc/rotate 1 >/dev/null
	ov_wait_for 60 ring_is '{"primary":2,"ids":[2]}'
	echo "after $(ring)"
	# The old key's SAs go after the retire: keep pinging past it.
	ov_wait_for 20 sh -c "[ \$(ip netns exec nd-$ND_ID-h1 ip xfrm state | grep -c 'proto esp') = 2 ]"
	sleep 1
	kill -INT "$p1" "$p2"
	wait "$p1" "$p2" || true
	cap_stop
	tail -n 2 "$ND_TMP/ping12" "$ND_TMP/ping21"
	spis=$(tcpdump -r "$CAPS/rotation.pcap" -n "esp and src 10.99.0.1" 2>/dev/null |
		grep -o "spi=0x[0-9a-f]*" | sort -u | wc -l)
	echo "SPIs from h1: $spis; SAs h1 $(esp_sas 1) h2 $(esp_sas 2)"
	echo "e1->e2: $(seq_gaps "$ND_TMP/ping12")"
	echo "e2->e1: $(seq_gaps "$ND_TMP/ping21")"
	grep -h "rotation step" "$ND_TMP"/h[12]/overlayd.log | sed 's/^.*overlayd: //' | sort | uniq -c
	no_clear rotation
	[ "$spis" = 2 ]
	seq_gaps "$ND_TMP/ping12" | grep -q ", 0 missing"
	seq_gaps "$ND_TMP/ping21" | grep -q ", 0 missing"
	[ "$(seq_gaps "$ND_TMP/ping12" | cut -d' ' -f1)" -ge 100 ]
}

# h3 starts its agent and dnsd after the rotation: it gets the ring's
# current key and reaches both others, by address and name.
check_join() {
	cap_start join
	ov_agent 3
	# ov_dnsd waits 5 s for "serving": under the emulator (and ASan) it may need more.
	ov_dnsd 3 || ov_wait_for 30 grep -q serving "$ND_TMP/h3/dnsd.log"
	attach 3 "$ENC" e3
	ov_wait_for 30 reaches e3 "$(addr e1)"
	pings e3 "$(addr e1)"
	pings e3 "$(addr e2)"
	pings e1 "$(addr e3)"
	pings e2 "$(addr e3)"
	ov_wait_for 10 test -e "$ND_TMP/h3/run/endpoints/enc/$(nd_cid e1)-eth0.json"
	echo "e3: e1 is $(dig_on e3 e1)"
	[ "$(dig_on e3 e1)" = "$(addr e1)" ]
	cap_stop
	echo "ring $(ring); acks: $(ov_etcdctl get --prefix /nd/ipsec/enc/ack/ | paste -sd' ')"
	echo "SAs h3 $(esp_sas 3)"
	no_clear join
	[ "$(ov_etcdctl get /nd/ipsec/enc/ack/h3 --print-value-only)" = "2:2" ]
}

# h1's agent killed with -9 under a ping, left down past its lease, then
# restarted: enc never in clear, and working again both ways afterwards.
check_restart() {
	local p
	cap_start restart
	ping_bg e1 e2 0.05 "$ND_TMP/ping-restart"
	p=$!
	cat "$ND_TMP/h1/overlayd.pid" >>"$ND_TMP/killed"
	ov_agent_kill 1 KILL
	echo "killed; SAs h1 $(esp_sas 1) h2 $(esp_sas 2)"
	# Past its lease (OV_TTL): the peers drop h1's endpoints, and their receive SAs from it.
	ov_wait_for $((OV_TTL + 10)) ov_no_trace 2 10.99.0.1
	ov_wait_for 10 ov_no_trace 3 10.99.0.1
	echo "down: SAs h1 $(esp_sas 1) h2 $(esp_sas 2)"
	ov_agent 1
	ov_wait_for 30 reaches e1 "$(addr e2)"
	pings e1 "$(addr e2)"
	pings e2 "$(addr e1)"
	pings e3 "$(addr e1)"
	pings e1 "$(addr e3)"
	kill -INT "$p"
	wait "$p" || true
	cap_stop
	tail -n 2 "$ND_TMP/ping-restart"
	echo "restarted: ring $(ring); SAs h1 $(esp_sas 1) h2 $(esp_sas 2) h3 $(esp_sas 3)"
	no_clear restart
	[ "$(cap_count restart "esp and src 10.99.0.1")" -gt 0 ]
}

# Every daemon still runs (but the agent killed on purpose), then stops on
# TERM with nothing from the sanitizers.
check_daemons() {
	local pid f bad=0
	grep -vxFf "$ND_TMP/killed" "$ND_TMP/pids" >"$ND_TMP/live"
	while read -r pid; do
		kill -0 "$pid" 2>/dev/null || { echo "pid $pid died: $(tr '\0' ' ' </proc/$pid/cmdline 2>/dev/null)"; bad=1; }
	done <"$ND_TMP/live"
	while read -r pid; do kill "$pid" 2>/dev/null; done <"$ND_TMP/live"
	while read -r pid; do
		ov_wait_for 10 sh -c "! kill -0 $pid 2>/dev/null" || { echo "pid $pid ignores TERM"; bad=1; }
	done <"$ND_TMP/live"
	for f in "$ND_TMP"/h*/overlayd.log "$ND_TMP"/h*/dnsd.log "$ND_TMP/stderr"; do
		[ -f "$f" ] || continue
		if grep -qE "Sanitizer|runtime error" "$f"; then
			echo "$f:"
			grep -E -A12 "Sanitizer|runtime error" "$f" | head -40
			bad=1
		fi
	done
	echo "daemons: $(wc -l <"$ND_TMP/live") checked"
	[ "$bad" = 0 ]
}

# The kernel modules and libraries the plugins and agents use, loaded
# while etcd starts: the kernel would load each module on first use, the
# first ESP probe builds rfc4106(gcm(aes)) (self-tests, the DRBG's seeding)
# and the 9p root serves each library's pages on first touch, all slowly
# under the emulator.
warm() {
	modprobe -a veth bridge vxlan xfrm_user esp4 gcm seqiv aesni_intel ghash_clmulni_intel \
		nf_tables nft_ct nft_masq nft_chain_nat nft_meta_bridge nf_conntrack
	"$ND_TEST_DIR/ipsec-tool" probe >/dev/null
	cat $(ldd "$ND_BIN_DIR/overlay" /usr/lib/x86_64-linux-gnu/libcurl.so.4 |
		awk '$3 ~ /^\// {print $3}' | sort -u) "$ND_BIN_DIR"/* >/dev/null
}
warm &
WARM=$!
ov_hosts 3
ov_etcd 1
wait "$WARM"
for i in 1 2; do
	ov_agent "$i"
	ov_dnsd "$i"
done
ENC=$(ov_net enc '[{"subnet":"10.77.0.0/16"}]' '{"encrypted":true}')
PLA=$(ov_net pla '[{"subnet":"10.78.0.0/16"}]')
for c in attach address name esp_only rotation join restart daemons; do
	vm_check "${c//_/-}" "check_$c"
done
# What the suite prints when a check failed.
for i in 1 2 3; do
	for f in overlayd dnsd; do
		[ -f "$ND_TMP/h$i/$f.log" ] && cp "$ND_TMP/h$i/$f.log" "$OUT/h$i-$f.log"
	done
done
[ -f "$ND_TMP/stderr" ] && cp "$ND_TMP/stderr" "$OUT/plugins-stderr.log"
exit 0
