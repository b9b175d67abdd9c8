"""What the payload inherits from the caller: launcher.descriptors (no descriptor above 2 but those
named with --keep-fd) and launcher.user_capabilities (no capability under any --user; uid 0
refused).
"""

import json
import os
import shutil
import stat
import subprocess

from harness import DEV_FLAG, EXIT, Skip, kernel_landlock_abi, parse_audit, standard_bundle

def last_audit(log):
    """The last audit line in `log` as a dict ({} when there is none)."""
    lines = open(log).read().splitlines() if os.path.exists(log) else []
    return (parse_audit(lines[-1]) if lines else None) or {}


# Run in the payload: for each descriptor 3..255 that is open, one line "FD open"; then fd 7 read
# and fd 8 written, each "read 7 ok TEXT" / "write 8 ok" or "... errno N".
FD_PROBE = r"""
import os
for fd in range(3, 256):
    try:
        os.fstat(fd)
        print(fd, "open")
    except OSError:
        pass
try:
    print("read 7 ok", os.read(7, 200).decode().strip())
except OSError as e:
    print("read 7 errno", e.errno)
try:
    os.write(8, b"written by the payload\n")
    print("write 8 ok")
except OSError as e:
    print("write 8 errno", e.errno)
"""


def without_close_range():
    """In the child before sbx-exec runs: a seccomp filter making close_range(2) fail with ENOSYS,
    as on kernels before 5.9."""
    import ctypes
    import struct
    insn = lambda code, jt, jf, k: struct.pack("<HBBI", code, jt, jf, k)  # noqa: E731
    allow, enosys = 0x7FFF0000, 0x00050000 | 38
    prog = b"".join([insn(0x20, 0, 0, 4), insn(0x15, 1, 0, 0xC000003E), insn(0x06, 0, 0, allow),
                     insn(0x20, 0, 0, 0), insn(0x15, 0, 1, 436), insn(0x06, 0, 0, enosys), insn(0x06, 0, 0, allow)])

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(prog, len(prog))
    fprog = SockFprog(len(prog) // 8, ctypes.cast(buf, ctypes.c_void_p))
    if libc.prctl(38, 1, 0, 0, 0) != 0 or libc.syscall(317, 1, 0, ctypes.byref(fprog)) != 0:
        os._exit(99)  # PR_SET_NO_NEW_PRIVS, seccomp(SECCOMP_SET_MODE_FILTER) failed


def test_descriptors(ctx):
    if kernel_landlock_abi(ctx) < 3:
        raise Skip("needs Landlock ABI 3 or later")
    work, outside, bundle = standard_bundle(ctx, "descriptors")
    secret_text = "fd-secret-7"
    secret, target = os.path.join(outside, "secret"), os.path.join(outside, "target")
    with open(secret, "w") as f:
        f.write(secret_text + "\n")
    open(target, "w").close()
    for path in (secret, target):
        os.chmod(path, 0o600)
    log = os.path.join(ctx.tmp, "descriptors", "audit.log")

    def run(extra=(), preexec_fn=None):
        # The caller holds the secret open for reading on 7 and the target for writing on 8, both
        # outside every grant, as a careless caller (or its own parent) might.
        r_fd = os.open(secret, os.O_RDONLY)
        w_fd = os.open(target, os.O_WRONLY | os.O_APPEND)
        try:
            os.dup2(r_fd, 7)
            os.dup2(w_fd, 8)
            argv = [ctx.sbx, "--bundle", bundle, DEV_FLAG, "--network-enforced-externally", "--audit-log", log,
                    *extra, "--", "/usr/bin/python3", "-c", FD_PROBE]
            return subprocess.run(argv, capture_output=True, text=True, pass_fds=(7, 8), timeout=60,
                                  preexec_fn=preexec_fn)
        finally:
            for fd in (7, 8, r_fd, w_fd):
                os.close(fd)

    r = run()
    ctx.check(r.returncode == 0, f"the probe ran (exit {r.returncode})", r.stderr)
    ctx.check("read 7 errno 9" in r.stdout and secret_text not in r.stdout,
              "the payload cannot read the caller's descriptor 7 (EBADF)", r.stdout)
    ctx.check("write 8 errno 9" in r.stdout and os.path.getsize(target) == 0,
              "the payload cannot write the caller's descriptor 8 (EBADF)", r.stdout)
    ctx.check(" open" not in r.stdout, "no descriptor above 2 is open in the payload", r.stdout)
    audit = last_audit(log)
    ctx.check(audit.get("kept_fds") == [], "the audit line keeps no descriptor", str(audit))

    # A kernel without close_range (ENOSYS, here from a filter sbx-exec is started under): the
    # fallback marks what /proc/self/fd lists, and nothing leaks either.
    r = run(preexec_fn=without_close_range)
    ctx.check(r.returncode == 0 and "read 7 errno 9" in r.stdout and "write 8 errno 9" in r.stdout
              and " open" not in r.stdout, "without close_range the fallback closes them too", r.stdout + r.stderr)

    # Passed on purpose: the caller's choice, audited; the other one is still closed.
    open(log, "w").close()
    r = run(("--keep-fd", "7"))
    ctx.check(f"read 7 ok {secret_text}" in r.stdout and "write 8 errno 9" in r.stdout and "7 open" in r.stdout,
              "--keep-fd 7 passes 7 and only 7", r.stdout + r.stderr)
    audit = last_audit(log)
    ctx.check(audit.get("kept_fds") == [7], "the audit line names the kept descriptor", str(audit))

    r = subprocess.run([ctx.sbx, "--bundle", bundle, DEV_FLAG, "--network-enforced-externally", "--keep-fd", "7",
                        "--keep-fd=8", "--dry-run", "--", "/bin/true"], capture_output=True, text=True,
                       pass_fds=())
    ctx.check(r.returncode == EXIT["usage"] and "--keep-fd 7: not an open descriptor" in r.stderr,
              "a kept descriptor that is not open is a usage error", r.stdout + r.stderr)
    for bad, needle in ((("--keep-fd", "2"), "always passed"), (("--keep-fd", "x"), "descriptor number"),
                        (("--keep-fd", "1", "--keep-fd", "1"), "always passed"),
                        (("--keep-fd", "5", "--keep-fd", "5"), "given twice")):
        r = subprocess.run([ctx.sbx, "--bundle", bundle, DEV_FLAG, "--network-enforced-externally", *bad, "--",
                            "/bin/true"], capture_output=True, text=True)
        ctx.check(r.returncode == EXIT["usage"] and needle in r.stderr, f"{' '.join(bad)}: usage error ({needle})",
                  r.stderr)
    fd = os.open(secret, os.O_RDONLY)
    try:
        os.dup2(fd, 9)
        r = subprocess.run([ctx.sbx, "--bundle", bundle, DEV_FLAG, "--network-enforced-externally", "--keep-fd", "9",
                            "--dry-run", "--", "/bin/true"], capture_output=True, text=True, pass_fds=(9,))
    finally:
        os.close(9)
        os.close(fd)
    ctx.check(r.returncode == 0 and "descriptors: 0, 1, 2, --keep-fd 9 inherited; every other one closed on exec"
              in r.stdout, "the dry run names the kept descriptor", r.stdout + r.stderr)


# Run in the payload: its capability sets, securebits, and whether it can give a file it can
# reach to another user.
CAP_PROBE = r"""
import ctypes, os, sys
for line in open("/proc/self/status"):
    if line.startswith(("Uid:", "Cap")):
        print(line.strip())
libc = ctypes.CDLL(None, use_errno=True)
print("securebits", hex(libc.prctl(27, 0, 0, 0, 0)))
try:
    os.chown(sys.argv[1], 12345, -1)
    print("chown ok")
except OSError as e:
    print("chown errno", e.errno)
"""


def test_user_capabilities(ctx):
    if kernel_landlock_abi(ctx) < 3:
        raise Skip("needs Landlock ABI 3 or later")
    if os.geteuid() != 0:
        raise Skip("--user needs root")
    work, _, bundle = standard_bundle(ctx, "user_caps")
    victim = os.path.join(work, "victim")
    open(victim, "w").close()
    log = os.path.join(ctx.tmp, "user_caps", "audit.log")
    zero = "0000000000000000"

    def run(extra):
        open(log, "w").close()
        r = subprocess.run([ctx.sbx, "--bundle", bundle, DEV_FLAG, "--network-enforced-externally", "--audit-log", log,
                            *extra, "--", "/usr/bin/python3", "-c", CAP_PROBE, victim],
                           capture_output=True, text=True, timeout=60)
        return r, last_audit(log)

    # Without --user the payload keeps the caller's capabilities (documented), and root can chown:
    # the control that shows the chown below would succeed if capabilities were left.
    r, audit = run(())
    ctx.check("chown ok" in r.stdout and os.stat(victim).st_uid == 12345, "control: as root, chown works",
              r.stdout + r.stderr)
    caps = audit.get("capabilities") or {}
    ctx.check(caps.get("mode") == "caller" and caps.get("effective") not in (None, zero),
              "the audit line records the caller's capabilities", json.dumps(caps))
    os.chown(victim, 0, 0)

    # uid 0 is refused: without capabilities it still owns every root-owned file, and Landlock does
    # not confine chmod. Before, the payload made a root-owned program outside every grant setuid.
    outside = os.path.join(ctx.tmp, "user_caps", "outside")
    os.makedirs(outside, exist_ok=True)
    program = os.path.join(outside, "program")
    shutil.copy("/bin/true", program)
    os.chmod(program, 0o755)
    for spec in ("root", "0", "0:0", "root:65534"):
        open(log, "w").close()
        r = subprocess.run([ctx.sbx, "--bundle", bundle, DEV_FLAG, "--network-enforced-externally", "--audit-log", log,
                            "--user", spec, "--", "/bin/chmod", "4755", program],
                           capture_output=True, text=True, timeout=60)
        ctx.check(stat.S_IMODE(os.stat(program).st_mode) == 0o755,
                  f"--user {spec}: the payload set the setuid bit on a root-owned program outside every grant")
        os.chmod(program, 0o755)
        audit = last_audit(log)
        ctx.check(r.returncode == 120 and "uid 0" in r.stderr and audit.get("result") == "refused",
                  f"--user {spec}: refused (120) with an audit line (got {r.returncode})", r.stderr)

    for spec in ("nobody", "65534:0"):
        r, audit = run(("--user", spec))
        status = dict(line.split(":", 1) for line in r.stdout.splitlines() if ":" in line)
        for name in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
            ctx.check(status.get(name, "").strip() == zero, f"--user {spec}: {name} is empty",
                      r.stdout + r.stderr)
        ctx.check("securebits 0xef" in r.stdout, f"--user {spec}: securebits locked (0xef)", r.stdout)
        ctx.check("chown errno 1" in r.stdout and os.stat(victim).st_uid == 0,
                  f"--user {spec}: chown to another uid fails (EPERM)", r.stdout + r.stderr)
        caps = audit.get("capabilities")
        ctx.check(caps == {"mode": "cleared", "effective": zero, "permitted": zero, "inheritable": zero,
                           "ambient": zero, "bounding": zero, "securebits": 0xef},
                  f"--user {spec}: the audit line says every set was cleared", json.dumps(caps))
        os.chown(victim, 0, 0)
