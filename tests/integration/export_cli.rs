//! `bigflame export` as a subprocess: SVG parsed back with roxmltree, PNG read back with `png`,
//! folded and speedscope outputs re-imported.
//!
//! Expected geometry is worked out by hand from the documented layout (FlameGraph's): a 1200 px
//! image has a frame area of 1200 − 2·10 = 1180 px; a frame of weight `w` out of `W` is
//! `1180 · w / W` px wide; siblings heaviest first; rows 16 px apart, the root (`all`) at the bottom
//! (at the top with `--inverted`). Colours: FNV-1a of `main` is 0x1f5962a2ce9803c8 (checked with
//! Python), so the `hot` palette gives (243, 52, 32) (see the model's palette tests).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tmpdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bigflame-export-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn bigflame(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bigflame"))
        .args(args)
        .env("BIGFLAME_BACKEND", "vulkan")
        .env("XDG_RUNTIME_DIR", dir)
        .output()
        .expect("bigflame runs")
}

/// Writes `input` as a folded file, runs `export` on it with `args`, returns the output path.
fn export(tag: &str, input: &str, out_name: &str, args: &[&str]) -> PathBuf {
    let dir = tmpdir(tag);
    let src = dir.join("input.folded");
    std::fs::write(&src, input).expect("write input");
    let out = dir.join(out_name);
    let mut all = vec!["export", src.to_str().unwrap(), "-o", out.to_str().unwrap()];
    all.extend_from_slice(args);
    let res = bigflame(&dir, &all);
    assert!(
        res.status.success(),
        "bigflame export failed: {}",
        String::from_utf8_lossy(&res.stderr)
    );
    out
}

/// One drawn frame of an SVG.
#[derive(Debug, Clone)]
struct SvgFrame {
    title: String,
    x: f64,
    y: f64,
    width: f64,
    fill: String,
    label: String,
}

struct Svg {
    text: String,
    frames: Vec<SvgFrame>,
}

impl Svg {
    fn read(path: &Path) -> Svg {
        let text = std::fs::read_to_string(path).expect("svg written");
        let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        let group = root
            .descendants()
            .find(|n| n.attribute("id") == Some("frames"))
            .expect("frames group");
        let frames = group
            .children()
            .filter(|n| n.has_tag_name("g"))
            .map(|g| {
                let child = |tag: &str| g.children().find(|n| n.has_tag_name(tag)).expect(tag);
                let rect = child("rect");
                let f = |a: &str| rect.attribute(a).expect(a).parse::<f64>().expect(a);
                SvgFrame {
                    title: child("title").text().unwrap_or("").to_string(),
                    x: f("x"),
                    y: f("y"),
                    width: f("width"),
                    fill: rect.attribute("fill").unwrap_or("").to_string(),
                    label: child("text").text().unwrap_or("").to_string(),
                }
            })
            .collect();
        Svg { text, frames }
    }

