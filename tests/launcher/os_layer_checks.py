"""launcher.os_*: the OS layer (os.json) on the real kernel, as root. Fixture bundles carry a
hand-written os.json (the format of docs/backends/os.md), so each test exercises one part:

- os_fork_bomb: a payload forking without end stops at the task limit, the host stays responsive
  (the test finishes), and a tasks_max event is reported;
- os_memory_hog: a payload allocating without end is OOM-killed at the memory limit (137) and an
  oom_kill event is reported;
- os_time_limit: a payload past its wall-clock limit is killed whole (every process of the run)
  and a time_limit event is reported;
- os_pid_namespace: /proc and ps show only the run's processes, the payload is PID 2 under
  sbx-exec's init, the hostname is the sandbox's, signals still reach the payload;
- os_masks: a hidden directory cannot be listed nor its files read while its siblings can; a
  hidden file reads empty; a read-only mount refuses writes; the payload cannot umount a mask;
- os_workspace: a clean run commits creates, edits, deletes and renames exactly; a payload killed
  by the policy's seccomp filter, one that fails, and one past its time limit leave the workspace
  byte for byte as before (tree hash);
- os_built_policy: a policy `polc build` compiles (os.json and attribution.json's os section from
  the language): each limit's event names the limit's line; masks and the workspace apply;
- os_unprivileged: a caller that is not root gets its namespaces through a user namespace and
  keeps none of its capabilities there; a limit it cannot set refuses the launch;
- os_refusals: what the launcher refuses about the OS layer (an os.json that does not parse,
  --exec-in-place, a controller this machine lacks is shown by --dry-run).
"""

import hashlib
import json
import os
import signal
import stat
import subprocess
import time

import fixture
from harness import DEV_FLAG, EXIT, Skip, parse_audit

OS_FORMAT = "polc-os/1"


def require_root():
    if os.geteuid() != 0:
        raise Skip("needs root (namespaces, cgroup limits, mounts)")


def os_doc(namespaces=(), limits=None, mounts=(), workspaces=()):
    lim = {"core_dumps": False}
    lim.update(limits or {})
    return {"format": OS_FORMAT, "limits": lim, "mounts": list(mounts), "namespaces": sorted(namespaces),
            "workspaces": list(workspaces)}


def write_os_bundle(bundle, work, doc, bpf=None, more_rules=()):
    """A fixture bundle granting `work` (and /tmp) with os.json `doc` listed in its manifest."""
    rules = fixture.system_rules() + [{"path": work, "access": fixture.FS_ALL_ABI3}] + list(more_rules)
    fixture.write_bundle(bundle, fixture.landlock_doc(rules), bpf=bpf)
    with open(os.path.join(bundle, "os.json"), "w") as f:
        f.write(fixture.canonical(doc))
    fixture.write_manifest(bundle)
    return bundle


def run(ctx, bundle, command, extra=(), timeout=120, events=None):
    argv = [ctx.sbx, "--bundle", bundle, DEV_FLAG, "--network-enforced-externally"]
    if events:
        argv += ["--events", events]
    if "--workspace-staging" not in extra:
        # The run's workspaces stage in the test's own directory, not in sbx-exec's machine-wide
        # default (/var/tmp/polc-workspaces), which leaks.check would find left behind.
        staging = os.path.join(ctx.tmp, "workspace-staging")
        os.makedirs(staging, mode=0o700, exist_ok=True)
        argv += ["--workspace-staging", staging]
    argv += [*extra, "--", *command]
    started = time.monotonic()
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    r.elapsed = time.monotonic() - started
    return r


def read_events(path):
    if not os.path.exists(path):
        return []
    return [json.loads(line) for line in open(path).read().splitlines() if line.strip()]


def limit_events(path, decision):
    return [e for e in read_events(path) if e.get("event") == "refusal" and e.get("layer") == "limits"
            and e.get("decision") == decision]


def exit_line(stderr):
    lines = [parse_audit(line) for line in stderr.splitlines()]
    exits = [a for a in lines if a and a.get("result") == "exit"]
    return exits[-1] if exits else None


def exec_line(stderr):
    lines = [parse_audit(line) for line in stderr.splitlines()]
    execs = [a for a in lines if a and a.get("result") == "exec"]
    return execs[-1] if execs else None


