#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sends crafted DNS packets to a server over UDP or TCP and prints, for each,
the full rcode (header plus the OPT's upper bits), the question count and
whether an OPT came back, or "drop". Usage: malformed.py SERVER [udp|tcp]"""
import socket
import struct
import sys

SERVER = (sys.argv[1], 53)
TCP = len(sys.argv) > 2 and sys.argv[2] == "tcp"


def header(flags=0x0100, qd=1, an=0, ns=0, ar=0, qid=0x1234):
    return struct.pack(">HHHHHH", qid, flags, qd, an, ns, ar)


def name(*labels):
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\x00"


def opt(size=1232, version=0, rdata=b"", rdlen=None):
    ttl = version << 16
    return b"\x00" + struct.pack(">HHIH", 41, size, ttl, len(rdata) if rdlen is None else rdlen) + rdata


QUESTION = name(b"web") + struct.pack(">HH", 1, 1)
AXFR = name(b"web") + struct.pack(">HH", 252, 1)
IXFR = name(b"web") + struct.pack(">HH", 251, 1)
CASES = [
    ("too short", b"\x12\x34\x01"),
    ("a response", header(flags=0x8100) + QUESTION),
    ("two questions", header(qd=2) + QUESTION + QUESTION),
    ("no question", header(qd=0)),
    ("pointer in question", header() + b"\x03web\xc0\x0c" + struct.pack(">HH", 1, 1)),
    ("label over 63", header() + bytes([64]) + b"a" * 64 + b"\x00" + struct.pack(">HH", 1, 1)),
    ("name over 255", header() + b"".join(bytes([60]) + b"b" * 60 for _ in range(5)) + b"\x00" + struct.pack(">HH", 1, 1)),
    ("truncated question", header() + b"\x03we"),
    ("missing type", header() + name(b"web")),
    ("opcode STATUS", header(flags=0x1100) + QUESTION),
    ("answer section", header(an=1) + QUESTION),
    ("junk after the question", header() + QUESTION + b"\xa5" * 3000),
    ("additional count past the end", header(ar=2) + QUESTION + opt()),
    ("EDNS version 1", header(ar=1) + QUESTION + opt(version=1)),
    ("two OPT records", header(ar=2) + QUESTION + opt() + opt()),
    ("OPT of 60000 bytes in a 40-byte tail", header(ar=1) + QUESTION + opt(rdata=b"\x00" * 29, rdlen=60000)),
    ("OPT not owned by the root", header(ar=1) + QUESTION + b"\x01a" + opt()[1:]),
    ("AXFR", header() + AXFR),
    ("IXFR", header() + IXFR),
    ("valid", header() + QUESTION),
    ("valid with EDNS", header(ar=1) + QUESTION + opt()),
]


def exchange(packet):
    if TCP:
        s = socket.create_connection(SERVER, timeout=1)
        try:
            s.sendall(struct.pack(">H", len(packet)) + packet)
            head = s.recv(2)
            if len(head) < 2:
                return None
            n = struct.unpack(">H", head)[0]
            reply = b""
            while len(reply) < n:
                chunk = s.recv(n - len(reply))
                if not chunk:
                    break
                reply += chunk
            return reply
        except (socket.timeout, ConnectionError):
            return None
        finally:
            s.close()
    sock.sendto(packet, SERVER)
    try:
        return sock.recvfrom(4096)[0]
    except socket.timeout:
        return None


def skip_name(msg, i):
    while msg[i]:
        if msg[i] & 0xC0 == 0xC0:
            return i + 2
        i += msg[i] + 1
    return i + 1


def describe(reply):
    rcode = reply[3] & 0x0F
    qd, an, ns, ar = struct.unpack(">HHHH", reply[4:12])
    has_opt = False
    i = 12
    for _ in range(qd):
        i = skip_name(reply, i) + 4
    for _ in range(an + ns + ar):
        i = skip_name(reply, i)
        rtype, _, ttl, rdlen = struct.unpack(">HHIH", reply[i:i + 10])
        if rtype == 41:
            has_opt = True
            rcode |= (ttl >> 24) << 4
        i += 10 + rdlen
    return f"rcode {rcode} qd {qd}{' opt' if has_opt else ''}"


sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(0.5)
for label, packet in CASES:
    if TCP and len(packet) < 12:
        continue  # TCP answers nothing shorter than a header either; covered over UDP
    reply = exchange(packet)
    print(f"{label}: {describe(reply) if reply else 'drop'}")
