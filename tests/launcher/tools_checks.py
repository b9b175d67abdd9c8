"""The standard tool modules run the real tools: launcher.tools_glibc (std.runtime.glibc alone:
`execute` on a dynamically linked program is all a policy adds to run it), launcher.tools_shell (std.tools.shell: sh and bash
running coreutils), launcher.tools_git (std.tools.git: git init, add, commit, gc) and
launcher.tools_build (std.tools.build: make driving gcc, as and ld on a two-file C program, then
running it).

Each test writes a policy that imports the module (with std.hardening and a workspace; the
dynamic loader's `execute` comes from std.runtime.glibc, which every tool module imports), checks that `polc check --strict` is clean, builds it with polc, signs it
with a `polc keygen` key and runs the tool under sbx-exec with a trust file naming that key: the
tool must succeed. Then the same policy without the module's import: the tool must fail, and
where the module grants syscalls (not just paths), also a policy that grants the module's paths
itself but not its syscalls, so that the test shows both halves are needed.
"""

import json
import os
import pwd
import shutil
import subprocess

from harness import EXIT, Skip, kernel_landlock_abi

LOADER = "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
PATH = "/usr/bin:/bin"

POLICY = """policy {name} version 1 {{
  targets x86_64
  import {imports}
  syscalls {{
    default errno(EPERM)
{syscalls}  }}
  filesystem {{
    landlock abi >= 3
{extra}  }}
}}
"""

# The build test's project: two C files, a Makefile using make's default CC (cc) and a pattern
# rule, and a `check` target that runs the program.
MAIN_C = '#include <stdio.h>\nint add(int, int);\nint main(void) { printf("sum %d\\n", add(2, 3)); return 0; }\n'
ADD_C = "int add(int a, int b) { return a + b; }\n"
MAKEFILE = ("prog: main.o add.o\n\t$(CC) -o $@ main.o add.o\n"
            "%.o: %.c\n\t$(CC) -O2 -c $< -o $@\n"
            "check: prog\n\t./prog\n"
            ".PHONY: check\n")


class Signed:
    """Builds, signs and runs policies of one test: one `polc keygen` key and a trust file per
    policy name."""

    def __init__(self, ctx, test):
        self.ctx = ctx
        self.base = os.path.join(ctx.tmp, test)
        os.makedirs(self.base, exist_ok=True)
        key = os.path.join(self.base, "tester")
        r = subprocess.run([ctx.polc, "keygen", "--out", key], capture_output=True, text=True)
        if r.returncode != 0:
            raise Skip("polc keygen failed: " + r.stderr.strip()[:300])
        self.key = key + ".key"
        self.entry = json.loads(r.stdout)
        self.built = {}

    def bundle(self, name, imports, extra_rules=(), strict=True, syscall_rules=()):
        """Writes, checks, builds and signs policy `name`; returns (bundle dir, trust file) or
        (None, None) after recording a failure."""
        ctx = self.ctx
        extra = "".join(f"    {rule}\n" for rule in extra_rules)
        syscalls = "".join(f"    {rule}\n" for rule in syscall_rules)
        source = os.path.join(self.base, f"{name}.sbx")
        with open(source, "w") as f:
            f.write(POLICY.format(name=name, imports=", ".join(imports), extra=extra, syscalls=syscalls))
        if strict:
            r = subprocess.run([ctx.polc, "check", "--strict", source], capture_output=True, text=True)
            ctx.check(r.returncode == 0 and r.stdout + r.stderr == "",
                      f"{name}: polc check --strict is clean", r.stdout + r.stderr)
        out = os.path.join(self.base, "dist")
        r = subprocess.run([ctx.polc, "build", source, "-o", out], capture_output=True, text=True)
        if not ctx.check(r.returncode == 0, f"{name}: polc build", r.stderr):
            return None, None
        bundle = os.path.join(out, name)
        r = subprocess.run([ctx.polc, "sign", bundle, "--key", self.key], capture_output=True, text=True)
        if not ctx.check(r.returncode == 0, f"{name}: polc sign", r.stderr):
            return None, None
        trust = os.path.join(self.base, f"{name}.trust.json")
        with open(trust, "w") as f:
            json.dump({"format": "polc.trust/1", "threshold": 1, "keys": [self.entry],
                       "policies": {name: {"min_version": 1}}}, f)
        os.chmod(trust, 0o644)
        return bundle, trust

    def run(self, name, imports, extra_rules, command, env, extra_args=(), strict=True, syscall_rules=()):
        """Runs `command` under policy `name`, built and signed on its first use."""
        if name not in self.built:
            self.built[name] = self.bundle(name, imports, extra_rules, strict, syscall_rules)
        bundle, trust = self.built[name]
        if bundle is None:
            return None
        return self.ctx.run(bundle, command, trust=trust, env=env, extra=extra_args, timeout=120)


