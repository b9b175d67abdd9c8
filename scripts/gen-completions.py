#!/usr/bin/env python3
"""Writes bash, zsh and fish completions for polc and sbx-exec from their help texts, at build
time, so that every verb and option the help shows completes, and nothing else.

Usage: gen-completions.py POLC SBX_EXEC OUT_DIR
Writes OUT_DIR/bash/{polc,sbx-exec}, OUT_DIR/zsh/{_polc,_sbx-exec}, OUT_DIR/fish/{polc,sbx-exec}.fish.

What is read from a help text:
- verbs: the overview's `verbs:` list (`polc help`), with their summaries;
- a verb's options: every option of its `usage:` lines and every option that starts a line of its
  indented option lists; an option takes a value when a word follows it there (`--key K`), and
  that value is one of a fixed set when the word is `a|b` (`--seccomp-codegen polc|libseccomp`);
  any other value, and every operand, completes as a file name;
- a verb's sub-words: lower-case words right after the verb in its overview synopsis
  (`import oci FILE`, `trust init|add ...`); `polc help` completes verbs.
"""
import re
import subprocess
import sys
from pathlib import Path

from help_overview import overview_lines

# An option and the word for its value, if one follows: upper case (`DIR`, `USER[:GROUP]`) or a
# choice of lower-case words (`polc|libseccomp`); any other word is prose after a short gap.
OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)(?: ([A-Z][\w:\[\].|-]*|[a-z][\w-]*(?:\|[a-z][\w-]*)+))?")


def run(*argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


class Option:
    def __init__(self, name):
        self.name = name
        self.value = None  # None: a flag; "": any value (a file); "a b": one of these words

    def take(self, word):
        if word is None or word.startswith("..."):
            return
        words = word.strip(".,").split("|")
        fixed = all(re.fullmatch(r"[a-z][a-z0-9_-]*", w) for w in words) and len(words) > 1
        value = " ".join(words) if fixed else ""
        if self.value is None or (self.value == "" and value):
            self.value = value


def options_of(help_text):
    """The options of one help text, in the order they first appear."""
    found = {}

    def add(name, word):
        found.setdefault(name, Option(name)).take(word)

    lines = help_text.split("\n")
    in_usage = True
    for line in lines:
        if in_usage and (line.startswith("usage: ") or (line.startswith("  ") and line.strip().startswith(("[", "-")))):
            for m in OPTION.finditer(line):
                add(m.group(1), m.group(2))
            continue
        in_usage = False
        m = re.match(r"^ +(-\S.*?)(?: {2,}|$)", line)
        if m:
            for piece in m.group(1).split(", "):
                om = OPTION.match(piece.strip())
                if om:
                    add(om.group(1), om.group(2))
    found.setdefault("--help", Option("--help"))
    return list(found.values())


def overview_verbs(overview):
    """(verb, summary, sub-words) for each line of the overview's `verbs:` list."""
    verbs = []
    for synopsis_text, summary in overview_lines(overview):
        synopsis = synopsis_text.split()
        subs = synopsis[1].split("|") if len(synopsis) > 1 and re.fullmatch(r"[a-z]+(\|[a-z]+)*", synopsis[1]) else []
        verbs.append((synopsis[0], summary, subs))
    return verbs


def sh_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def bash_script(command, verbs, per_verb, top_options, after_dashdash):
    """verbs: [(name, summary, subs)] or [] for a command without verbs (sbx-exec), whose options
    are per_verb[""]."""
    fn = "_" + command.replace("-", "_")
    out = [f"# bash completion for {command}: generated from its help text by scripts/gen-completions.py",
           f"{fn}() {{",
           "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} i",
           "  COMPREPLY=()"]
    first = 2 if verbs else 1
    if after_dashdash:
        out += ["  # After --, a command and its arguments.",
                f"  for ((i = {first}; i < COMP_CWORD; i++)); do",
                '    if [ "${COMP_WORDS[i]}" = -- ]; then',
                "      if [ $((i + 1)) -eq \"$COMP_CWORD\" ]; then COMPREPLY=($(compgen -c -- \"$cur\")); else",
                "        compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")); fi",
                "      return",
                "    fi",
                "  done"]
    if verbs:
        names = " ".join(v[0] for v in verbs)
        out += ['  if [ "$COMP_CWORD" -eq 1 ]; then',
                f"    COMPREPLY=($(compgen -W {sh_quote(names + ' ' + top_options)} -- \"$cur\"))",
                "    return",
                "  fi",
                '  local verb=${COMP_WORDS[1]} opts="" subs=""',
                '  case $verb in']
        for name, _, subs in verbs:
            opts = " ".join(o.name for o in per_verb[name])
            sub_words = names if name == "help" else " ".join(subs)
            out.append(f"    {name}) opts={sh_quote(opts)} subs={sh_quote(sub_words)} ;;")
        out += ["    *) return ;;", "  esac"]
        value_key = '"$verb:$prev"'
        cases = [(f"{name}:{o.name}", o.value) for name, _, _ in verbs for o in per_verb[name] if o.value is not None]
    else:
        out.append(f'  local opts={sh_quote(" ".join(o.name for o in per_verb[""]))} subs=""')
        value_key = '"$prev"'
        cases = [(o.name, o.value) for o in per_verb[""] if o.value is not None]
    if cases:
        out.append(f"  case {value_key} in")
        for key, value in cases:
            action = (f"COMPREPLY=($(compgen -W {sh_quote(value)} -- \"$cur\"))" if value else
                      'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))')
            out.append(f"    {sh_quote(key)}) {action}; return ;;")
        out.append("  esac")
    out += ['  if [[ $cur == -* ]]; then',
            '    COMPREPLY=($(compgen -W "$opts" -- "$cur"))',
            f'  elif [ -n "$subs" ] && [ "$COMP_CWORD" -eq {first} ]; then',
            '    COMPREPLY=($(compgen -W "$subs" -- "$cur"))',
            "  else",
            '    compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))',
            "  fi",
            "}",
            f"complete -F {fn} {command}",
            ""]
    return "\n".join(out)


