//! Whole-block memos of the chunk parser (see `parse.rs` for the order in which caches are tried).
//!
//! Two memos skip work per record rather than per line:
//!
//! * the **tail memo** ([`Tails`]): after a block's leaf line, the rest of the block is compared in
//!   one `memcmp` with the rest of the last two blocks with the same leaf line; equal bytes mean
//!   equal lines, so the same raw-line ids and the same stack, and the callers are not read at all;
//! * the **chain memo** ([`BlockEntry`]): otherwise, once the lines are identified, the stack of the
//!   whole chain is looked up by its sequence of raw-line ids and built in the stack table only the
//!   first time.
//!
//! Why whole blocks: kernel stacks and frame-pointer user stacks print the same return addresses
//! each time, so ~45% of the samples of a real `perf record -a -g` capture repeat a tail byte for
//! byte; and building stacks line by line from per-line memos missed on two lines out of three
//! (chains that repeat a line, such as runs of `[unknown]` frames, kept evicting each other).

use super::ChunkParser;
use super::stack_cache::FIXED_ADDRESS_END;
use bigflame_model::StackId;
use std::hash::BuildHasher;

/// Per raw line (same index as the parser's `RawInfo`, kept apart so that the hot per-line fields
/// stay small): the last two blocks with this line as their leaf, most recent first, as the `(offset, len)` of
/// their text after this line through the empty line that ended them (len 0: none) and their
/// stack (see `tail_memo`), and a fingerprint of the text ([`tail_fingerprint`]).
pub(super) type Tails = [Tail; 2];

/// One remembered block tail (see [`Tails`]).
#[derive(Clone, Copy, Default)]
pub(super) struct Tail {
    at: usize,
    len: usize,
    stack: StackId,
    fingerprint: u64,
}

/// Two words of a block tail that differ between most tails of the same leaf (the start of the
/// first caller's symbol, and the last line): checked before comparing the whole text, which
/// costs reading the remembered text again (often from far back in the chunk). 0 for short tails.
#[inline]
fn tail_fingerprint(tail: &[u8]) -> u64 {
    let word = |at: usize| {
        tail.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map_or(0, u64::from_le_bytes)
    };
    match tail.len() {
        n if n >= 32 => word(FIXED_ADDRESS_END) ^ word(n - 24).rotate_left(32),
        _ => 0,
    }
}

/// A call chain seen before in this chunk: its raw-line ids (leaf first) are
/// `block_keys[key..key + len]`, and its stack is known. Keyed by whole chains because a per-line
/// memo ("the last parent this line was pushed onto") thrashed on chains that repeat a line, such
/// as runs of `[unknown]` frames, and missed on two lines out of three of a real capture.
pub(super) struct BlockEntry {
    hash: u64,
    key: u32,
    len: u32,
    stack: StackId,
}

impl ChunkParser<'_> {
    /// The stack of the block read into `self.ranges` (leaf first): from the block memo when the
    /// same sequence of raw lines was seen before in this chunk, else interned from the root and
    /// remembered.
    pub(super) fn block_stack(&mut self) -> StackId {
        let ranges = std::mem::take(&mut self.ranges);
        let mut ids = std::mem::take(&mut self.block_ids);
        ids.clear();
        ids.extend(ranges.iter().map(|&(_, id)| id));
        // Blocks with an uncached line are rare and not memoised.
        let cacheable = !ids.contains(&u32::MAX);
        let hash = self.hasher.hash_one(&ids[..]);
        let keys = &self.block_keys;
        let memo = cacheable
            .then(|| {
                self.blocks.find(hash, |b| {
                    keys.get(b.key as usize..(b.key + b.len) as usize) == Some(&ids[..])
                })
            })
            .flatten()
            .map(|b| b.stack);
        let stack = match memo {
            Some(stack) => stack,
            None => {
                let mut stack = StackId::EMPTY;
                for &(frames, _) in ranges.iter().rev() {
                    stack = self.push_frames(stack, frames);
                }
                if cacheable && self.block_keys.len() + ids.len() < u32::MAX as usize {
                    let key = self.block_keys.len() as u32;
                    self.block_keys.extend_from_slice(&ids);
                    self.blocks.insert_unique(
                        hash,
                        BlockEntry {
                            hash,
                            key,
                            len: ids.len() as u32,
                            stack,
                        },
                        |b| b.hash,
                    );
                }
                stack
            }
        };
        self.ranges = ranges;
        self.block_ids = ids;
        stack
    }

    /// The stack of the block whose leaf line `leaf` was just read, when the rest of the block (from
    /// `self.pos` through the empty line that ends it) is byte for byte the rest of the last block
    /// with that leaf: then it has the same lines, so the same raw-line ids and the same stack, and
    /// `self.pos` moves past it. This one compare replaces reading the callers line by line for
    /// about 40% of the samples of a real capture (kernel and frame-pointer stacks print the same
    /// return addresses each time). Only blocks whose lines were all cached and well-formed are
    /// remembered (see [`ChunkParser::remember_tail`]), so no skip count is lost.
    pub(super) fn tail_memo(&mut self, leaf: u32) -> Option<StackId> {
        let tails = self.tails.get_mut(leaf as usize)?;
        let data = self.data;
        for k in 0..2 {
            let Tail {
                at,
                len,
                stack,
                fingerprint,
            } = tails[k];
            if len == 0 {
                return None;
            }
            let Some(rest) = data.get(self.pos..self.pos + len) else {
                continue;
            };
            if tail_fingerprint(rest) == fingerprint && rest == &data[at..at + len] {
                // Compare with this, the latest copy, next time: it is more likely in cache.
                tails[k].at = self.pos;
                self.pos += len;
                tails.swap(0, k);
                return Some(stack);
            }
        }
        None
    }

    /// Remembers the block just read (`self.tail`, `self.ranges`) as the last one of its leaf line,
    /// with its stack, when every line of it was cached and well-formed and it ended with an empty
    /// line.
    pub(super) fn remember_tail(&mut self, stack: StackId) {
        let (leaf, at, len) = self.tail;
        let info = &self.raw_info;
        let clean = self
            .ranges
            .iter()
            .all(|&(_, id)| info.get(id as usize).is_some_and(|i| !i.malformed));
        let data = self.data;
        if clean && let Some(t) = self.tails.get_mut(leaf as usize) {
            let fingerprint = tail_fingerprint(data.get(at..at + len).unwrap_or_default());
            t[1] = t[0];
            t[0] = Tail {
                at,
                len,
                stack,
                fingerprint,
            };
        }
    }
}
