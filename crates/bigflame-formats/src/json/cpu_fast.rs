//! The parallel fast path of `.cpuprofile` import: `samples` and `timeDeltas` read in pieces on
//! every core, without a tape and without a per-sample vector.
//!
//! Why: almost all bytes of a V8 CPU profile are those two flat integer arrays (a 40 MB recording is
//! 6.5 million samples and as many deltas). Reading each array on one core capped ingest near
//! 130 MB/s, and keeping every delta as an `f64` costs 8 bytes per sample of fresh memory. Only the
//! first sample of each run of equal samples matters (speedscope merges runs), and of the deltas
//! only their running sum at those run starts. So:
//!
//! 1. in parallel: simd-json parses the document without the two array bodies ([`super::bulk`]);
//!    the samples body is cut at commas into pieces ([`split_at_commas`]) whose elements are
//!    counted, and the commas of the deltas body are counted in fixed blocks;
//! 2. one thread: each samples piece gets the byte range of the deltas with the same indices (the
//!    block counts say which block holds the wanted comma);
//! 3. in parallel: each piece reads its samples into runs (node id, first sample), then its deltas,
//!    keeping their running sum (from the piece's start) at each run start;
//! 4. one thread: piece sums are offset by the totals of the pieces before them, a run crossing a
//!    piece boundary is joined, and the runs are emitted by
//!    [`super::cpuprofile::CpuParts::emit_runs`].
//!
//! Same result as the plain path, whatever the pieces: the plain path adds the deltas as `f64` one
//! at a time; integer sums here are exact, and equal to those `f64` sums while every partial sum
//! stays below 2^53 in magnitude, which is checked (the OR of all `|delta|` times their count). Any
//! doubt (a float, a bad separator, a piece that does not hold the elements its commas promise, a
//! key found twice) returns `None`: the plain path then reads the file and reports errors with a
//! line. Deltas past the last sample are ignored but still checked, as the plain path parses them.

use super::bulk::{IntSink, find_key_array, repeat_of, scan, scan_ints, swar_value};
use super::cpuprofile::{Run, read_document, target};
use super::with_document_blanked;
use crate::driver::ImportOptions;
use crate::error::ImportError;
use bigflame_model::{Profile, ProfileMeta};
use rayon::prelude::*;
use std::ops::Range;

/// Target size of one samples piece: small enough that every core gets several, large enough that
/// the per-piece bookkeeping stays invisible.
const PIECE_BYTES: usize = 1 << 20;
/// Size of the blocks whose commas are counted to find deltas by index.
const BLOCK_BYTES: usize = 16 << 10;

/// Imports a `.cpuprofile` through the fast path, or `None` to take the plain one.
pub(crate) fn import_fast(data: &[u8], path: &str, opts: &ImportOptions) -> Option<Profile> {
    super::on_threads(opts.threads, || import_in_pool(data, path, opts))
}

