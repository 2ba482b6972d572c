//! Parallel parse of a big Trace Event list: the event array cut into pieces of whole events, each
//! piece parsed by simd-json on its own core and read into a [`Piece`], merged in file order.
//!
//! Why: a trace is a long flat list of small objects with strings, the shape where one simd-json
//! tape over the whole document (24 bytes per value, plus a padded copy of the input) costs most:
//! one core and hundreds of megabytes of fresh memory. Pieces parse independently, and only compact
//! events survive a piece. Most pieces are read without any tape by [`super::trace_scan`], which
//! checks them as strictly as simd-json; a piece it hands back (metadata events, escaped names,
//! unusual `args`) is parsed on the worker's reused buffer and tape.
//!
//! Where to cut without a structural pass: at a `}` followed by `,`, `{` and `"` or `}` (spaces
//! allowed) after each target offset (escaped JSON inside a string, `},{\"`, does not match). Such
//! a spot can still sit inside a string (one ending in `},{`), so the cut is a guess, and the
//! guess is checked by the parse itself: the first piece starts right after the array's `[`, a real
//! element boundary; a piece that parses as `[` + piece + `]` ends at a real element boundary
//! too (parsing is deterministic, so from the same state the same bytes are read the same way), so
//! by induction every cut is real once every piece has parsed (the scanner reads a piece only
//! where simd-json would, so this holds for both readers). The last piece is parsed as the
//! document's head (up to the `[`) followed by the rest of the document, which checks everything
//! after the array as well. If any piece fails, `None` sends the caller to the whole-document parse,
//! which reports errors with their line and completes truncated traces.
//!
//! Only the common layouts take this path: a root array, or an object whose first key is
//! `traceEvents`. Lists that need the whole document (DevTools CPU profiles, Hermes samples or
//! frames) are detected in the pieces and handed back too.

use super::trace_event::{durations_of, is_hermes_args};
use super::trace_piece::{Piece, read_events};
use super::trace_scan;
use super::{MAX_DEPTH, Val};
use crate::driver::ImportOptions;
use bigflame_model::Profile;
use rayon::prelude::*;
use simd_json::{Buffers, INPUT_PADDING, Tape, fill_tape_padded};

/// Target size of one piece: its copy and tape stay in cache; small traces stay whole.
const PIECE_BYTES: usize = 256 << 10;

/// Imports a trace in pieces, or `None` to take the whole-document path.
pub(crate) fn import_parallel(data: &[u8], opts: &ImportOptions) -> Option<Profile> {
    let (open, in_object) = events_array(data)?;
    let piece = opts.chunk_bytes.clamp(1, PIECE_BYTES);
    let cuts = cut_points(data, open + 1, piece);
    if cuts.is_empty() {
        return None;
    }
    // Piece k runs from the byte after the previous cut (or the `[`) to cut k; the last piece is
    // the document's head followed by everything after the last cut.
    let mut starts = Vec::with_capacity(cuts.len() + 1);
    starts.push(open + 1);
    starts.extend(cuts.iter().map(|c| c + 1));
    let jobs: Vec<usize> = (0..starts.len()).collect();
    // Events of an object's `traceEvents` sit one level deeper in the document than in a piece.
    let depth = MAX_DEPTH - usize::from(in_object);
    let read = |scratch: &mut Scratch, k: usize| {
        let last = k + 1 == starts.len();
        let parts: [&[u8]; 3] = if last {
            [&data[..=open], &data[starts[k]..], b""]
        } else {
            [b"[", &data[starts[k]..cuts[k]], b"]"]
        };
        // Middle pieces are scanned without a tape when the scanner is sure of them; the first
        // piece of a root array stays on the tape, where Hermes traces are told apart.
        if !last
            && (k > 0 || in_object)
            && let Some(piece) = trace_scan::read_piece(&data[starts[k]..cuts[k]])
        {
            return Some(piece);
        }
        let depth = if last { MAX_DEPTH } else { depth };
        scratch.parse(&parts, depth, |root| {
            read_piece(root, last, k == 0 && !in_object)
        })
    };
    // Consecutive pieces in groups (a few per thread), each group on one reused scratch, so the
    // copy and the tape of a piece stay in cache and are not faulted in again.
    super::on_threads(opts.threads, || {
        let group = jobs.len().div_ceil(4 * rayon::current_num_threads()).max(1);
        let pieces = jobs
            .par_chunks(group)
            .map(|ks| {
                let mut scratch = Scratch::default();
                ks.iter()
                    .map(|&k| read(&mut scratch, k))
                    .collect::<Option<Vec<_>>>()
            })
            .collect::<Option<Vec<_>>>()?;
        let pieces: Vec<Piece> = pieces.into_iter().flatten().collect();
        if pieces.iter().any(|p| p.cpu_profile) {
            return None;
        }
        Some(durations_of(pieces))
    })
}

