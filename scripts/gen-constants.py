#!/usr/bin/env python3
"""Regenerates the tables of compiler/sema/constants.cpp from the Linux UAPI headers.

The names, their categories and how values are written come from scripts/constants/names.txt;
the values and the arches that define each name come from the headers: every name is compiled
for every supported arch with clang (-target), against that arch's UAPI headers, and read back
from the LLVM IR of `const unsigned long long v = NAME;`. Names no arch's UAPI headers define
(glibc aliases such as O_ASYNC, and constants of kernel-internal headers such as AF_*, MSG_*)
come from the host's glibc headers, which give them one value on every supported arch.

Headers (Debian 12): linux-libc-dev for x86_64, x86 and x32, and linux-libc-dev-{arm64,armhf,
riscv64,s390x}-cross for the others (scripts/install-deps.sh installs them).

Only the rows of kConstants, kArchValues and kErrnos are generated; the prose and code around
them are kept from the input file.

Usage: gen-constants.py [--check] [--output FILE] [CONSTANTS_CPP]
  default: rewrites CONSTANTS_CPP (compiler/sema/constants.cpp) in place;
  --check: exits 1 and prints a diff if the file differs from what the headers give;
  exits 77 when clang or some arch's headers are missing (the ctest then reports "skipped").
"""
import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKIP = 77

# (name in compiler/arch, clang target, include directories holding linux/ and asm/)
ARCHES = [
    ("x86_64", "x86_64-linux-gnu", ["/usr/include", "/usr/include/x86_64-linux-gnu"]),
    ("x86", "i386-linux-gnu", ["/usr/include", "/usr/include/x86_64-linux-gnu"]),
    ("x32", "x86_64-linux-gnux32", ["/usr/include", "/usr/include/x86_64-linux-gnu"]),
    ("aarch64", "aarch64-linux-gnu", ["/usr/aarch64-linux-gnu/include"]),
    ("arm", "arm-linux-gnueabihf", ["/usr/arm-linux-gnueabihf/include"]),
    ("riscv64", "riscv64-linux-gnu", ["/usr/riscv64-linux-gnu/include"]),
    ("s390x", "s390x-linux-gnu", ["/usr/s390x-linux-gnu/include"]),
]
ARCH_NAMES = [a[0] for a in ARCHES]

UAPI_HEADERS = """
stddef.h linux/fiemap.h linux/bpf.h linux/close_range.h linux/eventpoll.h linux/fcntl.h linux/fs.h linux/futex.h
linux/in.h linux/inotify.h linux/kcmp.h linux/keyctl.h linux/landlock.h linux/memfd.h linux/mman.h
linux/net.h linux/netlink.h linux/perf_event.h linux/personality.h linux/prctl.h linux/ptrace.h
linux/random.h linux/reboot.h linux/resource.h linux/sched.h linux/seccomp.h linux/signal.h
linux/stat.h linux/time.h linux/userfaultfd.h linux/wait.h linux/sockios.h linux/if_tun.h
linux/nsfs.h linux/termios.h asm/ioctls.h asm/socket.h asm/fcntl.h linux/sched/types.h linux/pidfd.h
""".split()

GLIBC_HEADERS = """
fcntl.h sys/mman.h sys/socket.h sys/mount.h sys/eventfd.h sys/signalfd.h sys/timerfd.h unistd.h
netinet/in.h netinet/tcp.h netinet/udp.h errno.h stdio.h sys/wait.h sys/inotify.h
""".split()

# Named arch sets of constants.cpp, in the order they are preferred when spelling a set.
NAMED_SETS = [
    ("kAll", set(ARCH_NAMES)),
    ("kX86Family", {"x86_64", "x86", "x32"}),
    ("kArmFamily", {"aarch64", "arm"}),
    ("kIlp32", {"x86", "x32", "arm"}),
    ("kRegs32", {"x86", "arm"}),
]

# x32's headers define the fcntl64 commands (its __BITS_PER_LONG is 32), but x32 calls the 64-bit
# sys_fcntl, which rejects them: they exist only on 32-bit kernels.
NOT_ON = {"F_GETLK64": {"x32"}, "F_SETLK64": {"x32"}, "F_SETLKW64": {"x32"}}


def read_names(path):
    sections = []  # (category, format, [names])
    for line in open(path):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"\[([^\]]+)\]\s+(dec|hex|oct|mixed)", line)
        if m:
            sections.append((m.group(1), m.group(2), []))
        else:
            sections[-1][2].extend(line.split())
    return sections


def split_given(sections):
    """Takes the NAME=VALUE entries out of the sections: {name: value}."""
    given = {}
    for _, _, names in sections:
        for i, entry in enumerate(names):
            if "=" in entry:
                name, value = entry.split("=", 1)
                given[name] = int(value, 0)
                names[i] = name
    return given


def category_identifier(category):
    return "k" + "".join(w[:1].upper() + w[1:] for w in re.split(r"[ _]", category))


