"""The launcher as a command: launcher.options (--help, usage errors, the audit log option, the
payload's own arguments), launcher.docs (docs/launcher.md against --help and the audit line),
launcher.golden_dry_run and launcher.golden_python_agent (--dry-run output against the files in
golden/), and launcher.links (what the binary links and embeds).
"""

import os
import re
import subprocess

import fixture
import signing
from harness import DEV_FLAG, DEV_WARNING, EXIT, Skip, built_python_agent, parse_audit, sha256, standard_bundle

HERE = os.path.dirname(os.path.abspath(__file__))


def test_options(ctx):
    r = subprocess.run([ctx.sbx, "--help"], capture_output=True, text=True)
    ctx.check(r.returncode == 0, "--help exits 0")
    for code in range(120, 128):
        ctx.check(f"  {code}  " in r.stdout, f"--help documents exit code {code}")
    for flag in ("--trust FILE", "--insecure-dev-unsigned", "--netns", "--join-netns NAME",
                 "--network-enforced-externally", "--dry-run", "--audit-log FILE", "--strict-paths",
                 "--quiet-skipped-paths"):
        ctx.check(flag in r.stdout, f"--help documents {flag}")

    work, _, bundle = standard_bundle(ctx, "options")
    # (The trust options' own usage errors are in trust_checks.test_modes.)
    cases = [
        ("no network mode", ["--bundle", bundle, DEV_FLAG, "--", "true"], "--netns"),
        ("two network modes", ["--bundle", bundle, DEV_FLAG, "--netns", "--network-enforced-externally", "--", "true"],
         "conflicts"),
        ("no bundle", [DEV_FLAG, "--network-enforced-externally", "--", "true"], "--bundle"),
        ("no trust option", ["--bundle", bundle, "--network-enforced-externally", "--", "true"], "--trust FILE"),
        ("no command", ["--bundle", bundle, DEV_FLAG, "--network-enforced-externally"], "command"),
        ("empty command", ["--bundle", bundle, DEV_FLAG, "--network-enforced-externally", "--"], "command"),
        ("unknown option", ["--bundle", bundle, DEV_FLAG, "--network-enforced-externally", "--frobnicate", "--", "true"],
         "unknown option"),
        ("netns name with a slash", ["--bundle", bundle, DEV_FLAG, "--join-netns", "../x", "--", "true"], "--join-netns"),
        ("missing value", ["--bundle"], "needs a value"),
    ]
    for what, argv, needle in cases:
        r = subprocess.run([ctx.sbx, *argv], capture_output=True, text=True)
        ctx.check(r.returncode == EXIT["usage"], f"{what}: exit {r.returncode}, expected 120", r.stderr)
        ctx.check(r.stderr.startswith("sbx-exec: error: ") and needle in r.stderr and r.stderr.count("\n") == 1,
                  f"{what}: one error line mentioning {needle!r}", r.stderr)
    r = subprocess.run([ctx.sbx, "--bundle", bundle, DEV_FLAG, "--", "true"], capture_output=True, text=True)
    for choice in ("--netns", "--join-netns NAME", "--network-enforced-externally"):
        ctx.check(choice in r.stderr, f"the missing-mode error explains {choice}", r.stderr)

    # An audit log that cannot be opened stops the launch: no unaudited runs.
    r = ctx.run(bundle, ["/bin/sh", "-c", f"touch {work}/marker"],
                extra=("--audit-log", os.path.join(work, "no", "such", "dir")))
    ctx.check(r.returncode == EXIT["audit"], f"unwritable audit log: exit {r.returncode}, expected 125", r.stderr)
    ctx.check(not os.path.exists(os.path.join(work, "marker")), "unwritable audit log: the payload ran")

    # A link planted at the audit log's name (a log directory another user may write) is not
    # followed: the root launcher would append text others partly choose to any file.
    victim = os.path.join(work, "victim-rc")
    with open(victim, "w") as f:
        f.write("original\n")
    planted = os.path.join(work, "audit.log")
    os.symlink(victim, planted)
    r = ctx.run(bundle, ["/bin/sh", "-c", f"touch {work}/marker"], extra=("--audit-log", planted))
    ctx.check(open(victim).read() == "original\n", "the audit line was appended through a planted link")
    ctx.check(r.returncode == EXIT["audit"] and "symbolic link" in r.stderr,
              f"an audit log name that is a link refuses the launch (got {r.returncode}, expected 125)", r.stderr)
    ctx.check(not os.path.exists(os.path.join(work, "marker")), "audit log link: the payload ran")
    os.unlink(planted)

    # The payload's own options after "--" are not the launcher's.
    r = ctx.run(bundle, ["/bin/echo", "--help", "--netns"])
    ctx.check(r.returncode == 0 and r.stdout == "--help --netns\n", "arguments after -- reach the payload",
              r.stdout + r.stderr)


