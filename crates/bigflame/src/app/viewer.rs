//! The viewer's model: the loaded profile, the current [`FlameView`] and the [`ViewState`], and
//! the one place that applies an [`Action`] to them.
//!
//! Why separate from the window: the window and the `--script` mode both call
//! [`Viewer::apply`], so what the tests drive is what the user drives. Views are built lazily and
//! only for the shown thread (Time Order and Left Heavy of one thread), so switching with `1`/`2`
//! after the first time is instant and cycling threads costs one index build (plus the thread's
//! function table, which backs the detail panel and the Sandwich table). The search, the
//! Sandwich view and the JSON dump are in `viewer_ops.rs`, the thread picker in `threads.rs`,
//! the detail panel in `detail.rs` (further `impl Viewer` blocks).

use crate::app::input::{Action, LINE_PAN_PX};
use crate::app::jobs::{Built, Job, Want};
use crate::app::sandwich::{FunctionTable, SandwichView};
use crate::app::search::Search;
use crate::app::state::{ViewKind, ViewState};
use crate::app::threads::ThreadPicker;
use crate::scene::{Camera, FlameView};
use bigflame_formats::Progress;
use bigflame_layout::Span;
use bigflame_model::{EventId, FrameId, Profile, ThreadId};
use bigflame_model::{Transform, TransformStack};
use std::ops::Range;
use std::sync::Arc;

/// What the window shows besides the chart.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// No file: prompt to open one.
    Empty,
    /// Loading: bytes, total when known, samples so far. What is parsed so far may already be
    /// shown (progressive display, `Viewer::data` is then the partial profile).
    Loading(Progress),
    /// Loading failed (the message is also on stderr).
    Failed(String),
    /// A profile is shown.
    Ready,
}

/// Time Order views kept per thread (the shown one and the lanes'); older ones are dropped.
const MAX_TIME_VIEWS: usize = 24;

/// A loaded profile and the views built of it so far.
pub struct Loaded {
    /// The profile (shared with view-building jobs).
    pub profile: Arc<Profile>,
    /// The event shown.
    pub event: EventId,
    /// Threads with samples, heaviest first.
    pub threads: Vec<ThreadId>,
    /// The weight of each of `threads`, same order.
    pub thread_weights: Vec<f64>,
    /// Built Time Order views, one per thread, most recently built last.
    time_views: Vec<Arc<FlameView>>,
    /// The built Left Heavy view (of one thread).
    left_heavy: Option<Arc<FlameView>>,
    /// The Sandwich view, once shown.
    pub sandwich: Option<SandwichView>,
    /// The function table of one thread (the shown one once built).
    pub table: Option<FunctionTable>,
    /// While transforms are active: the profile as loaded (`profile` is the transformed one).
    pub original: Option<Arc<Profile>>,
    /// The active transforms (`transforms.rs`); `profile` is them applied to `original`.
    pub transforms: TransformStack,
    /// `bigflame diff` in the window: AFTER's diff-coloured Left Heavy (`diff_mode.rs`).
    pub diff: Option<Arc<crate::app::diff_mode::DiffData>>,
    /// The diff's colours and table by share instead of weight (`c`).
    pub diff_normalize: bool,
    /// What the importer says about the profile (skipped records, approximations).
    pub warnings: Vec<String>,
}

impl Loaded {
    /// Orders the threads heaviest first and builds the Time Order view of the heaviest (on
    /// the caller's thread: the loader's).
    pub fn new(profile: Profile) -> Self {
        let warnings = crate::load::warnings(&profile);
        let mut loaded = Self::from_arc(Arc::new(profile));
        loaded.warnings = warnings;
        if let Some(&tid) = loaded.threads.first() {
            let view = FlameView::time_order(&loaded.profile, loaded.event, tid);
            loaded.time_views.push(Arc::new(view));
        }
        loaded
    }

