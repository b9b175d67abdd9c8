#!/usr/bin/env bash
# attacks.python_agent: real escape attempts against examples/python_agent.sbx, enforced by sbx-exec.
#
# Every attack program (tests/attacks/*.c, see README.md) runs twice in the same prepared world:
#   1. UNCONFINED, as root in the test's network namespace: it must succeed (exit 0), or say that
#      this machine cannot make the attempt at all (exit 77), so that the confined run proves
#      something;
#   2. under `sbx-exec --bundle B --trust T --join-netns NS` (B signed for the run, T accepting
#      that signature): it must be blocked (exit 1, or killed by a signal
#      such as seccomp's SIGSYS). Exit 0 fails the test; 77 fails it unless run 1 was 77 as well.
#      The run writes its refusal events (`--events`, docs/telemetry.md) to a file of its own: a
#      blocked attack fails unless they name a layer (or it is listed in `no_event`, with the reason
#      nothing refuses it), and the layer `expect_layer` gives must be among them.
# Then a benign Python workload must succeed under the same sandbox. A table shows every result.
#
# python_agent lets the payload execute only /usr/bin/python3.11 and the dynamic loader, so the
# attacks are copied into /workspace/.attacks and started through the loader
# (`ld-linux-x86-64.so.2 /workspace/.attacks/NAME ARGS`), which is exactly how a real payload would
# run native code it dropped into the workspace under this policy.
#
# usage: run_attacks.sh --polc POLC --sbx-exec SBX_EXEC --attacks BIN_DIR --source SOURCE_DIR
#                       [--only NAME[,NAME...]] [--keep] [--seccomp-only]
#                       [--policy FILE --attack-dir DIR [--xfail NAME=REASON]... [--no-event NAME=REASON]...]
# --policy FILE runs the same attacks under another policy (polc learn's drafts,
# tests/learn/learn_acceptance.py) with the attacks copied into DIR (a directory the policy lets the
# payload read, whose parent the runs start in); which layer refuses then depends on that policy,
# so `expect_layer` is not asserted (nor that a `no_event` attack has no event), and the benign
# python_agent workload is not run.
# There, an attack that cannot even be set up under the sandbox (a step before the escape is
# refused: untestable only there) counts as blocked, and --xfail lists what that policy is meant
# to allow (a build job may execute what it builds in its workspace). --no-event adds attacks that
# policy stops before any layer that reports (its namespaces and mounts: a pid outside that does
# not exist in the payload's pid namespace, a link across the workspace's overlay), each with why.
# --seccomp-only (development): confine with `bwrap --seccomp` and the bundle's x86_64 filter
# instead of sbx-exec, i.e. the seccomp layer alone; attacks that other layers stop then escape.
# There are no events then, and nothing is asserted about them.
# Environment: SBX_EXEC overrides --sbx-exec.
# Exits 77 (CTest: skipped) when not root or `ip`/`nft` are missing.
set -u

polc="" sbx_exec="" attacks="" src="" only="" keep=0 seccomp_only=0 policy="" attack_dir="" extra_xfail=()
extra_no_event=()
while [ $# -gt 0 ]; do
  case $1 in
    --polc) polc=$2; shift 2 ;;
    --sbx-exec) sbx_exec=$2; shift 2 ;;
    --attacks) attacks=$2; shift 2 ;;
    --source) src=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --seccomp-only) seccomp_only=1; shift ;;
    --policy) policy=$2; shift 2 ;;
    --attack-dir) attack_dir=$2; shift 2 ;;
    --xfail) extra_xfail+=("$2"); shift 2 ;;
    --no-event) extra_no_event+=("$2"); shift 2 ;;
    *) echo "usage: $0 --polc POLC --sbx-exec SBX_EXEC --attacks BIN_DIR --source SOURCE_DIR" >&2
       exit 2 ;;
  esac
done
sbx_exec=${SBX_EXEC:-$sbx_exec}
# Absolute paths: the runs start in /workspace.
abs() { [ -n "$1" ] && [ -e "$1" ] && realpath "$1" || echo "$1"; }
polc=$(abs "$polc") sbx_exec=$(abs "$sbx_exec") attacks=$(abs "$attacks") src=$(abs "$src")
here=$(cd "$(dirname "$0")" && pwd)

