#!/usr/bin/env python3
"""listeners.py: the services outside the sandbox that run_attacks.sh's attacks try to reach.

Runs in the test's network namespace (abstract unix sockets belong to a network namespace, so the
abstract listener must be there too) until killed. Every stream listener greets a connection with
a banner naming itself, so an attack can prove what it reached; the HTTP listener (the policy's
allowed tool server) answers GET with a fixed body; the UDP listener echoes datagrams.

usage: listeners.py --ready FILE [--http HOST:PORT:BODY] [--banner HOST:PORT]... [--udp HOST:PORT]
                    [--abstract NAME] [--unix PATH]
"""
import argparse
import http.server
import os
import socket
import socketserver
import sys
import threading


def split_hostport(spec):
    host, _, port = spec.rpartition(":")
    return host.strip("[]"), int(port)


class BannerHandler(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            self.request.sendall(f"polc-attacks listener {self.server.name}\n".encode())
        except OSError:
            pass


class TCPServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, spec, handler):
        host, port = split_hostport(spec)
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.name = spec
        super().__init__((host, port), handler)


class UnixServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def __init__(self, address, name):
        self.name = name
        super().__init__(address, BannerHandler)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ready", required=True)
    parser.add_argument("--http", action="append", default=[])
    parser.add_argument("--banner", action="append", default=[])
    parser.add_argument("--udp", action="append", default=[])
    parser.add_argument("--abstract", action="append", default=[])
    parser.add_argument("--unix", action="append", default=[])
    args = parser.parse_args()

    servers = []
    for spec in args.http:
        hostport, _, body = spec.partition("=")
        payload = body.encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self, payload=payload):
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *unused):
                pass

        servers.append(TCPServer(hostport, Handler))
    for spec in args.banner:
        servers.append(TCPServer(spec, BannerHandler))
    for name in args.abstract:
        servers.append(UnixServer("\0" + name, "@" + name))
    for path in args.unix:
        if os.path.exists(path):
            os.unlink(path)
        servers.append(UnixServer(path, path))
        os.chmod(path, 0o666)
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()

    udp = []
    for spec in args.udp:
        host, port = split_hostport(spec)
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((host, port))
        udp.append(sock)

    def echo(sock):
        while True:
            data, peer = sock.recvfrom(2048)
            sock.sendto(data, peer)

    for sock in udp:
        threading.Thread(target=echo, args=(sock,), daemon=True).start()

    with open(args.ready, "w") as f:
        f.write(f"{os.getpid()}\n")
    threading.Event().wait()


if __name__ == "__main__":
    sys.exit(main())
