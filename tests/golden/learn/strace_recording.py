#!/usr/bin/env python3
"""Makes a polc recording (polc-recording/1 JSON) from `strace -f -X raw` output, to give the
golden drafts realistic inputs. The recorder (launcher/record) is the real source of recordings;
this script approximates its decoding for x86_64 only: the same kept arguments, Landlock rights
from open flags, exec, mkdir, unlink, rename, and connect/bind endpoints.

    strace -f -X raw -qq -o trace.txt -- CMD...
    strace_recording.py trace.txt CWD ARGV... > NAME.recording.json
"""
import json
import os
import re
import sys

UNISTD = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"
NR = {m.group(1): int(m.group(2)) for m in re.finditer(r"#define __NR_(\w+) (\d+)", open(UNISTD).read())}
KEPT = {"socket": [0, 1, 2], "socketpair": [0, 1, 2], "ioctl": [1], "clone": [0], "unshare": [0], "mmap": [2, 3],
        "mprotect": [2], "pkey_mprotect": [2], "prctl": [0], "setresuid": [0, 1, 2], "setresgid": [0, 1, 2],
        "setuid": [0], "setgid": [0], "setreuid": [0, 1], "setregid": [0, 1], "personality": [0], "fcntl": [1],
        "kill": [1], "tgkill": [2]}


def split_args(s):
    out, depth, cur, quoted, esc = [], 0, "", False, False
    for ch in s:
        if quoted:
            cur += ch
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                quoted = False
            continue
        if ch == '"':
            quoted = True
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def number(s):
    s = s.strip()
    m = re.match(r"^(-?)(0x[0-9a-f]+|\d+)", s)
    if not m:
        return 0
    v = int(m.group(2), 0)
    return (-v) & 0xFFFFFFFFFFFFFFFF if m.group(1) else v


def string(s):
    m = re.match(r'^"((?:[^"\\]|\\.)*)"', s.strip())
    return m.group(1).encode().decode("unicode_escape") if m else None


def normal(path, cwd):
    if not path.startswith("/"):
        path = cwd.rstrip("/") + "/" + path
    parts = []
    for p in path.split("/"):
        if p in ("", "."):
            continue
        if p == "..":
            if parts:
                parts.pop()
            continue
        parts.append(p)
    path = "/" + "/".join(parts)
    # Like the recorder: symbolic links resolved as far as the path exists (/lib -> /usr/lib), but
    # /proc/self is left alone here (the recorder sees the workload's PID, this script its own).
    return path if path.startswith("/proc/") else os.path.realpath(path)


def main():
    trace, cwd, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
    events = {}
    pending = {}
    pids = set()
    calls = 0

    def add(section, key, obj):
        e = events.setdefault((section, key), {"obj": obj, "count": 0})
        e["count"] += 1

    for line in open(trace, encoding="utf-8", errors="surrogateescape"):
        m = re.match(r"^(\d+)\s+(.*)$", line.rstrip("\n"))
        if not m:
            continue
        pid, rest = m.group(1), m.group(2)
        pids.add(pid)
        if rest.endswith("<unfinished ...>"):
            pending[pid] = rest[: -len("<unfinished ...>")].rstrip()
            continue
        r = re.match(r"^<\.\.\. (\w+) resumed>(.*)$", rest)
        if r:
            rest = pending.pop(pid, r.group(1) + "(") + r.group(2)
        c = re.match(r"^(\w+)\((.*)\)\s+= (.*)$", rest)
        if not c or c.group(1) not in NR:
            continue
        name, args, ret = c.group(1), split_args(c.group(2)), c.group(3)
        calls += 1
        kept = {str(i): number(args[i]) for i in KEPT.get(name, []) if i < len(args)}
        add("calls", (name, tuple(sorted(kept.items()))), {"arch": "x86_64", "nr": NR[name], "name": name, "args": kept})
        ok = not ret.startswith("-1")

        def fs(path, right, kind="file"):
            if path is None:
                return
            if "ENOENT" in ret and not right.startswith("make_"):
                kind = "missing"
            p = normal(path, cwd)
            add("files", (p, right), {"path": p, "right": right, "kind": kind})

        if name in ("openat", "open"):
            path, flags = (args[1], number(args[2])) if name == "openat" else (args[0], number(args[1]))
            if name == "openat" and number(args[0]) != 0xFFFFFFFFFFFFFF9C:
                continue
            path = string(path)
            if flags & 0x200000:  # O_PATH
                continue
            acc = flags & 3
            if acc in (0, 2):
                fs(path, "read_dir" if flags & 0x10000 else "read_file", "directory" if flags & 0x10000 else "file")
            if acc in (1, 2):
                fs(path, "write_file")
            if flags & 0x200:
                fs(path, "truncate")
            if flags & 0x40 and ok and (flags & 0x80 or not os.path.exists(normal(path, cwd))):
                # Whether the file existed before is not in strace's output (the recorder knows):
                # O_EXCL, or a file that is gone by now, was made by the call.
                fs(path, "make_reg", "missing")
        elif name == "execve":
            path = string(args[0])
            if path:
                p = normal(path, cwd)
                add("execs", (p,), {"path": p})
                fs(path, "execute")
                fs(path, "read_file")
        elif name in ("mkdir", "mkdirat"):
            fs(string(args[0] if name == "mkdir" else args[1]), "make_dir", "missing")
        elif name == "unlinkat":
            fs(string(args[1]), "remove_dir" if number(args[2]) & 0x200 else "remove_file")
        elif name in ("unlink", "rmdir"):
            fs(string(args[0]), "remove_file" if name == "unlink" else "remove_dir")
        elif name in ("connect", "bind") and len(args) > 1 and "sa_family=0x2" in args[1]:
            port = re.search(r'sin_port="((?:\\x[0-9a-f]{2}){2})"', args[1])
            addr = re.search(r'sin_addr="((?:\\x[0-9a-f]{2}){4})"', args[1])
            if port and addr:
                pb = bytes(int(h, 16) for h in re.findall(r"x([0-9a-f]{2})", port.group(1)))
                ab = bytes(int(h, 16) for h in re.findall(r"x([0-9a-f]{2})", addr.group(1)))
                d = "connect" if name == "connect" else "bind"
                a, pn = ".".join(str(b) for b in ab), pb[0] * 256 + pb[1]
                add("network", (d, "tcp", a, pn), {"direction": d, "proto": "tcp", "address": a, "port": pn})

    doc = {"format": "polc-recording/1",
           "runs": [{"run": 1, "argv": argv, "cwd": cwd, "calls": calls, "processes": len(pids), "dropped": 0,
                     "partial": False, "exit_code": 0}]}
    for s in ("calls", "files", "execs", "network", "names"):
        doc[s] = []
    for (section, _), e in sorted(events.items(), key=lambda kv: json.dumps(kv[0])):
        obj = dict(e["obj"])
        obj["count"] = e["count"]
        obj["runs"] = [1]
        doc[section].append(obj)
    print(json.dumps(doc, indent=1, ensure_ascii=False))


main()
