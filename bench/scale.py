#!/usr/bin/env python3
"""Measures how `polc check` scales: one generated policy per shape (bench/gen_scale.py), the wall
time (median of RUNS runs after one warm-up) and the peak RSS of the whole process (getrusage of the
child), against the targets of 5 s and 1 GiB. With BEFORE_POLC set, each shape is also measured once
with that binary (the code before a change), so one run gives both columns.
Usage: scale.py POLC RUNS [TIMEOUT_S]
Environment: SCALE_SHAPES="paths hosts" selects shapes; BEFORE_POLC=path adds the before column."""
import os, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPES = [  # (shape, size, what the row says)
    ("syscall-args", 2000, "2,000 argument-conditioned rules on ioctl"),
    ("paths", 50000, "50,000 read paths"),
    ("hosts", 20000, "20,000 hosts"),
    ("ports", 5000, "5,000 port rules"),
    ("lines", 100000, "100,000 generated lines (bench/gen_policy.py)"),
    ("ioctl-values", 10000, "10,000 ioctl request values in runs (bench/gen_ioctl_policy.py)"),
]


def run_once(polc, path, timeout):
    """(seconds, CPU seconds, peak RSS MiB, exit code); seconds is None when the run was stopped at
    `timeout`. CPU time is user plus system time of the process and its children (the seccomp
    backend compiles in a child): on a loaded machine it moves less than wall time."""
    start = time.perf_counter()
    proc = subprocess.Popen([polc, "check", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            cpu = usage.ru_utime + usage.ru_stime
            return time.perf_counter() - start, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)
        if time.perf_counter() > deadline:
            proc.kill()
            _, _, usage = os.wait4(proc.pid, 0)
            return None, None, usage.ru_maxrss / 1024, None
        time.sleep(0.01)


def measure(polc, path, runs, timeout):
    """Median seconds and median CPU seconds (None if a run timed out), max peak RSS, exit codes."""
    times, cpus, rss, codes = [], [], 0.0, set()
    for _ in range(runs):
        t, cpu, r, code = run_once(polc, path, timeout)
        rss = max(rss, r)
        if t is None:
            return None, None, rss, codes
        times.append(t)
        cpus.append(cpu)
        codes.add(code)
    return statistics.median(times), statistics.median(cpus), rss, codes


def cell(seconds, cpu, rss, codes, timeout):
    if seconds is None:
        return f"> {timeout:.0f} s (stopped)", "", f"≥ {rss:.0f}"
    # Exit 1 is a check that found errors: the row says so, since such a time measures less work.
    note = "" if codes <= {0} else " (exit " + ",".join(str(c) for c in sorted(codes)) + ")"
    return f"{seconds:.2f} s{note}", f"{cpu:.2f} s", f"{rss:.0f}"


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    polc, runs = sys.argv[1], int(sys.argv[2])
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 300.0
    before = os.environ.get("BEFORE_POLC")
    selected = os.environ.get("SCALE_SHAPES", "").split()
    with tempfile.TemporaryDirectory() as work:
        head = "| shape | lines | "
        if before:
            head += "before: wall | before: CPU | before: peak RSS MiB | "
        print(head + "median wall | median CPU | peak RSS MiB | within 5 s and 1 GiB |")
        print("|---|---:|" + ("---:|---:|---:|" if before else "") + "---:|---:|---:|---|")
        for shape, size, label in SHAPES:
            if selected and shape not in selected:
                continue
            path = os.path.join(work, f"{shape}.sbx")
            with open(path, "w") as f:
                subprocess.run([sys.executable, os.path.join(HERE, "gen_scale.py"), shape, str(size)], stdout=f, check=True)
            lines = sum(1 for _ in open(path))
            row = f"| {label} | {lines:,} | "
            if before:
                row += " | ".join(cell(*measure(before, path, 1, timeout), timeout)) + " | "
            warm = run_once(polc, path, timeout)  # warm-up; a stopped one is the answer
            seconds, cpu, rss, codes = measure(polc, path, runs, timeout) if warm[0] is not None else (None, None, warm[2], set())
            # The target is on wall time; CPU time is what it would be on an idle machine.
            ok = seconds is not None and min(seconds, cpu) < 5 and rss < 1024 and codes <= {0}
            print(row + " | ".join(cell(seconds, cpu, rss, codes, timeout)) + f" | {'yes' if ok else 'no'} |", flush=True)


if __name__ == "__main__":
    main()
