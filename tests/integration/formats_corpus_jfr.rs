//! Real JFR recordings (`corpus/jfr/record.sh`: OpenJDK 17 and Temurin 25 running
//! `corpus/jfr/Workload.java`) import with the counts, totals, threads and times the JDK's own
//! `jfr print --json` gave when they were recorded (`corpus/jfr/*.expected.json`, written by
//! `expected.py`, not by bigflame).

use bigflame_formats::{ImportOptions, import_bytes, import_path};
use bigflame_model::{EventId, Profile, WeightUnit};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn check(file: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/jfr");
    let expected: Value = serde_json::from_slice(
        &std::fs::read(dir.join(format!("{file}.expected.json"))).expect("expected.json"),
    )
    .expect("expected.json is JSON");
    let p = import_path(&dir.join(file), &ImportOptions::default()).expect("the recording imports");
    assert_eq!(p.meta.format, "java-flight-recorder");
    assert_eq!(p.meta.skipped.total(), 0, "{:?}", p.meta.skipped);
    let span: i64 = {
        let chunks = expected["chunks"].as_array().expect("chunks");
        let start = chunks
            .iter()
            .filter_map(|c| c["start_nanos"].as_i64())
            .min();
        let end = chunks
            .iter()
            .filter_map(|c| Some(c["start_nanos"].as_i64()? + c["duration_nanos"].as_i64()?))
            .max();
        end.unwrap_or(0) - start.unwrap_or(0)
    };
    assert!(span > 1_000_000_000, "a recording of a few seconds");
    let events = expected["events"].as_object().expect("events");
    // CPU samples are the default event.
    assert_eq!(p.events[0].name, "jdk.ExecutionSample");
    assert_eq!(
        p.events.len(),
        events.len(),
        "one bigflame event per JFR event type present"
    );
    for (name, want) in events {
        let e = p
            .event_by_name(name)
            .unwrap_or_else(|| panic!("{file}: no event {name}"));
        let unit = p.events[e.index()].unit;
        let want_unit = match name.as_str() {
            "jdk.ExecutionSample" | "jdk.NativeMethodSample" => WeightUnit::Samples,
            n if n.starts_with("jdk.ObjectAllocation") => WeightUnit::Bytes,
            _ => WeightUnit::Nanoseconds,
        };
        assert_eq!(unit, want_unit, "{file}: {name}");
        let count = want["count"].as_u64().unwrap_or(0) as usize;
        assert_eq!(p.sample_count(e), count, "{file}: {name} count");
        let total = want["total_weight"].as_f64().unwrap_or(0.0);
        // Durations: jfr rounds each tick count to nanoseconds on its own; allow 1 ns per event.
        let tol = if unit == WeightUnit::Nanoseconds {
            count as f64
        } else {
            0.0
        };
        assert!(
            (p.total_weight(e) - total).abs() <= tol,
            "{file}: {name} total {} expected {total}",
            p.total_weight(e)
        );
        check_threads(&p, e, want, file, name);
        check_times(&p, e, want, span, file, name);
    }
    check_stacks(&p, events, file);
}

/// The set of thread names with samples of `e` is the one `jfr` printed (threads with neither a
/// Java nor an OS name, or not in the pools, printed as "", get a placeholder name in bigflame).
fn check_threads(p: &Profile, e: EventId, want: &Value, file: &str, name: &str) {
    let ours: BTreeSet<String> = p
        .threads
        .iter()
        .filter(|t| !t.samples(e).is_empty())
        .map(|t| p.strings.get(t.name).to_string())
        .collect();
    let theirs: BTreeSet<String> = want["threads"]
        .as_array()
        .expect("threads")
        .iter()
        .filter_map(|t| t.as_str())
        .map(String::from)
        .collect();
    for t in &theirs {
        if t.is_empty() {
            assert!(
                ours.iter().any(|o| {
                    o.starts_with("thread ") || o == "(unnamed thread)" || o == "(unknown thread)"
                }),
                "{file}: {name}: an unnamed thread"
            );
        } else {
            assert!(
                ours.contains(t),
                "{file}: {name}: no thread {t:?} in {ours:?}"
            );
        }
    }
    let extra: Vec<&String> = ours.iter().filter(|o| !theirs.contains(*o)).collect();
    assert!(
        extra.len() <= usize::from(theirs.contains("")),
        "{file}: {name}: threads {extra:?} that jfr did not print"
    );
}