def require_tools(ctx, programs):
    if kernel_landlock_abi(ctx) < 3:
        raise Skip("needs Landlock ABI 3 or later")
    if not os.path.exists(LOADER):
        raise Skip(f"no {LOADER}")
    for program in programs:
        if not os.access(program, os.X_OK):
            raise Skip(f"{program} is not installed")


def seccomp_refusals(events):
    """The syscalls seccomp refused, from the refusal events sbx-exec wrote (--events FILE)."""
    refused = set()
    if os.path.exists(events):
        for line in open(events):
            event = json.loads(line)
            if event.get("layer") == "seccomp":
                refused.add(event["request"].get("syscall"))
    return refused


def test_glibc(ctx):
    """std.runtime.glibc grants each target's dynamic loader: a policy that imports it and grants
    `read, execute` on one program (the kernel opens a program it executes for reading too), and
    nothing else on the filesystem, runs that program. Without the import the program cannot
    start (the kernel's open of the loader is refused)."""
    require_tools(ctx, ["/usr/bin/true"])
    signed = Signed(ctx, "tools_glibc")
    program = ['read, execute "/usr/bin/true"']
    # execve is the launcher's own last call under the filter; std.runtime.glibc allows no exec.
    r = signed.run("tools_glibc", ["std.runtime.glibc"], program, ["/usr/bin/true"], {"PATH": PATH},
                   syscall_rules=["allow execve"])
    if r is not None:
        ctx.check(r.returncode == 0, "/usr/bin/true runs with std.runtime.glibc and `read, execute` on it alone",
                  f"exit {r.returncode}\n{r.stdout}{r.stderr}")
    # std.groups only (the policy needs an import): the same grant, no loader.
    r = signed.run("tools_glibc_none", ["std.groups"], program + ['read "/usr/lib"'], ["/usr/bin/true"],
                   {"PATH": PATH}, strict=False, syscall_rules=["allow @memory, @process, @file_io, @signals"])
    if r is not None:
        ctx.check(r.returncode != 0, "without std.runtime.glibc's loader grant /usr/bin/true cannot start",
                  f"exit {r.returncode}\n{r.stdout}{r.stderr}")


