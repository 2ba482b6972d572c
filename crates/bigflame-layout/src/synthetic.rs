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

/// One thread of `samples` samples (event `cpu-clock`, ~1 ms apart with occasional sleeps, some idle
/// samples), stacks from a random walk over `frames` function names up to `max_depth` deep.
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
    let mut path: Vec<StackId> = Vec::new();
    let mut time = 1_000_000_000u64;
    for _ in 0..samples {
        let r = rng.below(100);
        if r < 2 {
            b.sample(t, e, Some(time), StackId::EMPTY, 1e6);
            time += 1_000_000;
            continue;
        }
        let pop = if r < 60 { rng.below(3) } else { rng.below(path.len() as u64 + 1) };
        path.truncate(path.len().saturating_sub(pop as usize));
        let want = 1 + rng.below(max_depth.max(1) as u64) as usize;
        let push = if path.len() < want { rng.below((want - path.len()) as u64 + 1) } else { 0 };
        for _ in 0..push.max(u64::from(path.is_empty())) {
            if path.len() >= max_depth.max(1) {
                break;
            }
            let parent = path.last().copied().unwrap_or(StackId::EMPTY);
            let f = ids[rng.below(ids.len() as u64) as usize];
            path.push(b.stack(parent, f));
        }
        let stack = path.last().copied().unwrap_or(StackId::EMPTY);
        b.sample(t, e, Some(time), stack, 1e6);
        time += if rng.below(50) == 0 { 5_000_000 } else { 1_000_000 };
    }
    b.finish(ProfileMeta::default())
}
