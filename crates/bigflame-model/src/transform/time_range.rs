//! Time-range selection: the profile restricted to what happened between two instants, so Left
//! Heavy, Sandwich, the function table, `top` and `collapse` re-aggregate that range only (what
//! speedscope does when a range is selected in the time-order view).
//!
//! The rule, per sample column (one thread, one event):
//! * **with timestamps**: a sample is kept when `start_ns <= time_ns < end_ns` (profile clock,
//!   absolute nanoseconds); its weight is kept whole, since a sample is an instant;
//! * **without timestamps** (folded stacks, pprof...), the column is laid out by cumulative weight
//!   from 0, as the Time Order view draws it: sample `i` covers `[w_0 + ... + w_{i-1}, ... + w_i)`.
//!   The bounds are then read in the event's weight unit, and each sample keeps the part of its
//!   weight that overlaps the range, so the selection's total weight is exactly the width of the
//!   range (clipped to the column's extent).
//!
//! Samples keep their stacks; the stack table is then compacted to the stacks still used.

use super::rewrite::{compact, remap_threads};
use crate::ids::StackId;
use crate::profile::{Profile, SampleColumns, Thread};

/// `profile` restricted to `start..end` (see the module docs).
pub(super) fn time_range(profile: &Profile, start_ns: u64, end_ns: u64) -> Profile {
    let mut threads: Vec<Thread> = profile
        .threads
        .iter()
        .map(|t| Thread {
            samples: t
                .samples
                .iter()
                .map(|cols| {
                    if cols.has_time() {
                        by_time(cols, start_ns, end_ns)
                    } else {
                        by_weight(cols, start_ns as f64, end_ns as f64)
                    }
                })
                .collect(),
            ..*t
        })
        .collect();
    let (stacks, map) = compact(&profile.stacks, &threads);
    remap_threads(&mut threads, &map, StackId::EMPTY);
    Profile {
        meta: profile.meta.clone(),
        strings: profile.strings.clone(),
        frames: profile.frames.clone(),
        stacks,
        events: profile.events.clone(),
        threads,
    }
}

fn by_time(cols: &SampleColumns, start: u64, end: u64) -> SampleColumns {
    let mut out = SampleColumns::default();
    for i in 0..cols.len() {
        let t = cols.time_ns[i];
        if t >= start && t < end {
            out.push(Some(t), cols.stack[i], cols.weight[i]);
        }
    }
    out
}

fn by_weight(cols: &SampleColumns, start: f64, end: f64) -> SampleColumns {
    let mut out = SampleColumns::default();
    let mut x = 0.0;
    for (&stack, &w) in cols.stack.iter().zip(&cols.weight) {
        let (a, b) = (x, x + w.max(0.0));
        x = b;
        let overlap = b.min(end) - a.max(start);
        if overlap > 0.0 {
            out.push(None, stack, overlap);
        }
        if a >= end {
            break;
        }
    }
    out
}
