#!/usr/bin/env bash
# Runs the front-end fuzzer for a bounded time with a seed corpus built from examples/ and stdlib/,
# plus hostile seeds (deep nesting, long lines, invalid UTF-8, NUL bytes).
# Usage: run.sh FUZZER SECONDS
set -euo pipefail
fuzzer=$1
seconds=${2:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
i=0
while IFS= read -r -d '' f; do
  cp "$f" "$corpus/seed$i.sbx"
  i=$((i + 1))
done < <(find "$root/examples" "$root/stdlib" "$root/tests/golden" -name '*.sbx' -print0)
python3 - "$corpus" <<'PY'
import os, sys
d = sys.argv[1]
seeds = {
  "deep_parens": b"policy p version 1 { targets x86_64 syscalls { allow socket(" + b"(" * 5000 + b"domain == 1" + b")" * 5000 + b") } }",
  "deep_not": b"policy p version 1 { targets x86_64 syscalls { allow socket(" + b"!" * 100000 + b"domain == 1) } }",
  "long_and": b"policy p version 1 { targets x86_64 syscalls { allow socket(" + b" && ".join([b"domain == 1"] * 20000) + b") } }",
  "long_line": b"# " + b"x" * (1 << 20) + b"\npolicy p version 1 { targets x86_64 }",
  "bad_utf8": b"policy p version 1 { targets x86_64 } \xff\xfe",
  "nul": b"policy p version 1 {\x00 targets x86_64 }",
  "braces": b"{" * 100000,
  # definitions sharing sub-definitions (exponential without memoization) and deep chains
  "const_diamonds": ("policy p version 1 { targets x86_64 const A0 = 1 " + " ".join(f"const A{i} = A{i-1} | A{i-1}" for i in range(1, 40)) + " syscalls { allow read(fd == A39) } }").encode(),
  "group_diamonds": ("policy p version 1 { targets x86_64 group @g0 = { read } group @h0 = { @g0 } " + " ".join(f"group @g{i} = {{ @g{i-1}, @h{i-1} }} group @h{i} = {{ @g{i-1} }}" for i in range(1, 40)) + " syscalls { allow @g39 } }").encode(),
  "const_chain": ("policy p version 1 { targets x86_64 " + " ".join(f"const C{i} = C{i+1}" for i in range(5000)) + " const C5000 = 1 syscalls { allow read(fd == C0) } }").encode(),
}
for k, v in seeds.items():
    open(os.path.join(d, k), "wb").write(v)
PY
# -entropic=0: entropic scheduling spends most of its time updating feature frequencies on this
# target (millions of features from the ANTLR-driven front end), several times slower overall.
"$fuzzer" -entropic=0 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=2000000 "$corpus"