def zsh_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def zsh_spec(option):
    if option.value is None:
        return zsh_quote(option.name)
    action = f"({option.value})" if option.value else "_files"
    return zsh_quote(f"{option.name}:value:{action}")


def zsh_script(command, verbs, per_verb, top_options, after_dashdash):
    fn = "_" + command.replace("-", "_")
    out = [f"#compdef {command}",
           f"# zsh completion for {command}: generated from its help text by scripts/gen-completions.py",
           f"{fn}() {{"]
    rest = "'*::command:_normal'" if after_dashdash else "'*:file:_files'"
    if verbs:
        described = " ".join(zsh_quote(f"{name}:{summary.replace(':', chr(92) + ':')}") for name, summary, _ in verbs)
        out += [f"  local -a verbs=({described})",
                "  if (( CURRENT == 2 )); then",
                "    _describe verb verbs",
                f"    compadd -- {top_options}",
                "    return",
                "  fi",
                "  local verb=${words[2]}",
                "  shift words",
                "  (( CURRENT-- ))",
                "  case $verb in"]
        names = " ".join(v[0] for v in verbs)
        for name, _, subs in verbs:
            specs = [zsh_spec(o) for o in per_verb[name]]
            if name == "help":
                specs.append(zsh_quote(f"1:verb:({names})"))
            elif subs:
                specs.append(zsh_quote(f"1:what:({' '.join(subs)})"))
            tail = "'*::command:_normal'" if name in ("run", "learn") else "'*:file:_files'"
            out.append(f"    {name}) _arguments -S {' '.join(specs)} {tail} ;;")
        out.append("  esac")
    else:
        specs = " ".join(zsh_spec(o) for o in per_verb[""])
        out.append(f"  _arguments -S {specs} {rest}")
    out += ["}", f'{fn} "$@"', ""]
    return "\n".join(out)


def fish_quote(text):
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish_option(command, condition, option):
    name = option.name
    flag = f"-l {name[2:]}" if name.startswith("--") else f"-s {name[1:]}"
    words = ["complete", "-c", command]
    if condition:
        words += ["-n", fish_quote(condition)]
    words.append(flag)
    if option.value is not None:
        words.append("-r")
        if option.value:
            words += ["-f", "-a", fish_quote(option.value)]
    return " ".join(words)


def fish_script(command, verbs, per_verb, top_options):
    out = [f"# fish completion for {command}: generated from its help text by scripts/gen-completions.py"]
    if verbs:
        names = " ".join(v[0] for v in verbs)
        for name, summary, _ in verbs:
            out.append(f"complete -c {command} -f -n __fish_use_subcommand -a {name} -d {fish_quote(summary)}")
        for top in top_options.split():
            out.append(f"complete -c {command} -f -n __fish_use_subcommand -l {top[2:]}")
        for name, _, subs in verbs:
            condition = f"__fish_seen_subcommand_from {name}"
            for o in per_verb[name]:
                line = fish_option(command, condition, o)
                if line:
                    out.append(line)
            words = names if name == "help" else " ".join(subs)
            if words:
                out.append(f"complete -c {command} -f -n {fish_quote(condition)} -a {fish_quote(words)}")
    else:
        for o in per_verb[""]:
            line = fish_option(command, "", o)
            if line:
                out.append(line)
    out.append("")
    return "\n".join(out)


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:  # unchanged files keep their time stamps
        path.write_text(text)


def main():
    polc, sbx_exec, out_dir = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    verbs = overview_verbs(run(polc, "help"))
    if not verbs:
        sys.exit("gen-completions: `polc help` lists no verbs")
    per_verb = {name: options_of(run(polc, "help", name)) for name, _, _ in verbs}
    top = "--help --version"
    launcher = {"": options_of(run(sbx_exec, "--help"))}
    write(out_dir / "bash" / "polc", bash_script("polc", verbs, per_verb, top, after_dashdash=True))
    write(out_dir / "bash" / "sbx-exec", bash_script("sbx-exec", [], launcher, "", after_dashdash=True))
    write(out_dir / "zsh" / "_polc", zsh_script("polc", verbs, per_verb, top, after_dashdash=True))
    write(out_dir / "zsh" / "_sbx-exec", zsh_script("sbx-exec", [], launcher, "", after_dashdash=True))
    write(out_dir / "fish" / "polc.fish", fish_script("polc", verbs, per_verb, top))
    write(out_dir / "fish" / "sbx-exec.fish", fish_script("sbx-exec", [], launcher, ""))


if __name__ == "__main__":
    main()
