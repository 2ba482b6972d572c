//! The chunk parser: `perf script` bytes → one [`ProfileBuilder`].
//!
//! Why it is built around caches: a long recording repeats the same few thousand call-chain lines
//! millions of times, and perf prints an identical line as byte-identical text (apart from the
//! address). So the parser works out as little as it can, cheapest first:
//!
//! * the **header** is matched against the last few headers of the chunk (`fast_header.rs`): only
//!   its timestamp and period are read; the thread and event are known;
//! * the **rest of the block** after the leaf line is compared, in one `memcmp`, with what followed
//!   the same leaf line the last two times (`tail_memo` in `stack_cache.rs`): kernel and
//!   frame-pointer stacks print the same return addresses each time, so ~45% of the samples of a
//!   real capture take their stack from there without reading their callers;
//! * otherwise each **line** is compared with the one predicted (the line that followed the previous
//!   line last time, or the thread's last leaf line), else hashed and looked up by its text after
//!   the address, and the whole chain's stack comes from a per-chunk **chain memo**; only a line
//!   never seen in the chunk is parsed, and each distinct `symbol (module)` pair is named once.
//!
//! No allocation happens per sample or per line on these paths.
//!
//! Record grammar (see also `header.rs` and `frame_line.rs`): a record is a header line followed by
//! call-chain lines up to an empty line (or `\r` alone) or the end of the input. Lines starting with
//! `#` between records are comments. A header that prints a frame on its own line ends its record at
//! once. A line where a header was expected but that is not one is skipped and counted as
//! [`SkipReason::MalformedSample`] ("weird event line"); a call-chain line that is not a frame is
//! skipped and counted as [`SkipReason::MalformedLine`] ("weird stack line"); both record the absolute
//! byte offset of their first occurrence. A truncated last record is kept with the frames read so far.

#[path = "block_memo.rs"]
mod block_memo;
#[path = "fast_header.rs"]
mod fast_header;
#[path = "stack_cache.rs"]
mod stack_cache;

use super::frame_line::parse_frame_line;
use super::header::{Header, parse_header_after};
use super::{Flavour, PerfOptions};
use bigflame_model::{
    EventId, FastHasher, FrameId, FrameKind, ProfileBuilder, SkipReason, StackId, ThreadId,
    ThreadKey, WeightUnit,
};
use block_memo::{BlockEntry, Tails};
use hashbrown::HashTable;
use stack_cache::{LineEntry, RawEntry, RawInfo};
use std::hash::BuildHasher;

/// The offset of the first record that starts at or after `from`.
///
/// A record starts at a line that follows an empty line (`\n\n` or `\n\r\n`) and does not begin with
/// whitespace or `#`; offset 0 is always a record start. Returns `data.len()` when no record starts in
/// `data[from..]`. Cutting the input at offsets returned by this function never splits a record, so
/// chunks can be parsed independently with [`parse_chunk`] and merged in order.
pub fn next_record_boundary(data: &[u8], from: usize) -> usize {
    if from == 0 {
        return 0;
    }
    let mut search = from - 1;
    while search < data.len() {
        let Some(rel) = memchr::memchr(b'\n', &data[search..]) else {
            return data.len();
        };
        let nl = search + rel;
        let start = nl + 1;
        search = start;
        if start < from || start >= data.len() {
            continue;
        }
        let prev_blank = (nl >= 1 && data[nl - 1] == b'\n')
            || (nl >= 2 && data[nl - 1] == b'\r' && data[nl - 2] == b'\n');
        if prev_blank && !matches!(data[start], b' ' | b'\t' | b'\r' | b'\n' | b'#') {
            return start;
        }
    }
    data.len()
}

/// Parses one record-aligned chunk of `perf script` text into a builder.
///
/// `data` must start at offset 0 of the input or at an offset returned by [`next_record_boundary`],
/// and end at such an offset or at the end of the input. `base_offset` is the absolute offset of
/// `data[0]` in the whole input, used only for the locations of skipped lines. Never panics on bad
/// input: malformed lines are skipped and counted in [`ProfileBuilder::skipped`].
pub fn parse_chunk(data: &[u8], base_offset: u64, opts: &PerfOptions) -> ProfileBuilder {
    ChunkParser::new(data, base_offset, opts).run()
}

/// A thread seen before; its key bytes are `thread_keys[key.0..key.0 + key.1]` (a small hot buffer).
struct ThreadEntry {
    hash: u64,
    key: (usize, usize),
    id: ThreadId,
    java: bool,
}

