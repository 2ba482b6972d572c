//! End-to-end tests of the `bigflame` binary on the real recording in `corpus/`.
//!
//! Expected values are computed here by an independent, deliberately naive reading of the `perf
//! script` text (a sample header is a non-indented line ending in `event:`; its period is the number
//! before the event; the leaf is the first frame line after it), not by bigflame's parser.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bigflame"))
}

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../corpus")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("bigflame runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Naive independent reading: (samples, total period, leaf symbol -> self period).
fn naive_perf_summary(text: &str) -> (u64, u64, std::collections::HashMap<String, u64>) {
    let mut samples = 0;
    let mut total = 0;
    let mut leaf_self = std::collections::HashMap::new();
    let mut pending: Option<u64> = None;
    for line in text.lines() {
        if !line.starts_with(['\t', ' ']) && line.trim_end().ends_with(':') && !line.is_empty() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let period: u64 = fields[fields.len() - 2].parse().unwrap_or(1);
            samples += 1;
            total += period;
            pending = Some(period);
        } else if let Some(period) = pending.take() {
            // "\t    addr symbol+0x12 (module)"
            let rest = line.trim_start();
            let rest = rest.split_once(' ').map_or("", |(_, r)| r);
            let (sym, module) = rest.rsplit_once(" (").unwrap_or((rest, ""));
            let sym = sym.split("+0x").next().unwrap_or(sym);
            // FlameGraph's documented rule: an unresolved symbol is named after its module's file name.
            let module = module.trim_end_matches(')');
            let name = if sym == "[unknown]" && module != "[unknown]" {
                format!("[{}]", module.rsplit('/').next().unwrap_or(module))
            } else {
                sym.to_string()
            };
            *leaf_self.entry(name).or_insert(0) += period;
        }
    }
    (samples, total, leaf_self)
}

#[test]
fn info_json_matches_an_independent_count() {
    let path = corpus("mixed-workload.perf.txt");
    let text = std::fs::read_to_string(&path).expect("corpus file");
    let (samples, total, _) = naive_perf_summary(&text);
    let out = run(&["info", "--json", path.to_str().expect("utf-8 path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    for key in [
        "format",
        "unit",
        "threads",
        "samples",
        "total_weight",
        "frames",
        "unique_stacks",
        "skipped",
    ] {
        assert!(v.get(key).is_some(), "missing key {key} in {v}");
    }
    assert_eq!(v["format"], "perf-script");
    assert_eq!(v["samples"].as_u64(), Some(samples));
    assert_eq!(v["total_weight"].as_f64(), Some(total as f64));
    assert_eq!(v["skipped"]["total"].as_u64(), Some(0));
    assert!(
        v["threads"].as_u64().unwrap_or(0) > 4,
        "a multi-threaded workload: {v}"
    );
}

#[test]
fn stdin_and_gzip_give_the_same_summary_as_the_file() {
    let path = corpus("mixed-workload.perf.txt");
    let data = std::fs::read(&path).expect("corpus file");
    let from_file = stdout(&run(&[
        "info",
        "--json",
        path.to_str().expect("utf-8 path"),
    ]));

    let mut child = bin()
        .args(["info", "--json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer").expect("write stdin");
    let from_stdin = stdout(&out);

    let gz_path = std::env::temp_dir().join(format!("bigflame-cli-{}.data", std::process::id()));
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&std::fs::read(&path).expect("corpus"))
        .expect("gzip");
    std::fs::write(&gz_path, enc.finish().expect("gzip")).expect("write gz");
    let from_gz = stdout(&run(&[
        "info",
        "--json",
        gz_path.to_str().expect("utf-8 path"),
    ]));
    std::fs::remove_file(&gz_path).ok();

    let strip = |s: &str| -> serde_json::Value {
        let mut v: serde_json::Value = serde_json::from_str(s).expect("json");
        v.as_object_mut().expect("object").remove("source");
        v
    };
    assert_eq!(strip(&from_stdin), strip(&from_file));
    assert_eq!(strip(&from_gz), strip(&from_file));
}

#[test]
fn top_self_weights_match_an_independent_count() {
    let path = corpus("mixed-workload.perf.txt");
    let text = std::fs::read_to_string(&path).expect("corpus file");
    let (_, total, leaf_self) = naive_perf_summary(&text);
    let mut expected: Vec<(&String, &u64)> = leaf_self.iter().collect();
    expected.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let out = run(&["top", "-n", "5", path.to_str().expect("utf-8 path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    // The heaviest leaf's share, as printed in the first data row's `self%` column.
    let first_row = text.lines().nth(1).expect("a data row");
    let self_pct: f64 = first_row
        .split_whitespace()
        .next()
        .and_then(|s| s.trim_end_matches('%').parse().ok())
        .expect("self% column");
    assert!(
        first_row.ends_with(expected[0].0.as_str()),
        "heaviest leaf should be {}: {first_row}",
        expected[0].0
    );
    let want = 100.0 * *expected[0].1 as f64 / total as f64;
    assert!(
        (self_pct - want).abs() < 0.01,
        "{first_row} vs {want:.2}% for {}",
        expected[0].0
    );
}

#[test]
fn errors_name_the_file_and_do_not_panic() {
    let missing = run(&["info", "/nonexistent/profile.txt"]);
    assert!(!missing.status.success());
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("/nonexistent/profile.txt"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let garbage = std::env::temp_dir().join(format!("bigflame-garbage-{}.bin", std::process::id()));
    let bytes: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&garbage, bytes).expect("write");
    let out = run(&["info", garbage.to_str().expect("utf-8 path")]);
    std::fs::remove_file(&garbage).ok();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "garbage must be rejected");
    assert!(err.contains("bigflame-garbage"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn collapse_of_perf_stdin_streams() {
    let path = corpus("mixed-workload.perf.txt");
    let from_file = run(&["collapse", path.to_str().expect("utf-8 path")]);
    let child = bin()
        .args(["collapse", "-"])
        .stdin(std::fs::File::open(&path).expect("open"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    assert_eq!(out.stdout, from_file.stdout);
    let text = stdout(&out);
    let sum: u64 = text
        .lines()
        .filter_map(|l| l.rsplit_once(' ').and_then(|(_, n)| n.parse::<u64>().ok()))
        .sum();
    let (_, total, _) = naive_perf_summary(&std::fs::read_to_string(&path).expect("corpus"));
    assert_eq!(sum, total, "folded counts add up to the total period");
}
