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
for verb in check build eval fmt ir test diff explain help import keygen sign verify inspect; do
  if grep -q "polc $verb" "$src/docs/cli.md"; then passed=$((passed + 1)); else
    failed=$((failed + 1))
    echo "FAIL: verb $verb is not in docs/cli.md"
  fi
done
echo "docs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
