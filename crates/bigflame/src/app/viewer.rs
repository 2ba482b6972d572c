//! The viewer's model: the loaded profile, the current [`FlameView`] and the [`ViewState`], and
//! the one place that applies an [`Action`] to them.
//!
//! Why separate from the window: the window and the `--script` mode both call
//! [`Viewer::apply`], so what the tests drive is what the user drives. Views are built lazily and
//! only for the shown thread (Time Order and Left Heavy of one thread), so switching with `1`/`2`
//! after the first time is instant and cycling threads costs one index build.

use crate::app::input::Action;
use crate::app::state::{ViewKind, ViewState, view_name};
use crate::scene::{FlameView, XUnit};
use bigflame_layout::Span;
use bigflame_model::{EventId, Profile, ThreadId, WeightUnit};
use serde_json::{Value, json};

/// What the window shows besides the chart.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// No file: prompt to open one.
    Empty,
    /// Loading, with the fraction done when known.
    Loading(Option<f64>),
    /// Loading failed (the message is also on stderr).
    Failed(String),
    /// A profile is shown.
    Ready,
}

/// A loaded profile and the views of its shown thread.
pub struct Loaded {
    /// The profile.
    pub profile: Profile,
    /// The event shown.
    pub event: EventId,
    /// Threads with samples, heaviest first.
    pub threads: Vec<ThreadId>,
    /// Built views of the shown thread: `[TimeOrder, LeftHeavy]`.
    views: [Option<FlameView>; 2],
}

impl Loaded {
    /// Orders the threads heaviest first and builds the Time Order view of the heaviest.
    pub fn new(profile: Profile) -> Self {
        let event = profile.default_event();
        let mut threads: Vec<(ThreadId, f64)> = profile
            .threads
            .iter()
            .enumerate()
            .map(|(i, t)| (ThreadId::from_index(i), t.samples(event).total_weight()))
            .filter(|&(_, w)| w > 0.0)
            .collect();
        // Stable: equal weights keep profile order.
        threads.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mut loaded = Self {
            profile,
            event,
            threads: threads.into_iter().map(|(t, _)| t).collect(),
            views: [None, None],
        };
        loaded.view(ViewKind::TimeOrder, 0);
        loaded
    }

    fn slot(kind: ViewKind) -> usize {
        match kind {
            ViewKind::TimeOrder => 0,
            ViewKind::LeftHeavy => 1,
        }
    }

    /// The view of `kind` for thread position `thread`, built on first use.
    fn view(&mut self, kind: ViewKind, thread: usize) -> Option<&FlameView> {
        let tid = *self.threads.get(thread)?;
        let slot = &mut self.views[Self::slot(kind)];
        if slot.as_ref().is_none_or(|v| v.threads != [tid]) {
            *slot = Some(match kind {
                ViewKind::TimeOrder => FlameView::time_order(&self.profile, self.event, tid),
                ViewKind::LeftHeavy => FlameView::left_heavy(&self.profile, self.event, &[tid]),
            });
        }
        slot.as_ref()
    }

    /// The already built view of `kind`.
    pub fn current(&self, kind: ViewKind) -> Option<&FlameView> {
        self.views[Self::slot(kind)].as_ref()
    }
}

/// Profile + view state.
pub struct Viewer {
    /// Camera, view, thread, selection, hover.
    pub state: ViewState,
    /// The loaded profile, once there is one.
    pub data: Option<Loaded>,
    /// Loading / error / ready.
    pub status: Status,
    /// Name of the file shown (for the title and status line).
    pub source: String,
}

/// What the caller must do after an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing visible changed.
    None,
    /// Draw again.
    Redraw,
    /// Show the open-file dialog.
    Open,
}

impl Viewer {
    /// An empty viewer.
    pub fn new(state: ViewState) -> Self {
        Self {
            state,
            data: None,
            status: Status::Empty,
            source: String::new(),
        }
    }

    /// Shows a freshly loaded profile: the heaviest thread in Time Order, fitted.
    pub fn set_profile(&mut self, profile: Profile) {
        self.set_loaded(Loaded::new(profile));
    }

    /// Shows a profile prepared by [`Loaded::new`] (on the loader thread, so the first index
    /// build does not freeze the window).
    pub fn set_loaded(&mut self, loaded: Loaded) {
        self.data = Some(loaded);
        self.status = Status::Ready;
        self.state.kind = ViewKind::TimeOrder;
        self.state.thread = 0;
        self.show_current();
    }

