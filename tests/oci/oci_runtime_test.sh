#!/usr/bin/env bash
# kernel.oci_runc / kernel.oci_crun: polc's oci-config.json fragment, merged into the config.json
# `runc spec` writes (scripts/oci-merge-config.py), run by a real OCI runtime on a minimal busybox
# rootfs. Checked inside the container, each time against a sibling that must keep working:
#   - a command runs and its exit status comes back;
#   - a masked path (linux.maskedPaths) cannot be read or listed, its sibling can;
#   - a read-only path (linux.readonlyPaths) refuses a write, its sibling takes one;
#   - a tmpfs mount is private and has the policy's size; RLIMIT_NOFILE is the policy's;
#   - the seccomp profile (linux.seccomp) answers the denied syscall with the policy's errno;
#   - when the policy limits tasks: a shell starting twice as many sleeps as pids.limit allows
#     sees forks fail; when it limits memory: the container's own cgroup (cgroup namespace) has
#     that limit (memory.max, or memory.limit_in_bytes on cgroup v1).
# Everything runs inside the container's namespaces; the runtime's state lives in the test's
# temporary directory and every container is deleted (runc/crun delete -f), whatever happens.
#
# usage: oci_runtime_test.sh POLC SOURCE_DIR RUNTIME POLICY
# Exits 77 (CTest: skipped) when not root, or the runtime or busybox-static is missing.
set -u

. "$(dirname "$0")/runtime_prelude.sh" "$@"

tmp=$(mktemp -d /tmp/polc-oci.XXXXXX)
state=$tmp/state  # the runtime's own state: --root, so nothing is left in /run