def normalize_dry_run(text, bundle, trust=None):
    text = text.replace(bundle, "<BUNDLE>")
    if trust:
        text = text.replace(trust, "<TRUST>")
    # Digests change with every compiler change that touches any artifact; the tamper tests check
    # them, the golden file checks the layout and everything else.
    text = re.sub(r"\b[0-9a-f]{64}\b", "<sha256>", text)
    head, sep, _ = text.partition("this machine:\n")
    return head + sep


def check_golden(ctx, name, actual):
    path = os.path.join(HERE, "golden", name)
    if os.environ.get("POLC_UPDATE_GOLDEN"):
        with open(path, "w") as f:
            f.write(actual)
        print(f"updated {path}")
        return
    expected = open(path).read() if os.path.exists(path) else None
    if expected != actual:
        diff = subprocess.run(["diff", "-u", path if expected is not None else "/dev/null", "-"], input=actual,
                              capture_output=True, text=True).stdout
        ctx.check(False, f"{name} differs from the golden file (POLC_UPDATE_GOLDEN=1 to update)", diff)


def check_machine_section(ctx, text, what):
    _, sep, machine = text.partition("this machine:\n")
    ctx.check(sep != "", f"{what}: has a 'this machine:' section", text)
    for key in ("  architecture: x86_64", "  landlock abi: ", "  seccomp filters: ", "result: "):
        ctx.check(key in machine, f"{what}: machine section has {key.strip()!r}", machine)


def test_dry_run(ctx):
    # A fixture with every layer, at a fixed path so the golden file has no temp names in it.
    bundle = os.path.join(ctx.tmp, "dry", "fixture")
    net = {"abi": 4, "best_effort": True, "handled_access": ["bind_tcp", "connect_tcp"],
           "rules": [{"access": ["connect_tcp"], "ports": [[443, 443], [8000, 8010]]}]}
    scope = {"abi": 6, "best_effort": True, "scoped": ["abstract_unix_socket", "signal"]}
    rules = fixture.system_rules() + [{"path": "/workspace", "access": fixture.FS_ALL_ABI3}]
    fixture.write_bundle(bundle, fixture.landlock_doc(rules, net=net, scope=scope),
                         bpf=fixture.seccomp_program(["uname", "getpriority"]),
                         egress={"format": "polc.egress/1", "proxy": {"address": "127.0.0.1", "port": 3128}})
    marker = os.path.join(ctx.tmp, "dry", "marker")
    log = os.path.join(ctx.tmp, "dry", "audit.log")
    command = ["/bin/sh", "-c", f"touch {marker}"]
    outputs = []
    for _ in range(2):
        r = ctx.run(bundle, command, extra=("--dry-run", "--audit-log", log))
        outputs.append(r.stdout)
        ctx.check(r.returncode == 0 and r.stderr == DEV_WARNING, "dry run exits 0, only the unsigned warning",
                  r.stderr)
    ctx.check(outputs[0] == outputs[1], "dry run output is deterministic")
    ctx.check(not os.path.exists(marker), "dry run did not execute the command")
    ctx.check(not os.path.exists(log) or os.path.getsize(log) == 0, "dry run writes no audit line")
    digest = sha256(open(os.path.join(bundle, "manifest.json"), "rb").read())
    ctx.check(f"sha256 {digest}" in outputs[0], "dry run prints the manifest digest", outputs[0])
    check_machine_section(ctx, outputs[0], "fixture")
    normalized = normalize_dry_run(outputs[0], bundle).replace(marker, "<MARKER>")
    check_golden(ctx, "fixture.dry-run.txt", normalized)

    for mode in (("--netns",), ("--join-netns", "example")):
        r = ctx.run(bundle, ["true"], mode=mode, extra=("--dry-run",))
        ctx.check(r.returncode == 0 and ("network: " + mode[0][2:]) in r.stdout and "  nft: " in r.stdout,
                  f"dry run with {mode[0]}", r.stdout + r.stderr)


