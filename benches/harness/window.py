"""bigflame in a real window under Xvfb, driven by xdotool, timed by its own frame log.

Why this way: the windowed viewer is what users run, with its loader thread, event loop and
surface presentation, which `bigflame bench` leaves out. The viewer writes one JSON line per
drawn frame when `BIGFLAME_FRAME_LOG` is set (`crates/bigflame/src/app/frame_log.rs`), with the
wall clock, so *time to first frame* is launch -> first presented frame showing the profile.
*Frame latency* comes from the viewer's `BIGFLAME_LATENCY_LOG` (`app/latency.rs`): input event
arrival -> frame presented and finished on the GPU, one line per frame drawn after input
(coalesced wheel events share a frame); with that log on, the window waits for the GPU after
each present, as the latency definition requires.

The camera path is the one speedscope gets: Ctrl+wheel zoom in `zoom_steps` notches of
`zoom_factor` (1.2, the viewer's notch) at the window's centre, then horizontal wheel pans of
~`pan_px` (8 notches of 48 px) right and back, then the same zoom out.
"""

import json
import math
import os
import shutil
import subprocess
import tempfile
import time

from procmon import PeakMemory, loadavg

LINE_PAN_PX = 48  # the viewer's pan per wheel notch (app/input.rs)
LINE_ZOOM = 1.2  # the viewer's zoom per Ctrl+wheel notch (app/input.rs)


def available():
    missing = [t for t in ("Xvfb", "xdotool") if shutil.which(t) is None]
    return missing


class Xvfb:
    """A private X server on a free display number; stopped by `close()`."""

    def __init__(self, width=1920, height=1080):
        self.proc = None
        self.runtime = tempfile.mkdtemp(prefix="bigflame-harness-xdg-")
        for number in range(150 + os.getpid() % 200, 600):
            if os.path.exists(f"/tmp/.X11-unix/X{number}") or os.path.exists(f"/tmp/.X{number}-lock"):
                continue
            proc = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", f"{width}x{height}x24",
                                     "-nolisten", "tcp", "-noreset"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and proc.poll() is None:
                if os.path.exists(f"/tmp/.X11-unix/X{number}"):
                    break
                time.sleep(0.05)
            if proc.poll() is None:
                self.proc, self.number = proc, number
                self.env = dict(os.environ, DISPLAY=f":{number}", XDG_RUNTIME_DIR=self.runtime)
                self.env.pop("WAYLAND_DISPLAY", None)
                # The socket exists before the server answers: wait for a client to get through.
                while time.monotonic() < deadline:
                    if self.xdotool("getdisplaygeometry").returncode == 0:
                        return
                    time.sleep(0.05)
                raise RuntimeError("Xvfb accepted no client within 20 s")
        raise RuntimeError("no free X display number")

    def xdotool(self, *args, timeout=600):
        return subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout)

    def close(self):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.runtime, ignore_errors=True)


def _read_log(path):
    frames = []
    try:
        with open(path) as f:
            for line in f:
                try:
                    frames.append(json.loads(line))
                except ValueError:
                    pass  # a line still being written
    except OSError:
        pass
    return frames


def _wait_quiet(path, quiet_s=0.6, limit_s=120):
    """Waits until the frame log stops growing for `quiet_s` (the last wheel event is drawn)."""
    deadline = time.monotonic() + limit_s
    size, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now = os.path.getsize(path) if os.path.exists(path) else 0
        if now != size:
            size, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return
        time.sleep(0.05)


def camera_path_args(cfg):
    """xdotool arguments for the whole path, in one invocation (no per-step process start)."""
    pause = str(cfg.window_step_ms / 1000)
    zoom_notches = max(1, round(math.log(cfg.zoom_factor) / math.log(LINE_ZOOM)))
    pan_notches = max(1, round(cfg.pan_px / LINE_PAN_PX))

    def steps(n, notches, button):
        out = []
        for _ in range(n):
            out += ["click", "--repeat", str(notches), "--delay", "1", button, "sleep", pause]
        return out

    half = cfg.pan_steps // 2
    return (["keydown", "ctrl"] + steps(cfg.zoom_steps, zoom_notches, "4")  # 4: zoom in
            + ["keyup", "ctrl", "sleep", "0.3"]
            + steps(half, pan_notches, "7")  # 7 pans right
            + steps(cfg.pan_steps - half, pan_notches, "6")  # 6 back left
            + ["sleep", "0.3", "keydown", "ctrl"] + steps(cfg.zoom_steps, zoom_notches, "5")
            + ["keyup", "ctrl"])