    /// The frame whose hover text starts with `name (`.
    fn frame(&self, name: &str) -> &SvgFrame {
        let prefix = format!("{name} (");
        self.frames
            .iter()
            .find(|f| f.title.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no frame {name} in {:?}", self.frames))
    }

    fn element_text(&self, id: &str) -> String {
        let doc = roxmltree::Document::parse(&self.text).expect("xml");
        doc.descendants()
            .find(|n| n.attribute("id") == Some(id))
            .and_then(|n| n.text())
            .unwrap_or("")
            .to_string()
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.011 // two decimals in the file
}

#[test]
fn svg_widths_follow_weights() {
    let svg = Svg::read(&export("widths", "main;a 25\nmain;b 75\n", "fg.svg", &[]));
    assert_eq!(svg.frames.len(), 4);
    let (all, main, a, b) = (
        svg.frame("all"),
        svg.frame("main"),
        svg.frame("a"),
        svg.frame("b"),
    );
    assert!(close(all.width, 1180.0) && close(all.x, 10.0), "{all:?}");
    assert!(close(main.width, 1180.0) && close(main.x, 10.0), "{main:?}");
    // b (75) first, then a (25).
    assert!(close(b.width, 885.0) && close(b.x, 10.0), "{b:?}");
    assert!(close(a.width, 295.0) && close(a.x, 895.0), "{a:?}");
    // Root at the bottom, rows 16 px apart.
    assert!(close(all.y - main.y, 16.0) && close(main.y - a.y, 16.0) && a.y == b.y);
    assert_eq!(a.title, "a (25 samples, 25.00%)");
    assert_eq!(b.title, "b (75 samples, 75.00%)");
    assert_eq!(main.label, "main");
    assert_eq!(main.fill, "rgb(243,52,32)");
    assert_eq!(svg.element_text("title"), "Flame Graph");
    assert!(svg.text.contains("0 frames narrower than 0.1 px not drawn"));
    // Interactivity: one inline script with zoom, search and its key binding.
    let doc = roxmltree::Document::parse(&svg.text).expect("xml");
    let script = doc
        .descendants()
        .find(|n| n.has_tag_name("script"))
        .and_then(|n| n.text())
        .expect("inline script");
    for needle in [
        "function zoom",
        "function search",
        "new RegExp",
        "keydown",
        "bfConfig",
    ] {
        assert!(script.contains(needle), "script lacks {needle}");
    }
    assert!(svg.element_text("search") == "Search" && svg.element_text("unzoom") == "Reset Zoom");
}

#[test]
fn svg_culls_narrow_frames_and_stays_small() {
    // 1180 px · 2 / 100000 = 0.0236 px: `tiny` and its callee are left out at the default 0.1 px.
    let input = "main;big 99998\nmain;tiny 1\nmain;tiny;deep 1\n";
    let svg = Svg::read(&export("cull", input, "fg.svg", &[]));
    let names: Vec<&str> = svg.frames.iter().map(|f| f.title.as_str()).collect();
    assert_eq!(svg.frames.len(), 3, "{names:?}");
    assert!(svg.text.contains("2 frames narrower than 0.1 px not drawn"));
    // With a lower threshold both are drawn (0.0236 and 0.0118 px).
    let svg = Svg::read(&export("cull2", input, "fg.svg", &["--min-width", "0.01"]));
    assert_eq!(svg.frames.len(), 5);
    assert!(close(svg.frame("deep").width, 0.01));

    // 20,000 one-sample functions next to a heavy one: size follows visible frames, not stacks.
    let mut big = String::from("main;hot 1000000\n");
    for i in 0..20_000 {
        big.push_str(&format!("main;function_number_{i} 1\n"));
    }
    let path = export("size", &big, "fg.svg", &[]);
    let svg = Svg::read(&path);
    assert_eq!(svg.frames.len(), 3);
    assert!(
        svg.text
            .contains("20000 frames narrower than 0.1 px not drawn")
    );
    let bytes = std::fs::metadata(&path).expect("svg").len();
    assert!(bytes < 20_000, "{bytes} bytes");
}

#[test]
fn svg_options_title_inverted_palette_and_labels() {
    let input = "main;a_rather_long_function_name_that_will_not_fit 10\nmain;b 990\n";
    let svg = Svg::read(&export(
        "opts",
        input,
        "out.svg",
        &["--inverted", "--title", "Mine <&>", "--palette", "green"],
    ));
    assert_eq!(svg.element_text("title"), "Mine <&>");
    let (all, main) = (svg.frame("all"), svg.frame("main"));
    assert!(close(main.y - all.y, 16.0), "icicle: root on top");
    // Green: r = b in 50..=110, g in 200..=255.
    for f in &svg.frames {
        let rgb: Vec<u8> = f
            .fill
            .trim_start_matches("rgb(")
            .trim_end_matches(')')
            .split(',')
            .map(|c| c.parse().expect("channel"))
            .collect();
        assert!(
            rgb[0] == rgb[2] && (50..=110).contains(&rgb[0]) && rgb[1] >= 200,
            "{f:?}"
        );
    }
    // 11.8 px wide: (11.8 − 6) / (12 · 0.59) = 0.8 characters → no label; b is 1168.2 px.
    let long = svg.frame("a_rather_long_function_name_that_will_not_fit");
    assert!(close(long.width, 11.8) && long.label.is_empty(), "{long:?}");
    assert_eq!(svg.frame("b").label, "b");
    // --width 300: frame area 280 px, a long name cut to fit with "..".
    let svg = Svg::read(&export(
        "narrow",
        "main;a_rather_long_function_name 60\nmain;b 40\n",
        "out.svg",
        &["--width", "300"],
    ));
    let a = svg.frame("a_rather_long_function_name");
    // 168 px: (168 − 6) / 7.08 = 22.9 → 22 characters: 20 and "..".
    assert!(close(a.width, 168.0));
    assert_eq!(a.label, "a_rather_long_functi..");
}

#[test]
fn folded_export_round_trips() {
    let input = "main;a;b 3\nmain;a 2\nmain;c 5\n";
    let out = export("folded", input, "out.folded", &[]);
    let text = std::fs::read_to_string(&out).expect("folded");
    assert_eq!(text, "main;a 2\nmain;a;b 3\nmain;c 5\n");
    // And again from its own output, to standard output.
    let dir = tmpdir("folded2");
    let res = bigflame(
        &dir,
        &["export", out.to_str().unwrap(), "--to", "folded", "-o", "-"],
    );
    assert!(res.status.success());
    assert_eq!(String::from_utf8_lossy(&res.stdout), text);
}

#[test]
fn speedscope_export_reimports() {
    let out = export("speedscope", "main;a 25\nmain;b 75\n", "out.json", &[]);
    let text = std::fs::read_to_string(&out).expect("json");
    assert!(text.contains("\"exporter\":\"bigflame@"));
    let dir = tmpdir("speedscope2");
    let res = bigflame(
        &dir,
        &["export", out.to_str().unwrap(), "--to", "folded", "-o", "-"],
    );
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&res.stdout),
        "main;a 25\nmain;b 75\n"
    );
}

