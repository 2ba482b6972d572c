//! speedscope's JSON file format (<https://www.speedscope.app/file-format-schema.json>), written.
//!
//! Why this format: speedscope opens it in a browser with no install, and bigflame imports it, so it
//! is the lossless hand-off between the two. Mapping (the importer reverses it):
//!
//! * `shared.frames`: every frame referenced by an exported sample, in frame-id order, with `name`,
//!   `file`, `line`, `col` (0 = unknown is left out). Module and kind have no place in the format;
//! * one `"type": "sampled"` profile per (thread, event) that has samples, named after the thread
//!   (`comm pid/tid`; `label [event]` when several events are written), samples in the profile's
//!   order, each a frame-index list from the root to the leaf (`[]` for an idle sample), with its
//!   weight; `endValue - startValue` is the total weight, `startValue` the first sample's time
//!   for time profiles with timestamps (else 0);
//! * `unit`: `nanoseconds` for time, `bytes` for memory, `none` for counts (samples and events:
//!   speedscope has no word for a perf period);
//! * sample timestamps have no place in sampled profiles and are not written.
//!
//! Memory: the document is streamed; only a frame-index map and a per-stack flag are kept.

use super::escape::{json_num, json_str};
use bigflame_model::{EventId, FrameId, Profile, StackId, ThreadId, WeightUnit};
use std::io::{self, Write};

/// What [`write_speedscope`] writes.
#[derive(Clone, Debug, Default)]
pub struct SpeedscopeOptions {
    /// Threads to write (empty: all, in profile order).
    pub threads: Vec<ThreadId>,
    /// Events to write (empty: all, in profile order).
    pub events: Vec<EventId>,
    /// The document's name (speedscope's title), e.g. the input file name.
    pub name: String,
}

/// speedscope's `unit` for a weight unit.
pub fn unit_name(unit: WeightUnit) -> &'static str {
    match unit {
        WeightUnit::Nanoseconds => "nanoseconds",
        WeightUnit::Bytes => "bytes",
        WeightUnit::Samples | WeightUnit::Events => "none",
    }
}

/// Writes `profile` as a speedscope JSON document.
pub fn write_speedscope(
    profile: &Profile,
    opts: &SpeedscopeOptions,
    out: &mut impl Write,
) -> io::Result<()> {
    let threads: Vec<ThreadId> = if opts.threads.is_empty() {
        bigflame_model::all_threads(profile)
    } else {
        opts.threads.clone()
    };
    let events: Vec<EventId> = if opts.events.is_empty() {
        (0..profile.events.len()).map(EventId::from_index).collect()
    } else {
        opts.events.clone()
    };
    let columns: Vec<(ThreadId, EventId)> = threads
        .iter()
        .flat_map(|&t| events.iter().map(move |&e| (t, e)))
        .filter(|&(t, e)| {
            profile
                .threads
                .get(t.index())
                .is_some_and(|th| !th.samples(e).is_empty())
        })
        .collect();
    let index = frame_index(profile, &columns);

    let mut w = io::BufWriter::with_capacity(1 << 16, out);
    w.write_all(b"{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\n")?;
    w.write_all(b"\"shared\":{\"frames\":[")?;
    let mut first = true;
    for (id, slot) in index.iter().enumerate() {
        if *slot == u32::MAX {
            continue;
        }
        if !first {
            w.write_all(b",")?;
        }
        first = false;
        write_frame(&mut w, profile, FrameId::from_index(id))?;
    }
    w.write_all(b"]},\n\"profiles\":[")?;
    let mut path: Vec<u32> = Vec::new();
    for (i, &(t, e)) in columns.iter().enumerate() {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        let mut name = profile.thread_label(t);
        if events.len() > 1 {
            name = format!("{name} [{}]", profile.events[e.index()].name);
        }
        let cols = profile.thread(t).samples(e);
        let unit = profile.events[e.index()].unit;
        // Time profiles start at their first sample, so a re-import keeps the time origin.
        let start = match (unit, cols.time_ns.first()) {
            (WeightUnit::Nanoseconds, Some(&t0)) if cols.has_time() => t0 as f64,
            _ => 0.0,
        };
        w.write_all(b"{\"type\":\"sampled\",\"name\":")?;
        json_str(&mut w, &name)?;
        write!(w, ",\"unit\":\"{}\",\"startValue\":", unit_name(unit))?;
        json_num(&mut w, start)?;
        w.write_all(b",\"endValue\":")?;
        json_num(&mut w, start + cols.total_weight())?;
        w.write_all(b",\"samples\":[")?;
        for (k, &stack) in cols.stack.iter().enumerate() {
            if k > 0 {
                w.write_all(b",")?;
            }
            write_stack(&mut w, profile, &index, stack, &mut path)?;
        }
        w.write_all(b"],\"weights\":[")?;
        for (k, &weight) in cols.weight.iter().enumerate() {
            if k > 0 {
                w.write_all(b",")?;
            }
            json_num(&mut w, weight)?;
        }
        w.write_all(b"]}")?;
    }
    w.write_all(b"],\n\"name\":")?;
    json_str(&mut w, &opts.name)?;
    writeln!(
        w,
        ",\"activeProfileIndex\":0,\"exporter\":\"bigflame@{}\"}}",
        env!("CARGO_PKG_VERSION")
    )?;
    w.flush()
}

