#!/usr/bin/env python3
"""Merges polc's oci-config.json fragment into an OCI runtime-spec config.json.

usage: oci-merge-config.py CONFIG FRAGMENT [-o OUT]

CONFIG is a complete config.json (for instance what `runc spec` writes); FRAGMENT is the
oci-config.json of a polc bundle. The result (to OUT, or stdout) is CONFIG with the policy's
OS layer and seccomp profile added; nothing CONFIG restricts is loosened:

  linux.namespaces          union by type (CONFIG keeps its own, e.g. network)
  linux.resources           merged key by key; the fragment's values win
  linux.maskedPaths         union, CONFIG's first
  linux.readonlyPaths       union, CONFIG's first
  linux.seccomp             the fragment's (the policy's syscall rules)
  process.rlimits           by type; the fragment's win
  mounts                    the fragment's replace CONFIG's at the same destination, the others
                            are appended

The fragment names a user namespace only when the policy asks for one; CONFIG must then have
linux.uidMappings and linux.gidMappings, which only the deployer can know (the script refuses
otherwise). See docs/backends/os.md, "OCI".
"""
import argparse
import json
import sys


def union(base, extra, key=None):
    seen = {key(x) if key else x for x in base}
    out = list(base)
    for x in extra:
        k = key(x) if key else x
        if k not in seen:
            out.append(x)
            seen.add(k)
    return out


def merge_dict(base, extra):
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            merge_dict(base[k], v)
        else:
            base[k] = v


def merge(config, fragment):
    known = {"process", "mounts", "linux"}
    unknown = set(fragment) - known
    if unknown:
        raise ValueError("the fragment has keys this script does not know: " + ", ".join(sorted(unknown)))
    linux = config.setdefault("linux", {})
    flinux = fragment.get("linux", {})
    linux["namespaces"] = union(linux.get("namespaces", []), flinux.get("namespaces", []), key=lambda n: n["type"])
    resources = linux.setdefault("resources", {})
    merge_dict(resources, flinux.get("resources", {}))
    linux["maskedPaths"] = union(linux.get("maskedPaths", []), flinux.get("maskedPaths", []))
    linux["readonlyPaths"] = union(linux.get("readonlyPaths", []), flinux.get("readonlyPaths", []))
    if "seccomp" in flinux:
        linux["seccomp"] = flinux["seccomp"]
    if any(n["type"] == "user" for n in linux["namespaces"]) and not (
            linux.get("uidMappings") and linux.get("gidMappings")):
        raise ValueError("the policy asks for a user namespace: give CONFIG linux.uidMappings and linux.gidMappings")

    process = config.setdefault("process", {})
    rlimits = {r["type"]: r for r in process.get("rlimits", [])}
    for r in fragment.get("process", {}).get("rlimits", []):
        rlimits[r["type"]] = r
    process["rlimits"] = [rlimits[t] for t in sorted(rlimits)]

    mounts = list(config.get("mounts", []))
    for m in fragment.get("mounts", []):
        at = [i for i, old in enumerate(mounts) if old.get("destination") == m["destination"]]
        if at:
            mounts[at[0]] = m
        else:
            mounts.append(m)
    config["mounts"] = mounts
    return config


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config")
    parser.add_argument("fragment")
    parser.add_argument("-o", dest="out")
    args = parser.parse_args()
    with open(args.config) as f:
        config = json.load(f)
    with open(args.fragment) as f:
        fragment = json.load(f)
    try:
        merged = merge(config, fragment)
    except (ValueError, KeyError, TypeError) as e:
        print("oci-merge-config: " + str(e), file=sys.stderr)
        return 1
    text = json.dumps(merged, indent=2) + "\n"
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