def test_dry_run_python_agent(ctx):
    """python_agent signed by two reviewers (keys made now, so their ids are <sha256> in the
    golden file), checked against a trust file asking for both."""
    real, why = built_python_agent(ctx)
    if real is None:
        raise Skip("polc build does not write a complete python_agent bundle yet: " + why.strip()[:300])
    reviewers = [signing.keygen(os.path.join(ctx.tmp, "keys"), name) for name in ("alice", "bob")]
    signing.sign(real, reviewers)
    trust = signing.write_trust(os.path.join(ctx.tmp, "trust.json"), reviewers, 2, {"python_agent": 1})
    r = ctx.run(real, ["/usr/bin/python3.11", "/workspace/task.py"], extra=("--dry-run",), trust=trust)
    ctx.check(r.returncode == 0 and r.stderr == "", "python_agent dry run exits 0 quietly", r.stdout + r.stderr)
    check_machine_section(ctx, r.stdout, "python_agent")
    check_golden(ctx, "python_agent.dry-run.txt", normalize_dry_run(r.stdout, real, os.path.realpath(trust)))


def test_links(ctx):
    r = subprocess.run(["ldd", ctx.sbx], capture_output=True, text=True)
    if r.returncode != 0:
        raise Skip("ldd cannot inspect the binary: " + r.stderr.strip())
    libs = r.stdout
    for lib in ("libz3", "libantlr4", "libseccomp"):
        ctx.check(lib not in libs, f"sbx-exec does not link {lib}", libs)
    ctx.check("libcrypto" in libs, "sbx-exec links libcrypto (SHA-256, Ed25519)", libs)
    # And the binary does not embed them statically either.
    with open(ctx.sbx, "rb") as f:
        data = f.read()
    for needle in (b"Z3_mk_context", b"antlr4::", b"seccomp_init"):
        ctx.check(needle not in data, f"sbx-exec does not contain {needle.decode()}")


def test_docs(ctx):
    """docs/launcher.md documents every exit status --help lists and every audit line key."""
    doc = open(os.path.join(ctx.source, "docs", "launcher.md")).read()
    help_text = subprocess.run([ctx.sbx, "--help"], capture_output=True, text=True).stdout
    for code in re.findall(r"^  (\d{3})  ", help_text, re.M):
        ctx.check(f"\n| {code} |" in doc, f"docs/launcher.md documents exit status {code}")
    r = subprocess.run([ctx.sbx, "--bundle", os.path.join(ctx.tmp, "none"), "--trust", os.path.join(ctx.tmp, "t.json"),
                        "--network-enforced-externally", "--", "true"], capture_output=True, text=True)
    audit = parse_audit(r.stderr.strip().splitlines()[-1]) if r.stderr.strip() else None
    if not ctx.check(audit is not None and r.returncode == EXIT["bundle"], "a refusal writes an audit line",
                     r.stderr):
        return
    section = doc.split("## The audit line", 1)[-1].split("\n## ", 1)[0]
    documented = set()
    for row in re.findall(r"^\| (`[^|]*`) \|", section, re.M):
        documented.update(re.findall(r"`([a-z_0-9]+)`", row))
    ctx.check(documented == set(audit), "the audit key table matches the audit line",
              f"documented only: {sorted(documented - set(audit))}, undocumented: {sorted(set(audit) - documented)}")


