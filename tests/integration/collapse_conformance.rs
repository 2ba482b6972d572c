//! Conformance of `perf script` → folded stacks against the peers' own expected outputs.
//!
//! Why: FlameGraph's `stackcollapse-perf.pl` and `inferno-collapse-perf` define what "collapsed perf
//! output" means, and their test fixtures (in `../shared/conformance`, see its README) are the spec.
//! Every `collapse_perf` case of `manifest.json` runs through the library (`import_bytes` +
//! `collapse::write_folded`) with its options and compare mode:
//!
//! * `fg.*` cases run in the FlameGraph flavour (must be byte-identical) and in the inferno flavour
//!   (compared after deleting quotes, as inferno's own suite does), except the Rust-mangled input,
//!   which only the FlameGraph flavour prints mangled;
//! * `inferno.*` cases run in the inferno flavour with the case's compare mode;
//! * `property` cases check the stated property (`--skip-after`, the weird-line warning).
//!
//! Every run also parses with 1 thread, 4 threads and tiny chunks, and asserts identical output.
//! The data path comes from `BIGFLAME_CONFORMANCE`, else `<repo>/../shared/conformance`; without the
//! data the test is skipped with a message, except under `CI=true` where it fails.

use crate::support::conformance_dir;
use bigflame_formats::collapse::write_folded;
use bigflame_formats::perf::{Flavour, PerfOptions};
use bigflame_formats::{Format, ImportOptions, import_bytes};
use serde_json::Value;
use std::io::Read;
use std::path::Path;

fn read_input(dir: &Path, case: &Value) -> Vec<u8> {
    let path = dir.join(case["input"].as_str().expect("case input"));
    let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if case["input_compression"].as_str() == Some("gzip") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        out
    } else {
        raw
    }
}

fn options(case: &Value, flavour: Flavour) -> PerfOptions {
    let o = &case["options"];
    let flag = |k: &str| o[k].as_bool().unwrap_or(false);
    PerfOptions {
        include_pid: flag("include_pid"),
        include_tid: flag("include_tid"),
        annotate_kernel: flag("annotate_kernel"),
        annotate_jit: flag("annotate_jit"),
        include_addrs: flag("include_addrs"),
        event_filter: o["event_filter"].as_str().map(str::to_string),
        skip_after: o["skip_after"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        flavour,
    }
}

/// The real import path (the driver with its chunking, wave merging and warnings), perf forced.
fn import(
    input: &[u8],
    opts: &PerfOptions,
    threads: usize,
    chunk_bytes: usize,
) -> bigflame_model::Profile {
    let options = ImportOptions {
        threads,
        chunk_bytes,
        format: Some(Format::PerfScript),
        perf: opts.clone(),
        ..ImportOptions::default()
    };
    import_bytes(input, "perf.txt", &options).unwrap_or_else(|e| panic!("import: {e}"))
}

fn folded(profile: &bigflame_model::Profile, opts: &PerfOptions) -> String {
    let mut out = Vec::new();
    write_folded(profile, &opts.collapse_options(), &mut out).expect("write to a Vec");
    String::from_utf8(out).expect("folded output is UTF-8")
}

/// Collapses `input` with 1 thread, 4 threads and tiny chunks; fails unless all three agree.
fn collapse_all_ways(
    name: &str,
    input: &[u8],
    opts: &PerfOptions,
) -> (String, bigflame_model::Profile) {
    let one = import(input, opts, 1, ImportOptions::default().chunk_bytes);
    let reference = folded(&one, opts);
    let four = folded(
        &import(input, opts, 4, ImportOptions::default().chunk_bytes),
        opts,
    );
    assert!(
        four == reference,
        "{name}: 4 threads differ from 1 thread\n{}",
        first_difference(&reference, &four)
    );
    let tiny = folded(&import(input, opts, 2, 512), opts);
    assert!(
        tiny == reference,
        "{name}: 512-byte chunks differ from 1 chunk\n{}",
        first_difference(&reference, &tiny)
    );
    (reference, one)
}

fn first_difference(expected: &str, actual: &str) -> String {
    let cut = |s: &str| -> String { s.chars().take(400).collect() };
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i), a.get(i));
        if x != y {
            return format!(
                "first difference at line {} (expected {} lines, got {}):\n  expected: {}\n  actual:   {}",
                i + 1,
                e.len(),
                a.len(),
                x.map_or("<end of output>".into(), |s| cut(s)),
                y.map_or("<end of output>".into(), |s| cut(s)),
            );
        }
    }
    "outputs differ only in line endings".to_string()
}

