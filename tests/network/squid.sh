#!/bin/sh
# network.squid: the squid.conf of policies/squid_domains.sbx must parse, and a squid running it
# (in a private network namespace, so nothing outside is ever contacted and fixed ports are free)
# must let through exactly what the policy allows. The generated file is used as is; this test
# adds only test-only settings (hosts file, pid and log paths) in a wrapper that includes it.
# Usage: squid.sh POLC SOURCE_DIR
. "$(dirname "$0")/lib.sh"
POLC=$1
SRC=$2
HERE=$(cd "$(dirname "$0")" && pwd)
need_root_and ip squid curl python3

"$POLC" build "$SRC/tests/network/policies/squid_domains.sbx" -o "$WORK/dist" || { echo "FAIL: polc build"; exit 1; }
CONF="$WORK/dist/squid_domains/squid.conf"
[ -s "$CONF" ] || { echo "FAIL: polc build wrote no squid.conf"; exit 1; }
chmod 755 "$WORK"

new_netns N squid
# Origin servers: every name below resolves (through the test hosts file) to an address in this
# namespace, with a web server on 8080 and 8081 behind it.
# (A dummy interface, or loopback where the kernel has no dummy driver.)
WEB=lo
if ip -n "$N" link add web0 type dummy 2>/dev/null; then WEB=web0; fi
ip -n "$N" addr add 169.254.169.254/32 dev "$WEB"
ip -n "$N" addr add 10.231.9.9/32 dev "$WEB"
ip -n "$N" addr add 10.231.9.10/32 dev "$WEB"
ip -n "$N" link set "$WEB" up
bg ip netns exec "$N" python3 "$HERE/origin.py" 8080 >"$WORK/web8080.log" 2>&1
bg ip netns exec "$N" python3 "$HERE/origin.py" 8081 >"$WORK/web8081.log" 2>&1

for port in 8080 8081; do
  for i in $(seq 100); do
    ip netns exec "$N" curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && break
    sleep 0.1
  done
done

cat >"$WORK/hosts" <<'EOT'
127.0.0.1 allowed.test denied.test wild.test sub.wild.test deep.sub.wild.test blocked.wild.test other.test
169.254.169.254 metadata.test
10.231.9.9 private.test
10.231.9.10 reachable.test
EOT
# Test-only settings, after the product file so that they win; its access rules stay untouched.
# The product file's log paths (a system directory) are the only lines changed, in a copy.
mkdir -p "$WORK/logs"
chmod 777 "$WORK/logs"
sed "s|/var/log/squid/|$WORK/logs/|" "$CONF" >"$WORK/product.conf"
cat >"$WORK/test.conf" <<EOT
include $WORK/product.conf
hosts_file $WORK/hosts
dns_nameservers 127.0.0.1
pid_filename $WORK/squid.pid
coredump_dir $WORK
shutdown_lifetime 0 seconds
EOT

expect_ok "squid -k parse accepts the generated squid.conf" squid -k parse -f "$CONF"
expect_ok "squid -k parse accepts the test wrapper" squid -k parse -f "$WORK/test.conf"

bg ip netns exec "$N" squid -N -f "$WORK/test.conf" >"$WORK/squid.out" 2>"$WORK/squid.err"
PROXY=http://127.0.0.1:3128
for i in $(seq 100); do
  ip netns exec "$N" curl -s -o /dev/null --max-time 1 "$PROXY" 2>/dev/null && break
  sleep 0.1
done

# status URL [curl options]: the HTTP status through the proxy (for CONNECT, the tunnel's answer).
status() {
  url=$1
  shift
  ip netns exec "$N" curl -s -o "$WORK/body" -w '%{http_code} %{http_connect}' --max-time 5 -x "$PROXY" "$@" "$url" || true
}
# expect_status WANT DESCRIPTION URL [curl options]: WANT is matched against "code connect-code".
expect_status() {
  want=$1 desc=$2
  shift 2
  got=$(status "$@")
  case "$got" in
    $want) pass "$desc ($got)" ;;
    *) fail "$desc: got '$got', want '$want'" ;;
  esac
}

expect_status "200 *" "allowed exact name reached" http://allowed.test:8080/
if grep -q polc-origin-body "$WORK/body"; then pass "allowed name: the origin's body came back"; else fail "allowed name: body"; fi
expect_status "403 *" "a name no rule allows is refused" http://denied.test:8080/
expect_status "403 *" "allowed name on a port its rule does not name is refused" http://allowed.test:8081/
expect_status "200 *" "a name allowed on another port by its own rule" http://other.test:8081/
expect_status "403 *" "that name on the first rule's port is refused" http://other.test:8080/
expect_status "200 *" "a wildcard's subdomain reached" http://sub.wild.test:8080/
expect_status "200 *" "a wildcard's deeper subdomain reached" http://deep.sub.wild.test:8080/
expect_status "403 *" "the wildcard's bare domain refused" http://wild.test:8080/
expect_status "403 *" "a subdomain a deny rule names is refused despite the wildcard" http://blocked.wild.test:8080/
expect_status "403 *" "an IPv4 literal is refused" http://127.0.0.1:8080/
# curl rewrites numeric hosts to dotted ones, so this request is written by hand.
raw=$(ip netns exec "$N" python3 -c '
import socket
s = socket.create_connection(("127.0.0.1", 3128), timeout=5)
s.sendall(b"GET http://2130706433:8080/ HTTP/1.0\r\n\r\n")
print(s.recv(64).split(b" ")[1].decode())' || true)
if [ "$raw" = 403 ]; then pass "a numeric IPv4 literal is refused (403)"; else fail "numeric IPv4 literal: got '$raw'"; fi
expect_status "403 *" "an IPv6 literal is refused" 'http://[::1]:8080/' -g
expect_status "403 *" "an allowed name resolving to the metadata address is refused" http://metadata.test:8080/
expect_status "403 *" "an allowed name resolving to a denied address is refused" http://private.test:8080/
expect_status "200 *" "the same rule's name resolving to an address no rule denies is reached" http://reachable.test:8080/
expect_status "200 200" "CONNECT to an allowed name and port tunnels" http://allowed.test:8080/ -p
expect_status "* 403" "CONNECT to a port no rule allows is refused" http://allowed.test:8443/ -p
expect_status "* 403" "CONNECT to an allowed port of a name no rule allows is refused" http://denied.test:8080/ -p
# Nothing about the client or the proxy is forwarded (the origin echoes the headers it got).
status http://allowed.test:8080/ >/dev/null
if grep -qi '^host: allowed.test' "$WORK/body" && ! grep -qi '^via:\|^x-forwarded-for:\|^forwarded:' "$WORK/body"; then
  pass "the origin got the request without Via, X-Forwarded-For or Forwarded"
else
  fail "request headers at the origin: $(tr '\n' ' ' <"$WORK/body")"
fi
if [ "$FAILURES" -ne 0 ]; then
  echo "--- squid stderr"; tail -n 30 "$WORK/squid.err"; echo "--- logs"; tail -n 30 "$WORK"/logs/*
fi
finish
