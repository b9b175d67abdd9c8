#!/usr/bin/env bash
# The README's first quick-start command: checks and format-checks every bundled example, builds
# one, shows what its filter decides and why and which file enforces each statement, signs the
# bundle with two reviewers' keys, verifies it against a trust file, and runs a Python payload
# under sbx-exec, which verifies it again before applying anything.
set -euo pipefail
polc=${1:-build/compiler/driver/polc}
cd "$(dirname "$0")/.."

echo "== polc $("$polc" --version | cut -d' ' -f2): checking the examples"
for f in examples/*.sbx; do
  "$polc" check "$f"
  "$polc" fmt --check "$f"
  echo "ok   $f"
done

echo
echo "== examples/python_agent.sbx"
cat examples/python_agent.sbx
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo
echo "== polc build examples/python_agent.sbx -o $tmp/dist"
"$polc" build examples/python_agent.sbx -o "$tmp/dist"
ls -l "$tmp/dist/python_agent"
echo
echo "== the start of the x86_64 program's listing (seccomp.x86_64.txt)"
head -16 "$tmp/dist/python_agent/seccomp.x86_64.txt"
echo
echo "== polc eval: what the policy and the compiled filter decide, and why"
"$polc" eval examples/python_agent.sbx --arch x86_64 'socket(AF_INET, SOCK_STREAM, 0)'
"$polc" eval examples/python_agent.sbx --arch x86_64 'ioctl(0, TIOCSTI, 0)'
"$polc" eval examples/python_agent.sbx --arch x86_64 'socket(AF_NETLINK, SOCK_RAW, 0)'

echo
echo "== the coverage map: which file enforces each statement (the start of it)"
"$polc" build examples/python_agent.sbx -o "$tmp/dist" --explain-coverage 2>/dev/null | grep -A4 "python_agent.sbx:8[0-9]:" | head -14

echo
echo "== governance: two reviewers' keys, a trust file asking for both, signatures, verification"
alice=$("$polc" keygen --out "$tmp/alice" 2>/dev/null)
bob=$("$polc" keygen --out "$tmp/bob" 2>/dev/null)
cat >"$tmp/trust.json" <<EOF
{"format": "polc.trust/1", "threshold": 2, "keys": [$alice, $bob],
 "policies": {"python_agent": {"min_version": 1}}}
EOF
"$polc" inspect "$tmp/dist/python_agent" --trust "$tmp/trust.json" | sed -n '1,12p'
echo "   ... (polc inspect: the whole review page; --format md for a ticket)"
"$polc" sign "$tmp/dist/python_agent" --key "$tmp/alice.key"
"$polc" verify "$tmp/dist/python_agent" --trust "$tmp/trust.json" || echo "(refused, as it must be: one signature of the two required)"
"$polc" sign "$tmp/dist/python_agent" --key "$tmp/bob.key"
"$polc" verify "$tmp/dist/python_agent" --trust "$tmp/trust.json"

# An installed polc has sbx-exec beside it (`bash scripts/demo.sh /usr/bin/polc`); a build tree's is
# in launcher/.
sbx_exec=$(dirname "$polc")/sbx-exec
[ -x "$sbx_exec" ] || sbx_exec=$(dirname "$polc")/../../launcher/sbx-exec
echo
echo "== a payload under sbx-exec: signatures and digests checked, then nftables, Landlock and seccomp"
if [ "$(uname -m)" = x86_64 ] && [ -x "$sbx_exec" ] && [ -x /usr/bin/python3.11 ]; then
  # nftables needs a network namespace of the sandbox's own, which takes root; without it the
  # caller must vouch that nftables.nft is applied, and sbx-exec records that in its audit line.
  if [ "$(id -u)" -eq 0 ]; then net=(--netns); else net=(--network-enforced-externally); fi
  run=("$sbx_exec" --bundle "$tmp/dist/python_agent" --trust "$tmp/trust.json" "${net[@]}" --audit-log "$tmp/audit.log"
       --events "$tmp/events.jsonl" --)
  payload='
import json, os, socket, subprocess, sys, threading
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM); s.close()
threading.Thread(target=lambda: None).start()
out = subprocess.run([sys.executable, "-c", "print(6*7)"], capture_output=True, text=True).stdout.strip()
with open("/tmp/polc-demo.txt", "w") as f: f.write(out)
print("payload: json, threads, a subprocess and /tmp work:", json.dumps({"answer": out}))
for what, act in [("an AF_NETLINK socket", lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)),
                  ("reading /etc/shadow", lambda: open("/etc/shadow").read()),
                  ("writing /usr/lib/evil", lambda: open("/usr/lib/evil", "w")),
                  ("connecting to 127.0.0.1:22", lambda: socket.create_connection(("127.0.0.1", 22), timeout=2))]:
    try:
        act(); print("payload: UNEXPECTED:", what, "worked"); sys.exit(1)
    except OSError as e:
        print("payload:", what, "is refused:", e)
'
  "${run[@]}" /usr/bin/python3.11 -c "$payload"
  set +e
  "${run[@]}" /usr/bin/python3.11 -c 'import ctypes; ctypes.CDLL(None).unshare(0x10000000)'
  status=$?
  set -e
  echo "payload: unshare(CLONE_NEWUSER) -> exit status $status (159 = killed by SIGSYS, std.hardening's kill rule)"
  [ "$status" -eq 159 ]
  echo "sbx-exec's audit line for the end of the last run:"
  tail -1 "$tmp/audit.log"
  echo
  echo "== the refusals as sbx-exec reported them (--events, one JSON object per line; docs/telemetry.md)"
  python3 - "$tmp/events.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event"] != "refusal":
        print(f"({e['event']}: {e.get('count', e.get('message'))})")
        continue
    r, rule = e["request"], e["rule"] or {}
    what = r.get("path") or (f"{r.get('protocol', '')} port {r['port']}" if "port" in r else r.get("syscall")) \
        or r.get("domain") or "?"
    who = e["process"].get("comm") or "-"
    why = ("default: " if rule.get("default") else "") + (rule.get("at") or "(implicit)") if rule else "no statement"
    print(f"{e['layer']:9} {e['decision']:14} {what:28} by {who:12} <- {why}")
PY
  echo "(the full line of the first: $(head -1 "$tmp/events.jsonl" | cut -c1-200)...)"
else
  echo "(skipped: needs an x86_64 host with /usr/bin/python3.11 and the sbx-exec build)"
fi
echo
echo "== a policy with a mistake gets a diagnostic with a code, a caret and a hint"
printf 'policy typo version 1 {\n  targets x86_64\n  syscalls {\n    allow sokcet(domain == AF_INET)\n  }\n}\n' >"$tmp/typo.sbx"
"$polc" check "$tmp/typo.sbx" || true
