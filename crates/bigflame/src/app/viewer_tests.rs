//! The viewer model on a tiny perf-script profile with two threads.

use super::*;
use crate::app::input::Action;
use bigflame_formats::{ImportOptions, import_bytes};

/// Thread `light` has one sample, thread `heavy` three (all `main -> work`).
fn profile() -> Profile {
    let mut text = String::new();
    let samples = [
        ("light", 10, 1.0),
        ("heavy", 20, 1.001),
        ("heavy", 20, 1.002),
        ("heavy", 20, 1.003),
    ];
    for (comm, tid, t) in samples {
        text.push_str(&format!(
            "{comm} {tid} {t:.6}: 1000000 cpu-clock:\n\t1234 work+0x1 (/bin/x)\n\t1000 main+0x2 (/bin/x)\n\n"
        ));
    }
    import_bytes(
        text.as_bytes(),
        "two-threads.perf.txt",
        &ImportOptions::default(),
    )
    .expect("the test profile parses")
}

#[test]
fn heaviest_thread_first_in_time_order() {
    let mut v = Viewer::new(ViewState::new(400, 300, 1.0));
    v.set_profile(profile());
    assert_eq!(v.status, Status::Ready);
    assert_eq!(v.state.kind, ViewKind::TimeOrder);
    assert_eq!(v.state.thread_count, 2);
    assert!(v.thread_label().is_some_and(|l| l.starts_with("heavy")));
    assert_eq!(v.state.depth_count, 2);
    assert_eq!(v.apply(&Action::CycleThread(1)), Effect::Redraw);
    assert!(v.thread_label().is_some_and(|l| l.starts_with("light")));
}

#[test]
fn left_heavy_root_fills_the_width_and_describes_itself() {
    let mut v = Viewer::new(ViewState::new(400, 300, 1.0));
    v.set_profile(profile());
    assert_eq!(
        v.apply(&Action::SetView(ViewKind::LeftHeavy)),
        Effect::Redraw
    );
    assert_eq!(v.apply(&Action::SetView(ViewKind::LeftHeavy)), Effect::None);
    let st = &v.state;
    assert_eq!((st.camera.x_start, st.camera.x_end), (0.0, 3_000_000.0));
    assert_eq!(v.apply(&Action::Hover(399.0, 5.0)), Effect::Redraw);
    let root = v.state.hover.expect("the root is under the pointer");
    assert_eq!((root.x0, root.x1), (0.0, 3_000_000.0));
    let text = v.describe(&root).unwrap_or_default();
    assert!(text.starts_with("main — "), "{text}");
    assert!(text.ends_with("(100.0%)"), "{text}");
    assert_eq!(v.apply(&Action::HoverNone), Effect::Redraw);
    assert_eq!(v.apply(&Action::HoverNone), Effect::None);
}

#[test]
fn nothing_loaded_is_harmless() {
    let mut v = Viewer::new(ViewState::default());
    for action in [
        Action::SetView(ViewKind::LeftHeavy),
        Action::CycleThread(1),
        Action::ZoomAt {
            x_px: 10.0,
            factor: 3.0,
        },
        Action::Select(1.0, 1.0),
        Action::ZoomToSpan(1.0, 1.0),
        Action::Hover(5.0, 5.0),
    ] {
        v.apply(&action);
    }
    assert!(v.state.selection.is_none());
    assert_eq!(v.to_json()["status"], "empty");
}

#[test]
fn search_share_and_sandwich_on_the_tiny_profile() {
    let mut v = Viewer::new(ViewState::new(400, 300, 1.0));
    v.set_profile(profile());
    v.apply(&Action::SetView(ViewKind::LeftHeavy));
    v.apply(&Action::SearchOpen);
    v.apply(&Action::SearchInput("WORK".into()));
    assert_eq!(v.search.matches.len(), 1);
    assert!(
        (v.search.share() - 1.0).abs() < 1e-12,
        "every sample is in work"
    );
    assert_eq!(v.apply(&Action::SearchStep(1)), Effect::Redraw);
    let sel = v.state.selection.expect("the match is selected");
    assert_eq!(sel.depth, 1);
    v.apply(&Action::SearchInput("x".into()));
    assert!(v.search.matches.is_empty());
    assert_eq!(v.apply(&Action::SearchStep(1)), Effect::None);
    v.apply(&Action::SearchClose);
    // `3` with `work` selected: main calls it, nothing below it.
    assert_eq!(
        v.apply(&Action::SetView(ViewKind::Sandwich)),
        Effect::Redraw
    );
    let json = v.to_json();
    assert_eq!(json["sandwich"]["frame"], "work");
    assert_eq!(json["sandwich"]["callers_depth"], 2);
    assert_eq!(json["sandwich"]["callees_depth"], 1);
    assert_eq!(v.state.extent, 0.0..3_000_000.0);
    // The callers' root row sits just above the middle.
    let half = v.state.half_px();
    let (span, callers) = v
        .pick_at(5.0, half - 2.0)
        .expect("the focus in the callers' half");
    assert!(callers);
    assert_eq!(
        v.data.as_ref().map(|d| d.profile.frame_name(span.frame)),
        Some("work")
    );
    let (span, callers) = v.pick_at(5.0, half - 20.0).expect("its caller above");
    assert!(callers);
    assert_eq!(
        v.data.as_ref().map(|d| d.profile.frame_name(span.frame)),
        Some("main")
    );
    assert!(v.pick_at(5.0, half + 2.0).is_some_and(|(_, c)| !c));
    assert!(
        v.pick_at(399.0, half + 2.0).is_none(),
        "the table is not the canvas"
    );
}
