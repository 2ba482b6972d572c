//! Transforms on small profiles, expected folded output worked out by hand in each test.

use super::*;
use crate::{EventId, Frame, ProfileBuilder, ProfileMeta, StackId, ThreadKey, WeightUnit};

/// A profile from `(time, "a;b;c", weight)` samples on one thread and one event; a frame is
/// `name[@module][%file][#line]`, an empty stack is `""`. `time` `None` makes an untimed profile.
pub(super) fn build(samples: &[(Option<u64>, &str, f64)]) -> Profile {
    let mut b = ProfileBuilder::new();
    let ev = b.event("cpu", WeightUnit::Samples);
    let name = b.intern("main-thread");
    let th = b.thread(ThreadKey {
        pid: Some(1),
        tid: Some(1),
        name,
    });
    for &(t, stack, w) in samples {
        let mut s = StackId::EMPTY;
        for spec in stack.split(';').filter(|f| !f.is_empty()) {
            let (rest, line) = spec.split_once('#').unwrap_or((spec, "0"));
            let (rest, file) = rest
                .split_once('%')
                .map_or((rest, None), |(a, b)| (a, Some(b)));
            let (fname, module) = rest
                .split_once('@')
                .map_or((rest, None), |(a, b)| (a, Some(b)));
            let frame = Frame {
                module: module.map(|m| b.intern(m)),
                file: file.map(|f| b.intern(f)),
                line: line.parse().unwrap(),
                ..Frame::named(b.intern(fname))
            };
            let f = b.frame(frame);
            s = b.stack(s, f);
        }
        b.sample(th, ev, t, s, w);
    }
    b.finish(ProfileMeta::default())
}

pub(super) fn timed(samples: &[(u64, &str, f64)]) -> Profile {
    let v: Vec<_> = samples.iter().map(|&(t, s, w)| (Some(t), s, w)).collect();
    build(&v)
}

/// Summed weight per stack path (names only), sorted; checks the stack table invariant too.
pub(super) fn folded(p: &Profile) -> Vec<(String, f64)> {
    for (i, parent) in p.stacks.parents().iter().enumerate() {
        assert!(
            parent.is_empty() || parent.index() < i,
            "parent after child"
        );
    }
    let mut map = std::collections::BTreeMap::<String, f64>::new();
    for t in &p.threads {
        for cols in &t.samples {
            for (&s, &w) in cols.stack.iter().zip(&cols.weight) {
                let names: Vec<&str> = p
                    .stacks
                    .path(s)
                    .into_iter()
                    .map(|f| p.frame_name(f))
                    .collect();
                *map.entry(names.join(";")).or_default() += w;
            }
        }
    }
    map.into_iter().collect()
}

pub(super) fn f(v: &[(&str, f64)]) -> Vec<(String, f64)> {
    v.iter().map(|&(s, w)| (s.to_string(), w)).collect()
}

fn base() -> Profile {
    timed(&[
        (10, "main;a;b", 1.0),
        (20, "main;a;c", 2.0),
        (30, "main;b", 3.0),
        (40, "main;a;b;b", 4.0),
        (50, "main", 5.0),
    ])
}

pub(super) fn name(s: &str) -> FuncRef {
    FuncRef::Name(s.into())
}

#[test]
fn merge_gives_the_frame_time_to_its_caller() {
    let m = Transform::Merge(name("a")).apply(&base()).unwrap();
    assert_eq!(
        folded(&m),
        f(&[
            ("main", 5.0),
            ("main;b", 4.0),
            ("main;b;b", 4.0),
            ("main;c", 2.0)
        ])
    );
    assert_eq!(m.total_weight(EventId(0)), 15.0);
    // A root merged away leaves its leaf-only samples on the empty stack.
    let m = Transform::Merge(name("main")).apply(&base()).unwrap();
    assert_eq!(
        folded(&m),
        f(&[
            ("", 5.0),
            ("a;b", 1.0),
            ("a;b;b", 4.0),
            ("a;c", 2.0),
            ("b", 3.0)
        ])
    );
}

#[test]
fn focus_function_cuts_at_the_outermost_occurrence() {
    let p = Transform::FocusFunction(name("b")).apply(&base()).unwrap();
    assert_eq!(folded(&p), f(&[("b", 4.0), ("b;b", 4.0)]));
    // Samples without b leave; the others keep their times in order.
    assert_eq!(p.threads[0].samples[0].time_ns, [10, 30, 40]);
    assert_eq!(p.total_weight(EventId(0)), 8.0);
}

#[test]
fn focus_subtree_keeps_the_path_and_roots_it() {
    let main_a = vec![name("main"), name("a")];
    let p = Transform::FocusSubtree(main_a).apply(&base()).unwrap();
    assert_eq!(folded(&p), f(&[("a;b", 1.0), ("a;b;b", 4.0), ("a;c", 2.0)]));
    let p = Transform::FocusSubtree(vec![name("main")])
        .apply(&base())
        .unwrap();
    assert_eq!(p.total_weight(EventId(0)), 15.0);
    // `a` is never a root: no stack starts with it.
    let err = Transform::FocusSubtree(vec![name("a")]).apply(&base());
    assert_eq!(err.unwrap_err(), TransformError::NoSuchPath("a".into()));
}

