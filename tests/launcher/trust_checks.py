"""Signatures and trust files in sbx-exec (--trust FILE, --insecure-dev-unsigned):

launcher.trust_threshold    2 of 3 trusted keys with threshold 2 launches under real enforcement;
                            threshold 3 is refused before anything is applied
launcher.trust_tamper       unsigned, a byte flipped after signing, a manifest rewritten after
                            signing, a forged or duplicated signature, a file added after signing
launcher.trust_expiry       expired and not yet expired bundles, rollback below min_version, a
                            policy the trust file does not name
launcher.trust_unknown_key  signatures by keys the trust file does not list
launcher.trust_file         malformed, unreadable and unsafe trust files
launcher.trust_modes        no trust option (120), both (120), the development flag (runs, warns,
                            audited as unchecked), --dry-run's trust section
launcher.trust_polc_sign    a bundle signed by `polc keygen` and `polc sign` is what sbx-exec accepts

Keys are made at test time with the openssl command line (signing.py), in the test's temp dir.
"""

import json
import os
import shutil
import subprocess

import fixture
import signing
from harness import (DEV_FLAG, DEV_WARNING, EXIT, Skip, built_python_agent, kernel_landlock_abi, launch_lines, marker_command,
                     parse_audit, refused, sha256, standard_bundle)


def keys(ctx, *names):
    directory = os.path.join(ctx.tmp, "keys")
    return [signing.keygen(directory, name) for name in names]


def audit_lines(log):
    lines = launch_lines(open(log).read().splitlines()) if os.path.exists(log) else []
    return [parse_audit(line) for line in lines]


def last_audit(result):
    lines = launch_lines(result.stderr.strip().splitlines())
    return parse_audit(lines[-1]) if lines else None


def trust_refused(ctx, what, result, work, needle):
    """A trust refusal: exit 121, the payload did not run, one error line with `needle`, and an
    audit line whose trust decision is "refused" and which shows nothing was applied."""
    refused(ctx, what, result, work, EXIT["bundle"])
    ctx.check(needle in result.stderr, f"{what}: the error says {needle!r}", result.stderr)
    audit = last_audit(result)
    if ctx.check(audit is not None and "trust" in audit, f"{what}: audit line with a trust decision", result.stderr):
        ctx.check(audit["trust"]["decision"] == "refused" and audit["trust"]["mode"] == "trust-file",
                  f"{what}: the audit line says the trust check refused", str(audit["trust"]))
        ctx.check(audit["layers"] == [] and audit["seccomp"] is None and audit["landlock_abi_kernel"] is None,
                  f"{what}: nothing was applied or even planned", str(audit))


def signed_bundle(ctx, name, signers, **kw):
    work, outside, bundle = standard_bundle(ctx, name, **kw)
    signing.sign(bundle, signers)
    return work, outside, bundle


def copy_of(ctx, pristine, label):
    bundle = os.path.join(ctx.tmp, "variants", label.replace(" ", "_").replace("/", "_"), "fixture")
    shutil.copytree(pristine, bundle)
    return bundle


def rewrite_manifest(bundle, change):
    path = os.path.join(bundle, "manifest.json")
    manifest = json.load(open(path))
    change(manifest)
    with open(path, "w") as f:
        f.write(fixture.canonical(manifest))


def can_use_netns():
    return (os.geteuid() == 0 and shutil.which("ip") is not None and
            any(os.access(p, os.X_OK) for p in ("/usr/sbin/nft", "/sbin/nft")))


