//! Navigation rules of [`ViewState`], on a small real profile.

use super::*;

fn state() -> ViewState {
    let mut s = ViewState::new(1000, 600, 1.0);
    s.set_data(0.0..1000.0, 10);
    s
}

#[test]
fn zoom_keeps_the_unit_under_the_cursor() {
    let mut s = state();
    let before = s.camera.x_at(250.0, 1000);
    s.zoom_at(250.0, 4.0);
    assert!((s.camera.width() - 250.0).abs() < 1e-9);
    assert!((s.camera.x_at(250.0, 1000) - before).abs() < 1e-9);
    s.zoom_at(900.0, 1.2);
    s.zoom_at(900.0, 1.2);
    let at = s.camera.x_at(900.0, 1000);
    s.zoom_at(900.0, 1.0 / 1.44);
    assert!((s.camera.x_at(900.0, 1000) - at).abs() < 1e-9);
}

#[test]
fn pan_clamps_to_the_data() {
    let mut s = state();
    s.pan_px(500.0, 0.0);
    assert_eq!(
        (s.camera.x_start, s.camera.x_end),
        (0.0, 1000.0),
        "fitted: nothing to pan"
    );
    s.zoom_at(500.0, 10.0);
    s.pan_px(-1.0e6, 0.0);
    assert_eq!(s.camera.x_start, 0.0);
    s.pan_px(1.0e6, 0.0);
    assert_eq!(s.camera.x_end, 1000.0);
    assert!((s.camera.width() - 100.0).abs() < 1e-9);
}

#[test]
fn vertical_scroll_stops_at_the_last_row() {
    let mut s = state();
    s.pan_px(0.0, 1.0e6);
    assert_eq!(s.camera.y_scroll_px, 0.0, "10 rows fit in 600 px");
    s.set_data(0.0..1000.0, 100);
    s.pan_px(0.0, 1.0e6);
    // The rows share the height with the status line and, in Time Order, the minimap.
    let max = 100.0 * s.row_px() - (600.0 - s.status_px() - s.minimap_px());
    assert_eq!(s.camera.y_scroll_px, max);
    s.pan_px(0.0, -1.0e9);
    assert_eq!(s.camera.y_scroll_px, 0.0);
}

#[test]
fn reset_and_new_data_fit() {
    let mut s = state();
    s.zoom_at(10.0, 50.0);
    s.reset();
    assert_eq!((s.camera.x_start, s.camera.x_end), (0.0, 1000.0));
    s.set_data(5.0..7.0, 3);
    assert_eq!((s.camera.x_start, s.camera.x_end), (5.0, 7.0));
    s.set_data(0.0..0.0, 0);
    assert_eq!(
        (s.camera.x_start, s.camera.x_end),
        (0.0, 1.0),
        "empty data: a valid camera"
    );
}

#[test]
fn zero_sizes_never_reach_the_camera() {
    let mut s = state();
    s.resize(0, 0, 0.0);
    assert_eq!(s.viewport, (1, 1));
    assert_eq!(s.scale, 1.0);
    s.zoom_at(0.0, 2.0);
    assert!(s.camera.width().is_finite() && s.camera.width() > 0.0);
    s.resize(800, 600, 2.0);
    assert_eq!(s.row_px(), 36.0);
}

#[test]
fn thread_cycling_wraps() {
    let mut s = state();
    assert!(!s.cycle_thread(1), "no threads");
    s.thread_count = 3;
    assert!(s.cycle_thread(1));
    assert!(s.cycle_thread(1));
    assert!(s.cycle_thread(1));
    assert_eq!(s.thread, 0);
    assert!(s.cycle_thread(-1));
    assert_eq!(s.thread, 2);
}

#[test]
fn rows_under_the_pointer() {
    let s = state();
    // Time Order: the rows start below the minimap strip.
    let top = s.minimap_px();
    assert!(top > 0.0);
    assert_eq!(s.depth_at(top - 1.0), None, "the minimap");
    assert_eq!(s.depth_at(top), Some(0));
    assert_eq!(s.depth_at(top + s.row_px() * 2.5), Some(2));
    assert_eq!(
        s.depth_at(top + s.row_px() * 10.5),
        None,
        "below the last row"
    );
    assert_eq!(s.depth_at(-1.0), None);
    assert_eq!(s.depth_at(599.0), None, "the status line");
}
