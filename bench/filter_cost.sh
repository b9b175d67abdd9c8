#!/usr/bin/env bash
# Measures what each example policy's seccomp program costs per system call, side by side: polc's
# own generator, libseccomp's tree and linear programs of the same rules, and two lower bounds
# computed from the policy; the same for Docker's default profile (also as runc compiles it) and
# two generated ioctl policies (bench/gen_ioctl_policy.py: 1,000 scattered request values and
# 10,000 in runs). Writes the table into docs/performance.md between the filter-cost markers.
# minijail's compiler is not run: it needs a minijail build and a translation of each policy into
# minijail's policy language, neither of which the benchmark has; the table says so. Counts instructions in a model of
# the kernel's interpreter (no timing), so one run is exact and needs no privileges.
# Usage: bench/filter_cost.sh POLC [POLC_FILTER_COST]   (run.sh calls it; `make bench` runs both)
set -euo pipefail
polc=$(realpath "$1")
# The tool is built next to polc: BUILD/compiler/driver/polc and BUILD/bench/polc_filter_cost.
tool=$(realpath "${2:-$(dirname "$polc")/../../bench/polc_filter_cost}")
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
docker=tests/golden/import/docker-default.json
# polc's translation of Docker's profile for x86_64 with Docker's default capabilities (the
# import's defaults); its warnings are about argument widths and are expected.
if ! "$polc" import oci "$docker" -o "$work/docker_default.sbx" 2>"$work/import.log"; then
  cat "$work/import.log" >&2
  exit 1
fi
python3 bench/gen_ioctl_policy.py 1000 scattered >"$work/ioctl_1000_scattered.sbx"
python3 bench/gen_ioctl_policy.py 10000 runs >"$work/ioctl_10000_runs.sbx"
body=$("$tool" bench/data examples/*.sbx "$docker:$work/docker_default.sbx" "$work/ioctl_1000_scattered.sbx" \
  "$work/ioctl_10000_runs.sbx")
{
  echo "<!-- bench:filter-cost:begin -->"
  echo "Measured $(date -u +%Y-%m-%d) on Linux $(uname -r) $(uname -m) with polc $("$polc" --version | cut -d' ' -f2);"
  echo "system-call mixes as recorded in \`bench/data/README.md\`."
  echo "$body" | sed -n '1p'
  echo
  echo "$body" | sed -n '3,$p'
  echo
  echo "minijail's binary search tree: not measured here (its compiler is not installed, and the"
  echo "benchmark has no translation of polc policies into minijail's policy language)."
  cat <<'DOC'

How to read the table (every number is BPF instructions executed per system call, the final return
included; nothing is timed):

- Rows per policy: **polc**, polc's own generator (`backends/seccomp/gen`, no syscall mix given:
  allowed numbers weigh 1); **libseccomp tree** and **libseccomp linear**, libseccomp's programs
  of the same partitioned rules (`SCMP_FLTATR_CTL_OPTIMIZE` 2 and 1; "refused" when libseccomp
  cannot take the rules, E0601/E0602); two **lower bounds** computed from the policy
  (`bench/filter_bounds.h`), not programs: a 3-instruction prologue, one comparison per level of
  a search tree over the runs of numbers with one decision, for a number whose arguments decide
  one load and a balanced search over the pieces of the argument's values (at least 2
  instructions when several arguments decide), and the return. **balanced**: the balanced tree;
  **optimal weighted**: the optimal alphabetic tree (Knuth's dynamic program) weighted by the
  allowed numbers for the allowed and denied columns, and by that mix's counts in each mix
  column. Each column of a bound is the least any tree of that shape can do for that column's
  weighting; a program that splits on single numbers with `jeq` (merging the ranges on either
  side) or tests arguments more cleverly can go below it.
- **length**: instructions in the program. **allowed syscalls**: x86_64 system-call numbers (all
  libseccomp knows) for which the program returns allow.
- **allowed / denied mean / max**: over those numbers, each counted once; the max names the
  system call with the longest path. Every number is run with the argument registers the two
  workloads really passed (`bench/data/syscall_args_*.tsv`, up to 16 sampled calls per system
  call), or all zero for a system call neither workload made; a number whose arguments decide
  (socket families, ioctl requests) can count as allowed and as denied.
- **python mix / node mix**: mean per call of the recorded workloads
  (`bench/data/syscall_mix_*.tsv`). In parentheses: the same mean when the kernel's action cache
  (Linux 5.11+) skips the filter for cache-eligible system calls, and the share of the mix's
  calls the program allows.
- **cache-eligible allowed**: allowed system calls the kernel's action cache holds as always
  allowed (`const_action` == AlwaysAllow: the decision depends on the number alone), out of all
  allowed ones; the others run the filter on every call.
- **ranges**: runs of consecutive numbers (0 to one past the highest) with the same decision, a
  number whose arguments decide being a run of its own. A balanced search over R ranges needs
  about log2(R) + 5 instructions (architecture and x32 checks, the number load, the return).
- Docker's profile is resolved as Docker does for amd64 with its default capabilities (every
  `minKernel` reached), then compiled as runc does: libseccomp's default, linear, program for
  x86_64 alone and for the x86_64, x86 and x32 of Docker's `archMap` (what Docker loads on amd64),
  and the binary tree of the same rules. runc's own stub in front of the program (ENOSYS for
  system calls newer than the profile) is not modelled.
- **Per ioctl call**: the generated policies allow `ioctl` for 1,000 request values scattered
  over many drivers' encodings and for 10,000 in runs of consecutive request numbers (as whole
  drivers' tables); every request value the rules name and its two neighbours are tried.
DOC
  echo "<!-- bench:filter-cost:end -->"
} >"$work/section.md"
python3 - "$work/section.md" docs/performance.md <<'PY'
import re, sys
section = open(sys.argv[1]).read().rstrip("\n")
doc = open(sys.argv[2]).read()
pattern = r"<!-- bench:filter-cost:begin -->.*?<!-- bench:filter-cost:end -->"
if not re.search(pattern, doc, flags=re.S):
    sys.exit("docs/performance.md has no filter-cost markers")
doc = re.sub(pattern, lambda m: section, doc, flags=re.S)
open(sys.argv[2], "w").write(doc)
PY
echo "$body"
