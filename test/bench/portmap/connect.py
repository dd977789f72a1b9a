#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""connect.py HOST PORT COUNT: opens COUNT TCP connections one after another
(each reads the server's greeting and closes) and prints connections per second.
connect.py serve PORT: the server, greeting without a fork, so the rate measures
the path through DNAT rather than the server. The client ends each connection
with a reset: no TIME_WAIT on either side (tens of thousands of connections
between the same two addresses would otherwise collide with their own past)."""
import socket
import struct
import sys
import time

LINGER_RESET = struct.pack("ii", 1, 0)


def serve(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(1024)
    while True:
        c, _ = s.accept()
        try:
            c.sendall(b"hi\n")
            c.recv(64)  # until the client's reset
        except OSError:
            pass
        c.close()


def connect(host, port, count):
    t0 = time.perf_counter()
    done = 0
    for _ in range(count):
        try:
            with socket.create_connection((host, port), timeout=2) as s:
                s.recv(64)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RESET)
                done += 1
        except OSError:
            pass
    print(int(done / (time.perf_counter() - t0)))


if sys.argv[1] == "serve":
    serve(int(sys.argv[2]))
else:
    connect(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
