//! The span index shared by every view, and the per-frame visible-span query.
//!
//! Layout: *atoms* are the smallest laid-out units (samples for Time Order, call-tree nodes for Left
//! Heavy) with an extent `[x0, x1)` each. A *span* at depth `d` is a run of atoms `first..=last` that
//! share one node at depth `d`; its extent is `[x0(first), x1(last))`. Spans of one depth are stored in
//! x order, never overlap, and nest inside a span of depth `d - 1`.
//!
//! Query, depth by depth from the root: only the x-ranges of *wide* spans emitted at depth `d - 1`
//! (clipped to the viewport) are searched at depth `d`, so culled, narrow and folded spans are never
//! descended into. Within a range, two binary searches find the visible spans. From each span the
//! [`Pyramid`] finds, in O(log n), the run of spans of the *same node* separated by gaps < 1 px (one
//! function split by sleeps or idle samples): if the run is at least `min_width_px` wide it is emitted
//! as that node (`folded` = its pieces) and descended into. Otherwise the span starts a fold that the
//! pyramid extends to the next wide span, the next gap ≥ 1 px or the head of a same-node run that is
//! wide as a whole (one function split by idle samples); folds carry their first span's frame
//! and are not descended into. Every emitted span is wide, or a fold followed by a wide span or a
//! ≥ 1 px gap, so the output per depth is O(width_px) and the entries touched O(output · log n),
//! independent of the number of samples. With `min_width_px = 0` nothing is merged.

use crate::pyramid::{Pyramid, Summary};
use crate::{QueryStats, Span};
use bigflame_model::FrameId;
use std::ops::Range;
use std::sync::Arc;

/// The spans of one depth as atom ranges.
#[derive(Clone, Debug, Default)]
pub(crate) struct Level {
    pub first: Vec<u32>,
    pub last: Vec<u32>,
    pub node: Vec<u32>,
    /// Index of the last span of the maximal same-node run containing each span (gaps ignored).
    pub run_last: Vec<u32>,
    pub pyramid: Pyramid,
}

/// Per-depth span arrays over atoms, with the pyramids used for folding.
#[derive(Clone, Debug, Default)]
pub struct SpanIndex {
    pub(crate) atom_x0: Vec<f64>,
    pub(crate) atom_x1: Vec<f64>,
    pub(crate) levels: Vec<Level>,
    /// Frame of each node id (stack id or call-tree node id), shared between indexes.
    pub(crate) node_frames: Arc<[FrameId]>,
    /// `[min x0, max x1)` over all atoms, computed by [`SpanIndex::finish`].
    pub(crate) extent: (f64, f64),
}

impl SpanIndex {
    /// Builds the pyramids once the levels are filled (in parallel across depths).
    pub(crate) fn finish(mut self) -> Self {
        use rayon::prelude::*;
        let lo = self.atom_x0.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = self
            .atom_x1
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        self.extent = if lo <= hi { (lo, hi) } else { (0.0, 0.0) };
        let (x0, x1) = (&self.atom_x0, &self.atom_x1);
        self.levels.par_iter_mut().for_each(|lvl| {
            let n = lvl.node.len();
            let mut run_last = vec![0u32; n];
            for k in (0..n).rev() {
                run_last[k] = if k + 1 < n && lvl.node[k + 1] == lvl.node[k] {
                    run_last[k + 1]
                } else {
                    k as u32
                };
            }
            lvl.run_last = run_last;
            let (first, last) = (&lvl.first, &lvl.last);
            let (lvl_node, run_last) = (&lvl.node, &lvl.run_last);
            lvl.pyramid = Pyramid::build(first.len(), |k| Summary {
                width: x1[last[k] as usize] - x0[first[k] as usize],
                gap: if k == 0 {
                    0.0
                } else {
                    x0[first[k] as usize] - x1[last[k - 1] as usize]
                },
                node_change: k > 0 && lvl_node[k] != lvl_node[k - 1],
                run_width: if k == 0 || lvl_node[k] != lvl_node[k - 1] {
                    x1[last[run_last[k] as usize] as usize] - x0[first[k] as usize]
                } else {
                    0.0
                },
            });
        });
        self
    }

