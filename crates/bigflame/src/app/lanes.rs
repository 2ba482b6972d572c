//! `m`: several threads stacked on one synchronized timeline — the Time Order flame charts of
//! the heaviest threads (at most [`MAX_LANES`]; only those matching the thread picker's filter
//! when one was typed: `t`, `python`, Enter, `m`) one below the other, each under a header with
//! its label, sharing the x camera (zoom and pan move every lane) and one vertical scroll.
//! Hover, click, double-click and search work in every lane; a click in a lane also makes its
//! thread the shown one (detail panel, `2`/`3`, `n`/`p` continue from it).
//!
//! Why the heaviest threads: they are where the time went, and a lane is a whole Time Order
//! index, so lanes are built on demand (jobs, like any view) and cached with the other Time
//! Order views. The geometry is [`crate::scene::LaneLayout`]; the minimap is hidden in this
//! mode (it summarises one thread).

use crate::app::draw::{Frame, Text};
use crate::app::jobs::Want;
use crate::app::state::ViewKind;
use crate::app::viewer::{Effect, Viewer};
use crate::scene::{FlameScene, LaneLayout, build_scene};
use bigflame_layout::Span;
use bigflame_model::ThreadId;
use bigflame_render::colors;
use std::ops::Range;

/// Lanes shown at most.
pub const MAX_LANES: usize = 16;
/// A lane header's background.
const HEADER_BG: u32 = colors::rgb(222, 226, 234);

/// The lanes mode.
#[derive(Clone, Debug, Default)]
pub struct Lanes {
    /// Whether the mode is on (it applies in Time Order).
    pub on: bool,
    /// The lane of the selection (its thread), so only that lane outlines it.
    pub selected: Option<ThreadId>,
}

impl Viewer {
    /// Whether lanes are shown now.
    pub fn lanes_on(&self) -> bool {
        self.lanes.on && self.state.kind == ViewKind::TimeOrder && self.data.is_some()
    }

    /// The lanes' threads, heaviest first: those matching the thread picker's last filter
    /// (`t`, type, Enter), else all; at most [`MAX_LANES`].
    pub fn lane_threads(&self) -> Vec<ThreadId> {
        let Some(d) = &self.data else {
            return Vec::new();
        };
        self.picker
            .rows(d)
            .into_iter()
            .take(MAX_LANES)
            .map(|pos| d.threads[pos])
            .collect()
    }

    /// The lanes' geometry for the current rows (unbuilt lanes have no rows yet).
    pub fn lane_layout(&self) -> LaneLayout {
        let depths: Vec<u32> = self
            .lane_threads()
            .iter()
            .map(|&t| {
                self.data
                    .as_ref()
                    .and_then(|d| d.time_view(t))
                    .map_or(0, |v| v.depth_count())
            })
            .collect();
        let row = self.state.row_px();
        LaneLayout::new(
            &depths,
            row + (2.0 * self.state.scale).round(),
            row,
            (4.0 * self.state.scale).round(),
        )
    }

    /// Lanes not built yet.
    pub(crate) fn lanes_missing(&self) -> Vec<Want> {
        let Some(d) = &self.data else {
            return Vec::new();
        };
        self.lane_threads()
            .into_iter()
            .filter(|&t| d.time_view(t).is_none())
            .map(|t| Want::View(ViewKind::TimeOrder, t))
            .collect()
    }

    /// The x extent of every built lane together, and the "rows" the vertical clamp needs.
    pub(crate) fn lanes_extent(&self) -> (Range<f64>, u32) {
        let mut extent: Option<Range<f64>> = None;
        if let Some(d) = &self.data {
            for t in self.lane_threads() {
                if let Some(v) = d.time_view(t) {
                    let e = v.extent();
                    extent = Some(match extent {
                        Some(x) => x.start.min(e.start)..x.end.max(e.end),
                        None => e,
                    });
                }
            }
        }
        let rows = (self.lane_layout().total_px() / self.state.row_px()).ceil() as u32;
        (extent.unwrap_or(0.0..1.0), rows)
    }

    /// The lane (its thread) and unmerged span under a pointer.
    pub fn lanes_pick(&self, x: f64, y: f64) -> Option<(ThreadId, Span)> {
        let st = &self.state;
        if x >= f64::from(st.canvas_w()) || y >= f64::from(st.viewport.1) - st.status_px() {
            return None;
        }
        let (lane, row) = self.lane_layout().at(y + st.camera.y_scroll_px)?;
        let tid = *self.lane_threads().get(lane)?;
        let view = self.data.as_ref()?.time_view(tid)?;
        Some((tid, view.index.hit(st.x_at(x), row?)?))
    }

