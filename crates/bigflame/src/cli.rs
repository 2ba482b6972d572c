//! Command-line syntax (clap derive).
//!
//! Why the flag names: `collapse` is a drop-in replacement for FlameGraph's `stackcollapse-perf.pl`
//! and `inferno-collapse-perf`, so it accepts their flags verbatim.

pub use crate::cmd::transform_args::TransformArgs;
use bigflame_model::palette::Palette;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// A native, GPU-accelerated viewer for huge profiles.
#[derive(Parser, Debug)]
#[command(
    name = "bigflame",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub viewer: ViewerArgs,
}

/// The interactive viewer (no subcommand): `bigflame FILE`, `bigflame -`, or `bigflame` alone.
#[derive(Args, Debug, Clone)]
pub struct ViewerArgs {
    /// Profile to open in the viewer (`-` for standard input); without one the window asks for it.
    pub file: Option<PathBuf>,
    /// Initial window width, logical px.
    #[arg(long, default_value_t = 1600)]
    pub width: u32,
    /// Initial window height, logical px.
    #[arg(long, default_value_t = 900)]
    pub height: u32,
    /// Tests: run the synthetic inputs in FILE headless (no window) and print the view state as
    /// JSON lines (see `app/script.rs`).
    #[arg(long, hide = true, value_name = "FILE")]
    pub script: Option<PathBuf>,
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
    /// Render a flame chart (time order) or flame graph (left heavy) to a PNG, headless.
    Render(RenderArgs),
    /// Headless frame-budget benchmark: load, index, then a scripted zoom/pan camera path.
    Bench(BenchArgs),
    /// Compare two profiles (any formats): biggest changes, a red/blue differential flame graph
    /// (`-o diff.png`), or `--folded` two-column output like FlameGraph's difffolded.pl.
    Diff(DiffArgs),
    /// Export a flame graph (interactive SVG, PNG) or the profile (folded stacks, speedscope JSON).
    Export(ExportArgs),
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
    #[command(flatten)]
    pub transform: TransformArgs,
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
    #[command(flatten)]
    pub transform: TransformArgs,
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
    #[command(flatten)]
    pub transform: TransformArgs,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopBy {
    #[value(name = "self")]
    SelfWeight,
    #[value(name = "total")]
    Total,
}

/// Which layout `render` and `bench` draw.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewArg {
    /// Flame chart: one thread's samples in time order.
    TimeOrder,
    /// Flame graph: merged call tree, heaviest first.
    LeftHeavy,
}

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// Input file (`-` for standard input).
    pub file: PathBuf,
    /// Output PNG.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
    /// Layout to draw.
    #[arg(long, value_enum, default_value_t = ViewArg::TimeOrder)]
    pub view: ViewArg,
    /// Image width, px.
    #[arg(long, default_value_t = 1600)]
    pub width: u32,
    /// Image height, px.
    #[arg(long, default_value_t = 900)]
    pub height: u32,
    /// Threads: a tid, a thread name, or a `comm pid/tid` label substring; repeatable. Time order
    /// shows the heaviest match (default: the heaviest thread); left heavy merges the matches
    /// (default: all threads).
    #[arg(long, value_name = "THREAD")]
    pub thread: Vec<String>,
    /// Visible x range START..END: seconds since the first sample for time order with timestamps
    /// (e.g. 1.5..2.25), otherwise cumulative weight in the event's unit.
    #[arg(long, value_name = "START..END", allow_hyphen_values = true)]
    pub range: Option<String>,
    /// Event to draw (default: the first event).
    #[arg(long, value_name = "EVENT")]
    pub event: Option<String>,
    /// Highlight frames whose name contains TEXT (the others are dimmed).
    #[arg(long, value_name = "TEXT")]
    pub highlight: Option<String>,
    /// Colour spans by function name (stable warm palette) or by module.
    #[arg(long, value_enum, default_value_t = ColorByArg::Name)]
    pub color_by: ColorByArg,
    /// Colour palette: hot, mem, io, java, js, perl, red, green, blue, aqua, yellow, purple, orange.
    #[arg(long, default_value = "hot", value_parser = parse_palette)]
    pub palette: Palette,
    #[command(flatten)]
    pub transform: TransformArgs,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Input file.
    pub file: PathBuf,
    /// Viewport width, px.
    #[arg(long, default_value_t = 1600)]
    pub width: u32,
    /// Viewport height, px.
    #[arg(long, default_value_t = 900)]
    pub height: u32,
    /// Print one JSON object (as the last line) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Timed frames along the camera path (full view, zoom in, pan, zoom out).
    #[arg(long, default_value_t = 181)]
    pub frames: usize,
    /// Threads, as for `render` (default: the heaviest thread; all threads for left heavy).
    #[arg(long, value_name = "THREAD")]
    pub thread: Vec<String>,
    /// Layout to benchmark.
    #[arg(long, value_enum, default_value_t = ViewArg::TimeOrder)]
    pub view: ViewArg,
    /// Event to draw (default: the first event).
    #[arg(long, value_name = "EVENT")]
    pub event: Option<String>,
    /// Narrowest span drawn on its own, px (default: the viewer's constant); for tuning it.
    #[arg(long, value_name = "PX")]
    pub min_width_px: Option<f64>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorByArg {
    Name,
    Module,
}

