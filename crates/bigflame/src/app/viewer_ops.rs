//! The parts of [`Viewer::apply`] that go beyond navigation: view switches (the Sandwich view
//! takes its function from the selection), clicks (which in the Sandwich view may land on the
//! table), the search, and the state as JSON for `--script`.
//!
//! Why a second `impl` block: `viewer.rs` keeps the core (data, views, the action dispatch)
//! readable; everything here is called from it and shares its fields.

use crate::app::sandwich::{TableHit, TableLayout, sort_name};
use crate::app::state::{ViewKind, view_name};
use crate::app::viewer::{Effect, Status, Viewer, redraw_if};
use crate::scene::XUnit;
use bigflame_layout::Span;
use bigflame_model::{FrameId, WeightUnit};
use serde_json::{Value, json};

impl Viewer {
    /// Switches view. `3` focuses the Sandwich view on the selected function (also when already
    /// in it: a span selected in one of its halves becomes the new focus).
    pub(crate) fn set_view(&mut self, kind: ViewKind) -> Effect {
        let focus = self.state.selection.map(|s| s.frame);
        if kind == self.state.kind && (kind != ViewKind::Sandwich || focus.is_none()) {
            return Effect::None;
        }
        self.state.kind = kind;
        self.show_current(focus);
        Effect::Redraw
    }

    /// Ctrl+S: the window asks where and saves (nothing to save without a profile).
    pub(crate) fn save_request(&mut self) -> Effect {
        if self.data.is_some() {
            Effect::Save
        } else {
            Effect::None
        }
    }

    /// Ctrl+Shift+S / `e`: the window asks where and exports the current view.
    pub(crate) fn export_request(&mut self) -> Effect {
        if self.data.is_some() {
            Effect::Export
        } else {
            Effect::None
        }
    }

    /// Whether recursion is collapsed (`r`).
    pub fn recursion_collapsed(&self) -> bool {
        self.data.as_ref().is_some_and(|d| d.recursion_collapsed())
    }

    /// Focuses the Sandwich view on `frame`.
    pub(crate) fn focus_sandwich(&mut self, frame: FrameId) -> Effect {
        self.state.kind = ViewKind::Sandwich;
        self.show_current(Some(frame));
        Effect::Redraw
    }

    /// The Sandwich table's geometry for the current viewport.
    pub fn table_layout(&self) -> TableLayout {
        let st = &self.state;
        TableLayout {
            x0: f64::from(st.canvas_w()),
            x1: f64::from(st.viewport.0),
            row: st.row_px(),
            col: (90.0 * st.scale).round(),
            bottom: f64::from(st.viewport.1) - st.status_px(),
        }
    }

    /// A click (`double` = double click) at `(x, y)`: selects the span under it (a double click
    /// zooms to it, or in the Sandwich view focuses its function); on the Sandwich table, a
    /// header sorts and a row focuses its function.
    pub(crate) fn click(&mut self, x: f64, y: f64, double: bool) -> Effect {
        if self.lanes_on() {
            return self.lanes_click(x, y, double);
        }
        let layout = self.table_layout();
        let matcher = self.search.matcher();
        if self.state.kind == ViewKind::Sandwich
            && let Some(data) = &mut self.data
            && let Some(table) = &mut data.table
        {
            match layout.hit(x, y, table.scroll, table.rows.len()) {
                Some(TableHit::Header(by)) => {
                    table.sort_by(&data.profile, by, matcher.as_ref());
                    return Effect::Redraw;
                }
                Some(TableHit::Row(i)) => {
                    let Some(frame) = table.rows.get(i).map(|r| r.frame) else {
                        return Effect::None;
                    };
                    return self.focus_sandwich(frame);
                }
                None => {}
            }
        }
        let picked = self.pick_at(x, y);
        if double
            && self.state.kind == ViewKind::Sandwich
            && let Some((span, _)) = picked
        {
            return self.focus_sandwich(span.frame);
        }
        let st = &mut self.state;
        st.selection = picked.map(|(s, _)| s);
        st.selection_in_callers = picked.is_some_and(|(_, c)| c);
        if double && let Some((span, _)) = picked {
            st.fit_range(span.x0, span.x1);
        }
        self.refresh_hover();
        Effect::Redraw
    }

    /// Wheel over the Sandwich table scrolls it (true when it did).
    pub(crate) fn scroll_table(&mut self, dy: f64) -> bool {
        let over = self.state.kind == ViewKind::Sandwich
            && self
                .state
                .cursor
                .is_some_and(|(x, _)| x >= f64::from(self.state.canvas_w()));
        if !over {
            return false;
        }
        let rows = (dy / self.state.row_px()).round() as isize;
        if let Some(table) = self.data.as_mut().and_then(|d| d.table.as_mut()) {
            table.scroll_by(if rows == 0 {
                dy.signum() as isize
            } else {
                rows
            });
        }
        true
    }

    /// Enter / Shift+Enter: selects the next / previous match and zooms to fit it.
    pub(crate) fn search_step(&mut self, step: isize) -> Effect {
        let Some(span) = self.search.step(step) else {
            return Effect::None;
        };
        let st = &mut self.state;
        st.selection = Some(span);
        st.selection_in_callers = false;
        st.fit_range(span.x0, span.x1);
        st.reveal_row(span.depth);
        self.refresh_hover();
        Effect::Redraw
    }

