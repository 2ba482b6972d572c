//! A run's sample table (`bulkstore`) and backtrace arrays (`integeruniquer`).
//!
//! Format facts (Instruments 8.3.3 – 10.0):
//!
//! * `corespace/runN/core/stores/indexed-store-K/` holds one table; its `schema.xml` names it, and
//!   the Time Profiler's samples are the store whose schema is `name="time-profile"` (columns time,
//!   thread, process, core, thread-state, weight, stack).
//! * `bulkstore` starts with a header of little-endian `u32`s: three we do not need, the header
//!   size (where records start), and the record size. Records are fixed-size: a 48-bit timestamp in
//!   nanoseconds since the recording started, a 32-bit thread number, other columns, the sample's
//!   64-bit weight in nanoseconds (the sampling interval, what Instruments sums in its Weight
//!   column) in the record's last twelve bytes but four, and the 32-bit backtrace id in the last
//!   four. The file is padded with zeroed records; a zero
//!   timestamp ends the table.
//! * `uniquing/arrayUniquer/integeruniquer.index` is a 32-byte header then `(u32 byte offset, u32
//!   MiB offset)` pairs; each non-zero offset locates, in `integeruniquer.data`, an array: `u32`
//!   length then that many `u64`s. Zero entries only mark the data file's header and are not
//!   arrays (the array list skips them, so later indices are not shifted by them being absent).
//!
//! Arrays are kept as ranges into the data file, so an index pointing many times at one long array
//! costs nothing more than the index itself.

use super::bundle::BundleError;
use super::le::{u32_at, u64_at};
use std::ops::Range;

/// One sample record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// Nanoseconds since the recording started.
    pub time_ns: u64,
    /// Instruments' thread number.
    pub thread: u32,
    /// The backtrace id: an address or an index into the backtrace arrays.
    pub backtrace: u32,
    /// Instruments' weight of the sample in ns (`None` when the record is too short to hold one).
    pub weight_ns: Option<u64>,
    /// Offset of the record in the bulkstore (for messages).
    pub offset: usize,
}

/// The samples of a bulkstore, and whether its last record was cut off.
#[derive(Debug, Default)]
pub struct SampleTable {
    /// Samples in file order.
    pub samples: Vec<Sample>,
    /// Byte offset of a truncated last record, if any.
    pub truncated_at: Option<usize>,
}

/// Reads the sample records of a time-profile `bulkstore` (`member` names it in errors).
pub fn read_samples(data: &[u8], member: &str) -> Result<SampleTable, BundleError> {
    let (Some(header), Some(record)) = (u32_at(data, 12), u32_at(data, 16)) else {
        return Err(BundleError::at(member, 0, "bulkstore header is truncated"));
    };
    let (header, record) = (header as usize, record as usize);
    if record < 14 {
        return Err(BundleError::at(
            member,
            16,
            format!("bulkstore records of {record} bytes cannot hold a time, thread and stack"),
        ));
    }
    let mut table = SampleTable::default();
    let records = data.get(header..).unwrap_or(&[]);
    table.samples.reserve(records.len() / record);
    for (i, rec) in records.chunks(record).enumerate() {
        let offset = header + i * record;
        if rec.len() < record {
            // A cut record with a non-zero time was a sample; zero padding is not.
            if rec.iter().take(6).any(|&b| b != 0) {
                table.truncated_at = Some(offset);
            }
            break;
        }
        let time_ns = u64::from(u32::from_le_bytes([rec[0], rec[1], rec[2], rec[3]]))
            | u64::from(u16::from_le_bytes([rec[4], rec[5]])) << 32;
        if time_ns == 0 {
            break;
        }
        let thread = u32::from_le_bytes([rec[6], rec[7], rec[8], rec[9]]);
        let b = &rec[record - 4..];
        let backtrace = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        // Time (6), thread (4), weight (8) and backtrace (4) need 22 bytes.
        let weight_ns = if record >= 22 {
            u64_at(rec, record - 12)
        } else {
            None
        };
        table.samples.push(Sample {
            time_ns,
            thread,
            backtrace,
            weight_ns,
            offset,
        });
    }
    Ok(table)
}

/// The backtrace arrays of a run: each a range of `u64`s in the data file.
#[derive(Debug, Default)]
pub struct Arrays {
    data: Vec<u8>,
    ranges: Vec<Range<usize>>,
    /// Index entries that pointed outside the data file (skipped).
    pub bad_entries: u64,
}

impl Arrays {
    /// Reads the index and data files of an array uniquer.
    pub fn read(index: &[u8], data: Vec<u8>) -> Arrays {
        let mut ranges = Vec::with_capacity(index.len().saturating_sub(32) / 8);
        let mut bad_entries = 0;
        let mut at = 32;
        while let (Some(bytes), Some(mib)) = (u32_at(index, at), u32_at(index, at + 4)) {
            at += 8;
            let offset = u64::from(bytes) + u64::from(mib) * (1 << 20);
            if offset == 0 {
                continue;
            }
            let range = usize::try_from(offset).ok().and_then(|o| {
                let len = u32_at(&data, o)? as usize;
                let start = o + 4;
                let end = start.checked_add(len.checked_mul(8)?)?;
                (end <= data.len()).then_some(start..end)
            });
            match range {
                Some(r) => ranges.push(r),
                None => {
                    bad_entries += 1;
                    // Keep later indices where they belong.
                    ranges.push(0..0);
                }
            }
        }
        Arrays {
            data,
            ranges,
            bad_entries,
        }
    }

    /// Number of arrays.
    pub fn count(&self) -> usize {
        self.ranges.len()
    }

    /// Element `j` of array `i`, if both exist.
    pub fn element(&self, i: usize, j: usize) -> Option<u64> {
        let r = self.ranges.get(i)?;
        let at = r.start.checked_add(j.checked_mul(8)?)?;
        if at >= r.end {
            return None;
        }
        u64_at(&self.data, at)
    }
}
