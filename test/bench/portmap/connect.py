#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Opens COUNT TCP connections to HOST:PORT one after another (each reads the
server's greeting and closes); prints connections per second."""
import socket
import sys
import time

host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t0 = time.perf_counter()
done = 0
for _ in range(count):
    try:
        with socket.create_connection((host, port), timeout=2) as s:
            s.recv(64)
            done += 1
    except OSError:
        pass
print(int(done / (time.perf_counter() - t0)))
