#!/usr/bin/env python3
"""`polc learn --against`: a policy with one permission removed names exactly that permission.

learn_probe (learn_probe.c) makes one call of each kind polc learn records. BASE allows all of
them. Each case removes one permission (a syscall, an argument value, a path right, an endpoint),
runs `polc learn --against VARIANT --format json -- learn_probe DIR PORT` in a network namespace
with a listener on PORT, and checks that the patch has exactly one addition, that it allows what
was removed (the recorded observation and the rule text), that nothing is reported as blocked or
inexpressible, that applying the patch makes the policy allow the run again, and that the probe
saw that one step refused (the recorder applies the policy's decisions). One case also feeds
sbx-exec's telemetry events of a real confined run to `polc learn --from`, and one checks that the
kernel decides beside the emulation: a workload that bind-mounts a secret over a path the policy
grants (a trick the recorder's judge cannot see, since it judges names) is stopped by the
policy's Landlock ruleset, which polc puts on the workload (a Landlock domain may not mount).
Needs root (ip netns); exit 77 otherwise.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

BASE = """\
policy probe version 1 {
  targets x86_64
  import std.runtime.glibc

  syscalls {
    default errno(EPERM)
    allow execve, getuid, pipe2, pipe?
    allow uname
    allow prctl(option == PR_SET_NAME)
    allow setresuid
    allow socket(domain == AF_INET && type & 0xf == SOCK_STREAM)
    allow connect
    allow ioctl(request == FIONREAD)
    allow mkdir, mkdirat
  }

  filesystem {
    landlock abi >= 3
    read, execute "@PROBE@", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
    read "@DIR@/in.txt"
    write_file, truncate "@DIR@/trunc.txt"
    write_file, make_reg, make_dir "@DIR@/out"
  }

  network {
    connect tcp @PORT@ to 127.0.0.1
  }
}
"""

# name, text to remove or replace (old, new), the step the probe sees refused, and what the one
# addition must mention (in its rule text) and its observations (in one of them).
CASES = [
    ("syscall uname", ("    allow uname\n", ""), "uname", "uname", "uname"),
    ("syscall connect", ("    allow connect\n", ""), "connect", "connect", "connect"),
    ("syscall setresuid", ("    allow setresuid\n", ""), "setresuid", "setresuid", "setresuid"),
    ("syscall mkdir", ("    allow mkdir, mkdirat\n", ""), "mkdir", "mkdir", "mkdir"),
    ("argument prctl option", ("option == PR_SET_NAME", "option == PR_GET_NAME"), "prctl", "prctl", "prctl"),
    ("argument socket domain", ("domain == AF_INET &&", "domain == AF_INET6 &&"), "socket", "socket", "socket"),
    ("argument socket type", ("SOCK_STREAM)", "SOCK_DGRAM)"), "socket", "socket", "socket"),
    ("argument ioctl request", ("request == FIONREAD", "request == FIOCLEX"), "ioctl", "ioctl", "ioctl"),
    ("path read_file", ('    read "@DIR@/in.txt"\n', ""), "read", "@DIR@/in.txt", "read_file @DIR@/in.txt"),
    ("path make_reg", ("make_reg, ", ""), "create", "make_reg", "make_reg @DIR@/out/new.txt"),
    ("path truncate", ("write_file, truncate", "write_file"), "truncate", "truncate", "truncate @DIR@/trunc.txt"),
    ("path make_dir", ("make_reg, make_dir", "make_reg"), "mkdir", "make_dir", "make_dir @DIR@/out/sub"),
    ("path write_file", ("write_file, make_reg", "make_reg"), "create", "write_file", "write_file @DIR@/out/new.txt"),
    ("endpoint connect", ("    connect tcp @PORT@ to 127.0.0.1\n", "    connect tcp 1 to 127.0.0.1\n"), "connect",
     "@PORT@", "connect tcp 127.0.0.1 port @PORT@"),
]


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--polc", required=True)
    ap.add_argument("--probe", required=True)
    ap.add_argument("--sbx-exec")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: needs root (ip netns)")
        return 77
    root = tempfile.mkdtemp(prefix="polc-against-", dir="/var/tmp")
    os.chmod(root, 0o755)
    work = os.path.join(root, "w")
    os.makedirs(os.path.join(work, "out"))
    with open(os.path.join(work, "in.txt"), "w") as f:
        f.write("input\n")
    ns = f"polc-against-{os.getpid()}"
    port = 18181
    listener = None
    failures = []
    probe = os.path.realpath(a.probe)

    def subst(text):
        return text.replace("@DIR@", work).replace("@PORT@", str(port)).replace("@PROBE@", probe)

    patch_file = os.path.join(root, "patch.json")

    def reset():
        if os.path.exists(patch_file):
            os.unlink(patch_file)
        shutil.rmtree(os.path.join(work, "out"))
        os.makedirs(os.path.join(work, "out"))
        with open(os.path.join(work, "trunc.txt"), "w") as f:
            f.write("to be truncated\n")

    try:
        subprocess.run(["ip", "netns", "add", ns], check=True)
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
        listener = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-c",
                                     "import socket,sys\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                                     "s.bind(('127.0.0.1', int(sys.argv[1])))\ns.listen(64)\n"
                                     "while True:\n c,_=s.accept()\n c.close()\n", str(port)])
        time.sleep(0.3)
        base = os.path.join(root, "base.sbx")
        with open(base, "w") as f:
            f.write(subst(BASE))
        cmd = ["ip", "netns", "exec", ns, a.polc, "learn", "--format", "json", "-o", patch_file]
        probe_cmd = ["--", probe, work, str(port)]

        reset()
        r = run(cmd + ["--against", base] + probe_cmd)
        if r.returncode != 0 or json.load(open(patch_file))["additions"]:
            failures.append(f"BASE: expected nothing to add (exit 0), got exit {r.returncode}:\n{r.stdout}\n{r.stderr}")
        if "failed" in r.stdout:
            failures.append(f"BASE: a probe step failed under the base policy:\n{r.stderr}")

        for name, (old, new), step, in_rule, in_obs in CASES:
            old, new, in_rule, in_obs = subst(old), subst(new), subst(in_rule), subst(in_obs)
            text = subst(BASE)
            if old not in text:
                failures.append(f"{name}: the case's text is not in BASE: {old!r}")
                continue
            variant = os.path.join(root, name.replace(" ", "_") + ".sbx")
            with open(variant, "w") as f:
                f.write(text.replace(old, new, 1))
            reset()
            r = run(cmd + ["--against", variant] + probe_cmd)
            problem = check_case(r, patch_file, step, in_rule, in_obs)
            if problem:
                failures.append(f"{name}: {problem}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}")
                print(f"FAIL {name}: {problem}")
            else:
                print(f"ok   {name}: {json.load(open(patch_file))['additions'][0]['rule']}")

        problem = check_kernel_decides(a, root, work)
        if problem:
            failures.append("kernel decides: " + problem)
            print("FAIL kernel decides: " + problem.splitlines()[0])
        else:
            print("ok   kernel decides: a bind mount over a granted path is refused by Landlock")

        if a.sbx_exec:
            problem = check_from_events(a, root, work, ns, port, probe, subst, reset)
            if problem:
                failures.append("--from events: " + problem)
                print("FAIL --from events: " + problem.splitlines()[0])
            else:
                print("ok   --from events: the confined run's refusal of the read names read_file on in.txt")
    finally:
        if listener:
            listener.kill()
        subprocess.run(["ip", "netns", "del", ns])
    if failures:
        print("\n".join(failures))
        print(f"kept {root}")
        return 1
    shutil.rmtree(root, ignore_errors=True)
    print(f"{len(CASES)} cases ok")
    return 0


def check_case(r, patch_file, step, in_rule, in_obs):
    if r.returncode != 3:
        return f"expected exit 3 (something to add), got {r.returncode}"
    patch = json.load(open(patch_file))
    adds = patch["additions"]
    if len(adds) != 1:
        return f"expected exactly one addition, got {len(adds)}: {[x['rule'] for x in adds]}"
    if patch["blocked"] or patch["inexpressible"] or patch["problems"]:
        return f"blocked/inexpressible/problems not empty: {patch['blocked']} {patch['inexpressible']} {patch['problems']}"
    add = adds[0]
    if in_rule not in add["rule"]:
        return f"the addition {add['rule']!r} does not mention {in_rule!r}"
    if not any(in_obs in o for o in add["observations"]):
        return f"no observation mentions {in_obs!r}: {add['observations']}"
    if f"{step} failed" not in r.stdout:
        return f"the probe's step {step!r} was not refused during the run"
    if not patch["diff"].startswith("--- "):
        return "no unified diff"
    return None


MOUNT_POLICY = """\
policy mnt version 1 {
  targets x86_64
  syscalls {
    default allow
  }
  filesystem {
    landlock abi >= 1
    read, execute "/usr", "/etc", "/proc", "/sys", "/dev"
    read "@DIR@/allowed.txt"
  }
}
"""

# Run in a private mount namespace of its own (unshare -m --propagation private, from the test),
# and it makes its own namespace private before it mounts anything: nothing reaches the host's.
MOUNT_SCRIPT = """\
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
secret, allowed = sys.argv[1], sys.argv[2]
if libc.unshare(0x20000) != 0:
    print("unshare failed", os.strerror(ctypes.get_errno())); sys.exit(0)