#[test]
fn drop_matching_removes_every_matching_frame() {
    let re = Regex::new("^(a|c)$").unwrap();
    let p = Transform::DropMatching(re).apply(&base()).unwrap();
    assert_eq!(
        folded(&p),
        f(&[("main", 7.0), ("main;b", 4.0), ("main;b;b", 4.0)])
    );
}

#[test]
fn invert_puts_the_leaf_first() {
    let p = Transform::Invert.apply(&base()).unwrap();
    assert_eq!(
        folded(&p),
        f(&[
            ("b;a;main", 1.0),
            ("b;b;a;main", 4.0),
            ("b;main", 3.0),
            ("c;a;main", 2.0),
            ("main", 5.0),
        ])
    );
    // Inverting twice restores the stacks.
    let back = Transform::Invert.apply(&p).unwrap();
    assert_eq!(folded(&back), folded(&base()));
}

#[test]
fn recursion_direct_and_indirect() {
    let p = Transform::CollapseRecursion { indirect: false }
        .apply(&base())
        .unwrap();
    assert_eq!(
        folded(&p),
        f(&[
            ("main", 5.0),
            ("main;a;b", 5.0),
            ("main;a;c", 2.0),
            ("main;b", 3.0)
        ])
    );
    let q = timed(&[
        (1, "a;x;b;x;c", 1.0),
        (2, "a;x;b;x", 2.0),
        (3, "a;x;b", 3.0),
        (4, "a;x;b;x;b", 4.0),
    ]);
    let direct = Transform::CollapseRecursion { indirect: false }
        .apply(&q)
        .unwrap();
    assert_eq!(folded(&direct), folded(&q));
    let all = Transform::CollapseRecursion { indirect: true }
        .apply(&q)
        .unwrap();
    // a;x;b;x → a;x (outermost x); its callee c attaches there; b under the inner x is b under
    // the outer x again.
    assert_eq!(
        folded(&all),
        f(&[("a;x", 2.0), ("a;x;b", 7.0), ("a;x;c", 1.0)])
    );
}

fn libs() -> Profile {
    timed(&[
        (
            1,
            "main@/bin/app;malloc@/lib/libc.so.6;brk@/lib/libc.so.6;sys@[kernel]",
            1.0,
        ),
        (
            2,
            "main@/bin/app;printf@/lib/libc.so.6;cb@/bin/app;malloc@/lib/libc.so.6",
            2.0,
        ),
        (3, "main@/bin/app;free@/lib/libc.so.6", 3.0),
        (4, "main@/bin/app;work", 4.0),
    ])
}

#[test]
fn collapse_module_merges_runs_of_the_library() {
    let p = Transform::CollapseModule("libc.so.6".into())
        .apply(&libs())
        .unwrap();
    assert_eq!(
        folded(&p),
        f(&[
            ("main;/lib/libc.so.6", 3.0),
            ("main;/lib/libc.so.6;cb;/lib/libc.so.6", 2.0),
            ("main;/lib/libc.so.6;sys", 1.0),
            ("main;work", 4.0),
        ])
    );
    // The full path works too; an unknown module is an error.
    assert!(
        Transform::CollapseModule("/lib/libc.so.6".into())
            .apply(&libs())
            .is_ok()
    );
    let err = Transform::CollapseModule("libm.so".into()).apply(&libs());
    assert_eq!(
        err.unwrap_err(),
        TransformError::NoSuchModule("libm.so".into())
    );
}

#[test]
fn granularity_by_module_function_and_file() {
    let p = Transform::Granularity(Granularity::Module)
        .apply(&libs())
        .unwrap();
    assert_eq!(
        folded(&p),
        f(&[
            ("/bin/app;/lib/libc.so.6", 3.0),
            ("/bin/app;/lib/libc.so.6;/bin/app;/lib/libc.so.6", 2.0),
            ("/bin/app;/lib/libc.so.6;[kernel]", 1.0),
            ("/bin/app;work", 4.0),
        ])
    );
    let lines = timed(&[
        (1, "main;f%f.c#10", 1.0),
        (2, "main;f%f.c#20", 2.0),
        (3, "main;f%g.c#30", 4.0),
        (4, "main;f;f", 8.0),
    ]);
    assert_eq!(lines.frames.len(), 5);
    let func = Transform::Granularity(Granularity::Function)
        .apply(&lines)
        .unwrap();
    // One frame per name: main, f; f;f stays (recursion is another transform).
    assert_eq!(func.frames.len(), 2);
    assert_eq!(folded(&func), f(&[("main;f", 7.0), ("main;f;f", 8.0)]));
    let file = Transform::Granularity(Granularity::FunctionFile)
        .apply(&lines)
        .unwrap();
    // main, f (f.c), f (g.c), f (no file).
    assert_eq!(file.frames.len(), 4);
    // Per unique stack: main;f(f.c) 3, main;f(g.c) 4, main;f;f 8.
    let c = &file.threads[0].samples[0];
    assert_eq!(c.stack[0], c.stack[1]);
    assert_ne!(c.stack[1], c.stack[2]);
}

