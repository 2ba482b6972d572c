//! The `.trace` bundle as the importer sees it: relative paths → bytes, read on demand.
//!
//! Why a trait: users pass the `.trace` *directory* Instruments writes (`bigflame my.trace`), while
//! speedscope's samples and our conformance files are that directory zipped. The importer only
//! lists members and reads the few it needs (`form.template`, the stores' `schema.xml` and
//! `bulkstore`, the array uniquer), so it works over [`Bundle`], implemented by a zip in memory
//! ([`ZipBundle`]), a directory on disk ([`super::dir::DirBundle`]) and a map built in tests
//! ([`MemBundle`]). Paths are relative to the `.trace` directory and use `/`.
//!
//! Memory: every byte a bundle hands out (read from disk, inflated from the zip, or inflated again
//! from a zlib-compressed member, as Instruments 9 and later write their stores) is charged to one
//! [`Budget`] fixed from the input's size, so a bundle cannot make us hold more than a bounded
//! multiple of what it occupies.

use super::zip::{ZipArchive, read_bounded};
use std::cell::Cell;
use std::collections::BTreeMap;

/// A problem with one member of the bundle (or the zip around it).
#[derive(Debug, Clone, PartialEq)]
pub struct BundleError {
    /// The member, relative to the bundle (`(zip)` for the archive itself).
    pub member: String,
    /// Byte offset in that member's data (or the zip), when known.
    pub offset: Option<u64>,
    /// What is wrong.
    pub message: String,
}

impl BundleError {
    /// An error about `member` without a location.
    pub fn new(member: &str, message: impl Into<String>) -> Self {
        BundleError {
            member: member.to_string(),
            offset: None,
            message: message.into(),
        }
    }

    /// An error at byte `offset` of `member`.
    pub fn at(member: &str, offset: u64, message: impl Into<String>) -> Self {
        BundleError {
            member: member.to_string(),
            offset: Some(offset),
            message: message.into(),
        }
    }

    /// A member the importer needs is not in the bundle.
    pub fn missing(member: &str) -> Self {
        BundleError::new(member, "missing from the .trace bundle")
    }

    pub(crate) fn with_offset_if_none(mut self, offset: u64) -> Self {
        self.offset.get_or_insert(offset);
        self
    }
}

impl std::fmt::Display for BundleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.offset {
            Some(o) => write!(f, "{}: at byte {o}: {}", self.member, self.message),
            None => write!(f, "{}: {}", self.member, self.message),
        }
    }
}

/// How many bytes the bundle may still hand out.
#[derive(Debug)]
pub struct Budget {
    left: Cell<u64>,
    limit: u64,
}

impl Budget {
    /// A budget of `limit` bytes.
    pub fn new(limit: u64) -> Self {
        Budget {
            left: Cell::new(limit),
            limit,
        }
    }

    /// The budget for an input of `input_len` bytes: 64 MiB plus 64 times the input. Instruments'
    /// stores are fixed-size pages mostly padded with zeros (a 540 KB bulkstore deflates to a few
    /// KB), so real bundles inflate by a large factor, but never by more than this.
    pub fn for_input(input_len: u64) -> Self {
        Budget::new((64 << 20) + input_len.saturating_mul(64))
    }

    /// Bytes left.
    pub fn remaining(&self) -> u64 {
        self.left.get()
    }

    /// Takes `n` bytes for `member`, or fails naming the limit.
    pub fn charge(&self, member: &str, n: u64) -> Result<(), BundleError> {
        match self.left.get().checked_sub(n) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => Err(BundleError::new(
                member,
                format!(
                    "decompresses to more than the {} bytes allowed for this input (a zip bomb?)",
                    self.limit
                ),
            )),
        }
    }
}

/// Read access to a `.trace` bundle.
pub trait Bundle {
    /// Every file's path, relative to the bundle root, sorted.
    fn paths(&self) -> Vec<String>;
    /// The raw bytes of one file.
    fn read_raw(&self, path: &str) -> Result<Vec<u8>, BundleError>;
    /// The budget that reads are charged to.
    fn budget(&self) -> &Budget;

