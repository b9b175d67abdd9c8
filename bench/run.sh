#!/usr/bin/env bash
# Runs the benchmarks and writes their results into docs/performance.md between the markers.
# Usage: bench/run.sh POLC [RUNS] [POLC_FILTER_COST]   (the tool defaults to the one next to POLC)
set -euo pipefail
polc=$(realpath "$1")
runs=${2:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The filter cost counts instructions rather than time (one run is exact); it writes its own section.
bash bench/filter_cost.sh "$polc" ${3:+"$3"}
python3 bench/gen_policy.py 2000 >"$work/generated_2000.sbx"
python3 bench/gen_policy.py 10000 >"$work/generated_10000.sbx"
cp "$work"/generated_*.sbx bench/ 2>/dev/null || true
table=$(python3 bench/check_latency.py "$polc" "$runs" examples/*.sbx bench/generated_2000.sbx bench/generated_10000.sbx)
rm -f bench/generated_*.sbx
machine="$(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
{
  echo "<!-- bench:check:begin -->"
  echo "Measured $(date -u +%Y-%m-%d) on $machine; polc $("$polc" --version | cut -d' ' -f2),"
  echo "RelWithDebInfo build; $runs runs per input after one warm-up; wall time of the whole process."
  echo
  echo "$table"
  echo "<!-- bench:check:end -->"
} >"$work/section.md"
python3 - "$work/section.md" docs/performance.md <<'PY'
import re, sys
section = open(sys.argv[1]).read().rstrip("\n")
doc = open(sys.argv[2]).read()
doc = re.sub(r"<!-- bench:check:begin -->.*?<!-- bench:check:end -->", lambda m: section, doc, flags=re.S)
open(sys.argv[2], "w").write(doc)
PY
echo "$table"
