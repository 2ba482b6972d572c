//! `bigflame diff BEFORE AFTER`: what changed between two profiles, in any two formats.
//!
//! * Default: the table of the functions whose self (or `--by total`) weight changed most, as
//!   shares of each profile's total (`before%`, `after%`) and the change: absolute in the event's
//!   unit, or in percentage points with `--normalize`.
//! * `-o diff.png`: the AFTER flame graph (Left Heavy, all threads) coloured by change per call path,
//!   red grew, blue shrank (see `scene/diff.rs`), drawn by the same renderer as `bigflame render`.
//! * Without `-o` and `--folded`, on a terminal with a display: after the table, a window shows the
//!   same coloured AFTER Left Heavy with a panel of the biggest changes, browsable like the viewer
//!   (`app/diff_mode.rs`; `c` toggles absolute / normalised). `--no-window`, `BIGFLAME_NO_WINDOW=1` or a pipe
//!   keeps the table alone.
//! * `--folded`: FlameGraph's `difffolded.pl` output, `stack BEFORE AFTER` per line, so it can be fed
//!   to `flamegraph.pl` / `inferno-flamegraph` (see `diff_folded.rs`).
//!
//! Across formats: stacks are matched by function names. A folded file collapsed from `perf script`
//! starts every stack with the process name, a `perf script` does not; when exactly one side is a
//! `perf script`, its thread names become root frames, as `stackcollapse-perf.pl` writes them.

use anyhow::{Context, Result};
use bigflame_formats::ImportOptions;
use bigflame_formats::collapse::{CollapseOptions, RootFrame, folded_lines, is_perf_script};
use bigflame_model::diff::{Measure, ProfileDiff, Side};
use bigflame_model::{EventId, Profile, ThreadId, all_threads, with_thread_roots};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use super::diff_folded::{FoldedDiffOptions, diff_folded, write_diff_folded};
use super::pick_event;
use super::transform_args::apply_transform_args;
use crate::cli::{DiffArgs, LoadArgs, TopBy};
use crate::load::load;
use crate::scene::diff::{DIFF_BACKGROUND, DiffView};
use crate::scene::{Camera, FlameScene, SceneOptions, build_scene};

pub fn run(args: &DiffArgs, load_args: &LoadArgs) -> Result<ExitCode> {
    let before = load_side(&args.before, load_args, args)?;
    let after = load_side(&args.after, load_args, args)?;
    if args.folded {
        let sides = [&before, &after].map(|p| {
            let opts = CollapseOptions {
                root: RootFrame::for_profile(p),
                event: args.event.clone(),
                ..CollapseOptions::default()
            };
            folded_lines(p, &opts)
        });
        let opts = FoldedDiffOptions {
            normalize: args.normalize,
            strip_hex: args.strip_hex,
        };
        let lines = diff_folded(&sides[0], &sides[1], opts);
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
        write_diff_folded(&lines, &mut out)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let (before, after) = align_roots(before, after);
    let eb = pick_event(&before, args.event.as_deref())?;
    let ea = pick_event(&after, args.event.as_deref())?;
    let (tb, ta) = (all_threads(&before), all_threads(&after));
    let diff = ProfileDiff::build(side(&before, eb, &tb), side(&after, ea, &ta));
    let measure = match args.by {
        TopBy::SelfWeight => Measure::SelfWeight,
        TopBy::Total => Measure::Total,
    };
    let (ub, ua) = (unit(&before, eb), unit(&after, ea));
    if ub != ua && !args.normalize {
        eprintln!(
            "bigflame: warning: the profiles measure different units ({} vs {}); \
             --normalize compares shares instead",
            ub.as_str(),
            ua.as_str()
        );
    }
    print!(
        "{}",
        table(&diff, args, measure, [ub, ua], [&before, &after])
    );
    if let Some(output) = &args.output {
        let dv = DiffView::new(&after, ea, &ta, &diff, measure, args.normalize);
        draw(&after, &dv, (args.width, args.height), output)?;
    } else if !args.no_window && wants_window() {
        let data = crate::app::DiffData::new(&after, ea, &ta, &diff, measure, ua);
        let source = format!("{} → {}", args.before.display(), args.after.display());
        drop(before);
        let size = (args.width, args.height);
        return crate::app::run_diff(after, data, args.normalize, source, size);
    }
    Ok(ExitCode::SUCCESS)
}

/// The window opens after the table when a person is there to see it: standard output is a
/// terminal and a display is set. Piped or redirected (scripts, tests), the table alone is the
/// output, as before the window existed.
fn wants_window() -> bool {
    use std::io::IsTerminal;
    let display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()));
    display && std::io::stdout().is_terminal() && std::env::var_os("BIGFLAME_NO_WINDOW").is_none()
}

