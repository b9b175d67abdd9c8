#!/usr/bin/env python3
"""Measures `polc check` wall time and peak memory over the bundled examples and a generated
2,000-line policy. Runs each input RUNS times (after one warm-up) and reports the median, the
90th percentile and peak RSS, as a Markdown table.
Usage: check_latency.py POLC RUNS FILE..."""
import os, statistics, subprocess, sys, time

def measure(polc, path, runs):
    times, rss = [], 0
    subprocess.run([polc, "check", path], check=True, capture_output=True)  # warm the page cache
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen([polc, "check", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append((time.perf_counter() - start) * 1000)
        rss = max(rss, usage.ru_maxrss)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"polc check {path} failed")
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))], rss / 1024

def main():
    polc, runs, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    print("| input | lines | median ms | p90 ms | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|")
    for f in files:
        lines = sum(1 for _ in open(f))
        med, p90, rss = measure(polc, f, runs)
        print(f"| `{os.path.relpath(f)}` | {lines} | {med:.1f} | {p90:.1f} | {rss:.1f} |")

if __name__ == "__main__":
    main()