/// What `bigflame export` writes.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportTo {
    /// Interactive flame graph (hover, click to zoom, Ctrl+F search), self-contained.
    Svg,
    /// Flame graph image, drawn by the GPU renderer like `bigflame render --view left-heavy`.
    Png,
    /// Folded stacks (`root;...;leaf COUNT`), as `bigflame collapse` prints them.
    Folded,
    /// speedscope's JSON file format (bigflame and speedscope read it back).
    Speedscope,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Input file (`-` for standard input).
    pub file: PathBuf,
    /// Output file; `-` writes text formats to standard output.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
    /// Output format (default: from the extension of `-o`: .svg, .png, .folded/.txt, .json).
    #[arg(long, value_enum)]
    pub to: Option<ExportTo>,
    /// Threads: a tid, a thread name, or a `comm pid/tid` label substring; repeatable (default: all).
    #[arg(long, value_name = "THREAD")]
    pub thread: Vec<String>,
    /// Event to export (default: the first event; speedscope: every event).
    #[arg(long, value_name = "EVENT")]
    pub event: Option<String>,
    /// Colour palette: hot, mem, io, java, js, perl, red, green, blue, aqua, yellow, purple, orange.
    #[arg(long, default_value = "hot", value_parser = parse_palette)]
    pub palette: Palette,
    /// Colour frames by function name (the palette) or by module.
    #[arg(long, value_enum, default_value_t = ColorByArg::Name)]
    pub color_by: ColorByArg,
    /// Image width, px.
    #[arg(long, default_value_t = 1200)]
    pub width: u32,
    /// PNG height, px.
    #[arg(long, default_value_t = 900)]
    pub height: u32,
    /// SVG: frames narrower than this many px are left out, with their callees.
    #[arg(long, value_name = "PX", default_value_t = 0.1)]
    pub min_width: f64,
    /// SVG: the heading (default "Flame Graph", or "Icicle Graph" with --inverted).
    #[arg(long)]
    pub title: Option<String>,
    /// SVG: icicle graph, the root at the top.
    #[arg(long)]
    pub inverted: bool,
    /// SVG: the bottom-up (callers) tree: leaf functions at the root.
    #[arg(long)]
    pub reverse: bool,
}

/// `--palette NAME`.
fn parse_palette(name: &str) -> Result<Palette, String> {
    Palette::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Palette::ALL.iter().map(|p| p.name()).collect();
        format!("unknown palette {name:?} (one of: {})", names.join(", "))
    })
}

/// `bigflame diff BEFORE AFTER`.
#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The profile before the change (any format; `-` for standard input).
    pub before: PathBuf,
    /// The profile after the change.
    pub after: PathBuf,
    /// Print `stack BEFORE AFTER` lines like FlameGraph's difffolded.pl / inferno-diff-folded
    /// (sorted bytewise), for flamegraph.pl / inferno-flamegraph.
    #[arg(long)]
    pub folded: bool,
    /// Compare shares of each profile's total instead of absolute weights; with --folded, scale
    /// the BEFORE counts to the AFTER total like difffolded.pl -n.
    #[arg(long)]
    pub normalize: bool,
    /// With --folded: replace hex addresses (0x1f2e...) by 0x... like difffolded.pl -s.
    #[arg(short = 's', long)]
    pub strip_hex: bool,
    /// Rows in the table of biggest changes.
    #[arg(short = 'n', long = "count", default_value_t = 20)]
    pub count: usize,
    /// Rank changes by self or total weight.
    #[arg(long, value_enum, default_value_t = TopBy::SelfWeight)]
    pub by: TopBy,
    /// Also draw the AFTER flame graph coloured by change (red grew, blue shrank) to this PNG.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// Print the table only; don't open the diff window (it opens when standard output is a
    /// terminal and a display is set).
    #[arg(long)]
    pub no_window: bool,
    /// PNG width, px.
    #[arg(long, default_value_t = 1600)]
    pub width: u32,
    /// PNG height, px.
    #[arg(long, default_value_t = 900)]
    pub height: u32,
    /// Event to compare, by name in both profiles (default: each profile's first event).
    #[arg(long, value_name = "EVENT")]
    pub event: Option<String>,
    #[command(flatten)]
    pub transform: TransformArgs,
}