def test_shell(ctx):
    require_tools(ctx, ["/usr/bin/dash", "/usr/bin/bash", "/usr/bin/ls", "/usr/bin/wc", "/usr/bin/cat"])
    signed = Signed(ctx, "tools_shell")
    work, _, _ = ctx.dirs("tools_shell_ws")
    script = 'ls /usr | wc -l; echo hi > "$W/x"; cat "$W/x"'
    env = {"PATH": PATH, "W": work, "LC_ALL": "C"}
    workspace = [f'read, write "{work}"', 'read "/usr"']
    entries = len(os.listdir("/usr"))
    for shell in ("/bin/sh", "/bin/bash"):
        os.makedirs(work, exist_ok=True)
        r = signed.run("tools_shell", ["std.tools.shell", "std.hardening"], workspace, [shell, "-c", script], env)
        if r is not None:
            ctx.check(r.returncode == 0 and r.stdout.split() == [str(entries), "hi"],
                      f"{shell} runs ls, wc and cat under std.tools.shell", f"exit {r.returncode}\n{r.stdout}{r.stderr}")
        shutil.rmtree(work)

    # Links and renames into another directory of the workspace (the policy's `write` includes
    # refer) keep the file: same inode, no copy. The supervisor's own Landlock guard must not
    # refuse them.
    os.makedirs(work)
    moves = 'cd "$W" && mkdir a b && echo x > a/f && ln a/f b/l && mv a/f b/m && stat -c %i b/l b/m'
    r = signed.run("tools_shell", ["std.tools.shell", "std.hardening"], workspace, ["/bin/sh", "-c", moves], env)
    if r is not None:
        inodes = r.stdout.split()
        ctx.check(r.returncode == 0 and len(inodes) == 2 and inodes[0] == inodes[1],
                  "ln and mv across directories of the workspace link and rename (refer)",
                  f"exit {r.returncode}\n{r.stdout}{r.stderr}")
    shutil.rmtree(work)

    # Without the import the shell is not even executable: Landlock refuses the exec.
    os.makedirs(work)
    r = signed.run("tools_shell_without", ["std.runtime.glibc", "std.hardening"], workspace,
                   ["/bin/sh", "-c", script], env)
    if r is not None:
        ctx.check(r.returncode == EXIT["cannot_execute"] and "hi" not in r.stdout,
                  "without std.tools.shell, sh cannot be executed", f"exit {r.returncode}\n{r.stdout}{r.stderr}")
        ctx.check(not os.path.exists(os.path.join(work, "x")), "without std.tools.shell, the script did not run")

    # With the programs executable (and execve allowed, so that the launcher can start sh) but
    # not the module's other syscalls, sh starts on glibc's floor and writes with a builtin, but
    # cannot start a pipeline or a command.
    events = os.path.join(ctx.tmp, "tools_shell", "paths_only.events")
    r = signed.run("tools_shell_paths_only", ["std.runtime.glibc", "std.hardening"],
                   workspace + ['read, execute "/usr/bin"'], ["/bin/sh", "-c", script], env,
                   extra_args=("--events", events), syscall_rules=["allow execve"])
    if r is not None:
        ctx.check(r.returncode != 0 and "hi" not in r.stdout.split(),
                  "with the programs but without std.tools.shell's syscalls, the pipeline fails",
                  f"exit {r.returncode}\n{r.stdout}{r.stderr}")
        refused = seccomp_refusals(events)
        ctx.check(refused & {"pipe2", "pipe", "clone", "vfork", "fork"},
                  "seccomp refused the pipeline's pipe or fork", str(sorted(refused)))


def test_git(ctx):
    require_tools(ctx, ["/usr/bin/git", "/usr/bin/dash"])
    signed = Signed(ctx, "tools_git")
    work, _, _ = ctx.dirs("tools_git_ws")
    script = ('cd "$W" && git init -q repo && cd repo && echo a > a && mkdir s && echo b > s/b && '
              'git add a s && git commit -q -m one && echo c >> a && git commit -q -am two && git gc -q && '
              'git log --format=%s')
    env = {"PATH": PATH, "W": work, "HOME": work, "LC_ALL": "C", "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Sandbox Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
           "GIT_COMMITTER_NAME": "Sandbox Test", "GIT_COMMITTER_EMAIL": "test@example.invalid"}
    workspace = [f'read, write "{work}"']
    r = signed.run("tools_git", ["std.tools.git", "std.hardening"], workspace, ["/bin/sh", "-c", script], env)
    if r is not None:
        ctx.check(r.returncode == 0 and r.stdout == "two\none\n", "git init, add, commit, gc and log under std.tools.git",
                  f"exit {r.returncode}\n{r.stdout}{r.stderr}")
        # The commits are really there, seen by git outside the sandbox.
        log = subprocess.run(["git", "-C", os.path.join(work, "repo"), "log", "--format=%s"], capture_output=True,
                             text=True, env=env)
        ctx.check(log.stdout == "two\none\n", "the sandboxed commits are in the repository", log.stdout + log.stderr)

    # Without the import (std.tools.shell stays, so sh runs): git cannot be executed.
    shutil.rmtree(work)
    os.makedirs(work)
    r = signed.run("tools_git_without", ["std.tools.shell", "std.hardening"], workspace, ["/bin/sh", "-c", script], env)
    if r is not None:
        ctx.check(r.returncode != 0 and r.stdout == "", "without std.tools.git, git is refused",
                  f"exit {r.returncode}\n{r.stdout}{r.stderr}")
        ctx.check(not os.path.exists(os.path.join(work, "repo", ".git")), "without std.tools.git, no repository")


