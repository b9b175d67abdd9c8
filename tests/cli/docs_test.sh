#!/usr/bin/env bash
# Documentation stays complete and current: the per-code part of docs/diagnostics.md is exactly
# what scripts/sync-diagnostics-doc.py generates from the registry and the golden cases, and every
# verb appears in docs/cli.md. Usage: docs_test.sh POLC SOURCE_DIR
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
for verb in check build eval fmt ir test diff explain help import keygen sign verify inspect; do
  if grep -q "polc $verb" "$src/docs/cli.md"; then passed=$((passed + 1)); else
    failed=$((failed + 1))
    echo "FAIL: verb $verb is not in docs/cli.md"
  fi
done
echo "docs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
