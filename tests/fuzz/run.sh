#!/usr/bin/env bash
# A bounded libFuzzer run of the front end, starting from the committed corpus (tests/fuzz/corpus:
# the examples', stdlib's and golden tests' policies plus inputs earlier runs found interesting) and
# the hostile seeds of hostile_seeds.py, with the keywords of sbx.dict. The corpus is copied to a
# temporary directory, so a run never changes the repository; new finds are reported at the end.
# To keep them, merge them into the committed corpus (only inputs that add coverage are copied, named by their SHA-1):
#   FUZZ_KEEP=DIR tests/fuzz/run.sh FUZZER SECONDS   # keeps the run's corpus in DIR
#   FUZZER -merge=1 tests/fuzz/corpus DIR            # then commit tests/fuzz/corpus
# Usage: run.sh FUZZER SECONDS (SECONDS include loading the corpus, about 30-50 s under ASan)
set -euo pipefail
fuzzer=$1
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
corpus=${FUZZ_KEEP:-$work/corpus}
mkdir -p "$corpus" "$work/hostile"
cp "$here"/corpus/* "$corpus"/
python3 "$here/hostile_seeds.py" "$work/hostile"
before=$(ls "$corpus" | wc -l)
# -entropic=0: entropic scheduling spends most of its time updating feature frequencies on this
# target (millions of features from the ANTLR-driven front end), several times slower overall.
"$fuzzer" -entropic=0 -dict="$here/sbx.dict" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=2000000 \
  "$corpus" "$work/hostile"
echo "fuzz: $(( $(ls "$corpus" | wc -l) - before )) new inputs in the run's corpus${FUZZ_KEEP:+ ($FUZZ_KEEP)}"
