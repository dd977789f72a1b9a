#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""TCP abuse against netdock-dnsd (RFC 7766): idle and half-open connections,
1,000 connections against the cap, pipelined queries, and the server's RSS
before, during and after. Prints one "key: value" line per finding.
Usage: tcp-abuse.py SERVER DNSD_PID CONNECTIONS CAP"""
import resource
import select
import socket
import struct
import sys
import time

SERVER, PID, N, CAP = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
resource.setrlimit(resource.RLIMIT_NOFILE, (N + 256, N + 256))


def rss_kib():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def query(name, qid):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(l)]) + l for l in name.encode().split(b".")) + b"\x00"
    q += struct.pack(">HH", 1, 1)
    return struct.pack(">H", len(q)) + q


def connect():
    s = socket.create_connection((SERVER, 53), timeout=5)
    return s


def closed_by_server(s, wait):
    """True when the server closes s within wait seconds."""
    r, _, _ = select.select([s], [], [], wait)
    if not r:
        return False
    try:
        return s.recv(1) == b""
    except ConnectionError:
        return True


def read_answer(s):
    s.settimeout(5)
    head = b""
    while len(head) < 2:
        head += s.recv(2 - len(head))
    n = struct.unpack(">H", head)[0]
    msg = b""
    while len(msg) < n:
        msg += s.recv(n - len(msg))
    return msg


baseline = rss_kib()
print(f"rss baseline KiB: {baseline}")

# An idle connection, and one stalled half way through a length prefix.
idle = connect()
t0 = time.monotonic()
print(f"idle connection closed: {'yes' if closed_by_server(idle, 15) else 'no'}")
print(f"idle closed after (s): {time.monotonic() - t0:.1f}")
half = connect()
half.send(b"\x00")
print(f"half-sent connection closed: {'yes' if closed_by_server(half, 15) else 'no'}")
idle.close()
half.close()

# Two queries in one segment: two answers, in order.
s = connect()
s.sendall(query("web", 1) + query("web", 2))
a, b = read_answer(s), read_answer(s)
print(f"pipelined answers: {struct.unpack('>H', a[:2])[0]} {struct.unpack('>H', b[:2])[0]}")
s.close()

# N connections at once: the server keeps at most its cap and still serves a new one.
conns = []
for _ in range(N):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setblocking(False)
    c.connect_ex((SERVER, 53))
    conns.append(c)
# poll, not select: these fds go past FD_SETSIZE.
poller = select.poll()
by_fd = {}
for c in conns:
    poller.register(c, select.POLLIN)
    by_fd[c.fileno()] = c
deadline = time.monotonic() + 5
open_ = set(by_fd)
while time.monotonic() < deadline and len(open_) > CAP:
    for fd, _ in poller.poll(200):
        try:
            gone = by_fd[fd].recv(1) == b""
        except BlockingIOError:
            gone = False
        except ConnectionError:
            gone = True
        if gone:
            open_.discard(fd)
            poller.unregister(fd)
print(f"held of {N}: {len(open_)}")
during = rss_kib()
s = connect()
s.sendall(query("web", 7))
print(f"answered at the cap: {'yes' if struct.unpack('>H', read_answer(s)[:2])[0] == 7 else 'no'}")
print(f"rss during KiB: {during}")
print(f"rss growth during KiB: {during - baseline}")
s.close()
for c in conns:
    c.close()

# Once they are gone, RSS comes back to its baseline.
deadline = time.monotonic() + 10
after = rss_kib()
while after - baseline > 128 and time.monotonic() < deadline:
    time.sleep(0.1)
    after = rss_kib()
print(f"rss after KiB: {after}")
print(f"rss back to baseline: {'yes' if after - baseline <= 128 else 'no'}")