    #[inline]
    fn x0(&self, lvl: &Level, k: usize) -> f64 {
        self.atom_x0[lvl.first[k] as usize]
    }

    #[inline]
    fn x1(&self, lvl: &Level, k: usize) -> f64 {
        self.atom_x1[lvl.last[k] as usize]
    }

    /// Number of depths (rows).
    pub fn depth_count(&self) -> u32 {
        self.levels.len() as u32
    }

    /// Number of spans over all depths.
    pub fn span_count(&self) -> usize {
        self.levels.iter().map(|l| l.first.len()).sum()
    }

    /// Number of spans at one depth.
    pub fn spans_at(&self, depth: u32) -> usize {
        self.levels.get(depth as usize).map_or(0, |l| l.first.len())
    }

    /// `[min x0, max x1)` over all atoms, `0..0` when empty.
    pub fn x_range(&self) -> Range<f64> {
        self.extent.0..self.extent.1
    }

    /// Heap bytes of the index (the shared node→frame table excluded).
    pub fn memory_bytes(&self) -> usize {
        let atoms = (self.atom_x0.capacity() + self.atom_x1.capacity()) * 8;
        let spans: usize = self
            .levels
            .iter()
            .map(|l| {
                (l.first.capacity() + l.last.capacity() + l.node.capacity() + l.run_last.capacity())
                    * 4
                    + l.pyramid.memory_bytes()
            })
            .sum();
        atoms + spans
    }

    fn span(
        &self,
        lvl: &Level,
        depth: u32,
        k: usize,
        last: usize,
        folded: u32,
        fold: bool,
    ) -> Span {
        let node = lvl.node[k];
        Span {
            x0: self.x0(lvl, k),
            x1: self.x1(lvl, last),
            depth,
            frame: self
                .node_frames
                .get(node as usize)
                .copied()
                .unwrap_or_default(),
            node,
            folded,
            fold,
        }
    }

    /// The unmerged span under `x` at `depth`, for hovering and clicking.
    pub fn hit(&self, x: f64, depth: u32) -> Option<Span> {
        let lvl = self.levels.get(depth as usize)?;
        let k = lvl
            .first
            .partition_point(|&a| self.atom_x0[a as usize] <= x)
            .checked_sub(1)?;
        (x < self.x1(lvl, k)).then(|| self.span(lvl, depth, k, k, 1, false))
    }

    /// All spans at one depth, unmerged (for tests and exports; O(spans at that depth)).
    pub fn spans(&self, depth: u32) -> Vec<Span> {
        let Some(lvl) = self.levels.get(depth as usize) else {
            return Vec::new();
        };
        (0..lvl.first.len())
            .map(|k| self.span(lvl, depth, k, k, 1, false))
            .collect()
    }

