#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sends crafted DNS packets to a server and prints the rcode of each reply (or "drop")."""
import socket
import struct
import sys

SERVER = (sys.argv[1], 53)


def header(flags=0x0100, qd=1, an=0, ns=0, ar=0, qid=0x1234):
    return struct.pack(">HHHHHH", qid, flags, qd, an, ns, ar)


def name(*labels):
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\x00"


QUESTION = name(b"web") + struct.pack(">HH", 1, 1)
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
    ("valid", header() + QUESTION),
]

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(0.5)
for label, packet in CASES:
    sock.sendto(packet, SERVER)
    try:
        reply, _ = sock.recvfrom(4096)
        print(f"{label}: rcode {reply[3] & 0x0f}")
    except socket.timeout:
        print(f"{label}: drop")
