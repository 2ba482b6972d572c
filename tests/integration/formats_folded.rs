//! Conformance of the folded-stacks importer against the peers' expectations.
//!
//! Why: speedscope's and inferno's test suites define what a folded file means (CRLF, UTF-16, junk
//! lines, differential input, frames with spaces, fractional counts). `manifest.json -> formats.files`
//! records, for the folded files copied from them, speedscope's frame count and total weight and the
//! sample total in the title of inferno's expected SVG. Every file is imported through the public API
//! (`import_path`) with 1 thread and with 3 threads and tiny chunks, through the mmap and the streaming
//! paths, and all results must be identical.
//!
//! The data path comes from `BIGFLAME_CONFORMANCE`, else `<repo>/../shared/conformance`; without the
//! data the test is skipped with a message, except under `CI=true` where it fails.

use crate::support::conformance_dir;
use bigflame_formats::{ImportOptions, import_path, import_reader};
use bigflame_model::{EventId, Profile, SkipReason};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Everything observable in a profile except its source name.
fn dump(p: &Profile) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {:?} {:?}",
        p.meta.format, p.meta.skipped.entries, p.meta.notes
    );
    let strings: Vec<&str> = p.strings.iter().map(|(_, s)| s).collect();
    let _ = writeln!(out, "{strings:?}\n{:?}", p.frames.as_slice());
    let _ = writeln!(
        out,
        "{:?} {:?} {:?}",
        p.stacks.parents(),
        p.stacks.frames(),
        p.events
    );
    for t in &p.threads {
        let _ = writeln!(
            out,
            "{:?} {:?} {} {:?}",
            t.pid,
            t.tid,
            p.strings.get(t.name),
            t.samples
        );
    }
    out
}

/// Imports a file on every path and checks that the results agree.
fn import_everywhere(path: &Path) -> Profile {
    let one = ImportOptions {
        threads: 1,
        ..ImportOptions::default()
    };
    let reference = import_path(path, &one).unwrap_or_else(|e| panic!("{e}"));
    let want = dump(&reference);
    for (threads, chunk) in [(3, 16), (2, 1 << 20)] {
        let opts = ImportOptions {
            threads,
            chunk_bytes: chunk,
            block_bytes: chunk,
            ..ImportOptions::default()
        };
        let p = import_path(path, &opts).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(dump(&p), want, "{} with {threads} threads", path.display());
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.display().to_string();
        let p = import_reader(Box::new(std::io::Cursor::new(bytes)), &name, &opts)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            dump(&p),
            want,
            "{} streamed with {threads} threads",
            path.display()
        );
    }
    reference
}

fn total(p: &Profile) -> f64 {
    p.events
        .iter()
        .enumerate()
        .map(|(e, _)| p.total_weight(EventId::from_index(e)))
        .sum()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

#[test]
fn folded_files_match_the_manifest() {
    let Some(dir) = conformance_dir() else { return };
    let text = std::fs::read_to_string(dir.join("manifest.json")).unwrap_or_else(|e| panic!("{e}"));
    let manifest: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let files = manifest["formats"]["files"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    // inferno test name -> (expected SVG total, sum of our totals over the files it reads).
    let mut svg_totals: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let mut checked = 0;
    for file in files.iter().filter(|f| f["format"] == "folded") {
        let rel = file["path"].as_str().unwrap_or_default();
        let path = dir.join(rel);
        let p = import_everywhere(&path);
        // Only inferno's `empty` fixture has no content; everything else must be read as folded.
        let format = if rel.ends_with("empty/empty.txt") {
            "empty"
        } else {
            "folded"
        };
        assert_eq!(p.meta.format, format, "{rel}");
        let expected = &file["expected"];
        for prof in expected["profiles"].as_array().into_iter().flatten() {
            checked += 1;
            assert_eq!(p.threads.len(), 1, "{rel}: one profile");
            let frames = prof["frame_count"].as_u64().unwrap_or_default() as usize;
            assert_eq!(p.frames.len(), frames, "{rel}: frame_count");
            let want = prof["total_weight"].as_f64().unwrap_or_default();
            assert!(
                close(total(&p), want),
                "{rel}: total {} != {want}",
                total(&p)
            );
        }
        for usage in expected["uses"].as_array().into_iter().flatten() {
            let Some(svg_total) = usage["svg_total_samples"].as_f64() else {
                continue;
            };
            let note = usage["note"].as_str().unwrap_or_default();
            let options = usage["options"].as_str().unwrap_or_default();
            // Notes mark totals that are not the plain sum (re-rooting, inferno's rounding).
            if (!note.is_empty() && !note.contains("second (after) column"))
                || options.contains("base=")
            {
                continue;
            }
            let test = usage["test"].as_str().unwrap_or_default().to_string();
            let entry = svg_totals.entry(test).or_insert((svg_total, 0.0));
            entry.1 += total(&p);
        }
    }
    // The manifest holds speedscope's expected profiles for 5 folded files (the rest are checked
    // through inferno's SVG totals below).
    assert!(checked >= 5, "only {checked} speedscope profiles compared");
    assert!(svg_totals.len() >= 8, "{svg_totals:?}");
    for (test, (want, got)) in &svg_totals {
        assert!(
            close(*got, *want),
            "{test}: total {got} != inferno's {want}"
        );
    }
}

#[test]
fn folded_edge_cases_from_the_peers() {
    let Some(dir) = conformance_dir() else { return };
    let folded = dir.join("formats/folded");

    let empty = import_everywhere(&folded.join("inferno/empty/empty.txt"));
    assert!(
        empty.threads.is_empty(),
        "an empty file is an empty profile"
    );
    assert_eq!(empty.meta.format, "empty");

    let bad = import_everywhere(&folded.join("inferno/bad-lines/bad-lines.txt"));
    let e = &bad.meta.skipped.entries;
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(
        (e[0].0, e[0].1, e[0].2.as_str()),
        (SkipReason::MalformedLine, 2, "line 3")
    );
    assert_eq!(e[0].3, "THIS IS A BAD LINE");

    let invalids = import_everywhere(&folded.join("speedscope/simple-with-invalids.txt"));
    assert_eq!(
        invalids.meta.skipped.total(),
        2,
        "{:?}",
        invalids.meta.skipped
    );
    assert_eq!(
        invalids.strings.get(invalids.threads[0].name),
        "simple-with-invalids"
    );

    let tricky = import_everywhere(&folded.join("inferno/fractional-samples/tricky-stack.txt"));
    let names: Vec<&str> = (0..tricky.frames.len())
        .map(|i| tricky.frame_name(bigflame_model::FrameId::from_index(i)))
        .collect();
    assert_eq!(
        names,
        [
            "rustc",
            "<alloc::vec::Vec<T> as alloc::vec::SpecExtend<T, I>>::from_iter",
            "memcpy@GLIBC_2.2.5"
        ]
    );

    let tall = import_everywhere(&folded.join("speedscope/tall.txt"));
    let leaf = tall.threads[0].samples[0].stack[0];
    assert_eq!(tall.stacks.depth(leaf), 25);

    let fractional = import_everywhere(&folded.join("inferno/fractional-samples/fractional.txt"));
    assert!(close(total(&fractional), 334.618), "{}", total(&fractional));
    let austin = import_everywhere(&folded.join("inferno/austin/flames.txt"));
    assert_eq!(austin.meta.skipped.total(), 0, "# comments are not junk");
}
