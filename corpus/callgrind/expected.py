"""Prints callgrind_annotate's totals for a callgrind file as JSON (used by record.sh).

`totals`: the PROGRAM TOTALS line, per event. `functions`: each function's self (exclusive) cost
per event, as callgrind_annotate prints them with `--inclusive=no` and no threshold, keyed by
callgrind_annotate's `file:function` name.
"""

import json
import re
import subprocess
import sys


def number(s):
    return int(s.replace(",", ""))


def main(path):
    out = subprocess.run(
        ["callgrind_annotate", "--inclusive=no", "--threshold=100", path],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    events = None
    totals = None
    functions = {}
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Events shown:"):
            events = line.split(":", 1)[1].split()
        if line.rstrip().endswith("PROGRAM TOTALS"):
            toks = re.sub(r"\([^)]*\)", " ", line).split()[: len(events)]
            totals = [0 if t == "." else number(t) for t in toks]
    # Function lines: one number (or "." for zero) per event, each optionally followed by a
    # percentage in parentheses, then "file:function [object]".
    # The table ends at its first blank line (source annotations follow).
    in_table = False
    for line in lines:
        if "file:function" in line:
            in_table = True
            continue
        if in_table and not line.strip() and functions:
            break
        if not in_table or not line.strip() or set(line.strip()) == {"-"}:
            continue
        toks = re.sub(r"\([^)]*\)", " ", line).split()
        head, rest = toks[: len(events)], toks[len(events) :]
        if len(head) < len(events) or not rest:
            continue
        if not all(re.fullmatch(r"[\d,]+|\.", t) for t in head):
            continue
        name = re.sub(r"\s+\[[^\]]*\]$", "", " ".join(rest))
        functions[name] = [0 if t == "." else number(t) for t in head]
    print(
        json.dumps(
            {"events": events, "totals": totals, "functions": functions},
            indent=1,
            sort_keys=True,
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
