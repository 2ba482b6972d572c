//! `bigflame bench`: the headless frame-budget benchmark. It loads a profile, builds the view's
//! index, then drives a scripted camera — full view, zoom in 10⁶× around the hot path in ~N/3
//! steps, pan ~N/3 steps (a quarter view each), zoom back out — and times every frame exactly as
//! the window would draw it.
//!
//! Why these metrics: *CPU preparation* (`build_scene` + label resolution + `Renderer::prepare`)
//! must stay flat from 10 MB to GB recordings (target p99 ≤ 2 ms); *GPU time* comes from
//! timestamp queries around the pass; the *whole frame* (preparation + submit + wait for the GPU)
//! must fit 16.7 ms even on lavapipe, which costs ~0.6 µs per instance, hence `instances_max`.
//! Three untimed warm-up frames absorb pipeline and glyph-atlas creation. Percentiles are
//! nearest-rank. With `--json` the last line of stdout is one JSON object.
//!
//! `first_frame_s` (load + index + GPU setup + the first frame, finished on the GPU) is what the
//! comparison harness in `benches/harness/` calls *time to first frame* for the headless run.

use anyhow::{Context, Result};
use bigflame_formats::ImportOptions;
use bigflame_render::{OFFSCREEN_FORMAT, Renderer, wgpu};
use serde_json::json;
use std::process::ExitCode;
use std::time::Instant;

use super::pick_event;
use super::render::{gpu_context, make_view};
use crate::cli::{BenchArgs, LoadArgs};
use crate::load::load;
use crate::scene::{Camera, FlameScene, FlameView, SceneOptions, build_scene};

const WARMUP_FRAMES: usize = 3;
/// Total zoom of the scripted path.
const ZOOM_TOTAL: f64 = 1.0e6;

/// Per-frame measurements, milliseconds and counts.
#[derive(Default)]
struct Samples {
    scene_ms: Vec<f64>,
    cpu_prep_ms: Vec<f64>,
    gpu_ms: Vec<f64>,
    frame_ms: Vec<f64>,
    instances: Vec<f64>,
    labels: Vec<f64>,
}

