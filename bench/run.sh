#!/usr/bin/env bash
# Runs the benchmarks and writes their results into docs/performance.md between the markers.
# Usage: bench/run.sh POLC [RUNS] [POLC_FILTER_COST] [SBX_EXEC]   (tools default to the build's)
# BENCH_ONLY="bundle launch" runs only the sections named (filter-cost check scale verify supervisor learn bundle
# launch workspace).
# BEFORE_POLC=path/to/older/polc adds a "before" column to the scale section (one run each);
# SCALE_TIMEOUT (seconds, default 300) stops a run of that section that takes longer.
set -euo pipefail
polc=$(realpath "$1")
runs=${2:-30}
sbx_exec=${4:-$(dirname "$polc")/../../launcher/sbx-exec}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
machine="$(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"

# write_section NAME HEADER BODY: replaces docs/performance.md between <!-- bench:NAME:begin -->
# and <!-- bench:NAME:end --> with HEADER, a blank line and BODY.
write_section() {
  printf '<!-- bench:%s:begin -->\n%s\n\n%s\n<!-- bench:%s:end -->\n' "$1" "$2" "$3" "$1" >"$work/$1.md"
  python3 - "$1" "$work/$1.md" docs/performance.md <<'PY'
import re, sys
name, section = sys.argv[1], open(sys.argv[2]).read().rstrip("\n")
doc = open(sys.argv[3]).read()
doc = re.sub(rf"<!-- bench:{name}:begin -->.*?<!-- bench:{name}:end -->", lambda m: section, doc, flags=re.S)
open(sys.argv[3], "w").write(doc)
PY
  echo "$3"
}

want() { [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" $1 "* ]]; }

# The filter cost counts instructions rather than time (one run is exact); it writes its own section.
if want filter-cost; then bash bench/filter_cost.sh "$polc" ${3:+"$3"}; fi

# Generated policies of 100, 1,000 and 10,000 lines (about as many rules), and Docker's default
# seccomp profile imported as `polc import oci` writes it (x86_64; x86_64 and aarch64).
for lines in 100 1000 10000; do python3 bench/gen_policy.py $lines >"bench/generated_$lines.sbx"; done
"$polc" import oci tests/golden/import/docker-default.json --name docker_default -o bench/docker_default.sbx
"$polc" import oci tests/golden/import/docker-default.json --arch x86_64,aarch64 --name docker_default_2 \
  -o bench/docker_default_2.sbx
inputs=(examples/*.sbx bench/docker_default.sbx bench/docker_default_2.sbx bench/generated_100.sbx
        bench/generated_1000.sbx bench/generated_10000.sbx)
trap 'rm -rf "$work" bench/generated_*.sbx bench/docker_default*.sbx' EXIT
if want check; then
  table=$(python3 bench/check_latency.py "$polc" "$runs" "${inputs[@]}")
  write_section check "Measured $(date -u +%Y-%m-%d) on $machine; polc $("$polc" --version | cut -d' ' -f2),
RelWithDebInfo build; $runs runs per input after one warm-up; wall time of the whole process." "$table"
fi

# Scaling: one large generated policy per shape (bench/gen_scale.py), against 5 s and 1 GiB.
if want scale; then
  scale=$(python3 bench/scale.py "$polc" 3 "${SCALE_TIMEOUT:-300}")
  write_section scale "Measured $(date -u +%Y-%m-%d) on $machine (load average $(cut -d' ' -f1 /proc/loadavg) at the end);
polc $("$polc" --version | cut -d' ' -f2), RelWithDebInfo build; median wall and CPU (user + system, children included) time of 3
runs after one warm-up, peak RSS of the process${BEFORE_POLC:+; before: one run of $(basename "$BEFORE_POLC"), stopped at ${SCALE_TIMEOUT:-300} s}.
The verdict reads the smaller of wall and CPU time, which on a machine shared with other work is the CPU time." "$scale"
fi

# Translation validation alone: the Z3 proof of each emitted program (median per program).
tv_bench=$(dirname "$polc")/../../bench/polc_translation_bench
if want verify; then
  tv=$("$tv_bench" "$runs" examples/*.sbx tests/golden/import/docker-default.json bench/generated_100.sbx \
       bench/generated_1000.sbx bench/generated_10000.sbx)
  write_section verify "Measured $(date -u +%Y-%m-%d) on $machine; $runs runs per program after one warm-up;
one process, one Z3 context." "$tv"
fi

# What the supervisor adds to a start, and what one refusal costs with events on.
if want supervisor; then
  supervisor=$(python3 bench/supervisor_overhead.py "$polc" "$sbx_exec" "$runs")
  write_section supervisor "Measured $(date -u +%Y-%m-%d) on $machine; $runs runs per command after one warm-up;
wall time of the whole process, as $(id -un)." "$supervisor"
fi

# polc learn's recorder: calls recorded per second, and memory per distinct event (medians of 5).
if want learn; then
  learn=$("$(dirname "$polc")/../../bench/polc_record_bench" 1000000 200000 5)
  write_section learn "Measured $(date -u +%Y-%m-%d) on $machine; medians of 5 runs of each workload, unrecorded
and under the recorder (no judge), as $(id -un)." "$learn"
fi

# Bundle commands: sign, verify, inspect on the examples and the largest generated policy, and what
# checking signatures adds to an sbx-exec start.
if want bundle; then
  bundle=$(python3 bench/bundle_bench.py "$polc" "$sbx_exec" "$runs" examples/python_agent.sbx examples/minimal_static.sbx \
           bench/docker_default.sbx bench/generated_10000.sbx)
  write_section bundle "Measured $(date -u +%Y-%m-%d) on $machine; $runs runs per command after one warm-up;
wall time of the whole process." "$bundle"
fi

# sbx-exec's start-up cost and polc build's latency (medians of wall time).
if want launch; then
  launch=$(python3 bench/launch_overhead.py "$polc" "$sbx_exec" "$runs")
  write_section launch "Measured $(date -u +%Y-%m-%d) on $machine; $runs runs per command after one warm-up;
wall time of the whole process, as $(id -un)." "$launch"
fi

# Committing a workspace (launcher/os): per 1,000 changed files, on the root filesystem (/var/tmp)
# and on a tmpfs (/dev/shm); medians of 5. Needs root.
if want workspace; then
  commit_bench=$(dirname "$polc")/../../bench/polc_workspace_commit_bench
  disk=$("$commit_bench" 1000 5 /var/tmp)
  memory=$("$commit_bench" 1000 5 /dev/shm)
  root_fs="$(findmnt -n -o FSTYPE,OPTIONS --target /var/tmp | cut -c1-80)"
  write_section workspace "Measured $(date -u +%Y-%m-%d) on $machine; medians of 5 runs, as $(id -un).
On the root filesystem (/var/tmp: $root_fs):

$disk

On a tmpfs (/dev/shm):" "$memory"
fi
