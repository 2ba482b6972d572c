//! The off-thread state machine (builds, stale results, search debounce), progressive
//! replacement of the data, lanes and colours, on small real profiles.

use crate::app::input::Action;
use crate::app::jobs::Want;
use crate::app::search::DEBOUNCE_MS;
use crate::app::state::{ViewKind, ViewState};
use crate::app::viewer::{Effect, Loaded, Status, Viewer};
use bigflame_formats::{ImportOptions, import_bytes};
use bigflame_model::{EventId, Profile};
use std::sync::{Arc, Mutex};

/// perf script text: `samples` of (comm, tid, seconds), each `main -> work`, 1 ms period.
fn perf_text(samples: &[(&str, u32, f64)]) -> String {
    let mut text = String::new();
    for (comm, tid, t) in samples {
        text.push_str(&format!(
            "{comm} {tid} {t:.6}: 1000000 cpu-clock:\n\t1234 work+0x1 (/bin/x)\n\t1000 main+0x2 (/bin/x)\n\n"
        ));
    }
    text
}

/// Thread `light` (tid 10) has one sample, thread `heavy` (tid 20) three.
fn two_threads() -> Profile {
    let text = perf_text(&[
        ("light", 10, 1.0),
        ("heavy", 20, 1.001),
        ("heavy", 20, 1.002),
        ("heavy", 20, 1.003),
    ]);
    import_bytes(text.as_bytes(), "two.perf.txt", &ImportOptions::default()).expect("parses")
}

/// A viewer that leaves its jobs to the test (as the window does), with `p` shown.
fn manual(p: Profile) -> Viewer {
    let mut v = Viewer::new(ViewState::new(400, 300, 1.0));
    v.inline = false;
    v.set_profile(p);
    v
}

/// Runs every job handed out, as the window's threads would.
fn run_jobs(v: &mut Viewer) -> Vec<Want> {
    let jobs = v.take_jobs();
    let wants = jobs.iter().map(|j| j.want.clone()).collect();
    for j in jobs {
        v.accept(j.run());
    }
    wants
}

#[test]
fn views_build_off_the_ui_thread_while_input_keeps_working() {
    let mut v = manual(two_threads());
    // Time Order was built with the load; its function table is asked for.
    assert!(!v.building);
    assert!(v.view().is_some());
    let heavy = v.shown_thread().expect("a thread");
    assert_eq!(run_jobs(&mut v), vec![Want::Table(heavy)]);
    assert!(v.data.as_ref().is_some_and(|d| d.table.is_some()));
    // `2`: nothing is built here; the viewer asks and says "building".
    assert_eq!(
        v.apply(&Action::SetView(ViewKind::LeftHeavy)),
        Effect::Redraw
    );
    assert!(v.building);
    assert!(v.view().is_none());
    assert_eq!(v.to_json()["building"], true);
    // Input is handled meanwhile, and asking again does not ask twice.
    assert_eq!(v.apply(&Action::ZoomCentre(2.0)), Effect::Redraw);
    assert!(v.pick_at(10.0, 5.0).is_none());
    v.show_current(None);
    let wants = run_jobs(&mut v);
    assert_eq!(wants, vec![Want::View(ViewKind::LeftHeavy, heavy)]);
    // Installed and fitted: three samples of 1 ms.
    assert!(!v.building);
    assert_eq!(v.state.extent, 0.0..3_000_000.0);
    assert_eq!(
        (v.state.camera.x_start, v.state.camera.x_end),
        (0.0, 3_000_000.0)
    );
    assert_eq!(v.state.depth_count, 2);
    assert!(v.take_jobs().is_empty());
}

#[test]
fn results_for_replaced_data_are_dropped() {
    let mut v = manual(two_threads());
    v.apply(&Action::SetView(ViewKind::LeftHeavy));
    let stale = v.take_jobs();
    assert!(!stale.is_empty());
    // New data arrives before the build finishes (another file, a load's next snapshot).
    v.set_profile(two_threads());
    for j in stale {
        assert!(
            !v.accept(j.run()),
            "a result for the old data is not installed"
        );
    }
    assert_eq!(v.state.kind, ViewKind::TimeOrder);
}

