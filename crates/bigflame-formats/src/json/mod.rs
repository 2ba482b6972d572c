//! JSON profile importers: speedscope, Chrome `.cpuprofile`, Trace Event / DevTools exports, V8 heap
//! profiles.
//!
//! Why one shared parse: every JSON format here is one document that has to be read whole, and the
//! same three things matter for all of them: speed (profiles of hundreds of megabytes), clear errors
//! (file, line and column of a syntax error) and no recursion on nested input. So the document is
//! parsed once with simd-json into its *tape* (a flat, document-ordered array of nodes whose strings
//! borrow the input, no allocation per object) and the importers walk the tape with [`Val`], a
//! cursor that never recurses. The tape keeps object keys in file order, which speedscope's frame
//! keys for trace events depend on (`JSON.stringify(args)`).
//!
//! simd-json needs a mutable, padded copy of the input (it unescapes strings in place); that copy
//! and the tape (24 bytes per JSON value) are the memory cost, proportional to the input, never to
//! a size the file claims. Nesting deeper than [`MAX_DEPTH`] is refused with an error.
//!
//! The two big shapes skip the whole-document tape: a `.cpuprofile`'s integer arrays are scanned in
//! pieces on all cores ([`cpu_fast`], [`bulk`]), and a trace's event list is read in pieces of
//! whole events on all cores ([`trace_split`]), most of them scanned without any tape
//! ([`trace_scan`]). Both fall back to the whole-document parse on any doubt, which is also what
//! reports errors.

mod bulk;
mod cpu_fast;
pub(crate) mod cpuprofile;
mod cursor;
pub(crate) mod heap_profile;
pub(crate) mod speedscope;
pub(crate) mod stringify;
pub(crate) mod timeline;
pub(crate) mod trace_event;
mod trace_piece;
mod trace_sampled;
mod trace_scan;
mod trace_split;
pub(crate) mod truncated;
mod v8;

#[cfg(test)]
mod pieces_tests;
#[cfg(test)]
mod tests;

pub(crate) use cursor::Val;

use crate::error::ImportError;
use simd_json::{Buffers, ErrorType, INPUT_PADDING, Tape, fill_tape_padded};

/// Deepest nesting of arrays and objects accepted. The walkers here never recurse, so the limit
/// only bounds the parser's own stack; real profiles stay far below it (V8 heap trees follow call
/// depth, which V8 caps at about 10,000 frames).
pub const MAX_DEPTH: usize = 16_384;

/// Parses `data` as one JSON document and runs `f` on its root value.
///
/// Syntax errors become [`ImportError::Parse`] with the line and column of the offending byte.
pub(crate) fn with_document<T>(
    data: &[u8],
    path: &str,
    f: impl FnOnce(Val<'_, '_>) -> Result<T, ImportError>,
) -> Result<T, ImportError> {
    with_document_blanked(data, &[], path, f)
}

/// [`with_document`] with the bytes strictly inside each `(open, close)` bracket pair left out, so
/// arrays read by a faster path ([`bulk`]) parse as empty and cost neither a copy nor tape nodes.
/// Error positions then refer to the shortened text: callers fall back to [`with_document`] to
/// report errors.
pub(crate) fn with_document_blanked<T>(
    data: &[u8],
    blank: &[(usize, usize)],
    path: &str,
    f: impl FnOnce(Val<'_, '_>) -> Result<T, ImportError>,
) -> Result<T, ImportError> {
    let mut buf = Vec::with_capacity(data.len() + INPUT_PADDING);
    let mut copied = 0;
    let mut ranges: Vec<(usize, usize)> = blank.to_vec();
    ranges.sort_unstable();
    for (open, close) in ranges {
        let (from, to) = (
            (open + 1).max(copied).min(data.len()),
            close.min(data.len()),
        );
        if from >= to {
            continue;
        }
        buf.extend_from_slice(&data[copied..from]);
        copied = to;
    }
    buf.extend_from_slice(&data[copied..]);
    let len = buf.len();
    buf.resize(len + INPUT_PADDING, b' ');
    let mut buffers = Buffers::with_max_depth(0, MAX_DEPTH);
    let mut tape = Tape::null();
    fill_tape_padded(&mut buf, len, &mut buffers, &mut tape)
        .map_err(|e| syntax_error(path, data, &e))?;
    match tape.0.first() {
        Some(_) => f(Val::root(&tape.0)),
        None => Err(ImportError::invalid(path, "empty JSON document")),
    }
}

/// Runs `f` on `threads` threads: the global rayon pool (all cores) for 0, the default, so an import
/// spawns no threads; a pool of its own otherwise (tests compare 1 and N threads).
pub(crate) fn on_threads<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    if threads == 0 {
        f()
    } else {
        crate::driver::with_pool(threads, f)
    }
}

/// A simd-json error as an [`ImportError`] located in `data`.
fn syntax_error(path: &str, data: &[u8], e: &simd_json::Error) -> ImportError {
    let what = match e.error() {
        ErrorType::Eof => "the JSON document ends early (is the file truncated?)".to_string(),
        ErrorType::DepthLimitExceeded => {
            format!("JSON nested deeper than {MAX_DEPTH} levels")
        }
        ErrorType::InvalidUtf8 => "invalid UTF-8 in JSON text".to_string(),
        ErrorType::InputTooLarge => "JSON documents over 4 GiB are not supported".to_string(),
        ErrorType::TrailingData => "data after the end of the JSON document".to_string(),
        other => format!("invalid JSON ({other:?})"),
    };
    // simd-json reports the offending byte; an end-of-input error points past the last byte.
    ImportError::parse_at(path, data, e.index().min(data.len()), what)
}

/// The last path component of `path` (speedscope names profiles after the file).
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}
