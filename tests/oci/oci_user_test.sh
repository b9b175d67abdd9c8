#!/usr/bin/env bash
# kernel.oci_user_runc / kernel.oci_user_crun / kernel.oci_user_podman: the profile `polc build`
# writes, run the way Docker and Podman run a container by default: process.user set and
# no_new_privileges off. The runtime then loads the profile *before* it switches to the user
# (runc: libcontainer/standard_init_linux.go; crun likewise), so the profile must allow the
# switch. Checked on a minimal busybox rootfs, with the real runtime:
#   - the policy without `import std.container.runtime`: the container does not start, and the
#     runtime names the refused call (setgroups, setresgid, ...);
#   - with it: the container runs as uid/gid 1000 with an additional group, and as root (both with
#     no_new_privileges off), and with no_new_privileges on; the profile is in force in each
#     (mkdir gets the policy's ENOSPC).
# runc and crun get `runc spec`'s config.json with the bundle's oci-config.json merged in
# (scripts/oci-merge-config.py); podman gets `--security-opt seccomp=seccomp.oci.json` exactly as
# docs/backends/seccomp.md writes it, on an image imported from the rootfs (`podman import`, no
# registry), with storage and state in the test's temporary directory.
#
# usage: oci_user_test.sh POLC SOURCE_DIR RUNTIME POLICY
# Exits 77 (CTest: skipped) when not root, or the runtime or busybox-static is missing.
set -u

. "$(dirname "$0")/runtime_prelude.sh" "$@"

tmp=$(mktemp -d /tmp/polc-oci-user.XXXXXX)
state=$tmp/state

