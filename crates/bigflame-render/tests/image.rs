//! Pixel tests on a real adapter (lavapipe in CI): render known scenes offscreen and read the
//! pixels back. A missing adapter fails under `CI=true` and is skipped elsewhere.
//!
//! Vulkan is pinned (Vulkan and GL rasterise a few hundred pixels differently per frame);
//! outside CI a machine with only GL falls back to it, and the checks below are written at
//! pixel centres and edges that both agree on. GPU work is serialised through one context:
//! lavapipe is itself multi-threaded and the machine has 2 cores.

use std::sync::{Mutex, MutexGuard, OnceLock};

use bigflame_render::colors::{rgb, unpack};
use bigflame_render::wgpu;
use bigflame_render::{
    FLAG_DIMMED, FLAG_FOLDED, FLAG_HIGHLIGHT, FLAG_SELECTED, GpuContext, Label, Offscreen,
    RectInstance, Scene, ViewTransform, render_to_png, render_to_rgba,
};

const BG: u32 = rgb(250, 250, 250);
const RED: u32 = rgb(220, 40, 30);
const GREEN: u32 = rgb(40, 200, 60);
const BLUE: u32 = rgb(30, 60, 220);

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The shared context, or `None` (skip) outside CI when there is no adapter.
fn gpu() -> Option<MutexGuard<'static, GpuContext>> {
    static CTX: OnceLock<Option<Mutex<GpuContext>>> = OnceLock::new();
    let ctx = CTX.get_or_init(|| {
        let ctx = GpuContext::new_headless_with(wgpu::Backends::VULKAN)
            .or_else(|_| GpuContext::new_headless_with(wgpu::Backends::all()));
        match ctx {
            Ok(c) => {
                eprintln!("adapter: {}", c.describe());
                Some(Mutex::new(c))
            }
            Err(e) if in_ci() => panic!("CI=true but no GPU adapter: {e}"),
            Err(e) => {
                eprintln!("skipping: no adapter ({e})");
                None
            }
        }
    });
    ctx.as_ref()
        .map(|m| m.lock().unwrap_or_else(|poison| poison.into_inner()))
}

struct Image {
    w: u32,
    rgba: Vec<u8>,
}

impl Image {
    fn px(&self, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * self.w + x) * 4) as usize;
        [
            self.rgba[i],
            self.rgba[i + 1],
            self.rgba[i + 2],
            self.rgba[i + 3],
        ]
    }
    fn is(&self, x: u32, y: u32, c: u32) -> bool {
        self.px(x, y) == unpack(c)
    }
}

fn render(ctx: &GpuContext, w: u32, h: u32, rects: &[RectInstance], labels: &[Label]) -> Image {
    let scene = Scene {
        viewport_px: (w, h),
        clear: BG,
        rects,
        labels,
    };
    let rgba = render_to_rgba(ctx, &scene, w, h).expect("render");
    assert_eq!(rgba.len(), (w * h * 4) as usize);
    Image { w, rgba }
}

fn rect(x0: f32, x1: f32, y: f32, h: f32, color: u32) -> RectInstance {
    RectInstance::new(x0, x1, y, h, color, 0)
}

#[test]
fn rect_centres_have_their_colours_and_background_elsewhere() {
    let Some(ctx) = gpu() else { return };
    let rects = [
        rect(10.0, 60.0, 10.0, 20.0, RED),
        rect(70.0, 150.0, 10.0, 20.0, GREEN),
        rect(10.0, 190.0, 40.0, 30.0, BLUE),
    ];
    let img = render(&ctx, 200, 100, &rects, &[]);
    assert!(img.is(35, 20, RED), "{:?}", img.px(35, 20));
    assert!(img.is(110, 20, GREEN), "{:?}", img.px(110, 20));
    assert!(img.is(100, 55, BLUE), "{:?}", img.px(100, 55));
    for (x, y) in [(0, 0), (5, 20), (65, 20), (195, 50), (100, 90), (199, 99)] {
        assert!(img.is(x, y, BG), "({x},{y}) = {:?}", img.px(x, y));
    }
}

#[test]
fn quarter_width_rect_covers_a_quarter() {
    let Some(ctx) = gpu() else { return };
    let (w, h) = (1600, 60);
    let img = render(
        &ctx,
        w,
        h,
        &[rect(0.0, w as f32 / 4.0, 10.0, 30.0, RED)],
        &[],
    );
    let covered = (0..w).filter(|&x| img.is(x, 20, RED)).count() as i64;
    assert!((covered - 400).abs() <= 1, "covered {covered} px of 1600");
    assert!(img.is(0, 20, RED) && img.is(w - 1, 20, BG));
}

