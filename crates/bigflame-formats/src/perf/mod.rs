//! The `perf script` importer.
//!
//! Why it exists and how it is shaped: `perf script` text is what Linux profiles are exchanged as, and
//! real recordings are gigabytes. The importer is sans-IO (functions over `&[u8]`), splits the input at
//! record boundaries ([`next_record_boundary`]) and parses the chunks in parallel ([`parse_chunk`]),
//! each into its own builder, merged in input order, so the result does not depend on the number of
//! threads. See `parse.rs` for the caches that make it fast.
//!
//! # The format
//!
//! ```text
//! # comment lines (perf's header with `perf script --header`)
//! comm PID/TID [CPU] SECS.FRAC: PERIOD EVENT:        <- sample header (most fields optional)
//! \t    ADDR SYMBOL+0xOFF (MODULE)                   <- call chain, leaf first
//! \t    ADDR SYMBOL (MODULE)
//!                                                    <- empty line ends the record
//! ```
//!
//! * `comm` may contain spaces; only `TID` may be printed (then the PID is unknown).
//! * Timestamps become integer nanoseconds; the period becomes the sample weight (1 when absent, and
//!   the event's unit is then [`WeightUnit::Samples`](bigflame_model::WeightUnit) instead of events).
//! * Each event keeps its own sample columns (`cycles` and `instructions` are never mixed).
//! * Symbols are named by the FlameGraph/inferno rules in `names.rs` (flavour in [`PerfOptions`]).
//! * Non-UTF-8 bytes are replaced (lossy); malformed lines are skipped and counted, see [`warnings`].

mod frame_line;
mod header;
mod names;
mod parse;

pub use frame_line::{FrameLine, Line, parse_frame_line, strip_offset};
pub use header::{Header, parse_header, parse_timestamp_ns};
pub use names::{demangle_rust_legacy, is_jit_module, is_kernel_module, tidy};
pub use parse::{next_record_boundary, parse_chunk};

use crate::collapse::{CollapseOptions, RootFrame};
use bigflame_model::{ProfileBuilder, ProfileMeta, SkipReason, Skipped};
use rayon::prelude::*;

/// Whose naming rules to follow.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Flavour {
    /// inferno-collapse-perf: keeps quotes, keeps C++ template parentheses, demangles legacy Rust
    /// symbols, treats `*.ko`/`vmlinux-*` as kernel and `jitted-*.so` as JIT.
    #[default]
    Inferno,
    /// FlameGraph's stackcollapse-perf.pl, byte for byte.
    FlameGraph,
}

/// Options of the perf importer (the same flags as `stackcollapse-perf.pl` / `inferno-collapse-perf`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PerfOptions {
    /// `--pid`: the collapsed root frame is `comm-PID` (used by [`PerfOptions::collapse_options`]).
    pub include_pid: bool,
    /// `--tid`: the collapsed root frame is `comm-PID/TID` (used by [`PerfOptions::collapse_options`]).
    pub include_tid: bool,
    /// `--kernel`: kernel frame names get `_[k]`.
    pub annotate_kernel: bool,
    /// `--jit`: JIT frame names get `_[j]`.
    pub annotate_jit: bool,
    /// `--addrs`: unresolved frames keep their address (`[unknown <7f2e>]`).
    pub include_addrs: bool,
    /// `--event-filter`: keep only this event (by perf's name, with or without modifiers); other
    /// samples are counted as [`SkipReason::OtherEvent`]. `None` keeps every event.
    pub event_filter: Option<String>,
    /// `--skip-after` (repeatable): applied when writing folded stacks, see [`CollapseOptions`].
    pub skip_after: Vec<String>,
    /// Naming rules.
    pub flavour: Flavour,
}

impl PerfOptions {
    /// The folded-output options that go with these import options.
    pub fn collapse_options(&self) -> CollapseOptions {
        CollapseOptions {
            root: RootFrame::Process,
            include_pid: self.include_pid,
            include_tid: self.include_tid,
            event: self.event_filter.clone(),
            skip_after: self.skip_after.clone(),
        }
    }
}

