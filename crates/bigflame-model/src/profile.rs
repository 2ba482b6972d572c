//! The profile: tables plus per-thread, per-event sample columns.
//!
//! Why per-event columns: one `perf record -e cycles,instructions` file holds two incomparable
//! measurements. Mixing them produces a misleading picture, so each event keeps its own samples and a
//! view shows one event at a time (the first one by default, as FlameGraph and inferno do).

use crate::frames::FrameTable;
use crate::ids::{EventId, StackId, StringId, ThreadId};
use crate::stacks::StackTable;
use crate::strings::StringTable;
use crate::weights::Weights;

/// What a sample weight counts.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum WeightUnit {
    /// Number of samples (each sample weighs 1 unless a count says otherwise).
    #[default]
    Samples,
    /// Occurrences of a hardware or software event (cycles, instructions, page faults: perf periods).
    Events,
    /// Wall or CPU time in nanoseconds.
    Nanoseconds,
    /// Memory in bytes.
    Bytes,
}

impl WeightUnit {
    /// The lowercase name used in `info --json` and the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            WeightUnit::Samples => "samples",
            WeightUnit::Events => "events",
            WeightUnit::Nanoseconds => "nanoseconds",
            WeightUnit::Bytes => "bytes",
        }
    }

    /// Formats a weight in this unit for people (`1.25 s`, `3.4 MiB`, `12,345 samples`).
    pub fn format(self, weight: f64) -> String {
        match self {
            WeightUnit::Nanoseconds => {
                let (v, u) = if weight >= 1e9 {
                    (weight / 1e9, "s")
                } else if weight >= 1e6 {
                    (weight / 1e6, "ms")
                } else if weight >= 1e3 {
                    (weight / 1e3, "µs")
                } else {
                    (weight, "ns")
                };
                format!("{v:.2} {u}")
            }
            WeightUnit::Bytes => {
                let units = ["B", "KiB", "MiB", "GiB", "TiB"];
                let mut v = weight;
                let mut i = 0;
                while v >= 1024.0 && i + 1 < units.len() {
                    v /= 1024.0;
                    i += 1;
                }
                if i == 0 {
                    format!("{v:.0} B")
                } else {
                    format!("{v:.2} {}", units[i])
                }
            }
            WeightUnit::Samples | WeightUnit::Events => {
                let word = if self == WeightUnit::Samples {
                    "samples"
                } else {
                    "events"
                };
                if weight.fract() == 0.0 && weight.abs() < 1e15 {
                    format!("{} {word}", group_thousands(weight as i64))
                } else {
                    format!("{weight:.2} {word}")
                }
            }
        }
    }
}

fn group_thousands(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if v < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// One kind of measurement in the profile.
#[derive(Clone, PartialEq, Debug)]
pub struct EventType {
    /// The event name (`cycles`, `cpu-clock`, `samples`, `alloc_space`...).
    pub name: String,
    /// What its weights count.
    pub unit: WeightUnit,
    /// True when each sample is an interval: it starts at its timestamp and its weight is its
    /// duration in nanoseconds (profiles made from begin/end events). Time Order then lays samples
    /// out as exact intervals instead of "until the next sample".
    pub intervals: bool,
}

/// The samples of one thread for one event, as parallel columns.
///
/// Samples are kept in input order, which for every supported format is time order per thread.
#[derive(Clone, Default, Debug, PartialEq)]
pub struct SampleColumns {
    /// Timestamp of each sample in nanoseconds (from the profile's own clock); empty when the format
    /// has no timestamps (folded stacks), in which case views lay samples out by cumulative weight.
    pub time_ns: Vec<u64>,
    /// The stack of each sample ([`StackId::EMPTY`] for an idle sample).
    pub stack: Vec<StackId>,
    /// The weight of each sample, in the event's unit (one value stored once while all are equal).
    pub weight: Weights,
}

impl SampleColumns {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.stack.len()
    }

    /// True when there is no sample.
    pub fn is_empty(&self) -> bool {
        self.stack.is_empty()
    }

    /// True when every sample has a timestamp.
    pub fn has_time(&self) -> bool {
        !self.stack.is_empty() && self.time_ns.len() == self.stack.len()
    }

    /// Sum of all weights.
    pub fn total_weight(&self) -> f64 {
        self.weight.sum()
    }

    /// Appends one sample. `time_ns` is ignored (and timestamps are dropped for the whole column) once a
    /// sample without time was pushed, so the column is either complete or empty.
    #[inline]
    pub fn push(&mut self, time_ns: Option<u64>, stack: StackId, weight: f64) {
        match time_ns {
            Some(t) if self.time_ns.len() == self.stack.len() => self.time_ns.push(t),
            _ => self.time_ns.clear(),
        }
        self.stack.push(stack);
        self.weight.push(weight);
    }

    /// Appends every sample of `other`, keeping the time column consistent.
    pub fn extend_from(
        &mut self,
        other: &SampleColumns,
        mut map_stack: impl FnMut(StackId) -> StackId,
    ) {
        let self_timed = self.time_ns.len() == self.stack.len();
        let other_timed = other.time_ns.len() == other.stack.len();
        if self_timed && other_timed {
            self.time_ns.extend_from_slice(&other.time_ns);
        } else {
            self.time_ns.clear();
            self.time_ns.shrink_to_fit();
        }
        self.stack.extend(other.stack.iter().map(|&s| map_stack(s)));
        self.weight.extend_from(&other.weight);
    }
}