fn import_in_pool(data: &[u8], path: &str, opts: &ImportOptions) -> Option<Profile> {
    let s = find_key_array(data, "samples", None)?;
    let d = find_key_array(data, "timeDeltas", Some(s))?;
    if s.1 >= d.0 && d.1 >= s.0 {
        return None;
    }
    let piece = opts.chunk_bytes.clamp(1, PIECE_BYTES);
    let (samples, deltas) = (&data[s.0 + 1..s.1], &data[d.0 + 1..d.1]);
    let pieces = split_at_commas(samples, piece);
    let block = BLOCK_BYTES.min(piece);
    let blocks: Vec<&[u8]> = deltas.chunks(block).collect();
    let (doc, (counts, block_commas)) = rayon::join(
        || {
            with_document_blanked(data, &[s, d], path, |root| {
                let blanked = |k: &str| root.get(k).is_some_and(|v| v.is_array() && v.len() == 0);
                if !blanked("samples") || !blanked("timeDeltas") {
                    return Err(ImportError::invalid(path, "fast path not applicable"));
                }
                read_document(root, path)
            })
        },
        || {
            rayon::join(
                || {
                    let c = |r: &Range<usize>| count_elements(&samples[r.clone()]);
                    pieces.par_iter().map(c).collect::<Vec<usize>>()
                },
                || {
                    blocks
                        .par_iter()
                        .map(|b| count_commas(b))
                        .collect::<Vec<_>>()
                },
            )
        },
    );
    // A blank piece of a body cut in several is an empty element (`1, ,2`).
    if pieces.len() > 1 && counts.contains(&0) {
        return None;
    }
    let index = DeltaIndex::new(deltas, block, &block_commas);
    let mut jobs = Vec::with_capacity(pieces.len());
    let mut first = 0;
    for (r, &n) in pieces.iter().zip(&counts) {
        jobs.push((
            r.clone(),
            n,
            first.min(index.len),
            (first + n).min(index.len),
        ));
        first += n;
    }
    let read = |(r, n, a, b): &(Range<usize>, usize, usize, usize)| {
        let (ds, nd) = index.range(*a, *b)?;
        read_piece(&samples[r.clone()], *n, &deltas[ds], nd)
    };
    // Deltas past the last sample: not used, but the plain path would reject them if invalid.
    let extra_ok = || {
        let (ds, nd) = index.range(first.min(index.len), index.len)?;
        (scan_ints(&deltas[ds], |_| {})? == nd).then_some(())
    };
    let (outs, extra_ok) = rayon::join(
        || jobs.par_iter().map(read).collect::<Option<Vec<_>>>(),
        extra_ok,
    );
    let outs = outs?;
    let extra_ok = extra_ok.is_some();
    let bits = outs.iter().fold(0u64, |acc, p| acc | p.bits);
    if !extra_ok || u128::from(bits) * (first.min(index.len) as u128) >= 1u128 << 53 {
        return None;
    }
    let (mut b, parts) = doc.ok()?;
    let (thread, event) = target(&mut b, path);
    let end: i64 = outs.iter().map(|p| p.total).sum();
    let at_most = outs.iter().map(|p| p.runs.len()).sum();
    parts.emit_runs(
        &mut b,
        thread,
        event,
        joined_runs(&outs),
        at_most,
        end as f64,
    );
    Some(b.finish(ProfileMeta::default()))
}

/// Cuts an array body into ranges of about `piece` bytes, each ending just before a comma (which
/// belongs to no range), so every range holds whole elements.
pub(crate) fn split_at_commas(body: &[u8], piece: usize) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(body.len() / piece.max(1) + 1);
    let mut start = 0;
    while body.len() - start > piece {
        let Some(comma) = memchr::memchr(b',', &body[start + piece..]) else {
            break;
        };
        let comma = start + piece + comma;
        out.push(start..comma);
        start = comma + 1;
    }
    out.push(start..body.len());
    out
}

/// The commas in `bytes`, counted 64 bytes at a time into a byte, which the compiler turns into
/// vector compares.
fn count_commas(bytes: &[u8]) -> usize {
    let mut n = 0;
    let mut blocks = bytes.chunks_exact(64);
    for block in blocks.by_ref() {
        n += usize::from(block.iter().map(|&c| u8::from(c == b',')).sum::<u8>());
    }
    n + blocks.remainder().iter().filter(|&&c| c == b',').count()
}

/// How many elements a piece holds if it is valid: commas + 1, or 0 when blank.
fn count_elements(body: &[u8]) -> usize {
    if body.iter().all(u8::is_ascii_whitespace) {
        return 0;
    }
    count_commas(body) + 1
}

/// Finds the bytes of deltas by index from the comma counts of fixed blocks.
struct DeltaIndex<'a> {
    body: &'a [u8],
    block: usize,
    /// Commas before each block.
    before: Vec<usize>,
    /// Number of elements if the body is valid (commas + 1, 0 when blank).
    len: usize,
}

impl<'a> DeltaIndex<'a> {
    fn new(body: &'a [u8], block: usize, block_commas: &[usize]) -> Self {
        let mut before = Vec::with_capacity(block_commas.len());
        let mut n = 0;
        for &c in block_commas {
            before.push(n);
            n += c;
        }
        let blank = body.iter().all(u8::is_ascii_whitespace);
        DeltaIndex {
            body,
            block,
            before,
            len: if blank { 0 } else { n + 1 },
        }
    }

    /// Position of the `i`-th comma (1-based), if there is one.
    fn comma(&self, i: usize) -> Option<usize> {
        let k = self.before.partition_point(|&b| b < i).checked_sub(1)?;
        let from = k * self.block;
        let within = i - self.before[k];
        let at = memchr::memchr_iter(b',', self.body.get(from..)?).nth(within - 1)?;
        Some(from + at)
    }

