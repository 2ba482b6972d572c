//! The viewer's modes through `--script`: thread lanes (`m`), colours (`c`), Ctrl+S (speedscope
//! JSON next to the input, re-imported by `bigflame info`), and skipped records shown in the
//! window's state as well as on stderr.

use crate::viewer_script::{corpus, f, run_script, run_script_on};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// A private temp folder, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("bigflame-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn m_stacks_the_heaviest_threads_on_one_timeline() {
    let states = run_script("dump\nkey m\ndump\nctrl-wheel 2\ndump\nkey m\n");
    let (before, lanes, zoomed, back) = (&states[0], &states[1], &states[2], &states[3]);
    assert_eq!(before["lanes"], Value::Null);
    let n = f(lanes, "/lanes/count") as usize;
    let threads = f(before, "/thread_count") as usize;
    assert_eq!(n, threads.min(16), "the heaviest threads, at most 16");
    assert!(n >= 2);
    // Heaviest first, as the thread picker lists them, each lane below the previous one.
    let labels: Vec<&str> = (0..n)
        .map(|i| {
            lanes["lanes"]["lanes"][i]["thread"]
                .as_str()
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        Some(labels[0]),
        before["thread_label"]
            .as_str()
            .and_then(|l| l.rsplit_once(" (").map(|x| x.0))
    );
    let tops: Vec<f64> = (0..n)
        .map(|i| f(lanes, &format!("/lanes/lanes/{i}/top_px")))
        .collect();
    assert!(tops.windows(2).all(|w| w[0] < w[1]), "{tops:?}");
    // One timeline: the extent covers every lane's, which all start at the profile's origin.
    let (x0, x1) = (f(lanes, "/extent/0"), f(lanes, "/extent/1"));
    for i in 0..n {
        let (a, b) = (
            f(lanes, &format!("/lanes/lanes/{i}/extent/0")),
            f(lanes, &format!("/lanes/lanes/{i}/extent/1")),
        );
        assert!(a >= x0 && b <= x1, "lane {i} inside the shared extent");
    }
    assert_eq!(lanes["minimap"], Value::Null);
    // Zooming moves the one shared camera.
    let w = |v: &Value| f(v, "/camera/x1") - f(v, "/camera/x0");
    assert!(w(zoomed) < w(lanes) * 0.9);
    assert_eq!(back["lanes"], Value::Null);
    assert_eq!(back["view"], "time-order");
}

#[test]
fn c_cycles_name_module_and_the_palettes() {
    let states = run_script("key c\ndump\nkey c\ndump\nkey 2\nkey c\n");
    assert_eq!(states[0]["colors"], "module");
    assert_eq!(states[1]["colors"], "mem");
    assert_eq!(states[2]["colors"], "io", "kept across views");
}

#[test]
fn ctrl_s_saves_speedscope_json_that_reimports() {
    let dir = TempDir::new("save");
    let input = dir.0.join("mixed.perf.txt");
    std::fs::copy(corpus("mixed-workload.perf.txt"), &input).expect("copy");
    let states = run_script_on(&input, "key r\nkey ctrl+s\n");
    let saved = dir.0.join("mixed.perf.txt.speedscope.json");
    assert_eq!(
        states[0]["notice"].as_str(),
        Some(format!("saved {}", saved.display()).as_str())
    );
    assert!(saved.is_file());
    // The loaded profile (not the collapsed one) went out: same samples and weight back.
    let info = |p: &PathBuf| -> Value {
        let out = Command::new(env!("CARGO_BIN_EXE_bigflame"))
            .args(["info", "--json"])
            .arg(p)
            .output()
            .expect("bigflame info runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("info --json")
    };
    let (a, b) = (info(&input), info(&saved));
    assert!(
        b["format"]
            .as_str()
            .is_some_and(|f| f.starts_with("speedscope")),
        "{b}"
    );
    assert_eq!(a["samples"], b["samples"], "{a}\n{b}");
    let (wa, wb) = (f(&a, "/total_weight"), f(&b, "/total_weight"));
    assert!((wa - wb).abs() <= 1e-9 * wa, "total weight {wa} vs {wb}");
}

#[test]
fn skipped_records_are_in_the_window_and_on_stderr() {
    let dir = TempDir::new("skipped");
    let input = dir.0.join("bad.folded");
    std::fs::write(
        &input,
        "main;work 3\nno count here\nmain;other 2\nalso bad\n",
    )
    .expect("write");
    let states = run_script_on(&input, "");
    let w = &states[0]["warnings"];
    assert!(
        w[0].as_str()
            .is_some_and(|s| s.starts_with("skipped 2 ") && s.contains("line 2")),
        "{w}"
    );
}

#[test]
fn lanes_follow_the_thread_pickers_filter() {
    let states = run_script("key t\ntype python3\nkey enter\nkey m\n");
    let lanes = &states[0]["lanes"];
    let n = f(&states[0], "/lanes/count") as usize;
    assert!(n >= 2, "{lanes}");
    for i in 0..n {
        let label = lanes["lanes"][i]["thread"].as_str().unwrap_or_default();
        assert!(label.starts_with("python3 "), "lane {i}: {label}");
    }
    // Heaviest first: the picked thread (the first match) is the first lane.
    let shown = states[0]["thread_label"].as_str().unwrap_or_default();
    assert!(shown.starts_with(lanes["lanes"][0]["thread"].as_str().unwrap_or("?")));
}