    /// `m`: lanes on (switching to Time Order) or off.
    pub(crate) fn toggle_lanes(&mut self) -> Effect {
        if self.data.is_none() {
            return Effect::None;
        }
        self.lanes.on = !self.lanes.on;
        self.lanes.selected = None;
        self.state.kind = ViewKind::TimeOrder;
        self.state.lanes = self.lanes.on;
        let keep = crate::app::viewer::KeepCamera {
            camera: self.state.camera,
            extent: self.state.extent.clone(),
        };
        self.keep_camera = Some(keep);
        self.show_current(None);
        Effect::Redraw
    }

    /// A click in lanes mode: selects the span and makes its lane's thread the shown one.
    pub(crate) fn lanes_click(&mut self, x: f64, y: f64, double: bool) -> Effect {
        let picked = self.lanes_pick(x, y);
        self.state.selection = picked.map(|(_, s)| s);
        self.lanes.selected = picked.map(|(t, _)| t);
        if let Some((tid, span)) = picked {
            if let Some(pos) = self
                .data
                .as_ref()
                .and_then(|d| d.threads.iter().position(|&t| t == tid))
            {
                self.state.thread = pos;
            }
            self.request(Want::Table(tid));
            if double {
                self.state.fit_range(span.x0, span.x1);
            }
        }
        self.refresh_hover();
        Effect::Redraw
    }

    /// The lanes as JSON (for `--script`).
    pub fn lanes_json(&self) -> serde_json::Value {
        let Some(d) = self.data.as_ref().filter(|_| self.lanes_on()) else {
            return serde_json::Value::Null;
        };
        let layout = self.lane_layout();
        if layout.is_empty() {
            return serde_json::Value::Null;
        }
        let lanes: Vec<_> = self
            .lane_threads()
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                serde_json::json!({
                    "thread": d.profile.thread_label(t),
                    "top_px": layout.top(i),
                    "depth": d.time_view(t).map(|v| v.depth_count()),
                    "extent": d.time_view(t).map(|v| { let e = v.extent(); [e.start, e.end] }),
                })
            })
            .collect();
        serde_json::json!({ "count": lanes.len(), "total_px": layout.total_px(), "lanes": lanes })
    }
}

impl Frame {
    /// Draws the visible lanes: header with the thread's label, then its flame rows.
    pub(super) fn lanes(
        &mut self,
        viewer: &Viewer,
        scratch: &mut FlameScene,
        colors: Option<&[u32]>,
    ) {
        let Some(data) = &viewer.data else { return };
        let st = &viewer.state;
        let s = st.scale as f32;
        let layout = viewer.lane_layout();
        let scroll = st.camera.y_scroll_px;
        let bottom = f64::from(st.viewport.1) - st.status_px();
        let threads = viewer.lane_threads();
        let total: f64 = data.thread_weights.iter().sum();
        let unit = viewer.event_unit();
        let mut opts = st.scene_options();
        opts.highlight = viewer.search.highlight();
        opts.viewport_px = (st.canvas_w(), st.viewport.1);
        opts.colors = colors;
        let mut camera = st.camera;
        camera.y_scroll_px = 0.0;
        let w = st.canvas_w() as f32;
        for i in layout.visible(scroll, scroll + bottom) {
            let (Some(top), Some(&tid)) = (layout.top(i), threads.get(i)) else {
                continue;
            };
            let y = (top - scroll) as f32;
            let view = data.time_view(tid);
            if let Some(view) = view {
                opts.origin_y_px = (layout.rows_top(i).unwrap_or(top) - scroll) as f32;
                opts.selected = opts.selected.filter(|_| viewer.lanes.selected == Some(tid));
                build_scene(view, &camera, &opts, scratch);
                opts.selected = st.scene_options().selected;
                self.flame.rects.extend_from_slice(&scratch.rects);
                self.flame.labels.extend_from_slice(&scratch.labels);
            }
            let pos = data.threads.iter().position(|&t| t == tid).unwrap_or(0);
            let weight = data.thread_weights.get(pos).copied().unwrap_or(0.0);
            let pct = if total > 0.0 {
                100.0 * weight / total
            } else {
                0.0
            };
            let state = if view.is_none() {
                " · building…"
            } else {
                ""
            };
            let header_h = layout.header_px as f32;
            self.rect(0.0, y, w, header_h, HEADER_BG);
            self.texts.push(Text {
                x: 6.0 * s,
                y: y + 0.5 * (header_h - 15.0 * s),
                max_w: w - 12.0 * s,
                text: format!(
                    "{} · {} ({pct:.1}%){state}",
                    data.profile.thread_label(tid),
                    unit.format(weight)
                ),
                color: colors::LABEL_TEXT,
            });
        }
    }
}
