# Shared by the network shell tests: skipping (exit 77) when the host cannot run them, a temp dir,
# namespaces with unique names, and cleanup that always runs. Source it; it sets `set -eu`.
set -eu

skip() {
  echo "SKIP: $*"
  exit 77
}

# need_root_and TOOL...: skip unless root with every tool on PATH.
need_root_and() {
  [ "$(id -u)" = 0 ] || skip "needs root (network namespaces, nft)"
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || skip "needs $tool"
  done
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/polc-net.XXXXXX")
NAMESPACES=""
PIDS=""

# Every namespace this run made is named polc-$$-SUFFIX ($$ is this script's PID, also in
# subshells). cleanup deletes the recorded ones and, so that no way of calling new_netns can leak
# one, every namespace with this run's prefix.
cleanup() {
  for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
  for pid in $PIDS; do wait "$pid" 2>/dev/null || true; done
  for ns in $NAMESPACES $(ip netns list 2>/dev/null | sed -n "s/^\(polc-$$-[^ ]*\).*/\1/p"); do
    # Whatever still runs in it (squid's helpers outlive squid) is killed, and waited for: the
    # test is not over while a process it started is.
    for _ in $(seq 100); do
      pids=$(ip netns pids "$ns" 2>/dev/null) || break
      [ -n "$pids" ] || break
      kill -9 $pids 2>/dev/null || true
      sleep 0.1
    done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# new_netns VAR SUFFIX: creates a namespace named uniquely for this run, with loopback up, records
# it for cleanup and stores its name in VAR. Call it directly, never as $(new_netns ...): a command
# substitution runs in a subshell, whose update of NAMESPACES the cleanup would never see.
new_netns() {
  ns="polc-$$-$2"
  NAMESPACES="$NAMESPACES $ns"
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  eval "$1=\$ns"
}

# bg COMMAND...: starts a background process that cleanup stops.
bg() {
  "$@" &
  PIDS="$PIDS $!"
}

FAILURES=0
pass() { echo "ok:   $*"; }
fail() {
  echo "FAIL: $*"
  FAILURES=$((FAILURES + 1))
}

# expect_ok/expect_fail DESCRIPTION COMMAND...: records whether the command succeeded as expected.
expect_ok() {
  desc=$1
  shift
  if "$@"; then pass "$desc"; else fail "$desc (expected success)"; fi
}
expect_fail() {
  desc=$1
  shift
  if "$@"; then fail "$desc (expected failure)"; else pass "$desc"; fi
}

finish() {
  if [ "$FAILURES" -ne 0 ]; then
    echo "$FAILURES check(s) failed"
    exit 1
  fi
  echo "all checks passed"
  exit 0
}