/// Splits `data` into about `chunks` record-aligned pieces: `(start, end)` offsets.
pub fn split_chunks(data: &[u8], chunks: usize) -> Vec<(usize, usize)> {
    let chunks = chunks.max(1);
    let mut out = Vec::with_capacity(chunks);
    let mut start = 0;
    for k in 1..chunks {
        let target = (data.len() as u128 * k as u128 / chunks as u128) as usize;
        if target <= start {
            continue;
        }
        let cut = next_record_boundary(data, target);
        if cut > start && cut < data.len() {
            out.push((start, cut));
            start = cut;
        }
    }
    out.push((start, data.len()));
    out
}

/// Input bytes per chunk above which [`parse`] uses more chunks than threads (up to 4 per thread, for
/// load balancing). Every chunk re-parses each distinct call chain it meets and the merge re-interns
/// every chunk's stacks, so on inputs with many distinct stacks extra chunks cost more than they
/// balance: a synthetic 300 MB input with 300k distinct stack nodes took 2.6× the CPU time in 8 chunks
/// as in 1, while a real `perf record -a -g` capture repeated to 215 MB took 1.1× in 2 chunks
/// (release build, `perf::parse` timed with `std::time::Instant`, user CPU time from `time`).
pub const BYTES_PER_CHUNK: usize = 256 << 20;

/// Parses a whole `perf script` text with `threads` worker threads: `threads` chunks, or up to
/// `4 × threads` for inputs over [`BYTES_PER_CHUNK`] per thread.
///
/// `threads == 1` parses sequentially in one chunk. The result is identical for any thread count.
pub fn parse(data: &[u8], opts: &PerfOptions, threads: usize) -> bigflame_model::Profile {
    let threads = threads.max(1);
    if threads == 1 {
        return finish(vec![parse_chunk(data, 0, opts)]);
    }
    let chunks = (data.len() / BYTES_PER_CHUNK).clamp(threads, threads * 4);
    let ranges = split_chunks(data, chunks);
    let run = || -> Vec<ProfileBuilder> {
        ranges
            .par_iter()
            .map(|&(s, e)| parse_chunk(&data[s..e], s as u64, opts))
            .collect()
    };
    let builders = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(run),
        Err(_) => ranges
            .iter()
            .map(|&(s, e)| parse_chunk(&data[s..e], s as u64, opts))
            .collect(),
    };
    finish(builders)
}

/// Parses with chunks of about `chunk_bytes` on the current rayon pool (tests use tiny chunks to force
/// many splits; benches use it to pick a chunk size).
pub fn parse_chunked(
    data: &[u8],
    opts: &PerfOptions,
    chunk_bytes: usize,
) -> bigflame_model::Profile {
    let chunks = data.len().div_ceil(chunk_bytes.max(1)).max(1);
    let builders = split_chunks(data, chunks)
        .par_iter()
        .map(|&(s, e)| parse_chunk(&data[s..e], s as u64, opts))
        .collect();
    finish(builders)
}

fn finish(builders: Vec<ProfileBuilder>) -> bigflame_model::Profile {
    let meta = ProfileMeta {
        format: "perf-script".to_string(),
        ..ProfileMeta::default()
    };
    let mut profile = bigflame_model::merge_builders(builders, meta);
    profile.meta.notes = warnings(&profile.meta.skipped);
    profile
}

/// Human-readable warnings for skipped input, one per kind of problem, in the words the peers use
/// (`Weird event line: ...`, `Weird stack line: ...`).
pub fn warnings(skipped: &Skipped) -> Vec<String> {
    skipped
        .entries
        .iter()
        .map(|(reason, count, location, excerpt)| {
            let more = if *count > 1 {
                format!(" ({count} such lines, first at {location})")
            } else {
                format!(" (at {location})")
            };
            match reason {
                SkipReason::MalformedSample => format!("Weird event line: {excerpt}{more}"),
                SkipReason::MalformedLine => format!("Weird stack line: {excerpt}{more}"),
                SkipReason::OtherEvent => {
                    format!("Skipped {count} samples of other event types (first at {location}: {excerpt})")
                }
                other => format!("{}: {excerpt}{more}", other.as_str()),
            }
        })
        .collect()
}
