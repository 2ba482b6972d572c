//! A self-contained, interactive flame graph as SVG.
//!
//! Why SVG: it is the flame graph people paste into bug reports and wikis and open in any browser,
//! with no viewer installed. The file behaves like the ones FlameGraph's `flamegraph.pl` makes (our
//! own script, see [`super::svg_script`]): hovering a frame shows its name, weight and share; a
//! click zooms into it (its callers stay as dimmed full-width bars); Ctrl+F or the Search button
//! highlights frames matching a regular expression and shows the share they cover (nested matches
//! counted once); Reset Zoom and Escape undo.
//!
//! Layout: the merged call tree given by the caller ([`CallTree`], heaviest child first, so the
//! picture is stable), under one `all` frame, with frames `frame_height` px tall, root at the bottom
//! (a flame graph) or at the top (`inverted`, an icicle graph). x is proportional to total weight
//! over a frame area of `width - 2·10` px. A frame narrower than `min_width_px` is not written and
//! neither is anything below it (its callees are narrower still), so the file's size follows the
//! number of *visible* frames, not samples or unique stacks: a multi-gigabyte profile gives a
//! file of a few megabytes at most. The culled count is stated in a comment. Labels are cut to
//! what fits at ~0.59 em per character, ending in `..`; too narrow for three characters, no label.

use super::escape::xml;
use super::svg_script::{SCRIPT, STYLE};
use bigflame_model::palette::{self, Palette};
use bigflame_model::{CallTree, NodeId, Profile, WeightUnit};
use std::fmt::Write as _;
use std::io::{self, Write};

/// Horizontal padding on each side of the frame area, px.
pub const XPAD: f64 = 10.0;
/// Average glyph width as a fraction of the font size, for fitting labels.
pub const CHAR_WIDTH_EM: f64 = 0.59;
/// Fill of frames matching a search.
const MATCH_FILL: &str = "rgb(230,0,230)";

/// How the SVG looks.
#[derive(Clone, Debug)]
pub struct SvgOptions {
    /// The heading.
    pub title: String,
    /// A second line under the heading (input, event), if any.
    pub subtitle: Option<String>,
    /// Image width, px.
    pub width: u32,
    /// Height of one frame row, px.
    pub frame_height: u32,
    /// Font size, px.
    pub font_size: f64,
    /// Frames narrower than this, px, are not drawn (with their callees).
    pub min_width_px: f64,
    /// Icicle graph: the root at the top, callees below.
    pub inverted: bool,
    /// The colour palette.
    pub palette: Palette,
    /// One hue per module (frames without a module use the palette).
    pub color_by_module: bool,
    /// The unit of the weights, for the hover text.
    pub unit: WeightUnit,
}

impl Default for SvgOptions {
    fn default() -> Self {
        SvgOptions {
            title: "Flame Graph".to_string(),
            subtitle: None,
            width: 1200,
            frame_height: 16,
            font_size: 12.0,
            min_width_px: 0.1,
            inverted: false,
            palette: Palette::Hot,
            color_by_module: false,
            unit: WeightUnit::Samples,
        }
    }
}

/// What [`write_svg`] wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SvgStats {
    /// Frames written, the `all` frame included.
    pub drawn: usize,
    /// Call-tree nodes left out for being narrower than the minimum width.
    pub culled: usize,
    /// The image height, px.
    pub height: u32,
}

/// One frame to draw: `node` is `None` for the `all` frame.
struct Visible {
    node: Option<NodeId>,
    x: f64,
    w: f64,
    depth: u32,
}

/// Picks the frames to draw: preorder with a per-depth cursor, skipping culled subtrees whole.
fn visible(tree: &CallTree, area: f64, min_px: f64) -> (Vec<Visible>, usize) {
    let total = tree.total();
    let scale = if total > 0.0 { area / total } else { 0.0 };
    let mut out = vec![Visible {
        node: None,
        x: 0.0,
        w: area,
        depth: 0,
    }];
    let mut culled = 0;
    let mut cursor: Vec<f64> = vec![0.0];
    let mut i = 0;
    while i < tree.len() {
        let n = NodeId(i as u32);
        let d = tree.depth(n) as usize;
        if cursor.len() < d + 2 {
            cursor.resize(d + 2, 0.0);
        }
        let (x, w) = (cursor[d], tree.total_weight(n) * scale);
        cursor[d] = x + w;
        let end = tree.subtree_end(n).index().max(i + 1);
        if w < min_px {
            culled += end - i;
            i = end;
            continue;
        }
        cursor[d + 1] = x;
        out.push(Visible {
            node: Some(n),
            x,
            w,
            depth: d as u32 + 1,
        });
        i += 1;
    }
    (out, culled)
}

/// The label that fits in `w` px: the name, or its start and `..`, or nothing.
pub fn fit_label(name: &str, w: f64, font_size: f64) -> String {
    let fits = ((w - 6.0) / (font_size * CHAR_WIDTH_EM)).floor();
    if fits.is_nan() || fits < 3.0 {
        return String::new();
    }
    let fits = fits as usize;
    if name.chars().count() <= fits {
        return name.to_string();
    }
    let mut s: String = name.chars().take(fits - 2).collect();
    s.push_str("..");
    s
}