#[test]
fn typing_is_debounced_on_big_views_and_older_results_are_ignored() {
    let mut v = manual(two_threads());
    run_jobs(&mut v);
    v.apply(&Action::SearchOpen);
    // As on a view with millions of spans: each key pushes the search back.
    for (i, c) in "wor".chars().enumerate() {
        v.now_ms = 100.0 * i as f64;
        v.search.text.push(c);
        v.search.touch(v.now_ms, usize::MAX);
        assert!(!v.poll(v.now_ms + 50.0));
        assert!(v.take_jobs().is_empty(), "no search while typing");
    }
    assert_eq!(v.next_deadline(), Some(200.0 + DEBOUNCE_MS));
    assert!(v.search.stale());
    v.poll(200.0 + DEBOUNCE_MS);
    let jobs = v.take_jobs();
    assert_eq!(jobs.len(), 1, "one search for the whole word");
    assert!(matches!(&jobs[0].want, Want::Search(t, _) if t == "wor"));
    // A key typed while it runs: its result is for an older text and is ignored.
    v.apply(&Action::SearchInput("k".into()));
    for j in jobs {
        assert!(!v.accept(j.run()));
    }
    assert!(v.search.matches.is_empty());
    // Small views search at once: the next poll asks for "work".
    v.poll(v.now_ms);
    let wants = run_jobs(&mut v);
    assert!(matches!(&wants[..], [Want::Search(t, _)] if t == "work"));
    assert_eq!(v.search.matches.len(), 1);
    assert!(!v.search.stale());
}

/// A perf recording of one thread, 1 ms apart over `n` ms, imported with the snapshot hook on
/// tiny chunks: the partial profiles and the whole.
fn progressive(n: u32) -> (Vec<Profile>, Profile) {
    let samples: Vec<(&str, u32, f64)> = (0..n)
        .map(|i| ("app", 7, 2.0 + f64::from(i) * 0.001))
        .collect();
    let text = perf_text(&samples);
    let snaps = Arc::new(Mutex::new(Vec::new()));
    let sink = snaps.clone();
    let opts = ImportOptions {
        threads: 1,
        chunk_bytes: 300,
        snapshot: Some(Arc::new(move |p: &Profile| {
            if let Ok(mut v) = sink.lock() {
                v.push(p.clone());
            }
        })),
        ..ImportOptions::default()
    };
    let whole = import_bytes(text.as_bytes(), "grow.perf.txt", &opts).expect("parses");
    let partial = snaps.lock().map(|v| v.clone()).unwrap_or_default();
    (partial, whole)
}

#[test]
fn a_partial_profile_is_browsable_and_the_rest_keeps_the_camera() {
    let (partial, whole) = progressive(200);
    assert!(partial.len() >= 2, "{} snapshots", partial.len());
    let e = EventId::from_index(0);
    let mut v = Viewer::new(ViewState::new(800, 600, 1.0));
    v.status = Status::Loading(Default::default());
    v.replace_data(Loaded::new(partial[0].clone()));
    assert!(matches!(v.status, Status::Loading(_)), "still loading");
    let first = v.to_json();
    assert!(v.view().is_some(), "the partial profile is shown");
    let n0 = first["samples"].as_u64().unwrap_or(0);
    assert!(n0 > 0 && n0 < 200);
    // Fitted while untouched: the next snapshot grows the view.
    let x1 = v.state.extent.end;
    v.replace_data(Loaded::new(partial[1].clone()));
    assert!(v.state.extent.end > x1);
    assert_eq!(v.state.camera.x_end, v.state.extent.end, "still fitted");
    // Zoomed in by the user: the rest of the file does not move the camera.
    v.apply(&Action::ZoomAt {
        x_px: 100.0,
        factor: 4.0,
    });
    v.apply(&Action::Select(100.0, 48.0 + 5.0));
    let sel = v.state.selection.expect("the root under the pointer");
    let cam = (v.state.camera.x_start, v.state.camera.x_end);
    v.replace_data(Loaded::new(whole));
    v.status = Status::Ready;
    assert_eq!((v.state.camera.x_start, v.state.camera.x_end), cam);
    assert_eq!(v.state.selection.map(|s| s.node), Some(sel.node));
    let last = v.to_json();
    assert_eq!(last["samples"], 200);
    assert_eq!(
        v.data.as_ref().map(|d| d.profile.sample_count(e)),
        Some(200)
    );
    // 200 samples 1 ms apart: the last lasts one median interval.
    assert!(
        (v.state.extent.end - 200.0e6).abs() < 1.0,
        "{:?}",
        v.state.extent
    );
}

