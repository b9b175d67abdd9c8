#!/usr/bin/env bash
# The shell completions cover every verb and option the help texts show: the bash completion is
# run (its function called as bash calls it), the zsh and fish files are read (and parsed by zsh
# and fish where they are installed). The completions are generated from the help texts
# (scripts/gen-completions.py), so a verb added to the verb table completes without more work;
# this test fails if the generator or the installed files miss one.
# usage: completions_test.sh POLC SBX_EXEC COMPLETIONS_DIR
set -u
polc=$1 sbx_exec=$2 dir=$3
passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# shellcheck source=/dev/null
source "$dir/bash/polc" && source "$dir/bash/sbx-exec" || { echo "FAIL: the bash completions do not load"; exit 1; }
# What bash would offer for the command line "$@", the last word being the one completed.
complete_words() {
  local fn=_${1//-/_}
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  "$fn" 2>/dev/null
  printf '%s\n' "${COMPREPLY[@]}"
}
# The options that start a line of a help text's option lists (`  -o, --output DIR  ...`).
listed_options() { grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z][a-z0-9-]*'; }

verbs=$("$polc" help | sed -n '/^verbs:$/,/^$/p' | awk '/^  [a-z]/ {print $1}')
[ "$(wc -w <<<"$verbs")" -ge 10 ] && ok || fail "polc help lists too few verbs: $verbs"
first=$(complete_words polc "")
for verb in $verbs; do
  grep -qx "$verb" <<<"$first" && ok || fail "bash: polc <TAB> does not offer $verb"
  grep -qx "$verb" <<<"$(complete_words polc help "")" && ok || fail "bash: polc help <TAB> does not offer $verb"
  grep -q "^    $verb) _arguments " "$dir/zsh/_polc" && grep -q "^  local -a verbs=(.*'$verb:" "$dir/zsh/_polc" &&
    ok || fail "zsh: no completion of $verb"
  grep -q -- "-n __fish_use_subcommand -a $verb " "$dir/fish/polc.fish" && ok || fail "fish: no completion of $verb"
  offered=$(complete_words polc "$verb" --)
  zsh_line=$(grep "^    $verb) _arguments " "$dir/zsh/_polc")
  for option in $("$polc" help "$verb" | listed_options) --help; do
    grep -qx -- "$option" <<<"$offered" && ok || fail "bash: polc $verb --<TAB> does not offer $option"
    grep -q -- "'$option[':]" <<<"$zsh_line" && ok || fail "zsh: polc $verb does not complete $option"
    grep -q -- "__fish_seen_subcommand_from $verb' -l ${option#--}\( \|$\)" "$dir/fish/polc.fish" && ok ||
      fail "fish: polc $verb does not complete $option"
  done
done
# Option values: a fixed set, or a file name.
[ "$(complete_words polc build --seccomp-codegen "" | sort | tr '\n' ' ')" = "libseccomp polc " ] && ok ||
  fail "bash: polc build --seccomp-codegen <TAB> does not offer polc and libseccomp"
[ "$(complete_words polc trust "" | sort | tr '\n' ' ')" = "add init " ] && ok ||
  fail "bash: polc trust <TAB> does not offer init and add"
scratch=$(mktemp -d /tmp/polc-completions.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
touch "$scratch/policy.sbx"
[ "$(cd "$scratch" && complete_words polc check po)" = policy.sbx ] && ok || fail "bash: polc check po<TAB> is no file"
# After --, a command.
grep -qx bash <<<"$(complete_words polc run p.sbx -- bas)" && ok || fail "bash: polc run P -- bas<TAB> is no command"

launcher_offered=$(complete_words sbx-exec --)
for option in $("$sbx_exec" --help | listed_options); do
  grep -qx -- "$option" <<<"$launcher_offered" && ok || fail "bash: sbx-exec --<TAB> does not offer $option"
  grep -q -- "'$option[':]" "$dir/zsh/_sbx-exec" && ok || fail "zsh: sbx-exec does not complete $option"
  grep -q -- "^complete -c sbx-exec -l ${option#--}\( \|$\)" "$dir/fish/sbx-exec.fish" && ok ||
    fail "fish: sbx-exec does not complete $option"
done

for shell in zsh fish; do
  command -v "$shell" >/dev/null || continue
  for f in "$dir/$shell"/*; do "$shell" -n "$f" && ok || fail "$shell cannot parse $f"; done
done
echo "completions: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
