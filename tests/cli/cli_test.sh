#!/usr/bin/env bash
# Behaviour of the polc command line: exit statuses, help on every verb, output formats, and fmt's
# --check/--write modes. Usage: cli_test.sh POLC SOURCE_DIR
set -u
polc=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

expect_status() {  # expect_status WANT DESCRIPTION -- CMD...
  local want=$1 what=$2
  shift 3
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $what: exit $got, want $want"
    sed 's/^/  | /' "$work/out" "$work/err" | head -20
  fi
}

expect_grep() {  # expect_grep PATTERN FILE DESCRIPTION
  if grep -q -- "$1" "$2"; then passed=$((passed + 1)); else
    failed=$((failed + 1))
    echo "FAIL: $3: no match for '$1' in $2"
    sed 's/^/  | /' "$2" | head -20
  fi
}

cat >"$work/good.sbx" <<'SBX'
policy good version 1 {
  targets x86_64
  syscalls {
    default errno(EPERM)
    allow read, write, exit_group
  }
}
SBX
cat >"$work/bad.sbx" <<'SBX'
policy bad version 1 {
  targets x86_64
  syscalls {
    allow raed
  }
}
SBX
cat >"$work/warn.sbx" <<'SBX'
policy warn version 1 {
  targets x86_64
  group @unused = { read }
  syscalls {
    allow write
  }
}
SBX
printf 'policy   messy version 1 {\ntargets x86_64\n  syscalls { allow read,write }\n}\n' >"$work/messy.sbx"

expect_status 0 "--version" -- "$polc" --version
expect_grep "polc [0-9]" "$work/out" "--version prints the version"
expect_status 2 "no arguments is a usage error" -- "$polc"
expect_status 2 "unknown verb" -- "$polc" frobnicate
expect_status 0 "help" -- "$polc" help
for verb in check fmt ir test explain help; do
  expect_status 0 "$verb --help" -- "$polc" "$verb" --help
  expect_grep "usage: polc $verb" "$work/out" "$verb --help shows its usage"
  expect_status 0 "help $verb" -- "$polc" help "$verb"
done

expect_status 0 "check clean policy" -- "$polc" check "$work/good.sbx"
expect_status 1 "check policy with an error" -- "$polc" check "$work/bad.sbx"
expect_grep "error\[E0201\]" "$work/err" "human diagnostics carry the code"
expect_grep "did you mean \`read\`" "$work/err" "did-you-mean for syscalls"
expect_status 1 "check several files fails if one fails" -- "$polc" check "$work/good.sbx" "$work/bad.sbx"
expect_status 2 "check without files" -- "$polc" check
expect_status 2 "check with unknown option" -- "$polc" check --frob "$work/good.sbx"
expect_status 2 "check with unknown format" -- "$polc" check --format xml "$work/good.sbx"
expect_status 1 "check missing file" -- "$polc" check "$work/nope.sbx"
expect_grep "E0003" "$work/err" "missing file is E0003"
expect_status 0 "warnings alone pass" -- "$polc" check "$work/warn.sbx"
expect_grep "warning\[W0002\]" "$work/err" "unused definition warns"
expect_status 1 "--werror turns warnings into failure" -- "$polc" check --werror "$work/warn.sbx"

expect_status 1 "json output" -- "$polc" check --format json "$work/bad.sbx"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["errors"]==1 and d["diagnostics"][0]["code"]=="E0201", d' "$work/out" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: json shape"; }
expect_status 1 "sarif output" -- "$polc" check --format sarif "$work/bad.sbx"
python3 - "$work/out" <<'PY' && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: sarif shape"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "2.1.0"
run = d["runs"][0]
ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
res = run["results"][0]
assert res["ruleId"] == "E0201" and ids[res["ruleIndex"]] == "E0201"
reg = res["locations"][0]["physicalLocation"]["region"]
assert reg["startLine"] == 4 and reg["startColumn"] == 11, reg
PY

expect_status 0 "explain a code" -- "$polc" explain E0201
expect_grep "unknown-syscall" "$work/out" "explain names the code"
expect_status 0 "explain by name" -- "$polc" explain unknown-syscall
expect_status 2 "explain unknown code" -- "$polc" explain E9999
expect_status 0 "explain --list" -- "$polc" explain --list

