//! Per-frame scene building: visible spans → `RectInstance`s and label positions.
//!
//! Rules, and why:
//! * **Folding**: the query merges runs of spans narrower than [`SceneOptions::min_width_px`]
//!   into one span. Such a *fold* is drawn in the neutral [`FOLD_COLOR`] with `FLAG_FOLDED`
//!   (hatched) and no label: it stands for several functions, so giving it one function's colour
//!   or name would attribute time wrongly. A wide run of pieces of *one* node (a function split
//!   by sleeps) is drawn as that node.
//! * **Colour** per frame *name* via `colors::for_name` (precomputed per frame in the view), so
//!   a function has the same colour in every view, run and machine.
//! * **Labels** only where the visible part of a span can hold a few glyphs; the text is the
//!   frame name, placed at the visible left edge so zoomed-in spans keep their name on screen.
//! * **Cost**: output per row is bounded by the viewport width, so this is O(visible spans)
//!   whatever the profile size; buffers in [`FlameScene`] are reused between frames.

use super::{Camera, FlameView, Highlight};
use bigflame_layout::{QueryStats, Span};
use bigflame_model::{FrameId, Profile};
use bigflame_render::{
    FLAG_DIMMED, FLAG_FOLDED, FLAG_HIGHLIGHT, FLAG_SELECTED, Label, LabelStyle, RectInstance,
    Scene, colors,
};

/// Default narrowest span drawn on its own, physical px; narrower runs are folded.
///
/// Chosen with `for mw in 0.5 1 2 3; do bigflame bench corpus/large/recording.perf.txt --view
/// {time-order,left-heavy} --json --min-width-px $mw; done` (lavapipe, 1600×900, 2 busy cores):
/// instances max time-order 2493 / 1108 / 768 / 643, left-heavy 719 / 490 / 333 / 259; every
/// setting but 0.5 px kept frame p99 under 16.7 ms, and the GPU time at these counts is dominated
/// by fill and labels, not instances. 2 px (the design's suggestion) keeps most detail while
/// leaving room for denser profiles (~0.6 µs per instance: 10k instances would already cost ~6 ms).
pub const MIN_WIDTH_PX: f64 = 2.0;

/// Colour of folded spans (several sub-pixel functions): a neutral warm grey, hatched by
/// `FLAG_FOLDED`, so no single function is credited with the merged time.
pub const FOLD_COLOR: u32 = colors::rgb(190, 182, 172);

/// Default row height in logical px (× dpi scale).
const ROW_HEIGHT_LOGICAL: f32 = 18.0;
/// Space between a span's edge and its label, logical px.
const LABEL_PAD_LOGICAL: f32 = 3.0;

/// A span to outline as selected: its depth and node (as in [`Span`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selection {
    /// Row.
    pub depth: u32,
    /// `StackId` value (Time Order) or `NodeId` value (Left Heavy).
    pub node: u32,
}

/// Per-frame inputs besides the view and the camera.
#[derive(Clone, Copy, Debug)]
pub struct SceneOptions<'h> {
    /// Target size, physical px.
    pub viewport_px: (u32, u32),
    /// Row height, physical px.
    pub row_height_px: f32,
    /// Narrowest span drawn on its own, physical px (see [`MIN_WIDTH_PX`]).
    pub min_width_px: f64,
    /// Narrowest visible span part that gets a label, physical px.
    pub label_min_width_px: f32,
    /// Label line height, physical px (to centre the text in its row); match the renderer's
    /// `LabelStyle::line_height_px`.
    pub label_line_height_px: f32,
    /// Label padding from the span's left edge, physical px.
    pub label_pad_px: f32,
    /// Search matches: highlighted, everything else dimmed.
    pub highlight: Option<&'h Highlight>,
    /// Outlined span.
    pub selected: Option<Selection>,
    /// Where row 0 starts, px from the top (0 = the top edge).
    pub origin_y_px: f32,
    /// Rows grow upwards from `origin_y_px` (a sandwich's callers: row 0 ends at the origin).
    pub inverted: bool,
    /// Colour of every frame by `FrameId`, instead of the view's own (the viewer's `c` key).
    pub colors: Option<&'h [u32]>,
    /// Colour of every span by its `node` value (a `NodeId` of the view's call tree), over
    /// `colors` and the view's own: a differential flame graph colours each call path by its change
    /// (see `scene/diff.rs`). Nodes past the end fall back to the frame colour.
    pub node_colors: Option<&'h [u32]>,
}

impl SceneOptions<'_> {
    /// Defaults for a viewport at `dpi_scale` (physical px per logical px): 18 px rows, the
    /// default label style scaled, [`MIN_WIDTH_PX`] (physical, since the GPU cost is per physical
    /// instance), no highlight or selection.
    pub fn new(viewport_px: (u32, u32), dpi_scale: f32) -> Self {
        let s = if dpi_scale.is_finite() && dpi_scale > 0.0 {
            dpi_scale
        } else {
            1.0
        };
        let style = LabelStyle::default();
        Self {
            viewport_px,
            row_height_px: ROW_HEIGHT_LOGICAL * s,
            min_width_px: MIN_WIDTH_PX,
            label_min_width_px: (style.min_width_px() + 2.0 * LABEL_PAD_LOGICAL) * s,
            label_line_height_px: style.line_height_px * s,
            label_pad_px: LABEL_PAD_LOGICAL * s,
            highlight: None,
            selected: None,
            origin_y_px: 0.0,
            inverted: false,
            colors: None,
            node_colors: None,
        }
    }
}

