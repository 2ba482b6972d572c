"""`chart.svg`: load time and frame time vs file size, one line per tool, log-log axes.

Why hand-written SVG: the harness must run on a bare CI image with Python's standard library only,
and two small log-log panels do not need a plotting library. A run with no first frame before
its limit is a cross at the time it was stopped (a lower bound) on the load panel, and on the top
edge of the frame panel.
"""

import math

COLORS = {"bigflame-headless": "#d62728", "bigflame-window": "#ff7f0e",
          "bigflame-collapse": "#8c564b", "inferno-collapse-perf": "#2ca02c",
          "speedscope": "#1f77b4"}
W, H = 520, 360
M = {"l": 62, "r": 28, "t": 34, "b": 48}


def _esc(t):
    return str(t).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _decades(lo, hi):
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    if a == b:
        b += 1
    return a, b


def _fmt(v):
    if v >= 1e9:
        return f"{v / 1e9:g} GB"
    if v >= 1e6:
        return f"{v / 1e6:g} MB"
    if v >= 1e3:
        return f"{v / 1e3:g} kB"
    return f"{v:g}"


def _panel(x0, title, ylabel, series, failures, xs_all):
    """One panel at horizontal offset x0; series = {tool: [(bytes, value)]}."""
    out = [f'<g transform="translate({x0},0)">',
           f'<text x="{W / 2}" y="20" text-anchor="middle" font-weight="bold">{_esc(title)}</text>']
    ys = [v for pts in series.values() for _, v in pts if v and v > 0]
    ys += [y for _, _, y in failures if y]
    if not xs_all or not ys:
        out.append(f'<text x="{W / 2}" y="{H / 2}" text-anchor="middle">no data</text></g>')
        return out
    xa, xb = _decades(min(xs_all), max(xs_all))
    ya, yb = _decades(min(ys), max(ys))
    pw, ph = W - M["l"] - M["r"], H - M["t"] - M["b"]

    def px(x):
        return M["l"] + (math.log10(x) - xa) / (xb - xa) * pw

    def py(y):
        return M["t"] + ph - (math.log10(y) - ya) / (yb - ya) * ph

    out.append(f'<rect x="{M["l"]}" y="{M["t"]}" width="{pw}" height="{ph}" fill="none" '
               f'stroke="#999"/>')
    for d in range(xa, xb + 1):
        x = px(10 ** d)
        out.append(f'<line x1="{x:.1f}" y1="{M["t"]}" x2="{x:.1f}" y2="{M["t"] + ph}" '
                   f'stroke="#eee"/><text x="{x:.1f}" y="{M["t"] + ph + 16}" '
                   f'text-anchor="middle" font-size="11">{_fmt(10 ** d)}</text>')
    for d in range(ya, yb + 1):
        y = py(10 ** d)
        out.append(f'<line x1="{M["l"]}" y1="{y:.1f}" x2="{M["l"] + pw}" y2="{y:.1f}" '
                   f'stroke="#eee"/><text x="{M["l"] - 6}" y="{y + 4:.1f}" text-anchor="end" '
                   f'font-size="11">{10 ** d:g}</text>')
    out.append(f'<text x="{M["l"] + pw / 2}" y="{H - 10}" text-anchor="middle" font-size="12">'
               f'file size</text>')
    out.append(f'<text transform="translate(14,{M["t"] + ph / 2}) rotate(-90)" '
               f'text-anchor="middle" font-size="12">{_esc(ylabel)}</text>')
    for tool, pts in series.items():
        pts = sorted((x, v) for x, v in pts if v and v > 0)
        if not pts:
            continue
        c = COLORS.get(tool, "#333")
        d = " ".join(f"{'M' if i == 0 else 'L'}{px(x):.1f},{py(v):.1f}" for i, (x, v) in
                     enumerate(pts))
        out.append(f'<path d="{d}" fill="none" stroke="{c}" stroke-width="2"/>')
        for x, v in pts:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(v):.1f}" r="3.5" fill="{c}"/>')
    for tool, x, y in failures:
        # No result before the limit: a cross at the limit (a lower bound), or on the top edge.
        c = COLORS.get(tool, "#333")
        cx, cy = px(x), (py(y) if y else M["t"] + 8)
        out.append(f'<path d="M{cx - 5:.1f},{cy - 5:.1f} L{cx + 5:.1f},{cy + 5:.1f} M{cx - 5:.1f},'
                   f'{cy + 5:.1f} L{cx + 5:.1f},{cy - 5:.1f}" stroke="{c}" stroke-width="2.5"/>')
    if failures:
        note = ("× no first frame before the limit (drawn at the limit)" if any(y for _, _, y in failures)
                else "× no frame (no first frame before the limit)")
        out.append(f'<text x="{M["l"] + 6}" y="{M["t"] + ph - 8}" font-size="11" fill="#555">'
                   f'{_esc(note)}</text>')
    out.append("</g>")
    return out


def svg(results):
    runs = results["runs"]
    xs = sorted({r["file_bytes"] for r in runs})
    viewers = ("bigflame-headless", "bigflame-window", "speedscope")
    load = {t: [(r["file_bytes"], r.get("first_frame_s") or r.get("load_s"))
                for r in runs if r["tool"] == t and r.get("status") == "ok"]
            for t in COLORS}
    frame = {t: [(r["file_bytes"], r.get("frame_p50_ms")) for r in runs
                 if r["tool"] == t and r.get("status") == "ok"] for t in viewers}
    fails = [(r["tool"], r["file_bytes"], r.get("elapsed_s") or r.get("wall_s")) for r in runs
             if r.get("status") not in ("ok", "skipped")]
    legend_y = H + 8
    body = ['<svg xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" '
            f'width="{2 * W}" height="{H + 40}" viewBox="0 0 {2 * W} {H + 40}">',
            f'<rect width="{2 * W}" height="{H + 40}" fill="white"/>']
    body += _panel(0, "Time to first frame (collapsers: whole run)", "seconds", load, fails, xs)
    body += _panel(W, "Frame time p50 along the camera path", "milliseconds", frame,
                   [(t, x, None) for t, x, _ in fails if t in viewers], xs)
    for i, (tool, c) in enumerate(COLORS.items()):
        x = 20 + i * 200
        body.append(f'<rect x="{x}" y="{legend_y + 8}" width="14" height="4" fill="{c}"/>'
                    f'<text x="{x + 20}" y="{legend_y + 14}" font-size="12">{_esc(tool)}</text>')
    body.append("</svg>")
    return "\n".join(body) + "\n"
