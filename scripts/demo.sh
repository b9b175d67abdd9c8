#!/usr/bin/env bash
# The README's first quick-start command: checks and format-checks every bundled example, builds
# one, shows what its filter decides and why, and runs a Python payload under the filter.
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
echo "== a payload under the filter (bubblewrap loads seccomp.x86_64.bpf)"
if [ "$(uname -m)" = x86_64 ] && command -v bwrap >/dev/null; then
  sandbox=(bwrap --ro-bind / / --dev /dev --proc /proc)
  "${sandbox[@]}" -- /bin/true 2>/dev/null || sandbox+=(--unshare-user --unshare-pid)
  filter=$tmp/dist/python_agent/seccomp.x86_64.bpf
  payload='
import json, os, socket, subprocess, threading
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM); s.close()
threading.Thread(target=lambda: None).start()
print("payload: json, threads, subprocess and an AF_INET socket work:",
      json.dumps({"echo": subprocess.run(["/bin/echo", "ok"], capture_output=True, text=True).stdout.strip()}))
try:
    socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
except PermissionError as e:
    print("payload: an AF_NETLINK socket is refused by the default errno(EPERM):", e)
'
  "${sandbox[@]}" --seccomp 3 -- /usr/bin/python3 -c "$payload" 3<"$filter"
  set +e
  "${sandbox[@]}" --seccomp 3 -- /usr/bin/python3 -c 'import ctypes; ctypes.CDLL(None).unshare(0x10000000)' 3<"$filter"
  status=$?
  set -e
  echo "payload: unshare(CLONE_NEWUSER) -> exit status $status (159 = killed by SIGSYS, std.hardening's kill rule)"
  [ "$status" -eq 159 ]
else
  echo "(skipped: needs an x86_64 host with bubblewrap; scripts/install-deps.sh installs it)"
fi
echo
echo "== a policy with a mistake gets a diagnostic with a code, a caret and a hint"
printf 'policy typo version 1 {\n  targets x86_64\n  syscalls {\n    allow sokcet(domain == AF_INET)\n  }\n}\n' >"$tmp/typo.sbx"
"$polc" check "$tmp/typo.sbx" || true