    /// Appends to `out` the spans visible in `visible` (view units) at depths `depth_rows`, folding
    /// runs of spans narrower than `min_width_px` (and gaps under 1 px between them) into one span.
    /// `units_per_px` is the view units covered by one pixel. `min_width_px = 0` returns exact spans.
    /// Spans come out depth by depth, in x order within a depth, with their true (unclipped) extents.
    /// Depths above `depth_rows.start` are walked but not emitted, so what is folded does not depend on
    /// the vertical scroll position.
    pub fn query(
        &self,
        visible: Range<f64>,
        depth_rows: Range<u32>,
        units_per_px: f64,
        min_width_px: f64,
        out: &mut Vec<Span>,
    ) -> QueryStats {
        let mut stats = QueryStats::default();
        let positive = units_per_px > 0.0 && units_per_px.is_finite();
        let w_min = if positive && min_width_px > 0.0 {
            min_width_px * units_per_px
        } else {
            0.0
        };
        let g_min = if positive {
            units_per_px
        } else {
            f64::INFINITY
        };
        let mut ranges: Vec<(f64, f64)> = Vec::new();
        if visible.start < visible.end {
            ranges.push((visible.start, visible.end));
        }
        let mut next: Vec<(f64, f64)> = Vec::new();
        let depth_end = (depth_rows.end as usize).min(self.levels.len());
        for (d, lvl) in self.levels[..depth_end].iter().enumerate() {
            if ranges.is_empty() {
                break;
            }
            let depth = d as u32;
            let emit = depth >= depth_rows.start;
            let n = lvl.first.len();
            next.clear();
            for &(a, b) in &ranges {
                let mut i = self.search(0, n, |k| self.x1(lvl, k) <= a, &mut stats);
                let end = self.search(i, n, |k| self.x0(lvl, k) < b, &mut stats);
                while i < end {
                    stats.touched += 1;
                    // Pieces of one node split by sub-pixel gaps (sleeps, idle samples) form a run.
                    let run = if w_min <= 0.0 {
                        i + 1
                    } else {
                        lvl.pyramid.first_break(
                            i + 1,
                            |s| s.node_change || s.gap >= g_min,
                            |k| {
                                lvl.node[k] != lvl.node[k - 1]
                                    || self.x0(lvl, k) - self.x1(lvl, k - 1) >= g_min
                            },
                            &mut stats.touched,
                        )
                    }
                    .min(end);
                    let (x0, x1) = (self.x0(lvl, i), self.x1(lvl, run - 1));
                    let wide = x1 - x0 >= w_min;
                    let j = if wide {
                        // Wide: drawn as the node itself and descended into.
                        let (c0, c1) = (x0.max(a), x1.min(b));
                        // Only exactly touching ranges merge: a narrow span in a gap stays undescended.
                        match next.last_mut() {
                            Some(prev) if c0 <= prev.1 => prev.1 = prev.1.max(c1),
                            _ => next.push((c0, c1)),
                        }
                        run
                    } else {
                        // Narrow: fold with the following narrow spans up to a wide one, a 1 px gap, or
                        // the head of a same-node run that is wide as a whole (split by idle samples).
                        lvl.pyramid
                            .first_break(
                                i + 1,
                                |s| s.width >= w_min || s.gap >= g_min || s.run_width >= w_min,
                                |k| {
                                    let (k0, k1) = (self.x0(lvl, k), self.x1(lvl, k));
                                    let head = lvl.node[k] != lvl.node[k - 1];
                                    k1 - k0 >= w_min
                                        || k0 - self.x1(lvl, k - 1) >= g_min
                                        || (head
                                            && self.x1(lvl, lvl.run_last[k] as usize) - k0 >= w_min)
                                },
                                &mut stats.touched,
                            )
                            .min(end)
                    };
                    if emit {
                        let folded = u32::try_from(j - i).unwrap_or(u32::MAX);
                        // A narrow run of one node (pieces split by sub-pixel gaps) is not a fold:
                        // it is one when the same-node run starting at `i` ends before `j - 1`.
                        let fold = !wide && (lvl.run_last[i] as usize) < j - 1;
                        out.push(self.span(lvl, depth, i, j - 1, folded, fold));
                        stats.emitted += 1;
                    }
                    i = j;
                }
            }
            std::mem::swap(&mut ranges, &mut next);
        }
        stats
    }

    /// `partition_point` over `lo..hi` counting the probes.
    fn search(
        &self,
        mut lo: usize,
        mut hi: usize,
        pred: impl Fn(usize) -> bool,
        stats: &mut QueryStats,
    ) -> usize {
        while lo < hi {
            stats.touched += 1;
            let mid = lo + (hi - lo) / 2;
            if pred(mid) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
}
