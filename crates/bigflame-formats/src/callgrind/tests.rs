//! Callgrind grammar cases; expected stacks and totals are worked out by hand from each text.

use super::*;
use bigflame_model::{EventId, SkipReason};
use std::collections::BTreeMap;

fn load(text: &[u8]) -> Result<Profile, ImportError> {
    import(text, "callgrind.out.1", &ImportOptions::default())
}

/// `frame;frame -> weight` of one event (frames as `name` or `file:name` when `with_file`).
fn folded(p: &Profile, event: usize, with_file: bool) -> BTreeMap<String, f64> {
    crate::test_support::weights_by_path(p, EventId::from_index(event), |id| {
        let f = p.frames.get(id);
        let name = p.strings.get(f.name).to_string();
        match (with_file, f.file) {
            (true, Some(file)) => format!("{}:{name}", p.strings.get(file)),
            _ => name,
        }
    })
}

fn assert_folded(got: &BTreeMap<String, f64>, want: &[(&str, f64)]) {
    let want: BTreeMap<String, f64> = want.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (k, v) in &want {
        assert!((got[k] - v).abs() < 1e-9, "{k}: {} != {v}", got[k]);
    }
}

#[test]
fn calls_split_inclusive_cost_and_cfi_applies_to_one_call() {
    // main (self 5) calls helper twice (inclusive 30) and, in util.c, fmt once (inclusive 12);
    // helper (self 10) calls fmt in util.c (inclusive 20); fmt's self is 32. The second `cfn=`
    // in main has no `cfi=`, so it names main.c:helper again (cfi applies to one call only).
    let text = b"# callgrind format
events: Ir

fl=main.c
fn=main
3 5
cfi=util.c
cfn=fmt
calls=1 7
4 12
cfn=helper
calls=2 9
5 30

fn=helper
9 10
cfi=util.c
cfn=fmt
calls=1 7
10 20

fl=util.c
fn=fmt
7 32
";
    let p = load(text).unwrap();
    assert_eq!(p.events[0].name, "Ir");
    assert_eq!(p.events[0].unit, WeightUnit::Events);
    // fmt (total 32) is reached from main (12) and from helper (20): all its cost is self.
    assert_folded(
        &folded(&p, 0, true),
        &[
            ("main.c:main", 5.0),
            ("main.c:main;util.c:fmt", 12.0),
            ("main.c:main;main.c:helper", 10.0),
            ("main.c:main;main.c:helper;util.c:fmt", 20.0),
        ],
    );
    // The sum of the self costs: 5 + 10 + 32.
    assert_eq!(p.total_weight(EventId(0)), 47.0);
    assert!(p.meta.notes[0].contains("approximated from a call graph"));
    // No `cmd:` header: the thread is named after the file.
    assert_eq!(p.strings.get(p.threads[0].name), "callgrind.out.1");
}

#[test]
fn compression_objects_inlining_and_positions() {
    // Name compression for files, functions and objects; `fi=` (inlined header) moves the current
    // file but not the function; `positions: instr line` with hex addresses and +/-/* subpositions.
    let text = b"version: 1
creator: callgrind-3.19.0
pid: 4242
cmd: /usr/bin/prog --flag
positions: instr line
events: Ir Dr

ob=(1) /usr/bin/prog
fl=(1) prog.c
fn=(1) main
0x1000 10 4 1
+4 * 2
fi=(2) inline.h
+2 40 6 3
fe=(1)
cob=(2) /lib/libc.so.6
cfi=(3) memcpy.S
cfn=(2) memcpy
calls=3 0x9000 0
-2 -29 100 50
fn=(3) unused
0x2000 1 0
ob=(2)
fl=(3)
fn=(2)
0x9000 0 100 50
totals: 112 54
";
    let p = load(text).unwrap();
    assert_eq!(p.events.len(), 2);
    assert_eq!(p.threads[0].pid, Some(4242));
    assert_eq!(p.strings.get(p.threads[0].name), "prog");
    // Ir: main self 4 + 2 + 6 = 12, memcpy 100, unused 0 (no sample); Dr: 1 + 3 = 4 and 50.
    assert_folded(
        &folded(&p, 0, true),
        &[
            ("prog.c:main", 12.0),
            ("prog.c:main;memcpy.S:memcpy", 100.0),
        ],
    );
    assert_folded(
        &folded(&p, 1, false),
        &[("main", 4.0), ("main;memcpy", 50.0)],
    );
    let memcpy = p
        .frames
        .as_slice()
        .iter()
        .find(|f| p.strings.get(f.name) == "memcpy")
        .unwrap();
    assert_eq!(p.strings.get(memcpy.module.unwrap()), "/lib/libc.so.6");
    // The totals line says 112 Ir (the sum of self costs is 112: 12 + 100) and 54 Dr.
    assert!(
        !p.meta.notes.iter().any(|n| n.contains("totals say")),
        "{:?}",
        p.meta.notes
    );
}

#[test]
fn xdebug_units_and_several_events() {
    // xdebug's `Time_(10ns)` is time in units of 10 ns; `Memory_(bytes)` is bytes.
    let text = b"events: Time_(10ns) Memory_(bytes)
fl=(1) a.php
fn=(1) {main}
1 7 100
cfn=(2) work
calls=1 0
2 50 4000
fn=(2)
5 50 4000
";
    let p = load(text).unwrap();
    assert_eq!(p.events[0].name, "Time");
    assert_eq!(p.events[0].unit, WeightUnit::Nanoseconds);
    assert_eq!(p.events[1].name, "Memory");
    assert_eq!(p.events[1].unit, WeightUnit::Bytes);
    assert_eq!(p.total_weight(EventId(0)), 570.0);
    assert_eq!(p.total_weight(EventId(1)), 4100.0);
    assert_eq!(event_unit("Ir"), ("Ir".into(), WeightUnit::Events, 1.0));
    assert_eq!(
        event_unit("Wall_(ms)"),
        ("Wall".into(), WeightUnit::Nanoseconds, 1e6)
    );
    assert_eq!(event_unit("odd_(x)").0, "odd_(x)");
}

