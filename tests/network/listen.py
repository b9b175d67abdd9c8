#!/usr/bin/env python3
# Test listener for network.netns: `listen.py tcp:ADDR:PORT ... udp:ADDR:PORT ...`. Every tcp
# listener writes "ok ADDR PORT\n" to each connection and closes it; every udp listener echoes
# each datagram back. Prints "ready" once every socket is bound. IPv6 addresses in brackets.
import select, socket, sys

socks = {}
for spec in sys.argv[1:]:
    kind, rest = spec.split(":", 1)
    addr, port = rest.rsplit(":", 1)
    family = socket.AF_INET6 if addr.startswith("[") else socket.AF_INET
    addr = addr.strip("[]")
    s = socket.socket(family, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, int(port)))
    if kind == "tcp":
        s.listen(16)
    socks[s] = (kind, addr, port)
print("ready", flush=True)
while True:
    ready, _, _ = select.select(list(socks), [], [])
    for s in ready:
        kind, addr, port = socks[s]
        if kind == "tcp":
            conn, _ = s.accept()
            try:
                conn.sendall(("ok %s %s\n" % (addr, port)).encode())
            finally:
                conn.close()
        else:
            data, peer = s.recvfrom(2048)
            s.sendto(data, peer)
