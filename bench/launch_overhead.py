#!/usr/bin/env python3
"""Measures what sbx-exec adds to starting a payload (bundles signed with `polc sign` and checked
against a trust file, as in production), and what `polc build` costs per example.
Runs each command RUNS times after one warm-up and prints Markdown tables of medians.
Usage: launch_overhead.py POLC SBX_EXEC RUNS"""
import json, os, statistics, subprocess, sys, tempfile, time

TRUE_POLICY = """policy launch_true version 1 {
  targets x86_64
  import std.runtime.glibc
  syscalls {
    default errno(EPERM)
    allow execve
  }
  filesystem {
    landlock abi >= 6
    landlock scope signal, abstract_unix_socket
    read "/usr", "/etc/ld.so.cache"
    read, execute "/usr/bin/true"
  }
  network {
    connect tcp 8080 to 127.0.0.1
  }
}
"""

def median_ms(cmd, runs):
    subprocess.run(cmd, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)

def main():
    polc, sbx, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    work = tempfile.mkdtemp()
    src = os.path.join(work, "launch_true.sbx")
    open(src, "w").write(TRUE_POLICY)
    for policy in (src, "examples/python_agent.sbx"):
        subprocess.run([polc, "build", policy, "-o", work], check=True, capture_output=True)
    true_bundle, py_bundle = os.path.join(work, "launch_true"), os.path.join(work, "python_agent")
    # Launched as in production: signed, and checked against a trust file (one Ed25519 signature
    # verified per launch).
    key = subprocess.run([polc, "keygen", "--out", os.path.join(work, "bench")], check=True, capture_output=True,
                         text=True).stdout
    trust = os.path.join(work, "trust.json")
    with open(trust, "w") as f:
        json.dump({"format": "polc.trust/1", "threshold": 1, "keys": [json.loads(key)],
                   "policies": {"launch_true": {"min_version": 1}, "python_agent": {"min_version": 1}}}, f)
    for bundle in (true_bundle, py_bundle):
        subprocess.run([polc, "sign", bundle, "--key", os.path.join(work, "bench.key")], check=True,
                       capture_output=True)
    external = ["--trust", trust, "--network-enforced-externally"]
    rows = [("`/usr/bin/true`", ["/usr/bin/true"]),
            ("`sbx-exec ... -- /usr/bin/true`", [sbx, "--bundle", true_bundle, *external, "--", "/usr/bin/true"])]
    root = os.geteuid() == 0
    if root:
        rows.append(("`sbx-exec --netns ... -- /usr/bin/true`",
                     [sbx, "--bundle", true_bundle, "--trust", trust, "--netns", "--", "/usr/bin/true"]))
    rows += [("`python3.11 -c pass`", ["/usr/bin/python3.11", "-c", "pass"]),
             ("`sbx-exec` python_agent `-- python3.11 -c pass`",
              [sbx, "--bundle", py_bundle, *external, "--", "/usr/bin/python3.11", "-c", "pass"])]
    print("| command | median ms |")
    print("|---|---:|")
    for name, cmd in rows:
        print(f"| {name} | {median_ms(cmd, runs):.2f} |")
    print()
    print("| example | `polc check` median ms | `polc build` median ms |")
    print("|---|---:|---:|")
    for f in sorted(os.listdir("examples")):
        path = os.path.join("examples", f)
        check = median_ms([polc, "check", path], runs)
        build = median_ms([polc, "build", path, "-o", work], runs)
        print(f"| `{path}` | {check:.1f} | {build:.1f} |")

if __name__ == "__main__":
    main()
