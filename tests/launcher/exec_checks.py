"""Refusals that explain themselves, on the real kernel: an exec the policy's Landlock rules refuse
is explained by the file and the right missing (the command, its #! interpreter, the ELF loader;
launcher/exec_preflight.h), --dry-run finds the same before anything runs, and a rule path missing
on this host is said on stderr, or refuses the launch with --strict-paths.

Each explanation is checked against a control run with the right the explanation asks for added,
which must then run: the test shows the kernel needs exactly what the message names (execute on
the interpreter and on the loader, read_file on the executable itself).
"""

import os
import platform
import shutil
import struct
import subprocess

import fixture
from harness import EXIT, Skip, kernel_landlock_abi, refused, rules_for

LOADER = "/lib64/ld-linux-x86-64.so.2"

# A policy whose one program lacks execute on its loader; the statements are on fixed lines.
ATTRIBUTED_POLICY = """policy exec_demo version 1 {
  targets x86_64
  syscalls {
    default allow
  }
  filesystem {
    landlock abi >= 3
    read "/usr", "/lib", "/lib64", "/etc"
    read, execute "/usr/bin/true"
  }
}
"""


def read_only_system(work, more=()):
    """The system's trees readable but executable nowhere; the work dir fully granted."""
    rules = [{"path": p, "access": fixture.READ} for p in ("/usr", "/bin", "/lib", "/lib64", "/etc", "/proc")]
    rules.append({"path": "/dev/null", "access": ["read_file", "write_file"]})
    rules.append({"path": work, "access": fixture.FS_ALL_ABI3})
    return rules + list(more)


def needs_kernel(ctx):
    abi = kernel_landlock_abi(ctx)
    if abi < 3:
        raise Skip(f"needs Landlock ABI 3 or later (this kernel: {abi})")
    if platform.machine() != "x86_64" or not os.path.exists(LOADER):
        raise Skip("the fixture's seccomp program and loader path are x86_64's")


def error_lines(result):
    return [line for line in result.stderr.splitlines() if line.startswith("sbx-exec: error: ")]


