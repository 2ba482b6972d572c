"""Summarises a BIGFLAME_LATENCY_LOG file: p50/p99/max input-to-frame time per view, and the
p50/p99 of each part of a frame (event-loop wait, CPU, upload, acquire, submit, present, GPU)."""
import collections
import json
import math
import sys

rows = [json.loads(line) for line in open(sys.argv[1])]
by_view = collections.defaultdict(list)
for r in rows:
    by_view[r["view"]].append(r)


def pct(values, q):
    values = sorted(values)
    return values[max(1, math.ceil(q * len(values))) - 1] if values else 0


parts = ["queue_ms", "cpu_ms", "prepare_ms", "acquire_ms", "submit_ms", "present_ms", "gpu_ms"]
for view, rs in by_view.items():
    t = [r["input_to_frame_ms"] for r in rs]
    print(f"{view}: n={len(t)} p50={pct(t, .5):.2f} p99={pct(t, .99):.2f} max={max(t):.2f} ms; "
          f"rects p99={pct([r['rects'] for r in rs], .99)}")
    for q in (0.5, 0.99):
        print(f"   p{int(q * 100)} parts", {k: round(pct([r.get(k, 0) for r in rs], q), 2) for k in parts})
