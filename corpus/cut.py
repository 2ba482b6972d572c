#!/usr/bin/env python3
"""Cuts a `perf script` text file at sample boundaries into prefixes of the given sizes.

Why: benchmarks compare tools on 10 MB, 100 MB, 1 GB and full-size files taken from ONE real
recording, so that the only thing that changes between rows is the size. A cut always ends after the
blank line that closes a sample, so every output file is a valid recording on its own.

Usage: cut.py INPUT SIZE [SIZE ...]     (sizes like 10M, 100M, 1G; writes INPUT-stem.SIZE.perf.txt)
       `full` as a size names the input itself (the full-size row); nothing is written for it.
"""
import os
import sys

UNITS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def parse_size(text):
    text = text.strip().upper()
    if text and text[-1] in UNITS:
        return int(float(text[:-1]) * UNITS[text[-1]])
    return int(text)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    src = sys.argv[1]
    total = os.path.getsize(src)
    stem = src[: -len(".perf.txt")] if src.endswith(".perf.txt") else src
    for label in sys.argv[2:]:
        if label.lower() == "full":
            print(f"{src}: {total} bytes (full size, the input itself)", file=sys.stderr)
            continue
        want = parse_size(label)
        if want >= total:
            print(f"{label}: input is only {total} bytes, skipped", file=sys.stderr)
            continue
        out = f"{stem}.{label}.perf.txt"
        with open(src, "rb") as f, open(out, "wb") as g:
            f.seek(want)
            # Find the end of the sample that straddles the cut: the next blank line.
            tail = b""
            while True:
                block = f.read(1 << 20)
                if not block:
                    end = total
                    break
                tail += block
                i = tail.find(b"\n\n")
                if i >= 0:
                    end = want + i + 2
                    break
            f.seek(0)
            left = end
            while left > 0:
                block = f.read(min(left, 64 << 20))
                if not block:
                    break
                g.write(block)
                left -= len(block)
        print(f"{out}: {end} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