# crun refuses a hybrid cgroup host (v1 controllers, and a cgroup2 hierarchy with controllers of
# its own at /sys/fs/cgroup/unified). It then runs in a private mount namespace of the test's own
# without that hierarchy, where it sees plain cgroup v1; the host's mounts are not touched.
rt=("$runtime" --root "$state")
if [ "$runtime" = crun ] && grep -qs . /sys/fs/cgroup/unified/cgroup.controllers; then
  echo "note: hybrid cgroups: crun runs in a private mount namespace without /sys/fs/cgroup/unified"
  rt=(unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified && exec "$@"' sh "${rt[@]}")
fi

containers=()
cleanup() {
  for id in "${containers[@]}"; do "${rt[@]}" delete -f "$id" >/dev/null 2>&1; done
  rm -rf "$tmp"
}
trap cleanup EXIT

name=$(basename "$policy" .sbx)
if ! "$polc" build "$policy" -o "$tmp/out" >"$tmp/build.log" 2>&1; then
  echo "FAIL: polc build $policy:"; cat "$tmp/build.log"; exit 1
fi
fragment=$tmp/out/$name/oci-config.json
[ -s "$fragment" ] || { echo "FAIL: no $fragment"; exit 1; }

# The rootfs: busybox and its applets, and the data tree the policy talks about.
bundle=$tmp/bundle
rootfs=$bundle/rootfs
mkdir -p "$rootfs"/{bin,proc,sys,dev,tmp,etc,scratch} "$rootfs"/data/{secret,hidden,ro,rw,pub}
cp "$busybox" "$rootfs/bin/busybox"
for applet in sh cat ls echo sleep mkdir touch rm grep wc true; do ln -s busybox "$rootfs/bin/$applet"; done
echo "top secret" >"$rootfs/data/secret/key"
echo "hidden" >"$rootfs/data/hidden/file"
echo "on the rootfs" >"$rootfs/scratch/file"
echo "public" >"$rootfs/data/pub/file"
echo "frozen" >"$rootfs/data/ro/file"

(cd "$bundle" && runc spec) || { echo "FAIL: runc spec"; exit 1; }
python3 "$src/scripts/oci-merge-config.py" "$bundle/config.json" "$fragment" -o "$bundle/merged.json" ||
  { echo "FAIL: merging $fragment"; exit 1; }
has() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$fragment" "$1"; }

# run ARGS...: runs ARGS in a fresh container (root writable, no terminal); sets $out and $status.
n=0
run() {
  n=$((n + 1))
  local id="polc-oci-$$-$n"
  python3 - "$bundle/merged.json" "$bundle/config.json" "$@" <<'EOF'
import json, sys
config = json.load(open(sys.argv[1]))
config["process"]["args"] = sys.argv[3:]
config["process"]["terminal"] = False
config["root"]["readonly"] = False  # so that a refused write is the policy's, not the rootfs's
json.dump(config, open(sys.argv[2], "w"), indent=2)
EOF
  containers+=("$id")
  out=$(cd "$bundle" && timeout 60 "${rt[@]}" run --bundle "$bundle" "$id" </dev/null 2>&1)
  status=$?
  "${rt[@]}" delete -f "$id" >/dev/null 2>&1
}

echo "runtime: $($runtime --version | head -1)"

run sh -c 'echo hello from the container; exit 7'
if [ "$status" = 7 ] && [ "$out" = "hello from the container" ]; then pass "a command runs (exit 7 comes back)"
else fail "a command should run and exit 7: status $status, output: $out"; fi

if [ "$(has "'/data/secret' in d['linux']['maskedPaths']")" = True ]; then
  run sh -c 'cat /data/secret/key; ls -A /data/secret | wc -l; cat /data/pub/file'
  if ! echo "$out" | grep -q "top secret" && echo "$out" | grep -qx "0" && echo "$out" | grep -qx "public"; then
    pass "the masked /data/secret cannot be read or listed; /data/pub can"
  else fail "masked path: $out"; fi
else fail "the fragment does not mask /data/secret"; fi

if [ "$(has "'/data/hidden' in d['linux']['maskedPaths']")" = True ]; then
  run sh -c 'cat /data/hidden/file; ls -A /data/hidden | wc -l'
  if ! echo "$out" | grep -qx "hidden" && echo "$out" | grep -qx "0"; then
    pass "the hidden /data/hidden cannot be read or listed"
  else fail "hidden path: $out"; fi
else fail "the fragment does not mask /data/hidden"; fi

if [ "$(has "any(m['destination'] == '/scratch' and m['type'] == 'tmpfs' for m in d['mounts'])")" = True ]; then
  run sh -c 'cat /scratch/file 2>/dev/null || echo "empty scratch"; grep " /scratch " /proc/mounts'
  if echo "$out" | grep -q "empty scratch" && echo "$out" | grep -q "tmpfs /scratch tmpfs .*size=8192k"; then
    pass "/scratch is a private tmpfs of 8MiB"
  else fail "/scratch tmpfs: $out"; fi
else fail "the fragment has no tmpfs on /scratch"; fi

nofile=$(has "next((r['soft'] for r in d['process']['rlimits'] if r['type'] == 'RLIMIT_NOFILE'), 0)")
if [ "$nofile" != 0 ]; then
  run sh -c 'ulimit -n'
  if [ "$out" = "$nofile" ]; then pass "RLIMIT_NOFILE is $nofile"
  else fail "RLIMIT_NOFILE should be $nofile: $out"; fi
fi

if [ "$(has "'/data/ro' in d['linux']['readonlyPaths']")" = True ]; then
  run sh -c 'echo x >/data/ro/new && echo WROTE-RO; echo y >/data/rw/new && echo WROTE-RW; cat /data/ro/file'
  if ! echo "$out" | grep -q WROTE-RO && echo "$out" | grep -q "Read-only file system" &&
     echo "$out" | grep -q WROTE-RW && echo "$out" | grep -q frozen; then
    pass "the read-only /data/ro refuses a write and still reads; /data/rw takes one"
  else fail "read-only path: $out"; fi
else fail "the fragment does not make /data/ro read-only"; fi

if [ "$(has "'seccomp' in d['linux']")" = True ]; then
  run sh -c 'mkdir /tmp/d; echo "mkdir: $?"; touch /tmp/f && echo touched'
  if echo "$out" | grep -q "No space left on device" && echo "$out" | grep -q "mkdir: 1" &&
     echo "$out" | grep -q touched; then
    pass "the seccomp profile answers mkdir with ENOSPC; other calls run"
  else fail "seccomp: $out"; fi
else fail "the fragment has no linux.seccomp"; fi

pids=$(has "d['linux']['resources'].get('pids', {}).get('limit', 0)")
if [ "$pids" != 0 ]; then
  forks=$((pids * 2))
  run sh -c "i=0; while [ \$i -lt $forks ]; do sleep 3 & i=\$((i+1)); done; echo started; wait"
  if echo "$out" | grep -qiE "can't fork|resource temporarily unavailable"; then
    pass "pids.limit $pids stops a shell starting $forks sleeps"
  else fail "pids.limit $pids: $forks sleeps started without a failed fork: $out"; fi
else echo "note: the policy sets no tasks limit: pids.limit not checked"; fi

memory=$(has "d['linux']['resources'].get('memory', {}).get('limit', 0)")
if [ "$memory" != 0 ]; then
  # The container's own group through its cgroup namespace: memory.max (v2) or the memory
  # controller's limit_in_bytes (v1).
  run sh -c 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes'
  if [ "$out" = "$memory" ]; then pass "the container's memory cgroup limit is $memory"
  else fail "the container's memory cgroup limit should be $memory: $out"; fi
else echo "note: the policy sets no memory limit: memory.max not checked"; fi

echo "$checks checks, $failures failed"
[ "$failures" = 0 ]
