//! Headless image tests of `bigflame render`, run as a subprocess and read back with the `png` crate.
//!
//! Expected pixels are computed here from the hand-written input, not from golden images made by our
//! own code: a span of weight `w` out of `W` at image width `px` covers `px · w / W` columns, rows are
//! 18 px from the top (root first), and a frame's colour is `colors::for_name(name)` (FNV-1a, the
//! documented palette). Vulkan is pinned (`BIGFLAME_BACKEND=vulkan`) and the target is `Rgba8Unorm`,
//! so colours pass through exactly. Without an adapter the tests print "skipping: no adapter",
//! except under `CI=true`, where that is a failure.

use bigflame_render::colors;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROW: u32 = 18;

struct Image {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

impl Image {
    fn px(&self, x: u32, y: u32) -> u32 {
        let i = ((y * self.width + x) * 4) as usize;
        u32::from_le_bytes([
            self.rgba[i],
            self.rgba[i + 1],
            self.rgba[i + 2],
            self.rgba[i + 3],
        ])
    }

    /// First and last column of row `y` with exactly colour `c`.
    fn extent_of(&self, y: u32, c: u32) -> Option<(u32, u32)> {
        let xs: Vec<u32> = (0..self.width).filter(|&x| self.px(x, y) == c).collect();
        Some((*xs.first()?, *xs.last()?))
    }
}

fn tmpdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bigflame-render-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Runs `bigflame render INPUT -o out.png ARGS`; `None` when there is no adapter (and not CI).
fn render(tag: &str, input: &str, args: &[&str]) -> Option<Image> {
    let dir = tmpdir(tag);
    let src = dir.join("input.txt");
    std::fs::write(&src, input).expect("write input");
    let out_png = dir.join("out.png");
    let out = run_render(&dir, &src, &out_png, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() && stderr.contains("no GPU adapter") {
        crate::support::skip(&format!("no GPU adapter: {stderr}"));
        return None;
    }
    assert!(out.status.success(), "bigflame render failed: {stderr}");
    Some(read_png(&out_png))
}

fn run_render(dir: &Path, src: &Path, out_png: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bigflame"))
        .arg("render")
        .arg(src)
        .arg("-o")
        .arg(out_png)
        .args(args)
        .env("BIGFLAME_BACKEND", "vulkan")
        .env("XDG_RUNTIME_DIR", dir)
        .output()
        .expect("bigflame runs")
}

fn read_png(path: &Path) -> Image {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("png exists"),
    ));
    let mut reader = decoder.read_info().expect("png header");
    let mut rgba = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut rgba).expect("png data");
    assert_eq!(info.color_type, png::ColorType::Rgba);
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    rgba.truncate(info.buffer_size());
    Image {
        width: info.width,
        height: info.height,
        rgba,
    }
}

/// Centre row of depth `d`.
fn row_y(d: u32) -> u32 {
    d * ROW + ROW / 2
}

/// Asserts a span's colour at its expected centre and its left edge within ±1 px.
fn assert_span(img: &Image, depth: u32, name: &str, x0: f64, x1: f64) {
    let c = colors::for_name(name);
    let y = row_y(depth);
    let centre = ((x0 + x1) / 2.0) as u32;
    assert_eq!(
        img.px(centre, y),
        c,
        "{name}: colour at its centre ({centre}, {y})"
    );
    let (first, last) = img.extent_of(y, c).expect("span drawn");
    assert!(
        (f64::from(first) - x0).abs() <= 1.0,
        "{name}: starts at {first}, expected {x0}"
    );
    // The renderer leaves a 1 px background gap (`GAP_PX`) on the right edge.
    let right = f64::from(last) + 1.0 + f64::from(bigflame_render::GAP_PX);
    assert!(
        (right - x1).abs() <= 1.0,
        "{name}: ends at {right}, expected {x1}"
    );
}

