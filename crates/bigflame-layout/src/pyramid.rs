//! A B-ary max pyramid over the spans of one depth, for skipping runs of narrow spans.
//!
//! Why: zoomed out, one pixel can hold a million narrow spans. Folding them into one folded span must
//! not visit each of them, so the query asks "what is the first span at index ≥ i that is wide
//! (width ≥ `w_min`) or that starts after a gap ≥ `g_min`?" (or, to join the pieces of one frame split
//! by sub-pixel gaps, "... whose node differs from the previous span's?"). Each summary entry stores
//! the maximum width, the maximum leading gap and a node-change flag of `B` entries of the level
//! below; the search climbs while the
//! summaries say "nothing here", then descends into the first entry that qualifies: O(B · log_B n)
//! entries touched, whatever the distance skipped.
//!
//! Memory: `32 / (B - 1)` bytes per span (about 2 bytes with `B = 16`). Maxima are exact (`f64`), so
//! the summaries never disagree with the leaves.

/// Fan-out of the pyramid. 16 keeps a summary group in two cache lines and the tree 5 levels tall for
/// 1M spans.
pub const FANOUT: usize = 16;

/// Maximum width and maximum leading gap over a block of spans.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Summary {
    pub width: f64,
    pub gap: f64,
    /// Some span in the block has a node different from the span before it.
    pub node_change: bool,
    /// Maximum extent of a same-node run (gaps included) that starts in the block.
    pub run_width: f64,
}

impl Summary {
    fn max(self, o: Summary) -> Summary {
        Summary {
            width: self.width.max(o.width),
            gap: self.gap.max(o.gap),
            node_change: self.node_change || o.node_change,
            run_width: self.run_width.max(o.run_width),
        }
    }
}

/// Summary levels; `levels[0]` summarises `FANOUT` leaves per entry, `levels[l]` `FANOUT` entries of
/// `levels[l - 1]`. The top level has at most `FANOUT` entries.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pyramid {
    leaves: usize,
    levels: Vec<Vec<Summary>>,
}

impl Pyramid {
    /// Builds over `n` leaves; `leaf(k)` is the (width, leading gap) of leaf `k`.
    pub fn build(n: usize, leaf: impl Fn(usize) -> Summary) -> Self {
        let mut levels: Vec<Vec<Summary>> = Vec::new();
        let mut len = n;
        while len > FANOUT {
            let below = levels.last();
            let next: Vec<Summary> = (0..len.div_ceil(FANOUT))
                .map(|b| {
                    let range = b * FANOUT..((b + 1) * FANOUT).min(len);
                    range.fold(Summary::default(), |acc, k| {
                        acc.max(match below {
                            None => leaf(k),
                            Some(v) => v[k],
                        })
                    })
                })
                .collect();
            len = next.len();
            levels.push(next);
        }
        Pyramid { leaves: n, levels }
    }

    /// Bytes used by the summaries.
    pub fn memory_bytes(&self) -> usize {
        self.levels
            .iter()
            .map(|l| l.len() * size_of::<Summary>())
            .sum()
    }

    fn len_at(&self, level: usize) -> usize {
        if level == 0 {
            self.leaves
        } else {
            self.levels[level - 1].len()
        }
    }

    /// The first leaf `k >= from` with `leaf_qualifies(k)`, or the leaf count if none.
    /// `summary_qualifies` must be true for a block whenever a leaf in it qualifies.
    pub fn first_break(
        &self,
        from: usize,
        summary_qualifies: impl Fn(&Summary) -> bool,
        mut leaf_qualifies: impl FnMut(usize) -> bool,
        touched: &mut u64,
    ) -> usize {
        let n = self.leaves;
        let mut qual = |level: usize, p: usize, touched: &mut u64| -> bool {
            *touched += 1;
            if level == 0 {
                leaf_qualifies(p)
            } else {
                summary_qualifies(&self.levels[level - 1][p])
            }
        };
        let top = self.levels.len();
        let (mut level, mut p) = (0, from);
        let found = loop {
            let len = self.len_at(level);
            let group_end = if level == top {
                len
            } else {
                ((p / FANOUT + 1) * FANOUT).min(len)
            };
            while p < group_end {
                if qual(level, p, touched) {
                    break;
                }
                p += 1;
            }
            if p < group_end {
                break Some((level, p));
            }
            if p >= len || level == top {
                break None;
            }
            level += 1;
            p /= FANOUT;
        };
        let Some((mut level, mut p)) = found else {
            return n;
        };
        while level > 0 {
            level -= 1;
            let start = p * FANOUT;
            let end = (start + FANOUT).min(self.len_at(level));
            p = (start..end)
                .find(|&q| qual(level, q, touched))
                .unwrap_or(end);
        }
        p.min(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_same_break_as_a_scan() {
        let widths: Vec<f64> = (0..5000).map(|i| ((i * 7919) % 1000) as f64).collect();
        let leaf = |k: usize| Summary {
            width: widths[k],
            gap: 0.0,
            node_change: false,
            run_width: 0.0,
        };
        let p = Pyramid::build(widths.len(), leaf);
        for w_min in [0.0, 500.0, 990.0, 999.0, 1000.0] {
            for from in [0, 1, 15, 16, 17, 255, 256, 4095, 4999, 5000] {
                let mut touched = 0;
                let got = p.first_break(
                    from,
                    |s| s.width >= w_min,
                    |k| widths[k] >= w_min,
                    &mut touched,
                );
                let want = (from..widths.len())
                    .find(|&k| widths[k] >= w_min)
                    .unwrap_or(widths.len());
                assert_eq!(got, want, "w_min {w_min} from {from}");
                assert!(touched <= 2 * (FANOUT as u64) * 5, "touched {touched}");
            }
        }
    }
}
