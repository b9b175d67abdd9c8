#!/usr/bin/env bash
# kernel.bwrap: python_agent's x86_64 filter, as written by `polc build`, loaded by bubblewrap
# (`bwrap --seccomp 3 ... 3< seccomp.x86_64.bpf`). Allowed work (a program, Python with a thread and
# a subprocess, an AF_INET socket) must run; calls the policy refuses must fail exactly as it says:
# SIGSYS for its kill rules (bwrap then exits 128 + 31 = 159), PermissionError for its default
# errno(EPERM), ENOSYS for std.hardening's io_uring_setup rule. Every refusal is also run without
# the filter, to show that the kernel alone would have answered differently.
#
# usage: bwrap_test.sh POLC SOURCE_DIR
# Exits 77 (CTest: skipped) only if bwrap is missing or cannot create any sandbox here.
# POLC_KERNEL_TEST_FILTER_OVERRIDE=python_agent:FILE (or *:FILE) tests FILE instead of the built
# filter, to check by hand that this test fails on a weakened filter.
set -u

polc=$1
src=$2
python=/usr/bin/python3  # Debian's python3.11, the interpreter python_agent is written for

skip() { echo "SKIP: $*"; exit 77; }

command -v bwrap >/dev/null ||
  skip "bwrap is not installed (scripts/install-deps.sh installs bubblewrap)"
if [ ! -x "$python" ]; then
  echo "FAIL: $python is missing (scripts/install-deps.sh installs python3)"
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$polc" build "$src/examples/python_agent.sbx" -o "$tmp" >"$tmp/build.log" 2>&1; then
  echo "FAIL: polc build examples/python_agent.sbx:"; cat "$tmp/build.log"; exit 1
