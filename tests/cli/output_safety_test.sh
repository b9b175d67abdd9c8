#!/usr/bin/env bash
# Every file polc writes beside a user's files is written through one helper (output_file.h): no
# write follows a link planted at the target or at a temporary name, a replaced file keeps its
# owner and mode, concurrent runs never collide, and a build removes the temporary directories of
# builds that died (build_temp_dirs.h) but never a live build's, a link, or another name's.
# Usage: output_safety_test.sh POLC SOURCE_DIR. The parts that need a second user run as root only.
set -u
polc=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() {  # check DESCRIPTION -- CMD...: passes if CMD succeeds
  local what=$1
  shift 2
  if "$@"; then ok; else bad "$what"; fi
}
root=false
[ "$(id -u)" = 0 ] && root=true

# The file a planted link points to: a 0600 secret whose content and mode must never change.
victim="$work/victim"
new_victim() {
  printf 'SECRET\n' >"$victim"
  chmod 600 "$victim"
}
victim_intact() { [ "$(cat "$victim")" = SECRET ] && [ "$(stat -c %a "$victim")" = 600 ]; }

cat >"$work/p.sbx" <<'SBX'
policy p version 1 {
  targets x86_64
  syscalls {
    default errno(EPERM)
    allow read, write, exit_group
  }
  test "reads" { expect allow read }
}
SBX
printf 'policy   messy version 1 {\ntargets x86_64\n  syscalls { allow read,write }\n}\n' >"$work/messy.orig"
profile="$src/tests/golden/import/docker-default.json"
"$polc" build "$work/p.sbx" -o "$work/dist" >/dev/null 2>&1 || bad "build of p.sbx"

# Each writer with its target and the fixed temporary name it used to write through.
run_writer() {  # run_writer KIND TARGET
  case $1 in
    fmt) "$polc" fmt --write "$2" ;;
    import) "$polc" import oci "$profile" -o "$2" ;;
    test) "$polc" test "$work/p.sbx" -o "$2" ;;
    inspect) "$polc" inspect "$work/dist/p" -o "$2" ;;
    diff) "$polc" diff "$work/p.sbx" "$work/p.sbx" -o "$2" ;;
  esac
}
for kind in fmt import test inspect diff; do
  d="$work/$kind"
  mkdir -p "$d"
  target="$d/out.sbx"
  # 1. A link planted at the old fixed temporary name is neither followed nor needed.
  new_victim
  cp "$work/messy.orig" "$target"
  chmod 600 "$target"
  ln -s "$victim" "$target.polc-$kind.tmp"
  run_writer "$kind" "$target" >/dev/null 2>"$d/err"
  check "$kind: a link at $kind's old temporary name leaves its target untouched" -- victim_intact
  check "$kind: the output is written" -- test -s "$target"
  check "$kind: a replaced 0600 file stays 0600" -- test "$(stat -c %a "$target")" = 600
  check "$kind: no temporary is left" -- test -z "$(find "$d" -name '*polc-tmp*')"
  rm -f "$target.polc-$kind.tmp"
  if $root; then
    # 2. A link another user planted at the target is refused; where it points is untouched.
    new_victim
    rm -f "$target"
    ln -s "$victim" "$target"
    chown -h nobody "$target"
    if [ "$kind" = fmt ]; then
      # fmt reads the source through the link; point it at a formattable file owned by root.
      cp "$work/messy.orig" "$victim"
      chmod 600 "$victim"
      before=$(cat "$victim")
      run_writer "$kind" "$target" >/dev/null 2>"$d/err" && bad "fmt --write wrote through another user's link"
      check "fmt: the linked file is untouched" -- test "$(cat "$victim")" = "$before"
    else
      run_writer "$kind" "$target" >/dev/null 2>"$d/err" && bad "$kind -o wrote through another user's link"
      check "$kind: a link planted at the target leaves where it points untouched" -- victim_intact
    fi
    grep -q "owned by another user" "$d/err" && ok || bad "$kind: the refusal says why: $(cat "$d/err")"
    check "$kind: the planted link is left as it was" -- test -L "$target"
    rm -f "$target"
    # 3. Root replacing a user's 0600 file keeps it the user's and 0600.
    cp "$work/messy.orig" "$target"
    chown nobody:nogroup "$target"
    chmod 600 "$target"
    run_writer "$kind" "$target" >/dev/null 2>"$d/err"
    check "$kind: a replaced file keeps its owner and mode ($(stat -c '%U %a' "$target"))" -- \
      test "$(stat -c '%U %a' "$target")" = "nobody 600"
  fi
done

# Concurrent runs on one target never collide: every run succeeds and the file is whole.
target="$work/concurrent.sbx"
for round in 1 2 3 4 5; do
  cpids=()
  for i in 1 2 3 4 5 6 7 8; do
    "$polc" import oci "$profile" -o "$target" >/dev/null 2>"$work/concurrent.$i.err" &
    cpids+=($!)
  done
  failures=0
  for p in "${cpids[@]}"; do wait "$p" || failures=$((failures + 1)); done
  [ "$failures" = 0 ] || { bad "round $round: $failures of 8 concurrent writers failed: $(cat "$work"/concurrent.*.err | head -3)"; break; }
done
"$polc" import oci "$profile" >"$work/expected.sbx" 2>/dev/null
check "the concurrently written file is whole" -- cmp -s "$work/expected.sbx" "$target"
check "concurrent runs leave no temporary" -- test -z "$(find "$work" -maxdepth 1 -name '*polc-tmp*')"

