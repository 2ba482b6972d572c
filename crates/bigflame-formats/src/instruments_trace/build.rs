//! Samples + backtrace arrays + symbols → bigflame threads, stacks and weights.
//!
//! Backtraces (format facts, see [`super::store`]): a sample's backtrace id is either an address
//! with a symbol, or (its low 32 bits) the index of an array whose elements are again addresses or
//! array indices; an address neither symbolicated nor an array index is shown as `0x` + 16 hex
//! digits. Arrays list frames callee first, so the expanded list is reversed into caller → callee.
//! Expansion is iterative, at most [`MAX_NESTING`] arrays deep and [`MAX_FRAMES`] frames long, with
//! a work budget for the whole import proportional to the input; a backtrace that breaks a limit
//! is skipped and counted. Each backtrace id is expanded once per run.
//!
//! Frames are identified by symbol name and source file, as speedscope keys them; the owning
//! binary is not recorded in the frame, because a function that several binaries carry a copy of
//! (`mach_msg` in both `dyld` and `libsystem_kernel.dylib`) would then become several frames where
//! speedscope's picture (and our conformance check against it) has one.
//!
//! Two events weigh the same samples (timestamps kept in both):
//! * `weight` (the default): Instruments' own weight of each sample, the sampling interval (1 ms by
//!   default), which is what Instruments sums in its call tree. A thread that runs rarely weighs
//!   what it ran, not the wall time between its samples. A table whose weight column is missing
//!   or implausible (0, or over a minute) leaves this event empty, with a note.
//! * `interval`: speedscope's weighting, the time since the previous sample of the same thread
//!   (the first sample of a thread weighs 0), in nanoseconds. A thread's total is its last
//!   timestamp minus its first: speedscope's non-idle weight (speedscope also adds an empty "idle"
//!   sample from the start of the recording to the first sample; we do not). speedscope drops
//!   zero-weight samples, so frames seen only in a thread's first sample are not in its picture;
//!   we keep them, since the Time Order view places samples by timestamp.
//!
//! A sample earlier than the one before it on its thread is skipped and counted (speedscope gives
//! up on the whole file).
//!
//! Threads: one per Instruments thread number, named `thread N` (`run R thread N` when the bundle
//! holds several runs; the archive records no mapping from these numbers to thread names), ordered
//! like speedscope's profiles: most samples first (ties in first-seen order), so the thread shown
//! first is the busiest, normally the main thread.

use super::store::{Arrays, Sample};
use super::template::RunInfo;
use bigflame_model::{
    EventId, FastMap, Frame, FrameId, ProfileBuilder, SkipReason, StackId, ThreadKey,
};

/// Deepest nesting of arrays followed in one backtrace.
pub const MAX_NESTING: usize = 64;
/// Longest backtrace kept.
pub const MAX_FRAMES: usize = 1 << 16;

/// A resolved leaf of a backtrace.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Leaf {
    /// A symbol, with the address when the symbol has no name (each address is then its own
    /// frame, named by it).
    Symbol(u32, u64),
    Raw(u64),
}

/// The two events every sample is added to (see the module doc).
#[derive(Clone, Copy, Debug)]
pub struct Events {
    pub weight: EventId,
    pub interval: EventId,
}

/// Longest plausible sampling interval; a larger weight means the column is not what we think.
const MAX_WEIGHT_NS: u64 = 60_000_000_000;

/// Builds one run's threads into `b`.
pub struct RunBuilder<'a> {
    pub run: &'a RunInfo,
    pub arrays: &'a Arrays,
    /// Prefix of thread names (`""` or `"run R "`).
    pub prefix: String,
    /// Bulkstore member name (for skip locations).
    pub member: &'a str,
    /// Expansion steps left for the whole import.
    pub work_left: &'a mut u64,
}

