//! The line caches of the chunk parser (see `parse.rs` for the order in which caches are tried,
//! `block_memo.rs` for the memos of whole blocks).
//!
//! Each line of a sample's call chain is identified by its text after the address (a raw-line id,
//! [`RawInfo`]). A line is first compared with the line that followed the previous line of the
//! chain last time ([`RawInfo::next`]), which for a repeated chain skips finding the line's end,
//! hashing and probing; otherwise it is hashed and looked up ([`RawEntry`]); only a miss parses
//! the line, and names it through the line cache ([`LineEntry`]), which names each distinct
//! `symbol (module)` once per chunk (and through `name_cache.rs` once per worker thread).
//!
//! Why lines are keyed without their address: a cache of whole call-chain blocks keyed by their
//! text (an earlier design) missed on 40% of the samples of a real `perf record -a -g` capture,
//! even in 226 MB chunks, because user-space chains without frame pointers end in garbage
//! `[unknown]` addresses, and perf prints return addresses, which differ per call site; a per-line
//! key without the address misses on only ~9,000 distinct lines per 16 MB chunk (~70,000 samples).
//! Measured on that capture (904 MB, 3.8 M samples, `bigflame info --threads 1`, best of 5 CPU
//! time): 1.93 s with the block cache, 1.43 s with this one. The tail memo of `block_memo.rs` keeps
//! the block cache's strength where it holds (same leaf, same return addresses) at the price of one
//! `memcmp` where it does not.

use super::block_memo::Tails;
use super::{ChunkParser, same_bytes};
use crate::perf::frame_line::{FrameLine, Line, parse_frame_line};
use crate::perf::header::{trim, trim_end};
use crate::perf::name_cache::cached_frame_names;
use bigflame_model::{Frame, SkipReason, StackId};
use std::hash::BuildHasher;

/// A call-chain line seen before (its id indexes the parser's `raw_info`), keyed by its text after
/// the address (the whole trimmed line with `--addrs`). The address is skipped because it differs
/// between samples even where the symbol and module do not (leaf lines, garbage `[unknown]` frames).
pub(super) struct RawEntry {
    hash: u64,
    id: u32,
}

/// What is known about a raw line (by id). Its key is `raw_keys[key..key + len]`, a copy in a
/// small buffer: comparing against the latest occurrence in the input instead measured slower (the
/// latest occurrence is often pages back), and against the first one cost a cache miss per line.
#[derive(Clone, Copy)]
pub(super) struct RawInfo {
    key: u32,
    len: u32,
    java: bool,
    pub(super) malformed: bool,
    frames: (u32, u32),
    /// The id of the line that followed this one the last time (its caller), `u32::MAX` if none:
    /// checked first, which skips hashing and probing the table when call chains repeat.
    pub(super) next: u32,
    /// The 16 bytes after the `\t` of this line's last occurrence in perf's layout (padding and
    /// address), 0 when none was seen: a repeated caller line has the same return address, and
    /// equal bytes need no second check of the layout (see [`fixed_address`]).
    addr: u128,
}

/// The 16 bytes after the first of a line at least 18 bytes long, as one integer.
#[inline]
fn address_bytes(line: &[u8]) -> Option<u128> {
    Some(u128::from_le_bytes(
        line.get(1..FIXED_ADDRESS_END)?.try_into().ok()?,
    ))
}

/// A `symbol (module)` pair seen before, named into `arena[frames.0..frames.1]` (caller first). Its
/// key bytes are copied into `line_keys[key..]` (symbol, module, then pc), so that verifying a hit
/// touches a small hot buffer instead of a far-away part of the input.
pub(super) struct LineEntry {
    hash: u64,
    key: usize,
    lens: (u32, u32, u32),
    java: bool,
    frames: (u32, u32),
}

/// Where the blank after the address is in a call-chain line as perf prints it (see
/// [`fixed_address`]).
pub(super) const FIXED_ADDRESS_END: usize = 17;

