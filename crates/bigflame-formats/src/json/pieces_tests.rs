//! Tests of the parallel paths: `.cpuprofile` arrays and trace event lists cut in pieces (down to
//! one byte) must import exactly like the whole-document parse, on 1 and N threads, on the
//! conformance data, on cuts that fall inside strings and on randomly mutated real files.

use super::tests::{CPU, s, samples};
use super::{cpuprofile, trace_event};
use crate::driver::ImportOptions;
use crate::error::ImportError;
use crate::test_support::conformance_dir;
use bigflame_model::Profile;

#[test]
fn cpuprofile_arrays_cut_in_pieces_keep_runs_and_refuse_bad_separators() {
    // Cut every few bytes: the run of node 3 spans a cut, elapsed sums cross cuts (same result as
    // the whole-array test above); an empty element inside a cut body is a located syntax error.
    let opts = ImportOptions {
        threads: 2,
        chunk_bytes: 2,
        ..ImportOptions::default()
    };
    let p = cpuprofile::import(CPU.as_bytes(), "t.json", &opts).unwrap();
    let plain = cpuprofile::import_plain(CPU.as_bytes(), "t.json").unwrap();
    assert_eq!(samples(&p, 0), samples(&plain, 0));
    for bad in ["[2,3, ,3,5,4,2]", "[2,3,,3,5,4,2]", "[2,3,3,5,4,2,]"] {
        let text = CPU.replace("[2,3,3,5,4,2]", bad);
        match cpuprofile::import(text.as_bytes(), "t.json", &opts) {
            Ok(_) => panic!("{bad} imported"),
            Err(e) => assert!(e.to_string().starts_with("t.json:8:"), "{bad}: {e}"),
        }
    }
}

#[test]
fn traces_cut_in_pieces_import_like_whole_documents() {
    // Every Trace Event file of the conformance data, cut into pieces of ~1, 64 and 700 bytes on
    // 1 and 2 threads: the same profile (or the same error) as the whole-document parse. Tiny
    // pieces also hit cuts inside strings, which must be refused and fall back.
    let Some(dir) = conformance_dir() else {
        eprintln!("skipped: no conformance data");
        return;
    };
    let mut files = Vec::new();
    for sub in ["formats/trace-event", "formats/chrome-trace"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut in_pieces = 0;
    for file in &files {
        let data = std::fs::read(file).unwrap();
        let whole = trace_event::import_whole(&data, "t.json").map(|p| format!("{p:?}"));
        for (threads, chunk_bytes) in [(1, 1), (2, 64), (1, 700), (2, 700)] {
            let opts = ImportOptions {
                threads,
                chunk_bytes,
                ..ImportOptions::default()
            };
            in_pieces += usize::from(super::trace_split::import_parallel(&data, &opts).is_some());
            let got = trace_event::import(&data, "t.json", &opts).map(|p| format!("{p:?}"));
            match (&whole, &got) {
                (Ok(a), Ok(b)) => assert!(a == b, "{}: {threads} {chunk_bytes}", file.display()),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                _ => panic!("{}: {threads} {chunk_bytes}: {got:?}", file.display()),
            }
        }
    }
    assert!(
        in_pieces >= 40,
        "only {in_pieces} imports took the parallel path"
    );
}

#[test]
fn trace_cuts_inside_strings_are_refused() {
    // Names holding "},{" (a false cut) and a trace cut every byte: same as the whole parse.
    let text = r#"{"traceEvents":[{"name":"a},{b","ph":"B","ts":0,"pid":1,"tid":1},
        {"name":"x} , {\"y","ph":"X","ts":1,"dur":2,"pid":1,"tid":1,"args":{"s":"},{"}},
        {"name":"a},{b","ph":"E","ts":5,"pid":1,"tid":1}],"meta":"},{"}"#;
    let whole = trace_event::import_whole(text.as_bytes(), "t.json").unwrap();
    for chunk_bytes in 1..text.len() {
        let opts = ImportOptions {
            threads: 2,
            chunk_bytes,
            ..ImportOptions::default()
        };
        let got = trace_event::import(text.as_bytes(), "t.json", &opts).unwrap();
        assert_eq!(format!("{got:?}"), format!("{whole:?}"), "{chunk_bytes}");
    }
    // A syntax error in a later piece is reported by the whole-document parse, with its line.
    let bad = text.replace(r#""ts":5"#, r#""ts":5,"#);
    for chunk_bytes in [1, 16, 64, 1 << 20] {
        let opts = ImportOptions {
            threads: 2,
            chunk_bytes,
            ..ImportOptions::default()
        };
        match trace_event::import(bad.as_bytes(), "t.json", &opts) {
            Ok(_) => panic!("imported bad input"),
            Err(e) => assert!(e.to_string().starts_with("t.json:3:"), "{e}"),
        }
    }
    assert_eq!(
        samples(&whole, 0),
        vec![
            s(Some(0), "a},{b", 1000.0),
            s(Some(1000), "a},{b;x} , {\"y {\"s\":\"},{\"}", 2000.0),
            s(Some(3000), "a},{b", 2000.0)
        ]
    );
}

#[test]
fn mutated_inputs_give_the_same_result_in_pieces_and_whole() {
    // Differential check of the fast paths: random one-byte edits (separators, signs, digits,
    // dots, brackets, quotes) of a real `.cpuprofile` and of a real trace, imported in pieces of
    // ~48 bytes on 2 threads, must give exactly what the whole-document parse gives: the same
    // profile, or the same error.
    let cpu = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../corpus/node/workload.cpuprofile"
    ))
    .unwrap();
    let trace = conformance_dir()
        .and_then(|d| std::fs::read(d.join("formats/trace-event/multiprocess.json")).ok());
    let opts = ImportOptions {
        threads: 2,
        chunk_bytes: 48,
        ..ImportOptions::default()
    };
    let mut seed = 0x0123_4567_89ab_cdefu64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let edits = b", -0123456789.[]\"{}:\n";
    let show =
        |r: Result<Profile, ImportError>| r.map(|p| format!("{p:?}")).map_err(|e| e.to_string());
    for round in 0..600 {
        let (base, is_cpu) = match (&trace, round % 2) {
            (Some(t), 1) => (t, false),
            _ => (&cpu, true),
        };
        let mut data = base.clone();
        // Edits aimed at the big arrays of the .cpuprofile, anywhere in the trace.
        let from = if is_cpu {
            memchr::memmem::find(&data, b"\"samples\"").unwrap_or(0)
        } else {
            0
        };
        for _ in 0..1 + next(2) {
            let at = from + next(data.len() - from);
            let byte = edits[next(edits.len())];
            match next(3) {
                0 => data[at] = byte,
                1 => data.insert(at, byte),
                _ => {
                    data.remove(at);
                }
            }
        }
        let (pieces, whole) = if is_cpu {
            (
                cpuprofile::import(&data, "t.json", &opts),
                cpuprofile::import_plain(&data, "t.json"),
            )
        } else {
            (
                trace_event::import(&data, "t.json", &opts),
                trace_event::import_whole(&data, "t.json"),
            )
        };
        assert!(
            show(pieces) == show(whole),
            "round {round}: {}",
            String::from_utf8_lossy(&data)
        );
    }
}
