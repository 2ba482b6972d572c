//! Parallel work consumed in order while it is being made: [`in_order`], the one barrier-free
//! pipeline of the importers (perf chunks, speedscope profiles).
//!
//! Why: an importer that builds parts apart still has to hand them to the one
//! [`ProfileBuilder`](bigflame_model::ProfileBuilder) in input order, since interning order is
//! the output's order. Building in waves, or everything first and merging after, leaves cores idle
//! at every barrier and during the merge. Here each worker claims the next item as soon as it is
//! free, and whoever finishes an item takes every item that is ready, in order, beside the builds
//! still running.
//!
//! Invariants: items are taken strictly in index order, one at a time, so the result is the same
//! for any number of threads; at most `window` items are made ahead of the taking, so memory stays
//! bounded by a few items (a worker that would run further ahead waits). A worker that stores an
//! item takes under the lock if it can get it; the worker holding the lock looks for ready items
//! again after releasing it, so an item stored meanwhile is never left behind.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// Locks a mutex, ignoring poisoning (a panic elsewhere is reported by rayon anyway).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `make(i)` for every `i` in `0..n` on `workers` threads of the current rayon pool (this
/// one included), indices claimed in increasing order and at most `window` ahead of the taking,
/// and `take(i, made)` for each in index order, on whichever thread made the item that completed
/// the ready run. Stops taking at the first error, which is returned.
pub(crate) fn in_order<T: Send, E: Send>(
    n: usize,
    workers: usize,
    window: usize,
    make: impl Fn(usize) -> T + Sync,
    take: impl FnMut(usize, T) -> Result<(), E> + Send,
) -> Result<(), E> {
    let slots: Vec<Mutex<Option<T>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let claimed = AtomicUsize::new(0);
    // Set at the first error: nothing more is claimed.
    let stop = AtomicBool::new(false);
    // The consumer, the next index to take and the first error; `taken` mirrors that index for
    // the workers that wait for the window to move.
    let state = Mutex::new(Taker {
        take,
        next: 0,
        result: Ok(()),
    });
    let taken = Mutex::new(0usize);
    let moved = Condvar::new();
    let window = window.max(1);

    let take_ready = || {
        loop {
            let Ok(mut guard) = state.try_lock() else {
                return;
            };
            guard.drain(&slots);
            let done = guard.next;
            let failed = guard.result.is_err();
            drop(guard);
            if failed {
                stop.store(true, Ordering::Relaxed);
            }
            {
                // Another worker may have taken further and published first: only move forward.
                let mut t = lock(&taken);
                *t = (*t).max(if failed { n } else { done });
            }
            moved.notify_all();
            // An item stored while we held the lock found it taken: look again now it is free.
            if failed || done >= n || lock(&slots[done]).is_none() {
                return;
            }
        }
    };

    let worker = || {
        loop {
            let i = claimed.fetch_add(1, Ordering::Relaxed);
            if i >= n || stop.load(Ordering::Relaxed) {
                break;
            }
            let mut t = lock(&taken);
            while i >= t.saturating_add(window) {
                t = moved.wait(t).unwrap_or_else(PoisonError::into_inner);
            }
            drop(t);
            let made = make(i);
            *lock(&slots[i]) = Some(made);
            take_ready();
        }
    };
    rayon::scope(|s| {
        for _ in 1..workers.clamp(1, n.max(1)) {
            s.spawn(|_| worker());
        }
        worker();
    });
    // Every item was stored before its worker's last attempt to take; take any stragglers.
    let mut state = state.into_inner().unwrap_or_else(PoisonError::into_inner);
    state.drain(&slots);
    state.result
}

/// The consumer side of [`in_order`].
struct Taker<F, E> {
    take: F,
    /// The next index to take.
    next: usize,
    /// The first error of `take`; nothing is taken after it.
    result: Result<(), E>,
}

impl<F, E> Taker<F, E> {
    /// Takes the made items that continue the taken prefix.
    fn drain<T>(&mut self, slots: &[Mutex<Option<T>>])
    where
        F: FnMut(usize, T) -> Result<(), E>,
    {
        while self.result.is_ok() {
            let Some(slot) = slots.get(self.next) else {
                break;
            };
            let Some(made) = lock(slot).take() else {
                break;
            };
            let i = self.next;
            self.next += 1;
            self.result = (self.take)(i, made);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn items_are_taken_once_in_order_on_any_pool() {
        for (threads, window) in [(1, 1), (2, 1), (2, 8), (4, 3), (4, usize::MAX)] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut seen = Vec::new();
            // Made but not yet taken, at most: checks the window.
            let ahead = AtomicUsize::new(0);
            let most = AtomicUsize::new(0);
            let out: Result<(), ()> = pool.install(|| {
                in_order(
                    500,
                    threads,
                    window,
                    |i| {
                        // Uneven work, so items finish out of order.
                        std::thread::sleep(std::time::Duration::from_micros((i % 7) as u64 * 40));
                        let now = ahead.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        i * 2
                    },
                    |i, v| {
                        ahead.fetch_sub(1, Ordering::SeqCst);
                        seen.push((i, v));
                        Ok(())
                    },
                )
            });
            assert_eq!(out, Ok(()));
            let want: Vec<(usize, usize)> = (0..500).map(|i| (i, i * 2)).collect();
            assert_eq!(seen, want, "{threads} threads");
            assert!(
                most.load(Ordering::SeqCst) <= window.min(500),
                "{threads} threads, window {window}: {} made ahead",
                most.load(Ordering::SeqCst)
            );
        }
    }

    #[test]
    fn taking_stops_at_the_first_error() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let mut taken = Vec::new();
        let out = pool.install(|| {
            in_order(
                100,
                2,
                4,
                |i| i,
                |i, _| {
                    taken.push(i);
                    if i == 41 { Err(i) } else { Ok(()) }
                },
            )
        });
        assert_eq!(out, Err(41));
        assert_eq!(taken, (0..=41).collect::<Vec<_>>());
        let none: Result<(), ()> = in_order(0, 2, 4, |i| i, |_, _| Ok(()));
        assert_eq!(none, Ok(()));
    }
}