#[test]
fn format_must_be_known() {
    let dir = tmpdir("unknown");
    let src = dir.join("in.folded");
    std::fs::write(&src, "a 1\n").expect("write");
    let res = bigflame(&dir, &["export", src.to_str().unwrap(), "-o", "-"]);
    assert!(!res.status.success());
    assert!(String::from_utf8_lossy(&res.stderr).contains("--to"));
    let res = bigflame(
        &dir,
        &[
            "export",
            src.to_str().unwrap(),
            "-o",
            "x.svg",
            "--palette",
            "rainbow",
        ],
    );
    assert!(!res.status.success());
    assert!(String::from_utf8_lossy(&res.stderr).contains("unknown palette"));
}

#[test]
fn png_export_has_the_requested_size() {
    let dir = tmpdir("png");
    let src = dir.join("input.folded");
    std::fs::write(&src, "main;a 25\nmain;b 75\n").expect("write");
    let out = dir.join("out.png");
    let res = bigflame(
        &dir,
        &[
            "export",
            src.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--width",
            "320",
            "--height",
            "200",
            "--palette",
            "blue",
        ],
    );
    let stderr = String::from_utf8_lossy(&res.stderr);
    if !res.status.success() && stderr.contains("no GPU adapter") {
        crate::support::skip(&format!("no GPU adapter: {stderr}"));
        return;
    }
    assert!(res.status.success(), "{stderr}");
    let (width, rgba) = read_png(&out);
    assert_eq!((width, rgba.len()), (320, 320 * 200 * 4));
    // The root row (`main`, 18 px rows from the top) is one blue-palette colour: b ≥ 205, r = g.
    let i = ((9 * width + 160) * 4) as usize;
    let (r, g, b) = (rgba[i], rgba[i + 1], rgba[i + 2]);
    assert!(
        r == g && (80..=140).contains(&r) && b >= 205,
        "({r}, {g}, {b})"
    );
}

