#!/usr/bin/env python3
"""What one confined attack's events file (sbx-exec --events, docs/telemetry.md) says, for
run_attacks.sh, in four lines:

    the layers named by its refusal events, comma-separated, in order of first appearance
    the telemetry sources that could not be used (`notice` records), space-separated
    the records lost before sbx-exec read them (the sum of the `lost` records' counts)
    an error that makes the file unusable (missing, not polc.event/1 JSON lines), or nothing

usage: refusal_layers.py EVENTS_FILE
"""
import json
import sys


def main(path):
    layers, unavailable, lost, error = [], [], 0, ""
    try:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    event = json.loads(line)
                except ValueError as e:
                    error = f"line {number} is not JSON: {e}"
                    break
                if not isinstance(event, dict) or event.get("schema") != "polc.event/1":
                    error = f"line {number} is not a polc.event/1 record"
                    break
                kind = event.get("event")
                if kind == "refusal" and event.get("layer") not in layers:
                    layers.append(event.get("layer"))
                elif kind == "notice" and event.get("source") not in unavailable:
                    unavailable.append(event.get("source"))
                elif kind == "lost":
                    lost += int(event.get("count") or 0)
    except OSError as e:
        error = f"cannot read {path}: {e.strerror}"
    print(", ".join(str(layer) for layer in layers))
    print(" ".join(str(source) for source in unavailable))
    print(lost)
    print(error)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