/// One side loaded, with the transform flags applied.
fn load_side(path: &Path, load_args: &LoadArgs, args: &DiffArgs) -> Result<Profile> {
    let profile = load(path, load_args, ImportOptions::default())?;
    apply_transform_args(profile, &args.transform)
}

fn side<'a>(profile: &'a Profile, event: EventId, threads: &'a [ThreadId]) -> Side<'a> {
    Side {
        profile,
        event,
        threads,
    }
}

fn unit(p: &Profile, e: EventId) -> bigflame_model::WeightUnit {
    p.events.get(e.index()).map(|e| e.unit).unwrap_or_default()
}

/// Thread names as root frames on the `perf script` side when only one side is one (see the
/// module docs).
fn align_roots(before: Profile, after: Profile) -> (Profile, Profile) {
    match (is_perf_script(&before), is_perf_script(&after)) {
        (true, false) => (with_thread_roots(&before), after),
        (false, true) => (before, with_thread_roots(&after)),
        _ => (before, after),
    }
}

/// The table of biggest changes.
fn table(
    diff: &ProfileDiff,
    args: &DiffArgs,
    measure: Measure,
    units: [bigflame_model::WeightUnit; 2],
    sides: [&Profile; 2],
) -> String {
    let totals = diff.totals();
    let pct = |w: f64, t: f64| if t > 0.0 { 100.0 * w / t } else { 0.0 };
    let mut out = String::new();
    for (k, label) in ["before", "after"].iter().enumerate() {
        let (p, u) = (sides[k], units[k]);
        let _ = writeln!(out, "{label}: {} ({})", p.meta.source, u.format(totals[k]));
    }
    let what = match measure {
        Measure::SelfWeight => "self",
        Measure::Total => "total",
    };
    let _ = writeln!(
        out,
        "{:>9} {:>9} {:>20}  function ({what}, by {})",
        "before%",
        "after%",
        "change",
        if args.normalize { "share" } else { "weight" }
    );
    for (f, change) in diff.biggest_changes(args.count, measure, args.normalize) {
        let w = match measure {
            Measure::SelfWeight => f.self_weight,
            Measure::Total => f.total_weight,
        };
        let delta = if args.normalize {
            format!("{:+.2} pp", 100.0 * change)
        } else {
            let sign = if change < 0.0 { "-" } else { "+" };
            format!("{sign}{}", units[1].format(change.abs()))
        };
        let _ = writeln!(
            out,
            "{:>8.2}% {:>8.2}% {:>20}  {}",
            pct(w[0], totals[0]),
            pct(w[1], totals[1]),
            delta,
            f.name
        );
    }
    out
}

/// The diff flame graph to a PNG, through the renderer `bigflame render` uses.
fn draw(profile: &Profile, dv: &DiffView, (w, h): (u32, u32), output: &Path) -> Result<()> {
    let ctx = super::render::gpu_context()?;
    let camera = Camera::fit(dv.view.extent());
    let mut opts = SceneOptions::new((w, h), 1.0);
    opts.node_colors = Some(&dv.node_colors);
    let mut scene = FlameScene::default();
    build_scene(&dv.view, &camera, &opts, &mut scene);
    let labels = scene.labels(profile);
    let mut frame = scene.scene(&labels);
    frame.clear = DIFF_BACKGROUND;
    bigflame_render::render_to_png(&ctx, &frame, w, h, output)
        .with_context(|| format!("rendering {}", output.display()))
}
