#!/usr/bin/env python3
"""Property test of `polc fmt` on the examples, the standard library and the fmt golden inputs,
each roughly mangled (seeded: extra comments at random places, blank lines, spaces):
  - fmt succeeds and its output formats to itself (idempotence);
  - every comment survives;
  - the meaning is unchanged: the same IR (ignoring source positions) and the same diagnostic codes.
Usage: fmt_properties_test.py POLC SOURCE_DIR"""
import glob, os, random, re, subprocess, sys, tempfile

TRIALS = 3

def mangle(src, rng, counter):
    """Inserts comments and whitespace between tokens, never inside strings or comments."""
    out, in_string, in_comment = [], False, False
    for ch in src:
        if in_comment:
            out.append(ch)
            in_comment = ch != "\n"
            continue
        if in_string:
            out.append(ch)
            in_string = not (ch == '"' and out[-2] != "\\")
            continue
        if ch == '"':
            in_string = True
        elif ch == "#":
            in_comment = True
        elif ch in " \n" and rng.random() < 0.15:
            counter[0] += 1
            out.append(rng.choice([f" # mark{counter[0]}\n", "\n\n\n", "   ", f"\n# mark{counter[0]}\n"]))
            continue
        elif ch in ",(){}" and rng.random() < 0.1:
            counter[0] += 1
            out.append(f"{ch} # mark{counter[0]}\n")
            continue
        out.append(ch)
    return "".join(out)

def run(polc, *args):
    return subprocess.run([polc, *args], capture_output=True, text=True)

def meaning(polc, path):
    ir = run(polc, "ir", path)
    ir_text = "\n".join(l for l in ir.stdout.splitlines() if '"at"' not in l)
    codes = sorted(re.findall(r"(?:error|warning)\[([EW]\d+)\]", run(polc, "check", path).stderr))
    return ir.returncode, ir_text, codes

def main():
    polc, src = sys.argv[1], sys.argv[2]
    files = sorted(glob.glob(os.path.join(src, "examples/*.sbx")) + glob.glob(os.path.join(src, "stdlib/**/*.sbx"), recursive=True)
                   + glob.glob(os.path.join(src, "tests/golden/fmt/*.sbx")))
    rng = random.Random(20261127)
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            text = open(f, encoding="utf-8").read()
            if run(polc, "fmt", f).returncode != 0:
                continue  # inputs that are meant not to parse
            for trial in range(TRIALS):
                counter = [0]
                mangled = mangle(text, rng, counter)
                a, b = os.path.join(tmp, "mangled.sbx"), os.path.join(tmp, "formatted.sbx")
                open(a, "w", encoding="utf-8").write(mangled)
                first = run(polc, "fmt", a)
                problems = []
                if first.returncode != 0:
                    problems.append("fmt failed: " + first.stderr[:300])
                else:
                    open(b, "w", encoding="utf-8").write(first.stdout)
                    if run(polc, "fmt", b).stdout != first.stdout:
                        problems.append("not idempotent")
                    lost = set(re.findall(r"# mark\d+\b", mangled)) - set(re.findall(r"# mark\d+\b", first.stdout))
                    if lost:
                        problems.append(f"lost comments {sorted(lost)[:5]}")
                    if meaning(polc, a) != meaning(polc, b):
                        problems.append("meaning changed (IR or diagnostics differ)")
                if problems:
                    failed += 1
                    keep = os.path.join(tempfile.gettempdir(), f"polc-fmt-property-{os.path.basename(f)}-{trial}.sbx")
                    open(keep, "w", encoding="utf-8").write(mangled)
                    print(f"FAIL {os.path.relpath(f, src)} trial {trial}: {'; '.join(problems)} (input kept in {keep})")
                else:
                    passed += 1
    print(f"fmt properties: {passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 and passed > 0 else 1)

if __name__ == "__main__":
    main()
