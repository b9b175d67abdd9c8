#!/usr/bin/env bash
# Documentation stays complete and current: the per-code part of docs/diagnostics.md is exactly
# what scripts/sync-diagnostics-doc.py generates from the registry and the golden cases, and every
# verb of `polc help` is documented in docs/cli.md. Usage: docs_test.sh POLC SOURCE_DIR
set -u
polc=$1
src=$2
passed=0
failed=0
if python3 "$src/scripts/sync-diagnostics-doc.py" "$polc" --check; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
while read -r code name _; do
  if grep -q "#### $code" "$src/docs/diagnostics.md" && grep -q "$name" "$src/docs/diagnostics.md"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $code ($name) is not in docs/diagnostics.md"
  fi
done < <("$polc" explain --list)
# Every explanation file is a code's: a stray one (a typo in its name, or a retired row) would be
# built in but never shown.
codes=$("$polc" explain --list | cut -d' ' -f1)
for md in "$src"/docs/diagnostics/*.md; do
  code=$(basename "$md" .md)
  if grep -qx "$code" <<<"$codes"; then passed=$((passed + 1)); else
    failed=$((failed + 1))
    echo "FAIL: docs/diagnostics/$code.md explains no code of compiler/diag/codes.def"
  fi
done
# Every verb of the verb table, as `polc help` lists it, has its section and its row in
# docs/cli.md, and its own help (`polc help VERB`, the same as `polc VERB --help`); the overview in
# docs/cli.md is exactly what `polc help` prints.
verbs=$("$polc" help | sed -n '/^verbs:$/,/^$/p' | awk '/^  [a-z]/ {print $1}')
if ! grep -qx help <<<"$verbs"; then
  failed=$((failed + 1))
  echo "FAIL: polc help lists no verbs"
fi
for verb in $verbs; do
  # Its row names the file that defines cmd_<verb>.
  file=$(sed -n "s/^| $verb | \`\(cmd_[a-z_]*\.cpp\)\` |.*/\1/p" "$src/docs/architecture.md")
  if [ -n "$file" ] && grep -q "^int cmd_$verb(" "$src/compiler/driver/$file" 2>/dev/null; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: verb $verb has no row in docs/architecture.md's verb list naming the file of cmd_$verb"
  fi
  if ! grep -q "^## \`polc $verb" "$src/docs/cli.md" || ! grep -q "](#polc-$verb" "$src/docs/cli.md"; then
    failed=$((failed + 1))
    echo "FAIL: verb $verb has no section or no row in docs/cli.md"
  elif ! "$polc" help "$verb" | grep -q "^usage: polc $verb" ||
       ! cmp -s <("$polc" help "$verb") <("$polc" "$verb" --help); then
    failed=$((failed + 1))
    echo "FAIL: polc help $verb and polc $verb --help do not both show its usage"
  else
    passed=$((passed + 1))
  fi
done
if cmp -s <("$polc" help) <(awk '/^\$ polc help$/ {on = 1; next} on && /^```$/ {exit} on' "$src/docs/cli.md"); then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  echo "FAIL: the overview in docs/cli.md (\$ polc help) is not what polc help prints"
fi
# SARIF links every rule to its code's section of docs/diagnostics.md as installed: the anchor of
# its heading (`#### E0201` -> #e0201), and the tool to the installed README.
sarif_tmp=$(mktemp -d /tmp/polc-docs-test.XXXXXX)
printf 'policy p version 1 {\n  targets x86_64\n}\n' >"$sarif_tmp/p.sbx"
if "$polc" check --format sarif "$sarif_tmp/p.sbx" | python3 -c '
import json, re, sys
docs = open(sys.argv[1]).read()
driver = json.load(sys.stdin)["runs"][0]["tool"]["driver"]
base = driver["informationUri"].removesuffix("/README.md")
assert base.startswith("file:///"), base
for rule in driver["rules"]:
    uri = rule.get("helpUri", "")
    assert uri == base + "/diagnostics.md#" + rule["id"].lower(), (rule["id"], uri)
    assert re.search("^#### " + rule["id"] + "$", docs, re.M), rule["id"] + " has no heading"
' "$src/docs/diagnostics.md"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  echo "FAIL: SARIF rules do not link their sections of the installed docs/diagnostics.md"
fi
rm -rf "$sarif_tmp"
echo "docs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
