//! Call-graph importers (callgrind, cProfile/pstats) on the project's own real recordings in
//! `corpus/callgrind` and `corpus/cprofile`, against numbers computed by the tools themselves:
//! `expected.json` next to each recording was written by its `record.sh` from
//! `callgrind_annotate` (per-function self costs, program totals) and from Python's `pstats`
//! module (`total_tt`, per-function `tt`), never from bigflame.
//!
//! What must hold (see `crates/bigflame-formats/src/callgraph`): the flame graph's total per event
//! is the program's total as the tool reports it, and a function's self cost summed over its frames
//! is its self cost in the file, except where mutual recursion makes the expansion approximate.

use bigflame_formats::{ImportOptions, import_bytes, import_path};
use bigflame_model::{EventId, Profile, WeightUnit};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../corpus")
        .join(rel)
}

fn expected(rel: &str) -> Value {
    let bytes = std::fs::read(corpus(rel)).expect("expected.json is committed");
    serde_json::from_slice(&bytes).expect("valid JSON")
}

/// Self weight per `(file, function)` of one event: the weight of samples whose leaf is that frame.
fn self_by_function(p: &Profile, event: EventId) -> HashMap<(String, String), f64> {
    let mut out = HashMap::new();
    for t in &p.threads {
        let cols = t.samples(event);
        for (&s, &w) in cols.stack.iter().zip(&cols.weight) {
            if s.is_empty() {
                continue;
            }
            let f = p.frames.get(p.stacks.frame(s));
            let file = f.file.map(|x| p.strings.get(x)).unwrap_or_default();
            // The file's base name: recordings name it `././workload.c` or by absolute path.
            let file = file.rsplit('/').next().unwrap_or(file).to_string();
            let name = p.strings.get(f.name).to_string();
            *out.entry((file, name)).or_insert(0.0) += w;
        }
    }
    out
}

