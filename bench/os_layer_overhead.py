#!/usr/bin/env python3
"""What the OS layer adds to a launch: sbx-exec (supervised) starting /usr/bin/true with a bundle
without os.json, then with os.json asking for the namespaces (pid with sbx-exec's init, mount,
ipc, uts, cgroup), for cgroup limits (memory, tasks, cpu), for both, and for both with mounts (a
tmpfs, a mask, a read-only bind). os.json is written into a bundle `polc build` made (replacing the
one polc writes, if any) and the manifest listed again; the runs are --insecure-dev-unsigned.
Runs each command RUNS times after one warm-up, the commands in turn (round robin, so that a
busy machine slows every case alike), and prints a Markdown table of medians.
Usage: os_layer_overhead.py POLC SBX_EXEC RUNS (as root: namespaces and cgroups)"""
import hashlib, json, os, shutil, statistics, subprocess, sys, tempfile, time

POLICY = """policy os_bench version 1 {
  targets x86_64
  import std.runtime.glibc
  syscalls {
    default errno(EPERM)
    allow execve
  }
  filesystem {
    landlock abi >= 6
    read "/usr", "/etc/ld.so.cache"
    read, execute "/usr/bin/true"
  }
}
"""

NAMESPACES = ["cgroup", "ipc", "mount", "pid", "uts"]
LIMITS = {"memory": 256 << 20, "tasks": 64, "cpu": 1000}


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def with_os_json(bundle, dest, doc):
    """A copy of `bundle` at `dest` whose os.json is `doc` (None: no os.json), manifest relisted."""
    shutil.copytree(bundle, dest)
    path = os.path.join(dest, "os.json")
    if os.path.exists(path):
        os.unlink(path)
    manifest_path = os.path.join(dest, "manifest.json")
    manifest = json.load(open(manifest_path))
    manifest["artifacts"] = [a for a in manifest["artifacts"] if a["path"] != "os.json"]
    if doc is not None:
        data = canonical(doc).encode()
        open(path, "wb").write(data)
        manifest["artifacts"].append({"path": "os.json", "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
        manifest["artifacts"].sort(key=lambda a: a["path"])
    sig = os.path.join(dest, "signatures.json")
    if os.path.exists(sig):
        os.unlink(sig)
    open(manifest_path, "w").write(canonical(manifest))
    return dest


def os_doc(namespaces=(), limits=None, mounts=()):
    lim = {"core_dumps": False}
    lim.update(limits or {})
    return {"format": "polc-os/1", "limits": lim, "mounts": list(mounts), "namespaces": list(namespaces),
            "workspaces": []}


def main():
    polc, sbx, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    work = tempfile.mkdtemp()
    os.chmod(work, 0o755)
    src = os.path.join(work, "os_bench.sbx")
    open(src, "w").write(POLICY)
    subprocess.run([polc, "build", src, "-o", os.path.join(work, "dist")], check=True, capture_output=True)
    built = os.path.join(work, "dist", "os_bench")
    # Outside /tmp, which the tmpfs mount covers (a mount beneath it would have nothing to mount on).
    masked = tempfile.mkdtemp(dir="/var/tmp")
    os.makedirs(os.path.join(masked, "secret"))
    os.makedirs(os.path.join(masked, "ro"))
    mounts = [{"kind": "readonly", "path": f"{masked}/ro"}, {"kind": "hide", "path": f"{masked}/secret"},
              {"kind": "tmpfs", "path": "/tmp", "size": 16 << 20}]
    mounts.sort(key=lambda m: m["path"])
    cases = [
        ("no OS layer (no os.json)", None),
        ("rlimits only (core dumps off)", os_doc()),
        ("namespaces: pid (init), mount, ipc, uts, cgroup", os_doc(NAMESPACES)),
        ("cgroup limits: memory, tasks, cpu", os_doc((), LIMITS)),
        ("namespaces and cgroup limits", os_doc(NAMESPACES, LIMITS)),
        ("namespaces, limits and 3 mounts", os_doc(NAMESPACES, LIMITS, mounts)),
    ]
    commands = []
    for i, (name, doc) in enumerate(cases):
        bundle = with_os_json(built, os.path.join(work, f"b{i}", "os_bench"), doc)
        cmd = [sbx, "--bundle", bundle, "--insecure-dev-unsigned", "--network-enforced-externally", "--", "/usr/bin/true"]
        subprocess.run(cmd, check=True, capture_output=True)  # warm-up, and it must work
        commands.append(cmd)
    times = [[] for _ in cases]
    for _ in range(runs):
        for i, cmd in enumerate(commands):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[i].append((time.perf_counter() - start) * 1000)
    print("| `sbx-exec -- /usr/bin/true` with | median ms | added ms |")
    print("|---|---:|---:|")
    base_ms = statistics.median(times[0])
    for (name, _), t in zip(cases, times):
        ms = statistics.median(t)
        print(f"| {name} | {ms:.2f} | {ms - base_ms:+.2f} |")
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(masked, ignore_errors=True)


if __name__ == "__main__":
    main()