/// Runs one folded-output comparison; returns a failure message.
fn check_folded(
    dir: &Path,
    case: &Value,
    input: &[u8],
    flavour: Flavour,
    compare: &str,
) -> Option<String> {
    let name = case["name"].as_str().unwrap_or("?");
    let label = format!("{name} [{flavour:?}, {compare}]");
    let expected_path = dir.join(
        case["expected"]
            .as_str()
            .expect("folded-output case without expected file"),
    );
    let expected = std::fs::read_to_string(&expected_path)
        .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
    let (mut actual, _) = collapse_all_ways(&label, input, &options(case, flavour));
    if compare == "strip_quotes" {
        actual.retain(|c| c != '\'' && c != '"');
    }
    (actual != expected).then(|| format!("{label}: {}", first_difference(&expected, &actual)))
}

fn check_property(case: &Value, input: &[u8]) -> Option<String> {
    let name = case["name"].as_str().unwrap_or("?");
    let opts = options(case, Flavour::Inferno);
    let (out, profile) = collapse_all_ways(name, input, &opts);
    if name.ends_with(".warn") {
        let weird: Vec<_> = profile
            .meta
            .notes
            .iter()
            .filter(|n| n.starts_with("Weird event line: "))
            .collect();
        return (weird.len() != 1).then(|| {
            format!(
                "{name}: expected one `Weird event line: ` warning, got {:?}",
                profile.meta.notes
            )
        });
    }
    if !opts.skip_after.is_empty() {
        if out.is_empty() {
            return Some(format!("{name}: no output"));
        }
        let mut cut = 0;
        for line in out.lines() {
            // A later --skip-after name wins over an earlier one (it is the deeper frame in the data).
            if let Some(skip) = opts
                .skip_after
                .iter()
                .rev()
                .find(|s| line.contains(s.as_str()))
            {
                cut += 1;
                if !line.starts_with(&format!("{skip};")) {
                    return Some(format!(
                        "{name}: line contains {skip:?} but does not start with it: {line}"
                    ));
                }
            }
        }
        return (cut == 0).then(|| format!("{name}: no line was cut at {:?}", opts.skip_after));
    }
    Some(format!(
        "{name}: unknown property case: {}",
        case["property"]
    ))
}

#[test]
fn collapse_perf_matches_flamegraph_and_inferno() {
    let Some(dir) = conformance_dir() else {
        return;
    };
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).expect("read manifest"))
            .expect("manifest.json is JSON");
    let cases = manifest["collapse_perf"]["cases"]
        .as_array()
        .expect("collapse_perf.cases");
    let mut failures = Vec::new();
    let mut runs = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap_or("?");
        let input = read_input(&dir, case);
        let compare = case["compare"].as_str().unwrap_or("exact");
        let mut results = Vec::new();
        match (case["kind"].as_str(), case["flavour"].as_str()) {
            (Some("property"), _) => results.push(check_property(case, &input)),
            (_, Some("flamegraph")) => {
                results.push(check_folded(
                    &dir,
                    case,
                    &input,
                    Flavour::FlameGraph,
                    "exact",
                ));
                if !name.contains("perf-rust-") {
                    results.push(check_folded(
                        &dir,
                        case,
                        &input,
                        Flavour::Inferno,
                        "strip_quotes",
                    ));
                }
            }
            (_, Some("inferno")) => {
                results.push(check_folded(&dir, case, &input, Flavour::Inferno, compare))
            }
            other => results.push(Some(format!("{name}: unknown kind/flavour {other:?}"))),
        }
        runs += results.len();
        failures.extend(results.into_iter().flatten());
    }
    eprintln!(
        "collapse conformance: {} cases, {runs} runs, {} failures",
        cases.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {runs} runs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
