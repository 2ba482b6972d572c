//! A lazy reader of binary property lists (`bplist00`).
//!
//! Why our own: a binary plist is a table of objects that refer to each other by index, and may
//! share (or, in a hostile file, cycle through) objects. Decoding it into a tree, as general plist
//! libraries do, copies a shared object at every use, which a small file can turn into gigabytes.
//! Here nothing is expanded: [`Plist::object`] decodes one object on demand, and a collection is
//! returned as the indices of its members. Memory is the offset table (bounded by the file) plus
//! what the caller asks for.
//!
//! Format facts (Apple's CFBinaryPList.c): the file starts with `bplist00` and ends with a 32-byte
//! trailer: 6 unused bytes, the offset size and the reference size (1, 2, 4 or 8), then three
//! big-endian `u64`s: object count, root object index, offset-table position. Each object starts
//! with a marker byte, type in the high nibble and a small length in the low one (`0xF` = the
//! length follows as an integer object): `0x0` null/false/true, `0x1` int of 2^n bytes
//! (big-endian; 8 bytes is signed, 16 bytes holds a 64-bit value), `0x2` real, `0x3` date,
//! `0x4` data, `0x5` ASCII string, `0x6` UTF-16BE string, `0x8` UID of n+1 bytes, `0xA` array of
//! references, `0xD` dictionary: all key references, then all value references.

use std::borrow::Cow;

/// One decoded object; collections hold object indices.
#[derive(Clone, Debug, PartialEq)]
pub enum PVal<'a> {
    /// `null` (also unknown singletons).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i128),
    /// A real (also dates, as seconds since 2001).
    Real(f64),
    /// Data bytes.
    Data(&'a [u8]),
    /// A string.
    Str(Cow<'a, str>),
    /// A keyed-archiver UID.
    Uid(u64),
    /// Member object indices.
    Array(Vec<u64>),
    /// (key, value) object indices.
    Dict(Vec<(u64, u64)>),
}

/// A parse error at a byte offset.
#[derive(Clone, Debug, PartialEq)]
pub struct PlistError {
    /// Byte offset in the plist.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

fn perr<T>(offset: usize, message: impl Into<String>) -> Result<T, PlistError> {
    Err(PlistError {
        offset,
        message: message.into(),
    })
}

/// A binary plist in memory.
#[derive(Debug)]
pub struct Plist<'a> {
    data: &'a [u8],
    offsets: Vec<usize>,
    ref_size: usize,
    /// Index of the root object.
    pub root: u64,
}

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b))
}

impl<'a> Plist<'a> {
    /// Reads the trailer and offset table of `data`.
    pub fn new(data: &'a [u8]) -> Result<Self, PlistError> {
        if !data.starts_with(b"bplist00") {
            return perr(0, "not a binary property list (no bplist00 magic)");
        }
        let Some(t) = data.len().checked_sub(32).filter(|&t| t >= 8) else {
            return perr(data.len(), "binary property list too short for its trailer");
        };
        let trailer = &data[t..];
        let (offset_size, ref_size) = (usize::from(trailer[6]), usize::from(trailer[7]));
        if !matches!(offset_size, 1..=8) || !matches!(ref_size, 1..=8) {
            return perr(t + 6, "bad offset or reference size in the trailer");
        }
        let count = be(&trailer[8..16]);
        let root = be(&trailer[16..24]);
        let table = be(&trailer[24..32]);
        let table_len = count.checked_mul(offset_size as u64);
        let table_end = table_len.and_then(|n| n.checked_add(table));
        if table_end.is_none_or(|e| e > t as u64) {
            return perr(t + 8, "offset table lies outside the file");
        }
        let (table, count) = (table as usize, count as usize);
        let offsets = data[table..table + count * offset_size]
            .chunks_exact(offset_size)
            .map(|c| usize::try_from(be(c)).unwrap_or(usize::MAX))
            .collect();
        if root >= count as u64 {
            return perr(t + 16, "root object index out of range");
        }
        Ok(Plist {
            data: &data[..t],
            offsets,
            ref_size,
            root,
        })
    }

    /// Decodes object `index`.
    pub fn object(&self, index: u64) -> Result<PVal<'a>, PlistError> {
        let Some(&at) = usize::try_from(index)
            .ok()
            .and_then(|i| self.offsets.get(i))
        else {
            return perr(
                0,
                format!("reference to object {index}, beyond the object table"),
            );
        };
        let d = self.data;
        let Some(&marker) = d.get(at) else {
            return perr(at, "object offset outside the file");
        };
        let (kind, low) = (marker >> 4, usize::from(marker & 0x0f));
        let bytes = |from: usize, n: usize| -> Result<&'a [u8], PlistError> {
            from.checked_add(n)
                .and_then(|end| d.get(from..end))
                .ok_or(PlistError {
                    offset: at,
                    message: "object runs past the end of the property list".into(),
                })
        };
        // Collections and strings: the length, and where the body starts.
        let length = || -> Result<(usize, usize), PlistError> {
            if low != 0x0f {
                return Ok((low, at + 1));
            }
            let m = *d.get(at + 1).ok_or(PlistError {
                offset: at,
                message: "truncated length".into(),
            })?;
            if m >> 4 != 1 || m & 0x0f > 3 {
                return perr(at + 1, "length is not an integer");
            }
            let n = 1usize << (m & 0x0f);
            let len = usize::try_from(be(bytes(at + 2, n)?)).unwrap_or(usize::MAX);
            Ok((len, at + 2 + n))
        };
        Ok(match kind {
            0x0 => match low {
                8 => PVal::Bool(false),
                9 => PVal::Bool(true),
                _ => PVal::Null,
            },
            0x1 => {
                let n = 1usize << low.min(4);
                let b = bytes(at + 1, n)?;
                match n {
                    8 => PVal::Int(i128::from(be(b) as i64)),
                    16 => PVal::Int(i128::from(be(&b[8..]))),
                    _ => PVal::Int(i128::from(be(b))),
                }
            }
            0x2 | 0x3 => match low {
                2 => {
                    let b = bytes(at + 1, 4)?;
                    PVal::Real(f64::from(f32::from_be_bytes([b[0], b[1], b[2], b[3]])))
                }
                _ => PVal::Real(f64::from_bits(be(bytes(at + 1, 8)?))),
            },
            0x4 => {
                let (n, body) = length()?;
                PVal::Data(bytes(body, n)?)
            }
            0x5 => {
                let (n, body) = length()?;
                PVal::Str(String::from_utf8_lossy(bytes(body, n)?))
            }
            0x6 => {
                let (n, body) = length()?;
                let b = bytes(body, n.saturating_mul(2))?;
                let units = b.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
                PVal::Str(Cow::Owned(
                    char::decode_utf16(units)
                        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                        .collect(),
                ))
            }
            0x8 => PVal::Uid(be(bytes(at + 1, low + 1)?)),
            0xA => {
                let (n, body) = length()?;
                let refs = bytes(body, n.saturating_mul(self.ref_size))?;
                PVal::Array(refs.chunks_exact(self.ref_size).map(be).collect())
            }
            0xD => {
                let (n, body) = length()?;
                let len = n.saturating_mul(self.ref_size);
                let keys = bytes(body, len)?;
                let vals = bytes(body.saturating_add(len), len)?;
                let k = keys.chunks_exact(self.ref_size).map(be);
                PVal::Dict(k.zip(vals.chunks_exact(self.ref_size).map(be)).collect())
            }
            _ => return perr(at, format!("unknown object marker 0x{marker:02x}")),
        })
    }
}
