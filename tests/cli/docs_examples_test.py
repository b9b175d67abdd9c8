#!/usr/bin/env python3
"""Every ```sbx example in docs/ (every .md file, the language reference, the guide and the backends'
pages among them) does what its document says: blocks marked
`# rejected: CODE, ...` fail `polc check` with exactly those codes, every other complete policy or
module passes. A block with a `# polc check OPTIONS` line is checked with those options (a backend
selection: `# polc check --backends seccomp,landlock`). Blocks that import a relative file are
written to disk with the file they name (`# file: NAME` blocks).
Usage: docs_examples_test.py POLC SOURCE_DIR"""
import json, os, re, subprocess, sys, tempfile

def check_document(polc, path, name):
    """(passed, failed) for the whole policies and modules of one document."""
    text = open(path).read()
    blocks = re.findall(r"```sbx\n(.*?)```", text, flags=re.S)
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for b in blocks:  # files other blocks import
            m = re.match(r"# file: (\S+)", b)
            if m:
                open(os.path.join(tmp, m.group(1)), "w").write(b)
        for i, b in enumerate(blocks):
            body = re.sub(r"(?m)^\s*#.*$", "", b)
            if not re.search(r"(?m)^\s*(policy|module)\s", body):
                continue  # a fragment, not a whole file
            example = os.path.join(tmp, f"example{i}.sbx")
            open(example, "w").write(b)
            options = re.search(r"(?m)^\s*# polc check (.+)$", b)
            extra = options.group(1).split() if options else []
            r = subprocess.run([polc, "check", "--format", "json"] + extra + [example], capture_output=True, text=True)
            got = sorted({d["code"] for d in json.loads(r.stdout)["diagnostics"] if d["severity"] == "error"})
            m = re.search(r"# rejected: ([EW0-9, ]+)", b)
            want = sorted(c.strip() for c in m.group(1).split(",")) if m else []
            if got == want:
                passed += 1
            else:
                failed += 1
                print(f"FAIL: {name} example {i} ({b.splitlines()[0][:60]}): errors {got}, document says {want}")
    return passed, failed


def main():
    polc, src = sys.argv[1], sys.argv[2]
    docs = os.path.join(src, "docs")
    passed = failed = 0
    for root, _, files in sorted(os.walk(docs)):
        for f in sorted(files):
            if f.endswith(".md"):
                p, fl = check_document(polc, os.path.join(root, f), os.path.relpath(os.path.join(root, f), src))
                passed, failed = passed + p, failed + fl
    print(f"docs examples: {passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 and passed > 0 else 1)


if __name__ == "__main__":
    main()
