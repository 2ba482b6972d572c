//! The parallel, streaming ingest engine and the import entry points.
//!
//! Why this design: parsing is the bottleneck of opening a multi-gigabyte profile, and every text
//! format bigflame reads is a sequence of self-contained records (a line, or a blank-line separated
//! perf sample). A format therefore only provides two sans-IO functions ([`ChunkFormat`]):
//! `next_record_boundary(data, from)` (the first record start `>= from`) and
//! `parse_chunk(data, base_offset)` (whole records to a chunk-local [`ProfileBuilder`]). This module
//! does the rest:
//!
//! * **in-memory input** (mmap or bytes): split at record boundaries into chunks of
//!   [`ImportOptions::chunk_bytes`] (at least `4 × threads` chunks once the input exceeds
//!   `threads × 256 KiB`, so mid-size files use every core), parse them on a rayon pool of
//!   [`ImportOptions::threads`] (each worker takes the next chunk as soon as it is free, a memory
//!   mapping is populated by the worker about to parse it), and merge the builders in input order
//!   as they become ready, at most `4 × threads` chunks ahead of the merge (`driver/pipeline.rs`);
//! * **streams** (stdin, pipes, gzip): a reader thread fills blocks of [`ImportOptions::block_bytes`],
//!   cuts each at its last record boundary and carries the remainder into the next block; each block
//!   is split and parsed like an in-memory input. Three blocks are in flight (one being read, one
//!   parsed, one merged) plus up to two recycled buffers, so memory is bounded by the model and the
//!   block size, not by the input size.
//!
//! Both paths produce identical profiles for the same bytes, whatever the thread count or chunk size:
//! the model assigns ids in first-occurrence order and merging keeps input order.
//!
//! Skip locations: parsers record the first skipped record of each reason as `byte N` (absolute
//! offset in the decoded input); the engine rewrites it to `line L` while the bytes are still in
//! memory.
//!
//! Empty input (no bytes, only whitespace, or only comments) is **not** an error: it yields an empty
//! profile (no threads, no events), because `collapse` of an empty file must print nothing and succeed
//! (inferno's `no-events` case). Commands that need samples turn it into [`ImportError::Empty`].
//!
//! A **truncated gzip stream** is not an error either: what was decoded before the cut is parsed (a
//! recording interrupted while being compressed is still worth viewing) and the profile carries a
//! note and a [`SkipReason::Truncated`](bigflame_model::SkipReason::Truncated) entry naming the decoded and compressed byte offsets. A
//! *corrupt* gzip stream is [`ImportError::Decompress`].

use crate::error::ImportError;
use crate::folded::{self, FoldedOptions};
use crate::input::{self, Input, Source};
use crate::perf_data::{self, PerfInput};
use crate::sniff::{self, Encoding, Format, Sniffed};
use bigflame_model::{Profile, ProfileBuilder, ProfileMeta};
use std::io::{self, Read};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use crate::perf;

mod engine;
mod pipeline;
mod stream;
#[cfg(test)]
mod tests;
pub(crate) mod whole;

pub(crate) use engine::{Engine, Merger, PrepareFn, split, with_pool};

/// Progress of an import, reported after every parsed chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Progress {
    /// Input bytes consumed so far (compressed bytes for gzip; for streams, bytes read so far).
    pub bytes_done: u64,
    /// Size of the input when known (not for pipes and stdin).
    pub bytes_total: Option<u64>,
    /// Samples parsed so far.
    pub samples_so_far: u64,
}

/// A progress callback; called from worker threads, so it must be cheap and thread-safe.
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// A progressive-display hook: receives the profile merged so far (see
/// [`ImportOptions::snapshot`]).
pub type SnapshotFn = Arc<dyn Fn(&Profile) + Send + Sync>;

/// How to import.
#[derive(Clone)]
pub struct ImportOptions {
    /// Parser threads; 0 = one per core.
    pub threads: usize,
    /// Force a format instead of sniffing it.
    pub format: Option<Format>,
    /// Options of the perf script importer.
    pub perf: perf::PerfOptions,
    /// Called after every chunk.
    pub progress: Option<ProgressFn>,
    /// Progressive display (chunked formats only): called after each merged wave (in-memory
    /// input) or block (streams) with the profile merged so far, on the merging thread while the
    /// next wave parses. It borrows: clone what you keep, and throttle (a clone costs about the
    /// model's size, so keep the interval growing with it). Whole-document formats never call it.
    pub snapshot: Option<SnapshotFn>,
    /// Map regular files (default); `false` reads them with `read()` (for files being rewritten).
    pub mmap: bool,
    /// Target chunk size for parallel parsing.
    /// Default 16 MiB, a speed/memory trade-off: each chunk re-learns its line cache and re-interns its
    /// frames and stacks, so larger chunks parse faster, but a wave holds 2 x threads chunk tables.
    /// Sweep (2 threads, idle 2-core machine, warm page cache, `bigflame info --threads 2 FILE`,
    /// peak RssAnon sampled from /proc every 10 ms) on the 904 MB / 2 GB recordings of
    /// `corpus/record-perf.sh`: 8 MiB 0.82 s / 1.65 s; 16 MiB 0.82 s / 1.58 s, 0.107x / 0.084x
    /// input; 32 MiB 0.77 s / 1.48 s, 0.120x / 0.086x; 64 MiB 0.70 s / 1.51 s, 0.126x / 0.097x.
    pub chunk_bytes: usize,
    /// Block size when streaming (stdin, pipes, gzip); memory use is about three to five blocks
    /// (measured: 112 MB peak RSS streaming a 600 MB file with the default 32 MiB).
    pub block_bytes: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            threads: 0,
            format: None,
            perf: perf::PerfOptions::default(),
            progress: None,
            snapshot: None,
            mmap: true,
            chunk_bytes: 16 << 20,
            block_bytes: 32 << 20,
        }
    }
}

