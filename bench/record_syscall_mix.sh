#!/usr/bin/env bash
# Records the system-call mixes the filter-cost benchmark weighs programs with: runs the Python and
# the Node.js workload under bench/workloads/ under strace (every thread and child, raw numeric
# arguments) and writes bench/data/syscall_mix_{python,node}.tsv (NAME<TAB>COUNT) and
# bench/data/syscall_args_{python,node}.tsv (sampled argument registers). The data files are
# committed so that `make bench` is reproducible without strace; rerun this only to re-record.
# Usage: bench/record_syscall_mix.sh   (PYTHON and NODE override the interpreters)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# The distribution's interpreter, not a version manager's shim: a shim is a shell script whose
# own system calls would be recorded as the workload's.
python=${PYTHON:-/usr/bin/python3}
node=${NODE:-$(command -v node)}
command -v strace >/dev/null || { echo "record_syscall_mix.sh: strace is not installed" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tmp" bench/data

record() {  # NAME COMMAND...
  local name=$1
  shift
  # -ff: one file per thread, so no call is split by another thread's output; -qq: no attach and
  # exit notes; raw=all: registers as numbers, the values a seccomp filter compares.
  strace -ff -qq -e trace=all -e raw=all -o "$work/$name" "$@" "$work/tmp" >/dev/null
  python3 bench/mix_from_strace.py "$work/$name" "bench/data/syscall_mix_$name.tsv" "bench/data/syscall_args_$name.tsv"
  echo "$name: $(awk '{n += $2} END {print n}' "bench/data/syscall_mix_$name.tsv") calls of" \
       "$(wc -l <"bench/data/syscall_mix_$name.tsv") system calls"
}

record python "$python" bench/workloads/python_mix.py
record node "$node" bench/workloads/node_mix.js

cat >bench/data/README.md <<DOC
# System-call mixes

Recorded by \`bench/record_syscall_mix.sh\` on $(date -u +%Y-%m-%d): Linux $(uname -r) $(uname -m),
$("$python" --version 2>&1) ($python), Node.js $("$node" --version) ($node), $(strace -V | head -1).

- \`syscall_mix_python.tsv\`, \`syscall_mix_node.tsv\`: every system call the workload's threads and
  children made (\`bench/workloads/python_mix.py\`, \`bench/workloads/node_mix.js\`), as
  NAME<TAB>COUNT, most frequent first. The filter-cost benchmark weighs each program's executed
  instructions per call with these counts.
- \`syscall_args_python.tsv\`, \`syscall_args_node.tsv\`: for each system call, the six argument
  registers of up to 16 evenly spaced calls, as strace's raw mode prints them (the values seccomp
  compares), NAME<TAB>MULTIPLICITY<TAB>ARG0..ARG5. The benchmark evaluates each call with these
  argument vectors, so argument conditions (socket families, clone flags, ioctl requests, mmap
  protections) meet real values; a system call neither workload made gets all-zero arguments.
  Pointers and timings differ between recordings; counts differ by a few futex and read calls.
DOC
