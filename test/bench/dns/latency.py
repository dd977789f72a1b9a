#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sequential DNS queries, one in flight: prints p50 and p99 latency in microseconds.
Also: tcp SERVER PORT PID N: RSS (KiB) at rest, with N idle TCP connections, after
they closed, and how many the server held.
Also: update SERVER PORT NAME ACTION...: performs ACTION in-process and prints how long
until NAME first resolves. ACTION is "rename SRC DST" (a record moved into place, as the
plugins write them) or "append FILE LINE PID" (a line added, then SIGHUP to PID)."""
import os
import signal
import socket
import struct
import sys
import time


def query(name, qid):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack(">HH", 1, 1)


def ask(sock, server, name, qid):
    sock.sendto(query(name, qid), server)
    while True:
        reply, _ = sock.recvfrom(4096)
        if struct.unpack(">H", reply[:2])[0] == qid:
            return reply


def latencies(server, names, count):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(1)
    out = []
    for i in range(count):
        t0 = time.perf_counter_ns()
        try:
            ask(sock, server, names[i % len(names)], i & 0xFFFF)
        except socket.timeout:
            out.append(1_000_000_000)
            continue
        out.append(time.perf_counter_ns() - t0)
    out.sort()
    return out[len(out) // 2] // 1000, out[int(len(out) * 0.99) - 1] // 1000


def act(action):
    if action[0] == "rename":
        os.rename(action[1], action[2])
    else:
        with open(action[1], "a") as f:
            f.write(action[2] + "\n")
        os.kill(int(action[3]), signal.SIGHUP)


def update(server, name, action):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(0.05)
    t0 = time.perf_counter_ns()
    act(action)
    qid = 1
    while time.perf_counter_ns() - t0 < 5_000_000_000:
        qid += 1
        try:
            reply = ask(sock, server, name, qid & 0xFFFF)
        except (socket.timeout, ConnectionRefusedError):
            continue
        if struct.unpack(">H", reply[6:8])[0] > 0:  # ANCOUNT
            return (time.perf_counter_ns() - t0) // 1000
    return 5_000_000


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))


def tcp_hold(server, pid, n):
    """RSS at rest, with n TCP connections opened and held idle, and after they close;
    also how many the server kept open."""
    import resource
    import select

    resource.setrlimit(resource.RLIMIT_NOFILE, (n + 256, n + 256))
    before = rss_kib(pid)
    conns = [socket.socket() for _ in range(n)]
    for c in conns:
        c.setblocking(False)
        c.connect_ex(server)
    time.sleep(1)  # the server accepts (and evicts past its cap) meanwhile
    poller = select.poll()
    for c in conns:
        poller.register(c, select.POLLIN | select.POLLOUT)
    held = sum(1 for _, ev in poller.poll(0) if not ev & (select.POLLIN | select.POLLHUP | select.POLLERR))
    during = rss_kib(pid)
    for c in conns:
        c.close()
    time.sleep(1)
    return before, during, rss_kib(pid), held


if __name__ == "__main__":
    server = (sys.argv[2], int(sys.argv[3]))
    if sys.argv[1] == "tcp":
        print(*tcp_hold(server, int(sys.argv[4]), int(sys.argv[5])))
    elif sys.argv[1] == "latency":
        names = open(sys.argv[4]).read().split()
        print(*latencies(server, names, int(sys.argv[5])))
    else:
        print(update(server, sys.argv[4], sys.argv[5:]))