/// For a call-chain line in perf's layout, `\t` then the address right-aligned in 16 columns then
/// a blank (`\t    7f545ecf2ad7 [unknown] ...`): the offset of the address's first byte, found
/// with a few word operations instead of a loop per byte. `None` for any other shape. Where it is
/// `Some(lead)`, scanning byte by byte finds the same split: the line's first non-blank byte
/// (not space, tab or CR) at `lead`, and its first space, tab or newline after that at
/// [`FIXED_ADDRESS_END`], a space or tab.
#[inline]
fn fixed_address(line: &[u8]) -> Option<usize> {
    const ONES: u128 = u128::MAX / 255;
    const LOW7: u128 = ONES * 0x7f;
    const HIGH: u128 = ONES * 0x80;
    if line.len() <= FIXED_ADDRESS_END
        || line[0] != b'\t'
        || !matches!(line[FIXED_ADDRESS_END], b' ' | b'\t')
    {
        return None;
    }
    let w = u128::from_le_bytes(line[1..FIXED_ADDRESS_END].try_into().ok()?);
    // The high bit of each byte that is a space, and of each byte above the space (0x21 and up);
    // exact per byte, as no carry crosses bytes.
    let x = w ^ (ONES * u128::from(b' '));
    let space = !(((x & LOW7) + LOW7) | x) & HIGH;
    let above = (((w & LOW7) + ONES * 0x5f) | w) & HIGH;
    // Spaces, then bytes above the space only (which are neither blank nor an address end);
    // anything else (tabs or CRs in the padding, control bytes) takes the byte-by-byte path.
    let first = (!space & HIGH).trailing_zeros() / 8;
    if first >= 16 || (!above & HIGH) >> (8 * first) != 0 {
        return None;
    }
    Some(1 + first as usize)
}

