//! Parallel work consumed in order while it is being made: [`in_order`].
//!
//! Why: an importer that builds its threads apart still has to hand them to the one
//! [`ProfileBuilder`](bigflame_model::ProfileBuilder) in file order, since interning order is the
//! output's order. Building everything first and merging after leaves all cores but one idle
//! during the merge; here the merge of the built prefix runs on whichever core finished the item
//! that extended it, beside the builds still running.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// Runs `make(i)` for every `i` in `0..n` on the threads of the current rayon pool, indices taken
/// in increasing order, and `take(i, made)` for each in index order: `take` runs as soon as the
/// items before are taken, on the thread that made the last of them, never on two threads at
/// once. Stops taking at the first error, which is returned.
pub(crate) fn in_order<T: Send, E: Send>(
    n: usize,
    make: impl Fn(usize) -> T + Sync,
    take: impl FnMut(usize, T) -> Result<(), E> + Send,
) -> Result<(), E> {
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<T>>> = (0..n).map(|_| Mutex::new(None)).collect();
    // The next index to take, the consumer, and its first error.
    let consumer = Mutex::new((0, take, Ok(())));
    rayon::scope(|scope| {
        for _ in 0..rayon::current_num_threads().min(n) {
            scope.spawn(|_| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(slot) = slots.get(i) else {
                        break;
                    };
                    let made = make(i);
                    *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(made);
                    // Busy consumer: it, or the final drain, takes this item later.
                    if let Ok(mut state) = consumer.try_lock() {
                        drain(&slots, &mut state);
                    }
                }
            });
        }
    });
    let mut state = consumer
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    drain(&slots, &mut state);
    state.2
}

/// Takes the made items that continue the taken prefix: `state` is the next index to take, the
/// consumer and its first error.
fn drain<T, E, F: FnMut(usize, T) -> Result<(), E>>(
    slots: &[Mutex<Option<T>>],
    state: &mut (usize, F, Result<(), E>),
) {
    while state.2.is_ok() {
        let Some(slot) = slots.get(state.0) else {
            break;
        };
        let Some(made) = slot.lock().unwrap_or_else(PoisonError::into_inner).take() else {
            break;
        };
        let i = state.0;
        state.0 += 1;
        state.2 = (state.1)(i, made);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_taken_once_in_order_on_any_pool() {
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut seen = Vec::new();
            let out: Result<(), ()> = pool.install(|| {
                in_order(
                    1000,
                    |i| {
                        // Uneven work, so items finish out of order.
                        std::thread::sleep(std::time::Duration::from_micros((i % 7) as u64 * 50));
                        i * 2
                    },
                    |i, v| {
                        seen.push((i, v));
                        Ok(())
                    },
                )
            });
            assert_eq!(out, Ok(()));
            let want: Vec<(usize, usize)> = (0..1000).map(|i| (i, i * 2)).collect();
            assert_eq!(seen, want, "{threads} threads");
        }
    }

    #[test]
    fn taking_stops_at_the_first_error() {
        let mut taken = Vec::new();
        let out = in_order(
            100,
            |i| i,
            |i, _| {
                taken.push(i);
                if i == 41 { Err(i) } else { Ok(()) }
            },
        );
        assert_eq!(out, Err(41));
        assert_eq!(taken, (0..=41).collect::<Vec<_>>());
        let none: Result<(), ()> = in_order(0, |i| i, |_, _| Ok(()));
        assert_eq!(none, Ok(()));
    }
}