RUN_POLICY = """policy run_demo version 1 {{
  targets x86_64
  import std.runtime.glibc
  syscalls {{
    default errno(EPERM)
    allow execve, write, exit_group
  }}
  filesystem {{
    landlock abi >= 3
    read, execute "/usr/bin", "/usr/lib", "/lib", "/lib64"
    read, write "{work}"
  }}
}}
"""


def test_polc_run(ctx):
    """`polc run POLICY [SBX-EXEC OPTION...] -- CMD`: builds into a private temporary directory, runs
    CMD under sbx-exec unsigned (with its warning), passes sbx-exec's exit status through, removes
    the bundle afterwards, and refuses to start anything when the policy has errors or when the
    options are polc run's own to set."""
    work, outside, _ = ctx.dirs("polc_run")
    tmpdir = os.path.join(ctx.tmp, "polc_run", "tmp")
    os.makedirs(tmpdir)
    source = os.path.join(ctx.tmp, "polc_run", "run_demo.sbx")
    with open(source, "w") as f:
        f.write(RUN_POLICY.format(work=work))
    env = dict(os.environ, TMPDIR=tmpdir, POLC_SBX_EXEC=ctx.sbx)

    def run(*argv):
        return subprocess.run([ctx.polc, "run", *argv], capture_output=True, text=True, env=env)

    r = run(source, "--network-enforced-externally", "--", "/usr/bin/echo", "hello from polc run")
    ctx.check(r.returncode == 0 and r.stdout == "hello from polc run\n", f"echo runs: exit {r.returncode}",
              r.stdout + r.stderr)
    ctx.check(DEV_WARNING in r.stderr, "the run is marked as unsigned development use", r.stderr)
    audit = [parse_audit(line) for line in r.stderr.splitlines() if line.startswith("{")]
    ctx.check(any(a and a["trust"]["mode"] == "insecure-dev-unsigned" and a["policy"] == "run_demo" for a in audit),
              "sbx-exec's audit line names the policy and the unsigned mode", r.stderr)
    ctx.check(os.listdir(tmpdir) == [], "the temporary bundle is removed after the run", str(os.listdir(tmpdir)))

    # The payload's status comes through; a refusal is sbx-exec's report.
    r = run(source, "--network-enforced-externally", "--", "/usr/bin/false")
    ctx.check(r.returncode == 1, f"false: exit {r.returncode}, expected 1", r.stderr)
    secret = os.path.join(outside, "secret")
    with open(secret, "w") as f:
        f.write("not for the payload\n")
    r = run(source, "--network-enforced-externally", "--", "/usr/bin/cat", secret)
    ctx.check(r.returncode != 0 and "not for the payload" not in r.stdout, "a path the policy does not grant stays closed",
              r.stdout + r.stderr)
    ctx.check("landlock" in r.stderr, "the refusal is reported by its layer", r.stderr)
    ctx.check(os.listdir(tmpdir) == [], "the temporary bundle is removed after a refused run", str(os.listdir(tmpdir)))

    # A policy with errors runs nothing; polc's own options and sbx-exec's bundle options are refused.
    broken = os.path.join(ctx.tmp, "polc_run", "broken.sbx")
    with open(broken, "w") as f:
        f.write(RUN_POLICY.format(work=work).replace("allow execve", "allow execvee"))
    marker = os.path.join(work, "marker")
    r = run(broken, "--network-enforced-externally", "--", "/usr/bin/touch", marker)
    ctx.check(r.returncode == 1 and "error[" in r.stderr and DEV_WARNING not in r.stderr and not os.path.exists(marker),
              f"a policy with errors: exit {r.returncode}, nothing runs", r.stderr)
    for what, argv in (("--trust", [source, "--trust", "t.json", "--", "/usr/bin/true"]),
                       ("--bundle", [source, "--bundle=x", "--", "/usr/bin/true"]),
                       ("no command", [source, "--network-enforced-externally", "--"]),
                       ("no policy", [])):
        r = run(*argv)
        ctx.check(r.returncode == 2 and r.stderr.startswith("polc run: "), f"{what}: usage error, exit {r.returncode}",
                  r.stderr)
    ctx.check(os.listdir(tmpdir) == [], "no temporary bundle is left behind", str(os.listdir(tmpdir)))
