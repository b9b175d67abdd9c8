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
for verb in check fmt ir explain help; do
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

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
