"""One runner per tool: each starts the tool on one file, samples its memory and returns a dict.

Why one shape for all: the report compares tools row by row, so every runner returns the same
keys (`status`, `first_frame_s`, `load_s`, `peak_rss_mb`, `peak_anon_mb`, `frame_ms` list, ...)
and a failure or timeout is a result with `status` and `error`, never an exception.

Tools:
* `bigflame-headless`: `bigflame bench FILE --json` (load, index, GPU setup, first frame, then its
  built-in zoom 1e6x / pan / zoom out path on the offscreen target).
* `bigflame-window`: `bigflame FILE` in a real window under Xvfb, with `BIGFLAME_FRAME_LOG`;
  the camera path is sent as X wheel events by xdotool (see `window.py`).
* `bigflame-collapse` and `inferno-collapse-perf`: ingest only (perf script text to folded
  stacks, written to a file), the like-for-like parser comparison.
* `speedscope`: in headless Chromium via `speedscope_driver.mjs`.
"""

import json
import math
import os
import signal
import subprocess
import time

from procmon import PeakMemory, loadavg, tree


TIME = "/usr/bin/time"


class Run:
    """A child process with stdout/stderr in files, its memory sampled, reaped with `wait4`.

    With `peak_from_time`, the command runs under GNU time, whose `%M` (the kernel's peak RSS of
    the tool) catches a tool that exits before the first 10 ms sample; the larger of the two
    peaks is kept. (Python's own `wait4` would not do: its children start as vfork copies of
    the interpreter, whose RSS the kernel carries into their high-water mark.)
    """

    def __init__(self, cmd, scratch, include_root=True, stdout=None, peak_from_time=False):
        self.out_path = os.path.join(scratch, "stdout.txt")
        self.err_path = os.path.join(scratch, "stderr.txt")
        self.time_path = os.path.join(scratch, "time.txt")
        self.timed = peak_from_time and os.access(TIME, os.X_OK)
        if self.timed:
            cmd = [TIME, "-f", "%M", "-o", self.time_path] + cmd
            include_root = False  # GNU time itself is not the tool
        self._out = stdout or open(self.out_path, "wb")
        self._err = open(self.err_path, "wb")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=self._out, stderr=self._err,
                                     stdin=subprocess.DEVNULL)
        self.mon = PeakMemory(self.proc.pid, include_root=include_root)

    def finish(self, timeout_s):
        """Waits (killing after `timeout_s`); (wall seconds, stdout, stderr, timed out, memory)."""
        timed_out = False
        while self.proc.poll() is None:
            if time.monotonic() - self.t0 > timeout_s and not timed_out:
                for pid in reversed(tree(self.proc.pid)):  # the whole tree, e.g. a browser
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                timed_out = True
            time.sleep(0.005)
        wall = time.monotonic() - self.t0
        mem = self.mon.stop()
        if self.timed:
            try:
                with open(self.time_path) as f:
                    kb = int(f.read().split()[-1])
                mem["peak_rss_mb"] = max(mem["peak_rss_mb"], round(kb / 1024.0, 1))
            except (OSError, ValueError, IndexError):
                pass
        self._out.close()
        self._err.close()
        read = lambda p: open(p, "rb").read() if os.path.exists(p) else b""  # noqa: E731
        return wall, read(self.out_path), read(self.err_path), timed_out, mem


def _base(tool, path):
    return {"tool": tool, "file": os.path.basename(path), "file_bytes": os.path.getsize(path),
            "loadavg_before": loadavg()}


def _tail(text, n=400):
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else (text or "")
    return text.strip()[-n:]


