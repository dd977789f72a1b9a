#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# TCP that cannot be held hostage (RFC 7766): idle and half-open connections
# are closed after a few seconds, 1,000 connections meet a cap that closes the
# oldest idle first while new ones are still served, and the server's RSS
# stays flat under them and comes back to its baseline.

load lib

setup() {
	nd_setup
	upstream_start
	A=$(br_net anet '[{"subnet":"10.166.0.0/24"}]')
	named web "$A"
	named client "$A"
}
teardown() { nd_teardown; }

@test "idle and half-open connections are closed, the cap holds 1,000 connections, RSS comes back" {
	dnsd_start
	run inside client python3 "$ND_SRC/test/dns/tcp-abuse.py" 10.166.0.1 "$DNSD_PID" 1000 128
	echo "$output"
	assert_success
	assert_line "idle connection closed: yes"
	assert_line "half-sent connection closed: yes"
	assert_line "pipelined answers: 1 2"
	assert_line "answered at the cap: yes"
	# ASan's quarantine keeps freed memory on purpose: there RSS cannot come back
	[ -n "${ND_ASAN:-}" ] || assert_line "rss back to baseline: yes"
	held=$(sed -n 's/^held of 1000: //p' <<<"$output")
	[ "$held" -le 128 ]
	# 128 connections without a message in flight cost no buffer: well under 64 KiB each
	growth=$(sed -n 's/^rss growth during KiB: //p' <<<"$output")
	[ "$growth" -lt 2048 ]
	kill -0 "$DNSD_PID"
	assert_equal "$(q client web A 10.166.0.1)" "$(addr_on web "$A")"
}

@test "--tcp-max and --tcp-idle-ms: a smaller cap, a shorter timeout" {
	dnsd_start --tcp-max 8 --tcp-idle-ms 500
	run inside client python3 "$ND_SRC/test/dns/tcp-abuse.py" 10.166.0.1 "$DNSD_PID" 100 8
	echo "$output"
	assert_success
	assert_line "idle connection closed: yes"
	assert_line "answered at the cap: yes"
	held=$(sed -n 's/^held of 100: //p' <<<"$output")
	[ "$held" -le 8 ]
	run "$ND_BIN_DIR/netdock-dnsd" --tcp-max 0
	assert_equal "$status" 2
}

@test "a burst of connections fits the accept backlog, and each is answered" {
	dnsd_start
	# the listener's backlog (Send-Q of a listening socket) holds a burst
	backlog=$(ss -Hltn 'src 10.166.0.1 and sport = :53' | awk '{print $3}')
	[ "$backlog" -ge 1024 ]
	run inside client python3 - 10.166.0.1 <<'PY'
import select, socket, struct, sys
q = struct.pack(">HHHHHH", 9, 0x0100, 1, 0, 0, 0) + b"\x03web\x00" + struct.pack(">HH", 1, 1)
socks = [socket.socket() for _ in range(100)]
for s in socks:
    s.setblocking(False)
    s.connect_ex((sys.argv[1], 53))
ok = 0
for s in socks:
    select.select([], [s], [], 5)
    s.setblocking(True)
    s.settimeout(5)
    try:
        s.sendall(struct.pack(">H", len(q)) + q)
        if len(s.recv(2)) == 2:
            ok += 1
    except OSError:
        pass
print(f"answered {ok} of 100")
PY
	assert_output "answered 100 of 100"
}
