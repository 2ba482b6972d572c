#!/usr/bin/env python3
"""bigflame vs speedscope and inferno on the same perf-script files, in one run.

Why one command: ratios between tools only mean something when measured on the same machine, the
same files and the same minutes (the load of other jobs changes), so one run measures every tool
on every file and writes `results.json`, `report.md` and `chart.svg` (see benches/README.md).

    python3 benches/harness/run.py --smoke                    # small file, all available tools
    python3 benches/harness/run.py --report-from DIR          # rewrite DIR's report.md + chart.svg
    python3 benches/harness/run.py --files corpus/large/big.10M.perf.txt ... --out benches/results/DATE-MACHINE

Peers are found, never installed: inferno-collapse-perf on PATH or /opt/inferno/bin; Chromium
(`chromium`), Node and `speedscope@1.25` + `playwright-core` under ~/.cache/bigflame-harness
(`benches/harness/setup-peers.sh`). A missing peer is reported as `skipped`; with `--require-peers`
it is an error instead (CI).
"""

import argparse
import datetime
import functools
import http.server
import json
import os
import shutil
import sys
import tempfile
import threading
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import report  # noqa: E402
import tools  # noqa: E402
import window  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CACHE = os.path.expanduser(os.environ.get("BIGFLAME_HARNESS_CACHE", "~/.cache/bigflame-harness"))
ALL_TOOLS = ["bigflame-headless", "bigflame-window", "bigflame-collapse", "inferno-collapse-perf",
             "speedscope"]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--smoke", action="store_true",
                   help="corpus/mixed-workload.perf.txt only, short timeouts (CI)")
    p.add_argument("--files", nargs="+", help="perf script text files, smallest first")
    p.add_argument("--out", help="output folder (default: a temporary folder for --smoke, else "
                                 "benches/results/DATE-HOST)")
    p.add_argument("--bigflame", default=None,
                   help="bigflame binary (default: target/release/bigflame)")
    p.add_argument("--tools", nargs="+", default=ALL_TOOLS, choices=ALL_TOOLS)
    p.add_argument("--require-peers", action="store_true",
                   help="fail when a peer tool is missing instead of skipping it")
    p.add_argument("--timeout", dest="timeout_s", type=int, default=900,
                   help="per file and tool, seconds")
    p.add_argument("--speedscope-timeout", dest="speedscope_timeout_s", type=int, default=600,
                   help="speedscope: seconds to first frame")
    p.add_argument("--speedscope-path-timeout", dest="speedscope_path_timeout_s", type=int,
                   default=120, help="speedscope: seconds for the camera path (cut short after)")
    p.add_argument("--speedscope-unpaced", dest="speedscope_unpaced", action="store_true",
                   help="speedscope: lift Chromium's ~60 Hz frame pacing "
                        "(--run-all-compositor-stages-before-draw); on large profiles its first "
                        "frame then never comes (see benches/README.md)")
    p.add_argument("--width", type=int, default=1600)
    p.add_argument("--height", type=int, default=900)
    p.add_argument("--note", default="", help="free text for the report (e.g. load on the machine)")
    p.add_argument("--report-from", metavar="DIR",
                   help="only rewrite DIR/report.md and DIR/chart.svg from DIR/results.json")
    a = p.parse_args(argv)
    if a.report_from:
        return a
    # The camera path (same for the window and speedscope): 76 notches of 1.2x = 1e6x zoom.
    a.zoom_steps, a.zoom_factor, a.pan_steps, a.pan_px = 76, 1.2, 76, 384
    a.bench_frames = 1 + 3 * a.zoom_steps  # bench: same zoom per frame (1e6 ** (1/76) = 1.2)
    a.window_step_ms = 30
    if a.smoke:
        a.files = a.files or [os.path.join(ROOT, "corpus", "mixed-workload.perf.txt")]
        a.timeout_s = min(a.timeout_s, 60)
        a.speedscope_timeout_s = min(a.speedscope_timeout_s, 40)
        a.speedscope_path_timeout_s = min(a.speedscope_path_timeout_s, 40)
        a.zoom_steps, a.pan_steps = 20, 10
        a.zoom_factor = 2.0  # 2 ** 20 = 1e6 in all
        a.bench_frames = 1 + 3 * a.zoom_steps
    if not a.files:
        p.error("--files or --smoke is required")
    return a


def find_env(args):
    """Paths of every tool; None where missing."""
    bigflame = args.bigflame or os.path.join(ROOT, "target", "release", "bigflame")
    inferno = shutil.which("inferno-collapse-perf") or (
        "/opt/inferno/bin/inferno-collapse-perf"
        if os.access("/opt/inferno/bin/inferno-collapse-perf", os.X_OK) else None)
    chromium = next((shutil.which(c) for c in ("chromium", "chromium-browser") if shutil.which(c)),
                    None)
    modules = os.path.join(CACHE, "node_modules")
    dist = os.path.join(modules, "speedscope", "dist", "release")
    playwright = os.path.join(modules, "playwright-core")
    return {
        "bigflame": bigflame if os.access(bigflame, os.X_OK) else None,
        "inferno": inferno,
        "chromium": chromium,
        "node": shutil.which("node"),
        "speedscope_dist": dist if os.path.isfile(os.path.join(dist, "index.html")) else None,
        "playwright": playwright if os.path.isdir(playwright) else None,
    }