    /// Orders the threads heaviest first; builds nothing.
    pub fn from_arc(profile: Arc<Profile>) -> Self {
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
        Self {
            profile,
            event,
            thread_weights: threads.iter().map(|&(_, w)| w).collect(),
            threads: threads.into_iter().map(|(t, _)| t).collect(),
            time_views: Vec::new(),
            left_heavy: None,
            sandwich: None,
            table: None,
            original: None,
            transforms: TransformStack::new(),
            diff: None,
            diff_normalize: false,
            warnings: Vec::new(),
        }
    }

    /// The built Time Order view of `tid`.
    pub fn time_view(&self, tid: ThreadId) -> Option<&Arc<FlameView>> {
        self.time_views.iter().rev().find(|v| v.threads == [tid])
    }

    /// The built view of `kind` for `tid` (the callees' half for the Sandwich view, whose focus
    /// must be `focus` when given).
    pub fn view_of(
        &self,
        kind: ViewKind,
        tid: ThreadId,
        focus: Option<FrameId>,
    ) -> Option<&Arc<FlameView>> {
        match kind {
            ViewKind::TimeOrder => self.time_view(tid),
            // The diff's view merges every thread: it is shown whichever thread is picked.
            ViewKind::LeftHeavy => match &self.diff {
                Some(d) => Some(&d.view),
                None => self.left_heavy.as_ref().filter(|v| v.threads == [tid]),
            },
            ViewKind::Sandwich => self
                .sandwich
                .as_ref()
                .filter(|s| s.thread == tid && focus.is_none_or(|f| f == s.frame))
                .map(|s| &s.callees),
        }
    }

    /// What must be built before the view of `kind` for thread `tid` can be shown (the function
    /// table first: it backs the detail panel, and picks the Sandwich's default focus).
    pub(crate) fn missing(
        &self,
        kind: ViewKind,
        tid: ThreadId,
        focus: Option<FrameId>,
    ) -> Vec<Want> {
        let mut out = Vec::new();
        if self.table.as_ref().is_none_or(|t| t.thread != tid) {
            out.push(Want::Table(tid));
        }
        match kind {
            ViewKind::Sandwich => {
                let kept = self
                    .sandwich
                    .as_ref()
                    .filter(|s| s.thread == tid)
                    .map(|s| s.frame);
                let table = self.table.as_ref().filter(|t| t.thread == tid);
                let frame = focus
                    .or(kept)
                    .or_else(|| table?.heaviest_self(&self.profile));
                if let Some(frame) = frame
                    && self.view_of(kind, tid, Some(frame)).is_none()
                {
                    out.push(Want::Sandwich(tid, frame));
                }
            }
            _ => {
                if self.view_of(kind, tid, None).is_none() {
                    out.push(Want::View(kind, tid));
                }
            }
        }
        out
    }

    /// Installs a built view, sandwich or table.
    pub(crate) fn install(&mut self, built: Built) {
        match built {
            Built::View(v) if v.kind == ViewKind::LeftHeavy => self.left_heavy = Some(v),
            Built::View(v) => {
                self.time_views.retain(|o| o.threads != v.threads);
                self.time_views.push(v);
                if self.time_views.len() > MAX_TIME_VIEWS {
                    self.time_views.remove(0);
                }
            }
            Built::Sandwich(s) => self.sandwich = Some(s),
            Built::Table(t) => self.table = Some(t),
            Built::Search(_) | Built::Transformed(_) => {}
        }
    }

    /// Swaps in a transformed profile (`transforms.rs`), or the loaded one back when `stack` is
    /// empty; built views are dropped and rebuilt on demand. The threads are ordered again (a
    /// focus or a time range changes their weights, and may leave some without samples).
    pub fn set_transformed(&mut self, stack: TransformStack, profile: Arc<Profile>) {
        let original = self
            .original
            .take()
            .unwrap_or_else(|| Arc::clone(&self.profile));
        if !stack.is_empty() {
            self.original = Some(original);
        }
        let warnings = std::mem::take(&mut self.warnings);
        let mut fresh = Self::from_arc(profile);
        fresh.original = self.original.take();
        fresh.transforms = stack;
        fresh.warnings = warnings;
        fresh.event = self.event;
        *self = fresh;
    }

