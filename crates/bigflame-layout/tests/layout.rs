//! Property and work-count tests of the layout indexes against brute force.

use bigflame_layout::synthetic::random_walk_profile;
use bigflame_layout::{Span, SpanIndex, XAxis, call_tree_layout, time_order, time_order_threads};
use bigflame_model::{
    CallTree, EventId, Frame, FrameId, NodeId, Profile, ProfileBuilder, ProfileMeta, StackId,
    ThreadId, ThreadKey, WeightUnit, all_threads,
};
use proptest::prelude::*;
use std::sync::Arc;

/// A reference span: extent and node.
type Ref = (f64, f64, u32);

/// Builds a one-thread profile from (time delta, path, weight) samples; path empty = idle.
fn profile(samples: &[(u64, Vec<u8>, u8)]) -> Profile {
    let mut b = ProfileBuilder::new();
    let name = b.intern("t");
    let t = b.thread(ThreadKey {
        pid: None,
        tid: None,
        name,
    });
    let e = b.event("e", WeightUnit::Samples);
    let frames: Vec<FrameId> = (0..4)
        .map(|i| {
            let n = b.intern(&format!("f{i}"));
            b.frame(Frame::named(n))
        })
        .collect();
    let mut time = 0;
    for (dt, path, w) in samples {
        time += dt;
        let mut s = StackId::EMPTY;
        for &f in path {
            s = b.stack(s, frames[f as usize]);
        }
        b.sample(t, e, Some(time), s, f64::from(*w));
    }
    b.finish(ProfileMeta::default())
}

/// Sample extents computed independently of the crate (order, x0, x1).
fn extents(p: &Profile, axis: XAxis) -> (Vec<usize>, Vec<f64>, Vec<f64>) {
    let c = p.threads[0].samples(EventId(0));
    let n = c.len();
    match axis {
        XAxis::Weight => {
            let mut x = 0.0;
            let (mut a, mut b) = (vec![], vec![]);
            for &w in &c.weight {
                a.push(x);
                x += w;
                b.push(x);
            }
            ((0..n).collect(), a, b)
        }
        XAxis::Intervals { .. } => {
            let t = &c.time_ns;
            let a: Vec<f64> = t.iter().map(|&v| v as f64).collect();
            let b = (0..n)
                .map(|i| {
                    let end = t[i] + c.weight[i] as u64;
                    t.get(i + 1).map_or(end, |&nx| nx.min(end)) as f64
                })
                .collect();
            ((0..n).collect(), a, b)
        }
        XAxis::Time { .. } => {
            let t = &c.time_ns;
            let mut d: Vec<u64> = t
                .windows(2)
                .map(|w| w[1] - w[0])
                .filter(|&d| d > 0)
                .collect();
            d.sort_unstable();
            let cap = d.get(d.len() / 2).copied().unwrap_or(1);
            let a: Vec<f64> = t.iter().map(|&v| v as f64).collect();
            let b = (0..n)
                .map(|i| t.get(i + 1).map_or(t[i] + cap, |&nx| nx.min(t[i] + cap)) as f64)
                .collect();
            ((0..n).collect(), a, b)
        }
    }
}