/// A number with at most two decimals and no trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Writes `tree` (built from `profile`) as an interactive flame graph.
pub fn write_svg(
    profile: &Profile,
    tree: &CallTree,
    opts: &SvgOptions,
    out: &mut impl Write,
) -> io::Result<SvgStats> {
    let width = f64::from(opts.width.max(100));
    let area = width - 2.0 * XPAD;
    let fh = f64::from(opts.frame_height.max(4));
    let fs = opts.font_size.max(1.0);
    let (frames, culled) = visible(tree, area, opts.min_width_px);
    let rows = frames.iter().map(|v| v.depth).max().unwrap_or(0) + 1;
    let pad_top = fs * if opts.subtitle.is_some() { 4.5 } else { 3.0 };
    let pad_bottom = fs * 2.0 + 10.0;
    let height = (pad_top + f64::from(rows) * fh + pad_bottom).ceil();
    let total = tree.total();

    let mut w = io::BufWriter::with_capacity(1 << 16, out);
    writeln!(w, r#"<?xml version="1.0" standalone="no"?>"#)?;
    writeln!(
        w,
        r#"<svg version="1.1" xmlns="http://www.w3.org/2000/svg" width="{}" height="{h}" viewBox="0 0 {} {h}">"#,
        num(width),
        num(width),
        h = num(height)
    )?;
    writeln!(
        w,
        "<!-- bigflame: {} frames drawn; {culled} frames narrower than {} px not drawn -->",
        frames.len(),
        num(opts.min_width_px)
    )?;
    let (idle, idle_samples) = tree.idle();
    if idle_samples > 0 {
        writeln!(
            w,
            "<!-- bigflame: {idle_samples} samples without a stack ({}) are not part of the graph -->",
            xml(&opts.unit.format(idle))
        )?;
    }
    writeln!(
        w,
        r##"<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="5%" stop-color="#f2f2f2"/><stop offset="95%" stop-color="#eeeec0"/></linearGradient></defs>"##
    )?;
    writeln!(w, "<style>{STYLE}</style>")?;
    writeln!(
        w,
        r#"<script><![CDATA[var bfConfig = {{xpad: {XPAD}, width: {}, font: {}, charWidth: {CHAR_WIDTH_EM}, inverted: {}, match: "{MATCH_FILL}"}};"#,
        num(width),
        num(fs),
        opts.inverted
    )?;
    writeln!(w, "{SCRIPT}]]></script>")?;
    writeln!(
        w,
        r#"<rect x="0" y="0" width="{}" height="{}" fill="url(#bg)"/>"#,
        num(width),
        num(height)
    )?;
    let mid = num(width / 2.0);
    writeln!(
        w,
        r#"<text id="title" x="{mid}" y="{}" text-anchor="middle">{}</text>"#,
        num(fs * 2.0),
        xml(&opts.title)
    )?;
    if let Some(sub) = &opts.subtitle {
        writeln!(
            w,
            r#"<text id="subtitle" x="{mid}" y="{}" text-anchor="middle">{}</text>"#,
            num(fs * 3.5),
            xml(sub)
        )?;
    }
    writeln!(
        w,
        r#"<text id="unzoom" class="btn hide" x="{XPAD}" y="{}">Reset Zoom</text>"#,
        num(fs * 2.0)
    )?;
    writeln!(
        w,
        r#"<text id="search" class="btn" x="{}" y="{}" text-anchor="end">Search</text>"#,
        num(width - XPAD),
        num(fs * 2.0)
    )?;
    let bottom = num(height - fs * 0.5 - 5.0);
    writeln!(w, r#"<text id="details" x="{XPAD}" y="{bottom}"> </text>"#)?;
    writeln!(
        w,
        r#"<text id="matched" x="{}" y="{bottom}" text-anchor="end"> </text>"#,
        num(width - XPAD)
    )?;
    writeln!(w, r#"<g id="frames">"#)?;
    let mut line = String::with_capacity(512);
    for v in &frames {
        line.clear();
        frame_element(
            &mut line,
            profile,
            tree,
            v,
            total,
            opts,
            (pad_top, rows, fh, fs),
        );
        w.write_all(line.as_bytes())?;
    }
    writeln!(w, "</g>\n</svg>")?;
    w.flush()?;
    Ok(SvgStats {
        drawn: frames.len(),
        culled,
        height: height as u32,
    })
}

/// One `<g>`: title (hover text), rectangle, label.
fn frame_element(
    out: &mut String,
    profile: &Profile,
    tree: &CallTree,
    v: &Visible,
    total: f64,
    opts: &SvgOptions,
    (pad_top, rows, fh, fs): (f64, u32, f64, f64),
) {
    let (name, weight, color) = match v.node {
        None => (
            "all",
            total,
            opts.palette.color("all", Default::default(), None),
        ),
        Some(n) => {
            let frame = profile.frames.get(tree.frame(n));
            let name = profile.strings.get(frame.name);
            let module = frame.module.map(|m| profile.strings.get(m));
            let color = match module {
                Some(m) if opts.color_by_module => palette::by_module(m, name),
                _ => opts.palette.color(name, frame.kind, module),
            };
            (name, tree.total_weight(n), color)
        }
    };
    let row = if opts.inverted {
        v.depth
    } else {
        rows - 1 - v.depth
    };
    let y = pad_top + f64::from(row) * fh;
    let x = XPAD + v.x;
    // `all` is the whole graph, even when nothing weighs anything.
    let pct = if v.node.is_none() {
        100.0
    } else if total > 0.0 {
        100.0 * weight / total
    } else {
        0.0
    };
    let [r, g, b] = palette::channels(color);
    let class = if v.node.is_none() {
        r#" class="root""#
    } else {
        ""
    };
    let _ = writeln!(
        out,
        r#"<g{class}><title>{} ({}, {pct:.2}%)</title><rect x="{}" y="{}" width="{}" height="{}" fill="rgb({r},{g},{b})" rx="2"/><text x="{}" y="{}">{}</text></g>"#,
        xml(name),
        xml(&opts.unit.format(weight)),
        num(x),
        num(y),
        num(v.w),
        num(fh - 1.0),
        num(x + 3.0),
        num(y + fh - 5.5),
        xml(&fit_label(name, v.w, fs)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_fit_or_vanish() {
        // 12 px font: 7.08 px per character; 6 px of padding.
        assert_eq!(fit_label("main", 40.0, 12.0), "main"); // 34/7.08 = 4.8 → 4 chars
        assert_eq!(fit_label("mainloop", 40.0, 12.0), "ma.."); // 4 chars: 2 + ..
        assert_eq!(fit_label("abc", 27.3, 12.0), "abc"); // 21.3/7.08 = 3.0
        assert_eq!(fit_label("abcdef", 27.0, 12.0), ""); // 2.97 chars: too narrow
        assert_eq!(fit_label("ñandú_x", 6.0 + 7.08 * 5.0 + 0.01, 12.0), "ñan..");
    }

    /// `paths` as (root-first names, weight) samples of one thread.
    fn tree_of(paths: &[(&[&str], f64)]) -> (Profile, CallTree) {
        use bigflame_model::{Frame, ProfileBuilder, ProfileMeta, StackId, ThreadKey};
        let mut b = ProfileBuilder::new();
        let e = b.event("samples", WeightUnit::Samples);
        let name = b.intern("t");
        let t = b.thread(ThreadKey {
            pid: None,
            tid: None,
            name,
        });
        for (path, w) in paths {
            let mut s = StackId::EMPTY;
            for n in *path {
                let id = b.intern(n);
                let f = b.frame(Frame::named(id));
                s = b.stack(s, f);
            }
            b.sample(t, e, None, s, *w);
        }
        let p = b.finish(ProfileMeta::default());
        let tree = CallTree::build(&p, e, &bigflame_model::all_threads(&p));
        (p, tree)
    }

    #[test]
    fn culled_subtrees_still_take_their_width() {
        // Total 100 over a 100 px area: 1 px per unit. X2 (0.02 px) and its callee are culled;
        // Y still starts at 60 and its callee under it.
        let (p, tree) = tree_of(&[
            (&["X", "X1"], 59.98),
            (&["X", "X2", "X2c"], 0.02),
            (&["Y", "Y1"], 40.0),
        ]);
        let (vis, culled) = visible(&tree, 100.0, 0.1);
        assert_eq!(culled, 2);
        let got: Vec<(&str, f64, f64, u32)> = vis
            .iter()
            .map(|v| {
                let name = v.node.map_or("all", |n| p.frame_name(tree.frame(n)));
                (
                    name,
                    (v.x * 100.0).round() / 100.0,
                    (v.w * 100.0).round() / 100.0,
                    v.depth,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("all", 0.0, 100.0, 0),
                ("X", 0.0, 60.0, 1),
                ("X1", 0.0, 59.98, 2),
                ("Y", 60.0, 40.0, 1),
                ("Y1", 60.0, 40.0, 2),
            ]
        );
    }

    #[test]
    fn document_is_well_formed_for_odd_names() {
        let (p, tree) = tree_of(&[(&["<main> & \"q\" \u{1}"], 1.0)]);
        let mut out = Vec::new();
        let opts = SvgOptions {
            title: "a <b>".into(),
            ..SvgOptions::default()
        };
        let stats = write_svg(&p, &tree, &opts, &mut out).unwrap();
        assert_eq!((stats.drawn, stats.culled), (2, 0));
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(
            "<title>&lt;main&gt; &amp; &quot;q&quot; \u{fffd} (1 samples, 100.00%)</title>"
        ));
        assert!(text.contains(">a &lt;b&gt;</text>"));
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(295.0), "295");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(1.005), "1");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(0.333333), "0.33");
    }
}
