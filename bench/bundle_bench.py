#!/usr/bin/env python3
"""Measures the bundle and trust commands: polc keygen, sign, verify (integrity only, and against
a 2-of-3 trust file), inspect (which rebuilds the bundle from its sources), and what --trust adds
to an sbx-exec start (against --insecure-dev-unsigned). Runs each command RUNS times after one
warm-up and prints a Markdown table of medians, with each bundle's size.
Usage: bundle_bench.py POLC SBX_EXEC RUNS POLICY..."""
import json, os, statistics, subprocess, sys, tempfile, time

def once_ms(cmd):
    start = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {r.returncode}")
    return (time.perf_counter() - start) * 1000

def median_ms(cmd, runs):
    once_ms(cmd)
    return statistics.median(once_ms(cmd) for _ in range(runs))

def bundle_size(path):
    files = [os.path.join(r, f) for r, _, fs in os.walk(path) for f in fs]
    return len(files), sum(os.path.getsize(f) for f in files)

def main():
    polc, sbx, runs, policies = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    work = tempfile.mkdtemp()
    keys = []
    for name in ("alice", "bob", "carol"):
        out = subprocess.run([polc, "keygen", "--out", os.path.join(work, name)], check=True, capture_output=True, text=True)
        keys.append(json.loads(out.stdout))
    # keygen never overwrites a key: every run writes a new one.
    keygen = statistics.median(once_ms([polc, "keygen", "--out", os.path.join(work, f"k{i}")]) for i in range(min(runs, 10)))
    print(f"`polc keygen`: {keygen:.1f} ms (median of {min(runs, 10)}).")
    print()
    print("| bundle | files | bytes | `sign` ms | `verify --integrity-only` ms | `verify --trust` (2 of 3) ms | `inspect` ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for i, policy in enumerate(policies):
        out = os.path.join(work, f"dist{i}")  # one directory per bundle: the name is read from it
        subprocess.run([polc, "build", policy, "-o", out], check=True, capture_output=True)
        name = json.load(open(os.path.join(out, os.listdir(out)[0], "manifest.json")))["policy"]["name"]
        bundle = os.path.join(out, name)
        trust = os.path.join(work, f"trust-{name}.json")
        json.dump({"format": "polc.trust/1", "threshold": 2, "keys": keys,
                   "policies": {name: {"min_version": 0}}}, open(trust, "w"))
        sign = median_ms([polc, "sign", bundle, "--key", os.path.join(work, "alice.key")], runs)
        subprocess.run([polc, "sign", bundle, "--key", os.path.join(work, "bob.key")], check=True, capture_output=True)
        files, size = bundle_size(bundle)
        integrity = median_ms([polc, "verify", bundle, "--integrity-only"], runs)
        trusted = median_ms([polc, "verify", bundle, "--trust", trust], runs)
        inspect = median_ms([polc, "inspect", bundle, "--trust", trust], runs)
        print(f"| `{policy}` | {files} | {size:,} | {sign:.1f} | {integrity:.1f} | {trusted:.1f} | {inspect:.1f} |")
        if os.path.basename(policy) == "python_agent.sbx" and os.path.exists(sbx):
            net = ["--network-enforced-externally"]
            base = [sbx, "--bundle", bundle, *net]
            py = ["--", "/usr/bin/python3.11", "-c", "pass"]
            dev = median_ms(base + ["--insecure-dev-unsigned"] + py, runs)
            with_trust = median_ms(base + ["--trust", trust] + py, runs)
            launch = (f"`sbx-exec` python_agent `-- python3.11 -c pass`: {dev:.1f} ms with "
                      f"`--insecure-dev-unsigned`, {with_trust:.1f} ms with `--trust` (2 of 3 signatures checked)")
    print()
    if "launch" in locals():
        print(launch + ".")

if __name__ == "__main__":
    main()