def project(work, owner=None):
    os.makedirs(work, exist_ok=True)
    for name, text in (("main.c", MAIN_C), ("add.c", ADD_C), ("Makefile", MAKEFILE)):
        with open(os.path.join(work, name), "w") as f:
            f.write(text)
    if owner is not None:
        for entry in [work] + [os.path.join(work, n) for n in os.listdir(work)]:
            os.chown(entry, owner.pw_uid, owner.pw_gid)


def test_build(ctx):
    require_tools(ctx, ["/usr/bin/make", "/usr/bin/cc", "/usr/bin/as", "/usr/bin/ld", "/usr/bin/dash"])
    signed = Signed(ctx, "tools_build")
    work, _, _ = ctx.dirs("tools_build_ws")
    # gcc's temporary files go to TMPDIR, the workspace; `make check` runs the program built there.
    env = {"PATH": PATH, "TMPDIR": work, "HOME": work, "LC_ALL": "C"}
    workspace = [f'read, write, execute "{work}"']
    command = ["/usr/bin/make", "-C", work, "check"]
    project(work)
    r = signed.run("tools_build", ["std.tools.build", "std.hardening"], workspace, command, env)
    if r is not None:
        ctx.check(r.returncode == 0 and "sum 5\n" in r.stdout, "make, cc, as and ld build and run a C program",
                  f"exit {r.returncode}\n{r.stdout}{r.stderr}")

    # As an unprivileged user, make's children call setresuid(-1, uid, -1) with that user's uid.
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        nobody = None
    if nobody is not None:
        shutil.rmtree(work)
        project(work, nobody)
        r = signed.run("tools_build", ["std.tools.build", "std.hardening"], workspace, command, env,
                       extra_args=("--user", "nobody"))
        if r is not None:
            ctx.check(r.returncode == 0 and "sum 5\n" in r.stdout, "the same build as user nobody",
                      f"exit {r.returncode}\n{r.stdout}{r.stderr}")

    # Without the import: make cannot be executed.
    shutil.rmtree(work)
    project(work)
    r = signed.run("tools_build_without", ["std.tools.shell", "std.hardening"], workspace, command, env)
    if r is not None:
        ctx.check(r.returncode == EXIT["cannot_execute"] and "sum" not in r.stdout,
                  "without std.tools.build, make cannot be executed", f"exit {r.returncode}\n{r.stdout}{r.stderr}")

    # The module's paths granted by the policy, its syscalls not: make's children fail to reset
    # their effective ids, so no compiler runs.
    paths = ['read, execute "/usr/bin/make", "/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/cpp", "/usr/bin/as", '
             '"/usr/bin/ld", "/usr/lib/gcc"', 'read "/usr/include"']
    events = os.path.join(ctx.tmp, "tools_build", "paths_only.events")
    r = signed.run("tools_build_paths_only", ["std.tools.shell", "std.hardening"], workspace + paths, command, env,
                   extra_args=("--events", events))
    if r is not None:
        ctx.check(r.returncode != 0 and "sum" not in r.stdout and not os.path.exists(os.path.join(work, "prog")),
                  "with the paths but without std.tools.build's syscalls, the build fails",
                  f"exit {r.returncode}\n{r.stdout}{r.stderr}")
        refused = seccomp_refusals(events)
        ctx.check(refused & {"setresuid", "setresgid"}, "seccomp refused make's setresuid/setresgid",
                  str(sorted(refused)))
