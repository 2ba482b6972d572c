//! In-memory ingest without barriers: workers parse chunks in input order of claiming and whoever
//! finishes merges every chunk that is ready, in input order.
//!
//! Why not waves: parsing a few chunks at a time with a merge beside them (what streams still do,
//! see `stream.rs`) leaves a core idle at the end of every wave, while the other finishes its last
//! chunk, and runs the last wave's merge alone; on 2 cores and a 1 GB input that was 16 barriers.
//! Here each worker claims the next chunk as soon as it is free, so the cores stay busy until the
//! input runs out.
//!
//! Invariants (kept by [`in_order`], the pipeline this shares with the speedscope importer):
//! chunks are merged strictly in input order, so the profile is identical for any number of
//! threads; at most [`window`] chunks are parsed ahead of the merge, so memory stays bounded by the
//! model plus a few chunks' builders (a worker that would run further ahead waits).

use super::{Engine, Merger};
use crate::ordered::in_order;
use std::convert::Infallible;
use std::ops::Range;

/// How many chunks may be parsed ahead of the merge.
fn window(threads: usize) -> usize {
    4 * threads.max(1)
}

/// Parses `ranges` of `data` with `threads` workers on the current rayon pool and merges them into
/// `merger` in input order.
pub(crate) fn parse_and_merge(
    engine: &Engine<'_, '_>,
    data: &[u8],
    ranges: &[Range<usize>],
    merger: &mut Merger,
    threads: usize,
) {
    let n = ranges.len();
    let merged: Result<(), Infallible> = in_order(
        n,
        threads,
        window(threads),
        |i| engine.parse_one(data, 0, ranges[i].clone()),
        |i, b| {
            if i + 1 == n {
                merger.snapshot = None; // the final profile follows at once
            }
            merger.merge(Some(vec![b]), data, 0, false);
            Ok(())
        },
    );
    let Ok(()) = merged;
}