/// The speedscope index of every frame (`u32::MAX` for frames no exported sample reaches), dense
/// and in frame-id order.
fn frame_index(profile: &Profile, columns: &[(ThreadId, EventId)]) -> Vec<u32> {
    let stacks = &profile.stacks;
    let mut used = vec![false; stacks.len()];
    for &(t, e) in columns {
        for s in &profile.thread(t).samples(e).stack {
            if let Some(u) = used.get_mut(s.index()).filter(|_| !s.is_empty()) {
                *u = true;
            }
        }
    }
    // Children have larger ids than their parents: one backward pass marks every caller.
    let mut index = vec![u32::MAX; profile.frames.len()];
    for s in (0..used.len()).rev() {
        if !used[s] {
            continue;
        }
        let parent = stacks.parents()[s];
        if !parent.is_empty() {
            used[parent.index()] = true;
        }
        if let Some(slot) = index.get_mut(stacks.frames()[s].index()) {
            *slot = 0;
        }
    }
    let mut next = 0;
    for slot in &mut index {
        if *slot == 0 {
            *slot = next;
            next += 1;
        }
    }
    index
}

fn write_frame(w: &mut impl Write, profile: &Profile, id: FrameId) -> io::Result<()> {
    let f = profile.frames.get(id);
    w.write_all(b"{\"name\":")?;
    json_str(w, profile.strings.get(f.name))?;
    if let Some(file) = f.file {
        w.write_all(b",\"file\":")?;
        json_str(w, profile.strings.get(file))?;
    }
    if f.line > 0 {
        write!(w, ",\"line\":{}", f.line)?;
    }
    if f.column > 0 {
        write!(w, ",\"col\":{}", f.column)?;
    }
    w.write_all(b"}")
}

/// `[root, ..., leaf]` frame indices of `stack`.
fn write_stack(
    w: &mut impl Write,
    profile: &Profile,
    index: &[u32],
    stack: StackId,
    path: &mut Vec<u32>,
) -> io::Result<()> {
    path.clear();
    let mut cur = stack;
    while !cur.is_empty() {
        path.push(index[profile.stacks.frame(cur).index()]);
        cur = profile.stacks.parent(cur);
    }
    w.write_all(b"[")?;
    for (i, f) in path.iter().rev().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write!(w, "{f}")?;
    }
    w.write_all(b"]")
}

#[cfg(test)]
mod tests {
    use super::*;
    use bigflame_model::{Frame, ProfileBuilder, ProfileMeta, ThreadKey};

    #[test]
    fn writes_the_documented_shape() {
        let mut b = ProfileBuilder::new();
        let e = b.event("cpu-clock", WeightUnit::Nanoseconds);
        let (main, work, unused) = (b.intern("main"), b.intern("work \"q\""), b.intern("unused"));
        let file = b.intern("src/main.rs");
        let fu = b.frame(Frame::named(unused));
        let fm = b.frame(Frame {
            file: Some(file),
            line: 3,
            column: 7,
            ..Frame::named(main)
        });
        let fw = b.frame(Frame::named(work));
        let _ = b.stack(StackId::EMPTY, fu);
        let sm = b.stack(StackId::EMPTY, fm);
        let sw = b.stack(sm, fw);
        let name = b.intern("app");
        let t = b.thread(ThreadKey {
            pid: Some(1),
            tid: Some(2),
            name,
        });
        b.sample(t, e, Some(10), sw, 1500.0);
        b.sample(t, e, Some(20), StackId::EMPTY, 0.5);
        b.sample(t, e, Some(30), sm, 2.0);
        let p = b.finish(ProfileMeta::default());
        let mut out = Vec::new();
        let opts = SpeedscopeOptions {
            name: "x.txt".into(),
            ..Default::default()
        };
        write_speedscope(&p, &opts, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        // Written out by hand from the format's schema.
        let expected = concat!(
            "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\n",
            "\"shared\":{\"frames\":[{\"name\":\"main\",\"file\":\"src/main.rs\",\"line\":3,\"col\":7},",
            "{\"name\":\"work \\\"q\\\"\"}]},\n",
            "\"profiles\":[{\"type\":\"sampled\",\"name\":\"app 1/2\",\"unit\":\"nanoseconds\",",
            "\"startValue\":10,\"endValue\":1512.5,\"samples\":[[0,1],[],[0]],\"weights\":[1500,0.5,2]}],\n",
            "\"name\":\"x.txt\",\"activeProfileIndex\":0,\"exporter\":\"bigflame@"
        );
        assert!(text.starts_with(expected), "{text}");
        assert!(text.ends_with("\"}\n"));
    }

    #[test]
    fn units() {
        assert_eq!(unit_name(WeightUnit::Bytes), "bytes");
        assert_eq!(unit_name(WeightUnit::Events), "none");
        assert_eq!(unit_name(WeightUnit::Samples), "none");
    }
}
