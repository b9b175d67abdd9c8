"""launcher.supervisor: sbx-exec runs the payload as its child and stays outside the sandbox. The
payload's exit status and signals pass through, the caller's signals reach it, stdin works,
nothing of its process tree outlives the run, it cannot kill its supervisor, and it dies with it.
--exec-in-place keeps the old mode, audited as no telemetry."""

import os
import signal
import stat
import subprocess
import time

from harness import DEV_FLAG, EXIT, Skip, kernel_landlock_abi, launch_lines, parse_audit, standard_bundle


def alive(pid):
    """True while `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(path, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path) and open(path).read().strip():
            return open(path).read().strip()
        time.sleep(0.02)
    return None


def argv(ctx, bundle, command, extra=()):
    return [ctx.sbx, "--bundle", bundle, DEV_FLAG, "--network-enforced-externally", *extra, "--", *command]


def test_supervisor(ctx):
    if kernel_landlock_abi(ctx) < 6:
        raise Skip("needs Landlock ABI 6 (the supervisor guard's signal scope)")
    work, _, bundle = standard_bundle(ctx, "supervisor")
    log = os.path.join(work, "..", "audit.log")

    # Exit statuses and signals pass through exactly as when the payload was exec'd in place.
    r = ctx.run(bundle, ["/bin/sh", "-c", "exit 42"])
    ctx.check(r.returncode == 42, f"exit 42 passes through (got {r.returncode})", r.stderr)
    r = ctx.run(bundle, ["/bin/sh", "-c", "kill -TERM $$"])
    ctx.check(r.returncode == -signal.SIGTERM, f"a payload killed by SIGTERM: sbx-exec dies of SIGTERM too (got {r.returncode})",
              r.stderr)
    r = subprocess.run(["/bin/sh", "-c", " ".join(f"'{a}'" for a in argv(ctx, bundle, ["/bin/sh", "-c", "kill -KILL $$"]))
                        + "; echo status=$?"], capture_output=True, text=True)
    ctx.check("status=137" in r.stdout, "a shell sees 128+9 for a payload killed by SIGKILL", r.stdout + r.stderr)

    # stdin is the payload's.
    r = subprocess.run(argv(ctx, bundle, ["/bin/cat"]), input="through the supervisor\n", capture_output=True, text=True)
    ctx.check(r.returncode == 0 and r.stdout == "through the supervisor\n", "stdin reaches the payload", r.stdout + r.stderr)

    # The caller's SIGTERM reaches the payload, whose own handler decides the exit status.
    ready = os.path.join(work, "ready")
    p = subprocess.Popen(argv(ctx, bundle, ["/bin/sh", "-c", f"trap 'exit 7' TERM; echo $$ > {ready}; "
                                            "while :; do sleep 0.05; done"]),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if ctx.check(wait_for(ready) is not None, "the payload started"):
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=20)
        ctx.check(p.returncode == 7, f"SIGTERM to sbx-exec is relayed to the payload (exit {p.returncode})", err)
    else:
        p.kill()
        p.communicate()

    # Nothing of the tree outlives the run: a daemon in a session of its own, and a child that
    # ignores SIGTERM, both killed when the payload's main process exits.
    pidfile = os.path.join(work, "daemon.pid")
    r = ctx.run(bundle, ["/bin/sh", "-c", f"setsid sh -c 'echo $$ > {pidfile}; exec sleep 300' & "
                         f"(trap '' TERM HUP; sleep 300) & while [ ! -s {pidfile} ]; do sleep 0.01; done; exit 3"])
    daemon = open(pidfile).read().strip() if os.path.exists(pidfile) else ""
    ctx.check(r.returncode == 3, f"the payload's status passes through with children left (got {r.returncode})", r.stderr)
    ctx.check(daemon.isdigit() and not alive(int(daemon)), "a daemonized grandchild is killed at the end", daemon)
    lines = launch_lines(r.stderr.splitlines())
    exit_lines = [parse_audit(l) for l in r.stderr.splitlines() if (parse_audit(l) or {}).get("result") == "exit"]
    ctx.check(len(exit_lines) == 1 and exit_lines[0]["payload"] == {"exit_code": 3, "signal": None, "left_running": 0},
              "the exit line says how the payload ended and that nothing was left running", str(exit_lines))
    ctx.check(len(lines) >= 1, "the exec line is written too", r.stderr)

    # Nor a payload that keeps forking and exiting, each process a new pid (no round of kill(2)
    # over the supervisor's children catches it): the run's cgroup is killed whole.
    marker = os.path.join(work, "forker.pid")
    forker = ("import os, time\n"
              "if os.fork() == 0:\n"
              "    os.setsid()\n"
              "    while True:\n"
              "        if os.fork(): os._exit(0)\n"
              f"        open({marker!r}, 'a').write(str(os.getpid()) + '\\n')\n"
              "        time.sleep(0.0001)\n"
              "for _ in range(500):\n"
              f"    if os.path.exists({marker!r}): break\n"
              "    time.sleep(0.01)\n"
              "time.sleep(0.1)\n")
    r = ctx.run(bundle, ["/usr/bin/python3", "-c", forker])
    time.sleep(0.5)
    # Appended, one pid per line: the last whole line (a process killed mid-write leaves a part).
    lines = open(marker).read().split("\n")[:-1] if os.path.exists(marker) else []
    last = lines[-1] if lines else ""
    ctx.check(r.returncode == 0 and last.isdigit() and not alive(int(last)),
              "a payload that keeps forking and exiting does not outlive the run", f"{last} {r.stderr}")
    if os.path.exists(marker):
        os.unlink(marker)
    time.sleep(0.2)
    ctx.check(not os.path.exists(marker), "nothing of the forking payload writes after the run")

    # The payload cannot signal its supervisor (Landlock signal scope), whatever its uid.
    r = ctx.run(bundle, ["/bin/sh", "-c", "kill -KILL $PPID 2>/dev/null; echo kill=$?; kill -TERM $PPID 2>/dev/null; "
                         "echo term=$?; exit 0"])
    ctx.check(r.returncode == 0 and "kill=1" in r.stdout and "term=1" in r.stdout,
              "kill(2) of the supervisor fails and the run ends normally", r.stdout + r.stderr)
    audit = parse_audit(launch_lines(r.stderr.splitlines())[-1]) if r.stderr else None
    ctx.check(audit is not None and "supervisor_guard" in audit["layers"],
              "the exec line lists the supervisor guard layer", str(audit))

    # The payload dies with its supervisor (PR_SET_PDEATHSIG), even when the supervisor is killed.
    ready2 = os.path.join(work, "ready2")
    p = subprocess.Popen(argv(ctx, bundle, ["/bin/sh", "-c", f"echo $$ > {ready2}; exec sleep 300"]),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    payload = wait_for(ready2)
    if ctx.check(payload is not None, "the payload started (pdeathsig case)"):
        p.kill()
        p.communicate(timeout=20)
        deadline = time.time() + 5
        while alive(int(payload)) and time.time() < deadline:
            time.sleep(0.02)
        ctx.check(not alive(int(payload)), "the payload is killed when its supervisor is")

    # The supervisor is not dumpable: /proc/PID/mem and ptrace are closed to processes of its uid.
    ready3 = os.path.join(work, "ready3")
    p = subprocess.Popen(argv(ctx, bundle, ["/bin/sh", "-c", f"echo $PPID > {ready3}; sleep 1"]),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sup = wait_for(ready3)
    if ctx.check(sup is not None, "the payload started (dumpable case)"):
        st = os.stat(f"/proc/{sup}/mem") if os.path.exists(f"/proc/{sup}") else None
        with open(f"/proc/{sup}/status") as f:
            status = f.read()
        ctx.check(st is not None and st.st_uid == 0, "the supervisor's /proc files belong to root", str(st))
        ctx.check("NoNewPrivs:\t0" in status, "the supervisor itself is outside the sandbox (no no_new_privs)", status)
    p.communicate(timeout=20)

    # --exec-in-place: no supervisor, one audit line saying there is no telemetry.
    open(log, "w").close()
    r = ctx.run(bundle, ["/bin/sh", "-c", "echo $$; exit 9"], extra=("--exec-in-place", "--audit-log", log))
    lines = open(log).read().splitlines()
    audit = parse_audit(lines[0]) if len(lines) == 1 else None
    ctx.check(r.returncode == 9, "--exec-in-place: the exit status passes through", r.stderr)
    ctx.check(audit is not None and audit["telemetry"] == "none (--exec-in-place)" and audit["supervisor"] is None
              and str(audit["pid"]) == r.stdout.strip() and "supervisor_guard" not in audit["layers"],
              "--exec-in-place: one audit line, the payload has the launcher's pid, no telemetry", str(lines))
    r = ctx.run(bundle, ["true"], extra=("--exec-in-place", "--events", os.path.join(work, "e.jsonl")))
    ctx.check(r.returncode == EXIT["usage"] and "--exec-in-place" in r.stderr, "--events with --exec-in-place is a usage error",
              r.stderr)

    # --events: created 0600, never through a symbolic link.
    events = os.path.join(work, "events.jsonl")
    r = ctx.run(bundle, ["true"], extra=("--events", events))
    ctx.check(r.returncode == 0 and os.path.exists(events) and stat.S_IMODE(os.stat(events).st_mode) == 0o600,
              "--events FILE is created 0600", r.stderr)
    link = os.path.join(work, "events-link")
    os.symlink(os.path.join(work, "elsewhere"), link)
    r = ctx.run(bundle, ["true"], extra=("--events", link))
    ctx.check(r.returncode == EXIT["audit"] and "symbolic link" in r.stderr and not os.path.exists(os.path.join(work, "elsewhere")),
              "--events refuses a symbolic link (125)", r.stderr)
    r = ctx.run(bundle, ["true"], extra=("--events", "fd:9"))
    ctx.check(r.returncode == EXIT["audit"] and "not open" in r.stderr, "--events fd:N must be open", r.stderr)