impl std::fmt::Debug for ImportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportOptions")
            .field("threads", &self.threads)
            .field("format", &self.format)
            .field("perf", &self.perf)
            .field("progress", &self.progress.is_some())
            .field("snapshot", &self.snapshot.is_some())
            .field("mmap", &self.mmap)
            .field("chunk_bytes", &self.chunk_bytes)
            .field("block_bytes", &self.block_bytes)
            .finish()
    }
}

/// A chunk parser: whole records and their offset in the input to a chunk-local builder.
pub(crate) type ParseChunkFn<'a> = Box<dyn Fn(&[u8], u64) -> ProfileBuilder + Send + Sync + 'a>;

/// A format's sans-IO chunk functions.
pub(crate) struct ChunkFormat<'a> {
    /// The format (for `ProfileMeta::format`).
    pub format: Format,
    /// The first record start `>= from` (or `data.len()`); must return `from` when `from == 0`.
    pub next_record_boundary: fn(&[u8], usize) -> usize,
    /// Parses whole records; the second argument is the offset of the chunk in the input.
    pub parse_chunk: ParseChunkFn<'a>,
    /// Turns the merged skip counts into user-facing notes, in the format's peers' words.
    pub warnings: fn(&bigflame_model::Skipped) -> Vec<String>,
}

/// Imports a file, or stdin for `-`. A directory is read as an Instruments `.trace` bundle (the
/// only directory format), unless another format is forced.
pub fn import_path(path: &Path, opts: &ImportOptions) -> Result<Profile, ImportError> {
    if path.is_dir() && matches!(opts.format, None | Some(Format::InstrumentsTrace)) {
        return crate::instruments_trace::import_dir(path, opts);
    }
    let input = input::open(path, opts.mmap)?;
    import_input(input, Some(path), opts)
}

/// Imports bytes already in memory (gzip is detected and decoded); `name` is used in messages.
pub fn import_bytes(data: &[u8], name: &str, opts: &ImportOptions) -> Result<Profile, ImportError> {
    if input::is_gzip(data) {
        let total = Some(data.len() as u64);
        let input = Input::from_reader(name, Box::new(io::Cursor::new(data.to_vec())), total)?;
        return import_input(input, Some(Path::new(name)), opts);
    }
    let hint = Path::new(name);
    import_slice(data, name, Some(hint), opts, None)
}

/// Imports from a reader, streamed in blocks (gzip is detected by content); `name` is used in
/// messages.
pub fn import_reader(
    reader: Box<dyn Read + Send>,
    name: &str,
    opts: &ImportOptions,
) -> Result<Profile, ImportError> {
    let input = Input::from_reader(name, reader, None)?;
    import_input(input, Some(Path::new(name)), opts)
}

fn import_input(
    input: Input,
    hint: Option<&Path>,
    opts: &ImportOptions,
) -> Result<Profile, ImportError> {
    let Input {
        name,
        source,
        gzip,
        bytes_total,
        bytes_read,
    } = input;
    match source {
        Source::Mapped(map) => {
            // Each worker maps the pages of its chunk in one call before parsing it: cheaper
            // than a page fault every 16 pages, and spread over the workers (a hint: errors are
            // ignored, and kernels before 5.14 simply fault as before).
            let populate = |r: Range<usize>| {
                let _ = map.advise_range(memmap2::Advice::PopulateRead, r.start, r.len());
            };
            import_slice(&map, &name, hint, opts, Some(&populate))
        }
        Source::Owned(data) => import_slice(&data, &name, hint, opts, None),
        Source::Stream(reader) => {
            let src = stream::StreamInput {
                reader,
                name: &name,
                gzip,
                bytes_total,
                bytes_read,
            };
            stream::import_stream(src, hint, opts)
        }
    }
}

/// What to do with an input after sniffing.
pub(crate) enum Plan {
    Parse(Format),
    /// A perf.data recording: run `perf script` on it.
    PerfData,
    Empty(String),
}