#[test]
fn lanes_stack_every_thread_on_one_timeline() {
    // light samples at 1.000 and 1.001 s, heavy at 1.002..1.004 s: each sample lasts the
    // thread's 1 ms interval, so light covers 0..2 ms and heavy 2..5 ms of one timeline.
    let text = perf_text(&[
        ("light", 10, 1.000),
        ("light", 10, 1.001),
        ("heavy", 20, 1.002),
        ("heavy", 20, 1.003),
        ("heavy", 20, 1.004),
    ]);
    let p =
        import_bytes(text.as_bytes(), "lanes.perf.txt", &ImportOptions::default()).expect("parses");
    let mut v = Viewer::new(ViewState::new(400, 300, 1.0));
    v.set_profile(p);
    assert_eq!(v.apply(&Action::ToggleLanes), Effect::Redraw);
    assert!(v.lanes_on());
    let json = v.to_json();
    let lanes = &json["lanes"];
    assert_eq!(lanes["count"], 2);
    assert!(
        lanes["lanes"][0]["thread"]
            .as_str()
            .is_some_and(|t| t.starts_with("heavy"))
    );
    assert_eq!(lanes["lanes"][1]["depth"], 2);
    assert_eq!(
        json["minimap"],
        serde_json::Value::Null,
        "no minimap in lanes"
    );
    assert_eq!(v.state.extent, 0.0..5_000_000.0);
    // Lane 1 (light) starts below lane 0: header 20 px + 2 rows of 18 px + 4 px gap = 60.
    let layout = v.lane_layout();
    assert_eq!(layout.top(1), Some(60.0));
    // 80 px per ms: light's `main` is under x = 50, in lane 1's row 0 (y 80..98).
    let (tid, span) = v
        .lanes_pick(50.0, 60.0 + 20.0 + 5.0)
        .expect("a span in lane 1");
    assert_eq!(
        v.data.as_ref().map(|d| d.profile.thread_label(tid)),
        Some("light 10".into())
    );
    assert_eq!(span.depth, 0);
    assert!(
        v.lanes_pick(300.0, 85.0).is_none(),
        "light is idle after 2 ms"
    );
    assert!(v.lanes_pick(300.0, 25.0).is_some(), "heavy runs at 3.75 ms");
    // A click selects in that lane and shows its thread.
    v.apply(&Action::Select(50.0, 85.0));
    assert!(v.thread_label().is_some_and(|l| l.starts_with("light")));
    assert!(v.selection_detail().is_some_and(|d| d[0] == "main"));
    // Zoom is shared by every lane; `m` goes back.
    v.apply(&Action::ZoomAt {
        x_px: 0.0,
        factor: 2.0,
    });
    assert_eq!(v.state.camera.x_end, 2_500_000.0);
    v.apply(&Action::ToggleLanes);
    assert!(!v.lanes_on());
    assert_eq!(v.to_json()["lanes"], serde_json::Value::Null);
}

#[test]
fn c_cycles_the_colours_of_the_shown_spans() {
    let mut v = Viewer::new(ViewState::new(400, 300, 1.0));
    v.set_profile(two_threads());
    assert_eq!(v.to_json()["colors"], "name");
    assert_eq!(v.apply(&Action::CycleColors), Effect::Redraw);
    assert_eq!(v.to_json()["colors"], "module");
    let mut frame = crate::app::draw::Frame::default();
    frame.build(&v);
    let module = bigflame_render::colors::for_module("/bin/x", "main");
    assert!(
        frame.rect_colors().contains(&module),
        "main drawn in /bin/x's colour"
    );
    v.apply(&Action::CycleColors);
    assert_eq!(v.to_json()["colors"], "mem");
}

#[test]
fn importer_notes_and_skipped_records_reach_the_window() {
    // Two malformed lines among folded stacks: skipped and counted, with the first location.
    let text = "main;work 3\nthis line has no count\nmain;other 2\n";
    let p = import_bytes(text.as_bytes(), "bad.folded", &ImportOptions::default()).expect("parses");
    let mut v = Viewer::new(ViewState::new(400, 300, 1.0));
    v.set_profile(p);
    let w = v.to_json()["warnings"].clone();
    let first = w[0].as_str().unwrap_or_default().to_string();
    assert!(first.starts_with("skipped 1 "), "{w}");
    assert!(first.contains("line 2"), "{first}");
    let mut frame = crate::app::draw::Frame::default();
    frame.build(&v);
    assert!(
        frame.chrome_text().contains("⚠ skipped 1 "),
        "{}",
        frame.chrome_text()
    );
}