# sign: a link planted at signatures.json is never written through (the bundle reader refuses a
# bundle holding a link, E0805; were it to get past, the write replaces the link itself).
mkdir -p "$work/keys"
"$polc" keygen --out "$work/keys/k" >/dev/null 2>&1 || bad "keygen"
new_victim
ln -s "$victim" "$work/dist/p/signatures.json"
"$polc" sign "$work/dist/p" --key "$work/keys/k.key" >/dev/null 2>"$work/sign.err"
check "sign: the file a link at signatures.json points to is untouched" -- victim_intact
rm -f "$work/dist/p/signatures.json"
# keygen: a link at the key's name is refused (it never replaces anything) and not followed.
new_victim
ln -s "$victim" "$work/keys/l.key"
"$polc" keygen --out "$work/keys/l" >/dev/null 2>&1 && bad "keygen wrote over a link"
check "keygen: the linked file is untouched" -- victim_intact
"$polc" keygen --out "$work/keys/m" >/dev/null 2>&1
check "keygen: the private key is 0600" -- test "$(stat -c %a "$work/keys/m.key")" = 600
check "keygen: no temporary is left" -- test -z "$(find "$work/keys" -name '*polc-tmp*')"

# build: left-over temporary directories of dead builds are removed; nothing else is.
dist="$work/dist"
stale="$dist/.p.tmp-AbC123"
mkdir -p "$stale/sources" "$work/keep"
echo partial >"$stale/manifest.json"
echo keep >"$work/keep/file"
ln -s "$work/keep" "$stale/sources/link"          # a link inside is removed as a link
ln -s "$work/keep" "$dist/.p.tmp-Link00"           # a link of that name is not a directory of ours
mkdir -p "$dist/.q.tmp-XyZ789" "$dist/.p.tmp-TooLong1" "$dist/p.tmp-NoDot1"  # other names
live="$dist/.p.tmp-Live01"
mkdir -p "$live"
echo writing >"$live/manifest.json"
# The live build's lock, held by this shell: flock(1) locks the open file description of fd 9,
# which stays open here (no process to wait for or to leave behind).
exec 9<"$live"
flock -n 9 || bad "cannot lock the live directory"
if $root; then
  mkdir -p "$dist/.p.tmp-Other1"
  chown nobody "$dist/.p.tmp-Other1"
fi
"$polc" build "$work/p.sbx" -o "$dist" >/dev/null 2>&1 9<&- || bad "build with left-overs beside it"
check "a dead build's temporary directory is removed" -- test ! -e "$stale"
check "a live build's temporary directory is kept" -- test -f "$live/manifest.json"
check "a link of that name is kept" -- test -L "$dist/.p.tmp-Link00"
check "nothing is removed through a link" -- test -f "$work/keep/file"
check "other names are kept" -- test -d "$dist/.q.tmp-XyZ789" -a -d "$dist/.p.tmp-TooLong1" -a -d "$dist/p.tmp-NoDot1"
if $root; then check "another user's directory is kept" -- test -d "$dist/.p.tmp-Other1"; fi
check "the build itself leaves no temporary directory" -- \
  test "$(find "$dist" -maxdepth 1 -name '.p.tmp-*' | sort | tr '\n' ' ')" = \
  "$(printf '%s ' $( { echo "$dist/.p.tmp-Link00"; echo "$live"; echo "$dist/.p.tmp-TooLong1"; $root && echo "$dist/.p.tmp-Other1"; } | sort))"
check "the bundle is complete" -- test -f "$dist/p/manifest.json"
exec 9<&-  # the live build "dies": its directory goes with the next build
"$polc" build "$work/p.sbx" -o "$dist" >/dev/null 2>&1 || bad "second build"
check "a build's directory is removed once its lock is gone" -- test ! -e "$live"

# build: the backends' files are written while the proofs run (StagedDirectory); when a proof
# then fails, nothing of that build remains and the previous output is untouched.
staged="$work/staged"
"$polc" build "$work/p.sbx" -o "$staged" >/dev/null 2>&1 || bad "build before the failing one"
cp -r "$staged/p" "$work/p.before"
sed 's/^}$/  assert never read\n}/' "$work/p.sbx" >"$work/failing.sbx"
grep -q 'assert never read' "$work/failing.sbx" || bad "the failing policy has no assertion"
"$polc" build "$work/failing.sbx" -o "$staged" >"$work/failing.out" 2>&1
check "a build whose assertion fails exits 1" -- test $? -eq 1
check "it fails on the assertion" -- grep -q 'E0504' "$work/failing.out"
check "the previous output is untouched" -- diff -r "$work/p.before" "$staged/p"
check "nothing of the failed build remains" -- test "$(ls -A "$staged")" = p
# A DIR that does not exist yet is made only by a build that succeeds.
"$polc" build "$work/failing.sbx" -o "$work/fresh/nested" >/dev/null 2>&1
check "a failed build into a new DIR creates no directory" -- test ! -e "$work/fresh"
"$polc" build "$work/p.sbx" -o "$work/fresh/nested" >/dev/null 2>&1 || bad "build into a new nested DIR"
check "a build into a new nested DIR makes it" -- test -f "$work/fresh/nested/p/manifest.json"

echo "output_safety: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