/// A thread (or, for formats without threads, a profile-wide pseudo-thread).
#[derive(Clone, Debug, PartialEq)]
pub struct Thread {
    /// Process id when known.
    pub pid: Option<u32>,
    /// Thread id when known.
    pub tid: Option<u32>,
    /// The thread or process name (perf's `comm`).
    pub name: StringId,
    /// Samples, one column set per event: `samples[e]` belongs to `Profile::events[e]`.
    pub samples: Vec<SampleColumns>,
}

impl Thread {
    /// The samples of one event (empty if the thread has none for it).
    pub fn samples(&self, event: EventId) -> &SampleColumns {
        static EMPTY: SampleColumns = SampleColumns {
            time_ns: Vec::new(),
            stack: Vec::new(),
            weight: Weights::new(),
        };
        self.samples.get(event.index()).unwrap_or(&EMPTY)
    }
}

/// Why a record was skipped during import.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum SkipReason {
    /// A line the importer could not parse.
    MalformedLine,
    /// A sample header without a usable stack or with a broken field.
    MalformedSample,
    /// A sample of an event type other than the selected one (perf collapse filtering).
    OtherEvent,
    /// The input ended in the middle of a record.
    Truncated,
    /// A line or value that is not valid UTF-8 where text was required (kept lossily where possible).
    InvalidUtf8,
}

impl SkipReason {
    /// A short description.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::MalformedLine => "malformed line",
            SkipReason::MalformedSample => "malformed sample",
            SkipReason::OtherEvent => "other event type",
            SkipReason::Truncated => "truncated record",
            SkipReason::InvalidUtf8 => "invalid UTF-8",
        }
    }
}

/// Counts of skipped records per reason, with the first place each reason occurred.
#[derive(Clone, Default, Debug, PartialEq)]
pub struct Skipped {
    /// `(reason, count, first location such as "line 12" or "byte 4096", first offending text)`,
    /// sorted by reason.
    pub entries: Vec<(SkipReason, u64, String, String)>,
}

impl Skipped {
    /// Records one skipped record. `location` and `excerpt` are kept only for the first occurrence.
    pub fn add(&mut self, reason: SkipReason, location: impl FnOnce() -> String, excerpt: &[u8]) {
        self.add_many(reason, 1, location, excerpt);
    }

    /// Records `count` skipped records of one reason.
    pub fn add_many(
        &mut self,
        reason: SkipReason,
        count: u64,
        location: impl FnOnce() -> String,
        excerpt: &[u8],
    ) {
        if count == 0 {
            return;
        }
        match self.entries.binary_search_by(|e| e.0.cmp(&reason)) {
            Ok(i) => self.entries[i].1 += count,
            Err(i) => {
                let cut = &excerpt[..excerpt.len().min(120)];
                let text = String::from_utf8_lossy(cut).into_owned();
                self.entries.insert(i, (reason, count, location(), text));
            }
        }
    }

    /// Merges counts from a later chunk (first locations of `self` win).
    pub fn merge(&mut self, other: &Skipped) {
        for (reason, count, loc, text) in &other.entries {
            self.add_many(*reason, *count, || loc.clone(), text.as_bytes());
        }
    }

    /// Total number of skipped records.
    pub fn total(&self) -> u64 {
        self.entries.iter().map(|e| e.1).sum()
    }
}

