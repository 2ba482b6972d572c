//! Command-line syntax (clap derive).
//!
//! Why the flag names: `collapse` is a drop-in replacement for FlameGraph's `stackcollapse-perf.pl`
//! and `inferno-collapse-perf`, so it accepts their flags verbatim.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// A native, GPU-accelerated viewer for huge profiles.
#[derive(Parser, Debug)]
#[command(name = "bigflame", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub load: LoadArgs,
}

/// Options shared by every command that reads a profile.
#[derive(Args, Debug, Clone, Default)]
pub struct LoadArgs {
    /// Parser threads (0 = all cores).
    #[arg(long, global = true, default_value_t = 0)]
    pub threads: usize,
    /// Force the input format instead of sniffing it (perf-script, folded).
    #[arg(long, global = true)]
    pub format: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print folded stacks (`root;...;leaf COUNT`), like stackcollapse-perf.pl / inferno-collapse-perf.
    Collapse(CollapseArgs),
    /// Summarise a profile: format, events, unit, samples, threads, frames, stacks, time span, skipped records.
    Info(InfoArgs),
    /// List the functions with the most self or total weight.
    Top(TopArgs),
}

#[derive(Args, Debug)]
pub struct CollapseArgs {
    /// Input file (`-` for standard input; `.gz` is detected by content).
    pub file: PathBuf,
    /// Include the PID in the root frame (`comm-PID`).
    #[arg(long)]
    pub pid: bool,
    /// Include PID and TID in the root frame (`comm-PID/TID`).
    #[arg(long)]
    pub tid: bool,
    /// Annotate kernel frames with `_[k]`.
    #[arg(long)]
    pub kernel: bool,
    /// Annotate JIT frames with `_[j]`.
    #[arg(long)]
    pub jit: bool,
    /// Annotate kernel and JIT frames (`--kernel --jit`).
    #[arg(long)]
    pub all: bool,
    /// Keep raw addresses of unresolved frames.
    #[arg(long)]
    pub addrs: bool,
    /// Only count samples of this event (default: the first event in the input).
    #[arg(long, value_name = "EVENT")]
    pub event_filter: Option<String>,
    /// Drop every frame above (closer to the root than) the first frame named FUNCTION; repeatable.
    #[arg(long, value_name = "FUNCTION")]
    pub skip_after: Vec<String>,
    /// Naming rules: `inferno` (keeps quotes, demangles Rust) or `flamegraph` (stackcollapse-perf.pl).
    #[arg(long, value_enum, default_value_t = Flavour::Inferno)]
    pub flavour: Flavour,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    Inferno,
    Flamegraph,
}

#[derive(Args, Debug)]
pub struct InfoArgs {
    /// Input file (`-` for standard input).
    pub file: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct TopArgs {
    /// Input file (`-` for standard input).
    pub file: PathBuf,
    /// Number of functions to list.
    #[arg(short = 'n', long = "count", default_value_t = 20)]
    pub count: usize,
    /// Sort by self or total weight.
    #[arg(long, value_enum, default_value_t = TopBy::SelfWeight)]
    pub by: TopBy,
    /// Only these threads: a tid, a thread name, or `comm pid/tid` label substring; repeatable.
    #[arg(long, value_name = "THREAD")]
    pub thread: Vec<String>,
    /// Event to report (default: the first event).
    #[arg(long, value_name = "EVENT")]
    pub event: Option<String>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopBy {
    #[value(name = "self")]
    SelfWeight,
    #[value(name = "total")]
    Total,
}