impl ChunkParser<'_> {
    /// The line at `self.pos` when it is raw line `next` (same key, ending at its `\n`): its frames
    /// and id, with `self.pos` moved past it. The caller predicts `next` (the line that followed the
    /// previous line last time, or the thread's last leaf line); a right guess skips finding the
    /// line's end, hashing and probing. `None` (nothing consumed) otherwise, including for blank
    /// lines, comments and lines with trailing blanks.
    pub(super) fn predicted_line(&mut self, java: bool, next: u32) -> Option<((u32, u32), u32)> {
        let info = *self.raw_info.get(next as usize)?;
        // (48 bytes, copied so that `self` can be borrowed below.)
        let data = self.data;
        let start = self.pos;
        let rest = &data[start..];
        if info.java != java || rest.first() == Some(&b'#') {
            return None;
        }
        // The same padding and address as this line's last occurrence (checked by
        // `fixed_address` then), else the layout is checked now.
        let addr = address_bytes(rest).filter(|&a| {
            a == info.addr
                && a != 0
                && !self.opts.include_addrs
                && rest[0] == b'\t'
                && matches!(rest[FIXED_ADDRESS_END], b' ' | b'\t')
        });
        let (lead, addr_end, fixed) = match addr.map(|_| 1).or_else(|| fixed_address(rest)) {
            Some(lead) => (lead, FIXED_ADDRESS_END, true),
            None => {
                let lead = rest
                    .iter()
                    .position(|&b| !matches!(b, b' ' | b'\t' | b'\r'))?;
                let addr = rest[lead..]
                    .iter()
                    .position(|&b| matches!(b, b' ' | b'\t' | b'\n'))?;
                if rest[lead + addr] == b'\n' {
                    return None;
                }
                (lead, lead + addr, false)
            }
        };
        let key_start = if self.opts.include_addrs {
            start + lead
        } else {
            start + addr_end
        };
        let key_end = key_start + info.len as usize;
        let key = data.get(key_start..key_end)?;
        let stored = &self.raw_keys[info.key as usize..(info.key + info.len) as usize];
        if !matches!(data.get(key_end), None | Some(b'\n')) || !same_bytes(key, stored) {
            return None;
        }
        self.pos = (key_end + 1).min(data.len());
        if fixed && addr.is_none() {
            self.raw_info[next as usize].addr = address_bytes(rest).unwrap_or(0);
        }
        if info.malformed {
            self.count_malformed(1, &data[start..key_end], start);
        }
        Some((info.frames, next))
    }

    /// The frames of the call-chain line `data[start..end]` from the raw-line cache (parsed and
    /// named on a miss) and its raw-line id (`u32::MAX` when not cached); counts it when malformed.
    /// `prev` is the id of the line before it in the same block (`u32::MAX` for the first line).
    pub(super) fn raw_line_frames(
        &mut self,
        start: usize,
        end: usize,
        java: bool,
        prev: u32,
    ) -> ((u32, u32), u32) {
        let data = self.data;
        let raw = &data[start..end];
        // perf's layout (`\t`, the address in 16 columns, a blank) without scanning, else the
        // trimmed line split at its first blank: the same key either way.
        let fixed = fixed_address(raw).and_then(|lead| {
            let tail = trim_end(&raw[FIXED_ADDRESS_END..]).len();
            (tail > 0).then_some((lead, FIXED_ADDRESS_END + tail))
        });
        let key = match fixed {
            Some((lead, end)) if self.opts.include_addrs => &raw[lead..end],
            Some((_, end)) => &raw[FIXED_ADDRESS_END..end],
            None => {
                let line = trim(raw);
                let split = line.iter().position(|b| *b == b' ' || *b == b'\t');
                let (Some(split), false) = (split, raw.first() == Some(&b'#')) else {
                    // Comments and lines without an address: rare, not cached.
                    let parsed = parse_frame_line(raw);
                    return (self.frames_of(&parsed, raw, start, java), u32::MAX);
                };
                if self.opts.include_addrs {
                    line
                } else {
                    &line[split..]
                }
            }
        };
        let keys = &self.raw_keys;
        let matches = |info: &RawInfo| {
            info.java == java
                && same_bytes(
                    &keys[info.key as usize..(info.key + info.len) as usize],
                    key,
                )
        };
        // The caller seen after `prev` last time.
        let predicted = self
            .raw_info
            .get(prev as usize)
            .map_or(u32::MAX, |p| p.next);
        let id = match self.raw_info.get(predicted as usize) {
            Some(info) if matches(info) => Some(predicted),
            _ => {
                let hash =
                    self.hasher.hash_one(key) ^ u64::from(java).wrapping_mul(0x9e37_79b9_7f4a_7c15);
                let info = &self.raw_info;
                match self.raw_lines.find(hash, |e| matches(&info[e.id as usize])) {
                    Some(e) => Some(e.id),
                    None => {
                        let parsed = parse_frame_line(raw);
                        let frames = self.frames_of(&parsed, raw, start, java);
                        let id = self.raw_info.len() as u32;
                        if self.raw_keys.len() + key.len() >= u32::MAX as usize || id == u32::MAX {
                            return (frames, u32::MAX);
                        }
                        self.tails.push(Tails::default());
                        self.raw_info.push(RawInfo {
                            key: self.raw_keys.len() as u32,
                            len: key.len() as u32,
                            java,
                            malformed: parsed == Line::Malformed,
                            frames,
                            next: u32::MAX,
                            addr: 0,
                        });
                        self.raw_keys.extend_from_slice(key);
                        self.raw_lines
                            .insert_unique(hash, RawEntry { hash, id }, |e| e.hash);
                        if let Some(p) = self.raw_info.get_mut(prev as usize) {
                            p.next = id;
                        }
                        return (frames, id);
                    }
                }
            }
        };
        let id = id.unwrap_or(u32::MAX);
        let info = self.raw_info[id as usize];
        if id != predicted
            && let Some(p) = self.raw_info.get_mut(prev as usize)
        {
            p.next = id;
        }
        if info.malformed {
            self.count_malformed(1, raw, start);
        }
        (info.frames, id)
    }

    /// The frames of a parsed call-chain line (counting it when malformed).
    pub(super) fn frames_of(
        &mut self,
        parsed: &Line<'_>,
        raw: &[u8],
        at: usize,
        java: bool,
    ) -> (u32, u32) {
        match parsed {
            Line::Frame(frame) => self.line_frames(frame, java),
            Line::Ignored => (0, 0),
            Line::Malformed => {
                self.count_malformed(1, raw, at);
                (0, 0)
            }
        }
    }

    /// Interns the arena frames `lo..hi` (caller first) on top of `parent`.
    pub(super) fn push_frames(&mut self, parent: StackId, (lo, hi): (u32, u32)) -> StackId {
        let mut stack = parent;
        for i in lo..hi {
            stack = self.b.stack(stack, self.arena[i as usize]);
        }
        stack
    }

    pub(super) fn count_malformed(&mut self, bad: u64, line: &[u8], at: usize) {
        if bad > 0 {
            let loc = self.base + at as u64;
            self.b.skipped.add(
                SkipReason::MalformedLine,
                || format!("byte {loc}"),
                trim(line),
            );
        }
    }

    /// The frames of one frame line as a range of the line arena (caller first), from the line cache
    /// or named on a miss.
    fn line_frames(&mut self, frame: &FrameLine<'_>, java: bool) -> (u32, u32) {
        let pc: &[u8] = if self.opts.include_addrs {
            frame.pc
        } else {
            b""
        };
        let hash = self.hasher.hash_one((frame.symbol, frame.module, pc, java));
        let keys = &self.line_keys;
        let found = self.lines.find(hash, |e| {
            let (ls, lm, lp) = (e.lens.0 as usize, e.lens.1 as usize, e.lens.2 as usize);
            e.java == java
                && ls == frame.symbol.len()
                && lm == frame.module.len()
                && lp == pc.len()
                && keys[e.key..e.key + ls] == *frame.symbol
                && keys[e.key + ls..e.key + ls + lm] == *frame.module
                && keys[e.key + ls + lm..e.key + ls + lm + lp] == *pc
        });
        let (lo, hi) = match found {
            Some(e) => e.frames,
            None => {
                self.names.clear();
                cached_frame_names(frame, java, self.opts, &mut self.names);
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
                        column: 0,
                        kind,
                    });
                    self.arena.push(id);
                }
                let hi = self.arena.len() as u32;
                let key = self.line_keys.len();
                self.line_keys.extend_from_slice(frame.symbol);
                self.line_keys.extend_from_slice(frame.module);
                self.line_keys.extend_from_slice(pc);
                let lens = (
                    frame.symbol.len() as u32,
                    frame.module.len() as u32,
                    pc.len() as u32,
                );
                self.lines.insert_unique(
                    hash,
                    LineEntry {
                        hash,
                        key,
                        lens,
                        java,
                        frames: (lo, hi),
                    },
                    |e| e.hash,
                );
                (lo, hi)
            }
        };
        (lo, hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-by-byte split `fixed_address` stands in for: `(lead, address end)`.
    fn scanned(line: &[u8]) -> Option<(usize, usize)> {
        let lead = line
            .iter()
            .position(|&b| !matches!(b, b' ' | b'\t' | b'\r'))?;
        let addr = line[lead..]
            .iter()
            .position(|&b| matches!(b, b' ' | b'\t' | b'\n'))?;
        (line[lead + addr] != b'\n').then_some((lead, lead + addr))
    }

    #[test]
    fn fixed_address_agrees_with_scanning() {
        let lines: [&[u8]; 12] = [
            b"\tffffffff81566610 __perf_event__output_id_sample+0x0 ([kernel.kallsyms])",
            b"\t    7f545ecf2ad7 [unknown] ([unknown])",
            b"\t               0 [unknown] ([unknown])",
            b"\t                 x",
            b"\t   \r7f545ecf2ad7 x",
            b"\t   7f545 ecf2ad7 x",
            b"\t   7f545\tcf2ad7 x",
            b"\t   7f545\ncf2ad7 x",
            b"\t    7f545ecf2ad7\tx",
            b"\t    7f545ecf2ad7\nx",
            b"\t    7f545ecf2ad7x x",
            b"     7f545ecf2ad7 x",
        ];
        for line in lines {
            if let Some(lead) = fixed_address(line) {
                assert_eq!(scanned(line), Some((lead, FIXED_ADDRESS_END)), "{line:?}");
            }
        }
        assert_eq!(fixed_address(lines[0]), Some(1));
        assert_eq!(fixed_address(lines[1]), Some(5));
    }
}
