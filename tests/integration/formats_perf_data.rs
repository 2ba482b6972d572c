//! `perf.data` recordings go through `perf script`, streamed into the perf script importer.
//!
//! The expected output is what perf itself prints: `bigflame collapse rec.perf.data` must equal
//! `perf script -i rec.perf.data | bigflame collapse -` (the text path is checked byte-for-byte
//! against FlameGraph and inferno elsewhere). The recordings in `corpus/perf-data/` are real
//! (`corpus/perf-data/README.md` says how they were made); symbol names depend on the machine that
//! runs perf script, which is why the expectation is computed here, by perf, not stored.

use crate::support::skip;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../corpus/perf-data")
        .join(name)
}

fn perf_available() -> bool {
    let ok = Command::new("perf")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        skip("perf is not installed");
    }
    ok
}

/// `perf script -i FILE` text, collapsed by bigflame from stdin.
fn collapse_of_perf_script(file: &Path) -> String {
    let script = Command::new("perf")
        .args(["script", "-i"])
        .arg(file)
        .stderr(Stdio::null())
        .output()
        .expect("run perf script");
    assert!(script.status.success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_bigflame"))
        .args(["collapse", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn bigflame");
    let mut stdin = child.stdin.take().expect("stdin");
    let text = script.stdout;
    let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &text));
    let out = child.wait_with_output().expect("bigflame output");
    writer.join().expect("writer").expect("write");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("utf-8")
}

fn bigflame(args: &[&str], stdin_file: Option<&Path>) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bigflame"));
    cmd.args(args);
    if let Some(f) = stdin_file {
        cmd.stdin(std::fs::File::open(f).expect("open corpus file"));
    }
    cmd.output().expect("run bigflame")
}

#[test]
fn perf_data_file_collapses_like_perf_script_text() {
    if !perf_available() {
        return;
    }
    let file = corpus("small.perf.data");
    let out = bigflame(&["collapse", file.to_str().unwrap_or_default()], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = String::from_utf8(out.stdout).expect("utf-8");
    let want = collapse_of_perf_script(&file);
    assert!(want.lines().count() > 10, "the recording has real stacks");
    assert_eq!(got, want);
    let info = bigflame(&["info", "--json", file.to_str().unwrap_or_default()], None);
    let v: serde_json::Value = serde_json::from_slice(&info.stdout).expect("info json");
    assert_eq!(v["format"], "perf-script", "the text perf script printed");
    assert_eq!(v["samples"], 212, "perf record reported 212 samples");
}

#[test]
fn pipe_mode_perf_data_streams_from_stdin() {
    if !perf_available() {
        return;
    }
    let file = corpus("small.pipe.perf.data");
    let out = bigflame(&["collapse", "-"], Some(&file));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(got, collapse_of_perf_script(&file));
}

#[test]
fn file_mode_perf_data_on_stdin_says_to_pass_the_path() {
    if !perf_available() {
        return;
    }
    let out = bigflame(&["info", "-"], Some(&corpus("small.perf.data")));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("perf script"), "{err}");
    assert!(err.contains("by its path"), "{err}");
}

#[test]
fn missing_perf_is_a_clear_error() {
    let file = corpus("small.perf.data");
    let out = Command::new(env!("CARGO_BIN_EXE_bigflame"))
        .args(["info", file.to_str().unwrap_or_default()])
        .env("BIGFLAME_PERF", "/nonexistent/perf")
        .output()
        .expect("run bigflame");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("small.perf.data"), "{err}");
    assert!(
        err.contains("needs `perf`, which is not installed"),
        "{err}"
    );
}
