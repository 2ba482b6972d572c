//! Building a profile from parallel chunks.
//!
//! Why builders per chunk: parsers split the input at record boundaries and parse chunks on different
//! cores. Each chunk interns into its own [`ProfileBuilder`] with no locking; [`merge_builders`] then walks
//! the builders in input order and remaps local ids to global ones. Because both local and global ids are
//! assigned in first-occurrence order, the merged profile is identical whatever the number of chunks.

use crate::FastMap;
use crate::frames::{Frame, FrameTable};
use crate::ids::{EventId, FrameId, StackId, StringId, ThreadId};
use crate::profile::{EventType, Profile, ProfileMeta, SampleColumns, Skipped, Thread, WeightUnit};
use crate::stacks::StackTable;
use crate::strings::StringTable;

/// Identifies a thread while importing: pid, tid and name (a thread that changes its name after `exec`
/// becomes a second thread, as in FlameGraph's output).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ThreadKey {
    /// Process id when known.
    pub pid: Option<u32>,
    /// Thread id when known.
    pub tid: Option<u32>,
    /// Name in the builder's string table.
    pub name: StringId,
}

/// A profile under construction, local to one chunk of input.
#[derive(Default, Debug)]
pub struct ProfileBuilder {
    /// Local strings.
    pub strings: StringTable,
    /// Local frames (their string ids refer to `strings`).
    pub frames: FrameTable,
    /// Local stacks.
    pub stacks: StackTable,
    /// Local event types in first-seen order.
    pub events: Vec<EventType>,
    /// Local threads in first-seen order.
    pub threads: Vec<Thread>,
    thread_index: FastMap<ThreadKey, ThreadId>,
    /// Records skipped in this chunk.
    pub skipped: Skipped,
}

impl ProfileBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Interns a string.
    pub fn intern(&mut self, s: &str) -> StringId {
        self.strings.intern(s)
    }

    /// Interns a frame.
    pub fn frame(&mut self, frame: Frame) -> FrameId {
        self.frames.intern(frame)
    }

    /// Interns the stack `parent;frame`.
    pub fn stack(&mut self, parent: StackId, frame: FrameId) -> StackId {
        self.stacks.intern(parent, frame)
    }

    /// Returns the id of an event type, adding it if new. The unit of the first occurrence wins.
    pub fn event(&mut self, name: &str, unit: WeightUnit) -> EventId {
        if let Some(i) = self.events.iter().position(|e| e.name == name) {
            return EventId::from_index(i);
        }
        self.events.push(EventType {
            name: name.to_string(),
            unit,
            intervals: false,
        });
        EventId::from_index(self.events.len() - 1)
    }

    /// Returns the id of a thread, adding it if new.
    pub fn thread(&mut self, key: ThreadKey) -> ThreadId {
        let next = ThreadId::from_index(self.threads.len());
        let id = *self.thread_index.entry(key).or_insert(next);
        if id == next {
            self.threads.push(Thread {
                pid: key.pid,
                tid: key.tid,
                name: key.name,
                samples: Vec::new(),
            });
        }
        id
    }

    /// Appends one sample to a thread.
    pub fn sample(
        &mut self,
        thread: ThreadId,
        event: EventId,
        time_ns: Option<u64>,
        stack: StackId,
        weight: f64,
    ) {
        let samples = &mut self.threads[thread.index()].samples;
        if samples.len() <= event.index() {
            samples.resize_with(event.index() + 1, SampleColumns::default);
        }
        samples[event.index()].push(time_ns, stack, weight);
    }

    /// Turns a single builder into a profile without remapping.
    pub fn finish(mut self, meta: ProfileMeta) -> Profile {
        let n_events = self.events.len();
        for t in &mut self.threads {
            t.samples.resize_with(n_events, SampleColumns::default);
        }
        let mut meta = meta;
        meta.skipped.merge(&self.skipped);
        Profile {
            meta,
            strings: self.strings,
            frames: self.frames,
            stacks: self.stacks,
            events: self.events,
            threads: self.threads,
        }
    }
}

/// Merges chunk builders, in input order, into one profile.
///
/// The result is identical to building the whole input in one builder: ids are assigned in
/// first-occurrence order, threads keep first-seen order and samples keep input order.
pub fn merge_builders(builders: Vec<ProfileBuilder>, meta: ProfileMeta) -> Profile {
    let mut iter = builders.into_iter();
    let Some(mut global) = iter.next() else {
        return ProfileBuilder::new().finish(meta);
    };
    for local in iter {
        merge_into(&mut global, local);
    }
    global.finish(meta)
}