class Server:
    """Serves speedscope's build at / and the profiles at /profiles/NAME on 127.0.0.1."""

    def __init__(self, dist, files):
        names = {urllib.parse.quote(os.path.basename(f)): f for f in files}

        class Handler(http.server.SimpleHTTPRequestHandler):
            def translate_path(self, path):
                p = urllib.parse.urlsplit(path).path
                if p.startswith("/profiles/"):
                    return names.get(p[len("/profiles/"):], "/nonexistent")
                return super().translate_path(path)

            def log_message(self, *a):
                pass

        handler = functools.partial(Handler, directory=dist)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        prof = f"http://127.0.0.1:{self.port}/profiles/" + urllib.parse.quote(os.path.basename(path))
        return f"http://127.0.0.1:{self.port}/index.html#profileURL=" + urllib.parse.quote(prof, safe="")

    def close(self):
        self.httpd.shutdown()


def warm_cache(path):
    """Reads the file once so that no tool pays for the first read from disk."""
    with open(path, "rb") as f:
        while f.read(64 << 20):
            pass


def missing_reason(tool, env):
    need = {"bigflame-headless": ["bigflame"], "bigflame-window": ["bigflame"],
            "bigflame-collapse": ["bigflame"], "inferno-collapse-perf": ["inferno"],
            "speedscope": ["chromium", "node", "speedscope_dist", "playwright"]}[tool]
    gone = [n for n in need if not env[n]]
    if tool == "bigflame-window":
        gone += window.available()
    return ", ".join(gone)


def run_one(tool, path, args, env, server, scratch):
    if tool == "bigflame-headless":
        return tools.bigflame_headless(env["bigflame"], path, args, scratch)
    if tool == "bigflame-window":
        return window.bigflame_window(env["bigflame"], path, args, scratch)
    if tool == "bigflame-collapse":
        return tools.bigflame_collapse(env["bigflame"], path, args, scratch)
    if tool == "inferno-collapse-perf":
        return tools.inferno_collapse(env["inferno"], path, args, scratch)
    return tools.speedscope(env, server.url(path), path, args, scratch)


def main(argv):
    args = parse_args(argv)
    if args.report_from:
        with open(os.path.join(args.report_from, "results.json")) as f:
            report.write(json.load(f), args.report_from)
        return 0
    env = find_env(args)
    if not env["bigflame"]:
        print("bigflame binary not found (cargo build --release -p bigflame, or --bigflame)",
              file=sys.stderr)
        return 2
    stamp = datetime.datetime.now(datetime.timezone.utc)
    out = args.out or (tempfile.mkdtemp(prefix="bigflame-harness-") if args.smoke else
                       os.path.join(ROOT, "benches", "results",
                                    f"{stamp:%Y-%m-%d}-{os.uname().nodename}"))
    os.makedirs(out, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="bigflame-harness-scratch-")
    files = [os.path.abspath(f) for f in args.files]
    server = Server(env["speedscope_dist"], files) if env["speedscope_dist"] else None
    results = {"started_utc": stamp.isoformat(timespec="seconds"), "smoke": args.smoke,
               "machine": report.machine(env), "note": args.note,
               "speedscope_unpaced": args.speedscope_unpaced,
               "camera_path": {"zoom_steps": args.zoom_steps, "zoom_factor": args.zoom_factor,
                               "pan_steps": args.pan_steps, "pan_px": args.pan_px,
                               "bench_frames": args.bench_frames,
                               "viewport": [args.width, args.height]},
               "runs": []}
    failed_required = []
    try:
        for path in files:
            warm_cache(path)
            for tool in args.tools:
                why = missing_reason(tool, env)
                if why:
                    r = {"tool": tool, "file": os.path.basename(path),
                         "file_bytes": os.path.getsize(path), "status": "skipped",
                         "error": "not available: " + why}
                    if args.require_peers:
                        failed_required.append(f"{tool}: {why}")
                else:
                    print(f"{os.path.basename(path)}: {tool} ...", file=sys.stderr, flush=True)
                    r = run_one(tool, path, args, env, server, scratch)
                if r.get("frame_latency_ms") and "frame_p50_ms" not in r:
                    r.update(tools._summary(r["frame_latency_ms"]))
                print(f"  {report.one_line(r)}", file=sys.stderr, flush=True)
                results["runs"].append(r)
                with open(os.path.join(out, "results.json"), "w") as f:
                    json.dump(results, f, indent=1)
    finally:
        if server:
            server.close()
        shutil.rmtree(scratch, ignore_errors=True)
    results["finished_utc"] = datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec="seconds")
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    report.write(results, out)
    print(out)
    if failed_required:
        print("required peers missing: " + "; ".join(failed_required), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
