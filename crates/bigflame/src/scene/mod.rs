//! The bridge between profiles and rectangles: the only module that knows both the model and the
//! renderer. Everything that turns "this thread, this view, this camera" into `RectInstance`s and
//! labels lives here, so the window, `bigflame render` and `bigflame bench` draw the same pixels.
//!
//! * [`FlameView`]: one view of a profile — which thread(s), which event, Time Order or Left Heavy —
//!   with its [`SpanIndex`] built once (and, for Left Heavy, its [`CallTree`]) and a colour per frame.
//! * [`Camera`]: the f64 camera (`x_start..x_end` in view units, `y_scroll_px`) with fit / zoom
//!   around a point / pan helpers.
//! * [`build_scene`]: per frame, camera + viewport → [`FlameScene`] (rects in view-relative px and
//!   label positions); see `build.rs` for the folding, colour and label rules.
//!
//! Orientation: root at the top, callees below (icicle, as speedscope's flame chart): row `d` spans
//! `d * row_height - y_scroll .. + row_height` px from the top. Independent of winit on purpose.
//!
//! View units: Time Order x is nanoseconds since the earliest sample of the event in the whole
//! profile ([`XUnit::Nanoseconds`]), or cumulative weight when the samples have no timestamps; Left
//! Heavy x is cumulative weight from 0 ([`XUnit::Weight`]).

mod build;
mod camera;
pub mod diff;
mod lanes;

pub use build::{FOLD_COLOR, FlameScene, SceneOptions, Selection, build_scene};
pub use camera::{Camera, MAX_ZOOM};
pub use lanes::LaneLayout;

use bigflame_layout::{SpanIndex, XAxis};
use bigflame_model::{CallTree, EventId, Profile, ThreadId};
use bigflame_render::colors;
use std::ops::Range;

/// Which layout a [`FlameView`] shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewKind {
    /// Flame chart: samples in time order, one thread.
    TimeOrder,
    /// Flame graph: merged call tree, heaviest child first (left), any set of threads.
    LeftHeavy,
    /// One function's callers (inverted, above) and callees (below): two call-tree views
    /// built with [`FlameView::from_tree`].
    Sandwich,
}

/// What one view unit on the x axis is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum XUnit {
    /// Nanoseconds since `origin_ns` (the profile's earliest sample of the event).
    Nanoseconds {
        /// The absolute timestamp shown at x = 0.
        origin_ns: u64,
    },
    /// The event's weight unit (samples, period, bytes…), cumulative from 0.
    Weight,
}

/// One view of a profile, with its index built once. Cheap to query every frame.
pub struct FlameView {
    /// Time Order or Left Heavy.
    pub kind: ViewKind,
    /// The threads shown (one for Time Order).
    pub threads: Vec<ThreadId>,
    /// What x measures.
    pub x_unit: XUnit,
    /// The span index; span `node`s are `StackId` values (Time Order) or `NodeId` values of the
    /// call tree it was laid out from (Left Heavy, Sandwich).
    pub index: SpanIndex,
    /// `colors::for_name` of every frame, indexed by `FrameId` (hashing once, not per span).
    pub frame_colors: Vec<u32>,
}

impl FlameView {
    /// The Time Order (flame chart) view of one thread; x in ns since the profile's first sample
    /// when the samples have timestamps, else cumulative weight.
    pub fn time_order(profile: &Profile, event: EventId, thread: ThreadId) -> Self {
        let has_time = profile
            .threads
            .get(thread.index())
            .is_some_and(|t| t.samples(event).has_time());
        let origin = if has_time {
            profile.time_span_ns(event).map(|(lo, _)| lo)
        } else {
            None
        };
        let (axis, x_unit) = match origin {
            // Samples are intervals (profiles made from begin/end events).
            Some(origin_ns)
                if profile
                    .events
                    .get(event.index())
                    .is_some_and(|e| e.intervals) =>
            {
                (
                    XAxis::Intervals { origin_ns },
                    XUnit::Nanoseconds { origin_ns },
                )
            }
            Some(origin_ns) => (XAxis::Time { origin_ns }, XUnit::Nanoseconds { origin_ns }),
            None => (XAxis::Weight, XUnit::Weight),
        };
        let index = bigflame_layout::time_order_threads(profile, event, &[thread], axis)
            .pop()
            .unwrap_or_default();
        Self {
            kind: ViewKind::TimeOrder,
            threads: vec![thread],
            x_unit,
            index,
            frame_colors: frame_colors(profile),
        }
    }

    /// The Left Heavy view of `threads` merged (all threads when empty).
    pub fn left_heavy(profile: &Profile, event: EventId, threads: &[ThreadId]) -> Self {
        let threads = if threads.is_empty() {
            bigflame_model::all_threads(profile)
        } else {
            threads.to_vec()
        };
        let tree = CallTree::build(profile, event, &threads);
        let index = bigflame_layout::call_tree_layout(&tree);
        Self {
            kind: ViewKind::LeftHeavy,
            threads,
            x_unit: XUnit::Weight,
            index,
            frame_colors: frame_colors(profile),
        }
    }

