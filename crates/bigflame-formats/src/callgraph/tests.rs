//! Expansion rules on hand-made graphs; expected stacks are worked out by hand in the comments.

use super::*;
use bigflame_model::{EventId, Profile, ProfileBuilder, ProfileMeta, ThreadKey, WeightUnit};
use std::collections::BTreeMap;

/// A graph from `(caller, callee, inclusive)` edges and `(function, self)` costs, one event.
fn graph(selfs: &[(&str, f64)], calls: &[(&str, &str, f64)]) -> CallGraph {
    let mut g = CallGraph::new(1);
    let f = |g: &mut CallGraph, name: &str| {
        let n = g.intern(name);
        g.function(n, None, 0, None)
    };
    for &(name, cost) in selfs {
        let id = f(&mut g, name);
        g.add_self(id, 0, cost);
    }
    for &(a, b, cost) in calls {
        let (a, b) = (f(&mut g, a), f(&mut g, b));
        let e = g.add_calls(a, b, 1);
        g.add_call_cost(e, 0, cost);
    }
    g
}

fn run(g: &CallGraph, limits: ExpandLimits) -> (BTreeMap<String, f64>, ExpandReport) {
    let mut b = ProfileBuilder::new();
    let name = b.intern("t");
    let thread = b.thread(ThreadKey {
        pid: None,
        tid: None,
        name,
    });
    let event = b.event("cost", WeightUnit::Events);
    let targets = [EventTarget {
        graph_event: 0,
        event,
        scale: 1.0,
    }];
    let report = expand(g, &targets, &mut b, thread, limits).remove(0);
    (folded(&b.finish(ProfileMeta::default())), report)
}

/// `a;b;c -> weight`, summed per stack.
fn folded(p: &Profile) -> BTreeMap<String, f64> {
    crate::test_support::weights_by_path(p, EventId(0), |f| p.frame_name(f).to_string())
}

fn approx(map: &BTreeMap<String, f64>, want: &[(&str, f64)]) {
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    let mut want_keys: Vec<&str> = want.iter().map(|w| w.0).collect();
    want_keys.sort_unstable();
    assert_eq!(keys, want_keys, "{map:?}");
    for (k, w) in want {
        assert!((map[*k] - w).abs() < 1e-9, "{k}: {} != {w}", map[*k]);
    }
}

#[test]
fn callees_are_split_evenly_over_callers() {
    // speedscope's example: start and end each call backup (4), backup calls read (4) and write (4).
    // Each backup node gets half of backup's edges: 2 + 2 under start, 2 + 2 under end.
    let g = graph(
        &[("read", 4.0), ("write", 4.0)],
        &[
            ("start", "backup", 4.0),
            ("end", "backup", 4.0),
            ("backup", "read", 4.0),
            ("backup", "write", 4.0),
        ],
    );
    let (map, report) = run(&g, ExpandLimits::default());
    approx(
        &map,
        &[
            ("start;backup;read", 2.0),
            ("start;backup;write", 2.0),
            ("end;backup;read", 2.0),
            ("end;backup;write", 2.0),
        ],
    );
    assert_eq!(report.tree_total, 8.0);
    assert_eq!(report.self_total, 8.0);
    assert_eq!(report.recursive_edges_cut, 0);
}

#[test]
fn self_costs_are_kept_per_function() {
    // main (self 2) calls a (inclusive 6) and b (inclusive 4); a (self 3) and b (self 2) both call
    // c: a→c 3, b→c 2; c's self is 5. Without recursion each function's self survives exactly.
    let g = graph(
        &[("main", 2.0), ("a", 3.0), ("b", 2.0), ("c", 5.0)],
        &[
            ("main", "a", 6.0),
            ("main", "b", 4.0),
            ("a", "c", 3.0),
            ("b", "c", 2.0),
        ],
    );
    let (map, _) = run(&g, ExpandLimits::default());
    approx(
        &map,
        &[
            ("main", 2.0),
            ("main;a", 3.0),
            ("main;a;c", 3.0),
            ("main;b", 2.0),
            ("main;b;c", 2.0),
        ],
    );
}