/// A label position; the text is the frame's name ([`FlameScene::labels`] resolves it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SceneLabel {
    /// Left edge, view-relative px.
    pub x_px: f32,
    /// Top of the text line, px.
    pub y_px: f32,
    /// Room for the text, px.
    pub max_width_px: f32,
    /// Whose name to show.
    pub frame: FrameId,
    /// Text colour.
    pub color: u32,
}

/// The output of [`build_scene`]; keep one and reuse it every frame (its vectors keep capacity).
#[derive(Clone, Debug, Default)]
pub struct FlameScene {
    /// Viewport the rects were built for.
    pub viewport_px: (u32, u32),
    /// Spans returned by the query (parallel to nothing; for hit tests and tooltips).
    pub spans: Vec<Span>,
    /// One rect per span, same order as `spans`.
    pub rects: Vec<RectInstance>,
    /// Labels for the spans wide enough.
    pub labels: Vec<SceneLabel>,
    /// Work done by the query.
    pub stats: QueryStats,
}

impl FlameScene {
    /// Resolves label texts (frame names borrowed from `profile`) into `out` (cleared first).
    pub fn labels_into<'a>(&self, profile: &'a Profile, out: &mut Vec<Label<'a>>) {
        out.clear();
        out.extend(self.labels.iter().map(|l| Label {
            x_px: l.x_px,
            y_px: l.y_px,
            max_width_px: l.max_width_px,
            text: profile.frame_name(l.frame),
            color: l.color,
        }));
    }

    /// Resolved labels as a new vector (see [`FlameScene::labels_into`] to reuse one).
    pub fn labels<'a>(&self, profile: &'a Profile) -> Vec<Label<'a>> {
        let mut v = Vec::with_capacity(self.labels.len());
        self.labels_into(profile, &mut v);
        v
    }

    /// The renderer's [`Scene`] for these rects and the resolved `labels`.
    pub fn scene<'a>(&'a self, labels: &'a [Label<'a>]) -> Scene<'a> {
        Scene {
            viewport_px: self.viewport_px,
            clear: colors::BACKGROUND,
            rects: &self.rects,
            labels,
        }
    }
}

/// Fills `out` with what `camera` shows of `view` (root row at the top, see the module docs).
pub fn build_scene(
    view: &FlameView,
    camera: &Camera,
    opts: &SceneOptions<'_>,
    out: &mut FlameScene,
) {
    let (w, h) = (opts.viewport_px.0.max(1), opts.viewport_px.1.max(1));
    out.viewport_px = (w, h);
    out.spans.clear();
    out.rects.clear();
    out.labels.clear();
    let row_h = f64::from(opts.row_height_px.max(1.0));
    let scroll = camera.y_scroll_px.max(0.0);
    let origin = f64::from(opts.origin_y_px);
    // Rows whose pixels can fall inside 0..h.
    let (first_row, rows_px) = if opts.inverted {
        (0, origin + scroll)
    } else {
        (
            ((scroll - origin).max(0.0) / row_h).floor() as u32,
            scroll + f64::from(h) - origin,
        )
    };
    let end_row = (rows_px.max(0.0) / row_h).ceil().min(f64::from(u32::MAX)) as u32;
    let upp = camera.units_per_px(w);
    let min_w = opts.min_width_px.max(0.0);
    out.stats = view.index.query(
        camera.x_start..camera.x_end,
        first_row..end_row,
        upp,
        min_w,
        &mut out.spans,
    );
    let t = camera.transform(w);
    let (vw, row_hf) = (w as f32, row_h as f32);
    let text_dy = ((row_hf - opts.label_line_height_px) * 0.5).max(0.0);
    out.rects.reserve(out.spans.len());
    for span in &out.spans {
        let fold = span.fold;
        let y = if opts.inverted {
            (origin - f64::from(span.depth + 1) * row_h + scroll) as f32
        } else {
            (origin + f64::from(span.depth) * row_h - scroll) as f32
        };
        let mut flags = 0;
        let color = if fold {
            flags |= FLAG_FOLDED;
            FOLD_COLOR
        } else {
            let by_node = opts
                .node_colors
                .and_then(|c| c.get(span.node as usize).copied());
            by_node.unwrap_or_else(|| {
                opts.colors
                    .unwrap_or(&view.frame_colors)
                    .get(span.frame.index())
                    .copied()
                    .unwrap_or(FOLD_COLOR)
            })
        };
        if let Some(hl) = opts.highlight {
            flags |= if !fold && hl.contains(span.frame) {
                FLAG_HIGHLIGHT
            } else {
                FLAG_DIMMED
            };
        }
        if !fold
            && opts
                .selected
                .is_some_and(|s| s.depth == span.depth && s.node == span.node)
        {
            flags |= FLAG_SELECTED;
        }
        let rect = t.rect(span.x0, span.x1, y, row_hf, color, flags);
        out.rects.push(rect);
        if !fold {
            let left = rect.x0.max(0.0) + opts.label_pad_px;
            let right = rect.x1.min(vw) - opts.label_pad_px;
            if right - left + 2.0 * opts.label_pad_px >= opts.label_min_width_px {
                out.labels.push(SceneLabel {
                    x_px: left,
                    y_px: y + text_dy,
                    max_width_px: right - left,
                    frame: span.frame,
                    color: if flags & FLAG_DIMMED != 0 {
                        colors::rgb(110, 110, 110)
                    } else {
                        colors::LABEL_TEXT
                    },
                });
            }
        }
    }
}
