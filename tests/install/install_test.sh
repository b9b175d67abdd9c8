#!/usr/bin/env bash
# The Debian package works from its own files: CPack builds it from this build directory, its
# metadata is checked (dpkg-deb -I: name, version, the shared libraries' packages in Depends), it
# is extracted into an empty root (dpkg-deb -x), and the demo's main steps run from the extracted
# files alone, PATH naming their bin directory and nothing of the build or source tree: check and
# fmt --check of the installed examples, build, keygen, trust, sign, verify, a payload under the
# installed sbx-exec, `polc run` (which must find that sbx-exec and never the build tree's), the
# manual pages (groff, no warning), the completions' presence, and SARIF's links into the
# installed docs.
# usage: install_test.sh BUILD_DIR
set -u
build=$1
passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
for tool in cpack dpkg-deb groff; do
  command -v "$tool" >/dev/null || { echo "install: $tool is missing (scripts/install-deps.sh installs it)"; exit 1; }
done

# prefix, bindir, mandir, datadir, docdir, zshdir and version, as configured (cmake/install.cmake).
# shellcheck source=/dev/null
source "$build/install-layout.sh" || exit 1
tmp=$(mktemp -d /tmp/polc-install-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# The package.
if ! cpack --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1; then
  cat "$tmp/cpack.log"
  echo "FAIL: cpack could not build the package"
  exit 1
fi
deb=$(ls "$tmp"/pkg/*.deb)
echo "install: $(basename "$deb"), $(($(stat -c %s "$deb") / 1024)) KiB"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = polc ] && ok || fail "Package is $(field Package)"
[ "$(field Version)" = "$version" ] && ok || fail "Version is $(field Version), not $version"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] && ok || fail "Architecture is $(field Architecture)"
depends=$(field Depends)
echo "install: Depends: $depends"
for lib in libz3 libseccomp2 libssl3 libantlr4-runtime libstdc++6 libc6; do
  grep -q "\(^\|, \)$lib" <<<"$depends" && ok || fail "Depends names no $lib: $depends"
done
dpkg-deb -I "$deb" | grep -q "^ Description: policy-as-code compiler" && ok || fail "dpkg-deb -I shows no description"

root=$tmp/root
dpkg-deb -x "$deb" "$root" || { echo "FAIL: dpkg-deb -x"; exit 1; }
bin=$root$prefix/$bindir doc=$root$prefix/$docdir
for f in "$bin/polc" "$bin/sbx-exec" "$doc/diagnostics.md" "$doc/cli.md" "$doc/README.md" "$doc/copyright" \
  "$doc/examples/python_agent.sbx" "$root$prefix/$datadir/bash-completion/completions/polc" \
  "$root$prefix/$datadir/bash-completion/completions/sbx-exec" "$root$prefix/$zshdir/_polc" \
  "$root$prefix/$zshdir/_sbx-exec" "$root$prefix/$datadir/fish/vendor_completions.d/polc.fish" \
  "$root$prefix/$datadir/fish/vendor_completions.d/sbx-exec.fish" "$root$prefix/$mandir/man1/polc.1" \
  "$root$prefix/$mandir/man1/sbx-exec.1"; do
  [ -f "$f" ] && ok || fail "the package has no ${f#"$root"}"
done

# Everything below runs the extracted files: a clean environment, PATH with their bin directory
# first, then the system's (python3.11, nft), in a directory outside the source tree.
mkdir -p "$tmp/work" "$tmp/home"
cd "$tmp/work" || exit 1
installed() { env -i PATH="$bin:/usr/sbin:/usr/bin:/sbin:/bin" HOME="$tmp/home" TMPDIR="$tmp" "$@"; }
[ "$(installed sh -c 'command -v polc')" = "$bin/polc" ] && ok || fail "polc on PATH is not the package's"
[ "$(installed polc --version)" = "polc $version" ] && ok || fail "polc --version: $(installed polc --version)"
[ "$(installed sbx-exec --help | head -1 | cut -c1-15)" = "usage: sbx-exec" ] && ok || fail "sbx-exec --help"

for f in "$doc"/examples/*.sbx; do
  installed polc check "$f" >/dev/null 2>&1 && installed polc fmt --check "$f" >/dev/null 2>&1 && ok ||
    fail "polc check / fmt --check $(basename "$f")"
done
cp "$doc/examples/python_agent.sbx" .
installed polc build python_agent.sbx -o dist >/dev/null 2>"$tmp/build.log" && ok || { cat "$tmp/build.log"; fail "polc build"; }
alice=$(installed polc keygen --out alice 2>/dev/null) && bob=$(installed polc keygen --out bob 2>/dev/null) && ok ||
  fail "polc keygen"
cat >trust.json <<JSON
{"format": "polc.trust/1", "threshold": 2, "keys": [$alice, $bob], "policies": {"python_agent": {"min_version": 1}}}
JSON
installed polc sign dist/python_agent --key alice.key >/dev/null 2>&1 && ok || fail "polc sign (alice)"
installed polc verify dist/python_agent --trust trust.json >/dev/null 2>&1 && fail "verify passed with one signature of two" || ok
installed polc sign dist/python_agent --key bob.key >/dev/null 2>&1 && ok || fail "polc sign (bob)"
installed polc verify dist/python_agent --trust trust.json >/dev/null 2>&1 && ok || fail "polc verify"
installed polc inspect dist/python_agent --trust trust.json | grep -q python_agent && ok || fail "polc inspect"

# A payload under the installed sbx-exec, and `polc run`, which must pick that sbx-exec.
if [ "$(uname -m)" = x86_64 ] && [ -x /usr/bin/python3.11 ]; then
  if [ "$(id -u)" -eq 0 ]; then net=--netns; else net=--network-enforced-externally; fi
  out=$(installed sbx-exec --bundle dist/python_agent --trust trust.json $net --audit-log audit.log -- \
    /usr/bin/python3.11 -c 'print(6 * 7)
try:
    open("/etc/shadow").read(); print("shadow read")
except OSError: print("shadow refused")' 2>"$tmp/run.log")
  [ "$out" = $'42\nshadow refused' ] && ok || { cat "$tmp/run.log"; fail "sbx-exec run: $out"; }
  out=$(installed polc run python_agent.sbx $net --audit-log audit.log -- /usr/bin/python3.11 -c 'print(7 * 6)' 2>"$tmp/run.log")
  [ "$out" = 42 ] && ok || { cat "$tmp/run.log"; fail "polc run: $out"; }
  # Without the installed sbx-exec (and none on PATH) an installed polc refuses; it must not fall
  # back to the build tree's.
  mv "$bin/sbx-exec" "$tmp/sbx-exec.aside"
  out=$(env -i PATH="$bin" HOME="$tmp/home" TMPDIR="$tmp" "$bin/polc" run python_agent.sbx $net -- /bin/true 2>&1)
  status=$?
  mv "$tmp/sbx-exec.aside" "$bin/sbx-exec"
  [ "$status" -eq 1 ] && grep -q "cannot find sbx-exec" <<<"$out" && ok ||
    fail "an installed polc without its sbx-exec ran one anyway (status $status): $out"
else
  echo "install: skipped the payload (needs an x86_64 host with /usr/bin/python3.11)"
fi

# SARIF's links lead into the installed docs, to a heading that exists.
printf 'policy typo version 1 {\n  targets x86_64\n  syscalls {\n    allow sokcet\n  }\n}\n' >typo.sbx
installed polc check --format sarif typo.sbx >typo.sarif 2>/dev/null
python3 - "$root" typo.sarif <<'PY' && ok || fail "SARIF links do not lead into the installed docs"
import json, re, sys, urllib.parse
root, sarif = sys.argv[1], json.load(open(sys.argv[2]))
driver = sarif["runs"][0]["tool"]["driver"]
rule = driver["rules"][sarif["runs"][0]["results"][0]["ruleIndex"]]
def local(uri):
    assert uri.startswith("file:///"), uri
    path, _, anchor = uri[len("file://"):].partition("#")
    return root + urllib.parse.unquote(path), anchor
info, _ = local(driver["informationUri"])
open(info).close()
path, anchor = local(rule["helpUri"])
headings = {h.lower() for h in re.findall(r"^#### (E\d{4}|W\d{4})$", open(path).read(), re.M)}
assert rule["id"] == "E0201" and anchor == "e0201" and anchor in headings, (rule["id"], anchor)
PY

# Manual pages: polc(1), one per verb, sbx-exec(1), each rendered by groff without a warning.
man1=$root$prefix/$mandir/man1
for verb in $(installed polc help | sed -n '/^verbs:$/,/^$/p' | awk '/^  [a-z]/ {print $1}'); do
  [ -f "$man1/polc-$verb.1" ] && ok || fail "no manual page polc-$verb(1)"
done
for page in "$man1"/*.1; do
  warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
  [ -z "$warnings" ] && ok || fail "groff warns on $(basename "$page"): $warnings"
done
groff -man -Tutf8 "$man1/polc-build.1" 2>/dev/null | grep -q -- "--seccomp-codegen" && ok ||
  fail "polc-build(1) does not show --seccomp-codegen"
echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