    /// Whether recursion is collapsed (an active `r` step).
    pub fn recursion_collapsed(&self) -> bool {
        self.transforms
            .steps()
            .iter()
            .any(|t| matches!(t, Transform::CollapseRecursion { .. }))
    }

    /// The profile as loaded (before any transform).
    pub fn loaded_profile(&self) -> &Arc<Profile> {
        self.original.as_ref().unwrap_or(&self.profile)
    }
}

/// How the camera is carried over when the data under it is replaced (a progressive load's
/// next snapshot, `r`): the x range kept unless it showed everything, in which case the new
/// extent is fitted (a growing recording stays in full view), and the vertical scroll kept.
#[derive(Clone, Debug)]
pub(crate) struct KeepCamera {
    pub camera: Camera,
    pub extent: Range<f64>,
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
    /// The Ctrl+F search field and its matches in the shown view.
    pub search: Search,
    /// The `t` thread picker.
    pub picker: ThreadPicker,
    /// Bumped whenever the shown view may have been rebuilt (caches such as the minimap's key
    /// on it).
    pub generation: u64,
    /// Whether the `?` key help is shown.
    pub help_open: bool,
    /// Run jobs at once, inside `apply` (script mode, tests); the window runs them on threads.
    pub inline: bool,
    /// The caller's clock, ms (set before each `apply`; drives the search debounce).
    pub now_ms: f64,
    /// Generation of the data (bumped per profile shown): results for older data are dropped.
    pub data_gen: u64,
    /// Jobs asked for and not yet handed out ([`Viewer::take_jobs`]).
    pub(crate) outbox: Vec<Job>,
    /// Jobs handed out and not yet back, by (data generation, what).
    pub(crate) inflight: Vec<(u64, Want)>,
    /// The shown view is being built ("building…").
    pub building: bool,
    /// The Sandwich focus asked for while building.
    pub(crate) pending_focus: Option<FrameId>,
    /// The camera to carry over once the view being built is there.
    pub(crate) keep_camera: Option<KeepCamera>,
    /// How spans are coloured (`c`).
    pub colors: crate::app::colors::ColorMode,
    /// Several threads stacked on one timeline (`m`, Time Order only).
    pub lanes: crate::app::lanes::Lanes,
    /// A one-off message for the status line ("saved …", a dialog error).
    pub notice: Option<String>,
    /// Numbers transform requests (`transforms.rs`).
    pub(crate) transform_seq: u64,
    /// A transform job is asked for or running.
    pub(crate) transform_pending: bool,
    /// The transform job to hand out with the next `Want::Transform` request.
    pub(crate) pending_transform: Option<crate::app::transforms::TransformJob>,
    /// The Shift+drag range being chosen (physical px), drawn over the chart.
    pub range_preview: Option<(f64, f64)>,
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
    /// Save the profile (Ctrl+S): ask where, then write speedscope JSON.
    Save,
    /// Export the current view (Ctrl+Shift+S, `e`): ask where, the format from the extension.
    Export,
}

impl Viewer {
    /// An empty viewer.
    pub fn new(state: ViewState) -> Self {
        Self {
            state,
            data: None,
            status: Status::Empty,
            source: String::new(),
            search: Search::default(),
            picker: ThreadPicker::default(),
            generation: 0,
            help_open: false,
            inline: true,
            now_ms: 0.0,
            data_gen: 0,
            outbox: Vec::new(),
            inflight: Vec::new(),
            building: false,
            pending_focus: None,
            keep_camera: None,
            colors: Default::default(),
            lanes: Default::default(),
            notice: None,
            transform_seq: 0,
            transform_pending: false,
            pending_transform: None,
            range_preview: None,
        }
    }

