#!/usr/bin/env python3
# Test client for network.netns: `probe.py tcp|udp HOST PORT`. Exit 0 when the peer answered
# (tcp: a banner starting with "ok"; udp: the datagram echoed) within 2 seconds, 1 otherwise, so a
# dropped SYN or datagram fails fast instead of waiting for the kernel's retries.
import socket, sys

kind, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
family = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(family, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
s.settimeout(2.0)
try:
    if kind == "tcp":
        s.connect((host, port))
        ok = s.recv(64).startswith(b"ok")
    else:
        s.sendto(b"ping", (host, port))
        ok = s.recvfrom(64)[0] == b"ping"
except OSError:
    ok = False
sys.exit(0 if ok else 1)
