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
mod name_cache;
mod names;
mod parse;
mod swar;

pub use frame_line::{FrameLine, Line, parse_frame_line, strip_offset};
pub use header::{Header, parse_header, parse_timestamp_ns};
pub use names::{demangle_rust_legacy, is_jit_module, is_kernel_module, tidy};
pub use parse::{next_record_boundary, parse_chunk};

use crate::collapse::{CollapseOptions, RootFrame};
use bigflame_model::{SkipReason, Skipped};

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
            keep_empty: self.flavour == Flavour::FlameGraph,
        }
    }
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