def bigflame_window(bigflame, path, cfg, scratch):
    r = {"tool": "bigflame-window", "file": os.path.basename(path),
         "file_bytes": os.path.getsize(path), "loadavg_before": loadavg()}
    missing = available()
    if missing:
        r.update(status="skipped", error="not installed: " + ", ".join(missing))
        return r
    log = os.path.join(scratch, "frames.jsonl")
    latency_log = os.path.join(scratch, "latency.jsonl")
    for p in (log, latency_log):
        if os.path.exists(p):
            os.remove(p)
    x = None
    proc = None
    mon = None
    try:
        x = Xvfb()
        env = dict(x.env, BIGFLAME_FRAME_LOG=log, BIGFLAME_LATENCY_LOG=latency_log)
        launch_ms = time.time() * 1000.0
        t0 = time.monotonic()
        proc = subprocess.Popen([bigflame, path, "--width", str(cfg.width), "--height",
                                 str(cfg.height)], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        mon = PeakMemory(proc.pid)
        first = None
        while time.monotonic() - t0 < cfg.timeout_s and proc.poll() is None:
            first = next((f for f in _read_log(log) if f.get("ready") and f.get("presented")),
                         None)
            if first:
                break
            time.sleep(0.01)
        if not first:
            err = proc.stderr.read().decode("utf-8", "replace")[-400:] if proc.poll() is not None else ""
            r.update(status="failed" if proc.poll() is not None else "timeout",
                     error=err.strip() or f"no frame showing the profile within {cfg.timeout_s} s")
            return r
        r["first_frame_s"] = (first["unix_ms"] - launch_ms) / 1000.0
        # A progressive load draws partial data earlier (binaries that log `shown`).
        partial = next((f for f in _read_log(log) if f.get("shown") and f.get("presented")), None)
        if partial:
            r["first_partial_frame_s"] = (partial["unix_ms"] - launch_ms) / 1000.0
        r["load_s"] = r["first_frame_s"]
        r["ingest_mb_s"] = r["file_bytes"] / 1e6 / r["first_frame_s"]
        _wait_quiet(log)
        found = x.xdotool("search", "--sync", "--name", "bigflame", timeout=30)
        wid = (found.stdout.split() or [""])[0]
        if not wid:
            r.update(status="failed", error="window not found by xdotool")
            return r
        x.xdotool("windowfocus", "--sync", wid, timeout=30)
        x.xdotool("mousemove", "--window", wid, str(cfg.width // 2), str(cfg.height // 2))
        _wait_quiet(log)
        path_start_ms = time.time() * 1000.0
        done = x.xdotool(*camera_path_args(cfg), timeout=cfg.timeout_s)
        _wait_quiet(log)
        frames = [f for f in _read_log(log) if f["unix_ms"] > path_start_ms and f.get("presented")]
        draw = [f["draw_ms"] for f in frames]
        # Input -> frame presented and finished on the GPU, from the viewer's latency log
        # (app/latency.rs); only the draw time where the binary has no such log.
        lat = [f["input_to_frame_ms"] for f in _read_log(latency_log)] or draw
        ivals = [b["unix_ms"] - a["unix_ms"] for a, b in zip(frames, frames[1:])]
        r.update(status="ok" if done.returncode == 0 and lat else "failed",
                 frames=len(lat), frame_latency_ms=[round(v, 3) for v in lat],
                 frame_metric="input_to_frame_ms" if lat is not draw else "draw_ms",
                 draw_p50_ms=sorted(draw)[len(draw) // 2] if draw else None,
                 interval_p50_ms=sorted(ivals)[len(ivals) // 2] if ivals else None)
        if done.returncode != 0:
            r["error"] = "xdotool: " + done.stderr.strip()[-300:]
        elif not lat:
            r["error"] = "no frame drawn along the camera path"
        return r
    except (RuntimeError, subprocess.TimeoutExpired, OSError) as e:
        r.update(status="failed", error=str(e))
        return r
    finally:
        if proc and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if mon:
            r.update(mon.stop())
        r["loadavg_after"] = loadavg()
        if x:
            x.close()
