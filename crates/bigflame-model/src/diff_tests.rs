//! Diffs of small profiles; expected changes worked out by hand in each test.

use super::*;
use crate::{Frame, ProfileBuilder, ProfileMeta, StackId, ThreadKey, WeightUnit, all_threads};

/// One thread, one event; frames `name` or `name@module`.
fn build(samples: &[(&str, f64)]) -> Profile {
    let mut b = ProfileBuilder::new();
    let ev = b.event("cpu", WeightUnit::Samples);
    let name = b.intern("t");
    let th = b.thread(ThreadKey {
        pid: None,
        tid: None,
        name,
    });
    for &(stack, w) in samples {
        let mut s = StackId::EMPTY;
        for spec in stack.split(';').filter(|f| !f.is_empty()) {
            let (n, m) = spec
                .split_once('@')
                .map_or((spec, None), |(a, b)| (a, Some(b)));
            let frame = Frame {
                module: m.map(|m| b.intern(m)),
                ..Frame::named(b.intern(n))
            };
            let f = b.frame(frame);
            s = b.stack(s, f);
        }
        b.sample(th, ev, None, s, w);
    }
    b.finish(ProfileMeta::default())
}

fn diff(before: &Profile, after: &Profile) -> ProfileDiff {
    let (tb, ta) = (all_threads(before), all_threads(after));
    ProfileDiff::build(
        Side {
            profile: before,
            event: EventId(0),
            threads: &tb,
        },
        Side {
            profile: after,
            event: EventId(0),
            threads: &ta,
        },
    )
}

fn pair() -> (Profile, Profile) {
    // Modules only on one side: paths match by name.
    let before = build(&[("main@app;a@app", 3.0), ("main@app;b@lib", 1.0)]);
    let after = build(&[("main;a", 2.0), ("main;b", 5.0), ("main;c", 1.0)]);
    (before, after)
}

#[test]
fn path_weights_and_changes() {
    let (b, a) = pair();
    let d = diff(&b, &a);
    assert_eq!(d.totals(), [4.0, 8.0]);
    assert_eq!(
        d.path_weights(&["main", "a"], Measure::SelfWeight),
        [3.0, 2.0]
    );
    assert_eq!(
        d.path_weights(&["main", "c"], Measure::SelfWeight),
        [0.0, 1.0]
    );
    assert_eq!(d.path_weights(&["main"], Measure::Total), [4.0, 8.0]);
    assert_eq!(d.path_weights(&["nope"], Measure::Total), [0.0, 0.0]);
    // Absolute: after - before. Normalised: 2/8 - 3/4 = -0.5; main is 100 % on both sides.
    assert_eq!(d.change([3.0, 2.0], false), -1.0);
    assert_eq!(d.change([3.0, 2.0], true), -0.5);
    assert_eq!(d.change([4.0, 8.0], true), 0.0);
}

#[test]
fn biggest_changes_by_self_and_total() {
    let (b, a) = pair();
    let d = diff(&b, &a);
    let rows = |m, norm| -> Vec<(String, f64)> {
        d.biggest_changes(10, m, norm)
            .into_iter()
            .map(|(f, x)| (f.name.clone(), x))
            .collect()
    };
    // Self: b 1 → 5 (+4), a 3 → 2 (-1), c 0 → 1 (+1); main has no self weight: no change.
    assert_eq!(
        rows(Measure::SelfWeight, false),
        [
            ("b".to_string(), 4.0),
            ("a".into(), -1.0),
            ("c".into(), 1.0)
        ]
    );
    // Shares: a 0.75 → 0.25, b 0.25 → 0.625, c 0 → 0.125.
    assert_eq!(
        rows(Measure::SelfWeight, true),
        [
            ("a".to_string(), -0.5),
            ("b".into(), 0.375),
            ("c".into(), 0.125)
        ]
    );
    // Total: main 4 → 8 and b 1 → 5 tie at +4 (by name), then a -1, c +1.
    assert_eq!(
        rows(Measure::Total, false),
        [
            ("b".to_string(), 4.0),
            ("main".into(), 4.0),
            ("a".into(), -1.0),
            ("c".into(), 1.0)
        ]
    );
    assert_eq!(d.biggest_changes(1, Measure::SelfWeight, false).len(), 1);
}

#[test]
fn recursion_counts_a_function_once_per_sample() {
    let before = build(&[("x", 1.0)]);
    let after = build(&[("x;x;x", 2.0)]);
    let d = diff(&before, &after);
    let x = d.functions().iter().find(|f| f.name == "x").unwrap();
    assert_eq!(x.total_weight, [1.0, 2.0]);
    assert_eq!(x.self_weight, [1.0, 2.0]);
    assert_eq!(d.path_weights(&["x", "x"], Measure::Total), [0.0, 2.0]);
}

#[test]
fn after_tree_nodes_get_their_path_change() {
    let (b, a) = pair();
    let d = diff(&b, &a);
    let tree = CallTree::build(&a, EventId(0), &all_threads(&a));
    let changes = d.tree_changes(&a, &tree, Measure::SelfWeight, false);
    let by_path: Vec<(String, f64)> = (0..tree.len())
        .map(|i| {
            let n = NodeId(i as u32);
            let names: Vec<&str> = tree.path(n).into_iter().map(|f| a.frame_name(f)).collect();
            (names.join(";"), changes[i])
        })
        .collect();
    // Heaviest first: main, main;b (+4), main;a (-1), main;c (+1).
    assert_eq!(
        by_path,
        [
            ("main".to_string(), 0.0),
            ("main;b".into(), 4.0),
            ("main;a".into(), -1.0),
            ("main;c".into(), 1.0),
        ]
    );
}
