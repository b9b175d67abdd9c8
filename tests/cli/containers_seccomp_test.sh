#!/usr/bin/env bash
# `polc import oci` on the seccomp profile Debian installs with containers/common (package
# golang-github-containers-common), which writes errno names (`defaultErrno`, `errno`) beside the
# numbers. A newcomer's likeliest first import: it must succeed and the policy must compile.
# Usage: containers_seccomp_test.sh POLC. Exit 77 (skipped) when the profile is not installed;
# POLC_CONTAINERS_SECCOMP names another copy of it.
set -u
polc=$1
profile=${POLC_CONTAINERS_SECCOMP:-/usr/share/containers/seccomp.json}
if [ ! -f "$profile" ]; then
  echo "skipped: $profile is absent (apt-get install golang-github-containers-common)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

check() {  # check DESCRIPTION -- CMD...
  local what=$1
  shift 2
  if "$@"; then passed=$((passed + 1)); else
    failed=$((failed + 1))
    echo "FAIL: $what"
  fi
}

"$polc" import oci "$profile" >"$work/containers.sbx" 2>"$work/import.err"
status=$?
check "the import succeeds" -- test "$status" -eq 0
check "the import reports no error" -- test "$(grep -c 'error\[' "$work/import.err")" -eq 0
# The profile's default is errnoRet 38 and errno ENOSYS; its refusals are EPERM (and EINVAL for
# personality-like calls): the names must carry the same action, not a different one.
check "the default is errno(ENOSYS)" -- grep -q '^    default errno(ENOSYS)$' "$work/containers.sbx"
check "refusals keep errno(EPERM)" -- grep -q '^    errno(EPERM) ' "$work/containers.sbx"
"$polc" check "$work/containers.sbx" >"$work/check.out" 2>&1
check "the imported policy passes polc check" -- test $? -eq 0
if [ "$failed" -ne 0 ]; then sed 's/^/  import | /' "$work/import.err" | head -40; sed 's/^/  check | /' "$work/check.out" | head -40; fi

echo "containers_seccomp: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
