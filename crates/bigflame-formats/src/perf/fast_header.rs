//! The header fast path of the chunk parser.
//!
//! Why: a sample header (`comm PID/TID [CPU] secs.frac: period event:`) was the costliest line of a
//! record to parse, ~15% of the parse's instructions, although consecutive samples of a thread
//! differ only in the timestamp (and CPU and period). So the parser remembers the last few headers
//! it parsed the slow way ([`KnownHeader`]: the raw bytes up to the thread key, the raw bytes from
//! the event word to the end of the line, and the thread and event they resolved to). A line that
//! starts with a known prefix followed by a blank and ends with the same event tail only needs its
//! numbers read ([`common_middle`]); the thread and event lookups, the search for the line's end
//! and the scan of the event word are skipped.
//!
//! Why this gives the slow path's result: the slow path, given a line that starts with the thread
//! key of a recent header followed by a blank, takes that header's command and PID/TID (see
//! `parse_header_after`) and then reads the rest with `common_fields`, which is [`common_middle`]
//! followed by a check that the event is the line's last word. A known header is only learnt from
//! a line where that check passed and [`common_middle`] agreed with the slow path; a line with the
//! same event tail passes the same check.

use super::{ChunkParser, offset_in, same_bytes};
use crate::perf::header::{Header, common_middle, is_space, trim_end};
use bigflame_model::{EventId, ThreadId};

/// How many recent headers are remembered (threads interleave on a few CPUs).
const KNOWN: usize = 3;

/// A header parsed the slow way. Offsets are into the chunk's input.
#[derive(Clone, Copy)]
pub(super) struct KnownHeader {
    /// The raw line from its first byte through the thread key: `(offset, len)`.
    prefix: (usize, usize),
    /// The raw line from the event word to its end (without the `\n`): `(offset, len)`.
    tail: (usize, usize),
    pub(super) thread: ThreadId,
    pub(super) java: bool,
    pub(super) event: Option<EventId>,
}

/// A header read by the fast path.
pub(super) struct FastHeader {
    pub(super) known: KnownHeader,
    pub(super) time_ns: u64,
    pub(super) period: Option<u64>,
    /// The line's `(start, len)` in the input.
    pub(super) line: (usize, usize),
}

impl ChunkParser<'_> {
    /// The header at `self.pos` when it matches a known header (then `self.pos` moves past it);
    /// `None` (nothing consumed) otherwise.
    #[inline]
    pub(super) fn fast_header(&mut self) -> Option<FastHeader> {
        let data = self.data;
        let pos = self.pos;
        let rest = &data[pos..];
        for i in 0..self.known.len() {
            let k = self.known[i];
            let (po, pl) = k.prefix;
            let (Some(p), Some(&after)) = (rest.get(..pl), rest.get(pl)) else {
                continue;
            };
            if !is_space(after) || !same_bytes(p, &data[po..po + pl]) {
                continue;
            }
            let Some((time_ns, period, event_at)) = common_middle(rest, pl) else {
                continue;
            };
            let (to, tl) = k.tail;
            let end = event_at + tl;
            let Some(tail) = rest.get(event_at..end) else {
                continue;
            };
            if !matches!(rest.get(end), None | Some(b'\n')) || !same_bytes(tail, &data[to..to + tl])
            {
                continue;
            }
            self.pos = (pos + end + 1).min(data.len());
            if i != 0 {
                self.known.swap(0, i);
            }
            return Some(FastHeader {
                known: k,
                time_ns,
                period,
                line: (pos, end),
            });
        }
        None
    }

    /// Remembers a header parsed the slow way from the line `data[start..end]`, when it is in the
    /// layout the fast path reads and the fast path reads it the same way.
    pub(super) fn learn_header(
        &mut self,
        (start, end): (usize, usize),
        h: &Header<'_>,
        (thread, java, event): (ThreadId, bool, Option<EventId>),
    ) {
        let data = self.data;
        if h.inline_frame.is_some() || h.event.is_empty() || h.time_ns.is_none() {
            return;
        }
        let key_end = offset_in(data, h.thread_key) + h.thread_key.len();
        let event_at = offset_in(data, h.event);
        if !(start < key_end && key_end <= event_at && event_at < end && end <= data.len()) {
            return;
        }
        // The event must be the last word of the line, as `common_fields` requires.
        let word = trim_end(&data[event_at..end]);
        if word.len() != h.event.len() + 1 || word.last() != Some(&b':') {
            return;
        }
        let line = &data[start..];
        let middle = common_middle(line, key_end - start);
        if middle != h.time_ns.map(|t| (t, h.period, event_at - start)) {
            return;
        }
        let known = KnownHeader {
            prefix: (start, key_end - start),
            tail: (event_at, end - event_at),
            thread,
            java,
            event,
        };
        self.known.insert(0, known);
        self.known.truncate(KNOWN);
    }
}