pub fn run(args: &BenchArgs, load_args: &LoadArgs) -> Result<ExitCode> {
    let file_bytes = std::fs::metadata(&args.file).map(|m| m.len()).ok();
    let t_start = Instant::now();
    let mut first_frame_s = None;
    let t_load = Instant::now();
    let profile = load(&args.file, load_args, ImportOptions::default())?;
    let load_s = t_load.elapsed().as_secs_f64();
    let event = pick_event(&profile, args.event.as_deref())?;
    let t_index = Instant::now();
    let view = make_view(&profile, event, args.view, &args.thread)?;
    let index_s = t_index.elapsed().as_secs_f64();

    let ctx = gpu_context()?;
    let (w, h) = (args.width.max(1), args.height.max(1));
    let target = ctx.device.create_texture(&wgpu::TextureDescriptor {
        label: Some("bigflame bench target"),
        size: wgpu::Extent3d {
            width: w,
            height: h,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: OFFSCREEN_FORMAT,
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
        view_formats: &[],
    });
    let target_view = target.create_view(&wgpu::TextureViewDescriptor::default());
    let mut renderer = Renderer::new(&ctx.device, &ctx.queue, OFFSCREEN_FORMAT);

    let mut opts = SceneOptions::new((w, h), 1.0);
    if let Some(px) = args.min_width_px {
        opts.min_width_px = px.max(0.0);
    }
    let path = camera_path(&view, &opts, args.frames.max(4));
    let mut scene = FlameScene::default();
    let mut labels = Vec::new();
    let mut s = Samples::default();
    for (i, camera) in std::iter::repeat_n(&path[0], WARMUP_FRAMES)
        .chain(path.iter())
        .enumerate()
    {
        let t0 = Instant::now();
        build_scene(&view, camera, &opts, &mut scene);
        let scene_ms = ms(t0);
        scene.labels_into(&profile, &mut labels);
        renderer.prepare(&ctx.device, &ctx.queue, &scene.scene(&labels))?;
        let cpu_ms = ms(t0);
        let index = renderer.submit(&ctx.device, &ctx.queue, &target_view);
        ctx.device
            .poll(wgpu::PollType::Wait {
                submission_index: Some(index),
                timeout: None,
            })
            .context("waiting for the GPU")?;
        let frame_ms = ms(t0);
        let gpu = renderer.poll_gpu_time(&ctx.device);
        first_frame_s.get_or_insert_with(|| t_start.elapsed().as_secs_f64());
        if i < WARMUP_FRAMES {
            continue;
        }
        s.scene_ms.push(scene_ms);
        s.cpu_prep_ms.push(cpu_ms);
        s.frame_ms.push(frame_ms);
        s.gpu_ms.extend(gpu);
        s.instances.push(scene.rects.len() as f64);
        s.labels.push(scene.labels.len() as f64);
    }

    let p = |v: &[f64], q: f64| percentile(v, q);
    let report = json!({
        "file": args.file.display().to_string(),
        "file_bytes": file_bytes,
        "view": format!("{:?}", view.kind),
        "threads": view.threads.len(),
        "thread": match view.threads.as_slice() {
            [t] => profile.thread_label(*t),
            ts => format!("{} threads merged", ts.len()),
        },
        "width": w, "height": h,
        "adapter": ctx.describe(),
        "frames": s.frame_ms.len(),
        "load_s": load_s,
        "index_s": index_s,
        "first_frame_s": first_frame_s,
        "index_mb": view.index.memory_bytes() as f64 / 1.0e6,
        "spans": view.index.span_count(),
        "depth": view.depth_count(),
        "min_width_px": opts.min_width_px,
        "scene_p50_ms": p(&s.scene_ms, 0.5), "scene_p99_ms": p(&s.scene_ms, 0.99),
        "cpu_prep_p50_ms": p(&s.cpu_prep_ms, 0.5), "cpu_prep_p99_ms": p(&s.cpu_prep_ms, 0.99),
        "cpu_prep_max_ms": p(&s.cpu_prep_ms, 1.0),
        "gpu_p50_ms": p(&s.gpu_ms, 0.5), "gpu_p99_ms": p(&s.gpu_ms, 0.99),
        "gpu_max_ms": p(&s.gpu_ms, 1.0),
        "frame_p50_ms": p(&s.frame_ms, 0.5), "frame_p99_ms": p(&s.frame_ms, 0.99),
        "frame_max_ms": p(&s.frame_ms, 1.0),
        "instances_p50": p(&s.instances, 0.5), "instances_max": p(&s.instances, 1.0),
        "labels_max": p(&s.labels, 1.0),
        "rss_peak_mb": peak_rss_mb(),
        "loadavg_1m": loadavg(),
    });
    if args.json {
        println!("{report}");
    } else {
        print_table(&report, &s);
    }
    Ok(ExitCode::SUCCESS)
}

fn ms(t0: Instant) -> f64 {
    t0.elapsed().as_secs_f64() * 1.0e3
}

/// Full view, zoom in around the hot path, pan, zoom out: `frames` cameras in all.
fn camera_path(view: &FlameView, opts: &SceneOptions<'_>, frames: usize) -> Vec<Camera> {
    let extent = view.extent();
    let full = Camera::fit(extent.clone());
    let zoom_in = (frames - 1) / 3;
    let pan = (frames - 1) / 3;
    let zoom_out = frames - 1 - zoom_in - pan;
    let mut cams = vec![full];
    let mut c = full;
    let step_in = ZOOM_TOTAL.powf(1.0 / zoom_in.max(1) as f64);
    for _ in 0..zoom_in {
        // Re-aim every step, so the path follows the hot path into real samples instead of
        // ending in a gap between them.
        let focus = hot_point(view, &c, opts);
        c.zoom_at(focus, step_in, extent.clone());
        cams.push(c);
    }
    let (w, _) = opts.viewport_px;
    let mut dx = f64::from(w) * 0.25;
    for _ in 0..pan {
        let before = c.x_start;
        c.pan_px(dx, 0.0, w, extent.clone());
        if c.x_start == before {
            dx = -dx; // hit an edge: come back
            c.pan_px(dx, 0.0, w, extent.clone());
        }
        cams.push(c);
    }
    let step_out = ZOOM_TOTAL.powf(-1.0 / zoom_out.max(1) as f64);
    for _ in 0..zoom_out {
        let centre = 0.5 * (c.x_start + c.x_end);
        c.zoom_at(centre, step_out, extent.clone());
        cams.push(c);
    }
    cams
}

/// Centre of the hot path in `camera`'s view: from the root, the widest drawn piece (clipped to
/// the view) inside the previous one, down to the deepest (the heaviest region on screen).
fn hot_point(view: &FlameView, camera: &Camera, opts: &SceneOptions<'_>) -> f64 {
    let mut scene = FlameScene::default();
    let mut tall = *opts;
    tall.viewport_px.1 = u32::MAX / 2; // every row
    tall.min_width_px = 0.0; // real pieces, no folds: the centre must hit a sample
    build_scene(view, camera, &tall, &mut scene);
    let (mut lo, mut hi) = (camera.x_start, camera.x_end);
    for depth in 0..view.depth_count() {
        let best = scene
            .spans
            .iter()
            .filter(|s| s.depth == depth)
            .map(|s| (s.x0.max(lo), s.x1.min(hi)))
            .filter(|(a, b)| a < b)
            .max_by(|a, b| (a.1 - a.0).total_cmp(&(b.1 - b.0)));
        match best {
            Some(r) => (lo, hi) = r,
            None => break,
        }
    }
    0.5 * (lo + hi)
}

/// Nearest-rank percentile (`q` in 0..=1); 0 for no samples.
fn percentile(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = ((q * s.len() as f64).ceil() as usize).clamp(1, s.len());
    s[rank - 1]
}

fn print_table(report: &serde_json::Value, s: &Samples) {
    let g = |k: &str| match report.get(k) {
        Some(serde_json::Value::String(t)) => t.clone(),
        Some(v) => v.to_string(),
        None => String::new(),
    };
    let f = |k: &str| {
        report
            .get(k)
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(0.0)
    };
    println!(
        "{}  {} bytes  view {}  thread {}  {}x{}",
        g("file"),
        g("file_bytes"),
        g("view"),
        g("thread"),
        g("width"),
        g("height")
    );
    println!("adapter {}", g("adapter"));
    println!(
        "load {:.3} s, index {:.3} s ({:.1} MB, {} spans, {} rows), {} frames, load average {}",
        f("load_s"),
        f("index_s"),
        f("index_mb"),
        g("spans"),
        g("depth"),
        g("frames"),
        g("loadavg_1m"),
    );
    println!("{:<22} {:>10} {:>10} {:>10}", "metric", "p50", "p99", "max");
    let rows: [(&str, &[f64]); 6] = [
        ("build_scene ms", &s.scene_ms),
        ("cpu prep ms", &s.cpu_prep_ms),
        ("gpu ms", &s.gpu_ms),
        ("frame ms", &s.frame_ms),
        ("instances", &s.instances),
        ("labels", &s.labels),
    ];
    for (name, v) in rows {
        println!(
            "{name:<22} {:>10.3} {:>10.3} {:>10.3}",
            percentile(v, 0.5),
            percentile(v, 0.99),
            percentile(v, 1.0)
        );
    }
}

/// Peak resident memory of this process (Linux `VmHWM`), MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// One-minute load average (Linux), to judge noisy timings.
fn loadavg() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
