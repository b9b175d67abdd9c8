"""Fixture bundles for the sbx-exec tests.

Writes the files a polc bundle has (landlock.json, seccomp.x86_64.bpf, nftables.nft, optionally
egress.json) and a canonical manifest.json with correct sizes and SHA-256 digests, so the tests can
exercise the launcher independently of what `polc build` produces at the moment, and then edit one
file and fix the manifest up again (or not) to test each refusal on its own.
"""

import hashlib
import json
import os
import struct

POLICY = {"name": "fixture", "version": 3}

# Landlock rights of ABI 1..3 (ABI 3 adds truncate), as landlock.json names them.
FS_ALL_ABI3 = ["execute", "write_file", "read_file", "read_dir", "remove_dir", "remove_file",
               "make_char", "make_dir", "make_reg", "make_sock", "make_fifo", "make_block",
               "make_sym", "refer", "truncate"]
READ_EXEC = ["execute", "read_file", "read_dir"]
READ = ["read_file", "read_dir"]

# seccomp: struct sock_filter encoding and the constants the fixture programs use.
BPF_LD_W_ABS = 0x20
BPF_JEQ_K = 0x15
BPF_JGE_K = 0x35
BPF_RET_K = 0x06
AUDIT_ARCH_X86_64 = 0xC000003E
RET_ALLOW = 0x7FFF0000
RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000
EPERM = 1
NR = {"uname": 63, "getpriority": 140}


def canonical(obj):
    """The manifest's canonical JSON: sorted keys, no whitespace, no trailing newline."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def insn(code, jt, jf, k):
    return struct.pack("<HBBI", code, jt, jf, k)


def seccomp_program(errno_syscalls=()):
    """An x86_64 program: other arches and the x32 range are killed, the listed syscalls fail
    with EPERM, everything else is allowed."""
    prog = [insn(BPF_LD_W_ABS, 0, 0, 4),
            insn(BPF_JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
            insn(BPF_RET_K, 0, 0, RET_KILL_PROCESS),
            insn(BPF_LD_W_ABS, 0, 0, 0),
            insn(BPF_JGE_K, 0, 1, 0x40000000),
            insn(BPF_RET_K, 0, 0, RET_KILL_PROCESS)]
    for name in errno_syscalls:
        prog.append(insn(BPF_JEQ_K, 0, 1, NR[name]))
        prog.append(insn(BPF_RET_K, 0, 0, RET_ERRNO | EPERM))
    prog.append(insn(BPF_RET_K, 0, 0, RET_ALLOW))
    return b"".join(prog)


def system_rules():
    """What a shell, coreutils and python3 need to start: programs and libraries, /etc, /proc
    (the tests read /proc/self/status) and /dev/null."""
    rules = [{"path": p, "access": READ_EXEC} for p in ("/usr", "/bin", "/lib", "/lib64", "/sbin")]
    rules.append({"path": "/etc", "access": READ})
    rules.append({"path": "/proc", "access": READ})
    rules.append({"path": "/dev/null", "access": ["read_file", "write_file"]})
    return rules


def landlock_doc(rules, min_abi=3, net=None, scope=None, policy=POLICY, handled=FS_ALL_ABI3):
    return {"format": "polc.landlock/1", "policy": dict(policy), "min_abi": min_abi,
            "fs": {"handled_access": list(handled), "rules": rules}, "net": net, "scope": scope}


def accept_all_nft():
    return "table inet sbx_fixture {\n  chain output {\n    type filter hook output priority 0; policy accept;\n  }\n}\n"


def loopback_port_nft(allowed_port):
    """Loopback TCP to `allowed_port` only; every other TCP connection is reset at once."""
    return ("table inet sbx_fixture {\n"
            "  chain output {\n"
            "    type filter hook output priority 0; policy drop;\n"
            "    ct state established,related accept\n"
            f"    ip daddr 127.0.0.1 tcp dport {allowed_port} accept\n"
            "    meta l4proto tcp reject with tcp reset\n"
            "  }\n"
            "}\n")


def write_manifest(bundle, policy=POLICY, extra=None, paths=None):
    """Lists `paths` (default: every file in the bundle except manifest.json and signatures.json)
    with their real sizes and digests, and no sources (a polc build lists its sources/ files)."""
    if paths is None:
        paths = sorted(p for p in os.listdir(bundle) if p not in ("manifest.json", "signatures.json"))
    artifacts = []
    for path in sorted(paths):
        data = open(os.path.join(bundle, path), "rb").read()
        artifacts.append({"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    manifest = {"artifacts": artifacts, "compiler": "polc 0.1.0", "coverage": [],
                "format": "polc.bundle/1", "policy": dict(policy), "sources": []}
    if extra:
        manifest.update(extra)
    with open(os.path.join(bundle, "manifest.json"), "w") as f:
        f.write(canonical(manifest))
    return manifest


def write_bundle(bundle, landlock, bpf=None, nft=None, egress=None, policy=POLICY):
    """Writes a complete, valid bundle into directory `bundle` (created if needed)."""
    os.makedirs(bundle, exist_ok=True)
    files = {
        "landlock.json": (json.dumps(landlock, indent=2) if not isinstance(landlock, (str, bytes)) else landlock),
        "seccomp.x86_64.bpf": bpf if bpf is not None else seccomp_program(),
        "nftables.nft": nft if nft is not None else accept_all_nft(),
    }
    if egress is not None:
        files["egress.json"] = json.dumps(egress) if not isinstance(egress, (str, bytes)) else egress
    for name, data in files.items():
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(os.path.join(bundle, name), mode) as f:
            f.write(data)
    write_manifest(bundle, policy)
    return bundle
