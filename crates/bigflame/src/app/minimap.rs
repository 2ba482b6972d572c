//! The Time Order minimap: a strip at the top of the canvas showing the whole thread's timeline
//! at a coarse level of detail, with the visible range outlined; pressing or dragging in it moves
//! the viewport (the zoom is kept).
//!
//! Why this shape: a deep zoom into a long recording loses the overview, and speedscope users
//! expect the strip. Its content is the same [`bigflame_layout::SpanIndex::query`] over the whole
//! extent with a larger minimum width and only the first [`MAX_ROWS`] rows, so it costs at most a
//! few thousand spans; the spans are cached per (view generation, width) and only their colours
//! (search highlight, inside/outside the viewport) are recomputed per frame. The renderer draws
//! opaque rects only (no blending, for the lavapipe frame budget), so the "translucent" viewport
//! box is drawn as two dark sides with the spans outside it dimmed.
//!
//! Interaction: a press outside the box centres the viewport on the pointer; a press inside grabs
//! the box, so a drag moves it by the pointer's movement without a jump; a press on one of its
//! sides (within [`EDGE_GRAB_LOGICAL_PX`]) grabs that side, so a drag zooms by moving only that
//! edge; a click (press and release without dragging) centres in every case.

use crate::app::state::{ViewKind, ViewState};
use crate::app::viewer::{Effect, Viewer};
use crate::scene::FlameView;
use bigflame_layout::Span;
use bigflame_render::{FLAG_DIMMED, FLAG_HIGHLIGHT, RectInstance, colors};

/// Height of the strip, logical px.
pub const MINIMAP_LOGICAL_PX: f64 = 48.0;
/// Rows shown at most (the outermost frames; deeper ones would be sub-pixel anyway).
pub const MAX_ROWS: u32 = 12;
/// Narrowest span drawn on its own in the strip, px (runs of narrower ones fold).
pub const MIN_WIDTH_PX: f64 = 1.0;
/// How close to a side of the viewport box a press grabs that side, logical px.
pub const EDGE_GRAB_LOGICAL_PX: f64 = 5.0;
/// The strip's background.
pub const MINIMAP_BG: u32 = colors::rgb(232, 232, 236);
/// The viewport box's outline.
const BOX_COLOR: u32 = colors::rgb(40, 40, 48);

/// What a press on the strip grabbed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Grab {
    /// The whole box, with the pointer this far (view units) from its centre.
    Move(f64),
    /// The box's left side (the start of the visible range).
    Left,
    /// The box's right side (the end of the visible range).
    Right,
}

impl ViewState {
    /// Height of the minimap strip, physical px: 0 outside Time Order or without rows.
    pub fn minimap_px(&self) -> f64 {
        if self.kind == ViewKind::TimeOrder && self.depth_count > 0 && !self.lanes {
            (MINIMAP_LOGICAL_PX * self.scale).round()
        } else {
            0.0
        }
    }

    /// The strip as `[x0, y0, x1, y1]` physical px, when shown.
    pub fn minimap_rect(&self) -> Option<[f64; 4]> {
        let h = self.minimap_px();
        (h > 0.0).then(|| [0.0, 0.0, f64::from(self.canvas_w()), h])
    }

    /// Whether `(x, y)` is on the strip.
    pub fn in_minimap(&self, x: f64, y: f64) -> bool {
        self.minimap_rect()
            .is_some_and(|[x0, y0, x1, y1]| x >= x0 && x < x1 && y >= y0 && y < y1)
    }

    /// The view unit under strip column `x_px` (the strip always shows the whole extent).
    pub fn minimap_x_at(&self, x_px: f64) -> f64 {
        let w = f64::from(self.canvas_w());
        let t = (x_px / w).clamp(0.0, 1.0);
        self.extent.start + t * (self.extent.end - self.extent.start)
    }

    /// Strip column of view unit `x`.
    pub fn minimap_px_of(&self, x: f64) -> f64 {
        let full = self.extent.end - self.extent.start;
        if full > 0.0 {
            (x - self.extent.start) / full * f64::from(self.canvas_w())
        } else {
            0.0
        }
    }

    /// Moves the camera so view unit `x` is at the centre, keeping the zoom (clamped to the data).
    pub fn centre_on(&mut self, x: f64) {
        let w = self.camera.width();
        self.camera.x_start = x - 0.5 * w;
        self.camera.x_end = self.camera.x_start + w;
        self.clamp();
    }
}