/// Brute-force Time Order spans per depth.
fn reference(p: &Profile, axis: XAxis) -> Vec<Vec<Ref>> {
    let c = p.threads[0].samples(EventId(0));
    let (order, x0, x1) = extents(p, axis);
    let mut out: Vec<Vec<Ref>> = Vec::new();
    for d in 0..8usize {
        let mut spans: Vec<Ref> = Vec::new();
        let mut prev_node = None;
        for (i, &s) in order.iter().enumerate() {
            let path = p.stacks.path(c.stack[s]);
            let node = (path.len() > d).then(|| {
                let mut cur = c.stack[s];
                while p.stacks.depth(cur) as usize > d {
                    cur = p.stacks.parent(cur);
                }
                cur.0
            });
            match (node, prev_node, spans.last_mut()) {
                (Some(n), Some(pn), Some(last)) if n == pn && x0[i] == last.1 => last.1 = x1[i],
                (Some(n), _, _) => spans.push((x0[i], x1[i], n)),
                _ => {}
            }
            prev_node = node;
        }
        spans.retain(|s| s.1 > s.0);
        out.push(spans);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

fn at(spans: &[Span], d: u32) -> Vec<Span> {
    spans.iter().filter(|s| s.depth == d).copied().collect()
}

fn samples() -> impl Strategy<Value = Vec<(u64, Vec<u8>, u8)>> {
    let path = prop::collection::vec(0u8..3, 0..6);
    prop::collection::vec(
        (prop_oneof![Just(0u64), Just(10), 1u64..40], path, 1u8..4),
        1..120,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn time_order_matches_brute_force(
        recs in samples(),
        axis_kind in 0u8..3,
        lo in 0.0f64..1.0,
        span in 0.01f64..1.2,
        width_px in 1.0f64..400.0,
        min_px in prop_oneof![Just(0.0), 0.5f64..6.0],
    ) {
        let p = profile(&recs);
        let axis = match axis_kind {
            0 => XAxis::Weight,
            1 => XAxis::Time { origin_ns: 0 },
            _ => XAxis::Intervals { origin_ns: 0 },
        };
        let frames: Arc<[FrameId]> = p.stacks.frames().into();
        let idx = time_order(&p, p.threads[0].samples(EventId(0)), axis, frames);
        let want = reference(&p, axis);
        prop_assert_eq!(idx.depth_count() as usize, want.len());
        for (d, w) in want.iter().enumerate() {
            let got: Vec<Ref> = idx.spans(d as u32).iter().map(|s| (s.x0, s.x1, s.node)).collect();
            prop_assert_eq!(&got, w);
        }
        let r = idx.x_range();
        let len = r.end - r.start;
        let vis = r.start + lo * len..r.start + (lo + span) * len;
        check_query(&idx, &want, vis, width_px, min_px)?;
    }

    #[test]
    fn left_heavy_nests_children_by_weight(recs in samples(), min_px in prop_oneof![Just(0.0), 0.5f64..6.0]) {
        let p = profile(&recs);
        let tree = CallTree::build(&p, EventId(0), &all_threads(&p));
        let idx = call_tree_layout(&tree);
        let mut want: Vec<Vec<Ref>> = vec![Vec::new(); tree.depth_count() as usize];
        let mut x = vec![(0.0, 0.0); tree.len()];
        for d in 0..tree.depth_count() {
            for s in idx.spans(d) {
                x[s.node as usize] = (s.x0, s.x1);
                want[d as usize].push((s.x0, s.x1, s.node));
                let n = NodeId(s.node);
                prop_assert_eq!(tree.depth(n), d);
                prop_assert_eq!(s.frame, tree.frame(n));
            }
        }
        let mut root_x = 0.0;
        for i in 0..tree.len() {
            let n = NodeId(i as u32);
            let (x0, x1) = x[i];
            prop_assert!((x1 - x0 - tree.total_weight(n)).abs() < 1e-9);
            let mut cx = x0;
            for &c in tree.children(n) {
                prop_assert!(x[c.index()].0 == cx && x[c.index()].1 <= x1 + 1e-9);
                cx = x[c.index()].1;
            }
            for w in tree.children(n).windows(2) {
                prop_assert!(tree.total_weight(w[0]) >= tree.total_weight(w[1]));
            }
            if tree.parent(n).is_none() {
                prop_assert_eq!(x0, root_x);
                root_x = x1;
            }
        }
        check_query(&idx, &want, 0.0..root_x.max(1.0), 300.0, min_px)?;
    }
}

/// Checks one query against the exact per-depth spans `want`.
fn check_query(
    idx: &SpanIndex,
    want: &[Vec<Ref>],
    vis: std::ops::Range<f64>,
    width_px: f64,
    min_px: f64,
) -> Result<(), TestCaseError> {
    let upp = (vis.end - vis.start) / width_px;
    let w_min = min_px * upp;
    let mut out = Vec::new();
    let stats = idx.query(vis.clone(), 0..u32::MAX, upp, min_px, &mut out);
    prop_assert_eq!(stats.emitted as usize, out.len());
    let visible = |s: &Ref| s.1 > vis.start && s.0 < vis.end;
    // Output spans of the previous depth that were descended into.
    let mut open_above: Vec<(f64, f64)> = vec![(f64::NEG_INFINITY, f64::INFINITY)];
    for (d, w) in want.iter().enumerate() {
        let got = at(&out, d as u32);
        let bound =
            2.0 * (width_px / min_px.max(1e-300)).min(w.len() as f64 + 2.0) + width_px + 8.0;
        prop_assert!(
            (got.len() as f64) <= bound,
            "depth {} emitted {} > {}",
            d,
            got.len(),
            bound
        );
        for pair in got.windows(2) {
            prop_assert!(pair[0].x1 <= pair[1].x0, "overlap at depth {d}: {:?}", pair);
        }
        let mut open_here = Vec::new();
        for g in &got {
            let inside: Vec<&Ref> = w.iter().filter(|s| s.0 >= g.x0 && s.1 <= g.x1).collect();
            prop_assert_eq!(inside.len() as u32, g.folded, "fold count {:?}", g);
            prop_assert!(
                inside.first().is_some_and(|s| s.0 == g.x0)
                    && inside.last().is_some_and(|s| s.1 == g.x1)
            );
            prop_assert_eq!(inside[0].2, g.node);
            for pair in inside.windows(2) {
                prop_assert!(pair[1].0 - pair[0].1 < upp, "merge bridges a gap >= 1 px");
            }
            let same_node = inside.iter().all(|s| s.2 == g.node);
            prop_assert_eq!(g.fold, !same_node, "fold flag means several nodes: {:?}", g);
            if g.x1 - g.x0 >= w_min && same_node {
                open_here.push((g.x0, g.x1));
            } else {
                // A fold: every piece is narrow.
                for s in &inside {
                    prop_assert!(s.1 - s.0 < w_min, "wide span folded: {:?}", g);
                }
            }
        }
        for s in w.iter().filter(|s| visible(s)) {
            let parent_open = open_above.iter().any(|p| p.0 <= s.0 && s.1 <= p.1);
            let covered = got.iter().any(|g| g.x0 <= s.0 && s.1 <= g.x1);
            let touched = got.iter().any(|g| g.x0 < s.1 && s.0 < g.x1);
            if parent_open {
                prop_assert!(covered, "visible span {:?} at depth {} not covered", s, d);
            } else {
                prop_assert!(
                    !touched,
                    "descended into a narrow parent: {:?} at depth {}",
                    s,
                    d
                );
            }
            if min_px == 0.0 {
                prop_assert!(
                    got.iter()
                        .any(|g| (g.x0, g.x1, g.node, g.folded) == (s.0, s.1, s.2, 1))
                );
            }
        }
        if min_px == 0.0 {
            prop_assert_eq!(got.len(), w.iter().filter(|s| visible(s)).count());
        }
        open_above = open_here;
    }
    Ok(())
}

fn touched(idx: &SpanIndex, zoom: f64, at_frac: f64) -> (u64, usize) {
    let r = idx.x_range();
    let w = (r.end - r.start) / zoom;
    let start = r.start + (r.end - r.start - w) * at_frac;
    let mut out = Vec::new();
    let s = idx.query(start..start + w, 0..u32::MAX, w / 1920.0, 2.0, &mut out);
    (s.touched, out.len())
}

#[test]
fn query_work_does_not_grow_with_profile_size() {
    let small = random_walk_profile(10_000, 500, 64, 7);
    let big = random_walk_profile(1_000_000, 500, 64, 7);
    let axis = XAxis::Time { origin_ns: 0 };
    let s = time_order_threads(&small, EventId(0), &[ThreadId(0)], axis)
        .pop()
        .unwrap_or_default();
    let b = time_order_threads(&big, EventId(0), &[ThreadId(0)], axis)
        .pop()
        .unwrap_or_default();
    assert!(b.span_count() > 50 * s.span_count());
    for (zoom, frac) in [(1.0, 0.0), (4.0, 0.5), (20.0, 0.3)] {
        let (ts, os) = touched(&s, zoom, frac);
        let (tb, ob) = touched(&b, zoom, frac);
        eprintln!(
            "zoom {zoom}: 10k samples touched {ts} (out {os}), 1M samples touched {tb} (out {ob})"
        );
        assert!(ob <= 128 * 1930, "output bounded by width × rows");
        assert!(ob >= 50 && os >= 50, "the viewport shows real structure");
        // 100× more samples: a log factor more work (deeper pyramids), never 100×.
        assert!(tb <= 4 * ts.max(1000), "zoom {zoom}: {tb} vs {ts}");
        assert!(
            tb <= 64 * ob as u64,
            "zoom {zoom}: {tb} entries for {ob} spans"
        );
    }
    // A 1e4× zoom into the big profile touches about what a full view of the small one does.
    let (tz, _) = touched(&b, 1e4, 0.5);
    assert!(tz <= 4 * touched(&s, 1.0, 0.0).0.max(1000));
}

/// `a` for one sample, then `b;c` for 3000 samples with every third sample idle: at 100 px, `b` is
/// one wide (merged) span and `c` below it is visible, although each piece is sub-pixel and a narrow
/// span (`a`) comes first.
#[test]
fn a_function_split_by_idle_samples_is_not_folded_away() {
    let mut recs: Vec<(u64, Vec<u8>, u8)> = vec![(1, vec![0], 1)];
    for i in 0..3000 {
        recs.push((1, if i % 3 == 2 { vec![] } else { vec![1, 2] }, 1));
    }
    let p = profile(&recs);
    let frames: Arc<[FrameId]> = p.stacks.frames().into();
    let idx = time_order(&p, p.threads[0].samples(EventId(0)), XAxis::Weight, frames);
    assert_eq!(idx.spans(0).len(), 1001);
    let r = idx.x_range();
    let mut out = Vec::new();
    idx.query(r.clone(), 0..9, (r.end - r.start) / 100.0, 2.0, &mut out);
    let b: Vec<&Span> = out
        .iter()
        .filter(|s| s.depth == 0 && s.folded > 1)
        .collect();
    assert_eq!(b.len(), 1, "{out:?}");
    assert_eq!(p.frame_name(b[0].frame), "f1");
    assert_eq!(b[0].folded, 1000);
    assert!(!b[0].fold, "pieces of one function are not a fold");
    assert!(
        out.iter()
            .any(|s| s.depth == 1 && p.frame_name(s.frame) == "f2" && s.folded == 1000)
    );
    assert!(out.len() <= 4, "{out:?}");
}
