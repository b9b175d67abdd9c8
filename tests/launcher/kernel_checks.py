"""What this kernel enforces through sbx-exec: launcher.abi (Landlock ABI refusals and best-effort
layers), launcher.enforcement (Landlock filesystem, TCP and signal scope, seccomp, no_new_privs,
--user, proxy environment, exit statuses, the audit line), launcher.planted_link and
launcher.host_denies (rule and deny paths as they resolve on this host), and
launcher.python_agent (the bundle `polc build` writes for examples/python_agent.sbx).
"""

import json
import os
import shutil
import subprocess
import tempfile

import fixture
from harness import (CONNECT_PY, EXIT, Skip, built_python_agent, connect_results, kernel_landlock_abi, launch_lines, listener,
                     marker_command, parse_audit, refused, rules_for, sha256, standard_bundle)


def test_abi(ctx):
    abi = kernel_landlock_abi(ctx)
    if abi < 3:
        raise Skip(f"needs Landlock ABI 3 or later (this kernel: {abi})")
    work, _, base = standard_bundle(ctx, "abi")

    def with_landlock(label, change):
        bundle = os.path.join(ctx.tmp, "abi", "v", label, "fixture")
        shutil.copytree(base, bundle)
        path = os.path.join(bundle, "landlock.json")
        doc = json.load(open(path))
        change(doc)
        json.dump(doc, open(path, "w"))
        fixture.write_manifest(bundle)  # a correct bundle, only the kernel cannot run it
        return bundle

    b = with_landlock("min_abi_99", lambda d: d.__setitem__("min_abi", 99))
    r = ctx.run(b, marker_command(work))
    refused(ctx, "min_abi 99", r, work, EXIT["kernel"])
    ctx.check("Landlock ABI 99" in r.stderr and f"supports Landlock ABI {abi}" in r.stderr,
              "the min_abi refusal names both ABIs", r.stderr)

    required_net = {"abi": 99, "best_effort": False, "handled_access": ["connect_tcp"],
                    "rules": [{"access": ["connect_tcp"], "ports": [[443, 443]]}]}
    b = with_landlock("net_required_99", lambda d: d.__setitem__("net", required_net))
    refused(ctx, "net layer abi 99, not best effort", ctx.run(b, marker_command(work)), work, EXIT["kernel"])
    b = with_landlock("scope_required_99", lambda d: d.__setitem__(
        "scope", {"abi": 99, "best_effort": False, "scoped": ["signal"]}))
    refused(ctx, "scope layer abi 99, not best effort", ctx.run(b, marker_command(work)), work, EXIT["kernel"])

    # Best effort: the layer is dropped, the rest applies, the audit line says so.
    b = with_landlock("scope_best_effort_99", lambda d: d.__setitem__(
        "scope", {"abi": 99, "best_effort": True, "scoped": ["signal"]}))
    log = os.path.join(ctx.tmp, "abi", "audit.log")
    r = ctx.run(b, ["/bin/sh", "-c", f"touch {work}/marker; cat {os.path.dirname(work)}/outside/x 2>/dev/null; exit 5"],
                extra=("--audit-log", log))
    ctx.check(r.returncode == 5 and os.path.exists(os.path.join(work, "marker")),
              "a best-effort layer above the kernel's ABI is dropped and the payload runs", r.stderr)
    lines = launch_lines(open(log).read().splitlines()) if os.path.exists(log) else []
    audit = parse_audit(lines[0]) if len(lines) == 1 else None
    if ctx.check(audit is not None, "one audit line", str(lines)):
        ctx.check(audit["result"] == "exec", "audit result exec", str(audit))
        ctx.check(audit["dropped"] == [{"layer": "landlock.scope", "needs_abi": 99,
                                        "reason": f"kernel Landlock ABI {abi} < 99"}],
                  "the dropped layer is in the audit line", str(audit["dropped"]))
        ctx.check("landlock.scope" not in audit["layers"] and "landlock.fs" in audit["layers"],
                  "the dropped layer is not listed as applied, fs is", str(audit["layers"]))
        ctx.check(audit["landlock_abi_kernel"] == abi and audit["landlock_abi_used"] == 3,
                  "kernel ABI and ABI used", str(audit))
    if os.path.exists(os.path.join(work, "marker")):
        os.unlink(os.path.join(work, "marker"))
    r = ctx.run(b, ["true"], extra=("--dry-run",))
    ctx.check(r.returncode == 0 and "dropped (best effort): landlock.scope" in r.stdout,
              "dry run reports the dropped layer", r.stdout + r.stderr)

    # Dry run of a bundle this kernel cannot run: the report, and the code a run would have.
    b = os.path.join(ctx.tmp, "abi", "v", "min_abi_99", "fixture")
    r = ctx.run(b, marker_command(work), extra=("--dry-run",))
    ctx.check(r.returncode == EXIT["kernel"] and "result: a run would refuse (exit 122)" in r.stdout,
              "dry run of an unsupported bundle says it would refuse", r.stdout + r.stderr)
    ctx.check(not os.path.exists(os.path.join(work, "marker")), "dry run executed the payload")


