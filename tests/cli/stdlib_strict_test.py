#!/usr/bin/env python3
"""Every standard module can be imported as it is: a policy importing it (with std.hardening, as
the modules' headers ask) passes `polc check --strict` without a diagnostic, on every target the
embedded stdlib supports from a little-endian host. The 64-bit targets share one policy and arm
has its own: std.tools.build compares uids, which are 16 bits wide in arm's setresuid and 32
elsewhere, so one OCI profile cannot serve both (W0007). x86 and s390x are left out: on x86
libseccomp handles the socket calls (@socket_io, getpeername) together with socketcall, which polc
reports (E0601, E0604), and on s390x libseccomp mis-encodes programs for a big-endian arch built
on a little-endian host (E0604 names it). Usage: stdlib_strict_test.py POLC SOURCE_DIR"""
import glob, os, re, subprocess, sys, tempfile

TARGET_SETS = ["x86_64, aarch64, riscv64, x32", "arm"]
POLICY = """policy strict_import version 1 {{
  targets {targets}
  import {module}, std.hardening
  syscalls {{
    default errno(EPERM)
  }}
}}
"""


def main():
    polc, src = sys.argv[1], sys.argv[2]
    modules = []
    for path in sorted(glob.glob(os.path.join(src, "stdlib", "**", "*.sbx"), recursive=True)):
        m = re.search(r"(?m)^module\s+(\S+)\s*\{", open(path).read())
        if m:
            modules.append(m.group(1))
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "strict_import.sbx")
        for module in modules:
            for targets in TARGET_SETS:
                with open(path, "w") as f:
                    f.write(POLICY.format(targets=targets, module=module))
                r = subprocess.run([polc, "check", "--strict", path], capture_output=True, text=True)
                if r.returncode != 0 or r.stdout or r.stderr:
                    failed += 1
                    print(f"FAIL: import {module} on {targets}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    total = len(modules) * len(TARGET_SETS)
    print(f"stdlib strict imports: {total - failed} clean, {failed} failed")
    sys.exit(0 if failed == 0 and len(modules) >= 9 else 1)


if __name__ == "__main__":
    main()