/// Sample times are relative to the recording's start, within its span, and the first and last
/// equal `jfr`'s to the microsecond (jfr prints nanoseconds; both convert the same ticks).
fn check_times(p: &Profile, e: EventId, want: &Value, span: i64, file: &str, name: &str) {
    let mut min = u64::MAX;
    let mut max = 0;
    for t in &p.threads {
        let cols = t.samples(e);
        if cols.is_empty() {
            continue;
        }
        assert!(cols.has_time(), "{file}: {name}: samples have times");
        assert!(
            cols.time_ns.windows(2).all(|w| w[0] <= w[1]),
            "{file}: {name}: samples of a thread in time order"
        );
        for &time in &cols.time_ns {
            assert!(
                time as i64 <= span,
                "{file}: {name}: time {time} past {span}"
            );
            min = min.min(time);
            max = max.max(time);
        }
    }
    let near = |ours: u64, key: &str| {
        let theirs = want[key].as_i64().unwrap_or(-1);
        (ours as i64 - theirs).abs() <= 1_000
    };
    assert!(
        near(min, "min_time_ns"),
        "{file}: {name}: first at {min}, {want}"
    );
    assert!(
        near(max, "max_time_ns"),
        "{file}: {name}: last at {max}, {want}"
    );
}

/// CPU samples: as many stacks as jfr showed have `Workload.main` as their root and reach
/// `Workload.recurse`, with as many `recurse` frames in all; in those the frames go caller →
/// callee: main, then recurse repeated (one unbroken run), then spin (the leaf side).
fn check_stacks(p: &Profile, events: &serde_json::Map<String, Value>, file: &str) {
    let want = events["jdk.ExecutionSample"]["main_then_recurse"]
        .as_u64()
        .unwrap_or(0);
    assert!(want > 10, "{file}: the workload's recursion was sampled");
    let e = p.default_event();
    let (mut n, mut frames) = (0, 0);
    for t in &p.threads {
        for &s in &t.samples(e).stack {
            let names: Vec<&str> = p
                .stacks
                .path(s)
                .into_iter()
                .map(|f| p.frame_name(f))
                .collect();
            if names.first() != Some(&"Workload.main") || !names.contains(&"Workload.recurse") {
                continue;
            }
            n += 1;
            let first = names.iter().position(|&f| f == "Workload.recurse");
            let last = names.iter().rposition(|&f| f == "Workload.recurse");
            let (Some(first), Some(last)) = (first, last) else {
                continue;
            };
            assert!(
                names[first..=last].iter().all(|&f| f == "Workload.recurse"),
                "{file}: recursion interrupted: {names:?}"
            );
            frames += last - first + 1;
            if let Some(spin) = names.iter().position(|&f| f == "Workload.spin") {
                assert!(spin > last, "{file}: spin is called by recurse: {names:?}");
            }
        }
    }
    assert_eq!(n as u64, want, "{file}: samples main → … → recurse");
    let want_frames = events["jdk.ExecutionSample"]["recurse_frames"].as_u64();
    assert_eq!(
        Some(frames as u64),
        want_frames,
        "{file}: recurse frames in those samples"
    );
}

#[test]
fn jdk17_recording_matches_jfr_print() {
    check("jdk17.jfr");
}

#[test]
fn jdk25_recording_matches_jfr_print() {
    check("jdk25.jfr");
}

/// JFR files are sequences of self-contained chunks, so two recordings concatenated are one
/// two-chunk recording: every event count is the sum of both files' counts.
#[test]
fn concatenated_recordings_read_as_one_multi_chunk_recording() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/jfr");
    let mut data = std::fs::read(dir.join("jdk17.jfr")).expect("jdk17.jfr");
    data.extend(std::fs::read(dir.join("jdk25.jfr")).expect("jdk25.jfr"));
    let p = import_bytes(&data, "both.jfr", &ImportOptions::default()).expect("imports");
    assert_eq!(p.meta.skipped.total(), 0);
    let mut want: std::collections::BTreeMap<String, u64> = Default::default();
    for f in ["jdk17.jfr", "jdk25.jfr"] {
        let expected: Value = serde_json::from_slice(
            &std::fs::read(dir.join(format!("{f}.expected.json"))).expect("expected.json"),
        )
        .expect("JSON");
        for (name, e) in expected["events"].as_object().expect("events") {
            *want.entry(name.clone()).or_default() += e["count"].as_u64().unwrap_or(0);
        }
    }
    for (name, count) in want {
        let e = p.event_by_name(&name).expect("event");
        assert_eq!(p.sample_count(e) as u64, count, "{name}");
    }
}