    /// Builds (if needed) the current view and fits the camera to it.
    fn show_current(&mut self) {
        let (extent, depth, count) = match &mut self.data {
            Some(d) => {
                let count = d.threads.len();
                match d.view(self.state.kind, self.state.thread) {
                    Some(v) => (v.extent(), v.depth_count(), count),
                    None => (0.0..1.0, 0, count),
                }
            }
            None => (0.0..1.0, 0, 0),
        };
        self.state.thread_count = count;
        self.state.set_data(extent, depth);
        self.refresh_hover();
    }

    /// The view on screen, if any.
    pub fn view(&self) -> Option<&FlameView> {
        self.data.as_ref()?.current(self.state.kind)
    }

    fn refresh_hover(&mut self) {
        let hover = match (self.state.cursor, self.view()) {
            (Some((x, y)), Some(v)) => self.state.pick(&v.index, x, y),
            _ => None,
        };
        self.state.hover = hover;
    }

    /// Applies one action.
    pub fn apply(&mut self, action: &Action) -> Effect {
        let st = &mut self.state;
        let w = f64::from(st.viewport.0);
        match *action {
            Action::SetView(kind) => {
                if kind == st.kind {
                    return Effect::None;
                }
                st.kind = kind;
                self.show_current();
                return Effect::Redraw;
            }
            Action::CycleThread(step) => {
                if !st.cycle_thread(step) {
                    return Effect::None;
                }
                self.show_current();
                return Effect::Redraw;
            }
            Action::ZoomAt { x_px, factor } => st.zoom_at(x_px, factor),
            Action::ZoomCentre(factor) => st.zoom_at(0.5 * w, factor),
            Action::Pan { dx, dy } => st.pan_px(dx, dy),
            Action::PanFraction(f) => st.pan_px(f * w, 0.0),
            Action::Reset => st.reset(),
            Action::ClearSelection => {
                if st.selection.take().is_none() {
                    return Effect::None;
                }
            }
            Action::Hover(x, y) => {
                st.cursor = Some((x, y));
                let before = st.hover;
                self.refresh_hover();
                // The tooltip follows the pointer, so redraw while over a span.
                return redraw_if(before != self.state.hover || self.state.hover.is_some());
            }
            Action::HoverNone => {
                st.cursor = None;
                return redraw_if(st.hover.take().is_some());
            }
            Action::Select(x, y) => {
                let Some(v) = self.data.as_ref().and_then(|d| d.current(st.kind)) else {
                    return Effect::None;
                };
                st.select_at(&v.index, x, y);
            }
            Action::ZoomToSpan(x, y) => {
                let Some(v) = self.data.as_ref().and_then(|d| d.current(st.kind)) else {
                    return Effect::None;
                };
                st.zoom_to_span_at(&v.index, x, y);
            }
            Action::Resize {
                width,
                height,
                scale,
            } => st.resize(px(width), px(height), scale),
            Action::Open => return Effect::Open,
        }
        self.refresh_hover();
        Effect::Redraw
    }

    /// `name — 12.3 ms (4.5 %)` for a span of the current view.
    pub fn describe(&self, span: &Span) -> Option<String> {
        let data = self.data.as_ref()?;
        let view = data.current(self.state.kind)?;
        let width = span.x1 - span.x0;
        let unit = match view.x_unit {
            XUnit::Nanoseconds { .. } => WeightUnit::Nanoseconds,
            XUnit::Weight => data
                .profile
                .events
                .get(data.event.index())
                .map_or(WeightUnit::Samples, |e| e.unit),
        };
        let full = self.state.extent.end - self.state.extent.start;
        let pct = if full > 0.0 {
            100.0 * width / full
        } else {
            0.0
        };
        let name = data.profile.frame_name(span.frame);
        Some(format!("{name} — {} ({pct:.1}%)", unit.format(width)))
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
        let span_json = |s: &Span| {
            json!({
                "name": self.data.as_ref().map(|d| d.profile.frame_name(s.frame)),
                "depth": s.depth,
                "x0": s.x0,
                "x1": s.x1,
            })
        };
        json!({
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
            "viewport": [st.viewport.0, st.viewport.1],
            "scale": st.scale,
            "selection": st.selection.as_ref().map(span_json),
            "hover": st.hover.as_ref().map(span_json),
        })
    }
}

fn redraw_if(changed: bool) -> Effect {
    if changed {
        Effect::Redraw
    } else {
        Effect::None
    }
}

/// A physical size from an f64, at least 1 px.
fn px(v: f64) -> u32 {
    if v.is_finite() {
        v.clamp(1.0, f64::from(u32::MAX)) as u32
    } else {
        1
    }
}

#[cfg(test)]
#[path = "viewer_tests.rs"]
mod tests;
