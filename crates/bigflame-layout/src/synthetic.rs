//! Deterministic synthetic profiles for tests, benches and demos.
//!
//! Why a random walk: real recordings change only the deep end of the stack between consecutive
//! samples, which is what makes Time Order spans merge. Each sample here pops a few frames and pushes a
//! few new ones, with depth capped at `max_depth`, so the span count grows like real data (a few spans
//! per sample) instead of `samples × depth`.

use bigflame_model::{Frame, Profile, ProfileBuilder, ProfileMeta, StackId, ThreadKey, WeightUnit};

/// A small xorshift generator (no dependency, same sequence everywhere).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (0 is remapped).
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// One thread of `samples` samples (event `cpu-clock`, 1 ms apart with occasional 5 ms sleeps, 2 %
/// idle samples) over `frames` function names, at most `max_depth` deep.
///
/// The structure is scale-free: the frame at depth `d` lives about `samples / 4^(d+1)` samples, so a
/// full view of any size shows about the same number of wide spans (what the work-count test needs),
/// and below that 0–3 short-lived frames change every sample (1 % of samples go up to `max_depth`).
/// Like a real call graph, each function calls one of 4 fixed callees (and deep excursions follow a
/// fixed chain), so unique stacks stay a small fraction of samples.
pub fn random_walk_profile(samples: usize, frames: u32, max_depth: usize, seed: u64) -> Profile {
    let mut rng = Rng::new(seed);
    let mut b = ProfileBuilder::new();
    let name = b.intern("synthetic");
    let t = b.thread(ThreadKey {
        pid: Some(1),
        tid: Some(1),
        name,
    });
    let e = b.event("cpu-clock", WeightUnit::Nanoseconds);
    let ids: Vec<_> = (0..frames.max(1))
        .map(|i| {
            let n = b.intern(&format!("fn_{i}"));
            b.frame(Frame::named(n))
        })
        .collect();
    let max_depth = max_depth.max(1);
    let n = samples.max(1) as f64;
    let mut path: Vec<StackId> = Vec::new();
    let mut time = 1_000_000_000u64;
    for _ in 0..samples {
        if rng.below(100) < 2 {
            b.sample(t, e, Some(time), StackId::EMPTY, 1e6);
            time += 1_000_000;
            continue;
        }
        // Keep floor(log4(u · n)) frames: depth d survives a sample with probability 1 - 4^(d+1)/n.
        let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let keep = if u * n < 1.0 {
            0
        } else {
            ((u * n).ln() / 4f64.ln()) as usize
        };
        path.truncate(keep);
        let want = if rng.below(100) == 0 {
            max_depth
        } else {
            (keep + 1 + rng.below(4) as usize).min(max_depth)
        };
        while path.len() < want {
            let parent = path.last().copied().unwrap_or(StackId::EMPTY);
            let caller = if parent.is_empty() {
                0
            } else {
                u64::from(b.stacks.frame(parent).0)
            };
            let branch = if path.len() > keep + 4 {
                0
            } else {
                rng.below(4)
            };
            let f = ids[((caller * 31 + 1 + branch) % ids.len() as u64) as usize];
            path.push(b.stack(parent, f));
        }
        let stack = path.last().copied().unwrap_or(StackId::EMPTY);
        b.sample(t, e, Some(time), stack, 1e6);
        time += if rng.below(50) == 0 {
            5_000_000
        } else {
            1_000_000
        };
    }
    b.finish(ProfileMeta::default())
}