    /// The bytes of elements `[a, b)` and their number (`a <= b <= len`).
    fn range(&self, a: usize, b: usize) -> Option<(Range<usize>, usize)> {
        if a == b {
            return Some((0..0, 0));
        }
        let start = if a == 0 { 0 } else { self.comma(a)? + 1 };
        let end = if b == self.len {
            self.body.len()
        } else {
            self.comma(b)?
        };
        Some((start..end, b - a))
    }
}

/// What one piece gives: its runs (node id, running sum of the piece's deltas at the run's first
/// sample), the sum of all its deltas, and the OR of their magnitudes.
struct PieceOut {
    runs: Vec<(i64, i64)>,
    total: i64,
    bits: u64,
}

/// Reads `n` samples and the `nd` deltas with the same indices (fewer at the end of a short
/// deltas array: a missing delta counts as 0).
fn read_piece(samples: &[u8], n: usize, deltas: &[u8], nd: usize) -> Option<PieceOut> {
    let mut sink = RunSink {
        runs: Vec::with_capacity(samples.len() / 16),
        starts: Vec::with_capacity(samples.len() / 16),
        i: 0,
        last: None,
        last_key: NO_KEY,
        repeat: None,
    };
    if scan(samples, &mut sink)? != n {
        return None;
    }
    let RunSink {
        mut runs, starts, ..
    } = sink;
    let (mut sum, mut bits, mut i, mut k) = (0i64, 0u64, 0, 0);
    let mut next = starts.first().copied().unwrap_or(usize::MAX);
    let got = scan_ints(deltas, |v| {
        // Wrapping: an overflow is possible only where the exactness check refuses the file.
        sum = sum.wrapping_add(v);
        bits |= v.unsigned_abs();
        if i == next {
            runs[k].1 = sum;
            k += 1;
            next = starts.get(k).copied().unwrap_or(usize::MAX);
        }
        i += 1;
    })?;
    if got != nd {
        return None;
    }
    // Runs starting past the last delta see the sum of all of them.
    for run in &mut runs[k..] {
        run.1 = sum;
    }
    Some(PieceOut {
        runs,
        total: sum,
        bits,
    })
}

/// No digits seen (a key has a length of at most 7 in its top byte).
const NO_KEY: u64 = u64::MAX;

/// Collects the runs of a samples piece: (node id, 0 for the delta sum to come) and the index of
/// each run's first sample. Most samples repeat the previous one, so the next bytes are first
/// compared with the previous element's text, then digits with digits (digits and length say
/// which number it is: no sign, no leading zero); only a new run's value is worked out.
struct RunSink {
    runs: Vec<(i64, i64)>,
    starts: Vec<usize>,
    i: usize,
    last: Option<i64>,
    /// The previous element's digits and length, or [`NO_KEY`].
    last_key: u64,
    /// The previous element's text and comma, when read from digits ([`IntSink::repeat`]):
    /// a sample equal to the previous one costs one compare.
    repeat: Option<(u64, u64, usize)>,
}

impl IntSink for RunSink {
    #[inline(always)]
    fn digits(&mut self, digits: u64, len: usize) {
        let key = (digits & (u64::MAX >> (64 - 8 * len))) | ((len as u64) << 56);
        if key != self.last_key {
            self.last_key = key;
            self.id(swar_value(digits, len));
            self.repeat = Some(repeat_of(digits, len));
        }
        self.i += 1;
    }

    #[inline]
    fn value(&mut self, v: i64) {
        self.last_key = NO_KEY;
        self.repeat = None;
        self.id(v);
        self.i += 1;
    }

    #[inline(always)]
    fn repeat(&self) -> Option<(u64, u64, usize)> {
        self.repeat
    }

    #[inline(always)]
    fn again(&mut self) {
        self.i += 1;
    }
}

impl RunSink {
    #[inline]
    fn id(&mut self, id: i64) {
        if self.last != Some(id) {
            self.runs.push((id, 0));
            self.starts.push(self.i);
            self.last = Some(id);
        }
    }
}