#[test]
fn time_range_with_timestamps_keeps_samples_inside() {
    let p = Transform::TimeRange {
        start_ns: 20,
        end_ns: 45,
    }
    .apply(&base())
    .unwrap();
    assert_eq!(
        folded(&p),
        f(&[("main;a;b;b", 4.0), ("main;a;c", 2.0), ("main;b", 3.0)])
    );
    assert_eq!(p.threads[0].samples[0].time_ns, [20, 30, 40]);
    // Only stacks still used (and their callers) remain: main, main;a, main;a;c, main;b,
    // main;a;b, main;a;b;b.
    assert_eq!(p.stacks.len(), 6);
    // Left Heavy and Sandwich of the range: main 9, main;a 6, main;b 3; b's callers are a
    // (4: its outermost occurrence in main;a;b;b) and main (3).
    let all = crate::all_threads(&p);
    let tree = crate::CallTree::build(&p, EventId(0), &all);
    assert_eq!(tree.total(), 9.0);
    let main_a = tree.children(tree.roots()[0])[0];
    assert_eq!(
        (p.frame_name(tree.frame(main_a)), tree.total_weight(main_a)),
        ("a", 6.0)
    );
    let b = (0..p.frames.len())
        .map(crate::FrameId::from_index)
        .find(|&f| p.frame_name(f) == "b")
        .unwrap();
    let sw = crate::Sandwich::build(&p, EventId(0), &all, b);
    let callers: Vec<(&str, f64)> = sw
        .callers
        .children(sw.callers.roots()[0])
        .iter()
        .map(|&n| {
            (
                p.frame_name(sw.callers.frame(n)),
                sw.callers.total_weight(n),
            )
        })
        .collect();
    assert_eq!(callers, [("a", 4.0), ("main", 3.0)]);
    let err = Transform::TimeRange {
        start_ns: 5,
        end_ns: 5,
    }
    .apply(&base());
    assert_eq!(err.unwrap_err(), TransformError::EmptyRange(5, 5));
}

#[test]
fn time_range_without_timestamps_clips_cumulative_weight() {
    let p = build(&[
        (None, "a", 1.0),
        (None, "b", 2.0),
        (None, "c", 3.0),
        (None, "d", 4.0),
        (None, "e", 5.0),
    ]);
    // Extents: a 0..1, b 1..3, c 3..6, d 6..10, e 10..15; 2..7 keeps 1 of b, 3 of c, 1 of d.
    let r = Transform::TimeRange {
        start_ns: 2,
        end_ns: 7,
    }
    .apply(&p)
    .unwrap();
    assert_eq!(folded(&r), f(&[("b", 1.0), ("c", 3.0), ("d", 1.0)]));
    assert!(!r.threads[0].samples[0].has_time());
    assert_eq!(r.total_weight(EventId(0)), 5.0);
}

#[test]
fn stack_combines_undoes_and_redoes() {
    let p = base();
    let mut stack = TransformStack::new();
    let merged = stack.push(&p, Transform::Merge(name("a"))).unwrap();
    let both = stack
        .push(&merged, Transform::FocusFunction(name("b")))
        .unwrap();
    // After merging a: main;b 1, main;c 2, main;b 3, main;b;b 4, main 5; focus on b.
    assert_eq!(folded(&both), f(&[("b", 4.0), ("b;b", 4.0)]));
    assert_eq!(folded(&stack.apply(&p).unwrap()), folded(&both));
    // A failing step leaves the stack as it was.
    assert!(stack.push(&both, Transform::Merge(name("zzz"))).is_err());
    assert_eq!(stack.len(), 2);
    assert_eq!(
        stack.undo().map(Transform::label).as_deref(),
        Some("focus function b")
    );
    assert_eq!(folded(&stack.apply(&p).unwrap()), folded(&merged));
    assert!(stack.undo().is_some());
    assert!(matches!(
        stack.apply(&p).unwrap(),
        std::borrow::Cow::Borrowed(_)
    ));
    assert!(stack.undo().is_none());
    stack.redo();
    stack.redo();
    assert!(stack.redo().is_none());
    assert_eq!(folded(&stack.apply(&p).unwrap()), folded(&both));
}

#[test]
fn frame_refs_match_name_and_module() {
    let p = timed(&[(1, "x@m1;y", 1.0), (2, "x@m2;y", 2.0), (3, "x@m1#7", 4.0)]);
    // Frames in first-occurrence order: x@m1, y, x@m2, x@m1#7.
    let r = Transform::Merge(FuncRef::Frame(crate::FrameId(0)))
        .apply(&p)
        .unwrap();
    // Both x@m1 frames (lines differ) go, x@m2 stays.
    assert_eq!(folded(&r), f(&[("", 4.0), ("x;y", 2.0), ("y", 1.0)]));
    let err = Transform::Merge(FuncRef::Frame(crate::FrameId(99))).apply(&p);
    assert_eq!(err.unwrap_err(), TransformError::NoSuchFrame(99));
}