def compile_values(names, target, includes, headers, stdlib):
    """Values of `names` for one target: {name: int}; names the headers lack are left out."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "values.c")

        def run(selected):
            with open(src, "w") as f:
                for h in headers:
                    f.write(f"#include <{h}>\n")
                for n in selected:
                    f.write(f"const unsigned long long polc_v_{n} = (unsigned long long)({n});\n")
            cmd = ["clang", "-target", target, "-S", "-emit-llvm", "-O0", "-w", "-ferror-limit=0",
                   "-o", "-", src]
            if not stdlib:
                cmd[1:1] = ["-nostdlibinc"] + [f"-I{d}" for d in includes]
            return subprocess.run(cmd, capture_output=True, text=True)

        result = run(names)
        missing = set(re.findall(r"use of undeclared identifier '(\w+)'", result.stderr))
        if missing:
            result = run([n for n in names if n not in missing])
        if result.returncode != 0:
            sys.exit(f"gen-constants: clang failed for {target}:\n{result.stderr[:4000]}")
        values = {}
        for n, v in re.findall(r"@polc_v_(\w+) = (?:dso_local )?(?:local_unnamed_addr )?constant i64 (-?\d+)",
                               result.stdout):
            values[n] = int(v) & 0xFFFFFFFFFFFFFFFF
        return values


def spell_set(arches):
    for name, s in NAMED_SETS:
        if arches == s:
            return name
    return " | ".join(f"bit(Arch::{a})" for a in ARCH_NAMES if a in arches)


def spell_value(value, fmt):
    if fmt == "mixed":
        fmt = "dec" if value <= 255 else "hex"
    if fmt == "hex":
        return hex(value)
    if fmt == "oct":
        return "0" + format(value, "o") if value else "0"
    return str(value)


def stored(value):
    # A negative constant (only AT_FDCWD, -100) is only ever passed as an int, which sema compares
    # at 32 bits: store its 32-bit two's complement.
    return value & 0xFFFFFFFF if value >= 1 << 63 else value


def generate_rows(sections):
    given = split_given(sections)
    all_names = [n for _, _, names in sections for n in names if n not in given]
    per_arch = {}
    for arch, target, includes in ARCHES:
        per_arch[arch] = compile_values(all_names, target, includes, UAPI_HEADERS, stdlib=False)
    uapi_names = set().union(*per_arch.values())
    glibc_only = [n for n in all_names if n not in uapi_names]
    glibc = compile_values(glibc_only, "x86_64-linux-gnu", [], GLIBC_HEADERS, stdlib=True) if glibc_only else {}
    missing = [n for n in glibc_only if n not in glibc]
    if missing:
        sys.exit("gen-constants: no header defines " + " ".join(missing))

    constants, overrides = [], []
    for category, fmt, names in sections:
        ident = category_identifier(category)
        for n in names:
            if n in given:
                values = {a: given[n] for a in ARCH_NAMES}
            elif n in glibc:
                values = {a: glibc[n] for a in ARCH_NAMES}
            else:
                values = {a: per_arch[a][n] for a in ARCH_NAMES
                          if n in per_arch[a] and a not in NOT_ON.get(n, set())}
            values = {a: stored(v) for a, v in values.items()}
            base = values[next(a for a in ARCH_NAMES if a in values)]
            constants.append((n, f'    {{"{n}", {ident}, {spell_value(base, fmt)}, {spell_set(set(values))}}},'))
            differing = {}
            for a in ARCH_NAMES:
                if a in values and values[a] != base:
                    differing.setdefault(values[a], set()).add(a)
            for v, arches in differing.items():
                overrides.append((n, f'    {{"{n}", {spell_set(arches)}, {spell_value(v, fmt)}}},'))
    constants.sort(key=lambda r: r[0].encode())
    overrides.sort(key=lambda r: r[0].encode())
    return [r for _, r in constants], [r for _, r in overrides]


def generate_errnos():
    """Every E* name of asm-generic/errno*.h (the numbering of all supported arches), checked to be
    the same on each arch, plus glibc's ENOTSUP (EOPNOTSUPP's alias)."""
    text = ""
    for h in ("asm-generic/errno-base.h", "asm-generic/errno.h"):
        text += open(os.path.join("/usr/include", h)).read()
    names = sorted(set(re.findall(r"^#define\s+(E[A-Z0-9]+)\s", text, re.M)))
    per_arch = {}
    for arch, target, includes in ARCHES:
        per_arch[arch] = compile_values(names, target, includes, ["asm/errno.h"], stdlib=False)
        if per_arch[arch] != per_arch["x86_64"]:
            sys.exit(f"gen-constants: errno numbering of {arch} differs from x86_64's")
    values = dict(per_arch["x86_64"])
    values.update(compile_values(["ENOTSUP"], "x86_64-linux-gnu", [], ["errno.h"], stdlib=True))
    return [f'    {{"{n}", {v}}},' for n, v in sorted(values.items(), key=lambda kv: kv[0].encode())]


def replace_rows(text, opening, rows):
    start = text.index(opening + "\n") + len(opening) + 1
    end = text.index("\n};\n", start)
    return text[:start] + "\n".join(rows) + text[end:]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", default=os.path.join(ROOT, "compiler/sema/constants.cpp"))
    parser.add_argument("--names", default=os.path.join(ROOT, "scripts/constants/names.txt"))
    parser.add_argument("--output")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()

    if shutil.which("clang") is None:
        print("gen-constants: skipped: clang is not installed")
        return SKIP
    for arch, _, includes in ARCHES:
        if not os.path.exists(os.path.join(includes[-1], "asm/unistd.h")):
            print(f"gen-constants: skipped: no UAPI headers for {arch} under {includes[-1]} "
                  "(scripts/install-deps.sh installs them)")
            return SKIP

    committed = open(args.file).read()
    constants, overrides = generate_rows(read_names(args.names))
    text = replace_rows(committed, "constexpr Constant kConstants[] = {", constants)
    text = replace_rows(text, "constexpr ArchValue kArchValues[] = {", overrides)
    text = replace_rows(text, "constexpr Errno kErrnos[] = {", generate_errnos())

    if args.check:
        if text == committed:
            print(f"gen-constants: {args.file} matches the headers "
                  f"({len(constants)} constants, {len(overrides)} per-arch values)")
            return 0
        sys.stdout.writelines(difflib.unified_diff(committed.splitlines(True), text.splitlines(True),
                                                   "committed", "generated"))
        return 1
    with open(args.output or args.file, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
