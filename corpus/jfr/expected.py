#!/usr/bin/env python3
"""Independent totals of a JFR recording, from the JDK's own `jfr print --json` output.

Usage: jfr print --json --stack-depth 2048 --events EVENTS FILE | python3 expected.py FILE > FILE.expected.json

Why: the corpus test compares bigflame's JFR import with numbers that bigflame did not compute.
The JDK's `jfr` tool decodes the recording; this script only counts and sums what it printed.
The chunk headers (start nanos, duration) are read here with `struct`, per the format's fixed
68-byte big-endian header, to give the recording's time span.
"""
import json
import re
import struct
import sys
from datetime import datetime, timezone

WEIGHT = {
    "jdk.ExecutionSample": None,
    "jdk.NativeMethodSample": None,
    "jdk.ObjectAllocationSample": "weight",
    "jdk.ObjectAllocationInNewTLAB": "tlabSize",
    "jdk.ObjectAllocationOutsideTLAB": "allocationSize",
    "jdk.JavaMonitorEnter": "duration",
    "jdk.JavaMonitorWait": "duration",
    "jdk.ThreadPark": "duration",
}
THREAD = {"jdk.ExecutionSample": "sampledThread", "jdk.NativeMethodSample": "sampledThread"}


def epoch_ns(text):
    """'2026-11-22T05:17:38.042022697Z' -> nanoseconds since the epoch."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z", text)
    base = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    frac = (m.group(2) or "0").ljust(9, "0")[:9]
    return int(base.timestamp()) * 1_000_000_000 + int(frac)


def duration_ns(text):
    """'PT0.030128179S' (ISO-8601, as java.time.Duration prints it) -> nanoseconds."""
    m = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?", text)
    h, mi, s, frac = m.groups()
    ns = ((int(h or 0) * 60 + int(mi or 0)) * 60 + int(s or 0)) * 1_000_000_000
    return ns + int((frac or "0").ljust(9, "0")[:9])


def chunks(path):
    data = open(path, "rb").read()
    out, pos = [], 0
    while pos + 68 <= len(data) and data[pos:pos + 4] == b"FLR\0":
        size, _, _, start, dur = struct.unpack(">qqqqq", data[pos + 8:pos + 48])
        out.append({"start_nanos": start, "duration_nanos": dur})
        pos += size
    return out


def frame_name(frame):
    method = frame["method"]
    return method["type"]["name"].replace("/", ".") + "." + method["name"]


def main():
    path = sys.argv[1]
    events = json.load(sys.stdin)["recording"]["events"]
    ch = chunks(path)
    base = min(c["start_nanos"] for c in ch)
    per = {}
    for ev in events:
        name = ev["type"]
        if name not in WEIGHT:
            continue
        v = ev["values"]
        e = per.setdefault(name, {"count": 0, "total_weight": 0, "threads": set(),
                                  "min_time_ns": None, "max_time_ns": None})
        e["count"] += 1
        field = WEIGHT[name]
        if field is None:
            e["total_weight"] += 1
        elif field == "duration":
            e["total_weight"] += duration_ns(v["duration"])
        else:
            e["total_weight"] += v[field]
        thread = v.get(THREAD.get(name, "eventThread")) or {}
        e["threads"].add(thread.get("javaName") or thread.get("osName") or "")
        t = epoch_ns(v["startTime"]) - base
        e["min_time_ns"] = t if e["min_time_ns"] is None else min(e["min_time_ns"], t)
        e["max_time_ns"] = t if e["max_time_ns"] is None else max(e["max_time_ns"], t)
        if name == "jdk.ExecutionSample":
            frames = [frame_name(f) for f in reversed((v.get("stackTrace") or {}).get("frames", []))]
            if frames[:1] == ["Workload.main"] and "Workload.recurse" in frames:
                e["main_then_recurse"] = e.get("main_then_recurse", 0) + 1
                e["recurse_frames"] = e.get("recurse_frames", 0) + frames.count("Workload.recurse")
    for e in per.values():
        e["threads"] = sorted(e["threads"])
    json.dump({"file": path.split("/")[-1], "chunks": ch, "events": per}, sys.stdout, indent=1,
              sort_keys=True)
    print()


main()
