//! pprof sample types through the CLI, and sniffing and gzip for the formats of the
//! "remaining formats" importers (pprof, Firefox, stackprof, Instruments deep copy, Papyrus,
//! pmcstat, Safari, GHC).
//!
//! `corpus/pprof/*.pb.gz` are real profiles written by `@datadog/pprof` 5.20.0 under Node 20
//! (`corpus/pprof/record.js`). The expected numbers below were read from those files with a
//! separate 40-line Python protobuf walker (varints, packed fields; no pprof library), not with
//! bigflame: per sample type the sum of the sample values, and the function of each sample's leaf
//! location with the largest sum.

use crate::support::conformance_dir;
use bigflame_formats::{ImportOptions, import_bytes, import_path};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../corpus")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bigflame"))
        .args(args)
        .output()
        .expect("bigflame runs")
}

fn ok_stdout(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "bigflame {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `(name, unit, total)` of each event, from `bigflame info --json`.
fn events(path: &Path) -> Vec<(String, String, f64)> {
    let text = ok_stdout(&["info", "--json", path.to_str().unwrap_or_default()]);
    let v: Value = serde_json::from_str(&text).expect("info --json is JSON");
    v["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap_or_default().to_string(),
                e["unit"].as_str().unwrap_or_default().to_string(),
                e["total_weight"].as_f64().unwrap_or(f64::NAN),
            )
        })
        .collect()
}

/// The function on the first row of `bigflame top` (the last column of the first data line).
fn top_function(args: &[&str]) -> String {
    let text = ok_stdout(args);
    let row = text.lines().nth(1).unwrap_or_default();
    row.split("  ")
        .last()
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[test]
fn every_pprof_sample_type_is_an_event_with_its_unit() {
    let heap = corpus("pprof/node-heap.pb.gz");
    // No default_sample_type in the file: the last type (inuse_space) is shown first.
    assert_eq!(
        events(&heap),
        vec![
            ("inuse_space".into(), "bytes".into(), 79_872_422.0),
            ("inuse_objects".into(), "events".into(), 27_613.0),
        ]
    );
    let wall = corpus("pprof/node-wall.pb.gz");
    assert_eq!(
        events(&wall),
        vec![
            ("wall".into(), "nanoseconds".into(), 651_750_000.0),
            ("sample".into(), "samples".into(), 330.0),
        ]
    );
}

#[test]
fn pprof_sample_types_are_selectable_with_event() {
    let heap = corpus("pprof/node-heap.pb.gz");
    let heap = heap.to_str().unwrap_or_default();
    // Largest self: bytes come from native "(external)" memory, objects from allocSmall.
    assert_eq!(top_function(&["top", "-n", "1", heap]), "(external)");
    assert_eq!(
        top_function(&["top", "-n", "1", "--event", "inuse_space", heap]),
        "(external)"
    );
    assert_eq!(
        top_function(&["top", "-n", "1", "--event", "inuse_objects", heap]),
        "allocSmall"
    );
    let wall = corpus("pprof/node-wall.pb.gz");
    let wall = wall.to_str().unwrap_or_default();
    // `leaf` has 111 of the 330 samples: 33.64%.
    let text = ok_stdout(&["top", "-n", "1", "--event", "sample", wall]);
    assert!(text.contains("33.64%") && text.contains("leaf"), "{text}");
    let out = run(&["top", "--event", "alloc_space", heap]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("inuse_space, inuse_objects"), "{err}");
}

#[test]
fn pprof_default_is_the_peer_default() {
    let Some(dir) = conformance_dir() else {
        return;
    };
    // speedscope shows cpu (the last type); `samples` is kept as a second event.
    assert_eq!(
        events(&dir.join("formats/pprof/simple.prof")),
        vec![
            ("cpu".into(), "nanoseconds".into(), 1.5e9),
            ("samples".into(), "samples".into(), 150.0),
        ]
    );
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).expect("gzip in memory");
    enc.finish().expect("gzip in memory")
}