/// Decides the format (forced or sniffed) or fails with a message naming the input.
pub(crate) fn plan(
    head: &[u8],
    complete: bool,
    name: &str,
    hint: Option<&Path>,
    opts: &ImportOptions,
) -> Result<Plan, ImportError> {
    let format = match opts.format {
        Some(f) => f,
        None => match sniff::sniff(head, complete, hint) {
            Sniffed::Known(f) => f,
            Sniffed::Empty => return Ok(Plan::Empty("empty".to_string())),
            Sniffed::Unknown(detail) => return Err(ImportError::unknown(name, detail)),
        },
    };
    if format == Format::PerfData {
        return Ok(Plan::PerfData);
    }
    if let Some(detail) = format.unsupported_detail(name) {
        return Err(ImportError::unknown(name, detail));
    }
    if head.trim_ascii().is_empty() && complete {
        return Ok(Plan::Empty(format.name().to_string()));
    }
    Ok(Plan::Parse(format))
}

/// The chunk functions of a supported format.
pub(crate) fn chunk_format<'a>(
    format: Format,
    name: &str,
    opts: &'a ImportOptions,
) -> ChunkFormat<'a> {
    match format {
        Format::PerfScript => ChunkFormat {
            format,
            next_record_boundary: perf::next_record_boundary,
            parse_chunk: Box::new(move |data, base| perf::parse_chunk(data, base, &opts.perf)),
            warnings: perf::warnings,
        },
        _ => {
            let fopts = FoldedOptions {
                thread_name: thread_name_for(name),
            };
            ChunkFormat {
                format,
                next_record_boundary: folded::next_record_boundary,
                parse_chunk: Box::new(move |data, base| folded::parse_chunk(data, base, &fopts)),
                // Folded input's skipped lines are reported from `Skipped` by the caller.
                warnings: |_| Vec::new(),
            }
        }
    }
}

/// The folded pseudo-thread name: the file stem (`simple` for `simple.txt.gz`), `all` for stdin.
fn thread_name_for(name: &str) -> String {
    let name = name.strip_suffix(".gz").unwrap_or(name);
    match Path::new(name).file_stem().and_then(|s| s.to_str()) {
        Some(stem) if name != "-" && !stem.is_empty() => stem.to_string(),
        _ => "all".to_string(),
    }
}

/// Imports `data`; `prepare`, when given, is called with each chunk's range just before a worker
/// parses it.
pub(crate) fn import_slice(
    data: &[u8],
    name: &str,
    hint: Option<&Path>,
    opts: &ImportOptions,
    prepare: Option<&PrepareFn<'_>>,
) -> Result<Profile, ImportError> {
    let head = &data[..data.len().min(sniff::SNIFF_BYTES)];
    let complete = head.len() == data.len();
    let format = match plan(head, complete, name, hint, opts)? {
        Plan::Parse(f) => f,
        Plan::Empty(f) => return Ok(empty_profile(name, &f)),
        Plan::PerfData => {
            let input = match hint {
                Some(path) if name != "-" && path.is_file() => PerfInput::File(path),
                _ => PerfInput::Stream(Box::new(data)),
            };
            return perf_data::import(input, name, opts);
        }
    };
    let encoding = Encoding::detect(data);
    if encoding.is_utf16() {
        let text = sniff::utf16_to_utf8(data, encoding);
        let no_utf16 = ImportOptions {
            format: Some(format),
            ..opts.clone()
        };
        return import_slice(&text, name, hint, &no_utf16, None);
    }
    let skip = if encoding == Encoding::Utf8Bom { 3 } else { 0 };
    if let Some(parse) = whole::parser(format) {
        let mut profile = parse(&data[skip..], name, opts)?;
        profile.meta.format = format.name().to_string();
        profile.meta.source = name.to_string();
        if let Some(progress) = &opts.progress {
            let samples: usize = (0..profile.events.len())
                .map(|e| profile.sample_count(bigflame_model::EventId::from_index(e)))
                .sum();
            progress(Progress {
                bytes_done: data.len() as u64,
                bytes_total: Some(data.len() as u64),
                samples_so_far: samples as u64,
            });
        }
        return Ok(profile);
    }
    let fmt = chunk_format(format, name, opts);
    let total = Some(data.len() as u64);
    let engine = Engine::new(&fmt, opts, total, None).preparing(prepare);
    let mut merger = Merger::default();
    merger.snapshot = opts.snapshot.clone();
    with_pool(opts.threads, || {
        let threads = rayon::current_num_threads();
        let ranges = split(
            data,
            skip,
            fmt.next_record_boundary,
            opts.chunk_bytes,
            threads,
        );
        pipeline::parse_and_merge(&engine, data, &ranges, &mut merger, threads);
    });
    let profile = merger.finish(meta(name, fmt.format), fmt.warnings);
    engine.report(data.len() as u64, &profile);
    Ok(profile)
}

pub(crate) fn meta(name: &str, format: Format) -> ProfileMeta {
    ProfileMeta {
        format: format.name().to_string(),
        source: name.to_string(),
        ..ProfileMeta::default()
    }
}

pub(crate) fn empty_profile(name: &str, format: &str) -> Profile {
    ProfileBuilder::new().finish(ProfileMeta {
        format: format.to_string(),
        source: name.to_string(),
        ..ProfileMeta::default()
    })
}
