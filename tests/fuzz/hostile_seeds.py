#!/usr/bin/env python3
"""Writes the fuzzer's hostile seeds into a directory: inputs that stress the front end's limits
(deep nesting, very long lines and expressions, invalid UTF-8, NUL bytes, definition graphs that
are exponential without memoization). They are generated rather than committed because together
they are several megabytes. Usage: hostile_seeds.py DIR"""
import os
import sys

SEEDS = {
    "deep_parens": b"policy p version 1 { targets x86_64 syscalls { allow socket(" + b"(" * 5000 + b"domain == 1" + b")" * 5000 + b") } }",
    "deep_not": b"policy p version 1 { targets x86_64 syscalls { allow socket(" + b"!" * 100000 + b"domain == 1) } }",
    "long_and": b"policy p version 1 { targets x86_64 syscalls { allow socket(" + b" && ".join([b"domain == 1"] * 20000) + b") } }",
    "long_line": b"# " + b"x" * (1 << 20) + b"\npolicy p version 1 { targets x86_64 }",
    "bad_utf8": b"policy p version 1 { targets x86_64 } \xff\xfe",
    "nul": b"policy p version 1 {\x00 targets x86_64 }",
    "braces": b"{" * 100000,
    # definitions sharing sub-definitions (exponential without memoization) and deep chains
    "const_diamonds": ("policy p version 1 { targets x86_64 const A0 = 1 " + " ".join(f"const A{i} = A{i-1} | A{i-1}" for i in range(1, 40)) + " syscalls { allow read(fd == A39) } }").encode(),
    "group_diamonds": ("policy p version 1 { targets x86_64 group @g0 = { read } group @h0 = { @g0 } " + " ".join(f"group @g{i} = {{ @g{i-1}, @h{i-1} }} group @h{i} = {{ @g{i-1} }}" for i in range(1, 40)) + " syscalls { allow @g39 } }").encode(),
    # the OS layer: a quantity far beyond 64 bits, and many nested mount rules and workspaces
    "huge_quantity": b"policy p version 1 { targets x86_64 limits { memory " + b"9" * 100000 + b"TiB cpu 1." + b"5" * 100000 + b" } }",
    # (one statement per line: every nested one is a diagnostic, and each renders its source line)
    "nested_mounts": ("policy p version 1 { targets x86_64 filesystem { landlock abi >= 3\n" + "\n".join(f"mount hide \"/a{'/a' * i}\" workspace \"/w{'/w' * i}\"" for i in range(150)) + " } }").encode(),
    "const_chain": ("policy p version 1 { targets x86_64 " + " ".join(f"const C{i} = C{i+1}" for i in range(5000)) + " const C5000 = 1 syscalls { allow read(fd == C0) } }").encode(),
}

if __name__ == "__main__":
    for name, content in SEEDS.items():
        with open(os.path.join(sys.argv[1], name), "wb") as f:
            f.write(content)