#[test]
fn one_px_gap_between_neighbours() {
    let Some(ctx) = gpu() else { return };
    let rects = [
        rect(10.0, 60.0, 0.0, 20.0, RED),
        rect(60.0, 110.0, 0.0, 20.0, RED),
        rect(10.0, 110.0, 20.0, 20.0, RED),
    ];
    let img = render(&ctx, 120, 50, &rects, &[]);
    assert!(img.is(58, 10, RED) && img.is(60, 10, RED));
    assert!(img.is(59, 10, BG), "no gap: {:?}", img.px(59, 10));
    assert!(img.is(30, 19, BG), "no row gap: {:?}", img.px(30, 19));
    assert!(img.is(30, 18, RED) && img.is(30, 20, RED));
}

#[test]
fn selection_outline_is_two_px() {
    let Some(ctx) = gpu() else { return };
    let mut r = rect(20.0, 120.0, 10.0, 40.0, GREEN);
    r.flags = FLAG_SELECTED;
    let img = render(&ctx, 140, 60, &[r], &[]);
    // Drawn area 20..119 × 10..49 (1 px gap on the right and bottom).
    let outline = |x, y| {
        let [r, g, b, _] = img.px(x, y);
        r < 40 && g < 40 && b < 40
    };
    for (x, y) in [
        (20, 30),
        (21, 30),
        (117, 30),
        (118, 30),
        (70, 10),
        (70, 11),
        (70, 47),
        (70, 48),
    ] {
        assert!(outline(x, y), "({x},{y}) not outline: {:?}", img.px(x, y));
    }
    for (x, y) in [(22, 30), (116, 30), (70, 12), (70, 46), (70, 30)] {
        assert!(
            img.is(x, y, GREEN),
            "({x},{y}) not fill: {:?}",
            img.px(x, y)
        );
    }
    assert!(img.is(19, 30, BG) && img.is(119, 30, BG));
}

#[test]
fn flags_change_the_fill() {
    let Some(ctx) = gpu() else { return };
    let mut rects = Vec::new();
    for (i, flags) in [0, FLAG_HIGHLIGHT, FLAG_DIMMED, FLAG_FOLDED]
        .into_iter()
        .enumerate()
    {
        let x = 10.0 + i as f32 * 50.0;
        rects.push(RectInstance::new(x, x + 40.0, 10.0, 30.0, RED, flags));
    }
    let img = render(&ctx, 220, 50, &rects, &[]);
    assert!(img.is(30, 25, RED));
    let hl = img.px(80, 25);
    assert!(hl[2] > 150, "highlight should be magenta-ish: {hl:?}");
    let dim = img.px(130, 25);
    assert!(
        dim[0] == dim[1] && dim[1] == dim[2] && dim[0] > 150,
        "dimmed: {dim:?}"
    );
    let stripes: std::collections::HashSet<[u8; 4]> = (160..200).map(|x| img.px(x, 25)).collect();
    assert!(
        stripes.len() >= 2,
        "folded span should be hatched: {stripes:?}"
    );
}

#[test]
fn label_draws_inside_its_box_only() {
    let Some(ctx) = gpu() else { return };
    let rects = [rect(10.0, 310.0, 20.0, 20.0, RED)];
    let labels = [Label {
        x_px: 14.0,
        y_px: 22.0,
        max_width_px: 292.0,
        text: "hello_world::main",
        color: rgb(0, 0, 0),
    }];
    let img = render(&ctx, 320, 60, &rects, &labels);
    let line_h = 15;
    let mut inside = 0;
    for y in 0..60 {
        for x in 0..320 {
            if img.is(x, y, BG) || img.is(x, y, RED) {
                continue;
            }
            assert!(
                (14..306).contains(&x) && (22..22 + line_h).contains(&y),
                "glyph pixel outside the label box at ({x},{y}): {:?}",
                img.px(x, y)
            );
            inside += 1;
        }
    }
    assert!(inside > 40, "label drew only {inside} px");
}

