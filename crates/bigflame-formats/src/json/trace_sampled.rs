//! Sampled traces: `{traceEvents, samples, stackFrames}` (Hermes / React Native, Chrome's
//! "JSON trace with samples").
//!
//! Why these rules: they are speedscope's, so both tools show the same totals. Each sample names a
//! stack frame (`sf`); its stack is that frame and its `parent`s (an id of 0 or a missing parent
//! ends the chain). A frame is its `name` and `category` (kept as the frame's module). A sample
//! weighs the time to the next sample of its thread, the last one 0, and zero-weight samples are
//! dropped. Threads are the pid/tid pairs of the samples, named by the `M` metadata events of
//! `traceEvents`, sorted by pid and tid. Timestamps are microseconds (often strings).

use super::Val;
use super::trace_event::{Ev, Names};
use crate::error::ImportError;
use bigflame_model::{FastMap, Frame, Profile, ProfileBuilder, ProfileMeta, StackId, WeightUnit};

/// One entry of `stackFrames`.
#[derive(Clone, Copy, Debug)]
struct StackFrame<'i> {
    name: &'i str,
    category: Option<&'i str>,
    parent: Option<i64>,
}

pub(crate) fn import(
    root: Val<'_, '_>,
    events: Val<'_, '_>,
    path: &str,
) -> Result<Profile, ImportError> {
    let mut names = Names::default();
    for v in events.items() {
        names.record(&Ev::read(v));
    }
    let mut table: FastMap<i64, StackFrame<'_>> = FastMap::default();
    if let Some(frames) = root.get("stackFrames") {
        for (id, f) in frames.entries() {
            let Ok(id) = id.trim().parse::<i64>() else {
                continue;
            };
            table.insert(
                id,
                StackFrame {
                    name: f.get("name").and_then(|v| v.str()).unwrap_or(""),
                    category: f.get("category").and_then(|v| v.str()),
                    parent: f
                        .get("parent")
                        .and_then(|v| v.number_like())
                        .map(|p| p as i64),
                },
            );
        }
    }
    // Samples per pid/tid, in file order; threads sorted by (pid, tid) as speedscope lists them.
    let mut per_thread: FastMap<(i64, i64), Vec<(f64, i64)>> = FastMap::default();
    if let Some(samples) = root.get("samples") {
        for s in samples.items() {
            let num = |k: &str| s.get(k).and_then(|v| v.number_like());
            let key = (
                num("pid").map_or(0, |v| v as i64),
                num("tid").map_or(0, |v| v as i64),
            );
            let ts = num("ts").unwrap_or(0.0);
            let sf = num("sf").map_or(0, |v| v as i64);
            per_thread.entry(key).or_default().push((ts, sf));
        }
    }
    let mut b = ProfileBuilder::new();
    let event = b.event("time", WeightUnit::Nanoseconds);
    let mut memo: FastMap<i64, StackId> = FastMap::default();
    let mut threads: Vec<_> = per_thread.into_iter().collect();
    threads.sort_by_key(|(key, _)| *key);
    for ((pid, tid), samples) in &threads {
        let key = names.thread(&mut b, *pid, *tid);
        let thread = b.thread(key);
        for (i, &(ts, sf)) in samples.iter().enumerate() {
            let next = samples.get(i + 1).map_or(ts, |n| n.0);
            let weight = next - ts;
            if weight <= 0.0 {
                continue;
            }
            let stack = stack_of(&mut b, &table, &mut memo, sf).ok_or_else(|| {
                ImportError::invalid(
                    path,
                    format!("a sample of pid {pid} tid {tid} names stack frame {sf}, which is not in \"stackFrames\""),
                )
            })?;
            let time = (ts * 1e3).max(0.0).round() as u64;
            b.sample(thread, event, Some(time), stack, weight * 1e3);
        }
    }
    let meta = ProfileMeta::default();
    Ok(b.finish(meta))
}

/// The stack of frame `sf`, memoised; `None` when a frame of the chain does not exist. The walk is
/// a loop bounded by the table size, so a parent cycle ends.
fn stack_of(
    b: &mut ProfileBuilder,
    table: &FastMap<i64, StackFrame<'_>>,
    memo: &mut FastMap<i64, StackId>,
    sf: i64,
) -> Option<StackId> {
    let mut chain = Vec::new();
    let mut cur = sf;
    let mut base = StackId::EMPTY;
    while cur != 0 {
        if let Some(&s) = memo.get(&cur) {
            base = s;
            break;
        }
        let f = table.get(&cur)?;
        chain.push(cur);
        if chain.len() > table.len() {
            break;
        }
        cur = f.parent.unwrap_or(0);
    }
    let mut stack = base;
    for id in chain.iter().rev() {
        let f = table.get(id)?;
        let name = b.intern(f.name);
        let module = f.category.map(|c| b.intern(c));
        let frame = b.frame(Frame {
            module,
            ..Frame::named(name)
        });
        stack = b.stack(stack, frame);
        memo.insert(*id, stack);
    }
    Some(stack)
}
