//! The chunk parser: `perf script` bytes → one [`ProfileBuilder`].
//!
//! Why it is built around caches: a long recording repeats the same few hundred thousand call chains
//! millions of times, and perf prints an identical chain as byte-identical text. So the parser hashes
//! the raw text of a sample's call-chain block and looks it up in a table of blocks already seen
//! (verified by comparing bytes with the first occurrence, which stays in the input slice). A hit costs
//! one header parse, one hash and one compare; only a miss parses frame lines, and even then each
//! distinct `symbol (module)` pair is named once per chunk through a second cache. No allocation
//! happens per sample or per line on the hit path.
//!
//! Record grammar (see also `header.rs` and `frame_line.rs`): a record is a header line followed by
//! call-chain lines up to an empty line (or `\r` alone) or the end of the input. Lines starting with
//! `#` between records are comments. A header that prints a frame on its own line ends its record at
//! once. A line where a header was expected but that is not one is skipped and counted as
//! [`SkipReason::MalformedSample`] ("weird event line"); a call-chain line that is not a frame is
//! skipped and counted as [`SkipReason::MalformedLine`] ("weird stack line"); both record the absolute
//! byte offset of their first occurrence. A truncated last record is kept with the frames read so far.

use super::frame_line::{Line, parse_frame_line};
use super::header::{Header, parse_header, trim};
use super::names::frame_names;
use super::{Flavour, PerfOptions};
use bigflame_model::{
    EventId, FastHasher, Frame, FrameId, FrameKind, ProfileBuilder, SkipReason, StackId, ThreadId,
    ThreadKey, WeightUnit,
};
use hashbrown::HashTable;
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

/// A call-chain block seen before: `data[start..start + len]`, parsed into `stack`.
struct StackEntry {
    hash: u64,
    start: usize,
    len: usize,
    java: bool,
    stack: StackId,
    malformed: u64,
}

/// A `symbol (module)` pair seen before, named into `arena[frames.0..frames.1]` (caller first).
struct LineEntry {
    hash: u64,
    symbol: (usize, usize),
    module: (usize, usize),
    pc: (usize, usize),
    java: bool,
    frames: (u32, u32),
}

struct ThreadEntry {
    hash: u64,
    key: Box<[u8]>,
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
    stacks: HashTable<StackEntry>,
    lines: HashTable<LineEntry>,
    arena: Vec<FrameId>,
    threads: HashTable<ThreadEntry>,
    events: Vec<EventEntry>,
    /// Leaf-first frames of the stack being built.
    scratch: Vec<FrameId>,
    names: Vec<(String, FrameKind)>,
    /// Samples of filtered-out events: count and first header `(offset, len)`.
    other_events: (u64, Option<(usize, usize)>),
    /// True when the chunk holds no `\r`, so a record ends exactly at the next `\n\n`.
    lf_only: bool,
    blank_line: memchr::memmem::Finder<'static>,
}

/// Offset of `sub` inside `data` (both from the same allocation).
#[inline]
fn offset_in(data: &[u8], sub: &[u8]) -> usize {
    (sub.as_ptr() as usize).saturating_sub(data.as_ptr() as usize)
}

#[inline]
fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'))
}

/// The line starting at `pos` (without its `\n`) and the offset of the next line.
#[inline]
fn line_at(data: &[u8], pos: usize) -> (&[u8], usize) {
    match memchr::memchr(b'\n', &data[pos..]) {
        Some(rel) => (&data[pos..pos + rel], pos + rel + 1),
        None => (&data[pos..], data.len()),
    }
}