struct EventEntry {
    token: Box<[u8]>,
    /// `None` when `--event-filter` excludes it.
    id: Option<EventId>,
}

struct ChunkParser<'a> {
    data: &'a [u8],
    base: u64,
    opts: &'a PerfOptions,
    hasher: FastHasher,
    b: ProfileBuilder,
    raw_lines: HashTable<RawEntry>,
    raw_keys: Vec<u8>,
    raw_info: Vec<RawInfo>,
    /// Per raw line: the last blocks it was the leaf of (see `tail_memo`).
    tails: Vec<Tails>,
    /// Frame ranges and raw-line ids of the lines of the block being parsed (leaf first).
    ranges: Vec<((u32, u32), u32)>,
    /// Call chains seen before (see [`BlockEntry`]), their raw-line ids and a scratch buffer.
    blocks: HashTable<BlockEntry>,
    block_keys: Vec<u32>,
    block_ids: Vec<u32>,
    /// Headers the fast path recognises, most recent first (see `fast_header.rs`).
    known: Vec<fast_header::KnownHeader>,
    /// The block just read: its leaf line's raw id and the `(offset, len)` of the rest of the
    /// block through the empty line that ended it (`u32::MAX` when it did not end with one).
    tail: (u32, usize, usize),
    /// Per thread (builder index): the raw-line id of its last sample's leaf line.
    thread_leaf: Vec<u32>,
    lines: HashTable<LineEntry>,
    line_keys: Vec<u8>,
    arena: Vec<FrameId>,
    threads: HashTable<ThreadEntry>,
    thread_keys: Vec<u8>,
    events: Vec<EventEntry>,
    names: Vec<(String, FrameKind)>,
    /// Samples of filtered-out events: count and first header `(offset, len)`.
    other_events: (u64, Option<(usize, usize)>),
    /// Start of the next line to read.
    pos: usize,
    /// The thread of the previous sample: its key `(offset, len)` in `data`, id and java flag
    /// (consecutive samples are usually of the same thread, which then skips the thread table).
    last_thread: Option<((usize, usize), ThreadId, bool)>,
}

/// Offset of `sub` inside `data` (both from the same allocation).
#[inline]
fn offset_in(data: &[u8], sub: &[u8]) -> usize {
    (sub.as_ptr() as usize).saturating_sub(data.as_ptr() as usize)
}

/// `a == b` for the short keys of the caches, without a call into libc's `memcmp` (whose call
/// overhead dominated comparing ~40-byte keys millions of times).
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let word = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or([0; 8]));
    let mut i = 0;
    while i + 8 < n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

#[inline]
fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'))
}

/// The event name kept in the model: FlameGraph keeps perf's token (`cpu-clock:uhH`); inferno drops
/// the modifier suffix (`cpu-clock`), so `cycles:u` and `cycles` are one event.
fn event_name(token: &[u8], flavour: Flavour) -> String {
    let token = String::from_utf8_lossy(token);
    if token.is_empty() {
        return "samples".to_string();
    }
    if flavour == Flavour::Inferno
        && let Some((base, modifiers)) = token.rsplit_once(':')
        && !base.is_empty()
        && modifiers.bytes().all(|b| b"ukhHGIpPSDWe".contains(&b))
    {
        return base.to_string();
    }
    token.into_owned()
}

impl<'a> ChunkParser<'a> {
    fn new(data: &'a [u8], base: u64, opts: &'a PerfOptions) -> Self {
        ChunkParser {
            data,
            base,
            opts,
            hasher: FastHasher::default(),
            b: ProfileBuilder::new(),
            raw_lines: HashTable::new(),
            raw_keys: Vec::new(),
            raw_info: Vec::new(),
            tails: Vec::new(),
            ranges: Vec::new(),
            thread_leaf: Vec::new(),
            tail: (u32::MAX, 0, 0),
            known: Vec::with_capacity(4),
            blocks: HashTable::new(),
            block_keys: Vec::new(),
            block_ids: Vec::new(),
            lines: HashTable::new(),
            line_keys: Vec::new(),
            arena: Vec::new(),
            threads: HashTable::new(),
            thread_keys: Vec::new(),
            events: Vec::new(),
            names: Vec::new(),
            other_events: (0, None),
            pos: 0,
            last_thread: None,
        }
    }