def bigflame_headless(bigflame, path, cfg, scratch):
    r = _base("bigflame-headless", path)
    cmd = [bigflame, "bench", path, "--json", "--width", str(cfg.width), "--height",
           str(cfg.height), "--frames", str(cfg.bench_frames)]
    run = Run(cmd, scratch, peak_from_time=True)
    wall, out, err, timed_out, mem = run.finish(cfg.timeout_s)
    r.update(mem, wall_s=wall, loadavg_after=loadavg())
    if timed_out or run.proc.returncode != 0:
        r.update(status="timeout" if timed_out else "failed", error=_tail(err))
        return r
    try:
        j = json.loads(out.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        r.update(status="failed", error="no JSON from bigflame bench: " + _tail(out))
        return r
    r.update(status="ok", bench=j, first_frame_s=j.get("first_frame_s"), load_s=j["load_s"],
             index_s=j["index_s"], frames=j["frames"], adapter=j.get("adapter"),
             frame_p50_ms=j["frame_p50_ms"], frame_p99_ms=j["frame_p99_ms"],
             frame_max_ms=j["frame_max_ms"], cpu_prep_p99_ms=j["cpu_prep_p99_ms"])
    r["ingest_mb_s"] = r["file_bytes"] / 1e6 / j["load_s"] if j["load_s"] > 0 else None
    return r


def _count_folded(out_path):
    """(total samples, distinct stacks) of a folded-stacks file."""
    total = stacks = 0
    with open(out_path, "rb") as f:
        for line in f:
            _, _, count = line.rstrip(b"\n").rpartition(b" ")
            try:
                total += int(count)
                stacks += 1
            except ValueError:
                pass
    return total, stacks


def collapse(tool, cmd, path, cfg, scratch):
    """Runs a perf-script-to-folded collapser with output to a file; ingest time and memory."""
    r = _base(tool, path)
    out_path = os.path.join(scratch, tool + ".folded")
    run = Run(cmd, scratch, stdout=open(out_path, "wb"), peak_from_time=True)
    wall, _, err, timed_out, mem = run.finish(cfg.timeout_s)
    r.update(mem, wall_s=wall, load_s=wall, loadavg_after=loadavg())
    if timed_out or run.proc.returncode != 0:
        r.update(status="timeout" if timed_out else "failed", error=_tail(err))
    else:
        total, stacks = _count_folded(out_path)
        r.update(status="ok", ingest_mb_s=r["file_bytes"] / 1e6 / wall, folded_samples=total,
                 folded_stacks=stacks)
    try:
        os.remove(out_path)
    except OSError:
        pass
    return r


def bigflame_collapse(bigflame, path, cfg, scratch):
    return collapse("bigflame-collapse", [bigflame, "collapse", path], path, cfg, scratch)


def inferno_collapse(inferno, path, cfg, scratch):
    return collapse("inferno-collapse-perf", [inferno, path], path, cfg, scratch)


def _summary(values):
    """p50/p99/max (nearest rank) of a list of milliseconds."""
    if not values:
        return {}
    s = sorted(values)

    def rank(q):
        return s[min(len(s), max(1, math.ceil(round(q * len(s), 9)))) - 1]

    return {"frame_p50_ms": rank(0.5), "frame_p99_ms": rank(0.99), "frame_max_ms": s[-1]}


def speedscope(env, url, path, cfg, scratch):
    r = _base("speedscope", path)
    conf = {"chromium": env["chromium"], "playwright": env["playwright"], "url": url,
            "width": cfg.width, "height": cfg.height, "timeout_s": cfg.speedscope_timeout_s,
            "path_timeout_s": cfg.speedscope_path_timeout_s, "unpaced": cfg.speedscope_unpaced,
            "zoom_steps": cfg.zoom_steps, "zoom_factor": cfg.zoom_factor,
            "pan_steps": cfg.pan_steps, "pan_px": cfg.pan_px}
    driver = os.path.join(os.path.dirname(os.path.abspath(__file__)), "speedscope_driver.mjs")
    # The node driver itself is not counted: only the browser it starts.
    run = Run([env["node"], driver, json.dumps(conf)], scratch, include_root=False)
    wall, out, err, timed_out, mem = run.finish(cfg.speedscope_timeout_s + cfg.speedscope_path_timeout_s + 120)
    r.update(mem, wall_s=wall, loadavg_after=loadavg())
    try:
        j = json.loads(out.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        r.update(status="timeout" if timed_out else "failed",
                 error="no result from the driver: " + _tail(err))
        return r
    lat = j.pop("frame_latency_ms", [])
    r.update(j)
    r.update(tool="speedscope", frames=len(lat), frame_latency_ms=[round(x, 3) for x in lat])
    r.update(_summary(lat))
    try:  # speedscope's own console.time("import"): fetch + parse, before any drawing
        r["import_s"] = float(r.get("import_log", "").split(":")[1].split()[0]) / 1000.0
    except (IndexError, ValueError):
        pass
    if r.get("first_frame_s"):
        r["load_s"] = r["first_frame_s"]
        r["ingest_mb_s"] = r["file_bytes"] / 1e6 / r["first_frame_s"]
    return r