#[test]
fn callgrind_recording_matches_callgrind_annotate() {
    let p = import_path(
        &corpus("callgrind/callgrind.out.workload"),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(p.meta.format, "callgrind");
    let want = expected("callgrind/expected.json");
    let events: Vec<&str> = want["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    let names: Vec<&str> = p.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, events);
    let functions = want["functions"].as_object().unwrap();
    for (i, name) in events.iter().enumerate() {
        let event = p.event_by_name(name).unwrap();
        assert_eq!(p.events[event.index()].unit, WeightUnit::Events);
        // callgrind_annotate's PROGRAM TOTALS line (the file's `summary:`): a few units above the
        // sum of the cost lines, which lack what the never-returning call to `_exit` ran; the
        // caller's arc has it, and so does the flame graph.
        let program_total = want["totals"][i].as_f64().unwrap();
        let total = p.total_weight(event);
        assert!(
            (total - program_total).abs() <= 1e-6 * program_total.max(1.0),
            "{name}: total {total}, callgrind_annotate's PROGRAM TOTALS {program_total}"
        );
        let annotate_sum: f64 = functions.values().map(|v| v[i].as_f64().unwrap()).sum();
        assert!(annotate_sum <= program_total && annotate_sum >= program_total - 10.0);
        // The program's own functions (direct recursion included: fib'2 calls itself) keep their
        // exact self cost. is_even'2/is_odd'2 call each other: approximate by design.
        let selfs = self_by_function(&p, event);
        for f in [
            "main",
            "transform",
            "mix",
            "checksum",
            "cmp_int",
            "text_work",
            "fib",
            "fib'2",
        ] {
            // callgrind_annotate names it `<file>:<function>`; the file is `././workload.c`.
            let (_, costs) = functions
                .iter()
                .find(|(k, _)| {
                    k.rsplit_once(':')
                        .is_some_and(|(file, func)| func == f && file.ends_with("workload.c"))
                })
                .unwrap();
            let want = costs[i].as_f64().unwrap();
            let got = selfs
                .get(&("workload.c".to_string(), f.to_string()))
                .copied()
                .unwrap_or(0.0);
            assert!(
                (got - want).abs() <= 1e-6 * want.max(1.0),
                "{name} {f}: self {got}, callgrind_annotate says {want}"
            );
        }
    }
    assert!(
        p.meta
            .notes
            .iter()
            .any(|n| n.contains("approximated from a call graph"))
    );
}

fn bigflame(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bigflame"))
        .args(args)
        .output()
        .expect("bigflame runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn top_picks_the_callgrind_event_and_info_shows_the_note() {
    let file = corpus("callgrind/callgrind.out.workload");
    let file = file.to_str().unwrap();
    let want = expected("callgrind/expected.json");
    // The heaviest function by self Ir, from callgrind_annotate's table.
    let functions = want["functions"].as_object().unwrap();
    let heaviest = |i: usize| {
        functions
            .iter()
            .max_by(|a, b| {
                a.1[i]
                    .as_f64()
                    .unwrap()
                    .total_cmp(&b.1[i].as_f64().unwrap())
            })
            .map(|(k, v)| {
                (
                    k.rsplit(':').next().unwrap().to_string(),
                    v[i].as_u64().unwrap(),
                )
            })
            .unwrap()
    };
    for (event, i) in [("Ir", 0), ("Dr", 1)] {
        let (ok, out, err) = bigflame(&["top", "--event", event, "-n", "3", file]);
        assert!(ok, "{err}");
        let (name, self_cost) = heaviest(i);
        let first = out.lines().nth(1).unwrap_or_default();
        assert!(first.ends_with(&name), "{event}: {out}");
        let grouped = self_cost
            .to_string()
            .as_bytes()
            .rchunks(3)
            .rev()
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(",");
        assert!(
            first.contains(&format!("{grouped} events")),
            "{event}: {first}"
        );
    }
    let (ok, _, err) = bigflame(&["top", "--event", "Nope", file]);
    assert!(!ok && err.contains("D1mr"), "{err}");
    let (ok, out, _) = bigflame(&["info", file]);
    assert!(ok);
    assert!(out.contains("callgrind"), "{out}");
    assert!(out.contains("approximated from a call graph"), "{out}");
}

#[test]
fn cprofile_recording_matches_pstats() {
    let path = corpus("cprofile/workload.prof");
    let p = import_path(&path, &ImportOptions::default()).unwrap();
    assert_eq!(p.meta.format, "pstats");
    // Recognised by content alone (stdin has no name to hint with).
    let bytes = std::fs::read(&path).unwrap();
    let from_stdin = import_bytes(&bytes, "-", &ImportOptions::default()).unwrap();
    assert_eq!(from_stdin.meta.format, "pstats");
    let want = expected("cprofile/expected.json");
    let event = p.event_by_name("time").unwrap();
    assert_eq!(p.events[event.index()].unit, WeightUnit::Nanoseconds);
    let total_ns = want["total_tt"].as_f64().unwrap() * 1e9;
    let got = p.total_weight(event);
    assert!(
        (got - total_ns).abs() <= 1e-6 * total_ns,
        "total {got} ns, pstats total_tt {total_ns} ns"
    );
    // Every function keeps its own time (`tt`), recursive ones included: the expansion rescales
    // self weights in and below recursion to the measured ones. Functions are compared per (file
    // name, function name), summing the few that share both (two `<lambda>`s in one file).
    let selfs = self_by_function(&p, event);
    let mut want_selfs: HashMap<(String, String), f64> = HashMap::new();
    for f in want["functions"].as_array().unwrap() {
        let file = f["file"].as_str().unwrap();
        let file = if file == "~" { "" } else { file };
        let file = file.rsplit('/').next().unwrap_or(file).to_string();
        let name = f["name"].as_str().unwrap().to_string();
        *want_selfs.entry((file, name)).or_insert(0.0) += f["tt"].as_f64().unwrap() * 1e9;
    }
    for (key, tt) in &want_selfs {
        let got = selfs.get(key).copied().unwrap_or(0.0);
        assert!(
            (got - tt).abs() <= 1e-6 * total_ns,
            "{key:?}: self {got} ns, pstats tt {tt} ns"
        );
    }
    assert!(want_selfs.len() > 150, "{} functions", want_selfs.len());
    assert!(selfs.keys().any(|(_, n)| n == "fib"));
}
