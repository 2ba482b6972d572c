//! Hand-worked and property tests of the call trees and the sandwich.

use super::*;
use crate::{ProfileBuilder, ProfileMeta, ThreadKey, WeightUnit};

/// `(thread, event, "a;b;c" root first, "" = idle, weight)` records, one builder.
pub(crate) fn profile_of(records: &[(&str, &str, &str, f64)]) -> Profile {
    let mut b = ProfileBuilder::new();
    for (i, (thread, event, path, weight)) in records.iter().enumerate() {
        let name = b.intern(thread);
        let t = b.thread(ThreadKey {
            pid: Some(1),
            tid: None,
            name,
        });
        let e = b.event(event, WeightUnit::Samples);
        let mut stack = StackId::EMPTY;
        for f in path.split(';').filter(|f| !f.is_empty()) {
            let n = b.intern(f);
            let fid = b.frame(crate::Frame::named(n));
            stack = b.stack(stack, fid);
        }
        b.sample(t, e, Some(i as u64), stack, *weight);
    }
    b.finish(ProfileMeta::default())
}

pub(crate) fn fixture() -> Profile {
    profile_of(&[
        ("t1", "cycles", "a;b", 1.0),
        ("t1", "cycles", "a;b;c", 2.0),
        ("t1", "cycles", "a", 3.0),
        ("t1", "cycles", "", 4.0),
        ("t1", "cycles", "a;b;a;b", 5.0),
        ("t1", "cycles", "d", 6.0),
        ("t2", "cycles", "a;c", 7.0),
        ("t1", "instr", "a;b", 100.0),
    ])
}

pub(crate) fn frame(p: &Profile, name: &str) -> FrameId {
    let s = p.strings.lookup(name).expect("name");
    let i = p.frames.as_slice().iter().position(|f| f.name == s);
    FrameId::from_index(i.expect("frame"))
}

/// Renders a tree as `name total/self` lines indented by depth, in node order.
fn render(p: &Profile, t: &CallTree) -> Vec<String> {
    (0..t.len())
        .map(|i| {
            let n = NodeId(i as u32);
            let pad = "  ".repeat(t.depth(n) as usize);
            let name = p.frame_name(t.frame(n));
            format!("{pad}{name} {}/{}", t.total_weight(n), t.self_weight(n))
        })
        .collect()
}

#[test]
fn top_down_tree_is_heaviest_first_with_recursion_and_idle() {
    let p = fixture();
    let t = CallTree::build(&p, EventId(0), &[ThreadId(0)]);
    assert_eq!(
        render(&p, &t),
        [
            "a 11/3",
            "  b 8/1",
            "    a 5/0",
            "      b 5/5",
            "    c 2/2",
            "d 6/6"
        ]
    );
    assert_eq!(t.idle(), (4.0, 1));
    assert_eq!(t.total(), 17.0);
    assert_eq!(t.depth_count(), 4);
    let a = t.roots()[0];
    assert_eq!(t.subtree_end(a), NodeId(5));
    assert_eq!(t.total_samples(a), 4);
    let ab = t.find(&[frame(&p, "a"), frame(&p, "b")]).expect("a;b");
    assert_eq!(t.children(ab).len(), 2);
    assert_eq!(t.parent(ab), Some(a));
    assert_eq!(t.path(NodeId(3)).len(), 4);
}

#[test]
fn threads_and_events_are_selected() {
    let p = fixture();
    let both = CallTree::build(&p, EventId(0), &all_threads(&p));
    assert_eq!(
        render(&p, &both),
        [
            "a 18/3",
            "  b 8/1",
            "    a 5/0",
            "      b 5/5",
            "    c 2/2",
            "  c 7/7",
            "d 6/6"
        ]
    );
    let instr = CallTree::build(&p, EventId(1), &[ThreadId(0)]);
    assert_eq!(render(&p, &instr), ["a 100/0", "  b 100/100"]);
    assert!(CallTree::build(&p, EventId(1), &[ThreadId(1)]).is_empty());
    assert!(CallTree::build(&p, EventId(0), &[]).is_empty());
}

#[test]
fn inverted_tree_starts_at_leaves() {
    let p = fixture();
    let t = CallTree::inverted(&p, EventId(0), &[ThreadId(0)]);
    // b and d tie at 6: name order.
    assert_eq!(
        render(&p, &t),
        [
            "b 6/0",
            "  a 6/1",
            "    b 5/0",
            "      a 5/5",
            "d 6/6",
            "a 3/3",
            "c 2/0",
            "  b 2/0",
            "    a 2/2"
        ]
    );
}

#[test]
fn sandwich_counts_outermost_occurrence_only() {
    let p = fixture();
    let t1 = [ThreadId(0)];
    let s = Sandwich::build(&p, EventId(0), &t1, frame(&p, "b"));
    assert_eq!(render(&p, &s.callers), ["b 8/0", "  a 8/8"]);
    assert_eq!(
        render(&p, &s.callees),
        ["b 8/1", "  a 5/0", "    b 5/5", "  c 2/2"]
    );
    let s = Sandwich::build(&p, EventId(0), &all_threads(&p), frame(&p, "c"));
    assert_eq!(
        render(&p, &s.callers),
        ["c 9/0", "  a 7/7", "  b 2/0", "    a 2/2"]
    );
    assert_eq!(render(&p, &s.callees), ["c 9/9"]);
    let s = Sandwich::build(&p, EventId(0), &t1, frame(&p, "a"));
    assert_eq!(render(&p, &s.callers), ["a 11/11"]);
    assert_eq!(s.callees.total(), 11.0);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn records() -> impl Strategy<Value = Vec<(u8, Vec<u8>, u8)>> {
        prop::collection::vec((0u8..3, prop::collection::vec(0u8..4, 0..6), 1u8..5), 0..60)
    }

    proptest! {
        #[test]
        fn totals_are_consistent(recs in records()) {
            let names = ["t0", "t1", "t2"];
            let frames = ["a", "b", "c", "d"];
            let owned: Vec<(String, f64, &str)> = recs
                .iter()
                .map(|(t, path, w)| {
                    let p: Vec<&str> = path.iter().map(|&f| frames[f as usize]).collect();
                    (p.join(";"), f64::from(*w), names[*t as usize])
                })
                .collect();
            let rs: Vec<(&str, &str, &str, f64)> =
                owned.iter().map(|(p, w, t)| (*t, "e", p.as_str(), *w)).collect();
            let p = profile_of(&rs);
            for tree in [
                CallTree::build(&p, EventId(0), &all_threads(&p)),
                CallTree::inverted(&p, EventId(0), &all_threads(&p)),
            ] {
                let non_idle: f64 = rs.iter().filter(|r| !r.2.is_empty()).map(|r| r.3).sum();
                prop_assert_eq!(tree.total(), non_idle);
                for i in 0..tree.len() {
                    let n = NodeId(i as u32);
                    let kids = tree.children(n);
                    let sum: f64 = kids.iter().map(|&c| tree.total_weight(c)).sum();
                    prop_assert_eq!(tree.total_weight(n), tree.self_weight(n) + sum);
                    for w in kids.windows(2) {
                        prop_assert!(tree.total_weight(w[0]) >= tree.total_weight(w[1]));
                    }
                    for &c in kids {
                        prop_assert!(c > n && c < tree.subtree_end(n));
                        prop_assert_eq!(tree.depth(c), tree.depth(n) + 1);
                    }
                }
            }
        }
    }
}
