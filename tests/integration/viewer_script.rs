//! The viewer's navigation, driven headless through `bigflame FILE --script SCRIPT`: the same
//! input mapping and action handler the window uses, with the view state printed as JSON lines.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../corpus")
        .join(name)
}

/// Runs `script` on the corpus recording in an 800×600 viewport; one JSON value per output line.
pub(crate) fn run_script_on(file: &Path, script: &str) -> Vec<Value> {
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

pub(crate) fn run_script(script: &str) -> Vec<Value> {
    run_script_on(&corpus("mixed-workload.perf.txt"), script)
}

pub(crate) fn f(v: &Value, path: &str) -> f64 {
    v.pointer(path)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("{path} missing in {v}"))
}

pub(crate) fn camera(v: &Value) -> (f64, f64) {
    (f(v, "/camera/x0"), f(v, "/camera/x1"))
}

pub(crate) fn extent(v: &Value) -> (f64, f64) {
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

#[test]
fn ctrl_f_highlights_matches_and_enter_cycles_through_them() {
    let states = run_script(
        "key ctrl+f\ntype malloc\ndump\nkey enter\ndump\nkey enter\ndump\nkey shift+enter\ndump\n\
         key backspace\ntype C\ndump\nkey escape\ndump\nkey escape\n",
    );
    let typed = &states[0];
    assert_eq!(typed["search"]["open"], true);
    assert_eq!(typed["search"]["text"], "malloc");
    let n = f(typed, "/search/matches");
    assert!(n >= 2.0, "malloc occurs several times: {typed}");
    let share = f(typed, "/search/share");
    assert!(share > 0.0 && share < 1.0, "share {share}");
    let summary = typed["search"]["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains(" matches · ") && summary.ends_with("% of thread"),
        "{summary}"
    );
    assert_eq!(
        camera(typed),
        extent(typed),
        "typing does not move the camera"
    );
    // Enter selects the first match (leftmost) and zooms to fit it; typed keys did not navigate.
    let first = &states[1];
    assert_eq!(f(first, "/search/current"), 0.0);
    let name = first["selection"]["name"].as_str().unwrap_or_default();
    assert!(name.to_lowercase().contains("malloc"), "{name}");
    assert_eq!(
        camera(first),
        (f(first, "/selection/x0"), f(first, "/selection/x1"))
    );
    let second = &states[2];
    assert_eq!(f(second, "/search/current"), 1.0);
    assert!(f(second, "/selection/x0") >= f(first, "/selection/x0"));
    assert_eq!(
        f(&states[3], "/search/current"),
        0.0,
        "shift+enter goes back"
    );
    // Backspace + an upper-case letter: the same case-insensitive search.
    assert_eq!(states[4]["search"]["text"], "malloC");
    assert_eq!(f(&states[4], "/search/matches"), n);
    // Esc closes the search (the selection stays); a second Esc clears the selection.
    let closed = &states[5];
    assert_eq!(closed["search"]["open"], false);
    assert_eq!(f(closed, "/search/matches"), 0.0);
    assert!(closed["selection"].is_object());
    assert!(states[6]["selection"].is_null());
}

#[test]
fn search_regex_and_keys_typed_into_the_field() {
    let states = run_script(
        "key ctrl+f\ntype /^_int_(malloc|free)$\ndump\nkey backspace\nkey backspace\n\
         type 2|\ntype (\n",
    );
    let s = &states[0];
    assert!(f(s, "/search/matches") >= 1.0, "{s}");
    let bad = &states[1];
    assert_eq!(bad["search"]["text"], "/^_int_(malloc|free2|(");
    assert_eq!(
        bad["view"], "time-order",
        "'2' went into the field, not to the view"
    );
    assert!(
        bad["search"]["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("invalid regex")),
        "{bad}"
    );
    assert_eq!(f(bad, "/search/matches"), 0.0);
}

#[test]
fn key_3_shows_the_sandwich_of_the_selected_frame() {
    // Left Heavy, select the second-row span at the left edge, then `3`.
    let states = run_script("key 2\nclick 5 27\ndump\nkey 3\ndump\nkey o\ndump\nkey o\ndump\n");
    let selected = states[0]["selection"]["name"]
        .as_str()
        .expect("a span at depth 1")
        .to_string();
    let sw = &states[1];
    assert_eq!(sw["view"], "sandwich");
    assert_eq!(sw["sandwich"]["frame"], selected.as_str());
    assert!(f(sw, "/sandwich/callers_depth") >= 2.0, "{sw}");
    assert!(f(sw, "/sandwich/callees_depth") >= 1.0);
    assert_eq!(sw["sandwich"]["sort"], "self");
    assert_eq!(camera(sw), extent(sw));
    let (by_total, by_name) = (&states[2], &states[3]);
    assert_eq!(by_total["sandwich"]["sort"], "total");
    assert_eq!(by_name["sandwich"]["sort"], "name");
    let first = |v: &Value| {
        v["sandwich"]["rows"][0]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_ne!(first(sw), first(by_name), "sorting changes the first row");
    let names: Vec<&str> = by_name["sandwich"]["rows"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");
}

#[test]
fn sandwich_without_selection_focuses_the_heaviest_self_and_rows_refocus() {
    // 800 px wide: the table is the right 360 px; row 1 starts at 18 px, row 2 at 36 px.
    let states = run_script("key 3\ndump\nclick 600 45\ndump\nkey ctrl+f\ntype malloc\ndump\n");
    let sw = &states[0];
    assert_eq!(sw["view"], "sandwich");
    let rows = &sw["sandwich"]["rows"];
    assert_eq!(
        sw["sandwich"]["frame"], rows[0],
        "heaviest self weight first"
    );
    let clicked = &states[1];
    assert_eq!(
        clicked["sandwich"]["frame"], rows[1],
        "a row click focuses it"
    );
    let filtered = &states[2];
    let n = f(filtered, "/sandwich/row_count");
    assert!(n >= 1.0 && n < f(clicked, "/sandwich/row_count"));
    assert!(filtered["sandwich"]["rows"].as_array().is_some_and(|r| {
        r.iter()
            .all(|v| v.as_str().is_some_and(|s| s.contains("malloc")))
    }));
}

#[test]
fn t_opens_the_thread_picker_filtered_by_typing() {
    let states = run_script(
        "key t\ndump\ntype PYTHON\nkey down\ndump\nkey enter\ndump\n\
         key t\nclick 400 71\ndump\nkey t\nkey escape\n",
    );
    let open = &states[0];
    assert_eq!(open["threads"]["open"], true);
    let heaviest = open["threads"]["rows"][0].as_str().unwrap_or("?");
    assert!(
        open["thread_label"]
            .as_str()
            .is_some_and(|l| l.starts_with(heaviest)),
        "the shown (heaviest) thread is first: {open}"
    );
    let filtered = &states[1];
    let rows: Vec<&str> = filtered["threads"]["rows"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        rows.len() >= 2 && rows.iter().all(|r| r.contains("python")),
        "{rows:?}"
    );
    assert_eq!(f(filtered, "/threads/cursor"), 1.0);
    let picked = &states[2];
    assert_eq!(picked["threads"]["open"], false);
    assert!(
        picked["thread_label"]
            .as_str()
            .is_some_and(|l| l.starts_with(rows[1])),
        "{picked}"
    );
    assert_eq!(camera(picked), extent(picked), "the new thread is fitted");
    // A click on the second row (header at 30 px, 18 px rows) picks the second-heaviest thread.
    assert_eq!(f(&states[3], "/thread"), 1.0);
    assert_eq!(states[3]["threads"]["open"], false);
    assert_eq!(states[4]["threads"]["open"], false, "Esc closes");
    assert_eq!(f(&states[4], "/thread"), 1.0);
}

#[test]
fn sandwich_halves_scroll_away_from_the_middle() {
    // 300 px tall: each half holds fewer rows than the root's 13 callee rows.
    let states = run_script(
        "resize 800 300\nkey 2\nclick 5 5\nkey 3\ndump\nmove 100 250\nwheel -3\ndump\n\
         move 100 20\nwheel 3\ndump\nmove 100 250\nwheel 1\nmove 5 144\n",
    );
    let sw = &states[0];
    assert_eq!(sw["view"], "sandwich");
    let callees = f(sw, "/sandwich/callees_depth");
    assert!(callees * 18.0 > 139.0, "deeper than the half: {sw}");
    let scrolled = &states[1];
    let max = callees * 18.0 - 139.0;
    assert_eq!(f(scrolled, "/camera/y_px"), max.min(144.0));
    // The callers' half of the root has a single row: nothing to scroll, and the callees'
    // scroll stays.
    let up = &states[2];
    assert_eq!(f(up, "/sandwich/callers_scroll_px"), 0.0);
    assert_eq!(f(up, "/camera/y_px"), f(scrolled, "/camera/y_px"));
    // The row under the pointer follows the scroll (one wheel line back up: 48 px).
    let hover = &states[3];
    assert_eq!(f(hover, "/camera/y_px"), f(up, "/camera/y_px") - 48.0);
    let depth = ((5.0 + f(hover, "/camera/y_px")) / 18.0).floor();
    assert_eq!(f(hover, "/hover/depth"), depth);
}

#[test]
fn wheel_over_the_callers_half_scrolls_it_up() {
    // 100 px tall: halves of 39 px; asm_exc_page_fault (via a search) has 4 rows of callers.
    let states = run_script(
        "resize 800 100\nkey ctrl+f\ntype exc_page_fault\nkey enter\nkey escape\nkey 3\ndump\n\
         move 100 10\nwheel 3\n",
    );
    let sw = &states[0];
    assert_eq!(sw["sandwich"]["frame"], "asm_exc_page_fault");
    let rows = f(sw, "/sandwich/callers_depth");
    assert!(rows * 18.0 > 39.0, "{sw}");
    let up = &states[1];
    assert_eq!(f(up, "/sandwich/callers_scroll_px"), rows * 18.0 - 39.0);
    assert_eq!(f(up, "/camera/y_px"), 0.0, "the callees' half did not move");
}
