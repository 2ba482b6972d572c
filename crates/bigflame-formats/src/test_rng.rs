//! A tiny deterministic generator for tests that build random inputs (xorshift64): the same
//! inputs on every run and machine, so a failure reproduces, without a dependency.

/// A generator seeded with `seed` (not 0): each call `next(n)` returns a value in `0..n`.
pub(crate) fn xorshift(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n.max(1)
    }
}