impl Viewer {
    /// A press at `(x, y)`: on the strip, grabs the viewport box (or centres on the pointer when
    /// outside the box) and returns true.
    pub(crate) fn minimap_press(&mut self, x: f64, y: f64) -> Effect {
        let st = &mut self.state;
        if !st.in_minimap(x, y) {
            return Effect::None;
        }
        let at = st.minimap_x_at(x);
        let centre = 0.5 * (st.camera.x_start + st.camera.x_end);
        let (left, right) = (
            st.minimap_px_of(st.camera.x_start),
            st.minimap_px_of(st.camera.x_end),
        );
        let edge = EDGE_GRAB_LOGICAL_PX * st.scale;
        // Sides only when the box is wide enough to be grabbed in its middle too.
        let sides = right - left > 4.0 * edge;
        st.minimap_grab = Some(if sides && (x - left).abs() <= edge {
            Grab::Left
        } else if sides && (x - right).abs() <= edge {
            Grab::Right
        } else if at >= st.camera.x_start && at < st.camera.x_end {
            Grab::Move(at - centre)
        } else {
            st.centre_on(at);
            Grab::Move(0.0)
        });
        Effect::Redraw
    }

    /// The pointer moved to `x` while the box is grabbed: the box follows it.
    pub(crate) fn minimap_drag(&mut self, x: f64) -> Effect {
        let st = &mut self.state;
        let Some(grab) = st.minimap_grab else {
            return Effect::None;
        };
        let at = st.minimap_x_at(x);
        let min_w = (st.extent.end - st.extent.start) / crate::scene::MAX_ZOOM;
        match grab {
            Grab::Move(offset) => st.centre_on(at - offset),
            Grab::Left => {
                st.camera.x_start = at.min(st.camera.x_end - min_w);
                st.clamp();
            }
            Grab::Right => {
                st.camera.x_end = at.max(st.camera.x_start + min_w);
                st.clamp();
            }
        }
        Effect::Redraw
    }

    /// A click (release without a drag) at `(x, y)`: on the strip it centres the viewport there
    /// and ends the grab; returns `None` when the click is not the strip's.
    pub(crate) fn minimap_click(&mut self, x: f64, y: f64) -> Option<Effect> {
        let grabbed = self.state.minimap_grab.take().is_some();
        if !grabbed && !self.state.in_minimap(x, y) {
            return None;
        }
        let at = self.state.minimap_x_at(x);
        self.state.centre_on(at);
        Some(Effect::Redraw)
    }
}

/// The strip's cached spans and its per-frame rects.
#[derive(Default)]
pub struct Minimap {
    /// `(view generation, canvas width, strip height)` the spans were queried for.
    key: Option<(u64, u32, u32)>,
    spans: Vec<Span>,
    rows: u32,
}

impl Minimap {
    /// Queries the strip's spans for `view` again when the key changed.
    fn refresh(&mut self, view: &FlameView, key: (u64, u32, u32)) {
        if self.key != Some(key) {
            self.key = Some(key);
            self.spans.clear();
            let extent = view.extent();
            let upp = (extent.end - extent.start) / f64::from(key.1.max(1));
            let rows = view.depth_count().min(MAX_ROWS);
            view.index
                .query(extent, 0..rows, upp, MIN_WIDTH_PX, &mut self.spans);
            // Rows share the strip's height down to the deepest row that has a span at this
            // scale, so a shallow overview is not squeezed into the top few pixels.
            self.rows = self.spans.iter().map(|s| s.depth + 1).max().unwrap_or(1);
        }
    }

