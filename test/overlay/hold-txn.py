#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A TCP relay in front of one etcd member that holds back the first txn
request it relays: it creates DIR/held, waits until DIR/release exists,
then lets the request through. Everything else passes at once. A test puts
it between one host's plugin and etcd to force one interleaving of two
hosts' requests: a read, then the other host's whole claim, then the txn
decided on that read.
  hold-txn.py LISTEN_ADDR LISTEN_PORT ETCD_ADDR ETCD_PORT DIR
"""
import os, socket, sys, threading, time

listen_addr, listen_port, etcd_addr, etcd_port, folder = sys.argv[1:6]
held_once = threading.Lock()


def requests(sock):
    """Yields (path, raw bytes) of each HTTP/1.1 request read from sock."""
    data = b""
    while True:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                return
            rest += chunk
        path = head.split(b" ")[1].decode(errors="replace")
        yield path, head + b"\r\n\r\n" + rest[:length]
        data = rest[length:]


def hold():
    open(os.path.join(folder, "held"), "w").close()
    deadline = time.monotonic() + 20
    while not os.path.exists(os.path.join(folder, "release")):
        if time.monotonic() > deadline:
            break
        time.sleep(0.01)


def to_etcd(client, upstream):
    try:
        for path, raw in requests(client):
            if path.startswith("/v3/kv/txn") and held_once.acquire(blocking=False):
                hold()
            upstream.sendall(raw)
    finally:
        upstream.shutdown(socket.SHUT_WR)


def to_client(upstream, client):
    try:
        while chunk := upstream.recv(65536):
            client.sendall(chunk)
    finally:
        client.close()


def serve(client):
    upstream = socket.create_connection((etcd_addr, int(etcd_port)))
    threading.Thread(target=to_client, args=(upstream, client), daemon=True).start()
    to_etcd(client, upstream)


server = socket.create_server((listen_addr, int(listen_port)))
open(os.path.join(folder, "ready"), "w").close()
while True:
    conn, _ = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