fn merge_into(global: &mut ProfileBuilder, local: ProfileBuilder) {
    let string_map: Vec<StringId> = local
        .strings
        .iter()
        .map(|(_, s)| global.strings.intern(s))
        .collect();
    let map_str = |id: StringId| string_map[id.index()];
    let frame_map: Vec<FrameId> = local
        .frames
        .as_slice()
        .iter()
        .map(|f| {
            global.frames.intern(Frame {
                name: map_str(f.name),
                module: f.module.map(map_str),
                file: f.file.map(map_str),
                line: f.line,
                column: f.column,
                kind: f.kind,
            })
        })
        .collect();
    let mut stack_map: Vec<StackId> = Vec::with_capacity(local.stacks.len());
    for (parent, frame) in local.stacks.parents().iter().zip(local.stacks.frames()) {
        // Parents come before children, so the parent is already mapped.
        let gp = if parent.is_empty() {
            StackId::EMPTY
        } else {
            stack_map[parent.index()]
        };
        stack_map.push(global.stacks.intern(gp, frame_map[frame.index()]));
    }
    let event_map: Vec<EventId> = local
        .events
        .iter()
        .map(|e| {
            let id = global.event(&e.name, e.unit);
            global.events[id.index()].intervals |= e.intervals;
            id
        })
        .collect();
    for thread in local.threads {
        let key = ThreadKey {
            pid: thread.pid,
            tid: thread.tid,
            name: map_str(thread.name),
        };
        let gt = global.thread(key);
        for (le, cols) in thread.samples.iter().enumerate() {
            let ge = event_map[le].index();
            let target = &mut global.threads[gt.index()].samples;
            if target.len() <= ge {
                target.resize_with(ge + 1, SampleColumns::default);
            }
            target[ge].extend_from(cols, |s| {
                if s.is_empty() {
                    s
                } else {
                    stack_map[s.index()]
                }
            });
        }
    }
    global.skipped.merge(&local.skipped);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `(thread, event, stack path)` records into a builder.
    fn feed(b: &mut ProfileBuilder, records: &[(&str, &str, &[&str])]) {
        for (i, (thread, event, path)) in records.iter().enumerate() {
            let name = b.intern(thread);
            let t = b.thread(ThreadKey {
                pid: Some(1),
                tid: Some(u32::from(thread.as_bytes()[0])),
                name,
            });
            let e = b.event(event, WeightUnit::Events);
            let mut stack = StackId::EMPTY;
            for f in *path {
                let n = b.intern(f);
                let fid = b.frame(Frame::named(n));
                stack = b.stack(stack, fid);
            }
            b.sample(t, e, Some(i as u64 * 10), stack, 1.0 + i as f64);
        }
    }

    fn dump(p: &Profile) -> Vec<String> {
        let mut out = Vec::new();
        for (ti, t) in p.threads.iter().enumerate() {
            for (ei, cols) in t.samples.iter().enumerate() {
                for i in 0..cols.len() {
                    let path: Vec<_> = p
                        .stacks
                        .path(cols.stack[i])
                        .iter()
                        .map(|f| p.frame_name(*f).to_string())
                        .collect();
                    out.push(format!(
                        "{ti} {} {} {:?} {} {}",
                        p.strings.get(t.name),
                        p.events[ei].name,
                        cols.time_ns.get(i),
                        path.join(";"),
                        cols.weight[i]
                    ));
                }
            }
        }
        out
    }

    #[test]
    fn merging_chunks_equals_one_builder() {
        let records: Vec<(&str, &str, &[&str])> = vec![
            ("a", "cycles", &["main", "f"]),
            ("b", "cycles", &["main", "g"]),
            ("a", "instructions", &["main", "f", "h"]),
            ("c", "cycles", &["start"]),
            ("a", "cycles", &["main", "g"]),
            ("b", "instructions", &[]),
        ];
        let mut whole = ProfileBuilder::new();
        feed(&mut whole, &records);
        let whole = whole.finish(ProfileMeta::default());
        for split in 0..=records.len() {
            // Local times restart per chunk in `feed`, so compare everything but times.
            let mut b1 = ProfileBuilder::new();
            let mut b2 = ProfileBuilder::new();
            feed(&mut b1, &records[..split]);
            feed(&mut b2, &records[split..]);
            let merged = merge_builders(vec![b1, b2], ProfileMeta::default());
            assert_eq!(merged.strings.len(), whole.strings.len(), "split {split}");
            assert_eq!(merged.frames.as_slice(), whole.frames.as_slice());
            assert_eq!(merged.stacks.parents(), whole.stacks.parents());
            assert_eq!(merged.stacks.frames(), whole.stacks.frames());
            assert_eq!(merged.events, whole.events);
            let strip = |v: Vec<String>| -> Vec<String> {
                v.into_iter()
                    .map(|l| {
                        let parts: Vec<_> = l.split(' ').collect();
                        format!("{} {} {} {}", parts[0], parts[1], parts[2], parts[4])
                    })
                    .collect()
            };
            assert_eq!(strip(dump(&merged)), strip(dump(&whole)), "split {split}");
        }
    }

    #[test]
    fn every_thread_has_a_column_per_event() {
        let mut b = ProfileBuilder::new();
        feed(&mut b, &[("a", "x", &["f"]), ("b", "y", &["g"])]);
        let p = b.finish(ProfileMeta::default());
        assert!(p.threads.iter().all(|t| t.samples.len() == 2));
        assert_eq!(p.sample_count(EventId(0)), 1);
        assert_eq!(p.total_weight(EventId(1)), 2.0);
    }
}
