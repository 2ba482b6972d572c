//! Transforms in the viewer: jobs, one at a time, and refusals that leave the stack alone.

use super::*;
use crate::app::input::Action;
use crate::app::state::ViewState;

fn folded(text: &str) -> Profile {
    let opts = bigflame_formats::ImportOptions::default();
    bigflame_formats::import_bytes(text.as_bytes(), "t.folded", &opts).expect("parses")
}

#[test]
fn a_transform_runs_as_a_job_and_one_at_a_time() {
    let mut v = Viewer::new(ViewState::new(800, 600, 1.0));
    v.set_profile(folded("main;a;b 10\nmain;b 30\nmain;c 60\n"));
    v.inline = false; // as the window: jobs are handed out, not run
    v.apply(&Action::SetView(ViewKind::LeftHeavy));
    for job in v.take_jobs() {
        v.accept(job.run());
    }
    v.apply(&Action::Select(600.0, 25.0)); // b, 480..720 px on row 1
    assert_eq!(
        v.apply(&Action::Transform(TransformKey::Merge)),
        Effect::Redraw
    );
    // Nothing changed yet; a second step is refused while the first runs.
    assert!(v.transform_labels().is_empty());
    v.apply(&Action::Transform(TransformKey::Invert));
    assert_eq!(v.notice.as_deref(), Some("a transform is still running"));
    let jobs = v.take_jobs();
    assert_eq!(jobs.len(), 1);
    assert!(matches!(jobs[0].want, Want::Transform(_)));
    for job in jobs {
        v.accept(job.run());
    }
    assert_eq!(v.transform_labels(), ["merge b"]);
    assert_eq!(
        v.state.selection, None,
        "the selection may be gone: cleared"
    );
    // The original is kept for undo; the views are rebuilt (more jobs): main;a 10, main 30,
    // main;c 60 is two rows deep.
    assert!(v.data.as_ref().is_some_and(|d| d.original.is_some()));
    assert!(v.building);
    v.settle();
    assert_eq!(v.state.depth_count, 2);
    assert_eq!(v.state.extent, 0.0..100.0);
}

#[test]
fn failures_and_empty_undo_leave_the_stack_alone() {
    let mut v = Viewer::new(ViewState::new(800, 600, 1.0));
    v.set_profile(folded("main;a 1\n"));
    v.apply(&Action::Transform(TransformKey::Undo));
    assert_eq!(v.notice.as_deref(), Some("nothing to undo"));
    v.apply(&Action::Transform(TransformKey::Redo));
    assert_eq!(v.notice.as_deref(), Some("nothing to redo"));
    v.apply(&Action::Transform(TransformKey::FocusFunction));
    assert_eq!(v.notice.as_deref(), Some("select a frame first (click it)"));
    // Folded frames have no module to collapse.
    v.apply(&Action::Select(5.0, 60.0));
    v.apply(&Action::Transform(TransformKey::CollapseModule));
    assert!(v.transform_labels().is_empty());
    assert!(!v.transform_pending);
}
