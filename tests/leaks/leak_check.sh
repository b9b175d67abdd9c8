#!/bin/sh
# leaks.snapshot / leaks.check: no test leaves anything behind. CTest runs `snapshot` before every
# other test (FIXTURES_SETUP) and `check` after all of them (FIXTURES_CLEANUP), also with -j and
# with -R, which pulls both in. `check` fails, naming each one, on what the run made and did not
# remove:
#   - network namespaces named like the tests' (polc-*, sbxtest-*),
#   - mount points (this mount namespace's /proc/self/mountinfo),
#   - processes that carry the suite's marker in their environment (POLC_TEST_SUITE, which every
#     test inherits from CTest) or run a program from the build or source tree,
#   - temporary files and directories in /tmp and /var/tmp named like the tests' (polc*, sbx*, tmp.*),
#     and /workspace/.attacks.
# The names are shared with any other suite running on the same machine: a namespace whose name
# embeds the PID of a live process, or a temporary entry a process outside the suite works in,
# belongs to a run in progress elsewhere and is left out; while another suite runs (a ctest in
# another build directory), new temporary entries are listed but not counted.
# usage: leak_check.sh snapshot|check STATE_DIR BUILD_DIR SOURCE_DIR
set -u
mode=$1 state=$2 build=$3 src=$4
mkdir -p "$state"

netns() { ip netns list 2>/dev/null | sed -n 's/^\(\(polc\|sbxtest\)-[^ ]*\).*/\1/p' | sort -u; }
# Mount points, but /run/netns and what is under it: iproute2 mounts /run/netns on the first `ip
# netns add` and keeps it, and each namespace's file there is the namespace check's to report.
mounts() { awk '$5 != "/run/netns" && $5 !~ "^/run/netns/" {print $5}' /proc/self/mountinfo | sort -u; }
temps() {
  for dir in /tmp /var/tmp; do
    for f in "$dir"/polc* "$dir"/sbx* "$dir"/tmp.*; do [ -e "$f" ] && echo "$f"; done
  done
  [ -e /workspace/.attacks ] && echo /workspace/.attacks
  return 0
}
# PID and command line of every process of the suite but this script and its children.
procs() {
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$pid" = $$ ] && continue
    [ "$(awk '/^PPid:/ {print $2}' "$p/status" 2>/dev/null)" = $$ ] && continue
    ours=0
    if tr '\0' '\n' 2>/dev/null <"$p/environ" | grep -qx "POLC_TEST_SUITE=$build"; then ours=1; fi
    exe=$(readlink "$p/exe" 2>/dev/null) || exe=""
    case $exe in "$build"/*|"$src"/*) ours=1 ;; esac
    [ $ours = 1 ] || continue
    echo "$pid $(tr '\0' ' ' 2>/dev/null <"$p/cmdline")"
  done
  return 0
}
# True when a number in the namespace's name is the PID of a live process: the tests name their
# namespaces after their own PID, so the namespace belongs to a run still in progress elsewhere.
live_owner() {
  for field in $(echo "$1" | tr -- '-' ' '); do
    case $field in *[!0-9]*|'') continue ;; esac
    kill -0 "$field" 2>/dev/null && return 0
  done
  return 1
}

# True when a process that is not the suite's works in PATH (its cwd, an open file, or its command
# line): a run in progress elsewhere on the machine, whose names the tests share.
in_use() {
  for p in /proc/[0-9]*; do
    case $(readlink "$p/cwd" 2>/dev/null) in "$1"|"$1"/*) return 0 ;; esac
    for fd in "$p"/fd/*; do
      case $(readlink "$fd" 2>/dev/null) in "$1"|"$1"/*) return 0 ;; esac
    done
    tr '\0' '\n' 2>/dev/null <"$p/cmdline" | grep -qF -- "$1" && return 0
  done
  return 1
}

# Prints a line about another test suite running on this machine now (a ctest in another build
# directory, or a test carrying another suite's marker), if there is one.
other_suite() {
  for p in /proc/[0-9]*; do
    exe=$(readlink "$p/exe" 2>/dev/null) || continue
    if [ "${exe##*/}" = ctest ]; then
      cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
      case $cwd in "$build"|"$build"/*) ;; *) echo "ctest (pid ${p#/proc/}) in $cwd"; return 0 ;; esac
    fi
    marker=$(tr '\0' '\n' 2>/dev/null <"$p/environ" | grep '^POLC_TEST_SUITE=') || continue
    [ "$marker" = "POLC_TEST_SUITE=$build" ] || { echo "a test of ${marker#*=} (pid ${p#/proc/})"; return 0; }
  done
  return 1
}

case $mode in
  snapshot)
    netns >"$state/netns"
    mounts >"$state/mounts"
    temps | sort >"$state/temps"
    echo "snapshot: $(wc -l <"$state/netns") namespaces, $(wc -l <"$state/mounts") mounts, $(wc -l <"$state/temps") temporary entries"
    # Processes are not compared with the snapshot: none of the suite's may be alive at the end.
    exit 0 ;;
  check) ;;
  *) echo "usage: $0 snapshot|check STATE_DIR BUILD_DIR SOURCE_DIR" >&2; exit 2 ;;
esac

[ -f "$state/netns" ] || { echo "FAIL: no snapshot in $state (leaks.snapshot did not run)"; exit 1; }
leaks=0
report() {
  echo "LEAK ($1): $2"
  leaks=$((leaks + 1))
}
for ns in $(netns | comm -13 "$state/netns" -); do
  live_owner "$ns" || report "network namespace" "$ns"
done
for m in $(mounts | comm -13 "$state/mounts" -); do report mount "$m"; done
temps | sort | comm -13 "$state/temps" - | while read -r f; do
  in_use "$f" || echo "LEAK (temporary): $f"
done >"$state/temp-leaks"
# Temporary names are shared by every suite: while another one runs, a new entry may be its work in
# progress, so they are listed and not counted (namespaces and processes stay attributable).
if [ -s "$state/temp-leaks" ] && other=$(other_suite); then
  echo "another test suite is running ($other), so these temporary entries cannot be attributed to this run:"
  sed 's/^LEAK (temporary)/  not counted/' "$state/temp-leaks"
  : >"$state/temp-leaks"
fi
while read -r line; do report temporary "${line#LEAK (temporary): }"; done <"$state/temp-leaks"
procs >"$state/proc-leaks"
while read -r line; do report process "$line"; done <"$state/proc-leaks"
rm -f "$state/temp-leaks" "$state/proc-leaks"
if [ $leaks -ne 0 ]; then
  echo "FAIL: $leaks thing(s) the tests made survived the run"
  exit 1
fi
echo "nothing left behind"