def test_threshold(ctx):
    abi = kernel_landlock_abi(ctx)
    if abi < 3:
        raise Skip(f"needs Landlock ABI 3 or later (this kernel: {abi})")
    alice, bob, carol = keys(ctx, "alice", "bob", "carol")
    work, outside, bundle = signed_bundle(ctx, "threshold", [alice, bob])
    trust2 = signing.write_trust(os.path.join(ctx.tmp, "trust2.json"), [alice, bob, carol], 2)
    trust3 = signing.write_trust(os.path.join(ctx.tmp, "trust3.json"), [alice, bob, carol], 3)
    log = os.path.join(ctx.tmp, "threshold", "audit.log")

    # Two of three trusted keys, threshold 2: the payload runs, confined.
    r = ctx.run(bundle, ["true"], trust=trust2, extra=("--audit-log", log))
    ctx.check(r.returncode == 0 and r.stderr == "", "2 of 3 signatures, threshold 2: `true` runs, quietly", r.stderr)
    r = ctx.run(bundle, ["/bin/sh", "-c", f"echo x > {outside}/escape.txt"], trust=trust2, extra=("--audit-log", log))
    ctx.check(r.returncode != 0 and not os.path.exists(os.path.join(outside, "escape.txt")),
              "the signed bundle is enforced: a write outside the granted dirs is refused", r.stderr)
    r = ctx.run(bundle, ["/bin/sh", "-c", f"echo x > {work}/inside.txt"], trust=trust2, extra=("--audit-log", log))
    ctx.check(r.returncode == 0 and os.path.exists(os.path.join(work, "inside.txt")),
              "a write inside the granted dir works", r.stderr)
    audits = audit_lines(log)
    if ctx.check(len(audits) == 3 and all(a is not None for a in audits), "one audit line per run", str(audits)):
        trust = audits[0]["trust"]
        ctx.check(audits[0]["result"] == "exec", "audit result exec", str(audits[0]))
        ctx.check(trust == {"mode": "trust-file", "file": os.path.realpath(trust2),
                            "sha256": sha256(open(trust2, "rb").read()), "threshold": 2, "min_version": 0,
                            "signers": [{"key_id": alice.id, "name": "alice"}, {"key_id": bob.id, "name": "bob"}],
                            "decision": "accepted"},
                  "the audit line names the trust file, its digest, the threshold and the valid signers", str(trust))

    # Threshold 3: refused before anything is applied. The payload would have made the marker.
    r = ctx.run(bundle, marker_command(work), trust=trust3)
    trust_refused(ctx, "2 of 3 signatures, threshold 3", r, work, "2 of the 3 distinct trusted signatures needed")
    ctx.check("carol" in r.stderr, "the refusal names who has not signed", r.stderr)
    audit = last_audit(r)
    if audit:
        ctx.check(audit["trust"]["threshold"] == 3 and
                  [s["name"] for s in audit["trust"]["signers"]] == ["alice", "bob"],
                  "the refusal's audit line has the threshold and the signers that did verify", str(audit["trust"]))

    # With --join-netns, nftables.nft would be the first thing applied: a refused launch leaves
    # the namespace without the policy's table; an accepted one loads it.
    if can_use_netns():
        ns = f"sbxtest-trust-{os.getpid()}"
        subprocess.run(["ip", "netns", "add", ns], check=True)
        try:
            def tables():
                return subprocess.run(["ip", "netns", "exec", ns, "nft", "list", "tables"], capture_output=True,
                                      text=True).stdout
            r = ctx.run(bundle, marker_command(work), mode=("--join-netns", ns), trust=trust3)
            refused(ctx, "threshold 3 with --join-netns", r, work, EXIT["bundle"])
            ctx.check("sbx_fixture" not in tables(), "a refused launch applies no nftables rules", tables())
            r = ctx.run(bundle, ["true"], mode=("--join-netns", ns), trust=trust2)
            ctx.check(r.returncode == 0 and "sbx_fixture" in tables(), "control: an accepted launch loads them",
                      r.stderr + tables())
        finally:
            subprocess.run(["ip", "netns", "delete", ns], check=False)
    else:
        print("note: not root or no nft/ip: the --join-netns part is skipped")

    # --dry-run shows the decision; a refused one exits 121 with no report.
    r = ctx.run(bundle, ["true"], trust=trust2, extra=("--dry-run",))
    ctx.check(r.returncode == 0 and f"trust: accepted by {os.path.realpath(trust2)}" in r.stdout and
              "  threshold: 2 of the trusted keys; valid signatures by 2" in r.stdout and
              f"  signed by: alice {alice.id}" in r.stdout and f"  signed by: bob {bob.id}" in r.stdout,
              "dry run shows the trust decision and the signers", r.stdout + r.stderr)
    r = ctx.run(bundle, marker_command(work), trust=trust3, extra=("--dry-run",))
    ctx.check(r.returncode == EXIT["bundle"] and r.stdout == "" and "not trusted" in r.stderr,
              "dry run of a refused bundle exits 121 with the reason and no report", r.stdout + r.stderr)
    ctx.check(not os.path.exists(os.path.join(work, "marker")), "the dry run ran nothing")


