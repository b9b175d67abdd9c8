#!/usr/bin/env python3
"""Check latency: wall time and peak memory of `polc ir`, `polc check` and `polc build` on the same
inputs, so that a check can be judged against the front end alone (`polc ir`) and a build against
the check. Each command runs RUNS times per input (after one warm-up that fills the page cache) and
the table gives the median wall time, the 90th percentile of the check, the ratios the targets
speak of, and the check's peak RSS (the largest over its runs).
`--oci PROFILE.json` adds an OCI seccomp profile (Docker's default) as an input: it is imported
with `polc import oci` into a temporary .sbx first, as a user would.
`--before OLD_POLC` measures an older polc beside this one, each run of one alternating with the
same run of the other (on a machine whose speed drifts, two tables measured one after the other
cannot be compared), and prints a row for each.
Usage: check_latency.py POLC RUNS [--before OLD_POLC] [--oci PROFILE.json]... FILE..."""
import os, shutil, statistics, subprocess, sys, tempfile, time


def run_once(argv):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = (time.perf_counter() - start) * 1000
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv)} failed")
    return elapsed, usage.ru_maxrss / 1024


def measure(argvs, runs):
    """Median, 90th percentile and peak RSS of each command line, the runs of all interleaved."""
    for argv in argvs:
        run_once(argv)  # warm the page cache
    times, rss = [[] for _ in argvs], [0.0 for _ in argvs]
    for _ in range(runs):
        for i, argv in enumerate(argvs):
            ms, peak = run_once(argv)
            times[i].append(ms)
            rss[i] = max(rss[i], peak)
    out = []
    for t, r in zip(times, rss):
        t.sort()
        out.append((statistics.median(t), t[int(0.9 * (len(t) - 1))], r))
    return out


def import_oci(polc, profile, work):
    out = os.path.join(work, os.path.splitext(os.path.basename(profile))[0].replace("-", "_") + ".sbx")
    text = subprocess.run([polc, "import", "oci", profile], check=True, capture_output=True, text=True).stdout
    with open(out, "w") as f:
        f.write(text)
    return out


def main():
    args = sys.argv[1:]
    if len(args) < 3:
        sys.exit(__doc__)
    polc, runs, rest = args[0], int(args[1]), args[2:]
    polcs = [("", polc)]
    if len(rest) >= 2 and rest[0] == "--before":
        polcs = [("before: ", rest[1]), ("after: ", polc)]
        rest = rest[2:]
    work = tempfile.mkdtemp(prefix="polc-latency-")
    try:
        inputs, i = [], 0
        while i < len(rest):
            if rest[i] == "--oci":
                inputs.append((import_oci(polc, rest[i + 1], work), os.path.basename(rest[i + 1]) + " (imported)"))
                i += 2
            else:
                inputs.append((rest[i], os.path.relpath(rest[i])))
                i += 1
        print(f"{runs} runs each, median wall time in ms; check/ir and build-check from the medians.\n")
        print("| input | lines | ir ms | check ms | check p90 | build ms | check/ir | build-check ms | check peak RSS MiB |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for path, label in inputs:
            lines = sum(1 for _ in open(path))
            irs = measure([[p, "ir", path] for _, p in polcs], runs)
            checks = measure([[p, "check", path] for _, p in polcs], runs)
            builds = measure([[p, "build", path, "-o", os.path.join(work, f"dist{i}")] for i, (_, p) in enumerate(polcs)], runs)
            for (tag, _), (ir, _, _), (check, check_p90, rss), (build, _, _) in zip(polcs, irs, checks, builds):
                print(f"| {tag}`{label}` | {lines} | {ir:.1f} | {check:.1f} | {check_p90:.1f} | {build:.1f} | "
                      f"{check / ir:.2f} | {build - check:+.1f} | {rss:.1f} |", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