    /// The bytes of one file, inflated when the file is a zlib stream (Instruments 9 and later
    /// compress each store file; 8.x wrote them plain).
    fn read(&self, path: &str) -> Result<Vec<u8>, BundleError> {
        let raw = self.read_raw(path)?;
        if !looks_like_zlib(&raw) {
            return Ok(raw);
        }
        let decoder = flate2::read::ZlibDecoder::new(raw.as_slice());
        match read_bounded(decoder, path, raw.len() as u64 * 4, self.budget()) {
            Ok(inflated) => Ok(inflated),
            // A budget overrun is an error; a stream that is not zlib after all is the raw file.
            Err(e) if e.message.contains("allowed for this input") => Err(e),
            Err(_) => Ok(raw),
        }
    }
}

/// True when `b` starts with a zlib header (deflate, 32 KiB window or less, header checksum).
fn looks_like_zlib(b: &[u8]) -> bool {
    match b {
        [cmf, flg, ..] => {
            cmf & 0x0f == 8 && cmf >> 4 <= 7 && (u16::from(*cmf) * 256 + u16::from(*flg)) % 31 == 0
        }
        _ => false,
    }
}

/// A bundle held in memory (tests, and anything already unpacked).
#[derive(Debug)]
pub struct MemBundle {
    files: BTreeMap<String, Vec<u8>>,
    budget: Budget,
}

impl MemBundle {
    /// A bundle of `files` (relative path → bytes).
    pub fn new(files: BTreeMap<String, Vec<u8>>) -> Self {
        let size: u64 = files.values().map(|v| v.len() as u64).sum();
        MemBundle {
            files,
            budget: Budget::for_input(size),
        }
    }
}

impl Bundle for MemBundle {
    fn paths(&self) -> Vec<String> {
        self.files.keys().cloned().collect()
    }
    fn read_raw(&self, path: &str) -> Result<Vec<u8>, BundleError> {
        let bytes = self
            .files
            .get(path)
            .ok_or_else(|| BundleError::missing(path))?;
        self.budget.charge(path, bytes.len() as u64)?;
        Ok(bytes.clone())
    }
    fn budget(&self) -> &Budget {
        &self.budget
    }
}

/// A zipped `.trace` directory: the members under its `NAME.trace/` folder (macOS's `__MACOSX/`
/// resource forks are ignored).
#[derive(Debug)]
pub struct ZipBundle<'a> {
    zip: ZipArchive<'a>,
    root: String,
    budget: Budget,
}

impl<'a> ZipBundle<'a> {
    /// Opens `data` as a zipped bundle with the default budget for its size.
    pub fn new(data: &'a [u8]) -> Result<Self, BundleError> {
        Self::with_budget(data, Budget::for_input(data.len() as u64))
    }

    /// Opens `data` with an explicit budget.
    pub fn with_budget(data: &'a [u8], budget: Budget) -> Result<Self, BundleError> {
        let zip = ZipArchive::new(data)?;
        // The root is the folder holding `form.template` (the `.trace` directory itself); a zip
        // of the directory's contents has it at the top.
        let root = zip
            .names()
            .filter(|n| !n.starts_with("__MACOSX/"))
            .filter_map(|n| n.strip_suffix("form.template"))
            .filter(|p| p.is_empty() || p.ends_with(".trace/"))
            .min_by_key(|p| p.len())
            .or_else(|| {
                zip.names()
                    .filter(|n| !n.starts_with("__MACOSX/"))
                    .find_map(|n| n.find(".trace/").map(|i| &n[..i + 7]))
            })
            .unwrap_or("")
            .to_string();
        Ok(ZipBundle { zip, root, budget })
    }
}

impl Bundle for ZipBundle<'_> {
    fn paths(&self) -> Vec<String> {
        self.zip
            .names()
            .filter(|n| !n.ends_with('/'))
            .filter_map(|n| n.strip_prefix(self.root.as_str()))
            .filter(|n| !n.starts_with("__MACOSX/"))
            .map(str::to_string)
            .collect()
    }
    fn read_raw(&self, path: &str) -> Result<Vec<u8>, BundleError> {
        let full = format!("{}{path}", self.root);
        self.zip.read(&full, &self.budget).map_err(|mut e| {
            if e.member == full {
                e.member = path.to_string();
            }
            e
        })
    }
    fn budget(&self) -> &Budget {
        &self.budget
    }
}
