#!/usr/bin/env python3
# Origin server for network.squid: `origin.py PORT` answers every GET on 0.0.0.0:PORT with
# "polc-origin-body" and then the request's headers, one per line, so the test can see what the
# proxy forwarded.
import http.server, sys

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("polc-origin-body\n" + "".join("%s: %s\n" % kv for kv in self.headers.items())).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

http.server.ThreadingHTTPServer(("0.0.0.0", int(sys.argv[1])), Handler).serve_forever()
