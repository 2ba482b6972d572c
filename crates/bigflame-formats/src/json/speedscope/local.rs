//! Sampled profiles read from the bytes, their columns made on all cores and merged in file order.
//!
//! Why: once the arrays are read without a tape ([`super::scan`]), each profile's samples are
//! already stacks local to it ([`Stacks`], made while the array was read); what is left is its
//! columns (each sample's time and weight, [`from_stacks`]), made on all cores, and [`merge`], which
//! interns each local stack once into the builder, mapping `shared.frames` indices to frames, and
//! moves the columns in with their stack ids remapped. A profile that drops samples (a weight of 0)
//! is built from its samples instead ([`build`], one lookup per new frame, most answered by
//! [`StepMemo`]), as is any profile the general loop reads from the bytes.
//!
//! Same result as building in place: local stacks are created in the order of their first use in
//! the profile, and every parent before its children, so interning them in local id order creates
//! the stacks new to the builder in the same order as interning sample by sample does (two indices
//! naming one frame give two local stacks that map to one); the columns are made by the same
//! pushes.

use super::Unit;
use super::scan::{Samples, Stacks};
use crate::round::round_ns;
use bigflame_model::{
    EventId, FrameId, ProfileBuilder, SampleColumns, StackId, StackTable, ThreadId,
};
use std::borrow::Cow;

/// One sampled profile built on its own: stacks local to it and its columns.
pub(crate) struct Local<'a> {
    /// Its own table, or the one its samples were read into ([`Stacks`]).
    stacks: Cow<'a, StackTable>,
    /// The frames of `stacks` are `shared.frames` indices, not frame ids ([`Stacks`]).
    raw_frames: bool,
    columns: SampleColumns,
}

/// A profile whose samples were read into [`Stacks`] with its columns: each sample's time
/// (`startValue` plus the weights before, for time units) and weight. `None` when a sample would
/// be dropped (a weight of 0: the stacks were made for every sample, so [`build`] must make
/// them), a weight is negative, a stack names a frame past `frames`, or the counts differ: the
/// caller then takes a path that reports errors.
pub(crate) fn from_stacks<'a>(
    unit: &Unit,
    start: f64,
    stacks: &'a Stacks,
    weights: Option<&[i64]>,
    frames: &[FrameId],
) -> Option<Local<'a>> {
    let n = stacks.of_sample.len();
    if weights.is_some_and(|w| w.len() != n || w.iter().any(|&v| v <= 0))
        || stacks
            .table
            .frames()
            .iter()
            .any(|f| f.index() >= frames.len())
    {
        return None;
    }
    let mut columns = SampleColumns::default();
    columns.stack.reserve(n);
    if unit.is_time {
        columns.time_ns.reserve(n);
    }
    let mut at = start;
    for (i, &stack) in stacks.of_sample.iter().enumerate() {
        let w = weights.map_or(1.0, |w| w[i] as f64);
        let time = unit.is_time.then(|| round_ns(at * unit.factor));
        at += w;
        columns.push(time, stack, w * unit.factor);
    }
    Some(Local {
        stacks: Cow::Borrowed(&stacks.table),
        raw_frames: true,
        columns,
    })
}

/// Builds one profile's samples (as the plain importer reads them: a weight of 0 drops the sample
/// but moves the time on; times are `startValue` plus the weights before, for time units). The
/// error is the message for a negative weight or an index naming no frame.
pub(crate) fn build(
    unit: &Unit,
    start: f64,
    s: &Samples,
    weights: Option<&[i64]>,
    frames: &[FrameId],
) -> Result<Local<'static>, String> {
    let mut table = StackTable::new();
    let mut columns = SampleColumns::default();
    columns.stack.reserve(s.len());
    if unit.is_time {
        columns.time_ns.reserve(s.len());
    }
    let mut at = start;
    // The current sample's indices, and the stacks of its first `valid` prefixes (those it shares
    // with the last kept sample).
    let mut cur: Vec<u32> = Vec::new();
    let mut stacks: Vec<StackId> = Vec::new();
    let mut step_memo = StepMemo::for_samples(s.len());
    let mut valid = 0;
    let mut begin = 0;
    for (i, (&end, &shared)) in s.ends.iter().zip(&s.shared).enumerate() {
        let (end, shared) = (end as usize, shared as usize);
        let new = s.idx.get(begin..end).unwrap_or(&[]);
        begin = end;
        let w = weights.map_or(1.0, |w| w.get(i).map_or(1.0, |&v| v as f64));
        if w < 0.0 {
            return Err(format!("weights[{i}] is negative ({w})"));
        }
        let time = unit.is_time.then(|| round_ns(at * unit.factor));
        at += w;
        cur.truncate(shared);
        cur.extend_from_slice(new);
        valid = valid.min(shared);
        if w == 0.0 {
            continue;
        }
        stacks.truncate(valid);
        let mut stack = stacks.last().copied().unwrap_or(StackId::EMPTY);
        for &f in cur.get(valid..).unwrap_or(&[]) {
            let Some(&frame) = frames.get(f as usize) else {
                return Err(format!(
                    "samples[{i}] names frame {f} but there are {} shared frames",
                    frames.len()
                ));
            };
            stack = step_memo.intern(&mut table, stack, frame);
            stacks.push(stack);
        }
        valid = cur.len();
        columns.push(time, stack, w * unit.factor);
    }
    Ok(Local {
        stacks: Cow::Owned(table),
        raw_frames: false,
        columns,
    })
}