    /// Shows a freshly loaded profile: the heaviest thread in Time Order, fitted.
    pub fn set_profile(&mut self, profile: Profile) {
        self.set_loaded(Loaded::new(profile));
    }

    /// Shows a profile prepared by [`Loaded::new`] (on the loader thread, so the first index
    /// build does not freeze the window): the heaviest thread in Time Order, fitted.
    pub fn set_loaded(&mut self, loaded: Loaded) {
        self.install_data(loaded);
        self.status = Status::Ready;
        self.state.kind = ViewKind::TimeOrder;
        self.state.thread = 0;
        self.picker = ThreadPicker::default();
        self.lanes = Default::default();
        self.keep_camera = None;
        self.show_current(None);
        self.settle_if_inline();
    }

    /// The thread position shown (into `Loaded::threads`) and its id.
    pub fn shown_thread(&self) -> Option<ThreadId> {
        self.data.as_ref()?.threads.get(self.state.thread).copied()
    }

    /// The view on screen, if built (the callees' half for the Sandwich view).
    pub fn view(&self) -> Option<&FlameView> {
        self.view_arc().map(|v| &**v)
    }

    /// The view on screen, shared (for search jobs).
    pub(crate) fn view_arc(&self) -> Option<&Arc<FlameView>> {
        if self.building {
            return None;
        }
        let data = self.data.as_ref()?;
        data.view_of(self.state.kind, self.shown_thread()?, None)
    }

    /// The unmerged span under a pointer, and whether it is in the Sandwich callers' half.
    pub fn pick_at(&self, x: f64, y: f64) -> Option<(Span, bool)> {
        let data = self.data.as_ref()?;
        let st = &self.state;
        if self.lanes_on() {
            return self.lanes_pick(x, y).map(|(_, s)| (s, false));
        }
        if st.kind != ViewKind::Sandwich {
            if x >= f64::from(st.canvas_w()) {
                return None;
            }
            return st.pick(&self.view()?.index, x, y).map(|s| (s, false));
        }
        if self.building {
            return None;
        }
        let s = data.sandwich.as_ref()?;
        let (callers, depth) = st.sandwich_row_at(x, y)?;
        let view = if callers { &s.callers } else { &s.callees };
        view.index
            .hit(st.x_at(x), depth)
            .map(|span| (span, callers))
    }

    pub(crate) fn refresh_hover(&mut self) {
        self.state.hover = match self.state.cursor {
            Some((x, y)) => self.pick_at(x, y).map(|(s, _)| s),
            None => None,
        };
    }

    /// Whether typed characters go to a text field (the search or the thread picker).
    pub fn text_mode(&self) -> bool {
        self.search.open || self.picker.open
    }

    /// Applies one action (and, in inline mode, runs the jobs it asked for).
    pub fn apply(&mut self, action: &Action) -> Effect {
        let effect = self.apply_action(action);
        if self.settle_if_inline() && effect == Effect::None {
            return Effect::Redraw;
        }
        effect
    }

