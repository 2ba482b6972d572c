//! The Time Order minimap and the recursion toggle (`r`), driven headless through `--script`
//! (800×600 viewport, scale 1: the strip is 48 px high and spans the 800 px canvas).

use crate::viewer_script::{camera, extent, f, run_script, run_script_on};
use serde_json::Value;

/// The camera's centre as a fraction of the extent.
fn centre_fraction(v: &Value) -> f64 {
    let (a, b) = camera(v);
    let (lo, hi) = extent(v);
    (0.5 * (a + b) - lo) / (hi - lo)
}

#[test]
fn the_dump_has_the_minimap_rect_in_time_order_only() {
    let states = run_script("dump\nkey 2\n");
    assert_eq!(
        states[0]["minimap"],
        serde_json::json!([0.0, 0.0, 800.0, 48.0])
    );
    assert_eq!(states[1]["minimap"], Value::Null, "no strip in Left Heavy");
}

#[test]
fn clicking_the_minimap_centres_the_viewport_and_keeps_the_zoom() {
    let states = run_script("key w\nkey w\ndump\nclick 600 20\ndump\n");
    let (zoomed, clicked) = (&states[0], &states[1]);
    let width = |v: &Value| camera(v).1 - camera(v).0;
    assert!((centre_fraction(zoomed) - 0.5).abs() < 1e-9);
    assert!(
        (centre_fraction(clicked) - 0.75).abs() < 1e-9,
        "centred at 75 %: {}",
        centre_fraction(clicked)
    );
    assert!(
        (width(clicked) / width(zoomed) - 1.0).abs() < 1e-9,
        "zoom kept"
    );
    assert_eq!(
        clicked["selection"],
        Value::Null,
        "the strip selects nothing"
    );
}

#[test]
fn dragging_in_the_minimap_moves_the_viewport_with_the_pointer() {
    // Grab the box at its centre (400 px) and drag it 200 px left: the centre follows to 25 %.
    let states = run_script("key w\nkey w\nkey w\ndump\ndrag 400 20 200 20\ndump\n");
    let (a, b) = (&states[0], &states[1]);
    assert!(
        (centre_fraction(b) - 0.25).abs() < 1e-9,
        "{}",
        centre_fraction(b)
    );
    let width = |v: &Value| camera(v).1 - camera(v).0;
    assert!((width(a) - width(b)).abs() < 1e-6 * width(a));
    // Dragged past the start: clamped to the data, and a later drag on the chart pans again.
    let states = run_script("key w\nkey w\ndrag 400 20 -500 20\ndump\ndrag 400 300 300 300\n");
    let (lo, _) = extent(&states[0]);
    assert_eq!(camera(&states[0]).0, lo);
    assert!(camera(&states[1]).0 > lo, "the chart drag panned right");
}

#[test]
fn dragging_a_side_of_the_minimap_box_moves_only_that_edge() {
    // Two `w` zooms show the middle 1/2.25 of the data: the box spans px 222.2..577.8.
    let states = run_script("key w\nkey w\ndump\ndrag 577 20 700 20\ndump\ndrag 223 20 100 20\n");
    let (lo, hi) = extent(&states[0]);
    let frac = |x: f64| (x - lo) / (hi - lo);
    let (a, b, c) = (camera(&states[0]), camera(&states[1]), camera(&states[2]));
    assert_eq!(b.0, a.0, "the left edge stays");
    assert!(
        (frac(b.1) - 0.875).abs() < 1e-9,
        "right edge at 700 px: {}",
        frac(b.1)
    );
    assert_eq!(c.1, b.1, "the right edge stays");
    assert!(
        (frac(c.0) - 0.125).abs() < 1e-9,
        "left edge at 100 px: {}",
        frac(c.0)
    );
}

#[test]
fn rows_start_below_the_minimap() {
    // y = 50 is the first row (below the 48 px strip), y = 20 the strip: across the width some
    // pointer positions hover a root span on the first row, none hovers anything on the strip.
    let script: String = (0..20)
        .map(|i| {
            format!(
                "move {} 50\ndump\nmove {} 20\ndump\n",
                i * 40 + 5,
                i * 40 + 5
            )
        })
        .collect();
    let states = run_script(&script);
    let rows: Vec<&Value> = states.iter().step_by(2).take(20).collect();
    let strip: Vec<&Value> = states.iter().skip(1).step_by(2).take(20).collect();
    assert!(rows.iter().any(|s| s["hover"] != Value::Null));
    for s in rows.iter().filter(|s| s["hover"] != Value::Null) {
        assert_eq!(f(s, "/hover/depth"), 0.0);
    }
    assert!(strip.iter().all(|s| s["hover"] == Value::Null));
}

#[test]
fn r_collapses_direct_recursion_and_restores_it() {
    let dir = std::env::temp_dir().join(format!("bigflame-recursion-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("recursive.folded");
    std::fs::write(
        &file,
        "main;fib;fib;fib;fib;leaf 5\nmain;fib;fib 3\nmain;other;other 2\n",
    )
    .expect("write profile");
    let states = run_script_on(&file, "dump\nkey r\ndump\nkey 2\ndump\nkey r\n");
    let _ = std::fs::remove_dir_all(&dir);
    let (before, collapsed, left_heavy, restored) =
        (&states[0], &states[1], &states[2], &states[3]);
    assert_eq!(f(before, "/depth_count"), 6.0);
    assert_eq!(before["recursion_collapsed"], false);
    // main;fib;leaf is the deepest stack once fib;fib;… is one frame.
    assert_eq!(f(collapsed, "/depth_count"), 3.0);
    assert_eq!(collapsed["recursion_collapsed"], true);
    assert_eq!(extent(collapsed), extent(before), "weights are kept");
    assert_eq!(
        f(left_heavy, "/depth_count"),
        3.0,
        "every view is collapsed"
    );
    assert_eq!(f(restored, "/depth_count"), 6.0);
    assert_eq!(restored["recursion_collapsed"], false);
}

#[test]
fn question_mark_shows_the_key_help_and_escape_closes_it() {
    let states = run_script("key ?\ndump\nkey escape\ndump\nkey ?\nkey ?\n");
    assert_eq!(states[0]["help"], true);
    assert_eq!(states[1]["help"], false);
    assert_eq!(states[2]["help"], false, "? toggles");
}
