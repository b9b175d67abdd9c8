#!/usr/bin/env python3
"""What sbx-exec's supervisor costs: starting /usr/bin/true supervised against --exec-in-place
(the payload replacing sbx-exec, no telemetry), with and without --events, and the cost of one
refusal with events on: a payload making N refused syscalls, against the same payload with none.
Runs each command RUNS times after one warm-up and prints Markdown tables of medians.
Usage: supervisor_overhead.py POLC SBX_EXEC RUNS"""
import os, subprocess, sys, tempfile

from launch_overhead import median_ms  # one way of timing a command for every launch table

POLICY = """policy supervisor_bench version 1 {
  targets x86_64
  import std.runtime.glibc
  syscalls {
    default errno(EPERM)
    allow execve
    deny getcpu errno(EACCES)
  }
  filesystem {
    landlock abi >= 6
    read "/usr", "/etc/ld.so.cache"
    read, execute "/tmp"
    read, execute "/usr/bin/true"
  }
}
"""

# Calls getcpu (refused with EACCES by the policy) N times.
REFUSER_C = r"""
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 0;
  for (long i = 0; i < n; ++i) syscall(SYS_getcpu, 0, 0, 0);
  return 0;
}
"""


def main():
    polc, sbx, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    work = tempfile.mkdtemp()
    src = os.path.join(work, "supervisor_bench.sbx")
    open(src, "w").write(POLICY)
    subprocess.run([polc, "build", src, "-o", work], check=True, capture_output=True)
    bundle = os.path.join(work, "supervisor_bench")
    refuser = os.path.join(work, "refuser")
    subprocess.run(["cc", "-O2", "-static", "-o", refuser, "-x", "c", "-"], input=REFUSER_C, text=True, check=True)
    os.chmod(work, 0o755)
    base = [sbx, "--bundle", bundle, "--insecure-dev-unsigned", "--network-enforced-externally"]
    events = os.path.join(work, "events.jsonl")
    true_rows = [
        ("`/usr/bin/true`", ["/usr/bin/true"]),
        ("`sbx-exec --exec-in-place -- true` (no supervisor)", [*base, "--exec-in-place", "--", "/usr/bin/true"]),
        ("`sbx-exec -- true` (supervised)", [*base, "--", "/usr/bin/true"]),
        ("`sbx-exec --events FILE -- true`", [*base, "--events", events, "--", "/usr/bin/true"]),
    ]
    results = {}
    print("| command | median ms |")
    print("|---|---:|")
    for name, cmd in true_rows:
        results[name] = median_ms(cmd, runs)
        print(f"| {name} | {results[name]:.2f} |")
    added = results[true_rows[2][0]] - results[true_rows[1][0]]
    print()
    print(f"The supervisor adds {added:.2f} ms to a start ({results[true_rows[2][0]] / results[true_rows[1][0]]:.2f}x "
          "the in-place launch).")
    print()
    n = 10000
    print(f"| payload making refused calls | 0 calls, median ms | {n} calls, median ms | per refusal, µs |")
    print("|---|---:|---:|---:|")
    for name, extra in (("`--exec-in-place` (not logged)", ["--exec-in-place"]),
                        ("supervised, `--events FILE`", ["--events", events])):
        zero = median_ms([*base, *extra, "--", refuser, "0"], runs)
        many = median_ms([*base, *extra, "--", refuser, str(n)], runs)
        print(f"| {name} | {zero:.2f} | {many:.2f} | {(many - zero) * 1000 / n:.2f} |")


if __name__ == "__main__":
    main()