/// Facts about where the profile came from.
#[derive(Clone, Default, Debug, PartialEq)]
pub struct ProfileMeta {
    /// The importer that read it (`perf-script`, `folded`, ...).
    pub format: String,
    /// The file name or `-` for stdin.
    pub source: String,
    /// Records skipped while importing.
    pub skipped: Skipped,
    /// Notes for the user about approximations the importer had to make.
    pub notes: Vec<String>,
}

/// A whole profile.
#[derive(Clone, Default, Debug)]
pub struct Profile {
    /// Where it came from.
    pub meta: ProfileMeta,
    /// Interned text.
    pub strings: StringTable,
    /// Unique frames.
    pub frames: FrameTable,
    /// Unique stacks.
    pub stacks: StackTable,
    /// Event types; `threads[t].samples[e]` belongs to `events[e]`.
    pub events: Vec<EventType>,
    /// Threads in first-seen order.
    pub threads: Vec<Thread>,
}

impl Profile {
    /// The event shown by default: the first one.
    pub fn default_event(&self) -> EventId {
        EventId(0)
    }

    /// Finds an event by name.
    pub fn event_by_name(&self, name: &str) -> Option<EventId> {
        self.events
            .iter()
            .position(|e| e.name == name)
            .map(EventId::from_index)
    }

    /// Number of samples of one event over all threads.
    pub fn sample_count(&self, event: EventId) -> usize {
        self.threads.iter().map(|t| t.samples(event).len()).sum()
    }

    /// Total weight of one event over all threads.
    pub fn total_weight(&self, event: EventId) -> f64 {
        self.threads
            .iter()
            .map(|t| t.samples(event).total_weight())
            .sum()
    }

    /// `(min, max)` timestamp over all threads for one event, if the samples have times.
    pub fn time_span_ns(&self, event: EventId) -> Option<(u64, u64)> {
        let mut span: Option<(u64, u64)> = None;
        for t in &self.threads {
            let s = t.samples(event);
            if !s.has_time() {
                continue;
            }
            for &ts in &s.time_ns {
                span = Some(match span {
                    None => (ts, ts),
                    Some((a, b)) => (a.min(ts), b.max(ts)),
                });
            }
        }
        span
    }

    /// The name of a frame.
    pub fn frame_name(&self, frame: crate::FrameId) -> &str {
        self.strings.get(self.frames.get(frame).name)
    }

    /// A thread by id.
    pub fn thread(&self, id: ThreadId) -> &Thread {
        &self.threads[id.index()]
    }

    /// A readable label for a thread: `comm pid/tid`.
    pub fn thread_label(&self, id: ThreadId) -> String {
        let t = self.thread(id);
        let name = self.strings.get(t.name);
        match (t.pid, t.tid) {
            (Some(p), Some(tid)) if p != tid => format!("{name} {p}/{tid}"),
            (_, Some(tid)) => format!("{name} {tid}"),
            (Some(p), None) => format!("{name} {p}"),
            (None, None) => name.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_format_for_people() {
        assert_eq!(WeightUnit::Samples.format(1234567.0), "1,234,567 samples");
        assert_eq!(WeightUnit::Nanoseconds.format(1_500_000.0), "1.50 ms");
        assert_eq!(WeightUnit::Bytes.format(3.0 * 1024.0 * 1024.0), "3.00 MiB");
        assert_eq!(WeightUnit::Bytes.format(12.0), "12 B");
        assert_eq!(WeightUnit::Events.format(2.5), "2.50 events");
    }

    #[test]
    fn time_column_is_all_or_nothing() {
        let mut s = SampleColumns::default();
        s.push(Some(5), StackId(0), 1.0);
        assert!(s.has_time());
        s.push(None, StackId(0), 1.0);
        assert!(!s.has_time());
        s.push(Some(9), StackId(0), 1.0);
        assert!(!s.has_time());
        assert_eq!(s.total_weight(), 3.0);
    }

    #[test]
    fn skipped_keeps_first_location() {
        let mut k = Skipped::default();
        k.add(SkipReason::MalformedLine, || "line 3".into(), b"junk");
        k.add(SkipReason::MalformedLine, || "line 9".into(), b"more");
        k.add(SkipReason::Truncated, || "byte 10".into(), b"");
        assert_eq!(k.total(), 3);
        assert_eq!(k.entries[0].1, 2);
        assert_eq!(k.entries[0].2, "line 3");
    }
}
