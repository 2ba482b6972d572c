//! The viewer's navigation, driven headless through `bigflame FILE --script SCRIPT`: the same
//! input mapping and action handler the window uses, with the view state printed as JSON lines.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../corpus")
        .join(name)
}

/// Runs `script` on the corpus recording in an 800×600 viewport; one JSON value per output line.
fn run_script_on(file: &Path, script: &str) -> Vec<Value> {
    let dir = std::env::temp_dir().join(format!(
        "bigflame-viewer-script-{}-{}",
        std::process::id(),
        script.len() ^ (script.bytes().map(usize::from).sum::<usize>() << 8)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("script.txt");
    std::fs::write(&path, script).expect("write script");
    let out = Command::new(env!("CARGO_BIN_EXE_bigflame"))
        .arg(file)
        .args(["--width", "800", "--height", "600", "--script"])
        .arg(&path)
        .output()
        .expect("bigflame runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "bigflame --script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

fn run_script(script: &str) -> Vec<Value> {
    run_script_on(&corpus("mixed-workload.perf.txt"), script)
}

fn f(v: &Value, path: &str) -> f64 {
    v.pointer(path)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("{path} missing in {v}"))
}

fn camera(v: &Value) -> (f64, f64) {
    (f(v, "/camera/x0"), f(v, "/camera/x1"))
}

fn extent(v: &Value) -> (f64, f64) {
    (f(v, "/extent/0"), f(v, "/extent/1"))
}

/// The view unit under pixel column `x` of an 800 px viewport.
fn unit_at(v: &Value, x: f64) -> f64 {
    let (a, b) = camera(v);
    a + x / 800.0 * (b - a)
}

#[test]
fn opens_the_heaviest_thread_in_time_order_fitted() {
    let states = run_script("");
    let s = &states[0];
    assert_eq!(s["status"], "ready");
    assert_eq!(s["view"], "time-order");
    assert_eq!(s["thread"], 0);
    assert!(f(s, "/thread_count") > 1.0);
    assert_eq!(camera(s), extent(s));
    assert!(f(s, "/depth_count") > 0.0);
}

#[test]
fn key_2_fits_the_left_heavy_root_to_the_width_and_1_goes_back() {
    let states = run_script("key 2\ndump\nmove 5 5\ndump\nkey 1\n");
    let lh = &states[0];
    assert_eq!(lh["view"], "left-heavy");
    assert_eq!(camera(lh), extent(lh));
    assert_eq!(f(lh, "/extent/0"), 0.0);
    // The first root starts at the left edge.
    assert_eq!(f(&states[1], "/hover/x0"), 0.0);
    assert_eq!(f(&states[1], "/hover/depth"), 0.0);
    assert_eq!(states[2]["view"], "time-order");
    assert_eq!(camera(&states[2]), extent(&states[2]));
}

#[test]
fn ctrl_wheel_zooms_around_the_cursor_and_back() {
    let states = run_script(
        "dump\nmove 300 5\nctrl-wheel 1\nctrl-wheel 1\ndump\nctrl-wheel -1\nctrl-wheel -1\n",
    );
    let (before, zoomed, back) = (&states[0], &states[1], &states[2]);
    let w0 = camera(before).1 - camera(before).0;
    let w1 = camera(zoomed).1 - camera(zoomed).0;
    assert!(
        (w0 / w1 - 1.44).abs() < 1e-9,
        "two wheel events zoom 1.2² (got {})",
        w0 / w1
    );
    let (u0, u1) = (unit_at(before, 300.0), unit_at(zoomed, 300.0));
    assert!(
        (u0 - u1).abs() <= w0 * 1e-12,
        "the unit under the cursor stays: {u0} vs {u1}"
    );
    assert_eq!(camera(back), camera(before), "zooming out again fits");
}

#[test]
fn keys_zoom_pan_and_reset_within_the_data() {
    let states = run_script(
        "key plus\nkey =\ndump\nkey a\nkey a\nkey a\nkey a\nkey a\nkey a\nkey a\nkey left\ndump\n\
         key d\nkey right\ndump\nkey 0\n",
    );
    let (ext0, ext1) = extent(&states[0]);
    let zoomed = camera(&states[0]);
    assert!(((ext1 - ext0) / (zoomed.1 - zoomed.0) - 2.25).abs() < 1e-9);
    assert_eq!(
        camera(&states[1]).0,
        ext0,
        "panning left stops at the start"
    );
    assert!(camera(&states[2]).0 > ext0, "d and right pan right");
    assert_eq!(camera(&states[3]), (ext0, ext1), "0 resets");
}

#[test]
fn drag_pans_like_grabbing_the_chart() {
    let states = run_script("key w\nkey w\ndump\ndrag 400 100 300 100\ndump\n");
    let (a, b) = (camera(&states[0]), camera(&states[1]));
    let units_per_px = (a.1 - a.0) / 800.0;
    assert!(((b.0 - a.0) - 100.0 * units_per_px).abs() < 1e-6 * units_per_px);
    assert_eq!(
        states[1]["selection"],
        Value::Null,
        "a drag selects nothing"
    );
}

#[test]
fn click_selects_double_click_zooms_escape_clears() {
    let states = run_script("key 2\nclick 5 5\ndump\ndblclick 5 25\ndump\nkey escape\n");
    let sel = &states[0]["selection"];
    assert_eq!(f(sel, "/depth"), 0.0);
    let zoomed = &states[1];
    assert_eq!(f(zoomed, "/selection/depth"), 1.0);
    assert_eq!(
        camera(zoomed),
        (f(zoomed, "/selection/x0"), f(zoomed, "/selection/x1")),
        "double click fits the span"
    );
    assert_eq!(states[2]["selection"], Value::Null);
}

#[test]
fn n_and_p_cycle_threads_and_refit() {
    let states = run_script("key n\ndump\nkey p\nkey p\n");
    assert_eq!(states[0]["thread"], 1);
    assert_ne!(states[0]["thread_label"], Value::Null);
    assert_eq!(camera(&states[0]), extent(&states[0]));
    let last = &states[1];
    assert_eq!(f(last, "/thread"), f(last, "/thread_count") - 1.0);
}

#[test]
fn resize_to_zero_keeps_a_valid_viewport() {
    let states = run_script("resize 0 0\ndump\nctrl-wheel 3\nresize 1024 700 2\n");
    assert_eq!(states[0]["viewport"], serde_json::json!([1, 1]));
    assert!(camera(&states[0]).1 > camera(&states[0]).0);
    assert_eq!(states[1]["viewport"], serde_json::json!([1024, 700]));
    assert_eq!(states[1]["scale"], 2.0);
}

#[test]
fn a_load_error_is_reported_not_fatal() {
    let states = run_script_on(Path::new("/nonexistent/profile.perf.txt"), "key 2\nkey n\n");
    let status = states[0]["status"].as_str().unwrap_or_default();
    assert!(status.starts_with("failed: "), "{status}");
    assert!(status.contains("/nonexistent/profile.perf.txt"), "{status}");
}