/// Interns `local`'s stacks into `b` and appends its samples to `thread`'s `event` columns.
pub(crate) fn merge(
    b: &mut ProfileBuilder,
    thread: ThreadId,
    event: EventId,
    local: Local<'_>,
    frames: &[FrameId],
) {
    let mut map: Vec<StackId> = Vec::with_capacity(local.stacks.len());
    let global = |map: &[StackId], s: StackId| {
        if s.is_empty() {
            s
        } else {
            map.get(s.index()).copied().unwrap_or(StackId::EMPTY)
        }
    };
    for (&parent, &frame) in local.stacks.parents().iter().zip(local.stacks.frames()) {
        let parent = global(&map, parent);
        // Raw indices were checked against `frames` when the columns were made.
        let frame = match local.raw_frames {
            true => frames.get(frame.index()).copied().unwrap_or(frame),
            false => frame,
        };
        map.push(b.stack(parent, frame));
    }
    let mut columns = local.columns;
    if columns.is_empty() {
        return;
    }
    for s in &mut columns.stack {
        *s = global(&map, *s);
    }
    let target = b
        .threads
        .get(thread.index())
        .and_then(|t| t.samples.get(event.index()));
    if target.is_none_or(SampleColumns::is_empty) {
        // A new thread (the usual case): the columns are exactly what the pushes would make.
        if let Some(t) = b.threads.get_mut(thread.index()) {
            if t.samples.len() <= event.index() {
                t.samples
                    .resize_with(event.index() + 1, SampleColumns::default);
            }
            t.samples[event.index()] = columns;
        }
        return;
    }
    // Two profiles named alike share a thread: push one by one, as the plain path does.
    let timed = columns.time_ns.len() == columns.stack.len();
    for (i, (&stack, &w)) in columns.stack.iter().zip(columns.weight.iter()).enumerate() {
        let time = if timed {
            columns.time_ns.get(i).copied()
        } else {
            None
        };
        b.sample(thread, event, time, stack, w);
    }
}

/// A small direct-mapped memo of (parent, frame) → stack in front of the stack table's hash map.
/// A profile takes the same few thousand caller → callee steps over and over, so most lookups end
/// in one multiply and one compare, without the map's hashing, probing and bookkeeping.
pub(crate) struct StepMemo {
    slots: Vec<(StackId, FrameId, StackId)>,
    shift: u32,
}

impl StepMemo {
    /// A memo sized for a profile of `samples` samples (at most 16,384 slots).
    pub(crate) fn for_samples(samples: usize) -> Self {
        let bits = samples
            .clamp(64, 1 << 14)
            .next_power_of_two()
            .trailing_zeros();
        // An empty slot holds no stack (no lookup returns the empty stack).
        let none = (StackId::EMPTY, FrameId::from_index(0), StackId::EMPTY);
        StepMemo {
            slots: vec![none; 1 << bits],
            shift: 64 - bits,
        }
    }

    #[inline(always)]
    pub(crate) fn intern(
        &mut self,
        table: &mut StackTable,
        parent: StackId,
        frame: FrameId,
    ) -> StackId {
        let key = ((parent.index() as u64) << 32) ^ frame.index() as u64;
        let slot = (key.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize;
        if let Some(&(p, f, id)) = self.slots.get(slot)
            && p == parent
            && f == frame
            && !id.is_empty()
        {
            return id;
        }
        let id = table.intern(parent, frame);
        if let Some(s) = self.slots.get_mut(slot) {
            *s = (parent, frame, id);
        }
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_memo_gives_the_table_ids() {
        // Alternating children of one parent and deep paths, through a memo of 64 slots: every
        // id must be what interning straight into a table gives.
        let f = FrameId::from_index;
        let paths: [&[usize]; 6] = [
            &[0, 1, 2],
            &[0, 1, 3],
            &[0, 1, 2],
            &[0, 4],
            &[5],
            &[0, 1, 3],
        ];
        let (mut cached, mut plain) = (StackTable::new(), StackTable::new());
        let mut last = StepMemo::for_samples(1);
        for path in paths {
            let (mut a, mut b) = (StackId::EMPTY, StackId::EMPTY);
            for &i in path {
                a = last.intern(&mut cached, a, f(i));
                b = plain.intern(b, f(i));
                assert_eq!(a, b, "{path:?}");
            }
        }
        assert_eq!(cached.len(), plain.len());
    }
}