    /// The next line as `(start, end)` (`end` at its `\n` or the end of the input); requires
    /// `self.pos < data.len()`.
    #[inline]
    fn next_line(&mut self) -> (usize, usize) {
        let len = self.data.len();
        let start = self.pos;
        let end = memchr::memchr(b'\n', &self.data[start..]).map_or(len, |rel| start + rel);
        self.pos = if end < len { end + 1 } else { len };
        (start, end)
    }

    fn run(mut self) -> ProfileBuilder {
        let data = self.data;
        // The headers of the last two threads sampled, most recent first (see `parse_header_after`).
        let mut recent: Vec<Header<'a>> = Vec::with_capacity(3);
        while self.pos < data.len() {
            if let Some(f) = self.fast_header() {
                let k = f.known;
                let fields = (Some(f.time_ns), f.period, None);
                self.record((k.thread, k.java, k.event), fields, f.line);
                continue;
            }
            let (pos, end) = self.next_line();
            let line = &data[pos..end];
            if line.first() == Some(&b'#') || is_blank(line) {
                continue;
            }
            let Some((header, seen)) = parse_header_after(line, &recent) else {
                let loc = self.base + pos as u64;
                self.b
                    .skipped
                    .add(SkipReason::MalformedSample, || format!("byte {loc}"), line);
                continue;
            };
            let (thread, java) = self.thread(&header);
            let ids = (thread, java, self.event(&header));
            self.learn_header((pos, end), &header, ids);
            let fields = (header.time_ns, header.period, header.inline_frame);
            self.record(ids, fields, (pos, line.len()));
            match seen {
                Some(0) => recent[0] = header,
                Some(i) => {
                    recent.remove(i);
                    recent.insert(0, header);
                }
                None => {
                    recent.insert(0, header);
                    recent.truncate(2);
                }
            }
        }
        let (count, first) = self.other_events;
        if let Some((start, len)) = first {
            let loc = self.base + start as u64;
            self.b.skipped.add_many(
                SkipReason::OtherEvent,
                count,
                || format!("byte {loc}"),
                &data[start..start + len],
            );
        }
        self.b
    }

    /// Reads the call-chain lines after a header up to the empty line (or `\r` alone) that ends the
    /// record, or the end of the input. With `keep` (the sample's thread), their frame ranges go to
    /// `self.ranges` (leaf first), and the thread's previous leaf line is the guess for the first
    /// line (a thread often stays in one function from sample to sample); without, the lines are
    /// skipped.
    ///
    /// Returns the block's stack when the lines after the leaf are byte for byte those that
    /// followed the same leaf line last time (see `tail_memo`); they are then skipped unread.
    fn read_block(&mut self, java: bool, keep: Option<ThreadId>) -> Option<StackId> {
        let data = self.data;
        let mut ranges = std::mem::take(&mut self.ranges);
        ranges.clear();
        let mut prev = u32::MAX;
        let mut leaf_end = None;
        let mut ended = false;
        while self.pos < data.len() {
            if ranges.len() == 1 && leaf_end.is_none() {
                leaf_end = Some(self.pos);
                if let Some(stack) = self.tail_memo(prev) {
                    self.ranges = ranges;
                    self.set_thread_leaf(keep, prev);
                    return Some(stack);
                }
            }
            let guess = match (keep, ranges.is_empty()) {
                (None, _) => u32::MAX,
                (Some(t), true) => self.thread_leaf.get(t.index()).copied().unwrap_or(u32::MAX),
                (Some(_), false) => self
                    .raw_info
                    .get(prev as usize)
                    .map_or(u32::MAX, |p| p.next),
            };
            if guess != u32::MAX
                && let Some((frames, id)) = self.predicted_line(java, guess)
            {
                ranges.push((frames, id));
                prev = id;
                continue;
            }
            if data[self.pos] == b'\n' {
                // The empty line that ends the record (most blocks): no `memchr` call.
                self.pos += 1;
                ended = true;
                break;
            }
            let (start, end) = self.next_line();
            let line = &data[start..end];
            if line.is_empty() || line == b"\r" {
                ended = end < data.len();
                break;
            }
            if keep.is_some() {
                let (frames, id) = self.raw_line_frames(start, end, java, prev);
                ranges.push((frames, id));
                prev = id;
            }
        }
        self.tail = match (leaf_end, ranges.first()) {
            (Some(at), Some(&(_, leaf))) if ended => (leaf, at, self.pos - at),
            _ => (u32::MAX, 0, 0),
        };
        if let Some(&(_, leaf)) = ranges.first() {
            self.set_thread_leaf(keep, leaf);
        }
        self.ranges = ranges;
        None
    }