#[test]
fn these_formats_are_sniffed_by_content_and_read_through_gzip() {
    let Some(dir) = conformance_dir() else {
        return;
    };
    let cases = [
        ("formats/pprof/simple.prof", "pprof"),
        ("formats/firefox/59/simple-firefox.json", "firefox"),
        ("formats/firefox/63/simple-firefox.json", "firefox"),
        ("formats/stackprof/simple-stackprof.json", "stackprof"),
        ("formats/stackprof/object-stackprof.json", "stackprof"),
        (
            "formats/instruments-deep-copy/7.3.1/simple-time-profile-deep-copy.txt",
            "instruments-deep-copy",
        ),
        (
            "formats/instruments-deep-copy/16.0/simple-time-profile-deep-copy.txt",
            "instruments-deep-copy",
        ),
        ("formats/papyrus/script.log", "papyrus"),
        ("formats/papyrus/stack.log", "papyrus"),
        ("formats/pmcstat/simple.txt", "pmcstat"),
        ("formats/pmcstat/simple-with-invalids.txt", "pmcstat"),
        ("formats/safari/13.1/simple.html-recording.json", "safari"),
        ("formats/haskell-ghc-prof-json/simple.prof", "ghc-prof-json"),
    ];
    let opts = ImportOptions::default();
    for (rel, format) in cases {
        let path = dir.join(rel);
        let plain = import_path(&path, &opts).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(plain.meta.format, format, "{rel}");
        let mut data = std::fs::read(&path).expect("readable");
        if data.starts_with(&[0x1f, 0x8b]) {
            // simple.prof is gzipped already (as Go writes it): compare with its plain bytes.
            let mut plain = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&data[..]), &mut plain)
                .expect("gunzip");
            data = plain;
        }
        // No file name to hint at the format (stdin), plain and gzipped: the same profile.
        for bytes in [data.clone(), gzip(&data)] {
            let p = import_bytes(&bytes, "-", &opts).unwrap_or_else(|e| panic!("{rel}: {e}"));
            assert_eq!(p.meta.format, format, "{rel}");
            assert_eq!(p.frames.len(), plain.frames.len(), "{rel}");
            for e in 0..p.events.len() {
                let e = bigflame_model::EventId::from_index(e);
                assert_eq!(p.total_weight(e), plain.total_weight(e), "{rel}");
            }
        }
    }
}

#[test]
fn truncated_and_corrupt_inputs_fail_with_a_location_not_a_panic() {
    let Some(dir) = conformance_dir() else {
        return;
    };
    let opts = ImportOptions::default();
    // A pprof cut in the middle (after gunzip): the error names the byte offset.
    let heap = std::fs::read(corpus("pprof/node-heap.pb.gz")).expect("corpus file");
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&heap[..]), &mut raw)
        .expect("gunzip");
    let cut = &raw[..raw.len() / 2];
    let err = import_bytes(cut, "cut.pb", &opts)
        .map(|_| ())
        .expect_err("a cut protobuf is an error");
    assert!(err.to_string().starts_with("cut.pb: at byte "), "{err}");
    // JSON formats cut in half: file, line and column.
    for rel in [
        "formats/firefox/61/recursion.json",
        "formats/stackprof/simple-cpu-stackprof.json",
        "formats/haskell-ghc-prof-json/simple.prof",
        "formats/safari/13.1/simple.html-recording.json",
    ] {
        let data = std::fs::read(dir.join(rel)).expect("readable");
        let half = &data[..data.len() / 2];
        let err = import_bytes(half, "half.json", &ImportOptions::default())
            .map(|_| ())
            .expect_err("half a document");
        assert!(err.to_string().starts_with("half.json:"), "{rel}: {err}");
    }
}

#[test]
fn mutated_inputs_never_panic() {
    let Some(dir) = conformance_dir() else {
        return;
    };
    let files = [
        ("formats/pprof/simple.prof", "pprof"),
        ("formats/firefox/61/recursion.json", "firefox"),
        ("formats/stackprof/simple-cpu-stackprof.json", "stackprof"),
        (
            "formats/instruments-deep-copy/13.4/cycles-example-deep-copy.txt",
            "instruments-deep-copy",
        ),
        ("formats/papyrus/stack.log", "papyrus"),
        ("formats/pmcstat/simple-with-invalids.txt", "pmcstat"),
        ("formats/safari/13.1/simple.html-recording.json", "safari"),
        ("formats/haskell-ghc-prof-json/simple.prof", "ghc-prof-json"),
    ];
    // A fixed linear congruential generator: the same mutations on every run.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % n.max(1)
    };
    for (rel, format) in files {
        let mut data = std::fs::read(dir.join(rel)).expect("readable");
        if data.starts_with(&[0x1f, 0x8b]) {
            let mut plain = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&data[..]), &mut plain)
                .expect("gunzip");
            data = plain;
        }
        let opts = ImportOptions {
            format: bigflame_formats::Format::from_name(format),
            ..ImportOptions::default()
        };
        for round in 0..45 {
            let mut m = data.clone();
            match round % 3 {
                0 => m.truncate(next(data.len())),
                1 => {
                    for _ in 0..1 + next(8) {
                        let at = next(m.len());
                        m[at] = next(256) as u8;
                    }
                }
                _ => {
                    // Duplicate or drop a slice (shifts every later offset).
                    let a = next(m.len());
                    let b = (a + next(64)).min(m.len());
                    if round % 2 == 0 {
                        m.drain(a..b);
                    } else {
                        let piece = m[a..b].to_vec();
                        m.splice(a..a, piece);
                    }
                }
            }
            let run =
                std::panic::AssertUnwindSafe(|| import_bytes(&m, "mutated", &opts).map(|_| ()));
            let outcome = std::panic::catch_unwind(run);
            assert!(outcome.is_ok(), "{rel}: round {round} panicked");
        }
    }
}
