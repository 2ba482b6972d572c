//! What a `samples` array is read into ([`SampleSink`]): [`Stacks`] on the fast path, plain
//! [`Samples`] when a profile needs speedscope's rules sample by sample.
//!
//! Why stacks during the scan: a sample shares its leading indices with the previous one, which
//! the scanner knows from the bytes, so the stacks of that prefix are the previous sample's and
//! only the new indices are looked up. Doing it while the array is read, on the scan's core, spares
//! writing every sample's indices out and reading them back in a second pass. The table keeps the
//! `shared.frames` indices as frame ids: which frame an index names is known only once the rest
//! of the document is parsed, so [`super::local`] checks and maps them when it merges the stacks.
//! Stacks are made for every sample; a profile that drops samples (a weight of 0) is read again
//! into [`Samples`], since its stacks must only be those of kept samples, in their order.

use super::local::StepMemo;
use bigflame_model::{FrameId, StackId, StackTable};

/// The samples of one profile. Consecutive samples mostly share their callers and are written
/// alike up to where they differ, so a sample is kept as the number of leading frame indices it
/// shares with the previous sample (found by comparing bytes, not parsed again) and its new ones.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Samples {
    /// The new frame indices of every sample, one after the other.
    pub(crate) idx: Vec<u32>,
    /// Per sample, the end of its new indices in `idx` (their start is the previous end).
    pub(crate) ends: Vec<u32>,
    /// Per sample, how many leading indices it shares with the previous sample.
    pub(crate) shared: Vec<u32>,
}

impl Samples {
    /// Sample `i`: how many leading indices it shares with the previous sample, and the rest.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> (usize, &[u32]) {
        let end = |j: usize| self.ends.get(j).map_or(0, |&e| e as usize);
        let start = if i == 0 { 0 } else { end(i - 1) };
        let shared = self.shared.get(i).map_or(0, |&s| s as usize);
        (shared, self.idx.get(start..end(i)).unwrap_or(&[]))
    }

    /// Number of samples.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }
}

/// Where [`super::scan::read_samples`] puts what it reads: each sample as the number of leading
/// indices it shares with the previous one and its new indices.
pub(crate) trait SampleSink {
    /// The vector the new indices of the sample being read are appended to.
    fn indices(&mut self) -> &mut Vec<u32>;
    /// One sample read: it shares its first `shared` indices with the previous sample, and its
    /// new ones are `indices()[from..]`. `None` refuses the array.
    fn sample(&mut self, shared: usize, from: usize) -> Option<()>;
}

impl SampleSink for Samples {
    fn indices(&mut self) -> &mut Vec<u32> {
        &mut self.idx
    }

    fn sample(&mut self, shared: usize, _from: usize) -> Option<()> {
        self.shared.push(u32::try_from(shared).ok()?);
        self.ends.push(u32::try_from(self.idx.len()).ok()?);
        Some(())
    }
}

/// The samples of one profile turned into stacks as they are read: a stack table local to the
/// profile whose frames are still `shared.frames` indices (mapped to frames when the profile is
/// merged), and each sample's stack. The stacks of a sample's shared prefix are the previous
/// sample's, so only its new indices are looked up (most in [`StepMemo`]).
#[derive(Debug)]
pub(crate) struct Stacks {
    /// Local stacks; `FrameId(i)` stands for `shared.frames[i]`.
    pub(crate) table: StackTable,
    /// Per sample, its stack in `table`.
    pub(crate) of_sample: Vec<StackId>,
}

/// A [`SampleSink`] that builds [`Stacks`].
struct StackSink {
    stacks: Stacks,
    memo: StepMemo,
    /// The stacks of the previous sample's prefixes.
    path: Vec<StackId>,
    /// The current sample's new indices.
    new: Vec<u32>,
}

impl SampleSink for StackSink {
    fn indices(&mut self) -> &mut Vec<u32> {
        &mut self.new
    }

    fn sample(&mut self, shared: usize, from: usize) -> Option<()> {
        self.path.truncate(shared);
        let mut stack = self.path.last().copied().unwrap_or(StackId::EMPTY);
        for &f in self.new.get(from..)? {
            let frame = FrameId::from_index(f as usize);
            stack = self.memo.intern(&mut self.stacks.table, stack, frame);
            self.path.push(stack);
        }
        self.new.clear();
        self.stacks.of_sample.push(stack);
        Some(())
    }
}

/// An array of arrays of frame indices starting at `open`, read into [`Stacks`]: the offset of
/// its closing bracket and the stacks, or `None` for anything but such an array. `samples` is a
/// guess of how many samples it holds, which sizes the memo.
pub(crate) fn read_stacks(data: &[u8], open: usize, samples: usize) -> Option<(usize, Stacks)> {
    let mut sink = StackSink {
        stacks: Stacks {
            table: StackTable::new(),
            of_sample: Vec::new(),
        },
        memo: StepMemo::for_samples(samples),
        path: Vec::new(),
        new: Vec::new(),
    };
    let close = super::scan::read_samples(data, open, &mut sink)?;
    Some((close, sink.stacks))
}