def test_exec_explain(ctx):
    needs_kernel(ctx)
    work, outside, bundle = ctx.dirs("exec_explain")
    marker = os.path.join(work, "marker")
    script = os.path.join(work, "run.sh")
    with open(script, "w") as f:
        f.write(f"#!/bin/sh\n: > {marker}\n")  # a builtin: the shell execs nothing else
    os.chmod(script, 0o755)
    sh_real = os.path.realpath("/bin/sh")
    loader_real = os.path.realpath(LOADER)
    rx = fixture.READ_EXEC

    def run(rules, command, extra=()):
        fixture.write_bundle(bundle, fixture.landlock_doc(rules))
        r = ctx.run(bundle, command, extra=extra)
        ran = os.path.exists(marker)
        if ran:
            os.unlink(marker)
        return r, ran

    # A script whose #! interpreter lacks execute: the kernel refuses (EACCES), and the error names
    # the interpreter, where it resolves, and the rule to add.
    r, ran = run(read_only_system(work), [script])
    errors = error_lines(r)
    ctx.check(r.returncode == EXIT["cannot_execute"] and not ran, "the script's exec is refused (126)",
              r.stderr)
    ctx.check(len(errors) == 1 and "its #! interpreter /bin/sh" in errors[0] and
              "lacks the execute right" in errors[0] and f'add: execute "{sh_real}"' in errors[0] and
              "Permission denied (EACCES)" in errors[0],
              "the error names the #! interpreter, the missing right and the rule to add", r.stderr)
    # --dry-run finds the same, runs nothing, and exits as the run would.
    r, ran = run(read_only_system(work), [script], extra=("--dry-run",))
    ctx.check(r.returncode == EXIT["cannot_execute"] and not ran and
              "the exec would fail (exit 126)" in r.stdout and "its #! interpreter /bin/sh" in r.stdout,
              "--dry-run reports the interpreter without execute, exit 126", r.stdout + r.stderr)
    ctx.check("  exec: the command " + script in r.stdout, "--dry-run lists the files the exec opens", r.stdout)

    # Execute on the interpreter: now its ELF loader is what lacks it (the kernel opens the loader
    # with the same check).
    with_sh = read_only_system(work, [{"path": sh_real, "access": rx}])
    r, ran = run(with_sh, [script])
    errors = error_lines(r)
    ctx.check(r.returncode == EXIT["cannot_execute"] and not ran and len(errors) == 1 and
              f"the ELF interpreter {LOADER} (of /bin/sh, {loader_real} on this host)" in errors[0] and
              f'add: execute "{loader_real}"' in errors[0],
              "with execute on the interpreter, the error names its ELF loader", r.stderr)
    # Both: the script runs, and nothing is said.
    r, ran = run(with_sh + [{"path": loader_real, "access": rx}], [script])
    ctx.check(r.returncode == 0 and ran and not error_lines(r), "control: with both granted the script runs",
              r.stderr)
    r, ran = run(with_sh + [{"path": loader_real, "access": rx}], [script], extra=("--dry-run",))
    ctx.check(r.returncode == 0 and not ran and "result: a run would apply the above and exec the command" in r.stdout,
              "control: --dry-run agrees", r.stdout + r.stderr)

    # An ELF program granted execute whose loader is not: the error names the loader.
    true = "/usr/bin/true"
    r, ran = run(read_only_system(work, [{"path": true, "access": rx}]), [true])
    errors = error_lines(r)
    ctx.check(r.returncode == EXIT["cannot_execute"] and len(errors) == 1 and
              f"its ELF interpreter {LOADER} ({loader_real} on this host) lacks the execute right" in errors[0],
              "an ELF whose loader lacks execute: the error names the loader", r.stderr)
    r, ran = run(read_only_system(work, [{"path": true, "access": rx}, {"path": LOADER, "access": rx}]), [true])
    ctx.check(r.returncode == 0, "control: execute granted on the loader (by its link's name) runs it", r.stderr)

    # Execute without read_file on the program itself: the kernel opens it for reading as well.
    copy = os.path.join(outside, "true")
    shutil.copy(true, copy)
    os.chmod(copy, 0o755)
    loader_rule = {"path": loader_real, "access": rx}
    r, ran = run(read_only_system(work, [loader_rule, {"path": copy, "access": ["execute"]}]), [copy])
    errors = error_lines(r)
    ctx.check(r.returncode == EXIT["cannot_execute"] and len(errors) == 1 and
              f"the command {copy} lacks the read_file right" in errors[0] and f'add: read "{copy}"' in errors[0],
              "execute without read_file on the program is refused, and said so", r.stderr)
    r, ran = run(read_only_system(work, [loader_rule, {"path": copy, "access": ["execute", "read_file"]}]), [copy])
    ctx.check(r.returncode == 0, "control: execute and read_file on the program run it", r.stderr)

    # An interpreter whose name would close a policy string: no `add:` line a user could paste and
    # get a statement the payload wrote (`execute "/x/q"write"/sh"` is `execute "/x/q"`, then
    # `write "/sh"`, once pasted; a #! line ends its interpreter at a space, so none is used).
    hostile_dir = os.path.join(outside, 'q"write"')
    os.makedirs(hostile_dir, exist_ok=True)
    shutil.copy(sh_real, os.path.join(hostile_dir, "sh"))
    os.chmod(os.path.join(hostile_dir, "sh"), 0o755)
    hostile_script = os.path.join(work, "hostile.sh")
    with open(hostile_script, "w") as f:
        f.write(f"#!{hostile_dir}/sh\n: > {marker}\n")
    os.chmod(hostile_script, 0o755)
    r, ran = run(read_only_system(work), [hostile_script])
    errors = error_lines(r)
    ctx.check(r.returncode == EXIT["cannot_execute"] and not ran and len(errors) == 1 and
              "its #! interpreter" in errors[0] and "add:" not in errors[0] and
              "cannot be written in a policy as it is" in errors[0],
              "an interpreter name with a quote gets no statement to paste", r.stderr)

    # An interpreter that does not exist (127), and a command not on PATH (--dry-run, 127).
    missing = os.path.join(work, "missing-interp.sh")
    with open(missing, "w") as f:
        f.write("#!/nonexistent/interpreter -x\n")
    os.chmod(missing, 0o755)
    r, ran = run(rules_for(work), [missing])
    errors = error_lines(r)
    ctx.check(r.returncode == EXIT["not_found"] and len(errors) == 1 and
              "its #! interpreter /nonexistent/interpreter does not exist" in errors[0],
              "a missing #! interpreter is named (127)", r.stderr)
    r, ran = run(rules_for(work), ["no-such-command-anywhere"], extra=("--dry-run",))
    ctx.check(r.returncode == EXIT["not_found"] and "is not found in PATH" in r.stdout,
              "--dry-run: a command not on PATH, exit 127", r.stdout + r.stderr)

    # A bundle polc built: the explanation names the statements behind the rules (attribution.json).
    source = os.path.join(ctx.tmp, "exec_explain", "exec_demo.sbx")
    with open(source, "w") as f:
        f.write(ATTRIBUTED_POLICY)
    out = os.path.join(ctx.tmp, "exec_explain", "dist")
    b = subprocess.run([ctx.polc, "build", source, "-o", out], capture_output=True, text=True)
    if ctx.check(b.returncode == 0, "polc builds the attributed policy", b.stdout + b.stderr):
        r = ctx.run(os.path.join(out, "exec_demo"), [true])
        errors = error_lines(r)
        ctx.check(r.returncode == EXIT["cannot_execute"] and len(errors) == 1 and
                  f"its ELF interpreter {LOADER}" in errors[0] and
                  "the policy grants execute only on /usr/bin/true (sources/exec_demo.sbx:9)" in errors[0] and
                  "/usr (read_file, read_dir; sources/exec_demo.sbx:8)" in errors[0],
                  "the explanation names the policy's statements", r.stderr)

    # Malformed headers are noted, never followed: an ELF whose program headers lie beyond its end
    # (the kernel says ENOEXEC, and execvp runs it with /bin/sh).
    broken = os.path.join(work, "broken-elf")
    header = bytearray(64)
    header[0:7] = b"\x7fELF\x02\x01\x01"  # ELF64, little-endian
    struct.pack_into("<H", header, 16, 2)  # ET_EXEC
    struct.pack_into("<Q", header, 32, 1 << 40)  # e_phoff: far beyond the file
    struct.pack_into("<HH", header, 54, 56, 5)  # e_phentsize, e_phnum
    with open(broken, "wb") as f:
        f.write(bytes(header))
    os.chmod(broken, 0o755)
    r, ran = run(rules_for(work), [broken], extra=("--dry-run",))
    ctx.check(r.returncode == 0 and "exec note: the command " + broken in r.stdout and
              "program headers lie beyond the file's end" in r.stdout and
              "  exec: the shell execvp runs it with /bin/sh" in r.stdout,
              "--dry-run: a malformed ELF is noted and the shell fallback checked", r.stdout + r.stderr)

    # A hostile #! line (terminal escapes) is printed escaped.
    hostile = os.path.join(work, "hostile.sh")
    with open(hostile, "wb") as f:
        f.write(b"#!/\x1b[31mred\n")
    os.chmod(hostile, 0o755)
    r, ran = run(rules_for(work), [hostile])
    ctx.check("\x1b" not in r.stderr and "/\\x1b[31mred" in r.stderr, "escape bytes of a #! line are escaped",
              repr(r.stderr))