skip() { echo "SKIP: $*"; exit 77; }
die() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "the attack tests need root (network namespace, listeners, /workspace)"
command -v ip >/dev/null || skip "ip (iproute2) is not installed"
command -v nft >/dev/null || skip "nft (nftables) is not installed"
[ -x "$polc" ] || die "polc not found at '$polc'"
[ -d "$attacks" ] || die "attack binaries not found at '$attacks'"
if [ "$seccomp_only" -eq 1 ]; then
  command -v bwrap >/dev/null || skip "--seccomp-only needs bwrap"
else
  [ -x "$sbx_exec" ] || die "sbx-exec not found at '$sbx_exec' (build the launcher, or set SBX_EXEC)"
fi

ldso=/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2   # python_agent's `execute` loader on x86_64
python=/usr/bin/python3.11                            # the interpreter python_agent is written for
[ -x "$ldso" ] || skip "$ldso is missing: python_agent is written for Debian 12's layout"
[ -x "$python" ] || skip "$python is missing: python_agent is written for Debian 12's python3.11"

# Attacks that are known to succeed under the policy, each with the reason. They are reported as
# XFAIL instead of failing the test; one that is blocked again is reported as XPASS (remove it).
# Findings belong here only with an explanation in README.md and in the review that adds them.
declare -A xfail=(
  [exec_dropped_via_loader]="python_agent grants execute on the dynamic loader (the kernel opens it with exec intent to start python3.11), and Landlock does not check the loader's PROT_EXEC mapping of a dropped file; Python's ctypes can do the same without the loader. Mount writable paths noexec where this matters (this harness itself loads the attacks this way)"
)
# Attacks that the policy stops through the account it runs as (python_agent's header: a
# dedicated user that owns nothing outside /workspace), so their confined run uses sbx-exec --user.
declare -A as_user=(
  [chmod_outside]=nobody
)
# Every blocked confined run must leave a refusal event (sbx-exec --events, docs/telemetry.md)
# naming the layer that stopped it, except these: attacks that nothing refuses, each with the
# reason. Found by reading each attack's events; one that yields a refusal again fails the test
# (remove it from the list).
declare -A no_event=(
  [chmod_outside]="run as nobody (as_user), chmod of root's file fails the ownership check: file permissions, which no layer reports (Landlock does not confine chmod)"
  [inherited_fd]="sbx-exec closes the caller's descriptors above 2 on exec: the attack finds nothing open (EBADF), nothing is refused"
  [no_new_privs]="the attack only reads the no_new_privs flag sbx-exec set: nothing is attempted, nothing is refused"
)
# The layer that must be among an attack's refusal events, where the attack meets one layer only.
declare -A expect_layer=(
  [ptrace_attach_outside]=seccomp [ptrace_attach_child]=seccomp [keyctl_add_key]=seccomp
  [bpf_map_create]=seccomp [io_uring_setup]=seccomp [memfd_exec]=seccomp
  [unix_socket_outside]=seccomp
  [read_secret]=landlock [write_outside]=landlock [symlink_escape]=landlock
  [exec_dropped]=landlock [tcp_connect_metadata]=landlock [tcp_bind_disallowed_port]=landlock
  [kill_outside]=landlock
  [udp_exfil]=nftables [tcp_connect_metadata_allowed_port]=nftables
)