libc.mount(b"none", b"/", None, 0x4000 | 0x40000, None)  # MS_REC | MS_PRIVATE
if libc.mount(secret.encode(), allowed.encode(), None, 0x1000, None) != 0:  # MS_BIND
    print("mount failed", os.strerror(ctypes.get_errno())); sys.exit(0)
print("read:", open(allowed).read().strip())
"""


def check_kernel_decides(a, root, work):
    secret = os.path.join(root, "secret.txt")
    with open(secret, "w") as f:
        f.write("polc-mount-secret\n")
    allowed = os.path.join(work, "allowed.txt")
    with open(allowed, "w") as f:
        f.write("public\n")
    policy = os.path.join(root, "mnt.sbx")
    with open(policy, "w") as f:
        f.write(MOUNT_POLICY.replace("@DIR@", work))
    r = run(["unshare", "-m", "--propagation", "private", a.polc, "learn", "--against", policy, "-o",
             os.path.join(root, "mnt.diff"), "--", "/usr/bin/python3", "-c", MOUNT_SCRIPT, secret, allowed])
    if "polc-mount-secret" in r.stdout:
        return f"the workload read the secret through a bind mount:\n{r.stdout}\n{r.stderr}"
    if "mount failed" not in r.stdout:
        return f"the bind mount was not refused:\n{r.stdout}\n{r.stderr}"
    return None


def check_from_events(a, root, work, ns, port, probe, subst, reset):
    variant = os.path.join(root, "path_read_file.sbx")
    out = os.path.join(root, "dist")
    r = run([a.polc, "build", variant, "-o", out])
    if r.returncode != 0:
        return "polc build: " + r.stderr
    key = os.path.join(root, "k")
    entry = run([a.polc, "keygen", "--out", key]).stdout.strip()
    bundle = os.path.join(out, "probe")
    r = run([a.polc, "sign", bundle, "--key", key + ".key"])
    if r.returncode != 0:
        return "polc sign: " + r.stderr
    trust = os.path.join(root, "trust.json")
    with open(trust, "w") as f:
        f.write('{"format": "polc.trust/1", "threshold": 1, "keys": [%s], "policies": {"probe": {"min_version": 0}}}\n'
                % entry)
    events = os.path.join(root, "events.jsonl")
    reset()
    r = run([a.sbx_exec, "--bundle", bundle, "--trust", trust, "--join-netns", ns, "--events", events, "--", probe, work,
             str(port)])
    if "read failed" not in r.stdout:
        return f"the confined run did not refuse the read:\n{r.stdout}\n{r.stderr}"
    r = run([a.polc, "learn", "--format", "json", "--from", events, variant])
    if r.returncode != 3:
        return f"expected exit 3, got {r.returncode}:\n{r.stdout}\n{r.stderr}"
    adds = json.loads(r.stdout)["additions"]
    if len(adds) != 1 or work + "/in.txt" not in adds[0]["rule"]:
        return f"expected one addition for {work}/in.txt, got {[x['rule'] for x in adds]}"
    return None


if __name__ == "__main__":
    sys.exit(main())
