//! Sampled profiles read from the bytes, built on all cores and merged in file order.
//!
//! Why: once the arrays are read without a tape ([`super::scan`]), most of the remaining time is
//! turning samples into stacks (a lookup per new frame, most answered by [`StepMemo`]) and sample
//! columns, one profile after the other on one core. Each profile is built here into its own stack table and columns, on its
//! own core; [`merge`] then interns each local stack once into the builder and moves the columns
//! in with their stack ids remapped.
//!
//! Same result as building in place: local stacks are created in the order of their first use in
//! the profile, and every parent before its children, so interning them in local id order creates
//! the stacks new to the builder in the same order as interning sample by sample does; the columns
//! are made by the same pushes.

use super::Unit;
use super::scan::Samples;
use bigflame_model::{
    EventId, FrameId, ProfileBuilder, SampleColumns, StackId, StackTable, ThreadId,
};

/// One sampled profile built on its own: stacks local to it and its columns.
pub(crate) struct Local {
    stacks: StackTable,
    columns: SampleColumns,
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
) -> Result<Local, String> {
    let mut table = StackTable::new();
    let mut columns = SampleColumns::default();
    columns.stack.reserve(s.len());
    if unit.is_time {
        columns.time_ns.reserve(s.len());
    }
    // Without a weight of 0 no sample is dropped, so each sample's shared prefix is the stacks of
    // the one before: the general loop's copy of every sample's indices is not needed.
    if weights.is_none_or(|w| !w.contains(&0)) {
        return build_all_kept(unit, start, s, weights, frames, table, columns);
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
        let time = unit.is_time.then(|| round_ns((at * unit.factor).max(0.0)));
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
        stacks: table,
        columns,
    })
}

/// [`build`] for a profile whose samples are all kept (no weight of 0): the same stacks and
/// columns, made from each sample's new indices on top of the stacks it shares.
fn build_all_kept(
    unit: &Unit,
    start: f64,
    s: &Samples,
    weights: Option<&[i64]>,
    frames: &[FrameId],
    mut table: StackTable,
    mut columns: SampleColumns,
) -> Result<Local, String> {
    let mut at = start;
    let mut stacks: Vec<StackId> = Vec::new();
    let mut step_memo = StepMemo::for_samples(s.len());
    let mut begin = 0;
    for (i, (&end, &shared)) in s.ends.iter().zip(&s.shared).enumerate() {
        let end = end as usize;
        let new = s.idx.get(begin..end).unwrap_or(&[]);
        begin = end;
        let w = weights.map_or(1.0, |w| w.get(i).map_or(1.0, |&v| v as f64));
        if w < 0.0 {
            return Err(format!("weights[{i}] is negative ({w})"));
        }
        let time = unit.is_time.then(|| round_ns((at * unit.factor).max(0.0)));
        at += w;
        stacks.truncate(shared as usize);
        let mut stack = stacks.last().copied().unwrap_or(StackId::EMPTY);
        for &f in new {
            let Some(&frame) = frames.get(f as usize) else {
                return Err(format!(
                    "samples[{i}] names frame {f} but there are {} shared frames",
                    frames.len()
                ));
            };
            stack = step_memo.intern(&mut table, stack, frame);
            stacks.push(stack);
        }
        columns.push(time, stack, w * unit.factor);
    }
    Ok(Local {
        stacks: table,
        columns,
    })
}

/// Interns `local`'s stacks into `b` and appends its samples to `thread`'s `event` columns.
pub(crate) fn merge(b: &mut ProfileBuilder, thread: ThreadId, event: EventId, local: Local) {
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

/// `x.round() as u64` for a non-negative `x`, without the call to `round` when `x` is already whole
/// (the usual case: integer weights in ns, µs or ms).
#[inline]
fn round_ns(x: f64) -> u64 {
    let whole = x as i64;
    if whole as f64 == x && x < 9.0e18 {
        whole as u64
    } else {
        x.round() as u64
    }
}

/// A small direct-mapped memo of (parent, frame) → stack in front of the stack table's hash map.
/// A profile takes the same few thousand caller → callee steps over and over, so most lookups end
/// in one multiply and one compare, without the map's hashing, probing and bookkeeping.
struct StepMemo {
    slots: Vec<(StackId, FrameId, StackId)>,
    shift: u32,
}

impl StepMemo {
    /// A memo sized for a profile of `samples` samples (at most 16,384 slots).
    fn for_samples(samples: usize) -> Self {
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
    fn intern(&mut self, table: &mut StackTable, parent: StackId, frame: FrameId) -> StackId {
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
    fn round_ns_rounds_like_round() {
        for x in [
            0.0,
            1.0,
            2.5,
            3.5,
            2.499_999,
            1e6,
            1.5e9 + 0.5,
            4e18,
            9.0e18,
            1.0e19,
            2e19,
        ] {
            assert_eq!(round_ns(x), x.round() as u64, "{x}");
        }
    }

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