    /// Appends the strip (background, spans, viewport box) to `out`, above what is there.
    pub fn draw(&mut self, viewer: &Viewer, colors: Option<&[u32]>, out: &mut Vec<RectInstance>) {
        let st = &viewer.state;
        let (Some([x0, y0, x1, y1]), Some(view)) = (st.minimap_rect(), viewer.view()) else {
            return;
        };
        let (w, h) = ((x1 - x0) as f32, (y1 - y0) as f32);
        out.push(RectInstance::new(0.0, w, 0.0, h, MINIMAP_BG, 0));
        let key = (viewer.generation, st.canvas_w(), h as u32);
        let highlight = viewer.search.highlight();
        let (bx0, bx1) = (
            st.minimap_px_of(st.camera.x_start),
            st.minimap_px_of(st.camera.x_end),
        );
        self.refresh(view, key);
        let spans = &self.spans;
        let row_h = h / self.rows.max(1) as f32;
        for span in spans {
            let color = if span.fold {
                crate::scene::FOLD_COLOR
            } else {
                colors
                    .unwrap_or(&view.frame_colors)
                    .get(span.frame.index())
                    .copied()
                    .unwrap_or(crate::scene::FOLD_COLOR)
            };
            let y = span.depth as f32 * row_h;
            let (sx0, sx1) = (st.minimap_px_of(span.x0), st.minimap_px_of(span.x1));
            if let Some(hl) = highlight {
                let flags = if !span.fold && hl.contains(span.frame) {
                    FLAG_HIGHLIGHT
                } else {
                    FLAG_DIMMED
                };
                out.push(RectInstance::new(
                    sx0 as f32, sx1 as f32, y, row_h, color, flags,
                ));
                continue;
            }
            // Inside the box in full colour, outside dimmed.
            for (a, b, flags) in [
                (sx0, sx1.min(bx0), FLAG_DIMMED),
                (sx0.max(bx0), sx1.min(bx1), 0),
                (sx0.max(bx1), sx1, FLAG_DIMMED),
            ] {
                if b > a {
                    out.push(RectInstance::new(
                        a as f32, b as f32, y, row_h, color, flags,
                    ));
                }
            }
        }
        // The viewport box, at least 3 px wide so it stays visible at deep zooms.
        let t = (2.0 * st.scale as f32).max(1.0);
        let (mut l, mut r) = (bx0 as f32, bx1 as f32);
        if r - l < 3.0 * t {
            let c = 0.5 * (l + r);
            (l, r) = (c - 1.5 * t, c + 1.5 * t);
        }
        // Only its sides: the dimmed outside marks the rest, and the root row stays visible at
        // the very top (the window tests look for flame colours at y = 1).
        out.push(RectInstance::new(l, l + t, 0.0, h, BOX_COLOR, 0));
        out.push(RectInstance::new(r - t, r, 0.0, h, BOX_COLOR, 0));
        // A separator between the strip and the chart.
        out.push(RectInstance::new(0.0, w, h - 1.0, 1.0, BOX_COLOR, 0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> ViewState {
        let mut s = ViewState::new(800, 600, 1.0);
        s.set_data(0.0..1000.0, 10);
        s
    }

    #[test]
    fn the_strip_is_shown_in_time_order_only() {
        let mut s = state();
        assert_eq!(s.minimap_rect(), Some([0.0, 0.0, 800.0, 48.0]));
        assert!(s.in_minimap(400.0, 10.0));
        assert!(!s.in_minimap(400.0, 60.0));
        s.kind = ViewKind::LeftHeavy;
        assert_eq!(s.minimap_rect(), None);
        assert_eq!(s.minimap_px(), 0.0);
    }

    /// A viewer on `main;work 3` + `main;other 2` (folded, so x is weight: 0..5).
    fn viewer() -> Viewer {
        let text = "main;work 3\nmain;other 2\n";
        let opts = bigflame_formats::ImportOptions::default();
        let profile = bigflame_formats::import_bytes(text.as_bytes(), "t.folded", &opts)
            .expect("the test profile parses");
        let mut v = Viewer::new(ViewState::new(500, 300, 1.0));
        v.set_profile(profile);
        v
    }

    #[test]
    fn outside_the_box_is_dimmed_and_search_colours_the_strip() {
        use crate::app::input::Action;
        let mut v = viewer();
        let mut map = Minimap::default();
        let mut out = Vec::new();
        map.draw(&v, None, &mut out);
        // Background, 3 spans in full colour (the box is everything), 2 box sides, separator.
        assert_eq!(out.len(), 1 + 3 + 3);
        assert!(out[1..4].iter().all(|r| r.flags == 0));
        // Zoomed to the middle fifth: the spans are split at the box, outside dimmed.
        v.state.fit_range(2.0, 3.0);
        out.clear();
        map.draw(&v, None, &mut out);
        let spans = &out[1..out.len() - 3];
        assert!(spans.iter().any(|r| r.flags == FLAG_DIMMED));
        assert!(
            spans
                .iter()
                .any(|r| r.flags == 0 && r.x0 >= 199.0 && r.x1 <= 301.0)
        );
        // A search: matches highlighted, everything else dimmed, as on the chart.
        v.apply(&Action::SearchInput("work".into()));
        out.clear();
        map.draw(&v, None, &mut out);
        let spans = &out[1..out.len() - 3];
        assert_eq!(spans.len(), 3);
        assert_eq!(
            spans.iter().filter(|r| r.flags == FLAG_HIGHLIGHT).count(),
            1
        );
        assert_eq!(spans.iter().filter(|r| r.flags == FLAG_DIMMED).count(), 2);
    }

    #[test]
    fn centring_keeps_the_zoom_and_the_data() {
        let mut s = state();
        s.zoom_at(400.0, 4.0);
        s.centre_on(s.minimap_x_at(600.0));
        assert!((s.camera.width() - 250.0).abs() < 1e-9);
        assert!((s.camera.x_start - 625.0).abs() < 1e-9);
        s.centre_on(990.0);
        assert_eq!(s.camera.x_end, 1000.0, "clamped at the end");
    }
}