fi
filter=$tmp/python_agent/seccomp.x86_64.bpf
case "${POLC_KERNEL_TEST_FILTER_OVERRIDE:-}" in
  python_agent:* | \*:*)
    filter=${POLC_KERNEL_TEST_FILTER_OVERRIDE#*:}
    echo "*** POLC_KERNEL_TEST_FILTER_OVERRIDE: testing $filter instead of the built filter ***" ;;
esac
[ -s "$filter" ] || { echo "FAIL: no filter at $filter"; exit 1; }

# How bwrap can build a sandbox here, found without any filter: as root it needs no user
# namespace; otherwise it needs one (and a PID namespace to mount /proc in it).
sandbox=(bwrap --ro-bind / / --dev /dev --proc /proc)
if ! "${sandbox[@]}" -- /bin/true 2>"$tmp/bwrap.err"; then
  sandbox+=(--unshare-user --unshare-pid)
  "${sandbox[@]}" -- /bin/true 2>>"$tmp/bwrap.err" ||
    skip "bwrap cannot create a sandbox on this machine: $(tr '\n' ' ' <"$tmp/bwrap.err")"
fi
echo "sandbox: ${sandbox[*]} --seccomp 3 -- ... 3< $filter"

checks=0
failures=0

# run FILTERED|PLAIN CMD... : runs CMD in the sandbox (with or without the filter); sets $status
# and $out (stdout and stderr).
run() {
  local mode=$1; shift
  if [ "$mode" = FILTERED ]; then
    out=$("${sandbox[@]}" --seccomp 3 -- "$@" 3<"$filter" </dev/null 2>&1)
  else
    out=$("${sandbox[@]}" -- "$@" </dev/null 2>&1)
  fi
  status=$?
}

# check DESCRIPTION STATUS OUTPUT_REGEX CMD... : under the filter, CMD must exit with STATUS and
# print something matching OUTPUT_REGEX ('' for anything). For a refusal (STATUS 159, or an
# OUTPUT_REGEX naming an errno) the unfiltered run must differ, or the check would prove nothing.
check() {
  local what=$1 want_status=$2 want_out=$3; shift 3
  checks=$((checks + 1))
  run FILTERED "$@"
  if [ "$status" -ne "$want_status" ] || ! [[ $out =~ $want_out ]]; then
    failures=$((failures + 1))
    echo "not ok $checks - $what: expected exit $want_status and output matching /$want_out/," \
         "got exit $status and output:"
    sed 's/^/    /' <<<"$out"
    return
  fi
  if [ "$want_status" -eq 159 ] || [[ $want_out == *errno* ]]; then
    local filtered_out=$out
    run PLAIN "$@"
    if [ "$status" -eq "$want_status" ] && [ "$out" = "$filtered_out" ]; then
      failures=$((failures + 1))
      echo "not ok $checks - $what: the same happens without the filter (exit $status), so the" \
           "check cannot tell whether the filter refused the call"
      return
    fi
  fi
  echo "ok $checks - $what"
}

# py DESCRIPTION STATUS OUTPUT_REGEX CODE : check with `python3 -c CODE`.
py() { check "$1" "$2" "$3" "$python" -c "$4"; }

# Reports the errno of an OSError, or that the call succeeded.
try='import ctypes, os, socket, sys
def attempt(f):
    try:
        f()
        print("succeeded")
    except OSError as e:
        print("errno", e.errno)
libc = ctypes.CDLL(None, use_errno=True)
def raw(nr, *args):
    if libc.syscall(nr, *args) == -1:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
'

# ---- allowed ----------------------------------------------------------------------------------
check "/bin/true runs (execve, the dynamic loader, exit_group)" 0 '' /bin/true
py "python3 starts and prints" 0 '^1$' 'print(1)'
# threading: clone3 answers ENOSYS (hardening.sbx:50) and glibc falls back to clone (@process);
# subprocess: vfork-style clone, execve and wait4 (@process via std.lang.python).
py "python3 runs a thread and a subprocess" 0 '^thread
0$' 'import subprocess, threading
t = threading.Thread(target=print, args=("thread",)); t.start(); t.join()
print(subprocess.run(["/bin/true"]).returncode)'
py "socket(AF_INET, SOCK_STREAM) is allowed (python_agent.sbx:33)" 0 '^succeeded$' \
  "$try"'attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close())'

# ---- killed (bwrap exits 128 + SIGSYS) ----------------------------------------------------------
py "unshare(CLONE_NEWUSER) is killed (hardening.sbx:44)" 159 '' \
  "$try"'raw(272, 0x10000000); print("unshare returned")'
py "ioctl(0, TIOCSTI) is killed (hardening.sbx:74)" 159 '' \
  'import fcntl, termios; fcntl.ioctl(0, termios.TIOCSTI, b"x")'
# The kernel reads the request as 32 bits, so this is TIOCSTI too (ctypes passes all 64 bits).
py "ioctl(0, TIOCSTI | 1<<32) is killed (hardening.sbx:74)" 159 '' \
  "$try"'attempt(lambda: raw(16, 0, ctypes.c_ulong(0x100005412), ctypes.c_char_p(b"x")))'
py "ptrace is killed (hardening.sbx:23, @debugging)" 159 '' \
  "$try"'attempt(lambda: raw(101, 16, 0, 0, 0))'

# ---- refused with an errno --------------------------------------------------------------------
py "memfd_create gets EPERM from the default (python_agent.sbx:28)" 0 '^errno 1$' \
  "$try"'attempt(lambda: os.memfd_create("x"))'
py "socket(AF_NETLINK) gets EPERM from the default (python_agent.sbx:28, :33)" 0 '^errno 1$' \
  "$try"'attempt(lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0).close())'
py "io_uring_setup gets ENOSYS (hardening.sbx:57)" 0 '^errno 38$' \
  "$try"'buf = ctypes.create_string_buffer(120); attempt(lambda: raw(425, 1, buf))'

echo "$((checks - failures)) of $checks bwrap checks passed"
[ "$failures" -eq 0 ]
