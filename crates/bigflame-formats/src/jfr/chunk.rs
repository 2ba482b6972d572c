//! Chunk headers, the event walk, and the constant-pool index of one chunk.
//!
//! Format facts: a recording is a sequence of self-contained chunks. A chunk starts with a 68-byte
//! big-endian header: magic `FLR\0`, u16 major, u16 minor, then i64 chunk size, constant-pool
//! offset, metadata offset (both relative to the chunk), start nanos (epoch), duration nanos, start
//! ticks and ticks per second, and an i32 of feature flags (bit 0: integers are LEB128-compressed).
//! Events follow back to back up to the chunk's end: a size (counting itself), a type id, then the
//! fields of that type. Type 0 is the metadata, type 1 a constant-pool (checkpoint) event.
//!
//! Why the pools are found by the walk rather than by following their chain: checkpoint events
//! link to their predecessor through a `delta` field, starting from the header's offset. Every one
//! of them is also an ordinary event of the walk, so reading each type-1 event met on the way
//! finds the same pools without trusting offsets (a hostile chain could loop or point anywhere).
//! A checkpoint's body: start time, duration, delta, one flags byte, the number of pools, then per
//! pool its class id, an entry count and (key, value) pairs, values encoded as their class says.
//! Entries are indexed by (class id, key) → the byte offset of the value, decoded again only when
//! a sample needs it (see `resolve.rs`), so memory is a few words per entry.

use super::metadata::Types;
use super::reader::{JfrError, Reader, Result};
use super::value::read_class;
use bigflame_model::FastMap;

/// Size of a chunk header.
pub(crate) const HEADER_SIZE: usize = 68;

/// The header of one chunk, with offsets made absolute.
#[derive(Clone, Debug)]
pub(crate) struct Header {
    pub start: usize,
    /// The chunk's end, clamped to the data.
    pub end: usize,
    /// The chunk claims more bytes than the data holds.
    pub truncated: bool,
    pub metadata: usize,
    pub start_nanos: i64,
    pub start_ticks: i64,
    pub ticks_per_second: i64,
    pub compressed: bool,
}

impl Header {
    /// Nanoseconds since the epoch of a tick count of this chunk's clock.
    pub(crate) fn ticks_to_nanos(&self, ticks: i64) -> i64 {
        let delta = i128::from(ticks) - i128::from(self.start_ticks);
        let ns = i128::from(self.start_nanos) + self.ticks_to_duration(delta);
        ns.clamp(0, i128::from(i64::MAX)) as i64
    }

    /// A duration in ticks as nanoseconds.
    pub(crate) fn ticks_to_duration(&self, ticks: i128) -> i128 {
        ticks * 1_000_000_000 / i128::from(self.ticks_per_second.max(1))
    }
}

fn be_u16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

fn be_i64(b: &[u8]) -> i64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    i64::from_be_bytes(a)
}

/// Reads the header of the chunk at `at`.
pub(crate) fn read_header(data: &[u8], at: usize) -> Result<Header> {
    let Some(h) = data.get(at..).and_then(|d| d.get(..HEADER_SIZE)) else {
        return Err(JfrError::new(
            at,
            format!(
                "a chunk header needs {HEADER_SIZE} bytes, {} left",
                data.len().saturating_sub(at)
            ),
        ));
    };
    if &h[..4] != b"FLR\0" {
        return Err(JfrError::new(at, "no chunk magic FLR\\0 here"));
    }
    let (major, minor) = (be_u16(&h[4..]), be_u16(&h[6..]));
    if !(1..=2).contains(&major) {
        return Err(JfrError::new(
            at + 4,
            format!("unsupported JFR version {major}.{minor}"),
        ));
    }
    let size = be_i64(&h[8..]);
    let meta = be_i64(&h[24..]);
    let tps = be_i64(&h[56..]);
    let features = i32::from_be_bytes([h[64], h[65], h[66], h[67]]);
    let size = usize::try_from(size)
        .ok()
        .filter(|&s| s >= HEADER_SIZE)
        .ok_or_else(|| {
            JfrError::new(
                at + 8,
                format!("chunk size {size} is smaller than a header"),
            )
        })?;
    let claimed_end = at.saturating_add(size);
    let end = claimed_end.min(data.len());
    let metadata = usize::try_from(meta)
        .ok()
        .filter(|&m| m >= HEADER_SIZE && m < size)
        .map(|m| at + m)
        .ok_or_else(|| {
            JfrError::new(
                at + 24,
                format!("metadata offset {meta} is outside the chunk"),
            )
        })?;
    if tps <= 0 {
        return Err(JfrError::new(at + 56, format!("{tps} ticks per second")));
    }
    Ok(Header {
        start: at,
        end,
        truncated: claimed_end > data.len(),
        metadata,
        start_nanos: be_i64(&h[32..]),
        start_ticks: be_i64(&h[48..]),
        ticks_per_second: tps,
        compressed: major >= 2 && features & 1 != 0,
    })
}

/// One event of the walk: where it starts, where its fields start, where it ends, its type.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EventAt {
    pub start: usize,
    pub body: usize,
    pub end: usize,
    pub type_id: u64,
}

/// Reads the event header at `pos`; `Err` when the walk cannot go on (a size of zero or past the
/// chunk's end: the next event's start is unknown).
pub(crate) fn event_at(data: &[u8], h: &Header, pos: usize) -> Result<EventAt> {
    let mut r = Reader::new(data, pos, h.end, h.compressed);
    let size = r.i32()?;
    let end = usize::try_from(size)
        .ok()
        .filter(|&s| s > 0)
        .and_then(|s| pos.checked_add(s))
        .filter(|&e| e <= h.end)
        .ok_or_else(|| {
            JfrError::new(
                pos,
                format!(
                    "event size {size} does not fit the {} bytes left",
                    h.end - pos
                ),
            )
        })?;
    let type_id = r.i64()? as u64;
    if r.pos() > end {
        return Err(JfrError::new(
            pos,
            format!("event size {size} is smaller than its header"),
        ));
    }
    Ok(EventAt {
        start: pos,
        body: r.pos(),
        end,
        type_id,
    })
}

/// Constant-pool entries of one chunk: (class id, key) → offset of the encoded value.
pub(crate) type PoolIndex = FastMap<(u64, u64), usize>;

/// Indexes the entries of one checkpoint event. On a decoding error the entries read so far stay
/// indexed and the error is returned (the rest of this event cannot be located).
pub(crate) fn index_pools(
    data: &[u8],
    h: &Header,
    ev: &EventAt,
    types: &Types,
    pools: &mut PoolIndex,
) -> Result<()> {
    let mut r = Reader::new(data, ev.body, ev.end, h.compressed);
    r.i64()?; // start time
    r.i64()?; // duration
    r.i64()?; // delta to the previous checkpoint
    r.u8()?; // flags (flush, header, statics, thread)
    let n_pools = r.count("constant pool")?;
    for _ in 0..n_pools {
        let at = r.pos();
        let class = r.i64()? as u64;
        if types.get(class).is_none() {
            return Err(JfrError::new(
                at,
                format!("constant pool of undeclared class id {class}"),
            ));
        }
        let n = r.count("constant")?;
        for _ in 0..n {
            let key = r.i64()? as u64;
            let value_at = r.pos();
            read_class(&mut r, types, class, 0)?;
            pools.insert((class, key), value_at);
        }
    }
    Ok(())
}