def test_tamper(ctx):
    alice, bob = keys(ctx, "alice", "bob")
    work, _, pristine = signed_bundle(ctx, "tamper", [alice, bob])
    trust = signing.write_trust(os.path.join(ctx.tmp, "trust.json"), [alice, bob], 2)
    r = ctx.run(pristine, marker_command(work), trust=trust)
    if not ctx.check(r.returncode == 0 and os.path.exists(os.path.join(work, "marker")),
                     "control: the signed bundle runs", r.stderr):
        return
    os.unlink(os.path.join(work, "marker"))

    def flip_byte(name, offset):
        def mutate(b):
            path = os.path.join(b, name)
            data = bytearray(open(path, "rb").read())
            data[offset % len(data)] ^= 0x01
            open(path, "wb").write(bytes(data))
        return mutate

    def resign_signatures_json_only(b):
        # An attacker cannot sign, but signatures.json is not itself signed: point it at the new
        # manifest so that the signatures themselves are what fails.
        sig = json.load(open(os.path.join(b, "signatures.json")))
        signing.write_signatures(b, sig["signatures"])

    def version_changed(b):
        rewrite_manifest(b, lambda m: m["policy"].__setitem__("version", 4))

    def duplicate_alice(b):
        manifest = open(os.path.join(b, "manifest.json"), "rb").read()
        entry = signing.signature_entry(alice, manifest)
        signing.write_signatures(b, [entry, dict(entry)], manifest)

    def forged_bob(b):
        sig = json.load(open(os.path.join(b, "signatures.json")))
        for e in sig["signatures"]:
            if e["key_id"] == bob.id:
                e["signature"] = e["signature"][:10] + ("A" if e["signature"][10] != "A" else "B") + e["signature"][11:]
        signing.write_signatures(b, sig["signatures"])

    def alice_signs_other_manifest(b):
        # A valid signature by alice, but over another manifest (here: the one of version 4).
        manifest = open(os.path.join(b, "manifest.json"), "rb").read()
        other = manifest.replace(b'"version":3', b'"version":4')
        entries = [signing.signature_entry(alice, other), signing.signature_entry(bob, manifest)]
        signing.write_signatures(b, entries, manifest)

    cases = [
        ("unsigned (no signatures.json)", lambda b: os.unlink(os.path.join(b, "signatures.json")),
         "the bundle has no signatures.json"),
        ("empty signature list", lambda b: signing.write_signatures(b, []), "0 of the 2"),
        ("landlock.json byte flipped after signing", flip_byte("landlock.json", 40), "does not match its SHA-256"),
        ("seccomp program byte flipped after signing", flip_byte("seccomp.x86_64.bpf", 3), "does not match its SHA-256"),
        ("nftables.nft byte flipped after signing", flip_byte("nftables.nft", 7), "does not match its SHA-256"),
        ("landlock.json changed and the manifest's digests fixed up", lambda b: (
            flip_byte("landlock.json", 40)(b), fixture.write_manifest(b)), "made for another manifest"),
        ("manifest version changed after signing", version_changed, "made for another manifest"),
        ("manifest version changed, signatures.json pointed at it",
         lambda b: (version_changed(b), resign_signatures_json_only(b)), "does not verify over manifest.json"),
        ("one signature forged", forged_bob, "does not verify over manifest.json"),
        ("one signature over another manifest", alice_signs_other_manifest, "does not verify over manifest.json"),
        ("one key's signature listed twice", duplicate_alice, "1 of the 2 distinct trusted signatures"),
        ("signatures.json not JSON", lambda b: open(os.path.join(b, "signatures.json"), "w").write("{"),
         "signatures.json"),
        ("file added after signing", lambda b: open(os.path.join(b, "egress.json"), "w").write("{}"),
         "does not list"),
        ("symlink added after signing", lambda b: os.symlink("/etc/passwd", os.path.join(b, "passwd")),
         "does not list"),
    ]
    for label, mutate, needle in cases:
        bundle = copy_of(ctx, pristine, label)
        mutate(bundle)
        r = ctx.run(bundle, marker_command(work), trust=trust)
        refused(ctx, label, r, work, EXIT["bundle"])
        ctx.check(needle in r.stderr, f"{label}: the error says {needle!r}", r.stderr)