    /// `o` in the Sandwich view: the table's next sort column.
    pub(crate) fn cycle_sort(&mut self) -> Effect {
        if self.state.kind != ViewKind::Sandwich {
            return Effect::None;
        }
        let m = self.search.matcher();
        let Some(data) = &mut self.data else {
            return Effect::None;
        };
        let Some(table) = &mut data.table else {
            return Effect::None;
        };
        table.cycle_sort(&data.profile, m.as_ref());
        redraw_if(true)
    }

    /// What the search's share is "of", for its summary.
    pub fn search_scope(&self) -> &'static str {
        match self.state.kind {
            ViewKind::Sandwich => "callees",
            _ => "thread",
        }
    }

    /// The weight unit of the shown view's x axis.
    pub fn unit(&self) -> WeightUnit {
        let Some(data) = &self.data else {
            return WeightUnit::Samples;
        };
        match self.view().map(|v| v.x_unit) {
            Some(XUnit::Nanoseconds { .. }) => WeightUnit::Nanoseconds,
            _ => data
                .profile
                .events
                .get(data.event.index())
                .map_or(WeightUnit::Samples, |e| e.unit),
        }
    }

    /// `name — 12.3 ms (4.5 %)` for a span of the current view.
    pub fn describe(&self, span: &Span) -> Option<String> {
        let data = self.data.as_ref()?;
        let width = span.x1 - span.x0;
        let full = self.state.extent.end - self.state.extent.start;
        let pct = if full > 0.0 {
            100.0 * width / full
        } else {
            0.0
        };
        let name = data.profile.frame_name(span.frame);
        Some(format!(
            "{name} — {} ({pct:.1}%)",
            self.unit().format(width)
        ))
    }

    /// Label of the shown thread, e.g. `python3 1234/1240 (1/12)`.
    pub fn thread_label(&self) -> Option<String> {
        let data = self.data.as_ref()?;
        let tid = *data.threads.get(self.state.thread)?;
        Some(format!(
            "{} ({}/{})",
            data.profile.thread_label(tid),
            self.state.thread + 1,
            data.threads.len()
        ))
    }

    /// The state as JSON (for `--script` and tests).
    pub fn to_json(&self) -> Value {
        let st = &self.state;
        let name = |f: FrameId| self.data.as_ref().map(|d| d.profile.frame_name(f));
        let span_json =
            |s: &Span| json!({ "name": name(s.frame), "depth": s.depth, "x0": s.x0, "x1": s.x1 });
        let sandwich = self.data.as_ref().and_then(|d| {
            let s = d.sandwich.as_ref().filter(|_| st.kind == ViewKind::Sandwich)?;
            let t = d.table.as_ref()?;
            Some(json!({
                "frame": d.profile.frame_name(s.frame),
                "callers_depth": s.callers.depth_count(),
                "callees_depth": s.callees.depth_count(),
                "callers_scroll_px": st.callers_scroll_px,
                "sort": sort_name(t.sort),
                "row_count": t.rows.len(),
                "rows": t.rows.iter().take(10).map(|r| d.profile.frame_name(r.frame)).collect::<Vec<_>>(),
            }))
        });
        let search = &self.search;
        let progress = match &self.status {
            Status::Loading(p) => json!({
                "bytes_done": p.bytes_done,
                "bytes_total": p.bytes_total,
                "samples": p.samples_so_far,
            }),
            _ => Value::Null,
        };
        let warnings = self.data.as_ref().map(|d| d.warnings.clone());
        json!({
            "progress": progress,
            "warnings": warnings,
            "notice": self.notice,
            "building": self.building,
            "busy": self.busy(),
            "colors": self.colors.name(),
            "lanes": self.lanes_json(),
            "samples": self.data.as_ref().map(|d| d.profile.sample_count(d.event)),
            "status": match &self.status {
                Status::Empty => "empty".to_string(),
                Status::Loading(_) => "loading".to_string(),
                Status::Failed(e) => format!("failed: {e}"),
                Status::Ready => "ready".to_string(),
            },
            "view": view_name(st.kind),
            "thread": st.thread,
            "thread_count": st.thread_count,
            "thread_label": self.thread_label(),
            "camera": { "x0": st.camera.x_start, "x1": st.camera.x_end, "y_px": st.camera.y_scroll_px },
            "extent": [st.extent.start, st.extent.end],
            "depth_count": st.depth_count,
            "minimap": st.minimap_rect(),
            "recursion_collapsed": self.recursion_collapsed(),
            "transforms": self.transform_labels(),
            "transform_pending": self.transform_pending,
            "diff": self.diff_json(),
            "help": self.help_open,
            "viewport": [st.viewport.0, st.viewport.1],
            "scale": st.scale,
            "selection": st.selection.as_ref().map(span_json),
            "selection_in_callers": st.selection_in_callers,
            "hover": st.hover.as_ref().map(span_json),
            "search": {
                "open": search.open,
                "text": search.text,
                "matches": search.matches.len(),
                "current": search.current,
                "share": search.share(),
                "stale": search.stale(),
                "error": search.error,
                "summary": search.active().then(|| search.summary(self.search_scope())),
            },
            "sandwich": sandwich,
            "detail": self.selection_detail(),
            "threads": self.picker_json(),
        })
    }
}