    fn apply_action(&mut self, action: &Action) -> Effect {
        if self.picker.open {
            // The picker has the keyboard and the pointer's clicks.
            match action {
                Action::SearchInput(t) => return self.picker_type(Some(t)),
                Action::SearchBackspace => return self.picker_type(None),
                Action::SearchClose => {
                    // Esc cancels: no filter is left behind for the lanes.
                    self.picker.open = false;
                    self.picker.filter.clear();
                    return Effect::Redraw;
                }
                Action::SearchStep(_) => return self.picker_pick(None),
                Action::ListMove(step) => return self.picker_move(*step),
                Action::Select(x, y) | Action::ZoomToSpan(x, y) => {
                    return self.picker_click(*x, *y);
                }
                Action::SearchOpen => self.picker.open = false,
                Action::Press(..) => return Effect::None,
                _ => {}
            }
        }
        let st = &mut self.state;
        let w = f64::from(st.canvas_w());
        match action {
            Action::SetView(kind) => return self.set_view(*kind),
            Action::CycleThread(step) => {
                if !st.cycle_thread(*step) {
                    return Effect::None;
                }
                self.show_current(None);
                return Effect::Redraw;
            }
            Action::ZoomAt { x_px, factor } => st.zoom_at(*x_px, *factor),
            Action::ZoomCentre(factor) => st.zoom_at(0.5 * w, *factor),
            Action::Pan { .. } if st.minimap_grab.is_some() => return Effect::None,
            Action::Pan { dx, dy } => {
                if !self.scroll_table(*dy) {
                    self.state.pan_px(*dx, *dy);
                }
            }
            Action::PanFraction(f) => st.pan_px(f * w, 0.0),
            Action::Reset => st.reset(),
            Action::ToggleHelp => {
                self.help_open = !self.help_open;
                return Effect::Redraw;
            }
            Action::ClearSelection if self.help_open => {
                self.help_open = false;
                return Effect::Redraw;
            }
            Action::ClearSelection => {
                if st.selection.take().is_none() {
                    return Effect::None;
                }
            }
            Action::Hover(x, y) if st.minimap_grab.is_some() => {
                st.cursor = Some((*x, *y));
                return self.minimap_drag(*x);
            }
            Action::Hover(x, y) => {
                st.cursor = Some((*x, *y));
                let before = st.hover;
                self.refresh_hover();
                // The tooltip follows the pointer, so redraw while over a span.
                return redraw_if(before != self.state.hover || self.state.hover.is_some());
            }
            Action::HoverNone => {
                self.range_preview = None; // a Shift+drag that left the window is dropped
                let st = &mut self.state;
                st.cursor = None;
                st.minimap_grab = None;
                return redraw_if(st.hover.take().is_some());
            }
            Action::Select(x, y) | Action::ZoomToSpan(x, y) => {
                if let Some(effect) = self.minimap_click(*x, *y) {
                    return effect;
                }
                return self.click(*x, *y, matches!(action, Action::ZoomToSpan(..)));
            }
            Action::Press(x, y) => return self.minimap_press(*x, *y),
            Action::Release => return redraw_if(st.minimap_grab.take().is_some()),
            Action::Transform(key) => return self.transform(*key),
            Action::Resize {
                width,
                height,
                scale,
            } => st.resize(px(*width), px(*height), *scale),
            Action::Open => return Effect::Open,
            Action::SearchOpen => {
                self.search.open = true;
            }
            Action::SearchInput(text) => {
                self.search.open = true;
                self.search.text.push_str(text);
                self.search_typed();
            }
            Action::SearchBackspace => {
                if self.search.text.pop().is_none() {
                    return Effect::None;
                }
                self.search_typed();
            }
            Action::SearchClose => {
                self.search.close();
                self.refresh_search();
            }
            Action::SearchStep(step) => return self.search_step(*step),
            Action::CycleSort => return self.cycle_sort(),
            Action::ThreadsOpen => return self.open_picker(),
            Action::ListMove(step) => st.pan_px(0.0, *step as f64 * LINE_PAN_PX),
            Action::CycleColors if self.diff_shown().is_some() => {
                return redraw_if(self.toggle_diff_normalize());
            }
            Action::CycleColors => return self.cycle_colors(),
            Action::ToggleLanes => return self.toggle_lanes(),
            Action::Save => return self.save_request(),
            Action::Export => return self.export_request(),
            // A Shift+drag that grabbed the minimap moves it (through `Hover`) instead.
            Action::RangeDrag(..) | Action::RangeSelect(..)
                if self.state.minimap_grab.is_some() =>
            {
                return Effect::None;
            }
            Action::RangeDrag(x0, x1) => {
                self.range_preview = Some((*x0, *x1));
                return Effect::Redraw;
            }
            Action::RangeSelect(x0, x1) => {
                self.range_preview = None;
                return self.select_range(*x0, *x1);
            }
        }
        self.refresh_hover();
        Effect::Redraw
    }
}

pub(crate) fn redraw_if(changed: bool) -> Effect {
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