def test_expiry(ctx):
    alice, = keys(ctx, "alice")
    work, _, pristine = standard_bundle(ctx, "expiry")
    trust = signing.write_trust(os.path.join(ctx.tmp, "trust.json"), [alice], 1)

    def expiring(label, when):
        bundle = copy_of(ctx, pristine, label)
        rewrite_manifest(bundle, lambda m: m.__setitem__("expires", when))
        signing.sign(bundle, [alice])  # openssl signs what `polc sign` would refuse to
        return bundle

    r = ctx.run(expiring("expired", "2020-01-01T00:00:00Z"), marker_command(work), trust=trust)
    trust_refused(ctx, "expired bundle", r, work, "the bundle expired at 2020-01-01T00:00:00Z")
    future = expiring("future", "2099-12-31T00:00:00Z")
    r = ctx.run(future, marker_command(work), trust=trust)
    ctx.check(r.returncode == 0 and os.path.exists(os.path.join(work, "marker")),
              "a bundle that expires in 2099 runs", r.stderr)
    if os.path.exists(os.path.join(work, "marker")):
        os.unlink(os.path.join(work, "marker"))
    r = ctx.run(future, ["true"], trust=trust, extra=("--dry-run",))
    ctx.check("expires: 2099-12-31T00:00:00Z\n" in r.stdout, "dry run shows the expiry", r.stdout + r.stderr)
    r = ctx.run(expiring("not canonical", "2020-01-01"), marker_command(work), trust=trust)
    refused(ctx, "expires not in canonical form", r, work, EXIT["bundle"])

    signed = copy_of(ctx, pristine, "signed")
    signing.sign(signed, [alice])
    for label, policies, needle in [
            ("rollback: min_version 4 > version 3", {"fixture": 4}, "a rollback"),
            ("policy not named by the trust file", {"other": 0}, 'does not name policy "fixture"'),
    ]:
        t = signing.write_trust(os.path.join(ctx.tmp, label.split(":")[0].replace(" ", "_") + ".json"), [alice], 1,
                                policies)
        r = ctx.run(signed, marker_command(work), trust=t)
        trust_refused(ctx, label, r, work, needle)
        if label.startswith("rollback"):
            audit = last_audit(r)
            ctx.check(audit is not None and audit["trust"]["min_version"] == 4,
                      "the audit line has the trust file's min_version", str(audit and audit["trust"]))
    t = signing.write_trust(os.path.join(ctx.tmp, "min3.json"), [alice], 1, {"fixture": 3})
    r = ctx.run(signed, ["true"], trust=t)
    ctx.check(r.returncode == 0, "min_version equal to the bundle's version is accepted", r.stderr)


