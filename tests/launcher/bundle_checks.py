"""launcher.tamper and launcher.malformed: a bundle changed after the build (a flipped byte, a
truncated, deleted, added or relinked file, an unlisted file, directory or symlink, a manifest that
no longer matches) and one that was never well-formed (bad landlock.json, seccomp program,
egress.json or manifest.json) are refused with exit 121 before the payload runs; unknown manifest
keys are ignored. These run unsigned (--insecure-dev-unsigned): integrity is checked whatever the
trust mode; trust_checks.py tests signatures.
"""

import json
import os
import re
import shutil

import fixture
from harness import EXIT, marker_command, refused, rules_for, sha256, standard_bundle


def edit(path, transform):
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(transform(data))


def test_tamper(ctx):
    work, _, pristine = standard_bundle(ctx, "tamper")
    r = ctx.run(pristine, marker_command(work))
    if not ctx.check(r.returncode == 0 and os.path.exists(os.path.join(work, "marker")),
                     "the untampered fixture bundle runs its payload", r.stderr):
        return
    os.unlink(os.path.join(work, "marker"))
    artifacts = [a["path"] for a in json.load(open(os.path.join(pristine, "manifest.json")))["artifacts"]]
    ctx.check(sorted(artifacts) == ["landlock.json", "nftables.nft", "seccomp.x86_64.bpf"], "fixture artifacts",
              str(artifacts))

    def variant(label, mutate):
        bundle = os.path.join(ctx.tmp, "tamper", "v", label.replace(" ", "_").replace("/", "_"), "fixture")
        shutil.copytree(pristine, bundle)
        mutate(bundle)
        return bundle

    def flip(offset):
        return lambda data: data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1:]

    cases = []
    # manifest.json: its first and last byte (syntax), and one hex digit of each digest changed to
    # another hex digit (a well-formed manifest that no longer matches the files).
    manifest_text = open(os.path.join(pristine, "manifest.json"), "rb").read()
    size = len(manifest_text)
    for offset in (0, size - 1):
        cases.append((f"manifest.json byte {offset} flipped",
                      lambda b, o=offset: edit(os.path.join(b, "manifest.json"), flip(o))))
    for name in artifacts:
        digest = sha256(open(os.path.join(pristine, name), "rb").read()).encode()
        offset = manifest_text.index(digest) + 17

        def hex_digit_changed(data, o=offset):
            return data[:o] + (b"0" if data[o:o + 1] != b"0" else b"1") + data[o + 1:]
        cases.append((f"manifest.json digest of {name} changed by one digit",
                      lambda b, f=hex_digit_changed: edit(os.path.join(b, "manifest.json"), f)))
    for name in artifacts:
        size = os.path.getsize(os.path.join(pristine, name))
        for offset in sorted({0, size // 2, size - 1}):
            cases.append((f"{name} byte {offset} flipped",
                          lambda b, n=name, o=offset: edit(os.path.join(b, n), flip(o))))
    for name in artifacts:
        cases.append((f"{name} truncated", lambda b, n=name: edit(os.path.join(b, n), lambda d: d[:len(d) // 2])))
        cases.append((f"{name} emptied", lambda b, n=name: edit(os.path.join(b, n), lambda d: b"")))
        cases.append((f"{name} grown", lambda b, n=name: edit(os.path.join(b, n), lambda d: d + b"\n")))
        cases.append((f"{name} deleted", lambda b, n=name: os.unlink(os.path.join(b, n))))
        cases.append((f"{name} replaced by a symlink",
                      lambda b, n=name: (shutil.copy(os.path.join(b, n), os.path.join(b, n + ".real")),
                                         os.unlink(os.path.join(b, n)), os.symlink(n + ".real", os.path.join(b, n)))))

    def manifest_edit(change):
        def mutate(bundle):
            path = os.path.join(bundle, "manifest.json")
            manifest = json.load(open(path))
            change(manifest)
            open(path, "w").write(fixture.canonical(manifest))
        return mutate

    def unlist(name):
        return manifest_edit(lambda m: m.__setitem__("artifacts", [a for a in m["artifacts"] if a["path"] != name]))

    def set_field(name, key, value):
        def change(m):
            for a in m["artifacts"]:
                if a["path"] == name:
                    a[key] = value
        return manifest_edit(change)

    cases += [
        ("manifest deleted", lambda b: os.unlink(os.path.join(b, "manifest.json"))),
        ("manifest digest of landlock.json changed", set_field("landlock.json", "sha256", "0" * 64)),
        ("manifest size of seccomp.x86_64.bpf changed", set_field("seccomp.x86_64.bpf", "size", 8)),
        ("manifest lists a missing file", manifest_edit(lambda m: m["artifacts"].append(
            {"path": "squid.conf", "sha256": "0" * 64, "size": 0}))),
        ("landlock.json not listed", unlist("landlock.json")),
        ("nftables.nft not listed", unlist("nftables.nft")),
        ("seccomp.x86_64.bpf not listed (no program for this arch)", unlist("seccomp.x86_64.bpf")),
        ("unlisted egress.json present", lambda b: open(os.path.join(b, "egress.json"), "w").write(
            json.dumps({"format": "polc.egress/1", "proxy": {"address": "127.0.0.1", "port": 3128}}))),
        ("manifest policy renamed", manifest_edit(lambda m: m["policy"].__setitem__("name", "other"))),
        ("manifest policy version changed", manifest_edit(lambda m: m["policy"].__setitem__("version", 4))),
        ("landlock.json replaced with a consistent digest of another policy", lambda b: (
            edit(os.path.join(b, "landlock.json"),
                 lambda d: d.replace(b'"name": "fixture"', b'"name": "other"')),
            fixture.write_manifest(b))),
    ]
    for label, mutate in cases:
        refused(ctx, label, ctx.run(variant(label, mutate), marker_command(work)), work, EXIT["bundle"])

    # Nothing beside the listed files but signatures.json: an unlisted file, directory or symlink
    # is covered by no digest and no signature, whether the launcher would use it or not.
    unlisted = [
        ("unlisted file", lambda b: open(os.path.join(b, "notes.txt"), "w").write("hello\n")),
        ("unlisted empty directory", lambda b: os.mkdir(os.path.join(b, "extra"))),
        ("unlisted file in an unlisted directory", lambda b: (os.mkdir(os.path.join(b, "sources")),
                                                             open(os.path.join(b, "sources", "x.sbx"), "w").write(""))),
        ("unlisted symlink to a listed file", lambda b: os.symlink("landlock.json", os.path.join(b, "link.json"))),
        ("unlisted dangling symlink", lambda b: os.symlink("/nonexistent", os.path.join(b, "dangling"))),
        ("unlisted fifo", lambda b: os.mkfifo(os.path.join(b, "pipe"))),
    ]
    for label, mutate in unlisted:
        r = ctx.run(variant(label, mutate), marker_command(work))
        refused(ctx, label, r, work, EXIT["bundle"])
        ctx.check("does not list" in r.stderr, f"{label}: the error says the manifest does not list it", r.stderr)

    # With --insecure-dev-unsigned, signatures.json (the one file allowed unlisted) is not read.
    bundle = variant("garbage signatures", lambda b: open(os.path.join(b, "signatures.json"), "w").write("{}"))
    r = ctx.run(bundle, marker_command(work))
    ctx.check(r.returncode == 0 and os.path.exists(os.path.join(work, "marker")),
              "--insecure-dev-unsigned does not look at signatures.json", r.stderr)


def test_malformed(ctx):
    work, _, pristine = standard_bundle(ctx, "malformed")
    good = fixture.landlock_doc(rules_for(work))

    def ll(change):
        doc = json.loads(json.dumps(good))
        change(doc)
        return doc

    def setp(path, value):
        def change(doc):
            target = doc
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        return change

    def delp(path):
        def change(doc):
            target = doc
            for key in path[:-1]:
                target = target[key]
            del target[path[-1]]
        return change

    net = {"abi": 4, "best_effort": True, "handled_access": ["connect_tcp"],
           "rules": [{"access": ["connect_tcp"], "ports": [[443, 443]]}]}
    landlock_cases = [
        ("not JSON", "{\"format\": "),
        ("empty", ""),
        ("binary", b"\x00\xff\xfe\x01" * 10),
        ("an array", "[]"),
        ("deeply nested", "[" * 100000 + "]" * 100000),
        ("wrong format", ll(setp(["format"], "polc.landlock/2"))),
        ("unknown top-level key", ll(setp(["mount"], {"ro": ["/"]}))),
        ("_comment not a string", ll(setp(["_comment"], {"deny": ["/"]}))),
        ("_comment inside a layer", ll(setp(["fs", "_comment"], "x"))),
        ("missing fs key", ll(delp(["fs"]))),
        ("missing min_abi", ll(delp(["min_abi"]))),
        ("min_abi a string", ll(setp(["min_abi"], "3"))),
        ("min_abi negative", ll(setp(["min_abi"], -1))),
        ("min_abi huge", ll(setp(["min_abi"], 2 ** 70))),
        ("unknown fs right", ll(setp(["fs", "handled_access"], fixture.FS_ALL_ABI3 + ["teleport"]))),
        ("unknown right in a rule", ll(setp(["fs", "rules", 0, "access"], ["read_file", "READ_DIR"]))),
        ("rule right not handled", ll(setp(["fs", "handled_access"], ["read_file", "read_dir"]))),
        ("empty handled_access", ll(setp(["fs", "handled_access"], []))),
        ("relative rule path", ll(setp(["fs", "rules", 0, "path"], "usr"))),
        ("empty rule path", ll(setp(["fs", "rules", 0, "path"], ""))),
        ("rule path a number", ll(setp(["fs", "rules", 0, "path"], 5))),
        ("unknown rule key", ll(setp(["fs", "rules", 0, "except"], "/usr/bin"))),
        ("rules not a list", ll(setp(["fs", "rules"], {"/usr": ["read_file"]}))),
        ("ioctl_dev with min_abi 3", ll(setp(["fs", "handled_access"], fixture.FS_ALL_ABI3 + ["ioctl_dev"]))),
        ("truncate with min_abi 2", ll(setp(["min_abi"], 2))),
        ("net abi 3", ll(setp(["net"], dict(net, abi=3)))),
        ("net best_effort not a bool", ll(setp(["net"], dict(net, best_effort="yes")))),
        ("net unknown right", ll(setp(["net"], dict(net, handled_access=["connect_udp"])))),
        ("net port out of range", ll(setp(["net"], dict(net, rules=[{"access": ["connect_tcp"], "ports": [[1, 65536]]}])))),
        ("net port range reversed", ll(setp(["net"], dict(net, rules=[{"access": ["connect_tcp"], "ports": [[444, 443]]}])))),
        ("net port not a pair", ll(setp(["net"], dict(net, rules=[{"access": ["connect_tcp"], "ports": [443]}])))),
        ("net rule right not handled", ll(setp(["net"], dict(net, rules=[{"access": ["bind_tcp"], "ports": [[1, 1]]}])))),
        ("scope unknown name", ll(setp(["scope"], {"abi": 6, "best_effort": True, "scoped": ["ptrace"]}))),
        ("scope abi 5", ll(setp(["scope"], {"abi": 5, "best_effort": True, "scoped": ["signal"]}))),
        ("scope missing best_effort", ll(setp(["scope"], {"abi": 6, "scoped": ["signal"]}))),
        ("policy mismatch", ll(setp(["policy", "version"], 2))),
        # nlohmann keeps the last of two keys: a reviewer reading the first would not see the
        # layer applied, so a key written twice is malformed, as in every document polc reads.
        ("a key written twice", json.dumps(good)[:-1] + ', "fs": null}'),
        ("a number no double holds", json.dumps(good)[:-1] + ', "_comment": 1e400}'),
    ]

    def with_file(label, name, content):
        bundle = os.path.join(ctx.tmp, "malformed", "v", re.sub(r"\W+", "_", label), "fixture")
        shutil.copytree(pristine, bundle)
        if content is None:
            os.unlink(os.path.join(bundle, name))
        else:
            data = content if isinstance(content, bytes) else (
                content if isinstance(content, str) else json.dumps(content)).encode()
            with open(os.path.join(bundle, name), "wb") as f:
                f.write(data)
        fixture.write_manifest(bundle)
        return bundle

    for label, content in landlock_cases:
        bundle = with_file(label, "landlock.json", content)
        refused(ctx, f"landlock.json {label}", ctx.run(bundle, marker_command(work)), work, EXIT["bundle"])

    other_cases = [
        ("seccomp program not a multiple of 8 bytes", "seccomp.x86_64.bpf", fixture.seccomp_program() + b"\x00"),
        ("seccomp program empty", "seccomp.x86_64.bpf", b""),
        ("seccomp program over 4096 instructions", "seccomp.x86_64.bpf",
         fixture.insn(fixture.BPF_RET_K, 0, 0, fixture.RET_ALLOW) * 4097),
        ("egress.json not JSON", "egress.json", "proxy: 127.0.0.1"),
        ("egress.json wrong format", "egress.json", {"format": "polc.egress/9", "proxy": None}),
        ("egress.json port out of range", "egress.json",
         {"format": "polc.egress/1", "proxy": {"address": "127.0.0.1", "port": 70000}}),
        ("egress.json address with URL characters", "egress.json",
         {"format": "polc.egress/1", "proxy": {"address": "evil@127.0.0.1/x", "port": 3128}}),
        ("egress.json with a key written twice", "egress.json",
         '{"format": "polc.egress/1", "proxy": null, "proxy": {"address": "127.0.0.1", "port": 3128}}'),
    ]
    for label, name, content in other_cases:
        bundle = with_file(label, name, content)
        refused(ctx, label, ctx.run(bundle, marker_command(work)), work, EXIT["bundle"])

    def manifest_case(label, content):
        bundle = os.path.join(ctx.tmp, "malformed", "m", re.sub(r"\W+", "_", label), "fixture")
        shutil.copytree(pristine, bundle)
        data = content if isinstance(content, (bytes, str)) else fixture.canonical(content)
        with open(os.path.join(bundle, "manifest.json"), "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        return bundle

    manifest = json.load(open(os.path.join(pristine, "manifest.json")))

    def m(change):
        doc = json.loads(json.dumps(manifest))
        change(doc)
        return doc

    manifest_cases = [
        ("not JSON", "{\"artifacts\":"),
        ("empty", ""),
        ("an array", "[]"),
        ("deeply nested", "{\"a\":" * 50000 + "1" + "}" * 50000),
        ("unknown format", m(lambda d: d.__setitem__("format", "polc.bundle/2"))),
        ("no artifacts", m(lambda d: d.pop("artifacts"))),
        ("artifacts not a list", m(lambda d: d.__setitem__("artifacts", {}))),
        ("artifact path escapes", m(lambda d: d["artifacts"].append({"path": "../bundle/fixture/landlock.json",
                                                                        "sha256": d["artifacts"][0]["sha256"],
                                                                        "size": d["artifacts"][0]["size"]}))),
        ("absolute artifact path", m(lambda d: d["artifacts"].append({"path": "/etc/hostname", "sha256": "0" * 64,
                                                                      "size": 1}))),
        ("duplicate artifact", m(lambda d: d["artifacts"].append(dict(d["artifacts"][0])))),
        ("uppercase digest", m(lambda d: d["artifacts"][0].__setitem__("sha256", d["artifacts"][0]["sha256"].upper()))),
        ("short digest", m(lambda d: d["artifacts"][0].__setitem__("sha256", "abc"))),
        ("negative size", m(lambda d: d["artifacts"][0].__setitem__("size", -1))),
        ("size a string", m(lambda d: d["artifacts"][0].__setitem__("size", "10"))),
        ("policy missing", m(lambda d: d.pop("policy"))),
        ("version a string", m(lambda d: d["policy"].__setitem__("version", "3"))),
        ("manifest lists itself", m(lambda d: d["artifacts"].append({"path": "manifest.json", "sha256": "0" * 64,
                                                                     "size": 0}))),
    ]
    for label, content in manifest_cases:
        refused(ctx, f"manifest {label}", ctx.run(manifest_case(label, content), marker_command(work)), work,
                EXIT["bundle"])

    # The generated-file notice polc puts in its JSON artifacts is accepted in landlock.json.
    bundle = with_file("landlock comment", "landlock.json",
                       ll(setp(["_comment"], "landlock.json of policy fixture, generated by polc.")))
    r = ctx.run(bundle, marker_command(work))
    ctx.check(r.returncode == 0 and os.path.exists(os.path.join(work, "marker")),
              "a top-level _comment string in landlock.json is accepted", r.stderr)
    if os.path.exists(os.path.join(work, "marker")):
        os.unlink(os.path.join(work, "marker"))

    # Unknown manifest keys are ignored (later formats add signatures); the bundle still runs.
    bundle = manifest_case("unknown keys", m(lambda d: d.update({"signatures": [], "zz": {"a": 1}})))
    r = ctx.run(bundle, marker_command(work))
    ctx.check(r.returncode == 0 and os.path.exists(os.path.join(work, "marker")),
              "unknown manifest keys are ignored", r.stderr)
