//! `bigflame render`: one headless frame to a PNG, drawn by the same [`crate::scene`] code and
//! renderer as the window, so screenshots, CI image tests and bug reports show what users see.
//!
//! Defaults: Time Order shows the heaviest thread (a flame chart is one timeline); Left Heavy merges
//! all threads (a flame graph aggregates). `--range A..B` is in the view's x units: seconds since the
//! profile's first sample for a Time Order view with timestamps (`1.5..2.25`), otherwise cumulative
//! weight in the event's unit (samples, period, bytes…), e.g. `0..5000`.
//! `--palette` picks one of the FlameGraph-like palettes of `bigflame_model::palette` (the SVG
//! export uses the same ones), so a PNG and an SVG of one profile have the same colours.

use anyhow::{Context, Result, bail};
use bigflame_formats::ImportOptions;
use bigflame_model::palette::Palette;
use bigflame_model::{EventId, Profile};
use bigflame_render::GpuContext;
use std::path::Path;
use std::process::ExitCode;

use super::{pick_event, select_threads};
use crate::cli::{ColorByArg, LoadArgs, RenderArgs, ViewArg};
use crate::load::load;
use crate::scene::{
    Camera, ColorBy, FlameScene, FlameView, Highlight, SceneOptions, build_scene,
    frame_colors_with, heaviest_thread,
};

pub fn run(args: &RenderArgs, load_args: &LoadArgs) -> Result<ExitCode> {
    let profile = load(&args.file, load_args, ImportOptions::default())?;
    let profile = super::transform_args::apply_transform_args(profile, &args.transform)?;
    let event = pick_event(&profile, args.event.as_deref())?;
    let mut view = make_view(&profile, event, args.view, &args.thread)?;
    if args.color_by == ColorByArg::Module || args.palette != Palette::Hot {
        view.frame_colors = frame_colors(&profile, args.palette, args.color_by);
    }
    let extent = view.extent();
    let mut camera = Camera::fit(extent.clone());
    if let Some(text) = &args.range {
        let (a, b) = parse_range(text)?;
        let to_x = |v: f64| view.x_of_seconds(v).unwrap_or(v);
        camera.x_start = to_x(a);
        camera.x_end = to_x(b);
        camera.clamp_x(extent);
    }
    let highlight = args
        .highlight
        .as_deref()
        .map(|needle| Highlight::substring(&profile, needle));
    draw_png(
        &profile,
        &view,
        &camera,
        (args.width, args.height),
        highlight.as_ref(),
        &args.output,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Draws one frame of `view` through `camera` into a PNG at `output`.
pub(super) fn draw_png(
    profile: &Profile,
    view: &FlameView,
    camera: &Camera,
    (width, height): (u32, u32),
    highlight: Option<&Highlight>,
    output: &Path,
) -> Result<()> {
    let ctx = gpu_context()?;
    let mut opts = SceneOptions::new((width, height), 1.0);
    opts.highlight = highlight;
    let mut scene = FlameScene::default();
    build_scene(view, camera, &opts, &mut scene);
    let labels = scene.labels(profile);
    bigflame_render::render_to_png(&ctx, &scene.scene(&labels), width, height, output)
        .with_context(|| format!("rendering {}", output.display()))
}

/// The colour of every frame (indexed by `FrameId`) in `palette`, or by module: frames without a
/// module take the palette colour. With the default palette and colouring by name this equals
/// the view's own colours.
pub(super) fn frame_colors(profile: &Profile, palette: Palette, by: ColorByArg) -> Vec<u32> {
    let by = match by {
        ColorByArg::Name => ColorBy::Name,
        ColorByArg::Module => ColorBy::Module,
    };
    frame_colors_with(profile, palette, by)
}

/// The headless GPU, with an error that says what to install.
pub(super) fn gpu_context() -> Result<GpuContext> {
    GpuContext::new_headless().context("cannot render without a GPU adapter")
}

/// The view the options ask for: Time Order of the heaviest matching thread (or of the
/// heaviest thread), Left Heavy of the matching threads (or of all threads).
pub(super) fn make_view(
    profile: &Profile,
    event: EventId,
    kind: ViewArg,
    selectors: &[String],
) -> Result<FlameView> {
    if profile.threads.is_empty() {
        bail!("{}: the profile has no samples", profile.meta.source);
    }
    let picked = select_threads(profile, selectors)?;
    Ok(match kind {
        ViewArg::TimeOrder => {
            let thread = heaviest_thread(profile, event, &picked)
                .with_context(|| format!("{}: no thread to show", profile.meta.source))?;
            FlameView::time_order(profile, event, thread)
        }
        ViewArg::LeftHeavy => FlameView::left_heavy(profile, event, &picked),
    })
}

/// `START..END` as two numbers with `START < END`.
pub(super) fn parse_range(text: &str) -> Result<(f64, f64)> {
    let (a, b) = text
        .split_once("..")
        .with_context(|| format!("--range {text:?}: expected START..END, e.g. 1.5..2.25"))?;
    let num = |s: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .with_context(|| format!("--range {text:?}: {s:?} is not a number"))
    };
    let (a, b) = (num(a)?, num(b)?);
    if a >= b {
        bail!("--range {text:?}: START must be less than END");
    }
    Ok((a, b))
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("1.5..2.25").ok(), Some((1.5, 2.25)));
        assert_eq!(parse_range(" 0 .. 10 ").ok(), Some((0.0, 10.0)));
        assert!(parse_range("2..1").is_err());
        assert!(parse_range("1-2").is_err());
        assert!(parse_range("a..2").is_err());
    }
}
