//! Sampled profiles read from the bytes, built on all cores and merged in file order.
//!
//! Why: once the arrays are read without a tape ([`super::scan`]), most of the remaining time is
//! turning samples into stacks (a hash lookup per new frame) and sample columns, one profile after
//! the other on one core. Each profile is built here into its own stack table and columns, on its
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
    let mut at = start;
    // The current sample's indices, and the stacks of its first `valid` prefixes (those it shares
    // with the last kept sample).
    let mut cur: Vec<u32> = Vec::new();
    let mut stacks: Vec<StackId> = Vec::new();
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
        let time = unit
            .is_time
            .then(|| (at * unit.factor).max(0.0).round() as u64);
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
            stack = table.intern(stack, frame);
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
