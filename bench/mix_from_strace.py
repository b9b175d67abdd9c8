#!/usr/bin/env python3
"""Turns the per-thread traces of `strace -ff -e raw=all -o PREFIX` into the two data files the
filter-cost benchmark reads: how often each system call was made (NAME<TAB>COUNT, most frequent
first, ties by name) and, per system call, up to SAMPLES argument vectors taken at evenly spaced
calls (NAME<TAB>MULTIPLICITY<TAB>ARG0..ARG5 in hex, identical vectors merged). Raw mode prints the
six registers the kernel hands to seccomp exactly as the filter sees them (an int argument such
as AT_FDCWD is 0xffffff9c, not sign-extended), so a filter's argument checks meet real values.
Usage: mix_from_strace.py PREFIX COUNTS.tsv ARGS.tsv [SAMPLES]"""
import collections, glob, re, sys

CALL = re.compile(r"^([a-z_][a-z0-9_]*)\((.*)\)\s+= ")

def calls(prefix):
    # Threads in creation order (the suffix is the tid), each thread's calls in order; with -ff no
    # call is split into <unfinished ...> and <... resumed> halves.
    files = sorted(glob.glob(prefix + ".*"), key=lambda f: int(f.rsplit(".", 1)[1]))
    if not files:
        sys.exit(f"no traces match {prefix}.*")
    for f in files:
        for line in open(f, errors="replace"):
            m = CALL.match(line)
            if not m:
                continue  # signals (--- SIG...), exits (+++ ...)
            args = []
            for a in m.group(2).split(", "):
                # restart_syscall's only "argument" is strace's note; everything else is a number.
                args.append(int(a, 0) if re.fullmatch(r"0x[0-9a-f]+|\d+", a) else 0)
            yield m.group(1), (args + [0] * 6)[:6]

def main():
    prefix, counts_path, args_path = sys.argv[1:4]
    samples = int(sys.argv[4]) if len(sys.argv) > 4 else 16
    by_name = collections.defaultdict(list)
    for name, args in calls(prefix):
        by_name[name].append(args)
    with open(counts_path, "w") as out:
        for name, seen in sorted(by_name.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            out.write(f"{name}\t{len(seen)}\n")
    with open(args_path, "w") as out:
        for name in sorted(by_name):
            seen = by_name[name]
            n = min(samples, len(seen))
            # Evenly spaced picks, so that a syscall made at start-up and later (ioctl, mmap) is
            # sampled in both phases rather than only in the first.
            picked = [tuple(seen[(2 * j + 1) * len(seen) // (2 * n)]) for j in range(n)]
            for args, mult in sorted(collections.Counter(picked).items(), key=lambda kv: picked.index(kv[0])):
                out.write(f"{name}\t{mult}\t" + "\t".join(f"{a:#x}" for a in args) + "\n")

if __name__ == "__main__":
    main()
