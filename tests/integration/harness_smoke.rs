//! The comparison harness (`benches/harness/run.py --smoke`) on the small committed recording, so
//! it never rots: bigflame headless and `bigflame collapse` always; the real window (Xvfb +
//! xdotool), inferno-collapse-perf and speedscope (Chromium + Node + the npm packages from
//! `benches/harness/setup-peers.sh`) when installed. Outside CI a missing peer is skipped with a
//! message; under `CI=true` it is a failure.
//!
//! Beyond "it ran", the checks are independent facts: the file size from the file system, the
//! number of frames the camera path asks for, and inferno's folded total, which must equal
//! `bigflame collapse`'s on the same file.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::skip;

/// The report folder, removed when the test ends.
struct OutDir(PathBuf);

impl Drop for OutDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn run<'a>(tool: &'static str, results: &'a Value) -> Option<&'a Value> {
    let runs = results["runs"].as_array().expect("runs");
    let r = runs.iter().find(|r| r["tool"] == tool).expect(tool);
    match r["status"].as_str() {
        Some("ok") => Some(r),
        Some("skipped") => {
            skip(&format!("{tool}: {}", r["error"]));
            None
        }
        other => panic!("{tool} {other:?}: {}", r["error"]),
    }
}

fn f(r: &Value, key: &str) -> f64 {
    r[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {r}"))
}

#[test]
fn harness_smoke_measures_every_available_tool() {
    if Command::new("python3").arg("--version").output().is_err() {
        skip("python3 is not installed");
        return;
    }
    let out =
        OutDir(std::env::temp_dir().join(format!("bigflame-harness-smoke-{}", std::process::id())));
    let status = Command::new("python3")
        .arg(root().join("benches/harness/run.py"))
        .arg("--smoke")
        .arg("--bigflame")
        .arg(env!("CARGO_BIN_EXE_bigflame"))
        .arg("--out")
        .arg(&out.0)
        .status()
        .expect("python3 runs");
    assert!(status.success(), "run.py --smoke failed: {status}");

    let text = std::fs::read_to_string(out.0.join("results.json")).expect("results.json");
    let results: Value = serde_json::from_str(&text).expect("valid JSON");
    let file = root().join("corpus/mixed-workload.perf.txt");
    let bytes = std::fs::metadata(&file).expect("corpus file").len() as f64;
    let cam = &results["camera_path"];
    let zoom_steps = f(cam, "zoom_steps");
    let pan_steps = f(cam, "pan_steps");

    let head = run("bigflame-headless", &results).expect("bigflame headless always runs");
    assert_eq!(f(head, "file_bytes"), bytes);
    assert_eq!(f(head, "frames"), f(cam, "bench_frames"));
    let first = f(head, "first_frame_s");
    assert!(first > 0.0 && first >= f(head, "load_s") + f(head, "index_s"));
    assert!(f(head, "frame_p50_ms") > 0.0 && f(head, "frame_p99_ms") >= f(head, "frame_p50_ms"));
    assert!(f(head, "peak_rss_mb") > 1.0 && f(head, "peak_anon_mb") > 0.0);
    assert!((f(head, "ingest_mb_s") * f(head, "load_s") * 1e6 - bytes).abs() < 1.0);

    let ours = run("bigflame-collapse", &results).expect("bigflame collapse always runs");
    assert!(f(ours, "folded_samples") > 0.0);
    if let Some(inferno) = run("inferno-collapse-perf", &results) {
        assert_eq!(f(inferno, "folded_samples"), f(ours, "folded_samples"));
        assert!(f(inferno, "peak_rss_mb") > 0.0);
    }
    if let Some(window) = run("bigflame-window", &results) {
        assert!(f(window, "first_frame_s") > 0.0);
        // Coalesced wheel events draw fewer frames than steps, never none.
        assert!(f(window, "frames") >= 1.0);
        assert!(f(window, "peak_rss_mb") > 1.0);
    }
    if let Some(ss) = run("speedscope", &results) {
        assert!(f(ss, "first_frame_s") > 0.0);
        // The whole path, unless its time budget cut it short (a loaded CI machine).
        if ss["path_complete"].as_bool() == Some(true) {
            assert_eq!(f(ss, "frames"), 2.0 * zoom_steps + pan_steps);
        } else {
            eprintln!("speedscope's path was cut short: {}", ss["path_error"]);
            assert!(f(ss, "frames") >= 1.0);
        }
        // The browser's processes, not the Node driver: Chromium needs well over 50 MB.
        assert!(f(ss, "peak_rss_mb") > 50.0 && f(ss, "max_processes") >= 2.0);
    }

    let md = std::fs::read_to_string(out.0.join("report.md")).expect("report.md");
    assert!(md.contains("## Headline") && md.contains("mixed-workload.perf.txt"));
    let svg = std::fs::read_to_string(out.0.join("chart.svg")).expect("chart.svg");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
}