#[test]
fn recursion_terminates_and_keeps_the_total() {
    // callgrind-style direct recursion: main→f 3, f→f 3 (inner calls double-count), f self 3.
    // The node main;f (3) leaves the f→f edge out of its share: 3 / (6 - 3) = 1, all self.
    let g = graph(&[("f", 3.0)], &[("main", "f", 3.0), ("f", "f", 3.0)]);
    let (map, report) = run(&g, ExpandLimits::default());
    approx(&map, &[("main;f", 3.0)]);
    assert_eq!(report.recursive_edges_cut, 1);
    // A cycle with no caller outside it: a (self 1) ⇄ b (self 1), a→b 2, b→a 1.
    // Roots: a = 1 + 2 - 1 = 2, b = 1 + 1 - 2 = 0. a's node (ratio 2/3): self 2/3; b gets 4/3,
    // and without its edge back to a its share is its self cost alone. Recursion was cut, so self
    // weights are then rescaled to the functions' self costs: a 2/3 → 1, b 4/3 → 1.
    let g = graph(
        &[("a", 1.0), ("b", 1.0)],
        &[("a", "b", 2.0), ("b", "a", 1.0)],
    );
    let (map, report) = run(&g, ExpandLimits::default());
    approx(&map, &[("a", 1.0), ("a;b", 1.0)]);
    assert_eq!(report.tree_total, 2.0);
    // Recursion with another callee: main→f 10, f→f 5 (the outermost recursive call, cProfile
    // style), f→g 4, f self 6, g self 4. Leaving f→f out, f's share is 6 + 4 = 10 = the weight,
    // so self costs survive exactly.
    let g = graph(
        &[("f", 6.0), ("g", 4.0)],
        &[("main", "f", 10.0), ("f", "f", 5.0), ("f", "g", 4.0)],
    );
    let (map, _) = run(&g, ExpandLimits::default());
    approx(&map, &[("main;f", 6.0), ("main;f;g", 4.0)]);
}

#[test]
fn tiny_subtrees_become_leaves_and_the_node_budget_holds() {
    // A diamond ladder (every node of a level calls both nodes of the next, each call costs 1, the
    // last level's self is 2) doubles the number of paths per level: 2^21 without a budget.
    let mut selfs = vec![];
    let mut calls = vec![];
    let names: Vec<String> = (0..=20)
        .flat_map(|i| [format!("l{i}"), format!("r{i}")])
        .collect();
    for i in 0..20 {
        for side in 0..2 {
            let from = &names[2 * i + side];
            for to in [&names[2 * i + 2], &names[2 * i + 3]] {
                calls.push((from.as_str(), to.as_str(), 1.0));
            }
        }
    }
    selfs.push((names[40].as_str(), 2.0));
    selfs.push((names[41].as_str(), 2.0));
    let mut g = graph(&selfs, &calls);
    // A root with the whole weight on top of l0 and r0.
    let top = g.intern("top");
    let top = g.function(top, None, 0, None);
    for first in &names[..2] {
        let n = g.intern(first);
        let callee = g.function(n, None, 0, None);
        let e = g.add_calls(top, callee, 1);
        g.add_call_cost(e, 0, 2.0);
    }
    let limits = ExpandLimits {
        max_nodes: 5_000,
        min_fraction: 1e-6,
    };
    let (map, report) = run(&g, limits);
    assert!(report.nodes <= 5_000, "{report:?}");
    assert!(report.pruned > 0 && report.pruned_below > 1e-6 && report.coarsened);
    let notes = expansion_notes("x", &[("e".into(), report.clone())]);
    assert!(
        notes.iter().any(|n| n.contains("too many stacks")),
        "{notes:?}"
    );
    assert_eq!(super::percent(1e-6), "0.0001%");
    assert_eq!(super::percent(1e-2), "1%");
    let total: f64 = map.values().sum();
    assert!((total - report.tree_total).abs() < 1e-6 * total, "{total}");
}

#[test]
fn inconsistent_graphs_still_terminate_and_say_so() {
    // speedscope's cfn-reset sample: gamma is called for 20 but costs 10. The tree keeps the root's
    // 50 (alpha 10 + beta 10 + gamma 10 + delta 10 + gamma again 10); the self costs total 40.
    let g = graph(
        &[
            ("alpha", 10.0),
            ("delta", 10.0),
            ("gamma", 10.0),
            ("beta", 10.0),
        ],
        &[
            ("alpha", "beta", 10.0),
            ("alpha", "gamma", 10.0),
            ("alpha", "delta", 20.0),
            ("delta", "gamma", 10.0),
            ("main", "ghost", 7.0),
        ],
    );
    let (map, report) = run(&g, ExpandLimits::default());
    approx(
        &map,
        &[
            ("alpha", 10.0),
            ("alpha;beta", 10.0),
            ("alpha;gamma", 10.0),
            ("alpha;delta", 10.0),
            ("alpha;delta;gamma", 10.0),
            ("main;ghost", 7.0),
        ],
    );
    assert_eq!(report.dangling, 1);
    let notes = expansion_notes("x", &[("Ir".into(), report)]);
    assert!(
        notes.iter().any(|n| n.contains("do not add up")),
        "{notes:?}"
    );
    assert!(notes.iter().any(|n| n.contains("no cost of their own")));
}

#[test]
fn a_very_deep_chain_does_not_overflow() {
    let n = 100_000;
    let names: Vec<String> = (0..n).map(|i| format!("f{i}")).collect();
    let calls: Vec<(&str, &str, f64)> = (0..n - 1)
        .map(|i| (names[i].as_str(), names[i + 1].as_str(), 1.0))
        .collect();
    let g = graph(&[(names[n - 1].as_str(), 1.0)], &calls);
    let (map, report) = run(&g, ExpandLimits::default());
    assert_eq!(map.len(), 1);
    assert_eq!(report.nodes, n);
    assert_eq!(report.tree_total, 1.0);
}
