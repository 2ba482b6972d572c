//! A minimal, bounded zip reader: the central directory, stored and deflated members.
//!
//! Why our own and not the `zip` crate: a `.trace.zip` only needs listing and reading a handful of
//! members, and every size in a zip is a claim of the file. Here nothing is allocated from a claimed
//! size: the central directory is walked record by record inside the input, a member's declared
//! uncompressed size is only a capacity hint capped by the input length, and inflated bytes are
//! charged to a budget shared by the whole bundle ([`super::bundle::Budget`]), so a zip bomb ends in a
//! clear error instead of exhausting memory. `flate2` (already a dependency) does the raw inflate.
//!
//! Format facts (PKWARE APPNOTE): the end-of-central-directory record (`PK\5\6`) lies in the last
//! 65,557 bytes; zip64 archives put a locator (`PK\6\7`) 20 bytes before it pointing at a zip64 end
//! record (`PK\6\6`). Each central entry (`PK\1\2`) gives method, sizes, name and the offset of a
//! local header (`PK\3\4`), whose own name and extra lengths say where the data starts. Sizes of
//! `0xFFFFFFFF` are in the entry's zip64 extra field (id 1). Encryption and methods other than
//! stored (0) and deflate (8) are refused per member.

use super::bundle::{Budget, BundleError};
use super::le::{u16_at, u32_at, u64_at};
use std::collections::BTreeMap;
use std::io::Read;

/// One member as listed by the central directory.
#[derive(Clone, Copy, Debug)]
struct Entry {
    method: u16,
    crc: u32,
    flags: u16,
    compressed: u64,
    uncompressed: u64,
    local_offset: u64,
    /// Offset of the central directory record (for messages).
    central_offset: usize,
}

/// The members of a zip archive in memory, by name.
#[derive(Debug)]
pub struct ZipArchive<'a> {
    data: &'a [u8],
    entries: BTreeMap<String, Entry>,
}

fn zip_err(offset: usize, message: impl Into<String>) -> BundleError {
    BundleError::at("(zip)", offset as u64, message)
}

/// Where the central directory is: (offset, size, entry count), from the (zip64) end record.
fn central_directory(data: &[u8]) -> Result<(usize, usize, u64), BundleError> {
    const EOCD: u32 = 0x0605_4b50;
    let lowest = data.len().saturating_sub(22 + 65_535);
    let mut at = data.len().saturating_sub(22);
    let eocd = loop {
        if u32_at(data, at) == Some(EOCD) {
            break at;
        }
        if at == lowest {
            return Err(zip_err(
                data.len(),
                "no end of central directory record: the zip is truncated or not a zip",
            ));
        }
        at -= 1;
    };
    let truncated = || zip_err(eocd, "truncated end of central directory record");
    let mut count = u64::from(u16_at(data, eocd + 10).ok_or_else(truncated)?);
    let mut size = u64::from(u32_at(data, eocd + 12).ok_or_else(truncated)?);
    let mut offset = u64::from(u32_at(data, eocd + 16).ok_or_else(truncated)?);
    let locator = eocd.checked_sub(20);
    if let Some(loc) = locator.filter(|&l| u32_at(data, l) == Some(0x0706_4b50)) {
        let rec = u64_at(data, loc + 8).ok_or_else(truncated)?;
        let rec =
            usize::try_from(rec).map_err(|_| zip_err(loc, "zip64 end record out of range"))?;
        if u32_at(data, rec) != Some(0x0606_4b50) {
            return Err(zip_err(rec, "bad zip64 end of central directory record"));
        }
        let bad = || zip_err(rec, "truncated zip64 end of central directory record");
        count = u64_at(data, rec + 32).ok_or_else(bad)?;
        size = u64_at(data, rec + 40).ok_or_else(bad)?;
        offset = u64_at(data, rec + 48).ok_or_else(bad)?;
    }
    let start = usize::try_from(offset).ok().filter(|&o| o <= data.len());
    let size = usize::try_from(size).ok();
    match (start, size) {
        (Some(s), Some(n)) if s.checked_add(n).is_some_and(|e| e <= data.len()) => {
            Ok((s, n, count))
        }
        _ => Err(zip_err(
            eocd,
            format!("central directory at {offset} (+{size:?} bytes) lies outside the file"),
        )),
    }
}

/// Applies a zip64 extra field (id 1) to the sizes and offset that were saturated.
fn apply_zip64(extra: &[u8], e: &mut Entry) {
    let mut at = 0;
    while let (Some(id), Some(len)) = (u16_at(extra, at), u16_at(extra, at + 2)) {
        let body_start = at + 4;
        let body_end = body_start + usize::from(len);
        if id == 1 {
            let body = extra
                .get(body_start..body_end.min(extra.len()))
                .unwrap_or(&[]);
            let mut pos = 0;
            let mut next = |field: &mut u64| {
                if *field == u64::from(u32::MAX) {
                    if let Some(v) = u64_at(body, pos) {
                        *field = v;
                    }
                    pos += 8;
                }
            };
            next(&mut e.uncompressed);
            next(&mut e.compressed);
            next(&mut e.local_offset);
            return;
        }
        at = body_end;
    }
}