impl RunBuilder<'_> {
    /// Expands backtrace `id` into leaves, root first; `None` when a limit is broken.
    fn expand(&mut self, id: u64, out: &mut Vec<Leaf>) -> Option<()> {
        out.clear();
        // (array index, next element) of the arrays being walked.
        let mut open: Vec<(usize, usize)> = Vec::new();
        let mut pending = Some(id);
        loop {
            if let Some(k) = pending.take() {
                *self.work_left = self.work_left.checked_sub(1)?;
                if let Some(&s) = self.run.by_address.get(&k) {
                    let named = self
                        .run
                        .symbols
                        .get(s as usize)
                        .is_some_and(|y| y.name.is_some());
                    out.push(Leaf::Symbol(s, if named { 0 } else { k }));
                } else if ((k & 0xffff_ffff) as usize) < self.arrays.count() {
                    if open.len() >= MAX_NESTING {
                        return None;
                    }
                    open.push(((k & 0xffff_ffff) as usize, 0));
                } else {
                    out.push(Leaf::Raw(k));
                }
                if out.len() > MAX_FRAMES {
                    return None;
                }
            }
            let Some(top) = open.last_mut() else {
                break;
            };
            let next = self.arrays.element(top.0, top.1);
            match next {
                Some(k) => {
                    top.1 += 1;
                    pending = Some(k);
                }
                None => {
                    open.pop();
                }
            }
        }
        out.reverse();
        Some(())
    }

    /// Adds the run's samples to `b` under both events; false when the weight column was unusable
    /// (the `weight` event then has none of them).
    pub fn add(&mut self, b: &mut ProfileBuilder, events: Events, samples: &[Sample]) -> bool {
        let weighted = samples.iter().all(|s| {
            s.weight_ns
                .is_some_and(|w| (1..=MAX_WEIGHT_NS).contains(&w))
        });
        // Threads by sample count, most first, ties in first-seen order.
        let mut counts: Vec<(u32, usize)> = Vec::new();
        let mut slot: FastMap<u32, usize> = FastMap::default();
        for s in samples {
            let i = *slot.entry(s.thread).or_insert_with(|| {
                counts.push((s.thread, 0));
                counts.len() - 1
            });
            counts[i].1 += 1;
        }
        counts.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
        let name = b.intern(&format!("{}thread", self.prefix));
        let mut threads = FastMap::default();
        for &(t, _) in &counts {
            let key = ThreadKey {
                pid: None,
                tid: Some(t),
                name,
            };
            threads.insert(t, (b.thread(key), None::<u64>));
        }
        let mut stacks: FastMap<u32, Option<StackId>> = FastMap::default();
        let mut frames: FastMap<Leaf, FrameId> = FastMap::default();
        let mut leaves = Vec::new();
        for s in samples {
            let stack = match stacks.get(&s.backtrace) {
                Some(&st) => st,
                None => {
                    let st = self.expand(u64::from(s.backtrace), &mut leaves).map(|()| {
                        let mut st = StackId::EMPTY;
                        for &leaf in &leaves {
                            let f = *frames.entry(leaf).or_insert_with(|| self.frame(b, leaf));
                            st = b.stack(st, f);
                        }
                        st
                    });
                    stacks.insert(s.backtrace, st);
                    st
                }
            };
            let Some((thread, last)) = threads.get_mut(&s.thread) else {
                continue;
            };
            let member = self.member;
            let Some(stack) = stack else {
                b.skipped.add(
                    SkipReason::MalformedSample,
                    || format!("{member} byte {}", s.offset),
                    b"backtrace nested too deeply or too long",
                );
                continue;
            };
            let weight = match *last {
                Some(prev) if s.time_ns < prev => {
                    b.skipped.add(
                        SkipReason::MalformedSample,
                        || format!("{member} byte {}", s.offset),
                        b"sample earlier than the previous one of its thread",
                    );
                    continue;
                }
                Some(prev) => (s.time_ns - prev) as f64,
                None => 0.0,
            };
            *last = Some(s.time_ns);
            b.sample(*thread, events.interval, Some(s.time_ns), stack, weight);
            if let Some(w) = s.weight_ns.filter(|_| weighted) {
                b.sample(*thread, events.weight, Some(s.time_ns), stack, w as f64);
            }
        }
        weighted
    }

    fn frame(&self, b: &mut ProfileBuilder, leaf: Leaf) -> FrameId {
        let (symbol, address) = match leaf {
            Leaf::Symbol(i, a) => (self.run.symbols.get(i as usize), a),
            Leaf::Raw(a) => (None, a),
        };
        let name = match symbol.and_then(|s| s.name.as_deref()) {
            Some(n) => b.intern(n),
            None => b.intern(&format!("0x{address:016x}")),
        };
        let mut frame = Frame::named(name);
        if let Some(sym) = symbol {
            frame.file = sym.file.as_deref().map(|f| b.intern(f));
        }
        b.frame(frame)
    }
}
