#!/usr/bin/env bash
# The ctest fuzz.corpus_replay: runs every committed corpus input and every hostile seed through the
# fuzz target once (-runs=0: no mutation, so the test is deterministic). A crash, hang, leak or
# sanitizer report fails it. Usage: replay.sh FUZZER [CORPUS]: with CORPUS, that directory's inputs
# alone (another target's corpus; the hostile seeds are the front end's).
set -euo pipefail
fuzzer=$1
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ge 2 ]; then
  exec "$fuzzer" -runs=0 -timeout=30 -rss_limit_mb=4096 "$2"/*
fi
hostile=$(mktemp -d)
trap 'rm -rf "$hostile"' EXIT
python3 "$here/hostile_seeds.py" "$hostile"
# Inputs are passed as files, not directories: libFuzzer then only executes them, and never writes
# into the committed corpus. (No exec: the trap must remove the hostile seeds afterwards.)
"$fuzzer" -runs=0 -timeout=30 -rss_limit_mb=4096 -max_len=2000000 "$here"/corpus/* "$hostile"/*