def os_of(line):
    """The audit line's os object ({} when the line or the object is missing)."""
    return (line or {}).get("os") or {}


def tree_hash(root):
    """A digest of every entry beneath `root`: names, types, modes, link targets, contents."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            h.update(f"{os.path.relpath(path, root)}\0{stat.S_IFMT(st.st_mode)}\0{stat.S_IMODE(st.st_mode)}\0".encode())
            if stat.S_ISLNK(st.st_mode):
                h.update(os.readlink(path).encode())
            elif stat.S_ISREG(st.st_mode):
                h.update(open(path, "rb").read())
    return h.hexdigest()


def no_run_groups_left(ctx, what, stderr):
    """The run's cgroups (cgroup2, and cgroup v1 on a hybrid machine) are removed at the end,
    however the payload ended (ending like the payload raises its signal, which runs no destructor)."""
    end = exit_line(stderr)
    if not ctx.check(end is not None and end["supervisor"]["tree"].startswith("cgroup "), f"{what}: a run cgroup",
                     str(end and end["supervisor"])):
        return
    group = end["supervisor"]["tree"][len("cgroup "):]
    left = [group] if os.path.exists(group) else []
    name = f"polc-run-{end['supervisor']['pid']}"
    for dirpath, dirnames, _ in os.walk("/sys/fs/cgroup"):
        if name in dirnames:
            left.append(os.path.join(dirpath, name))
        if dirpath.count("/") > 6:
            dirnames[:] = []
    ctx.check(not left, f"{what}: the run's cgroups are removed", str(left))


# Forks children that sleep until the task limit refuses forks; prints how many it started and
# how many forks were refused, then exits 0 (its children are killed with the run).
FORK_BOMB = r"""
import os, sys, time
started = refused = 0
deadline = time.monotonic() + 20
while time.monotonic() < deadline and refused < 200 and started < 300:
    try:
        pid = os.fork()
    except BlockingIOError:
        refused += 1
        continue
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    started += 1
print(started, refused, flush=True)
"""

MEMORY_HOG = r"""
chunks = []
while True:
    chunks.append(bytearray(16 << 20))