def test_unknown_key(ctx):
    alice, bob, mallory = keys(ctx, "alice", "bob", "mallory")
    trust = signing.write_trust(os.path.join(ctx.tmp, "trust.json"), [alice, bob], 1)
    work, _, bundle = signed_bundle(ctx, "unknown", [mallory])
    r = ctx.run(bundle, marker_command(work), trust=trust)
    trust_refused(ctx, "signed only by an unknown key", r, work, f"key {mallory.id[:16]}")
    ctx.check("does not list" in r.stderr and "0 of the 1" in r.stderr,
              "the refusal says the key is not in the trust file, and that no trusted key signed", r.stderr)
    # Every signature must be by a listed key (compiler/bundle/trust.h): a trusted signature next
    # to an unknown one does not make up for it.
    signing.sign(bundle, [alice, mallory])
    r = ctx.run(bundle, marker_command(work), trust=trust)
    trust_refused(ctx, "a trusted and an unknown signature", r, work, "does not list")
    # The same key under another name in the trust file is still the same key: its id decides.
    signing.sign(bundle, [alice])
    renamed = signing.Key("someone-else", alice.pem, alice.raw)
    t = signing.write_trust(os.path.join(ctx.tmp, "renamed.json"), [renamed], 1)
    r = ctx.run(bundle, ["true"], trust=t)
    ctx.check(r.returncode == 0, "the key id, not the name, identifies a signer", r.stderr)


def test_trust_file(ctx):
    alice, bob = keys(ctx, "alice", "bob")
    work, _, bundle = signed_bundle(ctx, "trustfile", [alice])
    good = {"format": "polc.trust/1", "threshold": 1, "keys": [alice.entry(), bob.entry()],
            "policies": {"fixture": {"min_version": 0}}}
    good_path = os.path.join(ctx.tmp, "good.json")
    open(good_path, "w").write(json.dumps(good))
    r = ctx.run(bundle, ["true"], trust=good_path)
    if not ctx.check(r.returncode == 0, "control: the good trust file accepts the bundle", r.stderr):
        return

    def variant(change):
        doc = json.loads(json.dumps(good))
        change(doc)
        return json.dumps(doc)

    wrong_id = dict(bob.entry(), id=alice.id)
    cases = [
        ("not JSON", "{\"format\":"),
        ("empty", ""),
        ("an array", "[]"),
        ("wrong format", variant(lambda d: d.__setitem__("format", "polc.trust/2"))),
        ("misspelt key", variant(lambda d: d.__setitem__("treshold", 2))),
        ("threshold 0", variant(lambda d: d.__setitem__("threshold", 0))),
        ("threshold above the number of keys", variant(lambda d: d.__setitem__("threshold", 3))),
        ("threshold a string", variant(lambda d: d.__setitem__("threshold", "1"))),
        ("no keys", variant(lambda d: d.__setitem__("keys", []))),
        ("key id not its public key's", variant(lambda d: d["keys"].__setitem__(1, wrong_id))),
        ("public key not base64", variant(lambda d: d["keys"][0].__setitem__("public_key", "not base64!"))),
        ("public key of 31 bytes", variant(lambda d: d["keys"][0].__setitem__(
            "public_key", __import__("base64").b64encode(alice.raw[:31]).decode()))),
        ("same key twice", variant(lambda d: d["keys"].append(alice.entry()))),
        ("no policies", variant(lambda d: d.pop("policies"))),
        ("min_version negative", variant(lambda d: d["policies"]["fixture"].__setitem__("min_version", -1))),
        ("unknown key in a policy", variant(lambda d: d["policies"]["fixture"].__setitem__("max_version", 9))),
    ]
    for label, text in cases:
        path = os.path.join(ctx.tmp, "trust-" + label.replace(" ", "_") + ".json")
        open(path, "w").write(text)
        r = ctx.run(bundle, marker_command(work), trust=path)
        trust_refused(ctx, f"trust file {label}", r, work, "is invalid")

    unsafe = []
    missing = os.path.join(ctx.tmp, "no-such-trust.json")
    unsafe.append(("missing", missing, "cannot open"))
    unsafe.append(("a directory", ctx.tmp, "not a regular file"))
    for mode in (0o666, 0o664, 0o646):
        path = os.path.join(ctx.tmp, f"mode-{mode:o}.json")
        shutil.copy(good_path, path)
        os.chmod(path, mode)
        unsafe.append((f"mode {mode:o}", path, "writable by its group or by others"))
    if os.geteuid() == 0:
        path = os.path.join(ctx.tmp, "owned-by-nobody.json")
        shutil.copy(good_path, path)
        os.chown(path, 65534, 65534)
        unsafe.append(("owned by another user", path, "neither root nor the caller"))
    for label, path, needle in unsafe:
        r = ctx.run(bundle, marker_command(work), trust=path)
        trust_refused(ctx, f"trust file {label}", r, work, needle)
    r = ctx.run(bundle, marker_command(work), trust=missing)
    audit = last_audit(r)
    ctx.check(audit is not None and audit["trust"]["file"] == missing and audit["trust"]["sha256"] is None,
              "a trust file that cannot be read is named in the audit line, without a digest", str(audit))


