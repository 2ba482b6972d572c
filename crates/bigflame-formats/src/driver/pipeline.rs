//! In-memory ingest without barriers: workers parse chunks in input order of claiming and whoever
//! finishes merges every chunk that is ready, in input order.
//!
//! Why not waves: parsing a few chunks at a time with a merge beside them (what streams still do,
//! see `stream.rs`) leaves a core idle at the end of every wave, while the other finishes its last
//! chunk, and runs the last wave's merge alone; on 2 cores and a 1 GB input that was 16 barriers.
//! Here each worker claims the next chunk as soon as it is free, so the cores stay busy until the
//! input runs out.
//!
//! Invariants: chunks are merged strictly in input order, so the profile is identical for any
//! number of threads; at most [`window`] chunks are parsed ahead of the merge, so memory stays
//! bounded by the model plus a few chunks' builders (a worker that would run further ahead waits).
//! A worker that stores a parsed chunk merges under the merge lock if it can take it; the worker
//! holding the lock looks for ready chunks again after releasing it, so a chunk stored meanwhile is
//! never left behind.

use super::{Engine, Merger};
use bigflame_model::ProfileBuilder;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// How many chunks may be parsed ahead of the merge.
fn window(threads: usize) -> usize {
    4 * threads.max(1)
}

/// Locks a mutex, ignoring poisoning (a panic elsewhere is reported by rayon anyway).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
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
    let slots: Vec<Mutex<Option<ProfileBuilder>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let claimed = AtomicUsize::new(0);
    // The merger and the index of the next chunk to merge; `merged` mirrors that index for the
    // workers that wait for the window to move.
    let state = Mutex::new((std::mem::take(merger), 0usize));
    let merged = Mutex::new(0usize);
    let moved = Condvar::new();
    let window = window(threads);
    let merge_one = |m: &mut Merger, b: ProfileBuilder, last: bool| {
        if last {
            m.snapshot = None; // the final profile follows at once
        }
        m.merge(Some(vec![b]), data, 0, false);
    };

    let merge_ready = || loop {
        let Ok(mut guard) = state.try_lock() else {
            return;
        };
        let (m, next) = &mut *guard;
        while *next < n {
            let Some(b) = lock(&slots[*next]).take() else {
                break;
            };
            merge_one(m, b, *next + 1 == n);
            *next += 1;
        }
        let done = *next;
        drop(guard);
        {
            // Another worker may have merged further and published first: only move forward.
            let mut m = lock(&merged);
            *m = (*m).max(done);
        }
        moved.notify_all();
        // A chunk stored while we held the lock found it taken: look again now that it is free.
        if done >= n || lock(&slots[done]).is_none() {
            return;
        }
    };

    let worker = || {
        loop {
            let i = claimed.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                break;
            }
            let mut m = lock(&merged);
            while i >= *m + window {
                m = moved.wait(m).unwrap_or_else(PoisonError::into_inner);
            }
            drop(m);
            let b = engine.parse_one(data, 0, ranges[i].clone());
            *lock(&slots[i]) = Some(b);
            merge_ready();
        }
    };
    rayon::scope(|s| {
        for _ in 1..threads.max(1) {
            s.spawn(|_| worker());
        }
        worker();
    });
    // Every chunk was stored before its worker's last merge attempt; merge any stragglers.
    let (mut m, mut next) = state.into_inner().unwrap_or_else(PoisonError::into_inner);
    for slot in &slots[next.min(n)..] {
        if let Some(b) = lock(slot).take() {
            merge_one(&mut m, b, next + 1 == n);
            next += 1;
        }
    }
    debug_assert_eq!(next, n);
    *merger = m;
}
