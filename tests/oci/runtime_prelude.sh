# The shared start of the OCI runtime tests (oci_runtime_test.sh, oci_user_test.sh), sourced:
# their arguments, and a skip (CTest's 77) unless this is root with the runtime, runc (whose
# `runc spec` is the base config) and busybox-static (the rootfs has no libc) installed.
# usage: . runtime_prelude.sh POLC SOURCE_DIR RUNTIME POLICY   (sets polc src runtime policy busybox;
# pass and fail count the checks in checks and failures)
polc=$1 src=$2 runtime=$3 policy=$4
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "OCI runtimes need root here"
command -v "$runtime" >/dev/null || skip "$runtime is not installed (scripts/install-deps.sh installs it)"
command -v runc >/dev/null || skip "runc is not installed: its \`runc spec\` is the base config"
busybox=/bin/busybox  # busybox-static's: the rootfs has no libc
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "install ok installed" && [ -x "$busybox" ] ||
  skip "busybox-static is not installed (scripts/install-deps.sh installs it)"

checks=0 failures=0
pass() { checks=$((checks + 1)); echo "ok: $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $*"; }