#[test]
fn left_heavy_widths_follow_weights() {
    let Some(img) = render(
        "lh",
        "main;a 25\nmain;b 75\n",
        &["--view", "left-heavy", "--width", "400", "--height", "100"],
    ) else {
        return;
    };
    assert_eq!((img.width, img.height), (400, 100));
    // Root spans the whole width; heavier `b` first (left), 75 % of 400 px; `a` the last 25 %.
    assert_span(&img, 0, "main", 0.0, 400.0);
    assert_span(&img, 1, "b", 0.0, 300.0);
    assert_span(&img, 1, "a", 300.0, 400.0);
    // Nothing below depth 1.
    assert_eq!(img.px(200, row_y(2)), colors::BACKGROUND);
}

/// A perf script of one thread sampled every 1 ms for 100 ms: `work_a` the first 50 ms, `work_b`
/// the last 50 ms (each called from `main`).
fn two_halves() -> String {
    let mut s = String::new();
    for i in 0..100u32 {
        let leaf = if i < 50 { "work_a" } else { "work_b" };
        let t = 10.0 + f64::from(i) * 0.001;
        s.push_str(&format!(
            "prog 100/100 {t:.6}: 1000000 cpu-clock:\n\t    401100 {leaf}+0x10 (/usr/bin/prog)\n\t    401000 main+0x20 (/usr/bin/prog)\n\n"
        ));
    }
    s
}

#[test]
fn time_order_first_half_spans_left_half() {
    let Some(img) = render("to", &two_halves(), &["--width", "400", "--height", "60"]) else {
        return;
    };
    assert_span(&img, 0, "main", 0.0, 400.0);
    assert_span(&img, 1, "work_a", 0.0, 200.0);
    assert_span(&img, 1, "work_b", 200.0, 400.0);
}

#[test]
fn time_order_range_is_seconds_from_the_start() {
    // 25..50 ms: the second quarter, all `work_a`, now across the whole width.
    let Some(img) = render(
        "range",
        &two_halves(),
        &["--width", "400", "--height", "60", "--range", "0.025..0.05"],
    ) else {
        return;
    };
    let (first, last) = img
        .extent_of(row_y(1), colors::for_name("work_a"))
        .expect("work_a drawn");
    assert!(first <= 1 && last >= 397, "work_a covers {first}..={last}");
    assert!(
        img.extent_of(row_y(1), colors::for_name("work_b"))
            .is_none()
    );
}

#[test]
fn bad_options_are_clear_errors() {
    let dir = tmpdir("err");
    let src = dir.join("input.txt");
    std::fs::write(&src, "main;a 1\n").expect("write");
    let png = dir.join("out.png");
    let out = run_render(&dir, &src, &png, &["--range", "2..1"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("START must be less than END"));
    let out = run_render(&dir, &src, &png, &["--thread", "no-such-thread"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no thread matches"));
}

#[test]
fn color_by_module_uses_the_module_palette() {
    // `main` in the executable calls `work` in a shared library, 10 samples.
    let mut input = String::new();
    for i in 0..10u32 {
        let t = 10.0 + f64::from(i) * 0.001;
        input.push_str(&format!(
            "prog 100/100 {t:.6}: 1000000 cpu-clock:\n\t    7f0001 work+0x10 (/usr/lib/libwork.so)\n\t    401000 main+0x20 (/usr/bin/prog)\n\n"
        ));
    }
    let args = ["--view", "left-heavy", "--width", "200", "--height", "60"];
    let Some(by_module) = render(
        "cbm",
        &input,
        &[&args[..], &["--color-by", "module"]].concat(),
    ) else {
        return;
    };
    // The colours are the palette's, computed from the module paths perf printed.
    assert_eq!(
        by_module.px(100, row_y(0)),
        colors::for_module("/usr/bin/prog", "main")
    );
    assert_eq!(
        by_module.px(100, row_y(1)),
        colors::for_module("/usr/lib/libwork.so", "work")
    );
    assert_ne!(
        colors::for_module("/usr/bin/prog", "main"),
        colors::for_name("main")
    );
}
