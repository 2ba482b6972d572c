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
use crate::app::sandwich::{FunctionTable, SandwichView};
use crate::app::search::Search;
use crate::app::state::{ViewKind, ViewState};
use crate::app::threads::ThreadPicker;
use crate::scene::FlameView;
use bigflame_layout::Span;
use bigflame_model::{EventId, FrameId, Profile, ThreadId};

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
    /// The weight of each of `threads`, same order.
    pub thread_weights: Vec<f64>,
    /// Built views of the shown thread: `[TimeOrder, LeftHeavy]`.
    views: [Option<FlameView>; 2],
    /// The Sandwich view, once shown.
    pub sandwich: Option<SandwichView>,
    /// The function table of the Sandwich view's thread.
    pub table: Option<FunctionTable>,
    /// While recursion is collapsed (`r`): the profile as loaded (`profile` is the collapsed one).
    pub original: Option<Profile>,
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
            thread_weights: threads.iter().map(|&(_, w)| w).collect(),
            threads: threads.into_iter().map(|(t, _)| t).collect(),
            views: [None, None],
            sandwich: None,
            table: None,
            original: None,
        };
        loaded.view(ViewKind::TimeOrder, 0, None);
        loaded
    }

    /// The view of `kind` for thread position `thread`, built on first use. For the Sandwich
    /// view: the callees' half, focused on `focus` (else the current focus when it belongs to
    /// this thread, else the heaviest function by self weight).
    fn view(
        &mut self,
        kind: ViewKind,
        thread: usize,
        focus: Option<FrameId>,
    ) -> Option<&FlameView> {
        let tid = *self.threads.get(thread)?;
        // The function table backs the detail panel in every view, not only the Sandwich's.
        if self.table.as_ref().is_none_or(|t| t.thread != tid) {
            self.table = Some(FunctionTable::build(&self.profile, self.event, tid));
        }
        let slot = match kind {
            ViewKind::TimeOrder => 0,
            ViewKind::LeftHeavy => 1,
            ViewKind::Sandwich => return self.sandwich_view(tid, focus),
        };
        let slot = &mut self.views[slot];
        if slot.as_ref().is_none_or(|v| v.threads != [tid]) {
            *slot = Some(match kind {
                ViewKind::LeftHeavy => FlameView::left_heavy(&self.profile, self.event, &[tid]),
                _ => FlameView::time_order(&self.profile, self.event, tid),
            });
        }
        slot.as_ref()
    }

    fn sandwich_view(&mut self, tid: ThreadId, focus: Option<FrameId>) -> Option<&FlameView> {
        let kept = self
            .sandwich
            .as_ref()
            .filter(|s| s.thread == tid)
            .map(|s| s.frame);
        let frame = focus
            .or(kept)
            .or_else(|| self.table.as_ref()?.heaviest_self(&self.profile))?;
        if self
            .sandwich
            .as_ref()
            .is_none_or(|s| s.thread != tid || s.frame != frame)
        {
            self.sandwich = Some(SandwichView::build(&self.profile, self.event, tid, frame));
        }
        self.sandwich.as_ref().map(|s| &s.callees)
    }

    /// Collapses direct recursion (see `bigflame_model::collapse_direct_recursion`), or restores
    /// the loaded profile; built views are dropped and rebuilt on demand. Frame ids and thread
    /// weights are unchanged by the transform, so the thread order stays valid.
    pub fn toggle_recursion(&mut self) {
        match self.original.take() {
            Some(original) => self.profile = original,
            None => {
                let collapsed = bigflame_model::collapse_direct_recursion(&self.profile);
                self.original = Some(std::mem::replace(&mut self.profile, collapsed));
            }
        }
        self.views = [None, None];
        self.sandwich = None;
        self.table = None;
    }

    /// Whether recursion is collapsed.
    pub fn recursion_collapsed(&self) -> bool {
        self.original.is_some()
    }

    /// The already built view of `kind` (the callees' half for the Sandwich view).
    pub fn current(&self, kind: ViewKind) -> Option<&FlameView> {
        match kind {
            ViewKind::TimeOrder => self.views[0].as_ref(),
            ViewKind::LeftHeavy => self.views[1].as_ref(),
            ViewKind::Sandwich => self.sandwich.as_ref().map(|s| &s.callees),
        }
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
    /// The Ctrl+F search field and its matches in the shown view.
    pub search: Search,
    /// The `t` thread picker.
    pub picker: ThreadPicker,
    /// Bumped whenever the shown view may have been rebuilt (caches such as the minimap's key
    /// on it).
    pub generation: u64,
    /// Whether the `?` key help is shown.
    pub help_open: bool,
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
            search: Search::default(),
            picker: ThreadPicker::default(),
            generation: 0,
            help_open: false,
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
        self.picker = ThreadPicker::default();
        self.show_current(None);
    }

    /// Builds (if needed) the current view and fits the camera to it; `focus` is the Sandwich
    /// view's function (else it keeps its own).
    pub(crate) fn show_current(&mut self, focus: Option<FrameId>) {
        self.generation += 1;
        self.state.minimap_grab = None;
        let (extent, depth, count) = match &mut self.data {
            Some(d) => {
                let count = d.threads.len();
                let kind = self.state.kind;
                match d.view(kind, self.state.thread, focus) {
                    Some(_) if kind == ViewKind::Sandwich => match &d.sandwich {
                        Some(s) => {
                            self.state.sandwich_depths =
                                (s.callers.depth_count(), s.callees.depth_count());
                            (s.extent(), s.depth_count(), count)
                        }
                        None => (0.0..1.0, 0, count),
                    },
                    Some(v) => (v.extent(), v.depth_count(), count),
                    None => (0.0..1.0, 0, count),
                }
            }
            None => (0.0..1.0, 0, 0),
        };
        self.state.thread_count = count;
        self.state.set_data(extent, depth);
        self.refresh_search();
        self.refresh_hover();
    }

    /// The view on screen, if any (the callees' half for the Sandwich view).
    pub fn view(&self) -> Option<&FlameView> {
        self.data.as_ref()?.current(self.state.kind)
    }

    /// The unmerged span under a pointer, and whether it is in the Sandwich callers' half.
    pub fn pick_at(&self, x: f64, y: f64) -> Option<(Span, bool)> {
        let data = self.data.as_ref()?;
        let st = &self.state;
        if st.kind != ViewKind::Sandwich {
            if x >= f64::from(st.canvas_w()) {
                return None;
            }
            return st
                .pick(&data.current(st.kind)?.index, x, y)
                .map(|s| (s, false));
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

    /// Applies one action.
    pub fn apply(&mut self, action: &Action) -> Effect {
        if self.picker.open {
            // The picker has the keyboard and the pointer's clicks.
            match action {
                Action::SearchInput(t) => return self.picker_type(Some(t)),
                Action::SearchBackspace => return self.picker_type(None),
                Action::SearchClose => {
                    self.picker.open = false;
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
            Action::ToggleRecursion => return self.toggle_recursion(),
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
                self.refresh_search();
            }
            Action::SearchBackspace => {
                if self.search.text.pop().is_none() {
                    return Effect::None;
                }
                self.refresh_search();
            }
            Action::SearchClose => {
                self.search.close();
                self.refresh_search();
            }
            Action::SearchStep(step) => return self.search_step(*step),
            Action::CycleSort => return self.cycle_sort(),
            Action::ThreadsOpen => return self.open_picker(),
            Action::ListMove(step) => st.pan_px(0.0, *step as f64 * LINE_PAN_PX),
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
