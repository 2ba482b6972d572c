//! Differential flame graphs: the AFTER profile's Left Heavy view, each span coloured by how much
//! its call path changed from BEFORE.
//!
//! Why per node and not per frame: a function can grow under one caller and shrink under another,
//! and a flame graph shows call paths, so the colour belongs to the path (the span's call-tree
//! node). The view's frame colours stay as they are; [`DiffView::node_colors`] goes into
//! `SceneOptions::node_colors`.
//!
//! Colours follow FlameGraph's differential flame graphs (`flamegraph.pl` fed by
//! `difffolded.pl`, and inferno): a path is coloured by the change of its *self* weight by
//! default, unchanged paths are near-white `rgb(250,250,250)`, growth is red `rgb(255,c,c)` and
//! shrinkage blue `rgb(c,c,255)` with `c = 100 + 150 · (max − |Δ|) / max` (floored), so the largest
//! change is the most saturated (`c = 100`).

use super::{ColorBy, FlameView, ViewKind, XUnit, frame_colors_by};
use bigflame_model::diff::{Measure, ProfileDiff};
use bigflame_model::{CallTree, EventId, Profile, ThreadId};
use bigflame_render::colors;

/// The background behind a diff flame graph: FlameGraph's `#eeeeee`, a shade darker than the
/// near-white of unchanged spans, which would otherwise vanish into the usual background.
pub const DIFF_BACKGROUND: u32 = colors::rgb(238, 238, 238);

/// The colour of a change `delta` when the largest change in the view is `max_abs` (see the
/// module docs): red when it grew, blue when it shrank, near-white when unchanged.
pub fn diff_color(delta: f64, max_abs: f64) -> u32 {
    if delta == 0.0 || !delta.is_finite() || max_abs.is_nan() || max_abs <= 0.0 {
        return colors::rgb(250, 250, 250);
    }
    let rest = ((max_abs - delta.abs()) / max_abs).clamp(0.0, 1.0);
    let c = (100.0 + (150.0 * rest).floor()) as u8;
    if delta > 0.0 {
        colors::rgb(255, c, c)
    } else {
        colors::rgb(c, c, 255)
    }
}

/// One colour per change, scaled by the largest absolute change.
pub fn colors_for_changes(changes: &[f64]) -> Vec<u32> {
    let max = changes
        .iter()
        .filter(|d| d.is_finite())
        .fold(0.0f64, |m, d| m.max(d.abs()));
    changes.iter().map(|&d| diff_color(d, max)).collect()
}

/// A Left Heavy view of the AFTER profile with per-node diff colours.
pub struct DiffView {
    /// The view (frame colours as usual, for anything that ignores node colours).
    pub view: FlameView,
    /// `diff_color` of each node.
    pub node_colors: Vec<u32>,
}

impl DiffView {
    /// The AFTER side (`after`, `event`, `threads`) laid out Left Heavy and coloured by `diff`.
    pub fn new(
        after: &Profile,
        event: EventId,
        threads: &[ThreadId],
        diff: &ProfileDiff,
        measure: Measure,
        normalize: bool,
    ) -> Self {
        let tree = CallTree::build(after, event, threads);
        let changes = diff.tree_changes(after, &tree, measure, normalize);
        let node_colors = colors_for_changes(&changes);
        let view = FlameView {
            kind: ViewKind::LeftHeavy,
            threads: threads.to_vec(),
            x_unit: XUnit::Weight,
            index: bigflame_layout::call_tree_layout(&tree),
            frame_colors: frame_colors_by(after, ColorBy::Name),
        };
        Self { view, node_colors }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::{Camera, FlameScene, SceneOptions, build_scene};
    use bigflame_model::diff::Side;
    use bigflame_model::{Frame, ProfileBuilder, ProfileMeta, StackId, ThreadKey, WeightUnit};

    /// Expected values: inferno-flamegraph's fills for `inferno-diff-folded` of
    /// `m;a 3, m;b 1` → `m;a 2, m;b 5, m;c 1` (self changes -1, +4, +1, max 4):
    /// a `rgb(212,212,255)`, b `rgb(255,100,100)`, c `rgb(255,212,212)`, m `rgb(250,250,250)`.
    #[test]
    fn colours_match_flamegraph_differentials() {
        assert_eq!(diff_color(-1.0, 4.0), colors::rgb(212, 212, 255));
        assert_eq!(diff_color(4.0, 4.0), colors::rgb(255, 100, 100));
        assert_eq!(diff_color(1.0, 4.0), colors::rgb(255, 212, 212));
        assert_eq!(diff_color(0.0, 4.0), colors::rgb(250, 250, 250));
        assert_eq!(diff_color(1.0, 0.0), colors::rgb(250, 250, 250));
        assert_eq!(diff_color(f64::NAN, 1.0), colors::rgb(250, 250, 250));
    }

    fn build(samples: &[(&str, f64)]) -> Profile {
        let mut b = ProfileBuilder::new();
        let ev = b.event("samples", WeightUnit::Samples);
        let name = b.intern("t");
        let th = b.thread(ThreadKey {
            pid: None,
            tid: None,
            name,
        });
        for &(stack, w) in samples {
            let mut s = StackId::EMPTY;
            for n in stack.split(';') {
                let n = b.intern(n);
                let f = b.frame(Frame::named(n));
                s = b.stack(s, f);
            }
            b.sample(th, ev, None, s, w);
        }
        b.finish(ProfileMeta::default())
    }

    #[test]
    fn the_scene_paints_each_node_by_its_change() {
        let before = build(&[("m;a", 3.0), ("m;b", 1.0)]);
        let after = build(&[("m;a", 2.0), ("m;b", 5.0), ("m;c", 1.0)]);
        let threads = [ThreadId(0)];
        let side = |p| Side {
            profile: p,
            event: EventId(0),
            threads: &threads,
        };
        let diff = ProfileDiff::build(side(&before), side(&after));
        let dv = DiffView::new(
            &after,
            EventId(0),
            &threads,
            &diff,
            Measure::SelfWeight,
            false,
        );
        let camera = Camera::fit(dv.view.extent());
        let mut opts = SceneOptions::new((800, 100), 1.0);
        opts.node_colors = Some(&dv.node_colors);
        let mut scene = FlameScene::default();
        build_scene(&dv.view, &camera, &opts, &mut scene);
        let by_name: Vec<(&str, u32)> = scene
            .spans
            .iter()
            .zip(&scene.rects)
            .map(|(s, r)| (after.frame_name(s.frame), r.color))
            .collect();
        for (name, want) in [
            ("m", colors::rgb(250, 250, 250)),
            ("a", colors::rgb(212, 212, 255)),
            ("b", colors::rgb(255, 100, 100)),
            ("c", colors::rgb(255, 212, 212)),
        ] {
            assert!(by_name.contains(&(name, want)), "{name}: {by_name:?}");
        }
    }
}