/// The event name kept in the model: FlameGraph keeps perf's token (`cpu-clock:uhH`); inferno drops
/// the modifier suffix (`cpu-clock`), so `cycles:u` and `cycles` are one event.
fn event_name(token: &[u8], flavour: Flavour) -> String {
    let token = String::from_utf8_lossy(token);
    if token.is_empty() {
        return "samples".to_string();
    }
    if flavour == Flavour::Inferno {
        if let Some((base, modifiers)) = token.rsplit_once(':') {
            if !base.is_empty() && modifiers.bytes().all(|b| b"ukhHGIpPSDWe".contains(&b)) {
                return base.to_string();
            }
        }
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
            stacks: HashTable::new(),
            lines: HashTable::new(),
            arena: Vec::new(),
            threads: HashTable::new(),
            events: Vec::new(),
            scratch: Vec::new(),
            names: Vec::new(),
            other_events: (0, None),
            lf_only: memchr::memchr(b'\r', data).is_none(),
            blank_line: memchr::memmem::Finder::new(b"\n\n"),
        }
    }

    fn run(mut self) -> ProfileBuilder {
        let data = self.data;
        let mut pos = 0;
        while pos < data.len() {
            let (line, next) = line_at(data, pos);
            if line.first() == Some(&b'#') || is_blank(line) {
                pos = next;
                continue;
            }
            let Some(header) = parse_header(line) else {
                let loc = self.base + pos as u64;
                self.b
                    .skipped
                    .add(SkipReason::MalformedSample, || format!("byte {loc}"), line);
                pos = next;
                continue;
            };
            let (block, after) = if header.inline_frame.is_some() {
                ((next, next), next)
            } else {
                self.block_after(pos + line.len())
            };
            self.record(&header, pos, line.len(), block);
            pos = after;
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

    /// The call-chain block after the header line whose `\n` is at `header_end` (or which ends the
    /// input there): `((start, end), next_record_search_position)`.
    fn block_after(&self, header_end: usize) -> ((usize, usize), usize) {
        let data = self.data;
        if header_end >= data.len() {
            return ((data.len(), data.len()), data.len());
        }
        let start = header_end + 1;
        if self.lf_only {
            return match self.blank_line.find(&data[header_end..]) {
                Some(rel) => (
                    (start, (header_end + rel + 1).max(start)),
                    header_end + rel + 2,
                ),
                None => ((start, data.len()), data.len()),
            };
        }
        let mut pos = start;
        while pos < data.len() {
            let (line, next) = line_at(data, pos);
            if line.is_empty() || line == b"\r" {
                return ((start, pos), next);
            }
            pos = next;
        }
        ((start, data.len()), data.len())
    }

    fn record(&mut self, h: &Header<'_>, pos: usize, line_len: usize, block: (usize, usize)) {
        let (thread, java) = self.thread(h);
        let Some(event) = self.event(h) else {
            self.other_events.0 += 1;
            self.other_events.1.get_or_insert((pos, line_len));
            return;
        };
        let stack = match h.inline_frame {
            Some(frame) => {
                self.scratch.clear();
                let at = offset_in(self.data, frame);
                let malformed = self.push_line_frames(frame, java);
                self.count_malformed(malformed, frame, at);
                self.intern_scratch()
            }
            None if block.0 >= block.1 => StackId::EMPTY,
            None => self.block_stack(block, java),
        };
        let weight = h.period.unwrap_or(1) as f64;
        self.b.sample(thread, event, h.time_ns, stack, weight);
    }

    fn thread(&mut self, h: &Header<'_>) -> (ThreadId, bool) {
        let hash = self.hasher.hash_one(h.thread_key);
        if let Some(e) = self.threads.find(hash, |e| *e.key == *h.thread_key) {
            return (e.id, e.java);
        }
        let name = self.b.intern(&String::from_utf8_lossy(h.comm));
        let id = self.b.thread(ThreadKey {
            pid: h.pid,
            tid: h.tid,
            name,
        });
        let java = h.comm == b"java";
        self.threads.insert_unique(
            hash,
            ThreadEntry {
                hash,
                key: h.thread_key.into(),
                id,
                java,
            },
            |e| e.hash,
        );
        (id, java)
    }

    fn event(&mut self, h: &Header<'_>) -> Option<EventId> {
        if let Some(e) = self.events.iter().find(|e| *e.token == *h.event) {
            return e.id;
        }
        let name = event_name(h.event, self.opts.flavour);
        let wanted = match &self.opts.event_filter {
            Some(filter) => *filter == name || filter.as_bytes() == h.event,
            None => true,
        };
        let unit = if h.period.is_some() {
            WeightUnit::Events
        } else {
            WeightUnit::Samples
        };
        let id = wanted.then(|| self.b.event(&name, unit));
        self.events.push(EventEntry {
            token: h.event.into(),
            id,
        });
        id
    }

    /// The stack of a call-chain block. The first (leaf) line is named through the line cache: its
    /// address changes from sample to sample even when the call path does not. The callers' lines
    /// (return addresses, stable per path) are looked up as one text in the block cache.
    fn block_stack(&mut self, (start, end): (usize, usize), java: bool) -> StackId {
        let data = self.data;
        let leaf_end = memchr::memchr(b'\n', &data[start..end]).map_or(end, |rel| start + rel);
        let parent = if leaf_end + 1 < end {
            self.callers_stack((leaf_end + 1, end), java)
        } else {
            StackId::EMPTY
        };
        let leaf = &data[start..leaf_end];
        self.scratch.clear();
        let bad = self.push_line_frames(leaf, java);
        self.count_malformed(bad, leaf, start);
        let mut stack = parent;
        for i in (0..self.scratch.len()).rev() {
            stack = self.b.stack(stack, self.scratch[i]);
        }
        stack
    }

    /// The stack of the callers' lines `data[start..end]`, from the block cache or by parsing.
    fn callers_stack(&mut self, (start, end): (usize, usize), java: bool) -> StackId {
        let data = self.data;
        let text = &data[start..end];
        let hash = self.hasher.hash_one(text) ^ u64::from(java).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let found = self.stacks.find(hash, |e| {
            e.len == text.len() && e.java == java && data[e.start..e.start + e.len] == *text
        });
        if let Some(e) = found {
            let (stack, malformed) = (e.stack, e.malformed);
            if malformed > 0 {
                let loc = self.base + start as u64;
                self.b.skipped.add_many(
                    SkipReason::MalformedLine,
                    malformed,
                    || format!("byte {loc}"),
                    b"",
                );
            }
            return stack;
        }
        self.scratch.clear();
        let mut malformed = 0;
        let mut pos = start;
        while pos < end {
            let line_end = memchr::memchr(b'\n', &data[pos..end]).map_or(end, |rel| pos + rel);
            let line = &data[pos..line_end];
            let bad = self.push_line_frames(line, java);
            self.count_malformed(bad, line, pos);
            malformed += bad;
            pos = line_end + 1;
        }
        let stack = self.intern_scratch();
        self.stacks.insert_unique(
            hash,
            StackEntry {
                hash,
                start,
                len: text.len(),
                java,
                stack,
                malformed,
            },
            |e| e.hash,
        );
        stack
    }

    fn count_malformed(&mut self, bad: u64, line: &[u8], at: usize) {
        if bad > 0 {
            let loc = self.base + at as u64;
            self.b.skipped.add(
                SkipReason::MalformedLine,
                || format!("byte {loc}"),
                trim(line),
            );
        }
    }

    /// Interns `scratch` (leaf first) as a stack, root first.
    fn intern_scratch(&mut self) -> StackId {
        let mut stack = StackId::EMPTY;
        for &frame in self.scratch.iter().rev() {
            stack = self.b.stack(stack, frame);
        }
        stack
    }

    /// Pushes the frames of one call-chain line onto `scratch` (leaf first); returns 1 when the line is
    /// malformed, else 0.
    fn push_line_frames(&mut self, raw: &[u8], java: bool) -> u64 {
        let frame = match parse_frame_line(raw) {
            Line::Frame(f) => f,
            Line::Ignored => return 0,
            Line::Malformed => return 1,
        };
        let data = self.data;
        let pc: &[u8] = if self.opts.include_addrs {
            frame.pc
        } else {
            b""
        };
        let hash = {
            use std::hash::{Hash, Hasher};
            let mut h = self.hasher.build_hasher();
            (frame.symbol, frame.module, pc, java).hash(&mut h);
            h.finish()
        };
        let span = |(s, l): (usize, usize)| &data[s..s + l];
        let found = self.lines.find(hash, |e| {
            e.java == java
                && span(e.symbol) == frame.symbol
                && span(e.module) == frame.module
                && span(e.pc) == pc
        });
        let (lo, hi) = match found {
            Some(e) => e.frames,
            None => {
                self.names.clear();
                frame_names(&frame, java, self.opts, &mut self.names);
                let module = (!frame.module.is_empty())
                    .then(|| self.b.intern(&String::from_utf8_lossy(frame.module)));
                let lo = self.arena.len() as u32;
                for (name, kind) in std::mem::take(&mut self.names) {
                    let name = self.b.intern(&name);
                    let id = self.b.frame(Frame {
                        name,
                        module,
                        file: None,
                        line: 0,
                        kind,
                    });
                    self.arena.push(id);
                }
                let hi = self.arena.len() as u32;
                let locate = |s: &[u8]| {
                    if s.is_empty() {
                        (0, 0)
                    } else {
                        (offset_in(data, s), s.len())
                    }
                };
                self.lines.insert_unique(
                    hash,
                    LineEntry {
                        hash,
                        symbol: locate(frame.symbol),
                        module: locate(frame.module),
                        pc: locate(pc),
                        java,
                        frames: (lo, hi),
                    },
                    |e| e.hash,
                );
                (lo, hi)
            }
        };
        // Caller first in the arena; the scratch stack is leaf first.
        for i in (lo..hi).rev() {
            self.scratch.push(self.arena[i as usize]);
        }
        0
    }
}