def test_modes(ctx):
    alice, = keys(ctx, "alice")
    work, _, bundle = signed_bundle(ctx, "modes", [alice])
    trust = signing.write_trust(os.path.join(ctx.tmp, "trust.json"), [alice], 1)
    log = os.path.join(ctx.tmp, "modes", "audit.log")
    base = [ctx.sbx, "--bundle", bundle, "--network-enforced-externally", "--audit-log", log]
    usage_cases = [
        ("no trust option", [], ["--trust FILE", "--insecure-dev-unsigned"]),
        ("--trust and the development flag", ["--trust", trust, DEV_FLAG], ["exclude each other"]),
        ("--trust twice", ["--trust", trust, "--trust", trust], ["--trust given twice"]),
        ("--trust= empty", ["--trust="], ["--trust needs a trust file"]),
        ("--trust without a value", ["--trust"], ["needs a value"]),
    ]
    for label, args, needles in usage_cases:
        argv = base + args + (["--", *marker_command(work)] if args != ["--trust"] else [])
        r = subprocess.run(argv, capture_output=True, text=True)
        ctx.check(r.returncode == EXIT["usage"], f"{label}: exit {r.returncode}, expected 120", r.stderr)
        ctx.check(r.stderr.startswith("sbx-exec: error: ") and r.stderr.count("\n") == 1 and
                  all(n in r.stderr for n in needles), f"{label}: one error line with {needles}", r.stderr)
        ctx.check(not os.path.exists(os.path.join(work, "marker")), f"{label}: the payload ran")
    ctx.check(not os.path.exists(log) or os.path.getsize(log) == 0, "usage errors write no audit line")

    # The development flag: runs unsigned bundles (and signed ones, unchecked), warns every time.
    unsigned = copy_of(ctx, bundle, "unsigned")
    os.unlink(os.path.join(unsigned, "signatures.json"))
    for label, b in (("unsigned", unsigned), ("signed", bundle)):
        r = ctx.run(b, marker_command(work), extra=("--audit-log", log))
        ctx.check(r.returncode == 0 and os.path.exists(os.path.join(work, "marker")),
                  f"--insecure-dev-unsigned runs the {label} bundle", r.stderr)
        ctx.check(r.stderr == DEV_WARNING, f"--insecure-dev-unsigned warns on stderr ({label})", repr(r.stderr))
        if os.path.exists(os.path.join(work, "marker")):
            os.unlink(os.path.join(work, "marker"))
    audits = audit_lines(log)
    ctx.check(len(audits) == 2 and all(a and a["trust"] == {
        "mode": "insecure-dev-unsigned", "file": None, "sha256": None, "threshold": None, "min_version": None,
        "signers": [], "decision": "unchecked"} for a in audits),
        "the audit line records that nothing was checked", str(audits))
    r = ctx.run(unsigned, ["true"], extra=("--dry-run",))
    ctx.check(r.returncode == 0 and r.stderr == DEV_WARNING and
              "trust: NONE (--insecure-dev-unsigned): the bundle's signatures are not checked\n" in r.stdout,
              "the dry run warns too and says the signatures are not checked", r.stdout + r.stderr)
    # A refusal in development mode still warns, and records the mode.
    broken = copy_of(ctx, unsigned, "broken")
    os.unlink(os.path.join(broken, "nftables.nft"))
    r = ctx.run(broken, marker_command(work))
    refused(ctx, "development mode, broken bundle", r, work, EXIT["bundle"])
    audit = last_audit(r)
    ctx.check(r.stderr.startswith(DEV_WARNING) and audit is not None and
              audit["trust"]["mode"] == "insecure-dev-unsigned", "the refusal warns and records the mode", r.stderr)

    # And the signed bundle with --trust, for comparison: no warning.
    r = ctx.run(bundle, ["true"], trust=trust)
    ctx.check(r.returncode == 0 and "WARNING" not in r.stderr, "--trust prints no warning", r.stderr)