# crun (podman's default runtime too) refuses a hybrid cgroup host; as in oci_runtime_test.sh it
# then runs in a private mount namespace of the test's own without /sys/fs/cgroup/unified.
wrap=()
if [ "$runtime" != runc ] && grep -qs . /sys/fs/cgroup/unified/cgroup.controllers; then
  echo "note: hybrid cgroups: $runtime runs in a private mount namespace without /sys/fs/cgroup/unified"
  wrap=(unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified && exec "$@"' sh)
fi
# podman's storage, state and image live in $tmp: nothing is left in /var/lib/containers.
podman_cmd=("${wrap[@]}" podman --root "$tmp/storage" --runroot "$tmp/run" --cgroup-manager cgroupfs
            --events-backend file --storage-driver vfs)

containers=()
cleanup() {
  if [ "$runtime" = podman ]; then
    "${podman_cmd[@]}" rm -af >/dev/null 2>&1
    "${podman_cmd[@]}" system reset -f >/dev/null 2>&1
  else
    for id in "${containers[@]}"; do "${wrap[@]}" "$runtime" --root "$state" delete -f "$id" >/dev/null 2>&1; done
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# Two bundles: the policy as written, and the same policy importing std.runtime.glibc (which
# std.container.runtime imports) instead, so that the only difference is the module's own rules.
name=$(basename "$policy" .sbx)
build() {  # build SOURCE OUT
  if ! "$polc" build "$1" -o "$2" >"$2.log" 2>&1; then
    echo "FAIL: polc build $1:"; cat "$2.log"; exit 1
  fi
}
grep -q "import std.container.runtime, " "$policy" || { echo "FAIL: $policy does not import std.container.runtime first"; exit 1; }
sed 's/import std.container.runtime, /import std.runtime.glibc, /' "$policy" >"$tmp/$name.sbx"
build "$policy" "$tmp/with"
build "$tmp/$name.sbx" "$tmp/without"

bundle=$tmp/bundle
rootfs=$bundle/rootfs
mkdir -p "$rootfs"/{bin,proc,sys,dev,tmp,etc}
cp "$busybox" "$rootfs/bin/busybox"
for applet in sh id mkdir echo true; do ln -s busybox "$rootfs/bin/$applet"; done
chmod 1777 "$rootfs/tmp"

(cd "$bundle" && runc spec && mv config.json base.json) || { echo "FAIL: runc spec"; exit 1; }

if [ "$runtime" = podman ]; then
  echo "runtime: $(podman --version)"
  tar -C "$rootfs" -cf "$tmp/rootfs.tar" . || { echo "FAIL: tar of the rootfs"; exit 1; }
  "${podman_cmd[@]}" import "$tmp/rootfs.tar" localhost/polc-oci-user:test >"$tmp/import.log" 2>&1 ||
    { echo "FAIL: podman import:"; cat "$tmp/import.log"; exit 1; }
else
  echo "runtime: $($runtime --version | head -1)"
fi

# run BUNDLE UID GID NNP ARGS...: runs ARGS in a fresh container under BUNDLE's profile as UID:GID
# (with additional group 10 when not root) and no_new_privileges NNP; sets $out and $status.
n=0
run() {
  local which=$1 uid=$2 gid=$3 nnp=$4
  shift 4
  n=$((n + 1))
  local id="polc-oci-user-$$-$n"
  if [ "$runtime" = podman ]; then
    # Docker's and Podman's defaults are no_new_privileges off; the option turns it on. The
    # rlimits are lowered: podman's own defaults exceed the hard limits of some hosts, where
    # the runtime cannot raise them.
    local opts=(--rm --network none --security-opt "seccomp=$tmp/$which/$name/seccomp.oci.json"
                --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
    [ "$uid" = 0 ] || opts+=(--user "$uid:$gid" --group-add 10)
    [ "$nnp" = true ] && opts+=(--security-opt no-new-privileges)
    out=$(timeout 120 "${podman_cmd[@]}" run "${opts[@]}" localhost/polc-oci-user:test "$@" </dev/null 2>&1)
    status=$?
    return
  fi
  # config.json: `runc spec`'s, the bundle's fragment merged in, then this run's process.
  python3 "$src/scripts/oci-merge-config.py" "$bundle/base.json" "$tmp/$which/$name/oci-config.json" \
    -o "$bundle/config.json" || { out="merging failed"; status=1; return; }
  python3 - "$bundle/config.json" "$uid" "$gid" "$nnp" "$@" <<'EOF'
import json, sys
path, uid, gid, nnp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "true"
config = json.load(open(path))
p = config["process"]
p["args"] = sys.argv[5:]
p["terminal"] = False
p["user"] = {"uid": uid, "gid": gid}
if uid != 0:
    p["user"]["additionalGids"] = [10]
p["noNewPrivileges"] = nnp
config["root"]["readonly"] = False
json.dump(config, open(path, "w"), indent=2)
EOF
  containers+=("$id")
  out=$(cd "$bundle" && timeout 60 "${wrap[@]}" "$runtime" --root "$state" run --bundle "$bundle" "$id" </dev/null 2>&1)
  status=$?
  "${wrap[@]}" "$runtime" --root "$state" delete -f "$id" >/dev/null 2>&1
}

# Without the module: the runtime's own user switch is refused, whoever the user is.
for who in "1000 1000" "0 0"; do
  set -- $who
  run without "$1" "$2" false id
  if [ "$status" != 0 ] && ! echo "$out" | grep -q "uid=" &&
     echo "$out" | grep -qiE "setgroups|setresgid|setresuid|setgid|setuid|capset|operation not permitted"; then
    pass "without std.container.runtime, uid $1 and no_new_privileges off: the runtime fails: $(echo "$out" |
      grep -iE "setgroups|setresgid|setresuid|setgid|setuid|capset|operation not permitted" | head -1 | cut -c1-200)"
  else fail "without std.container.runtime, uid $1, no_new_privileges off, should fail naming the refused call: status $status, output: $out"; fi
done

# With it: the user switch works, and the profile is in force.
run with 1000 1000 false id
if [ "$status" = 0 ] && echo "$out" | grep -q "^uid=1000 gid=1000 groups=.*10"; then
  pass "with std.container.runtime: uid 1000, gid 1000, group 10, no_new_privileges off ($out)"
else fail "with std.container.runtime, uid 1000: status $status, output: $out"; fi

run with 1000 1000 false mkdir /tmp/d
if [ "$status" != 0 ] && echo "$out" | grep -q "No space left on device"; then
  pass "the profile is in force after the switch: mkdir gets ENOSPC"
else fail "mkdir should get the policy's ENOSPC: status $status, output: $out"; fi

run with 0 0 false id
if [ "$status" = 0 ] && echo "$out" | grep -q "^uid=0 gid=0"; then
  pass "with std.container.runtime: root, no_new_privileges off ($out)"
else fail "with std.container.runtime, root: status $status, output: $out"; fi

run with 1000 1000 true id
if [ "$status" = 0 ] && echo "$out" | grep -q "^uid=1000 gid=1000"; then
  pass "with std.container.runtime: uid 1000, no_new_privileges on"
else fail "with std.container.runtime, no_new_privileges on: status $status, output: $out"; fi

echo "$checks checks, $failures failed"
[ "$failures" = 0 ]
