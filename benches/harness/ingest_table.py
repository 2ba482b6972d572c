#!/usr/bin/env python3
"""Ingest speed and memory of `bigflame` against inferno-collapse-perf on the same files, same run.

Why a separate script: the full harness (run.py) times the whole viewer against speedscope; the
foundation targets are about the importer alone — full model build (`bigflame info`, every sample
kept with its timestamp) on 1 and 2 threads, `bigflame collapse` against `inferno-collapse-perf`,
and peak anonymous memory against the input size. Files are read once first so that they are in
the page cache, each command runs N times (best and median reported: the machine is shared, and
the median shows the noise), and peak anonymous memory is sampled from /proc every 5 ms.

Usage: benches/harness/ingest_table.py [--bigflame target/release/bigflame] [--inferno PATH]
                                       [--runs N] FILE...
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time


def timed(cmd):
    """Wall seconds and CPU seconds (user + system) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def peak_anon_mib(cmd):
    """Peak RssAnon of one run, sampled every 5 ms."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        try:
            with open(f"/proc/{proc.pid}/status") as status:
                for line in status:
                    if line.startswith("RssAnon"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.005)
    return peak / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bigflame", default="target/release/bigflame")
    ap.add_argument("--inferno", default=shutil.which("inferno-collapse-perf") or "inferno-collapse-perf")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    print("| file | size | command | best s | best GB/s | median s | median GB/s | CPU s |")
    print("|---|---|---|---|---|---|---|---|")
    for path in args.files:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            while f.read(1 << 24):
                pass
        name = os.path.basename(path)
        commands = [
            ("bigflame info --threads 2", [args.bigflame, "info", "--threads", "2", path]),
            ("bigflame info --threads 1", [args.bigflame, "info", "--threads", "1", path]),
            ("bigflame collapse", [args.bigflame, "collapse", path]),
            ("inferno-collapse-perf", [args.inferno, path]),
        ]
        best = {}
        for label, cmd in commands:
            runs = [timed(cmd) for _ in range(args.runs)]
            walls = [w for w, _ in runs]
            best[label] = min(walls)
            med = statistics.median(walls)
            cpu = min(c for _, c in runs)
            print(f"| {name} | {size / 1e9:.2f} GB | `{label}` | {min(walls):.3f} | "
                  f"{size / min(walls) / 1e9:.2f} | {med:.3f} | {size / med / 1e9:.2f} | {cpu:.2f} |")
        anon = max(peak_anon_mib(commands[0][1]) for _ in range(2))
        ratio = best["inferno-collapse-perf"] / best["bigflame collapse"]
        print(f"| {name} | | collapse speed-up over inferno (best) | {ratio:.1f}x | | | | |")
        print(f"| {name} | | peak anonymous memory, info --threads 2 | {anon:.0f} MiB "
              f"| {anon * 1048576 / size:.3f}x input | | | |")
        sys.stdout.flush()
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