def test_polc_sign(ctx):
    """Interoperability: `polc keygen` keys, `polc sign` signatures and `polc verify`'s verdict on
    the python_agent bundle are what sbx-exec accepts (and refuses)."""
    polc = ctx.polc
    helps = subprocess.run([polc, "help"], capture_output=True, text=True).stdout
    if "keygen" not in helps or "sign" not in helps:
        raise Skip("this polc has no keygen/sign")
    real, why = built_python_agent(ctx)
    if real is None:
        raise Skip("polc build does not write a complete python_agent bundle: " + why.strip()[:300])
    kdir = os.path.join(ctx.tmp, "polc-keys")
    os.makedirs(kdir)
    entries = []
    for name in ("alice", "bob"):
        r = subprocess.run([polc, "keygen", "--out", os.path.join(kdir, name)], capture_output=True, text=True)
        if not ctx.check(r.returncode == 0, f"polc keygen {name}", r.stderr):
            return
        entries.append(json.loads(r.stdout))
    trust = os.path.join(ctx.tmp, "polc-trust.json")
    with open(trust, "w") as f:
        json.dump({"format": "polc.trust/1", "threshold": 2, "keys": entries,
                   "policies": {"python_agent": {"min_version": 1}}}, f)
    command = ["/usr/bin/python3", "-c", "print('hello')"]
    r = ctx.run(real, command, trust=trust)
    ctx.check(r.returncode == EXIT["bundle"] and "hello" not in r.stdout, "unsigned python_agent is refused",
              r.stdout + r.stderr)
    subprocess.run([polc, "sign", real, "--key", os.path.join(kdir, "alice.key")], capture_output=True, check=True)
    r = ctx.run(real, command, trust=trust)
    ctx.check(r.returncode == EXIT["bundle"] and "1 of the 2" in r.stderr, "one polc signature of two is refused",
              r.stderr)
    subprocess.run([polc, "sign", real, "--key", os.path.join(kdir, "bob.key")], capture_output=True, check=True)
    v = subprocess.run([polc, "verify", real, "--trust", trust], capture_output=True, text=True)
    r = ctx.run(real, command, trust=trust)
    ctx.check(r.returncode == 0 and r.stdout == "hello\n", "signed by both with polc sign: sbx-exec runs it",
              r.stdout + r.stderr)
    ctx.check(v.returncode == 0, "polc verify accepts what sbx-exec accepts", v.stdout + v.stderr)
    audit = last_audit(r)
    ctx.check(audit is not None and sorted(s["name"] for s in audit["trust"]["signers"]) == ["alice", "bob"],
              "the audit line names polc keygen's key names", str(audit))