#[test]
fn render_takes_a_palette() {
    let dir = tmpdir("render-palette");
    let src = dir.join("input.folded");
    std::fs::write(&src, "main;a 25\nmain;b 75\n").expect("write");
    let out = dir.join("out.png");
    let res = bigflame(
        &dir,
        &[
            "render",
            src.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--view",
            "left-heavy",
            "--width",
            "200",
            "--height",
            "100",
            "--palette",
            "purple",
        ],
    );
    let stderr = String::from_utf8_lossy(&res.stderr);
    if !res.status.success() && stderr.contains("no GPU adapter") {
        crate::support::skip(&format!("no GPU adapter: {stderr}"));
        return;
    }
    assert!(res.status.success(), "{stderr}");
    let (width, rgba) = read_png(&out);
    // Purple: r = b ≥ 190, g in 80..=140 (the root row, 18 px tall, at the top).
    let i = ((9 * width + 100) * 4) as usize;
    let (r, g, b) = (rgba[i], rgba[i + 1], rgba[i + 2]);
    assert!(
        r == b && r >= 190 && (80..=140).contains(&g),
        "({r}, {g}, {b})"
    );
}

/// Width and RGBA bytes of a PNG.
fn read_png(path: &Path) -> (u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("png"),
    ));
    let mut reader = decoder.read_info().expect("png header");
    let mut rgba = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut rgba).expect("png data");
    assert_eq!(info.color_type, png::ColorType::Rgba);
    (info.width, rgba)
}

#[test]
fn empty_profile_exports_empty_outputs() {
    let svg = Svg::read(&export("empty-svg", "", "out.svg", &[]));
    assert_eq!(svg.frames.len(), 1, "only the `all` frame");
    let folded = export("empty-folded", "", "out.folded", &[]);
    assert_eq!(std::fs::read(folded).expect("folded").len(), 0);
    let json = export("empty-json", "", "out.json", &[]);
    let text = std::fs::read_to_string(json).expect("json");
    assert!(text.contains("\"profiles\":[]"), "{text}");
}

/// Every conformance profile bigflame imports gives a well-formed SVG (whatever the frame names
/// hold) whose rect widths agree with the share printed in each frame's hover text.
#[test]
fn svg_of_every_conformance_profile_is_consistent() {
    use bigflame_formats::export::{SvgOptions, write_svg};
    let Some(dir) = crate::support::conformance_dir() else {
        return;
    };
    let mut pending = vec![dir.join("formats")];
    let mut checked = 0;
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).expect("conformance folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let Ok(p) = bigflame_formats::import_path(&path, &Default::default()) else {
                continue;
            };
            if p.threads.is_empty() {
                continue;
            }
            let event = p.default_event();
            let tree = bigflame_model::CallTree::build(&p, event, &bigflame_model::all_threads(&p));
            let opts = SvgOptions {
                unit: p.events[event.index()].unit,
                ..SvgOptions::default()
            };
            let mut out = Vec::new();
            write_svg(&p, &tree, &opts, &mut out).expect("svg");
            let text = String::from_utf8(out).expect("utf-8");
            let doc = roxmltree::Document::parse(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            for g in doc.descendants().filter(|n| n.has_tag_name("g")) {
                let Some(title) = g.children().find(|n| n.has_tag_name("title")) else {
                    continue;
                };
                let title = title.text().unwrap_or("");
                let pct: f64 = title
                    .rsplit_once(", ")
                    .and_then(|(_, p)| p.strip_suffix("%)"))
                    .and_then(|p| p.parse().ok())
                    .unwrap_or_else(|| panic!("{}: title {title:?}", path.display()));
                let rect = g.children().find(|n| n.has_tag_name("rect")).expect("rect");
                let width: f64 = rect.attribute("width").expect("w").parse().expect("w");
                assert!(
                    (width / 1180.0 * 100.0 - pct).abs() <= 0.006 + 0.01 / 11.8,
                    "{}: {title}: width {width}",
                    path.display()
                );
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 10,
        "only {checked} conformance profiles imported"
    );
}