# ---------------------------------------------------------------------------------------------
# The world outside the sandbox, torn down by the trap whatever happens.
attack_root=${attack_dir:-/workspace/.attacks}
run_dir=$(dirname "$attack_root")  # where the runs start
if [ -n "$policy" ]; then
  expect_layer=()
  for x in "${extra_xfail[@]}"; do xfail[${x%%=*}]=${x#*=}; done
  for x in "${extra_no_event[@]}"; do no_event[${x%%=*}]=${x#*=}; done
fi
tmp=$(mktemp -d /tmp/polc-attacks-run.XXXXXX)
out=$(mktemp -d /var/tmp/polc-attacks-XXXXXX)  # outside every path python_agent allows
mkdir -m 0700 "$out/staging"
ns=polc-attacks-$$-$RANDOM
created_workspace=0 created_attack_root=0
sleeper="" listeners=""
cleanup() {
  [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
  [ -n "$listeners" ] && kill "$listeners" 2>/dev/null
  ip netns pids "$ns" 2>/dev/null | while read -r pid; do kill "$pid" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null
  if [ "$keep" -eq 0 ]; then
    # Only what this run made: a run that stops because another one's attack directory exists
    # must not remove it under that other run.
    [ "$created_attack_root" -eq 1 ] && rm -rf "$attack_root"
    rm -rf "$out" "$tmp"
    [ "$created_workspace" -eq 1 ] && rmdir /workspace 2>/dev/null
  else
    echo "kept: $tmp $out $attack_root (netns $ns deleted)"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

policy_file=${policy:-$src/examples/python_agent.sbx}
policy_name=$(sed -n 's/^policy \([A-Za-z_][A-Za-z0-9_]*\) .*/\1/p' "$policy_file" | head -n 1)
[ -n "$policy_name" ] || die "no policy name in $policy_file"
echo "== building the $policy_name bundle"
if ! "$polc" build "$policy_file" -o "$tmp/bundle" >"$tmp/build.log" 2>&1; then
  cat "$tmp/build.log"; die "polc build $policy_file failed"
fi
bundle=$tmp/bundle/$policy_name
artifacts="manifest.json seccomp.x86_64.bpf landlock.json nftables.nft"
[ "$seccomp_only" -eq 1 ] && artifacts=seccomp.x86_64.bpf
for artifact in $artifacts; do
  [ -s "$bundle/$artifact" ] || die "the bundle has no $artifact: $(ls "$bundle" | tr '\n' ' ')"
done

# Signed and launched with --trust, as in production: a reviewer's key made for this run, and a
# trust file (outside /tmp, which python_agent lets the payload write) that accepts its signature.
if [ "$seccomp_only" -eq 0 ]; then
  trust_dir=$out/trust
  mkdir -m 0755 "$trust_dir"
  "$polc" keygen --out "$tmp/reviewer" >"$tmp/reviewer.json" 2>"$tmp/keygen.log" ||
    { cat "$tmp/keygen.log"; die "polc keygen failed"; }
  printf '{"format": "polc.trust/1", "threshold": 1, "keys": [%s], "policies": {"%s": {"min_version": 0}}}\n' \
    "$(cat "$tmp/reviewer.json")" "$policy_name" >"$trust_dir/trust.json"
  chmod 0644 "$trust_dir/trust.json"
  "$polc" sign "$bundle" --key "$tmp/reviewer.key" >"$tmp/sign.log" 2>&1 || { cat "$tmp/sign.log"; die "polc sign failed"; }
  # Landlock reports its refusals to audit from ABI 7 on (docs/telemetry.md); asked of the kernel
  # directly: landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION).
  landlock_abi=$(python3 -c 'import ctypes; s = ctypes.CDLL(None).syscall; s.restype = ctypes.c_long
print(max(s(ctypes.c_long(444), None, ctypes.c_size_t(0), ctypes.c_uint(1)), 0))')
fi

# The policy's workspace path is absolute. Creating the empty directory is fine for a root test;
# everything the test puts there lives in /workspace/.attacks and is removed at the end.
if [ ! -d /workspace ]; then
  mkdir /workspace && created_workspace=1
fi
[ -e "$attack_root" ] && die "$attack_root exists already: another run, or left over"
mkdir -p "$attack_root/scratch" && created_attack_root=1
cp "$attacks"/* "$attack_root/"
cp "$here/benign_workload.py" "$attack_root/"
chmod -R a+rX "$attack_root"

secret_text=polc-secret-$RANDOM$RANDOM
echo "$secret_text" >"$out/secret"
chmod 600 "$out/secret"
mkdir "$out/w"
# The confined runs' event files: outside every path python_agent lets the payload write (as the
# trust file), so no payload can add or remove a line of its own run's events.
events_dir=$out/events
mkdir -m 0700 "$events_dir"
echo "movable-$RANDOM" >"$out/movable"
handle=$("$attacks/open_by_handle_passed" --make "$out/secret") ||
  die "could not obtain a file handle for the secret"

# A process outside the sandbox that holds the secret open on fd 3 (pidfd_getfd_steal takes it).
sleep 100000 3<"$out/secret" &
sleeper=$!

ip netns add "$ns" || die "ip netns add $ns failed"
ip -n "$ns" link set lo up
# The cloud metadata addresses live on a dummy interface, or on lo where the kernel has no dummy
# driver; either way they are local addresses of the namespace that a listener can bind.
meta_dev=meta0
if ip -n "$ns" link add meta0 type dummy 2>/dev/null; then
  ip -n "$ns" link set meta0 up
else
  meta_dev=lo
fi
ip -n "$ns" addr add 169.254.169.254/32 dev "$meta_dev" || die "cannot add 169.254.169.254"
ip -n "$ns" addr add fd00:ec2::254/128 dev "$meta_dev" nodad || die "cannot add fd00:ec2::254"

abstract=$ns  # unique per run, like the namespace
tool_body="polc-attacks tool server $RANDOM"
ip netns exec "$ns" /usr/bin/python3 "$here/listeners.py" --ready "$tmp/listeners.ready" \
  --http "127.0.0.1:8080=$tool_body" \
  --banner 127.0.0.1:9090 --banner 169.254.169.254:80 --banner 169.254.169.254:8080 \
  --banner "[fd00:ec2::254]:80" --banner 127.0.0.1:25 \
  --udp 127.0.0.1:9053 --abstract "$abstract" --unix "$out/host.sock" \
  >"$tmp/listeners.log" 2>&1 &
listeners=$!
for _ in $(seq 100); do
  [ -s "$tmp/listeners.ready" ] && break
  kill -0 "$listeners" 2>/dev/null || break
  sleep 0.1
done
[ -s "$tmp/listeners.ready" ] || { cat "$tmp/listeners.log"; die "the listeners did not start"; }

# ---------------------------------------------------------------------------------------------
# The attacks: NAME BINARY ARGS... (arguments contain no spaces).
ws=$attack_root/scratch
attack_list=(
  "ptrace_attach_outside ptrace_attach_outside $sleeper"
  "ptrace_attach_child ptrace_attach_child"
  "process_vm_readv process_vm_readv"
  "process_vm_writev process_vm_writev"
  "pidfd_getfd_steal pidfd_getfd_steal $sleeper"
  "io_uring_setup io_uring_setup"
  "int80_syscall int80_syscall"
  "x32_syscall x32_syscall"
  "unshare_userns unshare_userns"
  "unshare_netns unshare_netns"
  "clone_newns clone_newns"
  "clone3_newuser clone3_newuser"
  "setns_outside setns_outside $sleeper"
  "mount_tmpfs mount_tmpfs $ws/mnt"
  "chroot_escape chroot_escape $ws/root"
  "bpf_map_create bpf_map_create"
  "keyctl_add_key keyctl_add_key"
  "perf_event_open perf_event_open"
  "userfaultfd userfaultfd"
  "personality_exec personality_exec"
  "modify_ldt modify_ldt"
  "init_module init_module"
  "kexec_load kexec_load"
  "tiocsti_inject tiocsti_inject"
  "open_by_handle_at open_by_handle_at $out/secret"
  "open_by_handle_passed open_by_handle_passed $handle"
  "memfd_exec memfd_exec"
  "exec_dropped exec_dropped $ws/dropped_echo"
  "exec_dropped_via_loader exec_dropped_via_loader $ws/dropped_echo"
  "no_new_privs no_new_privs"
  "write_outside write_outside $out/w"
  "read_secret read_secret $out/secret"
  "inherited_fd inherited_fd 7 8"
  "symlink_escape symlink_escape $out/secret $ws/link-to-secret"
  "hardlink_escape hardlink_escape $out/secret $ws/hardlink-to-secret"
  "rename_escape rename_escape $out/movable $ws/moved-in"
  "proc_root_escape proc_root_escape $sleeper $out/secret"
  "proc_self_mem proc_self_mem"
  "chmod_outside chmod_outside $out/secret"
  "mknod_chardev mknod_chardev $ws/kmsg"
  "kill_outside kill_outside $sleeper"
  "abstract_unix_connect abstract_unix_connect $abstract"
  "unix_socket_outside unix_socket_outside $out/host.sock"
  "tcp_connect_disallowed_port tcp_connect 127.0.0.1 9090"
  "tcp_connect_smtp tcp_connect 127.0.0.1 25"
  "tcp_connect_metadata tcp_connect 169.254.169.254 80"
  "tcp_connect_metadata_v4mapped tcp_connect ::ffff:169.254.169.254 80"
  "tcp_connect_metadata_v6 tcp_connect fd00:ec2::254 80"
  "tcp_connect_metadata_allowed_port tcp_connect 169.254.169.254 8080"
  "tcp_bind_disallowed_port tcp_bind 9999"
  "mptcp_bind_disallowed_port mptcp_bind 9998"
  "mptcp_connect_disallowed_port mptcp_connect 127.0.0.1 9090"
  "udp_exfil udp_exfil 127.0.0.1 9053"
  "netlink_socket netlink_socket"
  "packet_socket packet_socket"
  "raw_inet_socket raw_inet_socket"
)

# Puts back what an unconfined success changed, so both runs meet the same world.
reset_world() {
  chmod 600 "$out/secret"
  [ -e "$ws/moved-in" ] && mv -f "$ws/moved-in" "$out/movable"
  rm -rf "${ws:?}"/* "$out"/w/*
  kill -CONT "$sleeper" 2>/dev/null
  kill -0 "$sleeper" 2>/dev/null || die "the sleeper process outside the sandbox died"
}

# run_attack MODE BINARY ARGS... : sets $status (exit status; 128+N for signal N) and $output.
run_attack() {
  local mode=$1; shift
  user_args=()
  [ -n "${as_user[$name]:-}" ] && user_args=(--user "${as_user[$name]}")
  # Each confined run writes its refusals to a file of its own (docs/telemetry.md).
  events_args=()
  [ "$mode" = confined ] && [ "$seccomp_only" -eq 0 ] && events_args=(--events "$events_dir/$name.jsonl")
  local bin=$1; shift
  local cmd=("$ldso" "$attack_root/$bin" "$@")
  reset_world
  # inherited_fd: the caller holds the secret open on 7 and a file outside on 8, in both runs.
  [ "$name" = inherited_fd ] && exec 7<"$out/secret" 8>>"$out/fd-target"
  if [ "$mode" = unconfined ]; then
    # sbx-exec may have loaded the bundle's nftables rules into the namespace; the unconfined run
    # must meet none of the sandbox's layers.
    ip netns exec "$ns" nft flush ruleset 2>/dev/null
    (cd "$run_dir" && timeout -k 5 30 ip netns exec "$ns" "${cmd[@]}") </dev/null >"$tmp/out" 2>&1
  else
    (cd "$run_dir" && confine 30 "${cmd[@]}") </dev/null >"$tmp/out" 2>&1
  fi
  status=$?
  exec 7<&- 8>&-
  # Output goes through a file, not $(...): a process the attack leaves behind cannot hold it open.
  output=$(cat "$tmp/out")
}

# confine SECONDS CMD...: CMD under the sandbox, with a deadline (sbx-exec; in --seccomp-only
# bwrap with the filter alone).
confine() {
  local seconds=$1; shift
  if [ "$seccomp_only" -eq 1 ]; then
    timeout -k 5 "$seconds" ip netns exec "$ns" bwrap --bind / / --dev-bind /dev /dev --proc /proc \
      --seccomp 3 -- "$@" 3<"$bundle/seccomp.x86_64.bpf"
  else
    # Workspaces stage in this run's own directory, not in sbx-exec's machine-wide default.
    timeout -k 5 "$seconds" "$sbx_exec" --bundle "$bundle" --trust "$trust_dir/trust.json" --join-netns "$ns" \
      --workspace-staging "$out/staging" "${user_args[@]}" "${events_args[@]}" -- "$@"
  fi
}

# check_events: reads the confined run's events file and sets $ev_layers (the layers its refusals
# name), $ev_problem (why the run fails the event assertions) and $ev_note (why they could not be
# made). Uses $name and $c_kind.
check_events() {
  ev_layers="-" ev_problem="" ev_note=""
  [ "$seccomp_only" -eq 1 ] && return
  local unavailable lost error unobservable="" layer
  { read -r ev_layers; read -r unavailable; read -r lost; read -r error; } \
    < <(python3 "$here/refusal_layers.py" "$events_dir/$name.jsonl")
  if [ -n "$error" ]; then
    ev_layers=unreadable ev_problem="events: $error"
    return
  fi
  # Layers whose refusals this run could not report (the notices say why; sbx-exec's stderr too).
  [[ " $unavailable " == *" audit "* ]] && unobservable+=" seccomp landlock"
  [[ " $unavailable " == *" nflog "* ]] && unobservable+=" nftables"
  [ "${landlock_abi:-0}" -lt 7 ] && unobservable+=" landlock"
  case $c_kind in BLOCKED|SIGNAL) ;; *) return ;; esac
  if [ -n "${no_event[$name]:-}" ]; then
    # Under another policy a step of the attack may be refused before what no_event describes.
    [ -n "$ev_layers" ] && [ -z "$policy" ] && ev_problem="declared stopped without a refusal (no_event), but the events name: $ev_layers; remove it from the list"
    [ -z "$ev_layers" ] && ev_layers="none (declared)"
    return
  fi
  layer=${expect_layer[$name]:-}
  if [ -z "$ev_layers" ]; then
    ev_layers=none
    if [ -n "$unobservable" ] || [ "${lost:-0}" -gt 0 ]; then
      ev_note="no refusal event, not checked: unreported layers:${unobservable:- none}; $lost records lost"
    else
      ev_problem="blocked, but no refusal event names the layer that stopped it (events: $events_dir/$name.jsonl)"
    fi
  elif [ -n "$layer" ] && [[ ", $ev_layers, " != *", $layer, "* ]] && [[ " $unobservable " != *" $layer "* ]]; then
    ev_problem="expected a refusal by $layer, but the events name: $ev_layers"
  fi
}

# verdict STATUS OUTPUT: SUCCEEDED, BLOCKED, UNTESTABLE, SIGNAL or ERROR, and a one-line detail.
verdict() {
  local st=$1 text=$2 line
  line=$(grep -E '^(SUCCEEDED|BLOCKED|UNTESTABLE): ' <<<"$text" | tail -n 1)
  line=${line#*: }
  case $st in
    0) kind=SUCCEEDED ;;
    1) kind=BLOCKED ;;
    77) kind=UNTESTABLE ;;
    124|137) kind=ERROR; line="timed out: $(tail -n 1 <<<"$text")" ;;
    *)
      if [ "$st" -gt 128 ]; then
        kind=SIGNAL
        line="killed by SIG$(kill -l $((st - 128)) 2>/dev/null || echo $((st - 128)))"
        [ "$st" -eq 159 ] && line="$line (seccomp kill)"
      else
        kind=ERROR; line="exit $st: $(tail -n 1 <<<"$text")"
      fi ;;
  esac
  [ -n "$line" ] || line=$(tail -n 1 <<<"$text")
  # A success reported by any process of the attack (a forked child) is a success, whatever the
  # exit status its parent managed to give.
  if [ "$kind" != SUCCEEDED ] && grep -q '^SUCCEEDED: ' <<<"$text"; then
    kind=SUCCEEDED line=$(grep '^SUCCEEDED: ' <<<"$text" | head -n 1)
    line=${line#*: }
  fi
  detail=$line
}

failures=0
rows=()
sep=$'\x1f'  # field separator of $rows: attack output may contain any printable character
log=$tmp/attacks.log
: >"$log"
echo "== running $(printf '%s\n' "${attack_list[@]}" | grep -c .) attacks (log: $log)"
for entry in "${attack_list[@]}"; do
  read -r -a words <<<"$entry"
  name=${words[0]}
  if [ -n "$only" ] && [[ ",$only," != *",$name,"* ]]; then continue; fi

  run_attack unconfined "${words[@]:1}"
  verdict "$status" "$output"; u_kind=$kind; u_detail=$detail
  printf '### %s unconfined (exit %s)\n%s\n' "$name" "$status" "$output" >>"$log"
  run_attack confined "${words[@]:1}"
  verdict "$status" "$output"; c_kind=$kind; c_detail=$detail
  printf '### %s confined (exit %s)\n%s\n' "$name" "$status" "$output" >>"$log"

  result=ok problem=""
  case $u_kind in
    SUCCEEDED|UNTESTABLE) ;;
    *) problem="unconfined run did not succeed ($u_kind: $u_detail): the attack proves nothing" ;;
  esac
  case $c_kind in
    BLOCKED|SIGNAL) ;;
    UNTESTABLE)
      if [ -n "$policy" ] && [ "$u_kind" = SUCCEEDED ]; then
        c_kind=BLOCKED c_detail="refused before the attempt: $c_detail"
      elif [ "$u_kind" != UNTESTABLE ]; then
        problem="untestable only under the sandbox ($c_detail)"
      fi ;;
    SUCCEEDED) problem="ESCAPED under the sandbox: $c_detail" ;;
    *) problem="confined run: $c_kind: $c_detail" ;;
  esac
  if [ -n "${xfail[$name]:-}" ]; then
    if [ "$c_kind" = SUCCEEDED ] && [[ $problem == ESCAPED* ]]; then
      result=XFAIL problem="known: ${xfail[$name]}"
    elif [ -z "$problem" ]; then
      result=XPASS problem="blocked now: remove it from the expected-failure list"
    fi
  fi
  check_events
  [ -z "$problem" ] && [ "$result" = ok ] && problem=$ev_problem
  if [ -n "$problem" ] && [ "$result" = ok ]; then
    result=FAIL
    failures=$((failures + 1))
  fi
  # A note does not fail the run; it is listed with the problems.
  [ -z "$problem" ] && problem=$ev_note
  how=$c_detail
  [ "$c_kind" = SIGNAL ] || [ "$c_kind" = BLOCKED ] || how="$c_kind: $c_detail"
  rows+=("$name$sep$u_kind$sep$c_kind$sep$result$sep$ev_layers$sep$how$sep$u_detail$sep$problem")
done

# ---------------------------------------------------------------------------------------------
b_u_status=0 b_c_status=0 b_unconfined="" b_confined="BENIGN OK (not run: --policy)"
if [ -z "$policy" ]; then
  echo "== benign workload"
  benign=(/workspace/.attacks/benign_workload.py /workspace/.attacks/scratch http://127.0.0.1:8080/
          "$tool_body")
  reset_world
  (cd /workspace && timeout -k 5 120 ip netns exec "$ns" "$python" "${benign[@]}") </dev/null \
    >"$tmp/out" 2>&1
  b_u_status=$?
  b_unconfined=$(cat "$tmp/out")
  reset_world
  user_args=() events_args=()
  (cd /workspace && confine 120 "$python" "${benign[@]}") </dev/null >"$tmp/out" 2>&1
  b_c_status=$?
  b_confined=$(cat "$tmp/out")
  printf '### benign unconfined (exit %s)\n%s\n### benign confined (exit %s)\n%s\n' \
    "$b_u_status" "$b_unconfined" "$b_c_status" "$b_confined" >>"$log"

fi

# ---------------------------------------------------------------------------------------------
echo
printf '%-34s %-11s %-11s %-6s %-19s %s\n' ATTACK UNCONFINED CONFINED RESULT "REFUSALS (events)" \
  "HOW BLOCKED (confined)"
for row in "${rows[@]}"; do
  IFS=$sep read -r name u_kind c_kind result layers how u_detail problem <<<"$row"
  printf '%-34s %-11s %-11s %-6s %-19s %s\n' "$name" "$u_kind" "$c_kind" "$result" "$layers" "$how"
done
echo
echo "Unconfined results:"
for row in "${rows[@]}"; do
  IFS=$sep read -r name u_kind c_kind result layers how u_detail problem <<<"$row"
  printf '  %-32s %s\n' "$name" "$u_detail"
done
problems=0
for row in "${rows[@]}"; do
  IFS=$sep read -r name u_kind c_kind result layers how u_detail problem <<<"$row"
  if [ -n "$problem" ]; then
    [ $problems -eq 0 ] && { echo; echo "Problems and notes:"; }
    problems=$((problems + 1))
    printf '  %s %s: %s\n' "$result" "$name" "$problem"
  fi
done

echo
benign_ok=1
if [ "$b_u_status" -ne 0 ]; then
  benign_ok=0
  echo "FAIL benign workload WITHOUT the sandbox (exit $b_u_status): the test setup is broken"
  sed 's/^/    /' <<<"$b_unconfined"
fi
if [ "$b_c_status" -eq 0 ] && grep -q '^BENIGN OK' <<<"$b_confined"; then
  echo "ok   benign workload under sbx-exec: $(grep '^BENIGN OK' <<<"$b_confined")"
else
  benign_ok=0
  echo "FAIL benign workload under sbx-exec (exit $b_c_status):"
  sed 's/^/    /' <<<"$b_confined"
fi

echo
echo "${#rows[@]} attacks, $failures failed; benign workload $([ $benign_ok -eq 1 ] && echo ok || echo FAILED)"
[ "$failures" -eq 0 ] && [ "$benign_ok" -eq 1 ] || exit 1
exit 0