#[test]
fn long_labels_truncate_and_narrow_ones_are_skipped() {
    let Some(ctx) = gpu() else { return };
    let rects = [rect(0.0, 400.0, 0.0, 60.0, RED)];
    let long = "a_very_long_function_name::with::many::segments::that_cannot_fit";
    let labels = [
        Label {
            x_px: 10.0,
            y_px: 2.0,
            max_width_px: 80.0,
            text: long,
            color: rgb(0, 0, 0),
        },
        Label {
            x_px: 10.0,
            y_px: 30.0,
            max_width_px: 12.0,
            text: "skipped",
            color: rgb(0, 0, 0),
        },
    ];
    let img = render(&ctx, 400, 60, &rects, &labels);
    let mut first = 0;
    for y in 0..60 {
        for x in 0..400 {
            if !img.is(x, y, RED) && !img.is(x, y, BG) {
                assert!((10..90).contains(&x) && (2..17).contains(&y), "({x},{y})");
                first += 1;
            }
        }
    }
    assert!(first > 40, "truncated label drew only {first} px");
    // The ellipsis: some ink in the last 12 px of the box.
    let tail = (78..90).flat_map(|x| (2..17).map(move |y| (x, y)));
    assert!(
        tail.into_iter().any(|(x, y)| !img.is(x, y, RED)),
        "no ellipsis"
    );
}

#[test]
fn view_relative_coordinates_stay_exact_far_from_zero() {
    let Some(ctx) = gpu() else { return };
    // Naive f32 cannot even represent the offset: 1e9 + 0.5 rounds to 1e9.
    assert_eq!((1.0e9f32 + 0.5) - 1.0e9f32, 0.0);
    let view = ViewTransform {
        origin: 1.0e9,
        px_per_unit: 100.0,
    };
    let r = view.rect(1.0e9 + 0.5, 1.0e9 + 1.5, 10.0, 20.0, BLUE, 0);
    assert_eq!((r.x0, r.x1), (50.0, 150.0));
    let img = render(&ctx, 200, 40, &[r], &[]);
    assert!(img.is(49, 20, BG), "{:?}", img.px(49, 20));
    assert!(img.is(50, 20, BLUE), "{:?}", img.px(50, 20));
    assert!(img.is(148, 20, BLUE), "{:?}", img.px(148, 20));
    assert!(img.is(149, 20, BG), "gap: {:?}", img.px(149, 20));
}

#[test]
fn offscreen_and_huge_spans_are_clamped() {
    let Some(ctx) = gpu() else { return };
    let rects = [
        rect(-1.0e7, 1.0e7, 0.0, 20.0, GREEN),
        rect(-500.0, -100.0, 20.0, 20.0, RED),
        rect(300.0, 900.0, 20.0, 20.0, RED),
    ];
    let img = render(&ctx, 200, 40, &rects, &[]);
    assert!(img.is(0, 10, GREEN) && img.is(199, 10, GREEN));
    assert!((0..200).all(|x| img.is(x, 30, BG)));
}

#[test]
fn srgb_target_keeps_colours() {
    let Some(ctx) = gpu() else { return };
    let mut off = Offscreen::with_format(&ctx, 100, 40, wgpu::TextureFormat::Rgba8UnormSrgb);
    let rects = [rect(10.0, 50.0, 10.0, 20.0, rgb(200, 120, 40))];
    let scene = Scene {
        viewport_px: (100, 40),
        clear: BG,
        rects: &rects,
        labels: &[],
    };
    let img = Image {
        w: 100,
        rgba: off.render(&ctx, &scene).expect("render"),
    };
    let close = |a: [u8; 4], b: [u8; 4]| a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 1);
    assert!(
        close(img.px(30, 20), [200, 120, 40, 255]),
        "{:?}",
        img.px(30, 20)
    );
    assert!(close(img.px(80, 20), unpack(BG)), "{:?}", img.px(80, 20));
}

