#!/bin/sh
# network.proxy_log: the egress proxy's refusals as telemetry events. A squid running the
# squid.conf polc builds for policies/squid_domains.sbx (in a private network namespace) serves
# an allowed request, a refused one from the sandbox's address, and a refused one from another
# client; the proxy log source (run by polc_proxy_log_probe, as the supervisor drives it) must
# yield exactly the sandbox's refusal, with its host, port and method, and nothing logged before
# it started.
# Usage: proxy_log.sh POLC SOURCE_DIR PROBE
. "$(dirname "$0")/lib.sh"
POLC=$1
SRC=$2
PROBE=$3
HERE=$(cd "$(dirname "$0")" && pwd)
need_root_and ip squid curl python3

"$POLC" build "$SRC/tests/network/policies/squid_domains.sbx" -o "$WORK/dist" >/dev/null || { echo "FAIL: polc build"; exit 1; }
chmod 755 "$WORK"

new_netns N proxylog
# The sandbox is 127.0.0.1; another client of the same proxy is 10.231.9.20 (on a dummy
# interface, or loopback where the kernel has no dummy driver).
OTHER=10.231.9.20
DEV=lo
if ip -n "$N" link add other0 type dummy 2>/dev/null; then DEV=other0; fi
ip -n "$N" addr add "$OTHER/32" dev "$DEV"
ip -n "$N" link set "$DEV" up
bg ip netns exec "$N" python3 "$HERE/origin.py" 8080 >"$WORK/web.log" 2>&1
for i in $(seq 100); do
  ip netns exec "$N" curl -s -o /dev/null --max-time 1 http://127.0.0.1:8080/ && break
  sleep 0.1
done

echo "127.0.0.1 allowed.test denied.test before.test" >"$WORK/hosts"
mkdir -p "$WORK/logs"
chmod 777 "$WORK/logs"
# The product file as built, but for its log directory; test-only settings after it.
sed "s|/var/log/squid/|$WORK/logs/|" "$WORK/dist/squid_domains/squid.conf" >"$WORK/product.conf"
cat >"$WORK/test.conf" <<EOT
include $WORK/product.conf
hosts_file $WORK/hosts
dns_nameservers 127.0.0.1
pid_filename $WORK/squid.pid
coredump_dir $WORK
shutdown_lifetime 0 seconds
EOT
bg ip netns exec "$N" squid -N -f "$WORK/test.conf" >"$WORK/squid.out" 2>"$WORK/squid.err"
PROXY=http://127.0.0.1:3128
for i in $(seq 100); do
  ip netns exec "$N" curl -s -o /dev/null --max-time 1 "$PROXY" 2>/dev/null && break
  sleep 0.1
done
LOG="$WORK/logs/polc_squid_domains.access.log"
[ -f "$LOG" ] || { echo "FAIL: squid wrote no $LOG"; tail -n 20 "$WORK/squid.err"; exit 1; }

# code URL [curl options]: the HTTP status through the proxy.
code() {
  url=$1
  shift
  ip netns exec "$N" curl -s -o /dev/null -w '%{http_code}' --max-time 5 -x "$PROXY" "$@" "$url" || true
}
expect_code() {
  want=$1 desc=$2
  shift 2
  got=$(code "$@")
  if [ "$got" = "$want" ]; then pass "$desc ($got)"; else fail "$desc: got '$got', want '$want'"; fi
}

# Logged before the source starts: not this run's.
expect_code 403 "a refusal before the source starts" http://before.test:8080/
sleep 0.3

mkfifo "$WORK/control"
"$PROBE" "$LOG" 127.0.0.1 ::1 <"$WORK/control" >"$WORK/events" 2>"$WORK/probe.err" &
PROBE_PID=$!
PIDS="$PIDS $PROBE_PID"
exec 3>"$WORK/control"
for i in $(seq 100); do
  grep -q '^ready$' "$WORK/events" 2>/dev/null && break
  sleep 0.05
done
grep -q '^ready$' "$WORK/events" || { echo "FAIL: the probe did not start"; cat "$WORK/probe.err"; exit 1; }

expect_code 200 "an allowed request" http://allowed.test:8080/
expect_code 403 "a refused request from the sandbox" http://denied.test:8080/some/path
expect_code 403 "a refused request from another client" http://denied.test:8080/ --interface "$OTHER"
# The run ends: the source syncs (it waits for squid's last lines) and the probe prints.
exec 3>&-
wait "$PROBE_PID" || fail "the probe exited with $?"

if python3 - "$WORK/events" <<'EOF'; then pass "exactly the sandbox's refusal, as one event"; else fail "events"; fi
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines[0] == "ready", lines
events = [json.loads(l) for l in lines[1:]]
print("events:", events)
assert len(events) == 1, len(events)
e = events[0]
assert e["layer"] == "proxy" and e["decision"] == "deny", e
r = e["request"]
assert r["domain"] == "denied.test" and r["port"] == 8080 and r["method"] == "GET", r
assert r["client"] == "127.0.0.1" and "address" not in r and r["protocol"] == "tcp", r
assert e["process"] == {"pid": None, "ppid": None, "comm": None, "exe": None, "uid": None}, e["process"]
assert e["rule"] is None, e["rule"]
assert e["time"].endswith("Z") and len(e["time"]) == len("2026-01-01T00:00:00.000000Z"), e["time"]
EOF
if grep -q "other_clients 1 malformed 0 synced 1" "$WORK/probe.err"; then
  pass "the other client's refusal was seen and left out; every line parsed; synced"
else
  fail "probe counts: $(cat "$WORK/probe.err")"
fi
if [ "$FAILURES" -ne 0 ]; then
  echo "--- access log"; cat "$LOG"; echo "--- probe"; cat "$WORK/probe.err"
fi
finish
