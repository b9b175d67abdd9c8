"""What the launcher tests share: the test context (the binaries, a temp dir, the failures so far),
the launcher's exit codes, fixture bundles and the marker payload, the refusal check (exit code,
one error line, the payload did not run, the audit line), the kernel's Landlock ABI asked
directly, loopback listeners with the connect probe a payload runs, and the python_agent bundle
`polc build` writes.
"""

import hashlib
import json
import os
import socket
import subprocess

import fixture

SKIP = 77
DEV_FLAG = "--insecure-dev-unsigned"
DEV_WARNING = ("sbx-exec: WARNING: --insecure-dev-unsigned: the bundle's signatures are not checked; never use this "
               "in production\n")
EXIT = {"usage": 120, "bundle": 121, "kernel": 122, "apply": 123, "network": 124, "audit": 125,
        "cannot_execute": 126, "not_found": 127}


class Skip(Exception):
    pass


class Context:
    def __init__(self, args, tmp):
        self.sbx = args.sbx_exec
        self.polc = args.polc
        self.source = args.source
        self.tmp = tmp
        self.failures = []

    def check(self, condition, message, detail=""):
        if not condition:
            self.failures.append(message + (f"\n    {detail}" if detail else ""))
        return condition

    def dirs(self, name):
        """A fresh work dir (granted to the payload), an outside dir (not granted) and a bundle
        path for test case `name`."""
        base = os.path.join(self.tmp, name)
        work, outside = os.path.join(base, "work"), os.path.join(base, "outside")
        os.makedirs(work)
        os.makedirs(outside)
        return work, outside, os.path.join(base, "bundle", "fixture")

    def run(self, bundle, command, mode=("--network-enforced-externally",), extra=(), timeout=60, env=None,
            trust=None):
        """sbx-exec on `bundle`. `trust` is the trust file; without one the run is unsigned, with
        --insecure-dev-unsigned (the tests about other things than signatures)."""
        trust_args = ("--trust", trust) if trust else (DEV_FLAG,)
        argv = [self.sbx, "--bundle", bundle, *trust_args, *mode, *extra, "--", *command]
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)


def rules_for(work, more=()):
    return fixture.system_rules() + [{"path": work, "access": fixture.FS_ALL_ABI3}] + list(more)


def standard_bundle(ctx, name, **landlock_kw):
    work, outside, bundle = ctx.dirs(name)
    fixture.write_bundle(bundle, fixture.landlock_doc(rules_for(work), **landlock_kw))
    return work, outside, bundle


def marker_command(work, status=0):
    return ["/bin/sh", "-c", f"touch {work}/marker; exit {status}"]


def refused(ctx, what, result, work, code):
    """Asserts a refusal: the exit code, one error line naming the problem, the payload did not
    run, and the audit line records it."""
    ok = ctx.check(result.returncode == code, f"{what}: exit {result.returncode}, expected {code}",
                   result.stderr.strip())
    ok &= ctx.check(not os.path.exists(os.path.join(work, "marker")), f"{what}: the payload ran")
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("sbx-exec: error: ")]
    ok &= ctx.check(len(errors) == 1, f"{what}: expected one 'sbx-exec: error:' line", result.stderr)
    if code != EXIT["usage"]:
        audit = parse_audit(lines[-1]) if lines else None
        ok &= ctx.check(audit is not None and audit["result"] == "refused" and audit["exit_code"] == code
                        and audit["reason"] == errors[0][len("sbx-exec: error: "):] if errors else False,
                        f"{what}: no refusal audit line with the reason", result.stderr)
    if os.path.exists(os.path.join(work, "marker")):
        os.unlink(os.path.join(work, "marker"))
    return ok


def launch_lines(lines):
    """The launch's own audit lines ("exec" or "refused") among `lines`, without the supervisor's
    "exit" line that follows an exec, nor anything else on stderr (the payload's output, the
    summary of refusals)."""
    audits = [(line, parse_audit(line)) for line in lines]
    return [line for line, a in audits if a is not None and "audit" in a and a.get("result") != "exit"]


def parse_audit(line):
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def kernel_landlock_abi(ctx):
    """The kernel's Landlock ABI, asked directly (not through sbx-exec, whose answer is under
    test): landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(ctypes.c_long(444), ctypes.c_void_p(None), ctypes.c_size_t(0), ctypes.c_uint(1))
    return max(int(abi), 0)


def listener(port=0, host="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(16)
    return s


# Connects to each argument, PORT (on 127.0.0.1) or HOST:PORT, and prints one line for each:
# "ARG connected" or "ARG failed ERRNO" (None for a timeout, as nftables drops are).
CONNECT_PY = r"""
import socket, sys
for target in sys.argv[1:]:
    host, _, port = target.rpartition(":")
    s = socket.socket()
    s.settimeout(3)
    try:
        s.connect((host or "127.0.0.1", int(port)))
        print(target, "connected")
    except OSError as e:
        print(target, "failed", e.errno)
    s.close()
"""


def connect_results(stdout):
    return {line.split()[0]: line.split()[1:] for line in stdout.splitlines() if line.strip()}


def built_python_agent(ctx):
    """The example bundle from `polc build`, or None while polc does not yet write every file the
    launcher needs."""
    out = os.path.join(ctx.tmp, "polc-build")
    if not os.access(ctx.polc, os.X_OK):
        return None, f"{ctx.polc} is not built"
    r = subprocess.run([ctx.polc, "build", os.path.join(ctx.source, "examples", "python_agent.sbx"), "-o", out],
                       capture_output=True, text=True)
    bundle = os.path.join(out, "python_agent")
    needed = ["manifest.json", "landlock.json", "nftables.nft", "seccomp.x86_64.bpf"]
    if r.returncode != 0 or not all(os.path.exists(os.path.join(bundle, n)) for n in needed):
        return None, r.stderr
    return bundle, ""