def test_enforcement(ctx):
    abi = kernel_landlock_abi(ctx)
    if abi < 3:
        raise Skip(f"needs Landlock ABI 3 or later (this kernel: {abi})")
    work, outside, bundle = ctx.dirs("enforcement")
    with open(os.path.join(work, "inside.txt"), "w") as f:
        f.write("inside\n")
    with open(os.path.join(outside, "secret.txt"), "w") as f:
        f.write("secret\n")
    with open(os.path.join(work, "not-executable"), "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    a_file = os.path.join(outside, "file-rule.txt")
    with open(a_file, "w") as f:
        f.write("by file rule\n")

    with listener() as allowed, listener() as denied:
        allowed_port, denied_port = allowed.getsockname()[1], denied.getsockname()[1]
        net = {"abi": 4, "best_effort": False, "handled_access": ["bind_tcp", "connect_tcp"],
               "rules": [{"access": ["connect_tcp"], "ports": [[allowed_port, allowed_port]]}]} if abi >= 4 else None
        scope = {"abi": 6, "best_effort": False, "scoped": ["signal"]} if abi >= 6 else None
        missing = os.path.join(outside, "does", "not", "exist")
        rules = rules_for(work, [{"path": missing, "access": ["read_file"]},
                                 # a file with directory rights: narrowed to the file rights
                                 {"path": a_file, "access": ["read_file", "read_dir", "make_reg"]},
                                 # a file with only directory rights: nothing to add, skipped
                                 {"path": os.path.join(outside, "secret.txt"), "access": ["read_dir"]}])
        fixture.write_bundle(bundle, fixture.landlock_doc(rules, net=net, scope=scope),
                             bpf=fixture.seccomp_program(errno_syscalls=["uname"]),
                             egress={"format": "polc.egress/1", "proxy": {"address": "::1", "port": 3128},
                                     "hosts": ["pypi.org"]})
        log = os.path.join(ctx.tmp, "enforcement", "audit.log")

        def run(command, **kw):
            return ctx.run(bundle, command, extra=("--audit-log", log), **kw)

        # Landlock filesystem: inside readable and writable, outside not.
        r = run(["/bin/cat", os.path.join(work, "inside.txt")])
        ctx.check(r.returncode == 0 and r.stdout == "inside\n", "reads a file inside the granted dir", r.stderr)
        r = run(["/bin/cat", os.path.join(outside, "secret.txt")])
        ctx.check(r.returncode != 0 and "Permission denied" in r.stderr and "secret" not in r.stdout,
                  "cannot read a file outside the granted dirs (EACCES)", r.stdout + r.stderr)
        ctx.check(open(os.path.join(outside, "secret.txt")).read() == "secret\n" and
                  subprocess.run(["/bin/cat", os.path.join(outside, "secret.txt")], capture_output=True).returncode == 0,
                  "control: the same read works without sbx-exec")
        r = run(["/bin/sh", "-c", f"echo x > {outside}/new.txt"])
        ctx.check(r.returncode != 0 and not os.path.exists(os.path.join(outside, "new.txt")),
                  "cannot create a file outside the granted dirs", r.stderr)
        r = run(["/bin/cat", a_file])
        ctx.check(r.returncode == 0 and r.stdout == "by file rule\n", "a rule on a single file grants reading it",
                  r.stderr)

        # seccomp: uname fails with EPERM under the fixture program, works without it.
        r = run(["/bin/uname", "-s"])
        ctx.check(r.returncode != 0 and "Operation not permitted" in r.stderr,
                  "the seccomp program makes uname fail with EPERM", r.stdout + r.stderr)
        ctx.check(subprocess.run(["/bin/uname", "-s"], capture_output=True).returncode == 0,
                  "control: uname works without sbx-exec")
        r = run(["/bin/grep", "-E", "^(NoNewPrivs|Seccomp):", "/proc/self/status"])
        ctx.check("NoNewPrivs:\t1" in r.stdout and "Seccomp:\t2" in r.stdout,
                  "no_new_privs is set and a seccomp filter is installed in the payload", r.stdout + r.stderr)

        # --user: Landlock does not confine chmod, so as root the payload can loosen a file outside
        # the sandbox that it can reach by a granted path; as a dedicated user it cannot.
        if os.geteuid() == 0:
            os.chmod(a_file, 0o600)
            r = run(["/bin/chmod", "0644", a_file])
            ctx.check(r.returncode == 0 and os.stat(a_file).st_mode & 0o777 == 0o644,
                      "control: as root, chmod outside works under Landlock", r.stderr)
            os.chmod(a_file, 0o600)
            r = ctx.run(bundle, ["/bin/sh", "-c", "id -u; id -g; id -G; grep ^CapEff: /proc/self/status; "
                                 f"/bin/chmod 0644 {a_file}"], extra=("--audit-log", log, "--user", "nobody"))
            lines = r.stdout.split("\n")
            ctx.check(lines[:3] == ["65534", "65534", "65534"], "--user nobody: uid, gid, only its group", r.stdout)
            ctx.check("CapEff:\t0000000000000000" in r.stdout, "--user nobody: no capabilities", r.stdout)
            ctx.check(r.returncode != 0 and os.stat(a_file).st_mode & 0o777 == 0o600,
                      "--user nobody: chmod of a file it does not own fails", r.stdout + r.stderr)
            audit = parse_audit(open(log).read().splitlines()[-1])
            ctx.check(audit["user"] == {"uid": 65534, "gid": 65534, "spec": "nobody"} and "user" in audit["layers"],
                      "the audit line names the user", str(audit))
            r = ctx.run(bundle, ["/bin/true"], extra=("--user", "no-such-user-here"))
            ctx.check(r.returncode == 120 and "no user named" in r.stderr, "an unknown --user is a usage error", r.stderr)
            open(log, "w").close()

        # Exit status passes through; the launcher execs in place (same pid as in its audit line).
        open(log, "w").close()
        r = run(["/bin/sh", "-c", "echo $$; exit 42"])
        ctx.check(r.returncode == 42, f"payload exit 42 passes through (got {r.returncode})", r.stderr)
        all_lines = open(log).read().splitlines()
        lines = launch_lines(all_lines)
        audit = parse_audit(lines[0]) if len(lines) == 1 else None
        ctx.check(len(all_lines) == 2 and (parse_audit(all_lines[1]) or {}).get("result") == "exit",
                  "the supervisor's exit line follows the exec line", str(all_lines))
        if ctx.check(audit is not None, "exactly one audit line, valid JSON object", str(lines)):
            expected_keys = {"audit", "launcher", "time", "pid", "result", "exit_code", "reason", "bundle", "policy",
                             "version", "manifest_sha256", "trust", "landlock_abi_kernel", "landlock_abi_used",
                             "layers", "dropped", "skipped_paths", "seccomp", "network", "env", "command", "user",
                             "capabilities", "kept_fds", "supervisor", "telemetry", "payload", "refusals", "os"}
            ctx.check(set(audit) == expected_keys, "audit line keys", str(sorted(audit)))
            ctx.check(audit.get("os") is None, "a bundle without os.json has no OS layer", str(audit.get("os")))
            manifest_digest = sha256(open(os.path.join(bundle, "manifest.json"), "rb").read())
            ctx.check(audit["result"] == "exec" and audit["exit_code"] is None and audit["reason"] is None,
                      "audit result", str(audit))
            ctx.check(audit["bundle"] == os.path.realpath(bundle) and audit["policy"] == "fixture" and
                      audit["version"] == 3 and audit["manifest_sha256"] == manifest_digest,
                      "audit bundle, policy, version, manifest digest", str(audit))
            ctx.check(str(audit["pid"]) == r.stdout.strip(), "the exec line names the payload's pid",
                      f"{audit['pid']} vs {r.stdout.strip()}")
            expected_layers = ["proxy_env", "no_new_privs", "landlock.fs"] + (["landlock.net"] if net else []) + \
                              (["landlock.scope"] if scope else []) + ["seccomp"]
            ctx.check(audit["layers"] == expected_layers, "audit layers in order", str(audit["layers"]))
            ctx.check(audit["landlock_abi_kernel"] == abi and audit["landlock_abi_used"] == (6 if scope else 4 if net else 3),
                      "audit Landlock ABIs", str(audit))
            ctx.check(audit["skipped_paths"] == [missing, os.path.join(outside, "secret.txt")],
                      "audit skipped paths: the missing one, the file with only directory rights",
                      str(audit["skipped_paths"]))
            ctx.check(audit["seccomp"] == {"file": "seccomp.x86_64.bpf", "instructions": 9}, "audit seccomp",
                      str(audit["seccomp"]))
            ctx.check(audit["network"] == {"mode": "enforced-externally", "netns": None}, "audit network",
                      str(audit["network"]))
            ctx.check(audit["command"] == ["/bin/sh", "-c", "echo $$; exit 42"], "audit command", str(audit["command"]))
            ctx.check(audit["dropped"] == [], "nothing dropped", str(audit["dropped"]))
            ctx.check(audit["trust"]["mode"] == "insecure-dev-unsigned" and audit["trust"]["decision"] == "unchecked",
                      "audit trust: this unsigned run is recorded as unchecked", str(audit["trust"]))

        # Proxy environment, IPv6 in brackets, loopback direct.
        r = run(["/usr/bin/env"], env={"PATH": "/usr/bin:/bin", "HTTPS_PROXY": "http://elsewhere:1", "NO_PROXY": "*"})
        env = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            ctx.check(env.get(name) == "http://[::1]:3128", f"{name} points at the proxy", env.get(name, "unset"))
        for name in ("NO_PROXY", "no_proxy"):
            ctx.check(env.get(name) == "localhost,127.0.0.1,::1", f"{name} is loopback only", env.get(name, "unset"))

        # Landlock TCP: the allowed port connects, the other is refused by Landlock (EACCES).
        if net:
            r = run(["/usr/bin/python3", "-c", CONNECT_PY, str(allowed_port), str(denied_port)])
            res = connect_results(r.stdout)
            ctx.check(res.get(str(allowed_port)) == ["connected"], "Landlock allows connect to the allowed port",
                      r.stdout + r.stderr)
            ctx.check(res.get(str(denied_port)) == ["failed", "13"], "Landlock denies connect to another port (EACCES)",
                      r.stdout + r.stderr)
            control = subprocess.run(["/usr/bin/python3", "-c", CONNECT_PY, str(denied_port)], capture_output=True,
                                     text=True)
            ctx.check("connected" in control.stdout, "control: that port is reachable without sbx-exec", control.stdout)

        # Landlock signal scope: the payload cannot signal the test process outside its domain.
        if scope:
            r = run(["/bin/sh", "-c", f"kill -0 {os.getpid()} && echo sent || echo refused"])
            ctx.check(r.stdout.strip() == "refused", "the signal scope keeps the payload from signalling out",
                      r.stdout + r.stderr)
            r = run(["/bin/sh", "-c", "sleep 5 & kill $! && echo sent || echo refused"])
            ctx.check(r.stdout.strip() == "sent", "signals inside the sandbox still work", r.stdout + r.stderr)

    # Commands that cannot run: as the shell reports them.
    r = ctx.run(bundle, ["/nonexistent/program"])
    ctx.check(r.returncode == EXIT["not_found"] and "cannot execute /nonexistent/program" in r.stderr,
              f"a missing command exits 127 (got {r.returncode})", r.stderr)
    # (A PATH with a directory the caller may not search would make execvp report EACCES: 126.)
    r = ctx.run(bundle, ["no-such-command-anywhere"], env=dict(os.environ, PATH="/usr/bin:/bin"))
    ctx.check(r.returncode == EXIT["not_found"], f"a command not on PATH exits 127 (got {r.returncode})", r.stderr)
    r = ctx.run(bundle, [os.path.join(work, "not-executable")])
    ctx.check(r.returncode == EXIT["cannot_execute"], f"a non-executable file exits 126 (got {r.returncode})",
              r.stderr)
    shutil.copy(os.path.join(work, "not-executable"), os.path.join(outside, "executable"))
    os.chmod(os.path.join(outside, "executable"), 0o755)
    ctx.check(subprocess.run([os.path.join(outside, "executable")]).returncode == 0,
              "control: the executable runs without sbx-exec")
    r = ctx.run(bundle, [os.path.join(outside, "executable")])
    ctx.check(r.returncode == EXIT["cannot_execute"] and "Permission denied" in r.stderr,
              f"an executable file outside the execute rules exits 126 under Landlock (got {r.returncode})", r.stderr)

    # The audit line goes to stderr by default, as the last line.
    r = ctx.run(bundle, ["/bin/true"])
    stderr_lines = launch_lines(r.stderr.strip().splitlines())
    audit = parse_audit(stderr_lines[-1]) if stderr_lines else None
    ctx.check(r.returncode == 0 and audit is not None and audit["result"] == "exec",
              "without --audit-log the audit line is written to stderr", r.stderr)


def test_planted_link(ctx):
    """A rule path through a link inside a writable grant is refused; host links are followed."""
    if kernel_landlock_abi(ctx) < 3:
        raise Skip("needs Landlock ABI 3 or later")
    work, outside, bundle = ctx.dirs("planted")
    os.makedirs(os.path.join(work, "venv", "bin"))
    with open(os.path.join(outside, "key"), "w") as f:
        f.write("TOPSECRET\n")
    granted = os.path.join(work, "venv", "bin")
    fixture.write_bundle(bundle, fixture.landlock_doc(rules_for(work, [{"path": granted, "access": ["read_file", "read_dir"]}])))
    r = ctx.run(bundle, ["/bin/cat", os.path.join(outside, "key")])
    ctx.check(r.returncode != 0 and "TOPSECRET" not in r.stdout, "control: the secret is out of reach", r.stdout)
    # What a payload could leave behind for the next run: the granted directory replaced by a link.
    os.rmdir(granted)
    os.symlink(outside, granted)
    r = ctx.run(bundle, ["/bin/cat", os.path.join(granted, "key")])
    ctx.check(r.returncode == 123 and "passes through the symbolic link" in r.stderr and "TOPSECRET" not in r.stdout,
              "a rule through a link planted in a writable grant refuses the launch (123)", r.stdout + r.stderr)
    r = ctx.run(bundle, ["/bin/true"], extra=("--dry-run",))
    ctx.check(r.returncode == 123 and "result: a run would refuse (exit 123)" in r.stdout and
              "passes through the symbolic link" in r.stdout, "the dry run says a run would refuse (123)",
              r.stdout + r.stderr)
    # The same planted link reached through a host link to the writable grant: the grant is known by
    # its directory (device and inode), not by the text of the path that reaches it.
    alias = os.path.join(outside, "alias-of-work")
    os.symlink(work, alias)
    through_alias = os.path.join(alias, "venv", "bin")
    fixture.write_bundle(bundle, fixture.landlock_doc(rules_for(work, [{"path": through_alias,
                                                                        "access": ["read_file", "read_dir"]}])))
    r = ctx.run(bundle, ["/bin/cat", os.path.join(outside, "key")])
    ctx.check(r.returncode == 123 and "passes through the symbolic link" in r.stderr and "TOPSECRET" not in r.stdout,
              "a rule reaching the planted link through another name of the writable grant refuses the launch (123)",
              r.stdout + r.stderr)
    os.unlink(alias)
    # A link outside every writable grant is the host's own layout and is followed.
    os.unlink(granted)
    os.makedirs(granted)
    host_link = os.path.join(outside, "host-link")
    os.symlink(granted, host_link)
    fixture.write_bundle(bundle, fixture.landlock_doc(rules_for(work, [{"path": host_link, "access": ["read_file", "read_dir"]}])))
    r = ctx.run(bundle, ["/bin/true"])
    ctx.check(r.returncode == 0, "a rule through a link outside the writable grants is followed", r.stderr)


def test_host_denies(ctx):
    """A deny the build accepted by path text is refused when, on this host, it resolves into a grant."""
    if kernel_landlock_abi(ctx) < 3:
        raise Skip("needs Landlock ABI 3 or later")
    work, outside, bundle = ctx.dirs("host_denies")
    real = os.path.join(outside, "tools")
    os.makedirs(real)
    alias = os.path.join(outside, "alias")
    os.symlink(real, alias)
    grant = {"path": real, "access": ["read_file", "read_dir"]}

    def with_denies(denies):
        doc = fixture.landlock_doc(rules_for(work, [grant]))
        doc["fs"]["denies"] = denies
        fixture.write_bundle(bundle, doc)
        return ctx.run(bundle, ["/bin/true"])

    r = with_denies([{"path": os.path.join(alias, "secret"), "access": ["read_file"]}])
    ctx.check(r.returncode == 123 and "grants overlapping rights there" in r.stderr,
              "a deny that resolves beneath a grant refuses the launch (123)", r.stderr)
    r = with_denies([{"path": os.path.join(alias, "secret"), "access": ["execute"]}])
    ctx.check(r.returncode == 0, "a deny of rights the grant does not give is fine", r.stderr)
    r = with_denies([{"path": os.path.join(outside, "elsewhere"), "access": ["read_file"]}])
    ctx.check(r.returncode == 0, "a deny outside every grant is fine", r.stderr)


def test_python_agent(ctx):
    """The bundle `polc build` writes for examples/python_agent.sbx, run through sbx-exec with
    --network-enforced-externally: its seccomp program and its Landlock rules, enforced by this
    kernel. (While polc did not write landlock.json and manifest.json yet, fixture Landlock rules
    stood in; that fallback remains for a tree where the Landlock backend is broken.)"""
    if not os.access(ctx.polc, os.X_OK):
        raise Skip(f"{ctx.polc} is not built")
    out = os.path.join(ctx.tmp, "polc-build")
    r = subprocess.run([ctx.polc, "build", os.path.join(ctx.source, "examples", "python_agent.sbx"), "-o", out],
                       capture_output=True, text=True)
    program = os.path.join(out, "python_agent", "seccomp.x86_64.bpf")
    if r.returncode != 0 or not os.path.exists(program):
        raise Skip("polc build of python_agent failed: " + r.stderr.strip()[:300])
    if kernel_landlock_abi(ctx) < 3:
        raise Skip("needs Landlock ABI 3 or later")
    work, _, _ = ctx.dirs("agent")
    bundle, _ = built_python_agent(ctx)
    real_landlock = bundle is not None
    if not real_landlock:
        print("note: polc build writes no complete bundle yet; fixture Landlock rules with its seccomp program")
        bundle = os.path.join(ctx.tmp, "agent", "bundle", "python_agent")
        policy = {"name": "python_agent", "version": 1}
        fixture.write_bundle(bundle, fixture.landlock_doc(rules_for(work), policy=policy),
                             bpf=open(program, "rb").read(), policy=policy)

    def python(code):
        return ctx.run(bundle, ["/usr/bin/python3", "-c", code])

    r = python("import json; print(json.dumps({'ok': True}))")
    ctx.check(r.returncode == 0 and r.stdout == '{"ok": true}\n', "python3 runs under the python_agent filter",
              r.stdout + r.stderr)
    r = python("import socket\ntry:\n  socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)\n"
               "except OSError as e:\n  print(e.errno)")
    ctx.check(r.stdout.strip() == "1", "AF_NETLINK sockets fail with EPERM (the policy's default)",
              r.stdout + r.stderr)
    r = python("import ctypes; ctypes.CDLL(None).unshare(0x10000000); print('survived')")
    ctx.check(r.returncode == -31 and "survived" not in r.stdout,
              f"unshare(CLONE_NEWUSER) kills the payload with SIGSYS, seen as the launcher's own death "
              f"(got {r.returncode})", r.stdout + r.stderr)
    r = python("import os; os.fork() or os._exit(0); print(os.wait()[1])")
    ctx.check(r.returncode == 0 and r.stdout.strip() == "0", "subprocesses still work", r.stdout + r.stderr)
    if not real_landlock:
        return

    # The policy's filesystem rules (examples/python_agent.sbx): /tmp is writable, /usr readable,
    # the rest of /etc and every other program out of reach.
    probe = r"""
import os, subprocess, sys
def attempt(label, action):
    try:
        action()
        print(label, "ok")
    except OSError as e:
        print(label, "errno", e.errno)
attempt("read_os_py", lambda: open("/usr/lib/python3.11/os.py").read())
attempt("read_hostname", lambda: open("/etc/hostname").read())
attempt("write_tmp", lambda: open(sys.argv[1], "w").write("x"))
attempt("write_usr", lambda: open("/usr/lib/python3.11/sbx-exec-test", "w"))
attempt("exec_sh", lambda: subprocess.run(["/bin/sh", "-c", "true"]))
"""
    scratch_dir = tempfile.mkdtemp(prefix="sbx-exec-test-", dir="/tmp")  # the policy grants /tmp
    scratch = os.path.join(scratch_dir, "scratch.txt")
    r = ctx.run(bundle, ["/usr/bin/python3.11", "-c", probe, scratch])
    got = {line.split()[0]: line.split()[1:] for line in r.stdout.splitlines()}
    expected = {"read_os_py": ["ok"], "read_hostname": ["errno", "13"], "write_tmp": ["ok"],
                "write_usr": ["errno", "13"], "exec_sh": ["errno", "13"]}
    ctx.check(got == expected, "python_agent's Landlock rules", f"{got} != {expected}\n{r.stderr}")
    ctx.check(os.path.exists(scratch), "the write to /tmp reached the file")
    shutil.rmtree(scratch_dir)