    /// A view of an arbitrary call tree (a sandwich's callers or callees), laid out heaviest
    /// child first like Left Heavy; x is the event's weight.
    pub fn from_tree(profile: &Profile, threads: &[ThreadId], tree: &CallTree) -> Self {
        let index = bigflame_layout::call_tree_layout(tree);
        Self {
            kind: ViewKind::Sandwich,
            threads: threads.to_vec(),
            x_unit: XUnit::Weight,
            index,
            frame_colors: frame_colors(profile),
        }
    }

    /// Everything laid out, in view units (`0..0` when empty).
    pub fn extent(&self) -> Range<f64> {
        self.index.x_range()
    }

    /// Number of rows.
    pub fn depth_count(&self) -> u32 {
        self.index.depth_count()
    }

    /// The exact (unfolded) span under pixel `(px, py)` of a `viewport_px` viewport (a plain canvas,
    /// as `render` draws it; the window's own layout picks through `app::state`). Tests use it to
    /// check that hits match the drawing.
    #[cfg(test)]
    pub fn hit_px(
        &self,
        camera: &Camera,
        viewport_px: (u32, u32),
        row_height_px: f32,
        (px, py): (f64, f64),
    ) -> Option<bigflame_layout::Span> {
        let row = f64::from(row_height_px.max(1.0));
        let depth = ((py + camera.y_scroll_px) / row).floor();
        if !(depth >= 0.0 && depth < f64::from(self.depth_count())) {
            return None;
        }
        self.index.hit(camera.x_at(px, viewport_px.0), depth as u32)
    }

    /// View-unit x of `seconds` after the start, when x is time; `None` for a weight axis.
    pub fn x_of_seconds(&self, seconds: f64) -> Option<f64> {
        matches!(self.x_unit, XUnit::Nanoseconds { .. }).then_some(seconds * 1.0e9)
    }
}

fn frame_colors(profile: &Profile) -> Vec<u32> {
    frame_colors_by(profile, ColorBy::Name)
}

/// How spans are coloured.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum ColorBy {
    /// A warm FlameGraph-like colour hashed from the function name: stable across runs and profiles.
    #[default]
    Name,
    /// One hue per module (shared object, executable, JIT map), varied slightly per function, so
    /// time in each library stands out; frames without a module use the name colour.
    Module,
}

/// The colour of every frame, indexed by `FrameId`, in the default palette (by name) or by module.
pub fn frame_colors_by(profile: &Profile, by: ColorBy) -> Vec<u32> {
    frame_colors_with(profile, colors::Palette::Hot, by)
}

/// The colour of every frame, indexed by `FrameId`: from `palette` (the default, `Hot`, is the
/// views' own name colour), or by module, where frames without a module keep the palette colour.
/// The one colour table of the views, `render`, `export` and the viewer's `c` modes.
pub fn frame_colors_with(profile: &Profile, palette: colors::Palette, by: ColorBy) -> Vec<u32> {
    profile
        .frames
        .as_slice()
        .iter()
        .map(|f| {
            let name = profile.strings.get(f.name);
            let module = f.module.map(|m| profile.strings.get(m));
            match (by, module) {
                (ColorBy::Module, Some(m)) => colors::for_module(m, name),
                _ => colors::for_frame(palette, name, f.kind, module),
            }
        })
        .collect()
}

/// The thread of `candidates` with the most weight for `event` (the first on ties); `None` when
/// there is no candidate.
pub fn heaviest_thread(
    profile: &Profile,
    event: EventId,
    candidates: &[ThreadId],
) -> Option<ThreadId> {
    let mut best: Option<(ThreadId, f64)> = None;
    for &id in candidates {
        let w = profile.thread(id).samples(event).total_weight();
        if best.is_none_or(|(_, bw)| w > bw) {
            best = Some((id, w));
        }
    }
    best.map(|(t, _)| t)
}

/// Threads matching any selector — a tid or pid number, an exact thread name, or a substring of
/// the `comm pid/tid` label — in profile order, heaviest first is up to the caller.
pub fn match_threads(profile: &Profile, selectors: &[String]) -> Vec<ThreadId> {
    (0..profile.threads.len())
        .map(ThreadId::from_index)
        .filter(|&id| {
            let t = profile.thread(id);
            let name = profile.strings.get(t.name);
            let label = profile.thread_label(id);
            selectors.iter().any(|sel| {
                let num = sel.parse::<u32>().ok();
                (num.is_some() && (num == t.tid || num == t.pid))
                    || sel == name
                    || label.contains(sel.as_str())
            })
        })
        .collect()
}

/// Frames to highlight (search matches): one flag per `FrameId`. With a highlight active,
/// [`build_scene`] tints matching spans and dims the others.
#[derive(Clone, Debug, Default)]
pub struct Highlight {
    matches: Vec<bool>,
}

impl Highlight {
    /// Frames whose name satisfies `pred` (evaluated once per frame, not per span).
    pub fn from_fn(profile: &Profile, mut pred: impl FnMut(&str) -> bool) -> Self {
        let matches = profile
            .frames
            .as_slice()
            .iter()
            .map(|f| pred(profile.strings.get(f.name)))
            .collect();
        Self { matches }
    }

    /// Frames whose name contains `needle` (case-sensitive).
    pub fn substring(profile: &Profile, needle: &str) -> Self {
        Self::from_fn(profile, |name| name.contains(needle))
    }

    /// Whether frame index `frame` matches.
    pub fn contains(&self, frame: bigflame_model::FrameId) -> bool {
        self.matches.get(frame.index()).copied().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests;