expect_status 0 "ir of a policy" -- "$polc" ir "$work/good.sbx"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["policy"]=="good" and d["syscalls"]["default"]=={"kind":"errno","data":1}, d' "$work/out" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: ir json"; }
expect_status 1 "ir of a bad policy" -- "$polc" ir "$work/bad.sbx"

expect_status 1 "fmt --check on a messy file" -- "$polc" fmt --check "$work/messy.sbx"
expect_grep "would reformat" "$work/out" "fmt --check names the file"
expect_status 0 "fmt --write" -- "$polc" fmt --write "$work/messy.sbx"
expect_status 0 "fmt --check after --write" -- "$polc" fmt --check "$work/messy.sbx"
expect_grep "allow read, write" "$work/messy.sbx" "fmt normalizes list spacing"
expect_status 2 "fmt --check --write together" -- "$polc" fmt --check --write "$work/messy.sbx"
expect_status 1 "fmt of a file with a syntax error" -- "$polc" fmt "$work/syntax.sbx"
printf 'policy x version 1 { targets x86_64 syscalls { allow read,, } }\n' >"$work/syntax.sbx"
cp "$work/syntax.sbx" "$work/syntax.orig"
expect_status 1 "fmt --write leaves a broken file untouched" -- "$polc" fmt --write "$work/syntax.sbx"
cmp -s "$work/syntax.sbx" "$work/syntax.orig" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: fmt touched a broken file"; }