impl<'a> ZipArchive<'a> {
    /// Lists the members of `data`. Fails only when no central directory can be found; a record
    /// that runs past the directory ends the listing (what was listed is kept).
    pub fn new(data: &'a [u8]) -> Result<Self, BundleError> {
        let (start, size, count) = central_directory(data)?;
        let dir = &data[start..start + size];
        let mut entries = BTreeMap::new();
        let mut at = 0usize;
        for _ in 0..count {
            if u32_at(dir, at) != Some(0x0201_4b50) {
                break;
            }
            let (
                Some(flags),
                Some(method),
                Some(crc),
                Some(csize),
                Some(usize_),
                Some(nlen),
                Some(xlen),
            ) = (
                u16_at(dir, at + 8),
                u16_at(dir, at + 10),
                u32_at(dir, at + 16),
                u32_at(dir, at + 20),
                u32_at(dir, at + 24),
                u16_at(dir, at + 28),
                u16_at(dir, at + 30),
            )
            else {
                break;
            };
            let (Some(clen), Some(local)) = (u16_at(dir, at + 32), u32_at(dir, at + 42)) else {
                break;
            };
            let name_start = at + 46;
            let name_end = name_start + usize::from(nlen);
            let extra_end = name_end + usize::from(xlen);
            let (Some(name), Some(extra)) =
                (dir.get(name_start..name_end), dir.get(name_end..extra_end))
            else {
                break;
            };
            let mut e = Entry {
                method,
                crc,
                flags,
                compressed: u64::from(csize),
                uncompressed: u64::from(usize_),
                local_offset: u64::from(local),
                central_offset: start + at,
            };
            apply_zip64(extra, &mut e);
            let name = String::from_utf8_lossy(name).into_owned();
            entries.entry(name).or_insert(e);
            at = extra_end + usize::from(clen);
        }
        Ok(ZipArchive { data, entries })
    }

    /// Member names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// The uncompressed bytes of member `name`, charged to `budget`.
    pub fn read(&self, name: &str, budget: &Budget) -> Result<Vec<u8>, BundleError> {
        let Some(e) = self.entries.get(name) else {
            return Err(BundleError::missing(name));
        };
        let err = |offset: usize, msg: String| BundleError::at(name, offset as u64, msg);
        if e.flags & 1 != 0 {
            return Err(err(e.central_offset, "encrypted zip member".into()));
        }
        let local = usize::try_from(e.local_offset).unwrap_or(usize::MAX);
        if u32_at(self.data, local) != Some(0x0403_4b50) {
            return Err(err(
                local,
                "no local file header where the directory says".into(),
            ));
        }
        let (Some(nlen), Some(xlen)) =
            (u16_at(self.data, local + 26), u16_at(self.data, local + 28))
        else {
            return Err(err(local, "truncated local file header".into()));
        };
        let body = local + 30 + usize::from(nlen) + usize::from(xlen);
        let avail = self.data.len().saturating_sub(body);
        let clen = usize::try_from(e.compressed).unwrap_or(usize::MAX);
        if clen > avail {
            return Err(err(
                body,
                format!("member data ({clen} bytes) runs past the end of the zip (truncated?)"),
            ));
        }
        let comp = &self.data[body..body + clen];
        let out = match e.method {
            0 => {
                budget.charge(name, comp.len() as u64)?;
                comp.to_vec()
            }
            8 => {
                let decoder = flate2::read::DeflateDecoder::new(comp);
                read_bounded(decoder, name, e.uncompressed, budget)
                    .map_err(|e| e.with_offset_if_none(body as u64))?
            }
            m => {
                return Err(err(
                    e.central_offset,
                    format!("unsupported zip compression method {m}"),
                ));
            }
        };
        let mut crc = flate2::Crc::new();
        crc.update(&out);
        if crc.sum() != e.crc {
            return Err(err(body, "CRC mismatch: the zip member is corrupt".into()));
        }
        Ok(out)
    }
}

/// Reads all of `reader` into memory, charging `budget` as bytes arrive; `hint` (a size the file
/// claims) only sizes the first allocation, capped so a false claim cannot allocate much.
pub fn read_bounded(
    mut reader: impl Read,
    name: &str,
    hint: u64,
    budget: &Budget,
) -> Result<Vec<u8>, BundleError> {
    let cap = usize::try_from(hint.min(budget.remaining()).min(1 << 20)).unwrap_or(0);
    let mut out = Vec::with_capacity(cap);
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = reader
            .read(&mut buf)
            .map_err(|e| BundleError::new(name, format!("cannot decompress: {e}")))?;
        if n == 0 {
            return Ok(out);
        }
        budget.charge(name, n as u64)?;
        out.extend_from_slice(&buf[..n]);
    }
}