#[test]
fn recursion_keeps_the_total() {
    // fact calls itself: callgrind's inclusive cost of the recursive arc (6) overlaps the arc
    // from main (9). Self costs: main 1, fact 9. The tree keeps 10 in total.
    let text = b"events: Ir
fl=f.c
fn=main
1 1
cfn=fact
calls=1 0
1 9
fn=fact
2 9
cfn=fact
calls=2 0
3 6
";
    let p = load(text).unwrap();
    assert_folded(&folded(&p, 0, false), &[("main", 1.0), ("main;fact", 9.0)]);
    assert!(p.meta.notes.iter().any(|n| n.contains("recursion")));
}

#[test]
fn bad_lines_are_skipped_with_their_line_number() {
    let text = b"events: Ir
fn=main
1 5
this is not callgrind
1 2 3
calls=1 0
fn=other
unknown=5
1 99999999999999999999999
fn=\xffbad
1 4
calls=1 0";
    let p = load(text).unwrap();
    let find = |r: SkipReason| p.meta.skipped.entries.iter().find(|e| e.0 == r).cloned();
    let malformed = find(SkipReason::MalformedLine).unwrap();
    // line 4 (prose), 5 (two costs for one event), 7 (calls= without its cost line), 8, 9.
    assert_eq!(malformed.1, 5);
    assert_eq!(malformed.2, "line 4");
    assert_eq!(find(SkipReason::InvalidUtf8).unwrap().2, "line 10");
    assert_eq!(find(SkipReason::Truncated).unwrap().2, "line 12");
    assert_eq!(p.total_weight(EventId(0)), 9.0);
}

#[test]
fn fatal_errors_name_the_line() {
    let e = load(b"# callgrind format\nfn=main\n1 5\n").unwrap_err();
    assert!(e.to_string().starts_with("callgrind.out.1:3:"), "{e}");
    assert!(e.to_string().contains("before the `events:`"));
    let e = load(b"events: Ir\nfl=(1) a.c\nfn=(7)\n1 1\n").unwrap_err();
    assert!(e.to_string().starts_with("callgrind.out.1:3:"), "{e}");
    assert!(e.to_string().contains("(7) is used before"));
    let e = load(b"# callgrind format\nversion: 1\n").unwrap_err();
    assert!(e.to_string().contains("no `events:`"), "{e}");
    let e = load(b"events: Ir\nfn=(99999999999999999999999) f\n").unwrap_err();
    assert!(e.to_string().starts_with("callgrind.out.1:2:"), "{e}");
    assert!(e.to_string().contains("too large"), "{e}");
    let e = load(b"events: Ir\npositions: a b c d\n").unwrap_err();
    assert!(e.to_string().starts_with("callgrind.out.1:2:"), "{e}");
}

#[test]
fn huge_graphs_stay_bounded() {
    // 40 levels, each function calling both of the next level: 2^40 paths. The node budget and
    // the pruning threshold keep the output small; the total is kept.
    let mut text = String::from("events: Ir\nfl=x.c\n");
    for level in 0..40 {
        for side in ["a", "b"] {
            text.push_str(&format!("fn={side}{level}\n1 1\n"));
            if level < 39 {
                for next in ["a", "b"] {
                    text.push_str(&format!("cfn={next}{}\ncalls=1 0\n1 1000\n", level + 1));
                }
            }
        }
    }
    text.push_str("fn=root\n1 0\ncfn=a0\ncalls=1 0\n1 2000\ncfn=b0\ncalls=1 0\n1 2000\n");
    let p = load(text.as_bytes()).unwrap();
    assert!(p.stacks.len() <= 1 << 20, "{}", p.stacks.len());
    assert!(p.meta.notes.iter().any(|n| n.contains("too many stacks")));
    assert!(p.total_weight(EventId(0)) > 0.0);
}

#[test]
fn mutated_text_never_panics() {
    // Each byte of a compressed sample replaced by characters that matter to the grammar.
    let text = b"# callgrind format\nevents: Ir Dr\npositions: instr line\nfl=(1) a.c\nfn=(1) main\n0x10 3 5 1\n+2 * 4\ncfi=(2) b.c\ncfn=(2) f\ncalls=2 0x20 1\n-1 +1 10 2\nfl=(2)\nfn=(2)\n0x20 1 10 2\ntotals: 19 5\n";
    for at in 0..text.len() {
        for v in [
            b'(', b')', b'+', b'-', b'*', b'=', b':', b'\n', b'0', b'9', 0xff,
        ] {
            let mut t = text.to_vec();
            t[at] = v;
            let _ = load(&t);
        }
    }
}

#[test]
fn parts_with_different_event_lists_add_up_by_name() {
    // Part 1 counts Ir only; part 2 lists Dr before Ir. main: Ir 5 + 7 = 12, Dr 3.
    let text = b"events: Ir
part: 1
fn=main
1 5
part: 2
events: Dr Ir
fn=main
1 3 7
totals: 3 7
";
    let p = load(text).unwrap();
    let names: Vec<&str> = p.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["Ir", "Dr"]);
    assert_eq!(p.total_weight(EventId(0)), 12.0);
    assert_eq!(p.total_weight(EventId(1)), 3.0);
    // The totals line of part 2 covers part 2 only: 7 Ir against 12 summed, so a note says so.
    assert!(
        p.meta.notes.iter().any(|n| n.contains("totals say 7")),
        "{:?}",
        p.meta.notes
    );
}