/// The runs of all pieces with absolute times, a run crossing a piece boundary kept once.
fn joined_runs(outs: &[PieceOut]) -> impl Iterator<Item = Run> + '_ {
    let mut offset = 0i64;
    let mut last_id = None;
    outs.iter().flat_map(move |p| {
        let base = offset;
        offset = offset.wrapping_add(p.total);
        let skip = usize::from(
            p.runs
                .first()
                .map(|r| r.0)
                .is_some_and(|id| Some(id) == last_id),
        );
        if let Some(r) = p.runs.last() {
            last_id = Some(r.0);
        }
        p.runs[skip..].iter().map(move |&(id, s)| Run {
            id,
            at: (base + s) as f64,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_hold_whole_elements() {
        let body = b"1,22,333,4444,55555";
        let pieces = split_at_commas(body, 3);
        let texts: Vec<&[u8]> = pieces.iter().map(|r| &body[r.clone()]).collect();
        assert_eq!(
            texts,
            [&b"1,22"[..], &b"333"[..], &b"4444"[..], &b"55555"[..]],
            "each piece runs to the first comma at or after its 3rd byte"
        );
        let counts: Vec<usize> = texts.iter().map(|t| count_elements(t)).collect();
        assert_eq!(counts, [2, 1, 1, 1]);
        assert_eq!(count_elements(b"  "), 0);
        let long = [b"7,".repeat(100), b"7".to_vec()].concat();
        assert_eq!(count_elements(&long), 101);
    }

    #[test]
    fn deltas_are_found_by_index() {
        // Elements 10 -3 7 4 100 1 in blocks of 4 bytes: "10,-", "3,7,", "4,10", "0,1".
        let body = b"10,-3,7,4,100,1";
        let counts: Vec<usize> = body.chunks(4).map(count_commas).collect();
        assert_eq!(counts, [1, 2, 1, 1]);
        let index = DeltaIndex::new(body, 4, &counts);
        assert_eq!(index.len, 6);
        let text = |a, b| {
            let (r, n) = index.range(a, b).unwrap();
            (std::str::from_utf8(&body[r]).unwrap(), n)
        };
        assert_eq!(text(0, 2), ("10,-3", 2));
        assert_eq!(text(2, 5), ("7,4,100", 3));
        assert_eq!(text(5, 6), ("1", 1));
        assert_eq!(text(3, 3), ("", 0));
    }

    #[test]
    fn runs_match_a_plain_reading_whatever_the_spelling() {
        // Ids that repeat, spelled so that equal ids are read by both paths (8-byte words, the
        // byte loop after a space, long and negative numbers): runs as a plain split finds them.
        let mut next = crate::test_support::xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..500 {
            let ids: Vec<i64> = (0..1 + next(40))
                .map(|_| [1, 12, 123, 1_234_567, 12_345_678, -5][next(6) as usize])
                .collect();
            let text: Vec<String> = ids
                .iter()
                .map(|v| {
                    let pad = if next(4) == 0 { " " } else { "" };
                    format!("{pad}{v}")
                })
                .collect();
            let body = text.join(",");
            let want: Vec<(i64, usize)> = (0..ids.len())
                .filter(|&i| i == 0 || ids[i] != ids[i - 1])
                .map(|i| (ids[i], i))
                .collect();
            let p = read_piece(body.as_bytes(), ids.len(), b"", 0).unwrap();
            let got: Vec<i64> = p.runs.iter().map(|r| r.0).collect();
            let want_ids: Vec<i64> = want.iter().map(|r| r.0).collect();
            assert_eq!(got, want_ids, "{body}");
        }
    }

    #[test]
    fn pieces_sum_deltas_at_run_starts() {
        // Samples 5 5 6 6 7, deltas 10 -3 7 4 (the last one missing): runs 5@10, 6@14, 7@18.
        let p = read_piece(b"5,5,6,6,7", 5, b"10,-3,7,4", 4).unwrap();
        assert_eq!(p.runs, [(5, 10), (6, 14), (7, 18)]);
        assert_eq!((p.total, p.bits), (18, 10 | 3 | 7 | 4));
        // Two pieces: 5 5 | 5 6 with deltas 1 2 | 3 4: the run of 5 is kept once, 6 at 10.
        let outs = [
            read_piece(b"5,5", 2, b"1,2", 2).unwrap(),
            read_piece(b"5,6", 2, b"3,4", 2).unwrap(),
        ];
        let runs: Vec<Run> = joined_runs(&outs).collect();
        assert_eq!(runs, [Run { id: 5, at: 1.0 }, Run { id: 6, at: 10.0 }]);
        // A piece that does not hold what its commas promise is refused.
        assert!(read_piece(b"1, ,2", 3, b"", 0).is_none());
        assert!(read_piece(b"1,2", 2, b"1, ", 2).is_none());
    }
}