printf 'policy  s version 1 { targets x86_64 syscalls { allow read,write } }' >"$work/stdin.sbx"
expect_status 0 "fmt reads standard input" -- bash -c "'$polc' fmt - <'$work/stdin.sbx'"
expect_grep "allow read, write" "$work/out" "fmt - prints the formatted text"
expect_status 1 "check reads standard input" -- bash -c "printf 'policy p version 1 { targets x86_64 syscalls { allow raed } }' | '$polc' check -"
expect_grep "<stdin>:1:" "$work/err" "stdin diagnostics are named <stdin>"
expect_status 2 "fmt --write - is a usage error" -- "$polc" fmt --write -
expect_status 0 "explain CODE --help" -- "$polc" explain E0201 --help
expect_status 2 "--version takes no arguments" -- "$polc" --version extra
chmod 600 "$work/good.sbx"
printf 'policy   good version 1 { targets x86_64 }\n' >"$work/good.sbx"
ln -s "$work/good.sbx" "$work/link.sbx"
expect_status 0 "fmt --write through a symlink" -- "$polc" fmt --write "$work/link.sbx"
[ -L "$work/link.sbx" ] && [ "$(stat -c %a "$work/good.sbx")" = 600 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: fmt --write replaced the symlink or changed the mode"; }
expect_status 0 "the symlink target is formatted" -- "$polc" fmt --check "$work/good.sbx"

# polc import oci: exit statuses, -o written atomically, and the output is a policy polc accepts.
profile="$src/tests/golden/import/docker-default.json"
expect_status 0 "import --help" -- "$polc" import --help
expect_grep "usage: polc import oci" "$work/out" "import --help shows its usage"
expect_status 0 "help import" -- "$polc" help import
expect_grep "usage: polc import oci" "$work/out" "help import shows the verb"
expect_grep "std.hardening" "$work/out" "help import still lists the standard modules"
expect_status 0 "import the Docker profile to stdout" -- "$polc" import oci "$profile"
expect_grep "^policy docker_default version 1 {" "$work/out" "the policy is named after the file"
expect_grep "^# Imported by \`polc import oci\` from docker-default.json.$" "$work/out" "the header names the file, not its path"
cp "$work/out" "$work/imported.sbx"
expect_status 0 "the imported policy checks" -- "$polc" check "$work/imported.sbx"
expect_status 0 "the imported policy is formatted" -- "$polc" fmt --check "$work/imported.sbx"
expect_status 0 "import -o" -- "$polc" import oci "$profile" -o "$work/written.sbx" --name written
[ ! -s "$work/out" ] && cmp -s <(sed 's/docker_default/written/' "$work/imported.sbx") "$work/written.sbx" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: -o wrote something else than stdout shows"; }
ls "$work" | grep -q 'polc-import.tmp' && { failed=$((failed + 1)); echo "FAIL: -o left its temporary file"; } || passed=$((passed + 1))
chmod 600 "$work/written.sbx"
ln -s "$work/written.sbx" "$work/written-link.sbx"
expect_status 0 "import -o through a symlink" -- "$polc" import oci "$profile" -o="$work/written-link.sbx" --arch aarch64
[ -L "$work/written-link.sbx" ] && [ "$(stat -c %a "$work/written.sbx")" = 600 ] && grep -q "targets aarch64" "$work/written.sbx" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: import -o replaced the symlink or changed the mode"; }
printf '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALOW"}]}' >"$work/bad.json"
cp "$work/written.sbx" "$work/before.sbx"
expect_status 1 "import of a profile with errors" -- "$polc" import oci "$work/bad.json" -o "$work/written.sbx"
expect_grep "error\[E0703\]" "$work/err" "a bad action is E0703"
cmp -s "$work/before.sbx" "$work/written.sbx" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: a failed import touched the -o file"; }
expect_status 1 "import with --werror and warnings" -- "$polc" import oci "$profile" --werror -o "$work/werror.sbx"
[ ! -e "$work/werror.sbx" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: --werror still wrote the policy"; }
expect_status 1 "import of a missing file" -- "$polc" import oci "$work/nope.json"
expect_grep "E0003" "$work/err" "a missing profile is E0003"
expect_status 0 "import from standard input" -- bash -c "'$polc' import oci - <'$profile'"
expect_grep "^policy imported version 1 {" "$work/out" "a profile from stdin is named imported"
expect_status 0 "import with json diagnostics" -- "$polc" import oci "$profile" --format json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["warnings"]==3 and d["diagnostics"][0]["code"]=="W0702", d' "$work/err" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: import --format json goes to stderr"; }
expect_status 0 "import with caps, kernel and two arches" -- "$polc" import oci "$profile" --caps default,cap_sys_admin --kernel 5.15 --arch x86_64 --arch aarch64
expect_grep "targets x86_64, aarch64" "$work/out" "--arch is repeatable"
expect_status 1 "an entry per arch across two targets" -- "$polc" import oci "$profile" --arch x86_64,s390x
expect_grep "error\[E0705\]" "$work/err" "arch-dependent entries are E0705"
expect_status 2 "import without arguments" -- "$polc" import
expect_status 2 "import of an unknown format" -- "$polc" import seccomp "$profile"
expect_status 2 "import of two files" -- "$polc" import oci "$profile" "$profile"
expect_status 2 "import with an unknown arch" -- "$polc" import oci "$profile" --arch amd64
expect_status 2 "import with an unknown capability" -- "$polc" import oci "$profile" --caps CAP_SYS_ADMN
expect_grep "did you mean \`CAP_SYS_ADMIN\`" "$work/err" "capability did-you-mean"
expect_status 2 "import with a bad kernel" -- "$polc" import oci "$profile" --kernel 5
expect_status 2 "import with a bad name" -- "$polc" import oci "$profile" --name 9lives
expect_status 2 "import with an unknown option" -- "$polc" import oci "$profile" --frob

# ---- polc build ----
expect_status 0 "build a policy" -- "$polc" build "$work/good.sbx" -o "$work/dist"
for f in seccomp.x86_64.bpf seccomp.x86_64.txt seccomp.oci.json; do
  if [ -s "$work/dist/good/$f" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: build wrote no $f"; fi
done
[ "$(ls -A "$work/dist" | wc -l)" -eq 1 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: build left temporary files: $(ls -A "$work/dist")"; }
size=$(stat -c %s "$work/dist/good/seccomp.x86_64.bpf")
[ $((size % 8)) -eq 0 ] && [ "$size" -gt 0 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: .bpf size $size is not a sock_filter array"; }
cp -r "$work/dist/good" "$work/first"
expect_status 0 "build into a directory written with a trailing slash" -- "$polc" build "$work/good.sbx" -o "$work/slash/"
expect_grep "wrote [0-9]* files to $work/slash/good/\$" "$work/err" "the output named once, without //"
expect_status 0 "rebuild over an existing output" -- "$polc" build "$work/good.sbx" -o "$work/dist"
diff -r "$work/first" "$work/dist/good" >/dev/null && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: the same source gave different artifacts"; }
# A failing build leaves the previous output exactly as it was.
printf 'policy good version 2 {\n  targets x86_64\n  syscalls {\n    allow raed\n  }\n}\n' >"$work/broken_good.sbx"
expect_status 1 "a build with errors" -- "$polc" build "$work/broken_good.sbx" -o "$work/dist"
diff -r "$work/first" "$work/dist/good" >/dev/null && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: a failed build changed the previous output"; }
expect_status 1 "a build with warnings under --werror" -- "$polc" build "$work/warn.sbx" -o "$work/dist-werror" --werror
[ ! -e "$work/dist-werror/warn" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: --werror build wrote output"; }
expect_status 1 "build into an unwritable place" -- "$polc" build "$work/good.sbx" -o /dev/null/x
expect_grep "error\[E0603\]" "$work/err" "unwritable output is E0603"
expect_status 2 "build without -o" -- "$polc" build "$work/good.sbx"
expect_status 2 "build of two files" -- "$polc" build "$work/good.sbx" "$work/good.sbx" -o "$work/dist"
expect_status 0 "build --help" -- "$polc" build --help
expect_grep "seccomp.<arch>.bpf" "$work/out" "build help names the artifacts"
expect_grep "landlock.json" "$work/out" "build help names landlock.json"
expect_grep "--backends LIST" "$work/out" "build help documents --backends"

# The whole bundle: every backend's files and a manifest whose digests match them.
expect_status 0 "build the python_agent bundle" -- "$polc" build "$src/examples/python_agent.sbx" -o "$work/bundle" --explain-coverage
for f in landlock.json nftables.nft squid.conf egress.json attribution.json manifest.json seccomp.x86_64.bpf seccomp.aarch64.bpf; do
  if [ -s "$work/bundle/python_agent/$f" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: the bundle has no $f"; fi
done
python3 - "$work/bundle/python_agent" <<'PY' && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: manifest.json does not describe the bundle"; }
import hashlib, json, os, sys
d = sys.argv[1]
raw = open(os.path.join(d, "manifest.json"), "rb").read()
m = json.loads(raw)
assert raw == json.dumps(m, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(), "not canonical"
listed = {a["path"] for a in m["artifacts"] + m["sources"]}
present = {os.path.relpath(os.path.join(r, f), d) for r, _, fs in os.walk(d) for f in fs}
assert listed == present - {"manifest.json"}, listed ^ present
assert {"sources/python_agent.sbx", "sources/_std/lang/python.sbx"} <= listed
for a in m["artifacts"] + m["sources"]:
    data = open(os.path.join(d, a["path"]), "rb").read()
    assert hashlib.sha256(data).hexdigest() == a["sha256"] and len(data) == a["size"], a["path"]
assert m["policy"] == {"name": "python_agent", "version": 1}
assert all(c["enforced_by"] for c in m["coverage"]), "a statement without an enforcer"
PY
expect_grep "python_agent.sbx:[0-9]*: connect tcp 8080 to 127.0.0.1" "$work/out" "--explain-coverage names the statement"
expect_grep "nftables.nft: accepts tcp port 8080 to 127.0.0.1" "$work/out" "--explain-coverage names its enforcer"
# Byte-identical bundles from the same source, built elsewhere and later.
sleep 1
expect_status 0 "rebuild the bundle elsewhere" -- "$polc" build "$src/examples/python_agent.sbx" -o "$work/bundle2"
diff -r "$work/bundle/python_agent" "$work/bundle2/python_agent" >/dev/null && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: two builds of the same bundle differ"; }
# Byte-identical across checkouts and working directories: a policy importing a file from a
# sibling directory, built from two copies with different relative paths. Locations in the
# manifest name the bundle's own sources/, and polc inspect rebuilds it byte for byte.
mkdir -p "$work/checkout1/policies" "$work/checkout1/shared" "$work/deeper/checkout2"
printf 'module common {\n  syscalls {\n    allow read, write\n  }\n}\n' >"$work/checkout1/shared/common.sbx"
printf 'policy local_imports version 2 {\n  targets x86_64\n  import "../shared/common.sbx"\n  syscalls {\n    default errno(EPERM)\n    allow exit_group\n  }\n}\n' >"$work/checkout1/policies/local.sbx"
cp -r "$work/checkout1/." "$work/deeper/checkout2/"
(cd "$work/checkout1" && "$polc" build policies/local.sbx -o "$work/repro1" --expires 2099-01-01 2>/dev/null)
(cd "$work/deeper" && "$polc" build checkout2/policies/local.sbx -o "$work/repro2" --expires 2099-01-01T00:00:00Z 2>/dev/null)
diff -r "$work/repro1" "$work/repro2" >/dev/null && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: the bundle depends on where it was built"; }
expect_grep '"import":"../shared/common.sbx","module":"common","path":"sources/_up/shared/common.sbx"' "$work/repro1/local_imports/manifest.json" "the manifest lists the imported file"
expect_grep '"at":"sources/_up/shared/common.sbx:3"' "$work/repro1/local_imports/manifest.json" "manifest locations name the bundle's sources"
expect_status 0 "inspect rebuilds the bundle from its own sources" -- "$polc" inspect "$work/repro1/local_imports"
expect_grep "byte-identical to a rebuild" "$work/out" "inspect says the rebuild matched"
# Backend selection: only the selected files, and statements left unenforced are E0605.
expect_status 1 "a selection that leaves statements unenforced" -- "$polc" build "$src/examples/python_agent.sbx" -o "$work/partial" --backends seccomp
expect_grep "error\[E0605\]: no selected backend enforces \`read, write \"/workspace\", \"/tmp\"\`" "$work/err" "E0605 names the statement"
[ ! -e "$work/partial/python_agent" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: an E0605 build wrote output"; }
printf 'policy only_syscalls version 1 {\n  targets x86_64\n  syscalls {\n    allow read\n  }\n}\n' >"$work/only_syscalls.sbx"
expect_status 0 "build with every backend that its statements need" -- "$polc" build "$work/only_syscalls.sbx" -o "$work/sel" --backends seccomp,nftables
[ "$(ls "$work/sel/only_syscalls" | tr '\n' ' ')" = "attribution.json manifest.json nftables.nft seccomp.oci.json seccomp.x86_64.bpf seccomp.x86_64.txt sources " ] \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: --backends wrote $(ls "$work/sel/only_syscalls")"; }
expect_status 2 "an unknown backend" -- "$polc" build "$work/only_syscalls.sbx" -o "$work/sel" --backends seccomp,apparmor
expect_grep "unknown backend \`apparmor\`" "$work/err" "an unknown backend is named"

# ---- polc eval ----
expect_status 0 "eval a call" -- "$polc" eval "$src/examples/python_agent.sbx" --arch x86_64 'ioctl(0, TIOCSTI, 0)'
expect_grep "x86_64: ioctl(0x0, 0x5412, 0x0) -> kill_process" "$work/out" "eval shows the decision"
expect_grep "decided by: kill ioctl(request in {TIOCSTI, TIOCLINUX})" "$work/out" "eval shows the deciding rule"
expect_grep "seccomp.x86_64.bpf: kill_process after" "$work/out" "eval runs the filter"
expect_status 0 "eval a call decided by the default" -- "$polc" eval "$src/examples/python_agent.sbx" --arch aarch64 'socket(AF_NETLINK, SOCK_RAW, 0)'
expect_grep "aarch64: socket(0x10, 0x3, 0x0) -> errno(1)" "$work/out" "eval shows the default's decision"
expect_grep "no rule matches" "$work/out" "eval says the default decided"
expect_status 0 "eval as json" -- "$polc" eval "$src/examples/python_agent.sbx" --format json 'clone3'
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==2 and all(x["action"]=="errno(38)" and x["filter"]["agrees"] for x in d), d' "$work/out" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: eval --format json"; }
expect_status 1 "eval an unknown syscall" -- "$polc" eval "$src/examples/python_agent.sbx" 'frobnicate(1)'
expect_grep "error\[E0201\]" "$work/err" "eval of an unknown syscall is E0201"
expect_status 2 "eval without a call" -- "$polc" eval "$src/examples/python_agent.sbx"
expect_status 1 "eval on a non-target" -- "$polc" eval "$src/examples/python_agent.sbx" --arch s390x 'getpid'
expect_grep "error\[E0501\]: \`s390x\` is not one of the policy's targets" "$work/err" "eval on a non-target names it"
expect_status 0 "eval of a syscall only one target has" -- "$polc" eval "$src/examples/python_agent.sbx" --arch x86_64 'fork'
expect_grep "x86_64: fork() -> allow" "$work/out" "eval --arch resolves the call on that arch only"
# The query is its own source: a brace or a comment in it cannot reach the policy, and its errors
# point into it, never past the end of the policy file.
expect_status 1 "eval with a brace in the call" -- "$polc" eval "$src/examples/python_agent.sbx" 'getpid } test'
expect_grep "^<query>:1:8: error\[E0001\]: unexpected \`}\` after the query" "$work/err" "eval locates a query error in the query"
expect_status 0 "eval a path" -- "$polc" eval "$src/examples/python_agent.sbx" 'read "/etc/passwd"'
expect_grep '^read "/etc/passwd" -> allow' "$work/out" "eval decides a path"
expect_status 0 "eval a connection" -- "$polc" eval "$src/examples/python_agent.sbx" 'connect tcp 443 to "pypi.org"'
expect_grep '^connect tcp 443 to "pypi.org" -> allow' "$work/out" "eval decides a connection"
expect_status 0 "eval a syscall by number" -- "$polc" eval "$src/examples/python_agent.sbx" --arch x86_64 'syscall 101'
expect_grep "syscall 101 is ptrace on x86_64" "$work/out" "eval names the syscall a number is"

# ---- polc test ----
cat >"$work/tested.sbx" <<'SBX'
policy tested version 1 {
  targets x86_64
  syscalls {
    default errno(EPERM)
    allow read, write, exit_group
  }
  test "io works" {
    expect allow read(0, 0, 16)
    expect errno(EPERM) ptrace
  }
}
SBX
sed 's/expect errno(EPERM) ptrace/expect kill ptrace/' "$work/tested.sbx" >"$work/untested.sbx"
expect_status 0 "test a policy whose tests pass" -- "$polc" test "$work/tested.sbx"
expect_grep "^PASS  io works" "$work/out" "test prints PASS per test"
expect_status 1 "test a policy with a failing test" -- "$polc" test "$work/untested.sbx"
expect_grep "^FAIL  io works" "$work/out" "test prints FAIL per test"
expect_grep "expected kill_process for ptrace on x86_64, but the policy decides errno(1)" "$work/out" "test says what was decided"
expect_status 1 "test a policy with errors" -- "$polc" test "$work/bad.sbx"
expect_grep "error\[E0201\]" "$work/err" "test shows the policy's diagnostics"
expect_status 1 "test --werror with a warning" -- "$polc" test --werror "$work/warn.sbx"
expect_status 0 "test with a warning" -- "$polc" test "$work/warn.sbx"
expect_grep "no tests in policy warn" "$work/out" "test of a policy without tests"
expect_status 2 "test without a file" -- "$polc" test
expect_status 2 "test of two files" -- "$polc" test "$work/tested.sbx" "$work/good.sbx"
expect_status 2 "test with an unknown format" -- "$polc" test --format sarif "$work/tested.sbx"
expect_status 2 "test --format without a value" -- "$polc" test "$work/tested.sbx" --format
expect_status 2 "test with an unknown option" -- "$polc" test --frob "$work/tested.sbx"
printf 'module helpers {\n  group @io = { read }\n}\n' >"$work/helpers.sbx"
expect_status 2 "test of a module" -- "$polc" test "$work/helpers.sbx"
expect_status 1 "test -o writes JUnit for a failing test" -- "$polc" test "$work/untested.sbx" --format=junit -o "$work/junit.xml"
[ ! -s "$work/out" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: test -o also wrote to stdout"; }
python3 -c 'import sys, xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); assert r.tag=="testsuites" and r.get("failures")=="1", r.attrib; c=r.find("testsuite/testcase"); assert c.get("name")=="io works" and c.find("failure") is not None' "$work/junit.xml" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: test --format junit -o"; }
expect_status 1 "test -o into a missing directory" -- "$polc" test "$work/tested.sbx" -o "$work/no/such/dir/r.xml"
expect_status 0 "test --format json" -- "$polc" test --format json "$work/tested.sbx"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["passed"] and d["summary"]["expectations"]==2, d' "$work/out" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: test --format json"; }
# Every example passes its own tests.
for example in "$src"/examples/*.sbx; do
  expect_status 0 "the tests of $(basename "$example")" -- "$polc" test "$example"
done

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
