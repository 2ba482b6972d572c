//! Transforms, time ranges and exports in the viewer (issue 6), driven headless through
//! `--script`. Expected values are worked out by hand from the small profiles written here.
//!
//! The folded profile `main;a;b 10 / main;b 30 / main;c 60` in Left Heavy on an 800 px canvas
//! (8 px per sample): row 0 is `main` [0,100); row 1 is `c` [0,60), `b` [60,90), `a` [90,100);
//! row 2 is `b` [90,100) under `a`. Rows are 20 px: y 5 is row 0, y 25 row 1, y 45 row 2.

use crate::viewer_script::{extent, f, run_script_on};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const ABC: &str = "main;a;b 10\nmain;b 30\nmain;c 60\n";

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str, name: &str, content: &str) -> (Self, PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "bigflame-viewer-transforms-{tag}-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join(name);
        std::fs::write(&file, content).expect("write profile");
        (Self(dir), file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn labels(v: &Value) -> Vec<String> {
    v["transforms"]
        .as_array()
        .unwrap_or_else(|| panic!("transforms missing in {v}"))
        .iter()
        .map(|t| t.as_str().unwrap_or_default().to_string())
        .collect()
}

fn selection(v: &Value) -> (String, f64) {
    let name = v["selection"]["name"].as_str().unwrap_or("").to_string();
    (name, f(v, "/selection/x1") - f(v, "/selection/x0"))
}

#[test]
fn focus_function_makes_it_the_root_and_undo_redo_restore() {
    let (_dir, file) = TempDir::new("focus", "abc.folded", ABC);
    // Select b (row 1, 480..720 px), focus on it, select the new root; undo; redo (U and
    // Ctrl+Shift+Z after a second undo).
    let states = run_script_on(
        &file,
        "key 2\nclick 600 25\nkey f\nclick 5 5\ndump\nkey u\ndump\nkey U\ndump\n\
         key ctrl+z\nkey ctrl+shift+z\ndump\nkey escape\n",
    );
    let focused = &states[0];
    assert_eq!(labels(focused), ["focus function b"]);
    // b 10 (under a) + b 30 = 40, and nothing is above it.
    assert_eq!(extent(focused), (0.0, 40.0));
    assert_eq!(f(focused, "/depth_count"), 1.0);
    assert_eq!(selection(focused), ("b".into(), 40.0));
    let undone = &states[1];
    assert!(labels(undone).is_empty());
    assert_eq!(extent(undone), (0.0, 100.0));
    assert_eq!(f(undone, "/depth_count"), 3.0);
    for redone in [&states[2], &states[3]] {
        assert_eq!(labels(redone), ["focus function b"]);
        assert_eq!(extent(redone), (0.0, 40.0));
    }
    // Esc clears the selection only.
    let last = states.last().expect("final state");
    assert_eq!(last["selection"], Value::Null);
    assert_eq!(labels(last), ["focus function b"]);
}

#[test]
fn focus_subtree_keeps_only_the_selected_path() {
    let (_dir, file) = TempDir::new("subtree", "abc.folded", ABC);
    // b under a (row 2, 720..800 px): only main;a;b 10 stays, rooted at b.
    let states = run_script_on(&file, "key 2\nclick 760 45\nkey shift+f\nclick 5 5\n");
    let s = &states[0];
    assert_eq!(labels(s), ["focus subtree main;a;b"]);
    assert_eq!(extent(s), (0.0, 10.0));
    assert_eq!(selection(s), ("b".into(), 10.0));
}

#[test]
fn merged_functions_combine_with_focus_and_undo_one_step() {
    let (_dir, file) = TempDir::new("merge", "abc.folded", ABC);
    // Merge a (row 1, 720..800 px): main;b 10 + main;b 30 = main;b 40, main;c 60; Left Heavy
    // row 1 is then c [0,60), b [60,100). Focus b: root b, 40. Undo: back to the merge.
    let states = run_script_on(
        &file,
        "key 2\nclick 760 25\nkey x\nclick 640 25\ndump\nkey f\ndump\nkey u\n",
    );
    let merged = &states[0];
    assert_eq!(labels(merged), ["merge a"]);
    assert_eq!(f(merged, "/depth_count"), 2.0);
    assert_eq!(extent(merged), (0.0, 100.0), "merging keeps the total");
    assert_eq!(selection(merged), ("b".into(), 40.0));
    let both = &states[1];
    assert_eq!(labels(both), ["merge a", "focus function b"]);
    assert_eq!(extent(both), (0.0, 40.0));
    let undone = &states[2];
    assert_eq!(labels(undone), ["merge a"]);
    assert_eq!(f(undone, "/depth_count"), 2.0);
}

#[test]
fn drop_matching_uses_the_search_text_as_a_regex() {
    let (_dir, file) = TempDir::new("drop", "abc.folded", ABC);
    // Drop /^(a|b)$/: main 40 self, main;c 60; depth 2, total kept.
    let states = run_script_on(
        &file,
        "key 2\nkey ctrl+f\ntype ^(a|b)$\nkey ctrl+h\nclick 5 25\n",
    );
    let s = &states[0];
    assert_eq!(labels(s), ["drop /^(a|b)$/"]);
    assert_eq!(f(s, "/depth_count"), 2.0);
    assert_eq!(extent(s), (0.0, 100.0));
    assert_eq!(selection(s), ("c".into(), 60.0));
}

#[test]
fn invert_and_granularity_toggle_as_steps() {
    let (_dir, file) = TempDir::new("invert", "abc.folded", ABC);
    // Inverted: roots are the leaves: b 40 (then a, main), c 60 (then main).
    let states = run_script_on(
        &file,
        "key 2\nkey i\nclick 5 5\ndump\nkey i\ndump\nkey g\ndump\nkey g\ndump\nkey g\n",
    );
    let inverted = &states[0];
    assert_eq!(labels(inverted), ["invert"]);
    assert_eq!(selection(inverted), ("c".into(), 60.0));
    assert_eq!(f(inverted, "/depth_count"), 3.0);
    assert!(labels(&states[1]).is_empty(), "i again undoes it");
    assert_eq!(labels(&states[2]), ["granularity functionfile"]);
    assert_eq!(
        labels(&states[3]),
        ["granularity module"],
        "g replaces its own step"
    );
    assert!(labels(&states[4]).is_empty(), "and comes back to functions");
}

#[test]
fn a_time_range_by_weight_reaggregates_left_heavy() {
    let (_dir, file) = TempDir::new("range-w", "abc.folded", ABC);
    // Folded stacks have no timestamps: Time Order lays them out by weight, a [0,10), b [10,40),
    // c [40,100) on row 1 (y 68..88 under the 48 px minimap). Double-click b zooms to [10,40); v keeps that range: main;b 30.
    let states = run_script_on(&file, "dblclick 200 75\ndump\nkey v\nkey 2\nclick 5 25\n");
    assert_eq!(
        (f(&states[0], "/camera/x0"), f(&states[0], "/camera/x1")),
        (10.0, 40.0)
    );
    let s = &states[1];
    assert_eq!(labels(s), ["range 10..40"]);
    assert_eq!(extent(s), (0.0, 30.0));
    assert_eq!(f(s, "/depth_count"), 2.0);
    assert_eq!(selection(s), ("b".into(), 30.0));
}

#[test]
fn shift_drag_in_time_order_selects_the_range() {
    let (_dir, file) = TempDir::new("range-drag", "abc.folded", ABC);
    // 8 px per sample: 80..320 px is [10, 40), b's samples only; a plain drag still pans.
    let states = run_script_on(
        &file,
        "shift-drag 80 300 320 300\ndump\nkey 2\nclick 5 5\ndump\nkey u\nkey 1\n\
         drag 400 300 300 300\n",
    );
    assert_eq!(labels(&states[0]), ["range 10..40"]);
    assert_eq!(
        extent(&states[0]),
        (0.0, 30.0),
        "Time Order shows the range only"
    );
    assert_eq!(selection(&states[1]), ("main".into(), 30.0));
    let panned = &states[2];
    assert!(labels(panned).is_empty());
    assert_eq!(extent(panned), (0.0, 100.0));
}

/// Four perf samples, 1 s apart (t = 10..13 s), periods 1, 2, 4, 8: main;a, main;b, main;b,
/// main;c.
fn perf_script() -> String {
    let sample = |t: u32, period: u32, leaf: &str| {
        format!(
            "prog 7/7 {t}.000000: {period} cycles:\n\
             \t1000 {leaf}+0x1 (/bin/prog)\n\t2000 main+0x2 (/bin/prog)\n\n"
        )
    };
    [
        sample(10, 1, "a"),
        sample(11, 2, "b"),
        sample(12, 4, "b"),
        sample(13, 8, "c"),
    ]
    .concat()
}

#[test]
fn a_time_range_with_timestamps_keeps_the_samples_inside() {
    let (_dir, file) = TempDir::new("range-t", "p.perf.txt", &perf_script());
    // Time Order x is ns since the first sample. Row 1 holds a, b, c in time order; b's span
    // starts at its first sample (1 s). Find b's pixel from the fitted extent, zoom to it.
    let first = run_script_on(&file, "key 0\n");
    let (x0, x1) = extent(&first[0]);
    let px = |ns: f64| (ns - x0) / (x1 - x0) * 800.0;
    let b_px = px(1.5e9);
    let states = run_script_on(
        &file,
        &format!("dblclick {b_px} 75\ndump\nkey v\nkey 2\nclick 5 5\n"),
    );
    let zoomed = &states[0];
    assert_eq!(zoomed["selection"]["name"], "b");
    let s = &states[1];
    // The range covers the two b samples (t = 11 s and 12 s) and neither a nor c.
    // Shown in seconds from the first sample: b's span is [1 s, 3 s).
    assert_eq!(labels(s), ["range 1.000s–3.000s"]);
    assert_eq!(f(s, "/depth_count"), 2.0);
    assert_eq!(selection(s), ("main".into(), 6.0), "periods 2 + 4");
}

fn folded_total(path: &Path) -> Vec<(String, f64)> {
    let text = std::fs::read_to_string(path).expect("exported folded");
    text.lines()
        .map(|l| {
            let (stack, w) = l.rsplit_once(' ').expect("stack weight");
            (stack.to_string(), w.parse::<f64>().expect("weight"))
        })
        .collect()
}

#[test]
fn export_writes_the_transformed_view_in_the_chosen_format() {
    let (dir, file) = TempDir::new("export", "abc.folded", ABC);
    let states = run_script_on(
        &file,
        "key 2\nclick 600 25\nkey f\nexport folded\ndump\nexport json\nexport svg\n",
    );
    let folded = dir.0.join("abc.folded.view.folded");
    assert_eq!(
        states[0]["notice"].as_str(),
        Some(format!("exported {}", folded.display()).as_str())
    );
    assert_eq!(folded_total(&folded), [("b".to_string(), 40.0)]);
    // The speedscope export re-imports with the focused profile.
    let json = dir.0.join("abc.folded.view.json");
    let out = Command::new(env!("CARGO_BIN_EXE_bigflame"))
        .arg("collapse")
        .arg(&json)
        .output()
        .expect("bigflame collapse runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let total: f64 = text
        .lines()
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum();
    assert_eq!(total, 40.0, "{text}");
    assert!(text.lines().all(|l| l.contains("b ")), "{text}");
    // The SVG of the focused view: b is the only function, 40 samples.
    let svg_path = dir.0.join("abc.folded.view.svg");
    let svg = std::fs::read_to_string(&svg_path).expect("svg");
    assert!(
        svg.contains("<title>b (40 samples, 100.00%)</title>"),
        "{svg}"
    );
    assert!(!svg.contains("<title>main"), "{svg}");
    // `e` (SVG headless) without transforms: the whole profile, main 100 samples.
    let states = run_script_on(&file, "key e\n");
    assert!(labels(&states[0]).is_empty());
    let svg = std::fs::read_to_string(&svg_path).expect("svg");
    assert!(
        svg.contains("<title>main (100 samples, 100.00%)</title>"),
        "{svg}"
    );
}

#[test]
fn png_export_draws_the_view_at_the_window_size() {
    let (dir, file) = TempDir::new("export-png", "abc.folded", ABC);
    let states = run_script_on(&file, "key 2\nexport png\n");
    let notice = states[0]["notice"].as_str().unwrap_or_default().to_string();
    if !notice.starts_with("exported") {
        // No GPU adapter (not even a software one) here: the message says why.
        assert!(notice.contains("cannot export"), "{notice}");
        crate::support::skip(&format!("PNG export: {notice}"));
        return;
    }
    let png = std::fs::read(dir.0.join("abc.folded.view.png")).expect("png");
    assert_eq!(&png[1..4], b"PNG");
    // IHDR: width and height, big-endian, at bytes 16..24.
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    assert_eq!((be(&png[16..20]), be(&png[20..24])), (800, 600));
}
