//! The fast path of speedscope import: the big arrays read from the bytes, the rest on a small tape.
//!
//! Why: see [`super::scan`]. simd-json parses a copy of the document with the bodies of the arrays
//! found by [`scan::find`] left out (so they cost neither a copy nor tape nodes), and the importer
//! ([`super::build`]) asks [`Scanned::get`] for each profile's `samples` and `weights` key; the
//! profiles whose arrays were both read are built on all cores ([`super::local`]).
//!
//! Soundness: simd-json's tape strings without escapes point into the parsed buffer, so a tape key
//! `samples` is matched with a found array by its byte position, never by its text: a found array
//! whose key the importer never reads (a second `samples` key, a key `x\"samples` whose pattern
//! looked alike, a `weights` key of a frame) changes nothing it reads. Leaving out a body changes
//! no string (bodies hold no quotes) and no validity (they are checked to be arrays of integers),
//! so the shortened document parses exactly when the whole one does. Any error, even an error the
//! plain path would also report, sends the caller to the plain path, which then reports it with
//! its line: both paths give the same result or the same error.

use super::scan::{self, Body, Found, Samples};
use crate::driver::ImportOptions;
use crate::error::ImportError;
use crate::json::{MAX_DEPTH, Val};
use bigflame_model::Profile;
use simd_json::{Buffers, INPUT_PADDING, Tape, fill_tape_padded};

/// The arrays read from the bytes, found by the address of their key in the parsed buffer.
pub(crate) struct Scanned<'d> {
    found: Vec<Found>,
    /// Per found array, the address of its key's first letter in the parsed buffer (ascending).
    keys: Vec<usize>,
    /// The document, for reading a `samples` array again ([`Scanned::samples`]).
    data: &'d [u8],
}

impl Scanned<'_> {
    /// The array read for the tape key `key`, if it was read from the bytes.
    pub(crate) fn get(&self, key: &str) -> Option<&Body> {
        self.found_at(key).map(|f| &f.body)
    }

    fn found_at(&self, key: &str) -> Option<&Found> {
        let at = key.as_ptr() as usize;
        let i = self.keys.binary_search(&at).ok()?;
        self.found.get(i)
    }

    /// The `samples` array read for the tape key `key`, read again as plain [`Samples`] (the
    /// rare profiles whose samples are not all kept, and the paths that report errors).
    pub(crate) fn samples(&self, key: &str) -> Option<Samples> {
        let found = self.found_at(key)?;
        let mut samples = Samples::default();
        scan::read_samples(self.data, found.open, &mut samples)?;
        Some(samples)
    }
}

/// Imports through the fast path, or `None` to take the plain one (nothing to read from the bytes,
/// or any error).
pub(crate) fn import_fast(data: &[u8], path: &str, opts: &ImportOptions) -> Option<Profile> {
    crate::json::on_threads(opts.threads, || {
        let found = scan::find(data);
        if found.is_empty() {
            return None;
        }
        with_blanked(data, found, |root, scanned| {
            super::build(root, path, Some(scanned))
        })
        .ok()
    })
}

/// Parses `data` with the bodies of `found` left out and runs `f` on the root and the lookup.
fn with_blanked(
    data: &[u8],
    found: Vec<Found>,
    f: impl FnOnce(Val<'_, '_>, &Scanned<'_>) -> Result<Profile, ImportError>,
) -> Result<Profile, ImportError> {
    let left_out: usize = found.iter().map(|f| f.close - f.open - 1).sum();
    let mut buf = Vec::with_capacity(data.len() - left_out + INPUT_PADDING);
    let mut key_offsets = Vec::with_capacity(found.len());
    let mut copied = 0;
    for f in &found {
        // `found` is in file order without overlaps: each key lies after the last body left out.
        key_offsets.push(buf.len() + f.key.saturating_sub(copied));
        buf.extend_from_slice(data.get(copied..=f.open).unwrap_or(&[]));
        copied = f.close;
    }
    buf.extend_from_slice(data.get(copied..).unwrap_or(&[]));
    let len = buf.len();
    buf.resize(len + INPUT_PADDING, b' ');
    let base = buf.as_ptr() as usize;
    let scanned = Scanned {
        found,
        keys: key_offsets.iter().map(|k| base + k).collect(),
        data,
    };
    let mut buffers = Buffers::with_max_depth(0, MAX_DEPTH);
    let mut tape = Tape::null();
    let fast_only = || ImportError::invalid("", "not read by the fast path");
    fill_tape_padded(&mut buf, len, &mut buffers, &mut tape).map_err(|_| fast_only())?;
    match tape.0.first() {
        Some(_) => f(Val::root(&tape.0), &scanned),
        None => Err(fast_only()),
    }
}