/// The `[` of the event list when the document is an array or an object whose first key is
/// `traceEvents` (then `true`).
fn events_array(data: &[u8]) -> Option<(usize, bool)> {
    let skip = |mut i: usize| {
        while data.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    let i = skip(0);
    match data.get(i)? {
        b'[' => Some((i, false)),
        b'{' => {
            let key = b"\"traceEvents\"";
            let k = skip(i + 1);
            if data.get(k..k + key.len())? != key {
                return None;
            }
            let c = skip(k + key.len());
            if data.get(c) != Some(&b':') {
                return None;
            }
            let o = skip(c + 1);
            (data.get(o) == Some(&b'[')).then_some((o, true))
        }
        _ => None,
    }
}

/// Candidate cuts: the comma of the first `}` `,` `{` `"` at or after every `piece` bytes.
fn cut_points(data: &[u8], start: usize, piece: usize) -> Vec<usize> {
    let mut cuts = Vec::new();
    let mut from = start;
    while let Some(target) = from.checked_add(piece).filter(|&t| t < data.len()) {
        let Some(comma) = next_boundary(data, target) else {
            break;
        };
        cuts.push(comma);
        from = comma + 1;
    }
    cuts
}

fn next_boundary(data: &[u8], mut at: usize) -> Option<usize> {
    let skip = |mut i: usize| {
        while data.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    loop {
        let close = at + memchr::memchr(b'}', data.get(at..)?)?;
        let comma = skip(close + 1);
        let brace = skip(comma + 1);
        if data.get(comma) == Some(&b',')
            && data.get(brace) == Some(&b'{')
            && matches!(data.get(skip(brace + 1)), Some(b'"' | b'}'))
        {
            return Some(comma);
        }
        at = close + 1;
    }
}

/// Reads the events of a parsed piece: a middle piece is an array of events; the last piece is
/// the document. `None` when the document needs the whole-document path.
fn read_piece(root: Val<'_, '_>, last: bool, first_of_array: bool) -> Option<Piece> {
    let events = if !last || root.is_array() {
        root
    } else {
        // Hermes sampled traces keep samples and frames beside the events.
        if root.get("samples").is_some() && root.get("stackFrames").is_some() {
            return None;
        }
        root.get("traceEvents").filter(Val::is_array)?
    };
    // Hermes duration traces (a root array whose first event has Hermes args) take their frames
    // from args: left to the whole-document path, which sees the first event.
    if first_of_array
        && events
            .items()
            .next()
            .and_then(|e| e.get("args"))
            .is_some_and(is_hermes_args)
    {
        return None;
    }
    Some(read_events(events.items(), false))
}

/// A worker's reusable parse state: the padded input copy, simd-json's buffers and the tape.
struct Scratch {
    buf: Vec<u8>,
    /// simd-json's buffers and the depth limit they were made for.
    buffers: Option<(usize, Buffers)>,
    tape: Tape<'static>,
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch {
            buf: Vec::new(),
            buffers: None,
            tape: Tape::null(),
        }
    }
}

impl Scratch {
    /// Parses the concatenation of `parts` and runs `f` on its root; `None` on a syntax error.
    fn parse<T>(
        &mut self,
        parts: &[&[u8]],
        depth: usize,
        f: impl FnOnce(Val<'_, '_>) -> Option<T>,
    ) -> Option<T> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        for p in parts {
            buf.extend_from_slice(p);
        }
        let len = buf.len();
        buf.resize(len + INPUT_PADDING, b' ');
        let mut buffers = match self.buffers.take() {
            Some((d, b)) if d == depth => b,
            _ => Buffers::with_max_depth(0, depth),
        };
        let mut tape = std::mem::replace(&mut self.tape, Tape::null()).reset();
        let out = match fill_tape_padded(&mut buf, len, &mut buffers, &mut tape) {
            Ok(()) if !tape.0.is_empty() => f(Val::root(&tape.0)),
            _ => None,
        };
        self.tape = tape.reset();
        self.buffers = Some((depth, buffers));
        self.buf = buf;
        out
    }
}
