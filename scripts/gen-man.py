#!/usr/bin/env python3
"""Writes the manual pages from the help texts, at build time: polc(1) from `polc help`, one
polc-VERB(1) per verb from `polc help VERB`, and sbx-exec(1) from `sbx-exec --help`. The help texts
are the one source; nothing here repeats what they say.

Usage: gen-man.py POLC SBX_EXEC OUT_DIR

The help texts' layout becomes roff: a first `usage:` block is the SYNOPSIS; flush-left lines are
paragraphs; indented lines are a list of terms (an option, a file, an exit status) each with its
description in a column two or more spaces to the right, continued on further indented lines.
The pages carry no date, so the same polc gives the same pages.
"""
import re
import subprocess
import sys
from pathlib import Path

from help_overview import overview_lines

# Splits an indented list line into its term and the start of its description.
TERM_LINE = re.compile(r"^( +)(\S(?:.*?\S)?)(?: {2,}(\S.*))?$")


def run(*argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def escape(text):
    """Roff-escapes one line of running text."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text.startswith((".", "'")) else text


def paragraph(lines):
    return [".PP"] + [escape(line.strip()) for line in lines]


def term_list(lines):
    """An indented block as .TP entries, or as preformatted text when it has no descriptions."""
    indent = min(len(line) - len(line.lstrip(" ")) for line in lines)
    # The descriptions' column: a term as wide as its padding is followed by one space only.
    columns = [m.start(3) for m in map(TERM_LINE.match, lines) if m and m.group(3)]
    column = max(set(columns), key=columns.count) if columns else 0
    entries = []  # [term, [description lines]]
    for line in lines:
        here = len(line) - len(line.lstrip(" "))
        m = TERM_LINE.match(line)
        if here == indent and m and not m.group(3) and column and line[column - 1 : column + 1].startswith(" ") \
                and line[column:column + 1].strip():
            entries.append([line[:column].strip(), [line[column:]]])
        elif here == indent and m:
            entries.append([m.group(2), [m.group(3)] if m.group(3) else []])
        elif entries:
            entries[-1][1].append(line.strip())
        else:
            entries.append([line.strip(), []])
    if not any(desc for _, desc in entries):
        return [".PP", ".nf", ".RS 4"] + [escape(line[indent:]) for line in lines] + [".RE", ".fi"]
    out = []
    for term, desc in entries:
        out += [".TP", "\\fB" + escape(term) + "\\fR"] + [escape(d) for d in desc]
    return out


def body(text):
    """The roff of a help text, with its usage block as the SYNOPSIS."""
    blocks = re.split(r"\n[ \t]*\n", text.strip("\n"))
    out = []
    if blocks and blocks[0].startswith("usage: "):
        usage = blocks.pop(0).split("\n")
        out += [".SH SYNOPSIS", ".nf"]
        # Continuation lines are indented past `usage: `, to line up with the first.
        out += [escape(line[len("usage: "):]) for line in usage]
        out += [".fi"]
    out.append(".SH DESCRIPTION")
    for block in blocks:
        flush, indented = [], []
        for line in block.split("\n"):
            if line.startswith(" "):
                if flush:
                    out += paragraph(flush)
                    flush = []
                indented.append(line)
            else:
                if indented:
                    out += term_list(indented)
                    indented = []
                flush.append(line)
        if flush:
            out += paragraph(flush)
        if indented:
            out += term_list(indented)
    return out


def page(name, summary, version, lines, see_also):
    head = [
        f'.TH {escape(name.upper())} 1 "" "polc {version}" "polc manual"',
        ".SH NAME",
        f"{escape(name)} \\- {escape(summary)}",
    ]
    tail = [".SH SEE ALSO", ", ".join(f"\\fB{escape(p)}\\fR(1)" for p in see_also)] if see_also else []
    return "\n".join(head + lines + tail) + "\n"


def overview_verbs(overview):
    """(verb, synopsis, summary) for each line of the overview's `verbs:` list, in its order."""
    return [(synopsis.split()[0], synopsis, summary) for synopsis, summary in overview_lines(overview)]


def main():
    polc, sbx_exec, out_dir = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    out_dir.mkdir(parents=True, exist_ok=True)
    version = run(polc, "--version").split()[1]
    overview = run(polc, "help")
    verbs = overview_verbs(overview)
    if not verbs:
        sys.exit("gen-man: `polc help` lists no verbs")
    verb_pages = [f"polc-{verb}" for verb, _, _ in verbs]
    pages = {}

    # polc(1): the overview, its verb list pointing at the verbs' pages.
    title, rest = overview.split("\n", 1)
    # Its verb lines with two spaces before each summary, where a long synopsis left one.
    for _, synopsis, summary in verbs:
        rest = rest.replace(f"\n  {synopsis} {summary}\n", f"\n  {synopsis}  {summary}\n")
    summary = title.split(" - ", 1)[1]
    pages["polc"] = page("polc", summary, version, body(rest),
                         verb_pages + ["sbx-exec"])
    for verb, _, summary in verbs:
        pages[f"polc-{verb}"] = page(f"polc-{verb}", summary, version, body(run(polc, "help", verb)),
                                     ["polc", "sbx-exec"])
    pages["sbx-exec"] = page("sbx-exec", "verify a polc bundle and run a command confined by it", version,
                             body(run(sbx_exec, "--help")), ["polc", "polc-build", "polc-sign", "polc-run"])
    for name, text in pages.items():
        path = out_dir / f"{name}.1"
        # Rewritten only when changed, so that the install step and the build stay quiet.
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    # A page of a verb that no longer exists must not be installed.
    for stale in out_dir.glob("*.1"):
        if stale.stem not in pages:
            stale.unlink()


if __name__ == "__main__":
    main()
