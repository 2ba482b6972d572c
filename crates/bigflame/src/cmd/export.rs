//! `bigflame export FILE --to svg|png|folded|speedscope -o OUT`: a profile out of bigflame.
//!
//! Why one command for four outputs: people share a flame graph (SVG, PNG) or hand the profile to
//! another tool (folded stacks for FlameGraph/inferno, speedscope JSON for the browser) from the
//! same selection of threads and event. The writers live in `bigflame_formats::export` (SVG,
//! speedscope) and `bigflame_formats::collapse` (folded); PNG is drawn by the same code as
//! `bigflame render --view left-heavy`. The format comes from `--to`, else from the extension of
//! `-o`; `-o -` writes text formats to standard output.
//!
//! Selection: `--thread` keeps the matching threads (the others' samples are dropped before
//! writing, so every format agrees); `--event` picks the event (default: the first; speedscope
//! writes every event unless one is named).

use anyhow::{Context, Result, bail};
use bigflame_formats::ImportOptions;
use bigflame_formats::collapse::{CollapseOptions, RootFrame, write_folded};
use bigflame_formats::export::{SpeedscopeOptions, SvgOptions, write_speedscope, write_svg};
use bigflame_model::{CallTree, EventId, Profile, SampleColumns, ThreadId, WeightUnit};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use super::render::{draw_png, frame_colors, make_view};
use super::{pick_event, select_threads};
use crate::cli::{ColorByArg, ExportArgs, ExportTo, LoadArgs, ViewArg};
use crate::load::load;
use crate::scene::Camera;

pub fn run(args: &ExportArgs, load_args: &LoadArgs) -> Result<ExitCode> {
    let to = match args.to {
        Some(to) => to,
        None => infer_format(&args.output)?,
    };
    if to == ExportTo::Png && is_stdout(&args.output) {
        bail!("PNG export needs a file: -o OUT.png");
    }
    let mut profile = load(&args.file, load_args, ImportOptions::default())?;
    let event = pick_event(&profile, args.event.as_deref())?;
    let threads = select_threads(&profile, &args.thread)?;
    if !args.thread.is_empty() {
        keep_only(&mut profile, &threads);
    }
    match to {
        ExportTo::Svg => write_to(&args.output, |out| {
            svg(&profile, event, &threads, args, out)
        }),
        ExportTo::Png => png(&profile, event, args),
        ExportTo::Folded => write_to(&args.output, |mut out| {
            let opts = CollapseOptions {
                // perf recordings name the process in the root frame, like `collapse`.
                root: RootFrame::for_profile(&profile),
                // An empty profile has no event (and prints nothing, like `collapse`).
                event: profile.events.get(event.index()).map(|e| e.name.clone()),
                ..CollapseOptions::default()
            };
            Ok(write_folded(&profile, &opts, &mut out)?)
        }),
        ExportTo::Speedscope => write_to(&args.output, |mut out| {
            let opts = SpeedscopeOptions {
                threads,
                events: args.event.is_some().then_some(event).into_iter().collect(),
                name: file_name(&profile),
            };
            Ok(write_speedscope(&profile, &opts, &mut out)?)
        }),
    }?;
    Ok(ExitCode::SUCCESS)
}

/// The format an output path asks for by its extension.
fn infer_format(output: &Path) -> Result<ExportTo> {
    let ext = output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    Ok(match ext.as_deref() {
        Some("svg") => ExportTo::Svg,
        Some("png") => ExportTo::Png,
        Some("folded" | "collapsed" | "txt") => ExportTo::Folded,
        Some("json" | "speedscope") => ExportTo::Speedscope,
        _ => bail!(
            "cannot tell the format from {:?}: use --to svg|png|folded|speedscope",
            output.display().to_string()
        ),
    })
}

fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Runs `write` on the output file, or on standard output for `-`.
fn write_to(output: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    if is_stdout(output) {
        let stdout = std::io::stdout();
        let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
        write(&mut out)?;
        out.flush()?;
        return Ok(());
    }
    let file = std::fs::File::create(output)
        .with_context(|| format!("cannot create {}", output.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    write(&mut out).with_context(|| format!("writing {}", output.display()))?;
    out.flush()
        .with_context(|| format!("writing {}", output.display()))
}

/// Drops the samples of every thread not in `keep`.
fn keep_only(profile: &mut Profile, keep: &[ThreadId]) {
    for (i, thread) in profile.threads.iter_mut().enumerate() {
        if !keep.contains(&ThreadId::from_index(i)) {
            for cols in &mut thread.samples {
                *cols = SampleColumns::default();
            }
        }
    }
}

/// The input's file name, for titles.
fn file_name(profile: &Profile) -> String {
    let source = &profile.meta.source;
    Path::new(source)
        .file_name()
        .map_or_else(|| source.clone(), |n| n.to_string_lossy().into_owned())
}

fn svg(
    profile: &Profile,
    event: EventId,
    threads: &[ThreadId],
    args: &ExportArgs,
    mut out: &mut dyn Write,
) -> Result<()> {
    let tree = if args.reverse {
        CallTree::inverted(profile, event, threads)
    } else {
        CallTree::build(profile, event, threads)
    };
    // An empty profile has no event: an empty graph, in samples.
    let (event_name, unit) = profile
        .events
        .get(event.index())
        .map_or(("no samples", WeightUnit::Samples), |e| {
            (e.name.as_str(), e.unit)
        });
    let mut subtitle = format!("{} · {event_name}", file_name(profile));
    if !args.thread.is_empty() {
        subtitle.push_str(&format!(
            " · {} of {} threads",
            threads.len(),
            profile.threads.len()
        ));
    }
    if args.reverse {
        subtitle.push_str(" · callers (reversed stacks)");
    }
    let default_title = if args.inverted {
        "Icicle Graph"
    } else {
        "Flame Graph"
    };
    let opts = SvgOptions {
        title: args
            .title
            .clone()
            .unwrap_or_else(|| default_title.to_string()),
        subtitle: Some(subtitle),
        width: args.width,
        min_width_px: args.min_width,
        inverted: args.inverted,
        palette: args.palette,
        color_by_module: args.color_by == ColorByArg::Module,
        unit,
        ..SvgOptions::default()
    };
    write_svg(profile, &tree, &opts, &mut out)?;
    Ok(())
}

fn png(profile: &Profile, event: EventId, args: &ExportArgs) -> Result<()> {
    let mut view = make_view(profile, event, ViewArg::LeftHeavy, &args.thread)?;
    view.frame_colors = frame_colors(profile, args.palette, args.color_by);
    let camera = Camera::fit(view.extent());
    draw_png(
        profile,
        &view,
        &camera,
        (args.width, args.height),
        None,
        &args.output,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_from_extension() {
        let f = |p: &str| infer_format(Path::new(p)).ok();
        assert_eq!(f("out.svg"), Some(ExportTo::Svg));
        assert_eq!(f("OUT.PNG"), Some(ExportTo::Png));
        assert_eq!(f("x.folded"), Some(ExportTo::Folded));
        assert_eq!(f("x.speedscope.json"), Some(ExportTo::Speedscope));
        assert_eq!(f("-"), None);
        assert_eq!(f("noext"), None);
    }
}
