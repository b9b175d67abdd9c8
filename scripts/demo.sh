#!/usr/bin/env bash
# The README's first quick-start command: checks and format-checks every bundled example and shows
# what the compiler makes of one of them.
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
echo
echo "== what it compiles to on x86_64 (from the IR)"
"$polc" ir examples/python_agent.sbx | python3 -c '
import json, sys
ir = json.load(sys.stdin)
arch = ir["syscalls"]["arches"][0]
print("policy", ir["policy"], "version", ir["version"], "targets", ", ".join(ir["targets"]))
print("modules:", ", ".join(ir["modules"]))
print("default action:", ir["syscalls"]["default"])
print(len(arch["rules"]), "syscall rules on", arch["arch"], "- those with argument conditions:")
for r in arch["rules"]:
    if "when" in r:
        alts = " || ".join("(" + " && ".join(c) + ")" for c in r["when"])
        print("  ", r["action"]["kind"], r["syscall"], "when", alts, " <-", r["origins"][0]["at"])
print(len(ir["filesystem"]["rules"]), "filesystem rules, Landlock ABI >=", ir["filesystem"]["min_abi"])
print(len(ir["network"]["rules"]), "network rules (implicit cloud-metadata denies included)")
'
echo
echo "== a policy with a mistake gets a diagnostic with a code, a caret and a hint"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'policy typo version 1 {\n  targets x86_64\n  syscalls {\n    allow sokcet(domain == AF_INET)\n  }\n}\n' >"$tmp/typo.sbx"
"$polc" check "$tmp/typo.sbx" || true
