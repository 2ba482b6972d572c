//! Profile importers for bigflame.
//!
//! Why this shape: every supported format is parsed by plain functions over `&[u8]` (sans-IO), split
//! into record-aligned chunks and parsed on all cores. The I/O around them lives in one place:
//!
//! * [`input`] opens a path or stdin (`-`): mmap for regular files (the project's single `unsafe`
//!   site), `read()` for pipes and special files, transparent gzip detected by content;
//! * [`sniff`] recognises the format from the first bytes (the file extension is only a hint);
//! * [`driver`] splits an in-memory input into chunks, or streams a reader in blocks with bounded
//!   memory, parses chunks in parallel with rayon and merges the chunk builders in input order;
//! * [`folded`] and [`perf`] are the format parsers; [`collapse`] writes folded stacks back out.
//!
//! The entry points are [`import_path`] and [`import_bytes`].

// Input data must never panic the importer: no unwrap/expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod callgraph;
pub mod callgrind;
pub mod collapse;
pub mod driver;
pub mod error;
pub mod evented;
pub mod export;
pub mod firefox;
pub mod folded;
pub mod format;
pub mod ghc;
pub mod input;
pub mod instruments;
pub mod instruments_trace;
pub mod jfr;
pub mod json;
mod ordered;
pub mod papyrus;
pub mod perf;
mod perf_data;
pub mod pmcstat;
pub mod pprof;
pub mod pstats;
mod round;
pub mod safari;
pub mod sniff;
pub mod stackprof;
#[cfg(test)]
mod test_support;

pub use driver::{ImportOptions, Progress, ProgressFn, import_bytes, import_path, import_reader};
pub use error::{ImportError, line_of_offset};
pub use format::Format;