"""


def test_fork_bomb(ctx):
    require_root()
    work, _, bundle = ctx.dirs("fork_bomb")
    write_os_bundle(bundle, work, os_doc(["pid", "mount"], {"tasks": 16}))
    events = os.path.join(work, "..", "events.jsonl")
    r = run(ctx, bundle, ["/usr/bin/python3", "-I", "-S", "-c", FORK_BOMB], events=events)
    counts = r.stdout.split()
    ctx.check(r.returncode == 0 and len(counts) == 2, f"the fork bomb ends by itself (exit {r.returncode})",
              r.stdout + r.stderr[-2000:])
    if len(counts) == 2:
        started, refused = int(counts[0]), int(counts[1])
        # 16 tasks: init, the payload and at most 14 children.
        ctx.check(started <= 14 and refused > 0, f"forks stop at the task limit ({started} started, {refused} refused)")
    hits = limit_events(events, "tasks_max")
    ctx.check(len(hits) == 1 and hits[0]["request"].get("limit") == "tasks" and hits[0]["request"].get("value") == 16
              and hits[0]["request"].get("count", 0) >= 1, "a tasks_max event names the limit", str(read_events(events)))
    end = exit_line(r.stderr)
    ctx.check(os_of(end).get("limits_hit") == ["tasks_max"] and end["payload"]["left_running"] == 0,
              "the exit line says the task limit was hit and nothing was left running", str(end))
    ctx.check(end is not None and "cgroup_limits" in end["layers"], "cgroup_limits is a layer of the run", str(end))
    no_run_groups_left(ctx, "fork bomb", r.stderr)


def test_memory_hog(ctx):
    require_root()
    work, _, bundle = ctx.dirs("memory_hog")
    write_os_bundle(bundle, work, os_doc([], {"memory": 64 << 20}))
    events = os.path.join(work, "..", "events.jsonl")
    r = run(ctx, bundle, ["/usr/bin/python3", "-I", "-S", "-c", MEMORY_HOG], events=events)
    ctx.check(r.returncode == -signal.SIGKILL, f"the memory hog is killed by SIGKILL (got {r.returncode})",
              r.stderr[-2000:])
    hits = limit_events(events, "oom_kill")
    ctx.check(len(hits) == 1 and hits[0]["request"] == {"limit": "memory", "value": 64 << 20,
                                                         "count": hits[0]["request"].get("count")}
              and hits[0]["request"]["count"] >= 1 and hits[0]["ocsf"]["severity_id"] == 4,
              "an oom_kill event names the memory limit", str(read_events(events)))
    ctx.check("limits: oom_kill" in r.stderr, "the summary on stderr names the OOM kill", r.stderr[-2000:])
    no_run_groups_left(ctx, "memory hog", r.stderr)


def test_time_limit(ctx):
    require_root()
    work, _, bundle = ctx.dirs("time_limit")
    write_os_bundle(bundle, work, os_doc(["pid", "mount"], {"time_ms": 1500}))
    events = os.path.join(work, "..", "events.jsonl")
    pidfile = os.path.join(work, "daemon")
    # A daemon in a session of its own, and the payload itself, both past the limit.
    r = run(ctx, bundle, ["/bin/sh", "-c", f"setsid sh -c 'echo x > {pidfile}; exec sleep 60' & sleep 60"], events=events)
    ctx.check(r.returncode == -signal.SIGKILL, f"a run past its time limit is killed by SIGKILL (got {r.returncode})",
              r.stderr[-2000:])
    ctx.check(1.4 < r.elapsed < 10, f"killed at the limit (after {r.elapsed:.1f} s)")
    hits = limit_events(events, "time_limit")
    ctx.check(len(hits) == 1 and hits[0]["request"] == {"limit": "time", "value": 1500},
              "a time_limit event names the limit", str(read_events(events)))
    end = exit_line(r.stderr)
    ctx.check(end is not None and end["payload"] == {"exit_code": 137, "signal": 9, "left_running": 0},
              "the exit line: killed by SIGKILL, nothing left running", str(end and end["payload"]))
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    ctx.check("sleep 60" not in ps, "no process of the run survives", ps)
    no_run_groups_left(ctx, "time limit", r.stderr)


def test_pid_namespace(ctx):
    require_root()
    work, _, bundle = ctx.dirs("pid_namespace")
    write_os_bundle(bundle, work, os_doc(["pid", "mount", "uts", "ipc", "cgroup"]))
    script = ("echo self=$$; hostname; ls /proc | grep -c '^[0-9]*$'; ps -eo pid=,comm= ; "
              "cat /proc/1/comm; cat /proc/self/cgroup | grep '^0::'")
    r = run(ctx, bundle, ["/bin/sh", "-c", script])
    lines = r.stdout.splitlines()
    ctx.check(r.returncode == 0 and lines[:2] == ["self=2", "sandbox"],
              "the payload is PID 2 and the hostname is the sandbox's", r.stdout + r.stderr[-1500:])
    if len(lines) > 2:
        ctx.check(lines[2].isdigit() and int(lines[2]) <= 5, f"/proc lists only the run's processes ({lines[2]})",
                  r.stdout)
    procs = [line.split() for line in lines[3:] if line.strip() and line.split()[0].isdigit()]
    comms = {p[1] for p in procs if len(p) > 1}
    ctx.check(procs and all(int(p[0]) < 10 for p in procs) and comms <= {"sbx-exec-init", "sh", "ps"},
              "ps shows only the run's processes", r.stdout)
    ctx.check("sbx-exec-init" in lines, "PID 1 is sbx-exec's init", r.stdout)
    ctx.check("0::/" in lines, "the cgroup namespace's root is the run's group", r.stdout)
    ex = exec_line(r.stderr)
    ctx.check(os_of(ex).get("namespaces") == ["pid", "mount", "ipc", "uts", "cgroup"]
              and ex["pid"] != 2 and "namespaces" in ex["layers"],
              "the exec line names the namespaces and the payload's pid as the host sees it", str(os_of(ex)))

    # The caller's SIGTERM reaches the payload through init (which ignores what it has no handler for).
    ready = os.path.join(work, "ready")
    p = subprocess.Popen([ctx.sbx, "--bundle", bundle, DEV_FLAG, "--network-enforced-externally", "--", "/bin/sh", "-c",
                          f"trap 'exit 7' TERM; echo $$ > {ready}; while :; do sleep 0.05; done"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 10
    while time.time() < deadline and not (os.path.exists(ready) and open(ready).read().strip()):
        time.sleep(0.02)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=30)
    ctx.check(p.returncode == 7, f"SIGTERM is relayed to the payload in its pid namespace (exit {p.returncode})",
              err[-1500:])
    # A payload killed by a signal: sbx-exec ends the same way, though init exits normally.
    r = run(ctx, bundle, ["/bin/sh", "-c", "kill -TERM $$"])
    ctx.check(r.returncode == -signal.SIGTERM, f"the payload's own signal passes through init (got {r.returncode})",
              r.stderr[-1500:])


def test_masks(ctx):
    require_root()
    work, _, bundle = ctx.dirs("masks")
    for d in ("secret", "open", "ro"):
        os.makedirs(os.path.join(work, d))
    open(os.path.join(work, "secret", "key"), "w").write("secret\n")
    open(os.path.join(work, "open", "f"), "w").write("open\n")
    open(os.path.join(work, "ro", "f"), "w").write("ro\n")
    open(os.path.join(work, "token"), "w").write("token\n")
    mounts = [{"kind": "readonly", "path": f"{work}/ro"}, {"kind": "hide", "path": f"{work}/secret"},
              {"kind": "hide", "path": f"{work}/token"}]
    write_os_bundle(bundle, work, os_doc(["mount"], mounts=sorted(mounts, key=lambda m: m["path"])))
    probe = (f"ls -A {work}/secret | wc -l; cat {work}/secret/key 2>/dev/null || echo unreadable; "
             f"cat {work}/open/f; wc -c < {work}/token; "
             f"(echo x > {work}/ro/f) 2>/dev/null && echo written || echo refused; cat {work}/ro/f; "
             f"touch {work}/ro/new 2>/dev/null && echo created || echo refused; "
             f"umount {work}/secret 2>/dev/null && echo unmounted || echo umount-failed; "
             f"umount -l {work}/secret 2>/dev/null && echo unmounted || echo umount-failed; "
             f"cat {work}/secret/key 2>/dev/null || echo still-hidden")
    r = run(ctx, bundle, ["/bin/sh", "-c", probe])
    got = r.stdout.split()
    ctx.check(got == ["0", "unreadable", "open", "0", "refused", "ro", "refused", "umount-failed", "umount-failed",
                      "still-hidden"], "masks hold; siblings readable; read-only refuses writes; umount of a mask fails",
              r.stdout + r.stderr[-1500:])
    ex = exec_line(r.stderr)
    ctx.check(ex is not None and "mounts" in ex["layers"] and ex["layers"].index("mounts") < ex["layers"].index("landlock.fs"),
              "mounts are applied before Landlock", str(ex and ex["layers"]))
    # The host's view is untouched.
    ctx.check(open(os.path.join(work, "secret", "key")).read() == "secret\n" and
              open(os.path.join(work, "ro", "f")).read() == "ro\n", "the host's files are unchanged")


def kill_on_uname_program():
    """seccomp: uname is killed (the policy's kill), everything else allowed."""
    ins = fixture.insn
    return b"".join([ins(fixture.BPF_LD_W_ABS, 0, 0, 4), ins(fixture.BPF_JEQ_K, 1, 0, fixture.AUDIT_ARCH_X86_64),
                     ins(fixture.BPF_RET_K, 0, 0, fixture.RET_KILL_PROCESS), ins(fixture.BPF_LD_W_ABS, 0, 0, 0),
                     ins(fixture.BPF_JEQ_K, 0, 1, fixture.NR["uname"]),
                     ins(fixture.BPF_RET_K, 0, 0, fixture.RET_KILL_PROCESS),
                     ins(fixture.BPF_RET_K, 0, 0, fixture.RET_ALLOW)])


def test_workspace(ctx):
    require_root()
    work, outside, bundle = ctx.dirs("workspace")
    proj = os.path.join(work, "proj")
    staging = os.path.join(outside, "staging")

    def fresh():
        subprocess.run(["rm", "-rf", proj], check=True)
        os.makedirs(os.path.join(proj, "sub", "deep"))
        for name, text in (("edit", "old\n"), ("gone", "gone\n"), ("moved", "moved\n"), ("keep", "keep\n"),
                           ("sub/deep/f", "deep\n")):
            open(os.path.join(proj, name), "w").write(text)
        os.symlink("keep", os.path.join(proj, "link"))

    ws = {"discard_on": ["failure", "kill", "refusal"], "path": proj, "refusal_layers": ["landlock", "seccomp"]}
    write_os_bundle(bundle, work, os_doc(["mount"], {"time_ms": 3000}, workspaces=[ws]), bpf=kill_on_uname_program())
    extra = ["--workspace-staging", staging]
    change = (f"cd {proj} && echo new > created && echo more >> edit && rm gone && mv moved renamed && "
              "mv sub sub2 && mkdir made && rm link && ln -s renamed link")

    # A clean run commits exactly its changes.
    fresh()
    r = run(ctx, bundle, ["/bin/sh", "-c", change + " && ls -R . >/dev/null"], extra)
    expected = {"created": "new\n", "edit": "old\nmore\n", "renamed": "moved\n", "keep": "keep\n",
                "sub2/deep/f": "deep\n"}
    files = {}
    for dirpath, _, names in os.walk(proj):
        for n in names:
            p = os.path.join(dirpath, n)
            if not os.path.islink(p):
                files[os.path.relpath(p, proj)] = open(p).read()
    ctx.check(r.returncode == 0 and files == expected and os.path.isdir(os.path.join(proj, "made"))
              and os.readlink(os.path.join(proj, "link")) == "renamed" and not os.path.exists(os.path.join(proj, "sub")),
              "a clean run commits creates, edits, deletes and renames exactly", f"{files}\n{r.stderr[-2000:]}")
    ctx.check(f"sbx-exec: workspace {proj}: committed:" in r.stderr, "stderr says the workspace was committed",
              r.stderr[-1500:])
    end = exit_line(r.stderr)
    ctx.check((os_of(end).get("workspaces") or [{}])[0].get("outcome") == "committed", "the exit line says committed",
              str(os_of(end)))
    ctx.check(not os.listdir(staging) if os.path.isdir(staging) else True, "the staging directory is removed")

    # Killed by the policy (seccomp kill on uname), after changing everything: nothing is committed.
    for what, command, reason in (
            ("killed by the policy", change + " && exec uname", "killed by signal 31 (SIGSYS)"),
            ("a failing run", change + " && exit 4", "exited with status 4"),
            ("a run past its time limit", change + " && sleep 30", "at the time limit")):
        fresh()
        before = tree_hash(proj)
        r = run(ctx, bundle, ["/bin/sh", "-c", command], extra)
        ctx.check(tree_hash(proj) == before, f"{what}: the workspace is byte for byte as before (tree hash)",
                  r.stderr[-1500:])
        said = [line for line in r.stderr.splitlines() if line.startswith(f"sbx-exec: workspace {proj}: ")]
        ctx.check(len(said) == 1 and "discarded" in said[0] and reason in said[0], f"{what}: stderr says why", str(said))
        end = exit_line(r.stderr)
        ctx.check((os_of(end).get("workspaces") or [{}])[0].get("outcome") == "discarded",
                  f"{what}: the exit line says discarded", str(os_of(end)))


def test_refusals(ctx):
    require_root()
    work, _, bundle = ctx.dirs("os_refusals")
    # An os.json that does not parse is a broken bundle (121), whatever else is right.
    bad = os_doc(["pid"])
    bad["namespaces"].append("net")
    write_os_bundle(bundle, work, bad)
    r = run(ctx, bundle, ["/bin/true"])
    ctx.check(r.returncode == EXIT["bundle"] and "os.json" in r.stderr, f"a bad os.json refuses (exit {r.returncode})",
              r.stderr[-1000:])
    # --exec-in-place cannot apply namespaces (no init, no supervisor).
    write_os_bundle(bundle, work, os_doc(["pid", "mount"]))
    r = run(ctx, bundle, ["/bin/true"], ["--exec-in-place"])
    ctx.check(r.returncode == EXIT["usage"] and "--exec-in-place cannot apply the policy's OS layer" in r.stderr,
              f"--exec-in-place refuses an OS layer that needs the supervisor (exit {r.returncode})", r.stderr[-1000:])
    # rlimits alone work in place.
    write_os_bundle(bundle, work, os_doc([], {"open_files": 64}))
    r = run(ctx, bundle, ["/bin/sh", "-c", "ulimit -n; ulimit -c"], ["--exec-in-place"])
    ctx.check(r.returncode == 0 and r.stdout.split() == ["64", "0"], "rlimits apply in place", r.stdout + r.stderr[-800:])
    # The dry run shows the layer and where each controller would come from.
    write_os_bundle(bundle, work, os_doc(["pid", "mount"], {"memory": 1 << 30, "tasks": 64, "time_ms": 60000}))
    r = run(ctx, bundle, ["/bin/true"], ["--dry-run"])
    ctx.check(r.returncode == 0 and "os layer (os.json):" in r.stdout and "init (PID 1) forks the payload" in r.stdout
              and "cgroup controller memory:" in r.stdout and "tasks 64 (pids.max)" in r.stdout,
              "--dry-run shows the OS layer and the order", r.stdout + r.stderr[-800:])


BUILT_POLICY = """policy os_built version 1 {
  targets x86_64
  import std.runtime.glibc
  syscalls {
    default allow
    kill uname
  }
  limits {
    memory 64MiB
    tasks 16
    time 3s
  }
  namespaces pid, mount, uts
  filesystem {
    landlock abi >= 3
    read, execute "/usr", "/etc", "/proc"
    read, write "/dev/null"
    read, write "WORK"
    mount hide "WORK/secret"
    deny read "WORK/private"
    deny write "WORK/frozen"
    workspace "WORK/proj" discard on kill, failure, refusal(seccomp, landlock)
  }
}
"""


def test_built_policy(ctx):
    """A policy `polc build` compiles: os.json and attribution.json's os section from the language,
    the limits' events attributed to their lines, and the dry run showing the layer."""
    require_root()
    work, _, _ = ctx.dirs("built_policy")
    os.makedirs(os.path.join(work, "secret"))
    os.makedirs(os.path.join(work, "proj"))
    open(os.path.join(work, "secret", "key"), "w").write("key\n")
    for d in ("private", "frozen", "sibling"):
        os.makedirs(os.path.join(work, d))
        open(os.path.join(work, d, "f"), "w").write(d + "\n")
    src = os.path.join(work, "..", "os_built.sbx")
    open(src, "w").write(BUILT_POLICY.replace("WORK", work))
    out = os.path.join(work, "..", "dist")
    r = subprocess.run([ctx.polc, "build", src, "-o", out], capture_output=True, text=True)
    if not ctx.check(r.returncode == 0, "polc build of a policy with an OS layer", r.stderr[-2000:]):
        return
    bundle = os.path.join(out, "os_built")
    ctx.check(os.path.exists(os.path.join(bundle, "os.json")), "the bundle has os.json")
    source_lines = open(src).read().splitlines()

    def line_of(event):
        at = (event.get("rule") or {}).get("at") or ""
        n = at.rpartition(":")[2]
        return source_lines[int(n) - 1].strip() if n.isdigit() and 0 < int(n) <= len(source_lines) else None

    for name, command, decision, statement in (
            ("memory", ["/usr/bin/python3", "-I", "-S", "-c", MEMORY_HOG], "oom_kill", "memory 64MiB"),
            ("time", ["/bin/sleep", "30"], "time_limit", "time 3s"),
            ("tasks", ["/usr/bin/python3", "-I", "-S", "-c", FORK_BOMB], "tasks_max", "tasks 16")):
        events = os.path.join(work, "..", f"{name}.jsonl")
        r = run(ctx, bundle, command, events=events)
        hits = limit_events(events, decision)
        ctx.check(len(hits) == 1 and line_of(hits[0]) == statement and hits[0]["rule"]["text"] == statement,
                  f"{decision}: the event names the limit's line ({statement})",
                  f"{hits}\n{r.stderr[-1500:]}")
    # Denies beneath the grant on WORK: masked by os.json (a read denied hides the path, a write
    # denied makes it read-only) while their siblings keep the grant.
    r = run(ctx, bundle, ["/bin/sh", "-c",
                          f"cat {work}/private/f 2>/dev/null || echo hidden; cat {work}/frozen/f; "
                          f"(echo x > {work}/frozen/f) 2>/dev/null && echo written || echo refused; "
                          f"echo s > {work}/sibling/f && cat {work}/sibling/f"])
    ctx.check(r.returncode == 0 and r.stdout.split() == ["hidden", "frozen", "refused", "s"],
              "denies beneath a grant are masked; the sibling keeps the grant", r.stdout + r.stderr[-1500:])
    # The hidden directory and the workspace, from the language.
    r = run(ctx, bundle, ["/bin/sh", "-c", f"cat {work}/secret/key 2>/dev/null || echo hidden; echo x > {work}/proj/x"])
    ctx.check(r.stdout.split() == ["hidden"] and os.path.exists(os.path.join(work, "proj", "x")),
              "the mask hides; a clean run commits the workspace", r.stdout + r.stderr[-1500:])
    r = run(ctx, bundle, ["/bin/sh", "-c", f"echo y > {work}/proj/y; exec uname"])
    ctx.check(r.returncode == -signal.SIGSYS and not os.path.exists(os.path.join(work, "proj", "y")),
              f"killed by the policy (exit {r.returncode}): the workspace is discarded", r.stderr[-1500:])
    r = run(ctx, bundle, ["/bin/true"], ["--dry-run"])
    ctx.check(r.returncode == 0 and "os layer (os.json):" in r.stdout and "namespaces: pid, mount, uts" in r.stdout,
              "the dry run shows the policy's OS layer", r.stdout)


def test_unprivileged(ctx):
    """Not root: the namespaces come with a user namespace of the payload's own (its uid and gid
    mapped to themselves, setgroups denied), the capabilities it holds there are dropped before
    exec, and a limit, which needs the cgroup hierarchy root owns, refuses the launch."""
    require_root()  # to become nobody
    if open("/proc/sys/user/max_user_namespaces").read().strip() == "0":
        raise Skip("user namespaces are disabled here")
    work, _, bundle = ctx.dirs("unprivileged")
    os.chmod(work, 0o777)
    write_os_bundle(bundle, work, os_doc(["pid", "mount", "uts"], mounts=[{"kind": "tmpfs", "path": work}]))
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"]
    probe = (f"echo pid=$$ host=$(hostname) uid=$(id -u); grep CapEff /proc/self/status; touch {work}/x && ls {work}; "
             "umount " + work + " 2>/dev/null && echo unmounted || echo umount-failed")
    r = subprocess.run([*nobody, ctx.sbx, "--bundle", bundle, DEV_FLAG, "--network-enforced-externally", "--",
                        "/bin/sh", "-c", probe], capture_output=True, text=True, timeout=60)
    lines = r.stdout.split("\n")
    ctx.check(r.returncode == 0 and lines[:1] == ["pid=2 host=sandbox uid=65534"],
              "an unprivileged caller gets its namespaces through a user namespace", r.stdout + r.stderr[-1500:])
    ctx.check("CapEff:\t0000000000000000" in lines, "the payload keeps none of its user namespace's capabilities",
              r.stdout)
    ctx.check("x" in lines and "umount-failed" in lines and not os.path.exists(os.path.join(work, "x")),
              "its tmpfs is its own and stays mounted", r.stdout)
    ex = exec_line(r.stderr)
    ctx.check(os_of(ex).get("namespaces") == ["user", "pid", "mount", "uts"], "the exec line names the user namespace",
              str(os_of(ex)))
    # A limit cannot be set without write access to the cgroup hierarchy: refused, not ignored.
    write_os_bundle(bundle, work, os_doc([], {"tasks": 32}))
    r = subprocess.run([*nobody, ctx.sbx, "--bundle", bundle, DEV_FLAG, "--network-enforced-externally", "--",
                        "/bin/true"], capture_output=True, text=True, timeout=60)
    ctx.check(r.returncode in (EXIT["kernel"], EXIT["apply"]) and "sbx-exec: error: " in r.stderr,
              f"a limit an unprivileged caller cannot set refuses the launch (exit {r.returncode})", r.stderr[-1500:])