#[test]
fn buffers_grow_and_are_reused_and_timing_reports() {
    let Some(ctx) = gpu() else { return };
    let mut off = Offscreen::new(&ctx, 400, 300);
    let many: Vec<RectInstance> = (0..5000)
        .map(|i| {
            let (col, row) = ((i % 100) as f32, (i / 100) as f32);
            rect(col * 4.0, col * 4.0 + 4.0, row * 6.0, 6.0, GREEN)
        })
        .collect();
    let scene = |rects| Scene {
        viewport_px: (400, 300),
        clear: BG,
        rects,
        labels: &[],
    };
    let img = Image {
        w: 400,
        rgba: off.render(&ctx, &scene(&many)).expect("render"),
    };
    assert!(img.is(1, 1, GREEN) && img.is(397, 295, GREEN));
    let grown = off.renderer().instance_capacity();
    assert!(grown >= 5000, "capacity {grown}");
    // Shrinking reuses the grown buffer; only the first rect remains.
    let img = Image {
        w: 400,
        rgba: off.render(&ctx, &scene(&many[..1])).expect("render"),
    };
    assert!(img.is(1, 1, GREEN) && img.is(397, 295, BG));
    assert_eq!(off.renderer().instance_capacity(), grown);
    if ctx.has_timestamps() {
        let ms = off.renderer().last_gpu_time_ms().expect("gpu time");
        assert!(ms > 0.0 && ms < 10_000.0, "gpu time {ms} ms");
    }
}

#[test]
fn zero_size_is_clamped_and_png_is_written() {
    let Some(ctx) = gpu() else { return };
    let scene = Scene::default();
    let rgba = render_to_rgba(&ctx, &scene, 0, 0).expect("render 0x0");
    assert_eq!(rgba, unpack(scene.clear).to_vec());
    let dir = std::env::temp_dir().join(format!("bigflame-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("frame.png");
    let rects = [rect(0.0, 10.0, 0.0, 10.0, RED)];
    let scene = Scene {
        viewport_px: (33, 17),
        clear: BG,
        rects: &rects,
        labels: &[],
    };
    render_to_png(&ctx, &scene, 33, 17, &path).expect("png");
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&path).expect("open png"),
    ));
    let reader = decoder.read_info().expect("png header");
    assert_eq!((reader.info().width, reader.info().height), (33, 17));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn label_shapes_are_cached_across_pans_and_bounded() {
    let Some(ctx) = gpu() else { return };
    let mut off = Offscreen::new(&ctx, 400, 100);
    let names = [
        "alpha::one",
        "beta::two",
        "gamma::three_is_long_enough_to_truncate",
    ];
    for pan in 0..4 {
        let labels: Vec<Label> = names
            .iter()
            .enumerate()
            .map(|(i, text)| Label {
                x_px: 5.0 + pan as f32 * 3.0,
                y_px: i as f32 * 20.0,
                max_width_px: 150.0,
                text,
                color: rgb(0, 0, 0),
            })
            .collect();
        let scene = Scene {
            viewport_px: (400, 100),
            clear: BG,
            rects: &[],
            labels: &labels,
        };
        off.draw(&ctx, &scene).expect("draw");
        assert_eq!(off.renderer().cached_label_texts(), names.len());
    }
    // Many distinct texts over many frames: the cache stays bounded.
    let texts: Vec<String> = (0..6000).map(|i| format!("fn_{i}")).collect();
    for chunk in texts.chunks(600) {
        let labels: Vec<Label> = chunk
            .iter()
            .map(|text| Label {
                x_px: 0.0,
                y_px: 0.0,
                max_width_px: 100.0,
                text,
                color: rgb(0, 0, 0),
            })
            .collect();
        let scene = Scene {
            viewport_px: (400, 100),
            clear: BG,
            rects: &[],
            labels: &labels,
        };
        off.draw(&ctx, &scene).expect("draw");
        let cached = off.renderer().cached_label_texts();
        assert!(
            cached <= bigflame_render::MAX_TEXTS + 600,
            "cache grew to {cached}"
        );
    }
}

#[test]
fn one_text_at_many_widths_in_one_frame_all_draw() {
    let Some(ctx) = gpu() else { return };
    let text = "some::deeply::nested::function_name_that_is_long";
    let rows = 12u32;
    let labels: Vec<Label> = (0..rows)
        .map(|i| Label {
            x_px: 2.0,
            y_px: i as f32 * 16.0,
            max_width_px: 40.0 + i as f32 * 9.0,
            text,
            color: rgb(0, 0, 0),
        })
        .collect();
    let img = render(&ctx, 200, rows * 16, &[], &labels);
    for i in 0..rows {
        let ink = (0..200)
            .flat_map(|x| (i * 16..i * 16 + 15).map(move |y| (x, y)))
            .filter(|&(x, y)| !img.is(x, y, BG))
            .count();
        assert!(ink > 20, "row {i} drew {ink} px");
    }
}