    fn set_thread_leaf(&mut self, keep: Option<ThreadId>, leaf: u32) {
        if let Some(t) = keep {
            if self.thread_leaf.len() <= t.index() {
                self.thread_leaf.resize(t.index() + 1, u32::MAX);
            }
            self.thread_leaf[t.index()] = leaf;
        }
    }

    /// One sample: its thread, java flag and event (`None` when filtered out), its header's time,
    /// period and frame printed on the header line, and the header line's `(start, len)`.
    fn record(
        &mut self,
        (thread, java, event): (ThreadId, bool, Option<EventId>),
        (time_ns, period, inline_frame): (Option<u64>, Option<u64>, Option<&[u8]>),
        (pos, line_len): (usize, usize),
    ) {
        let Some(event) = event else {
            if inline_frame.is_none() {
                let _ = self.read_block(java, None);
            }
            self.other_events.0 += 1;
            self.other_events.1.get_or_insert((pos, line_len));
            return;
        };
        let stack = match inline_frame {
            Some(raw) => {
                let parsed = parse_frame_line(raw);
                let frames = self.frames_of(&parsed, raw, offset_in(self.data, raw), java);
                self.push_frames(StackId::EMPTY, frames)
            }
            None => match self.read_block(java, Some(thread)) {
                Some(stack) => stack,
                None => {
                    let stack = self.block_stack();
                    self.remember_tail(stack);
                    stack
                }
            },
        };
        let weight = period.unwrap_or(1) as f64;
        self.b.sample(thread, event, time_ns, stack, weight);
    }

    fn thread(&mut self, h: &Header<'_>) -> (ThreadId, bool) {
        if let Some(((at, len), id, java)) = self.last_thread
            && same_bytes(&self.data[at..at + len], h.thread_key)
        {
            return (id, java);
        }
        let (id, java) = self.thread_lookup(h);
        let key = (offset_in(self.data, h.thread_key), h.thread_key.len());
        self.last_thread = Some((key, id, java));
        (id, java)
    }

    fn thread_lookup(&mut self, h: &Header<'_>) -> (ThreadId, bool) {
        let hash = self.hasher.hash_one(h.thread_key);
        let keys = &self.thread_keys;
        if let Some(e) = self.threads.find(hash, |e| {
            same_bytes(&keys[e.key.0..e.key.0 + e.key.1], h.thread_key)
        }) {
            return (e.id, e.java);
        }
        let name = self.b.intern(&String::from_utf8_lossy(h.comm));
        let id = self.b.thread(ThreadKey {
            pid: h.pid,
            tid: h.tid,
            name,
        });
        let java = h.comm == b"java";
        let key = (self.thread_keys.len(), h.thread_key.len());
        self.thread_keys.extend_from_slice(h.thread_key);
        self.threads.insert_unique(
            hash,
            ThreadEntry {
                hash,
                key,
                id,
                java,
            },
            |e| e.hash,
        );
        (id, java)
    }

    fn event(&mut self, h: &Header<'_>) -> Option<EventId> {
        if let Some(e) = self.events.iter().find(|e| same_bytes(&e.token, h.event)) {
            return e.id;
        }
        let name = event_name(h.event, self.opts.flavour);
        let wanted = match &self.opts.event_filter {
            Some(filter) => *filter == name || filter.as_bytes() == h.event,
            None => true,
        };
        let unit = event_unit(&name, h.period.is_some());
        let id = wanted.then(|| self.b.event(&name, unit));
        self.events.push(EventEntry {
            token: h.event.into(),
            id,
        });
        id
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;

/// The unit of an event's weights: perf's software clock events (`cpu-clock`, `task-clock`) count
/// nanoseconds, so their periods are time; other periods count occurrences of the event; without a
/// period every sample weighs 1.
fn event_unit(name: &str, has_period: bool) -> WeightUnit {
    let base = name.split_once(':').map_or(name, |(b, _)| b);
    match (has_period, base) {
        (false, _) => WeightUnit::Samples,
        (true, "cpu-clock" | "task-clock") => WeightUnit::Nanoseconds,
        (true, _) => WeightUnit::Events,
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn clock_events_weigh_nanoseconds() {
        assert_eq!(event_unit("cpu-clock", true), WeightUnit::Nanoseconds);
        assert_eq!(event_unit("task-clock:ppp", true), WeightUnit::Nanoseconds);
        assert_eq!(event_unit("cycles", true), WeightUnit::Events);
        assert_eq!(event_unit("cpu-clock", false), WeightUnit::Samples);
    }
}