def test_skipped_paths(ctx):
    needs_kernel(ctx)
    work, outside, bundle = ctx.dirs("skipped_paths")
    target = os.path.join(outside, "out.txt")
    rules = rules_for(work, [{"path": target, "access": ["write_file", "make_reg", "truncate"]}])
    fixture.write_bundle(bundle, fixture.landlock_doc(rules))
    job = ["/bin/sh", "-c", f"echo hi > {target}"]
    warning = f"sbx-exec: warning: path rule skipped: {target} (write_file, make_reg, truncate): does not exist"

    # The job creates the file the rule names: the rule was skipped (nothing existed to attach it
    # to), so the create is refused, and stderr says why.
    r = ctx.run(bundle, job)
    ctx.check(r.returncode != 0 and not os.path.exists(target), "the create is refused", r.stderr)
    ctx.check(any(line.startswith(warning) for line in r.stderr.splitlines()),
              "stderr names the skipped rule path and its rights", r.stderr)
    r = ctx.run(bundle, job, extra=("--quiet-skipped-paths",))
    ctx.check("path rule skipped" not in r.stderr.replace('"skipped_paths"', ""),
              "--quiet-skipped-paths: no warning (the audit line still lists it)", r.stderr)
    ctx.check(target in r.stderr, "the audit line still lists the skipped path", r.stderr)

    # --strict-paths refuses the launch instead.
    r = ctx.run(bundle, ["/bin/sh", "-c", f"touch {work}/marker"], extra=("--strict-paths",))
    if refused(ctx, "--strict-paths with a missing rule path", r, work, EXIT["apply"]):
        error = error_lines(r)[0]
        ctx.check("--strict-paths" in error and target in error and "grants nothing" in error,
                  "the refusal names the path and why", error)
    r = ctx.run(bundle, job, extra=("--strict-paths", "--dry-run"))
    ctx.check(r.returncode == EXIT["apply"] and "result: a run would refuse (exit 123)" in r.stdout and
              target in r.stdout and not os.path.exists(target), "--dry-run --strict-paths: exit 123",
              r.stdout + r.stderr)

    # Control: once the path exists, --strict-paths launches and the rule grants.
    open(target, "w").close()
    r = ctx.run(bundle, job, extra=("--strict-paths",))
    ctx.check(r.returncode == 0 and open(target).read() == "hi\n" and "path rule skipped" not in r.stderr,
              "control: the path exists, the launch goes ahead and the write is granted", r.stderr)
