//! Time Order (flame chart) indexes: samples in time order, identical consecutive prefixes merged.
//!
//! Two x axes. [`XAxis::Weight`]: sample `i` covers `[Σ w(<i), Σ w(≤i))`, as speedscope lays out
//! sampled profiles; every sample touches the next. [`XAxis::Time`]: sample `i` starts at its
//! timestamp and lasts until the next sample, but at most the thread's median sampling interval, so a
//! thread that slept shows a gap instead of a long fake span. Samples are stably sorted by time first
//! when the input is not already sorted.
//!
//! Build: one pass over samples keeps the open span of every depth; for each sample, walking up from its
//! stack to the deepest still-open node gives the common prefix with the previous sample (when the two
//! touch), so only the spans that change are closed and opened. Cost O(samples + spans), not
//! O(samples × depth); memory 16 bytes per sample (atom extents) + 16 bytes per span (first, last, node,
//! run end) + ~2 bytes per span of pyramid. Threads are built in parallel with rayon
//! ([`time_order_threads`]).

use crate::index::{Level, SpanIndex};
use bigflame_model::{EventId, FrameId, Profile, SampleColumns, StackId, ThreadId};
use std::sync::Arc;

/// What the x axis of a Time Order view measures.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum XAxis {
    /// Cumulative sample weight (works without timestamps).
    Weight,
    /// Nanoseconds since `origin_ns` (use the profile-wide minimum so thread lanes line up). Falls back
    /// to [`XAxis::Weight`] for samples without timestamps.
    Time {
        /// The timestamp shown at x = 0.
        origin_ns: u64,
    },
    /// Like [`XAxis::Time`], but each sample's weight is its duration in nanoseconds (profiles made
    /// from begin/end events, or time-weighted samples): sample `i` covers `[t_i, min(t_i + w_i,
    /// t_{i+1})]`, so a long call stays long however few samples it has.
    Intervals {
        /// The timestamp shown at x = 0.
        origin_ns: u64,
    },
}

/// One Time Order index per thread, built in parallel; node ids are stack ids.
pub fn time_order_threads(
    profile: &Profile,
    event: EventId,
    threads: &[ThreadId],
    axis: XAxis,
) -> Vec<SpanIndex> {
    use rayon::prelude::*;
    let frames: Arc<[FrameId]> = profile.stacks.frames().into();
    threads
        .par_iter()
        .map(|&t| match profile.threads.get(t.index()) {
            Some(th) => time_order(profile, th.samples(event), axis, frames.clone()),
            None => SpanIndex::default(),
        })
        .collect()
}

/// The Time Order index of one sample column set. `stack_frames` is `profile.stacks.frames()` shared.
pub fn time_order(
    profile: &Profile,
    cols: &SampleColumns,
    axis: XAxis,
    stack_frames: Arc<[FrameId]>,
) -> SpanIndex {
    let n = cols.len();
    let clean = |w: f64| if w > 0.0 { w } else { 0.0 };
    let (order, x0, x1): (Vec<u32>, Vec<f64>, Vec<f64>) = match axis {
        XAxis::Time { origin_ns } | XAxis::Intervals { origin_ns } if cols.has_time() => {
            let durations = matches!(axis, XAxis::Intervals { .. });
            let t = &cols.time_ns;
            let mut order: Vec<u32> = (0..n as u32).collect();
            if t.windows(2).any(|w| w[1] < w[0]) {
                order.sort_by_key(|&i| t[i as usize]);
            }
            let ts: Vec<u64> = order.iter().map(|&i| t[i as usize]).collect();
            let mut deltas: Vec<u64> = ts
                .windows(2)
                .map(|w| w[1] - w[0])
                .filter(|&d| d > 0)
                .collect();
            let cap = if deltas.is_empty() {
                1
            } else {
                let mid = deltas.len() / 2;
                *deltas.select_nth_unstable(mid).1
            };
            let rel = |v: u64| (i128::from(v) - i128::from(origin_ns)) as f64;
            let x0: Vec<f64> = ts.iter().map(|&v| rel(v)).collect();
            let x1: Vec<f64> = (0..n)
                .map(|i| {
                    let len = if durations {
                        let w = cols.weight[order[i] as usize];
                        if w.is_finite() && w > 0.0 {
                            w as u64
                        } else {
                            0
                        }
                    } else {
                        cap
                    };
                    let end = ts.get(i + 1).map_or(ts[i].saturating_add(len), |&next| {
                        next.min(ts[i].saturating_add(len))
                    });
                    rel(end)
                })
                .collect();
            (order, x0, x1)
        }
        _ => {
            let mut x0 = Vec::with_capacity(n);
            let mut x1 = Vec::with_capacity(n);
            let mut cum = 0.0;
            for &w in &cols.weight {
                x0.push(cum);
                cum += clean(w);
                x1.push(cum);
            }
            ((0..n as u32).collect(), x0, x1)
        }
    };
    let stacks = &profile.stacks;
    let mut levels: Vec<Level> = Vec::new();
    // open[d] = (first atom, node) of the open span at depth d.
    let mut open: Vec<(u32, StackId)> = Vec::new();
    let mut fresh: Vec<StackId> = Vec::new();
    let close_to =
        |open: &mut Vec<(u32, StackId)>, levels: &mut Vec<Level>, keep: usize, last: u32| {
            while open.len() > keep {
                let d = open.len() - 1;
                let Some((first, node)) = open.pop() else {
                    break;
                };
                // A span of zero width is invisible; its children are zero width too.
                if x1[last as usize] > x0[first as usize] {
                    if levels.len() <= d {
                        levels.resize_with(d + 1, Level::default);
                    }
                    let l = &mut levels[d];
                    l.first.push(first);
                    l.last.push(last);
                    l.node.push(node.0);
                }
            }
        };
    for (i, &src) in order.iter().enumerate() {
        let s = cols.stack[src as usize];
        let atom = i as u32;
        let touches = i > 0 && x0[i] == x1[i - 1];
        if s.is_empty() || s.index() >= stacks.len() || !touches {
            close_to(&mut open, &mut levels, 0, atom.saturating_sub(1));
            if s.is_empty() || s.index() >= stacks.len() {
                continue;
            }
        }
        // Walk up from s to the deepest node that is still open.
        fresh.clear();
        let mut cur = s;
        let keep = loop {
            if cur.is_empty() {
                break 0;
            }
            let d = stacks.depth(cur) as usize;
            if open.get(d).is_some_and(|o| o.1 == cur) {
                break d + 1;
            }
            fresh.push(cur);
            cur = stacks.parent(cur);
        };
        close_to(&mut open, &mut levels, keep, atom.saturating_sub(1));
        open.extend(fresh.iter().rev().map(|&node| (atom, node)));
    }
    close_to(&mut open, &mut levels, 0, (n as u32).saturating_sub(1));
    SpanIndex {
        atom_x0: x0,
        atom_x1: x1,
        levels,
        node_frames: stack_frames,
        extent: (0.0, 0.0),
    }
    .finish()
}
