"""launcher.rule_path_race: no race between the launcher's look at a rule path and the descriptor
it grants widens a grant.

A payload confined by the bundle (the swapper) owns a writable grant with make_sym and refer, and
swaps, as fast as it can, a directory there (d, holding the granted rule path d/sub) with a
symbolic link to a directory outside every grant (renameat2 RENAME_EXCHANGE). Meanwhile LAUNCHES
launches of the same bundle each try to read a 0600 secret in that outside directory. A launcher
that checks path text and then opens by name (lstat, then open following links) sometimes grants
d/sub while d is the link, i.e. the outside directory, and the secret is read; one that walks
descriptors never does: each launch either runs with the real d/sub granted, or is refused
because the rule passes through a link the sandbox could have planted (123).

Bounded by the launch count (and CTest's TIMEOUT), never by the clock; each launch is cheap: a
small fixture bundle, no signature check, no network setup, /bin/cat as the payload.
"""

import os
import secrets
import select
import subprocess

import fixture
from harness import DEV_FLAG, EXIT, Skip, kernel_landlock_abi

LAUNCHES = 1000

# The swapper, run under sbx-exec: exchanges argv[1] and argv[2] forever (the test kills it).
SWAPPER = r"""
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
a, b = (os.fsencode(p) for p in sys.argv[1:3])
AT_FDCWD, RENAME_EXCHANGE, SYS_renameat2 = -100, 2, 316
if libc.syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0:
    print("exchange failed", ctypes.get_errno(), flush=True)
    sys.exit(1)
print("swapping", flush=True)
while True:
    libc.syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)
"""


def test_rule_path_race(ctx):
    if kernel_landlock_abi(ctx) < 3:
        raise Skip("needs Landlock ABI 3 or later")
    base = os.path.join(ctx.tmp, "race")
    work, outside = os.path.join(base, "work"), os.path.join(base, "outside")
    os.makedirs(os.path.join(work, "d", "sub"))
    os.makedirs(os.path.join(outside, "sub"))
    secret_text = "race-secret-" + secrets.token_hex(8)
    secret = os.path.join(outside, "sub", "secret")
    with open(secret, "w") as f:
        f.write(secret_text + "\n")
    os.chmod(secret, 0o600)
    os.symlink(outside, os.path.join(work, "l"))
    # Only what /bin/cat and python3 need, the writable grant, and the rule the race aims at.
    rules = [{"path": p, "access": fixture.READ_EXEC} for p in ("/usr", "/bin", "/lib", "/lib64")]
    rules += [{"path": work, "access": fixture.FS_ALL_ABI3},
              {"path": os.path.join(work, "d", "sub"), "access": fixture.READ}]
    bundle = os.path.join(base, "bundle", "fixture")
    fixture.write_bundle(bundle, fixture.landlock_doc(rules))
    launch = [ctx.sbx, "--bundle", bundle, DEV_FLAG, "--network-enforced-externally", "--"]

    r = subprocess.run(launch + ["/bin/cat", secret], capture_output=True, text=True)
    ctx.check(r.returncode == 1 and secret_text not in r.stdout, "control: the secret is out of reach",
              r.stdout + r.stderr)
    control = subprocess.run(["/bin/cat", secret], capture_output=True, text=True)
    ctx.check(secret_text in control.stdout, "control: the secret is readable without sbx-exec")

    swapper = subprocess.Popen(launch + ["/usr/bin/python3", "-c", SWAPPER, os.path.join(work, "d"),
                                         os.path.join(work, "l")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    counts = {"widened": 0, "denied": 0, "refused_link": 0}
    other = []
    try:
        ready, _, _ = select.select([swapper.stdout], [], [], 60)
        first = swapper.stdout.readline() if ready else ""
        if not ctx.check(first.strip() == "swapping", "the confined swapper exchanges the directory and the link",
                         first + (swapper.stderr.read() if swapper.poll() is not None else "")):
            return
        for _ in range(LAUNCHES):
            r = subprocess.run(launch + ["/bin/cat", secret], capture_output=True, text=True)
            if secret_text in r.stdout:
                counts["widened"] += 1
            elif r.returncode == 1 and "Permission denied" in r.stderr:
                counts["denied"] += 1
            elif r.returncode == EXIT["apply"] and "passes through the symbolic link" in r.stderr:
                counts["refused_link"] += 1
            else:
                other.append(f"exit {r.returncode}: {r.stderr.strip()[-300:]}")
        ctx.check(swapper.poll() is None, "the swapper kept swapping during every launch")
    finally:
        swapper.kill()
        swapper.wait()
    print(f"{LAUNCHES} launches against a confined swapper: {counts}")
    ctx.check(counts["widened"] == 0,
              f"{counts['widened']} of {LAUNCHES} launches read the secret outside every grant (a widened grant)")
    ctx.check(not other, f"{len(other)} launches ended otherwise", "\n    ".join(other[:5]))
    # Both states of the swapped directory were met, so the race was really run.
    ctx.check(counts["refused_link"] > 0 and counts["denied"] > 0,
              "launches met both the directory and the planted link", str(counts))
