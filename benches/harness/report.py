"""The harness's report: machine description, `report.md` (headline ratios first) and `chart.svg`.

Why ratios first: absolute seconds depend on the machine and on whatever else it ran at the time
(this project builds on 2 shared cores), while bigflame-vs-peer ratios from the same run on the
same files are what the comparison is about. Absolute numbers follow, with the machine and the
load average next to them. The chart is plain SVG written here (no plotting dependency).
"""

import json
import os
import platform
import subprocess

import chart


def _first_line(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return None


def machine(env):
    cpu = None
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")),
                       None)
    except OSError:
        pass
    mem_gb = None
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
            mem_gb = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        pass
    m = {"host": os.uname().nodename, "cpu": cpu, "cores": os.cpu_count(), "mem_gb": mem_gb,
         "kernel": platform.release(), "os": _first_line(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"])}
    if env.get("bigflame"):
        m["bigflame"] = _first_line([env["bigflame"], "--version"])
        head = _first_line(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse",
                            "--short", "HEAD"])
        m["bigflame_source"] = f"git {head} + uncommitted working tree" if head else None
    if env.get("inferno"):
        # inferno's collapsers have no --version; cargo install records it next to bin/.
        m["inferno"] = _first_line(["sh", "-c", "grep -o 'inferno [0-9.]*' \"$(dirname \"$0\")/../.crates.toml\" "
                                    "|| echo inferno", env["inferno"]])
    if env.get("chromium"):
        m["chromium"] = _first_line([env["chromium"], "--version"])
    if env.get("node"):
        m["node"] = _first_line([env["node"], "--version"])
    if env.get("speedscope_dist"):
        try:
            with open(os.path.join(env["speedscope_dist"], "..", "..", "package.json")) as f:
                m["speedscope"] = json.load(f).get("version")
        except (OSError, ValueError):
            m["speedscope"] = None
    return m


def _f(v, digits=2):
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def one_line(r):
    if r.get("status") != "ok":
        return f"{r['tool']}: {r.get('status')} ({r.get('error', '')})"
    return (f"{r['tool']}: first frame {_f(r.get('first_frame_s'))} s, load {_f(r.get('load_s'))} s, "
            f"RSS {_f(r.get('peak_rss_mb'), 0)} MB (anon {_f(r.get('peak_anon_mb'), 0)}), "
            f"frame p50 {_f(r.get('frame_p50_ms'))} ms p99 {_f(r.get('frame_p99_ms'))} ms")


def _size(b):
    for unit, div in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if b >= div:
            return f"{b / div:.1f} {unit}"
    return f"{b} B"


def _ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def _get(runs, file, tool):
    return next((r for r in runs if r["file"] == file and r["tool"] == tool), None)


def headline(results):
    """Rows: per file, peer / bigflame ratios (>1 means bigflame is better)."""
    runs = results["runs"]
    files = list(dict.fromkeys(r["file"] for r in runs))
    rows = []
    for file in files:
        bw, bh = _get(runs, file, "bigflame-window"), _get(runs, file, "bigflame-headless")
        bc, inf = _get(runs, file, "bigflame-collapse"), _get(runs, file, "inferno-collapse-perf")
        ss = _get(runs, file, "speedscope")
        ok = lambda r: r is not None and r.get("status") == "ok"  # noqa: E731
        big = bw if ok(bw) else bh
        row = {"file": file, "size": _size(next(r["file_bytes"] for r in runs if r["file"] == file)),
               "bigflame_as": big["tool"] if big else None}
        if ok(ss) and ok(big):
            row["ttff"] = _ratio(ss.get("first_frame_s"), big.get("first_frame_s"))
            row["rss"] = _ratio(ss.get("peak_rss_mb"), big.get("peak_rss_mb"))
            row["anon"] = _ratio(ss.get("peak_anon_mb"), big.get("peak_anon_mb"))
            row["frame_p50"] = _ratio(ss.get("frame_p50_ms"), big.get("frame_p50_ms"))
            row["frame_p99"] = _ratio(ss.get("frame_p99_ms"), big.get("frame_p99_ms"))
        elif ss is not None and ss.get("status") not in ("ok", "skipped") and ok(big):
            # No first frame before the deadline: the time ratio is a lower bound, and so is the
            # memory ratio (speedscope's peak until it was stopped).
            waited = ss.get("elapsed_s") or ss.get("wall_s")
            row["lower_bound"] = True
            row["ttff"] = _ratio(waited, big.get("first_frame_s"))
            row["rss"] = _ratio(ss.get("peak_rss_mb"), big.get("peak_rss_mb"))
            row["anon"] = _ratio(ss.get("peak_anon_mb"), big.get("peak_anon_mb"))
            row["speedscope"] = ss.get("status")
        if ok(inf) and ok(bc):
            row["ingest"] = _ratio(inf.get("load_s"), bc.get("load_s"))
            row["ingest_rss"] = _ratio(inf.get("peak_rss_mb"), bc.get("peak_rss_mb"))
            row["ingest_anon"] = _ratio(inf.get("peak_anon_mb"), bc.get("peak_anon_mb"))
        rows.append(row)
    return rows


def _x(v):
    if v is None:
        return "–"
    return f"**{v:.1f}×**" if v >= 1 else f"**{v:.2g}×**"


def markdown(results):
    m = results["machine"]
    cam = results["camera_path"]
    lines = [f"# bigflame vs speedscope and inferno — {results['started_utc']}", ""]
    lines += ["## Headline (same run, same files; peer ÷ bigflame, so > 1× means bigflame is "
              "faster / smaller)", ""]
    lines += ["| file | size | time to first frame (speedscope ÷ bigflame window) | peak RSS | "
              "peak anon | frame p50 | frame p99 | ingest time (inferno ÷ bigflame collapse) | "
              "ingest RSS | ingest anon |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for row in headline(results):
        if row.get("lower_bound"):
            ss = [f"> {_x(row.get('ttff'))} (speedscope {row['speedscope']}: no frame)",
                  f"≥ {_x(row.get('rss'))}", f"≥ {_x(row.get('anon'))}", "no frame", "no frame"]
        else:
            ss = [_x(row.get(k)) for k in ("ttff", "rss", "anon", "frame_p50", "frame_p99")]
        lines.append("| " + " | ".join([row["file"], row["size"], *ss, _x(row.get("ingest")),
                                         _x(row.get("ingest_rss")), _x(row.get("ingest_anon"))])
                     + " |")
    cut = [r for r in results["runs"] if r["tool"] == "speedscope" and r.get("path_complete") is False]
    if cut:
        lines += ["", "speedscope's camera path hit its time limit on "
                  + ", ".join(f"{r['file']} (after {r.get('frames')} of "
                              f"{2 * cam['zoom_steps'] + cam['pan_steps']} steps)" for r in cut)
                  + f": its frame columns cover those first steps only (the {cam['zoom_steps']} "
                  "zoom-in steps come first, then the pan), bigflame's the whole path."]
    loads = [x for r in results["runs"] for x in (r.get("loadavg_before"), r.get("loadavg_after"))
             if x is not None]
    if loads:
        lines += ["", f"Load average during the run: {min(loads):.1f} to {max(loads):.1f} on "
                  f"{results['machine'].get('cores')} cores (other jobs share the machine; "
                  "absolute times are inflated, ratios less so)."]
    lines += ["", "## Machine", ""]
    if isinstance(m.get("speedscope"), str) and "version" in m["speedscope"]:
        m = dict(m, speedscope=m["speedscope"].split(":")[-1].strip(' ",'))  # older runs' format
    for k in ("host", "cpu", "cores", "mem_gb", "kernel", "os", "bigflame", "bigflame_source",
              "inferno", "chromium",
              "node", "speedscope"):
        lines.append(f"- {k}: {m.get(k)}")
    adapters = {r.get("adapter") for r in results["runs"] if r.get("adapter")}
    lines.append(f"- bigflame GPU adapter: {', '.join(sorted(adapters)) or '–'}")
    lines.append("- speedscope WebGL: Chromium's SwiftShader (software); frames "
                 + ("unpaced (--run-all-compositor-stages-before-draw)"
                    if results.get("speedscope_unpaced") else "paced at ~60 Hz as in any browser"))
    if results.get("note"):
        lines += ["", f"Note: {results['note']}"]
    lines += ["", "## All measurements", "",
              f"Viewport {cam['viewport'][0]}×{cam['viewport'][1]}. Camera path: {cam['zoom_steps']} "
              f"zoom-in steps of {cam['zoom_factor']:g}×, {cam['pan_steps']} pan steps of "
              f"{cam['pan_px']} px (right, then back), {cam['zoom_steps']} zoom-out steps; "
              f"`bigflame bench` runs its own path of the same shape in {cam['bench_frames']} frames.",
              "",
              "| file | tool | status | first frame s | load s | ingest MB/s | peak RSS MB | "
              "peak anon MB | frames | frame p50 ms | p99 ms | max ms | load avg |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results["runs"]:
        status = r.get("status", "?")
        if status == "ok" and r.get("path_complete") is False:
            status = f"ok, path cut short after {r.get('frames')} steps ({r.get('path_error')})"
        if status != "ok" and not status.startswith("ok,"):
            status += ": " + (r.get("error") or "")[:120].replace("|", "/").replace("\n", " ")
        if r.get("import_s") is not None:
            status += f"; its import took {r['import_s']:.1f} s"
        lines.append("| " + " | ".join([
            r["file"], r["tool"], status, _f(r.get("first_frame_s")), _f(r.get("load_s")),
            _f(r.get("ingest_mb_s"), 1), _f(r.get("peak_rss_mb"), 0), _f(r.get("peak_anon_mb"), 0),
            _f(r.get("frames")), _f(r.get("frame_p50_ms")), _f(r.get("frame_p99_ms")),
            _f(r.get("frame_max_ms")),
            f"{_f(r.get('loadavg_before'))}→{_f(r.get('loadavg_after'))}"]) + " |")
    lines += ["", "## How each number is taken", "",
              "- *first frame*: bigflame headless = load + index + GPU setup + first frame done on "
              "the GPU (`first_frame_s` of `bigflame bench`); bigflame window = process launch → "
              "first presented frame showing the profile (`BIGFLAME_FRAME_LOG`); speedscope = "
              "navigation start → two animation frames after its import finished and the view "
              "was shown. Collapsers have no frame: *load* is their whole run (output to a file).",
              "- *peak RSS / anon*: sums of VmRSS / RssAnon over the tool's process tree, sampled "
              "every 10 ms from /proc (for speedscope: all Chromium processes, not the Node "
              "driver; shared pages count once per process).",
              "- *frame*: bigflame headless = build + prepare + submit + GPU wait per frame; "
              "window = input event arrival → frame presented and finished on the GPU "
              "(`BIGFLAME_LATENCY_LOG`; wheel events that arrive while a frame is drawn share the "
              "next one, so a window row has one latency per frame drawn after input); "
              "speedscope = wheel event dispatched in the page → two animation frames later "
              "(its redraw, then the compositor's frame), per camera step.",
              "- Both bigflame and speedscope render in software here (lavapipe Vulkan, "
              "SwiftShader WebGL), on the same CPU cores.",
              "- *ingest MB/s*: file bytes ÷ load (bigflame: load; viewers: first frame).",
              "- bigflame window, first frame with partial data (progressive load): "
              + ("; ".join(f"{r['file']} {r['first_partial_frame_s']:.2f} s" for r in results["runs"]
                           if r.get("first_partial_frame_s") is not None) or "not logged"),
              "- Folded totals (sum of the folded counts = sample weights) as a cross-check of "
              "the two collapsers: "
              + "; ".join(f"{r['file']} {r['tool']} {r.get('folded_samples')}"
                          for r in results["runs"] if r.get("folded_samples") is not None), ""]
    return "\n".join(lines)


def write(results, out):
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(markdown(results))
        f.write("\n![load and frame time vs file size](chart.svg)\n")
    with open(os.path.join(out, "chart.svg"), "w") as f:
        f.write(chart.svg(results))
