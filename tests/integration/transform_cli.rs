//! The transform flags (`--merge`, `--focus`, `--time-range`...) end to end through `collapse`,
//! `top` and `info`. Every expected output is worked out by hand from the input written here.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `main;a;b 1 / main;a;c 2 / main;b 3 / main;a;b;b 4 / main 5` (total 15).
const FOLDED: &str = "main;a;b 1\nmain;a;c 2\nmain;b 3\nmain;a;b;b 4\nmain 5\n";

fn tmp(tag: &str, name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bigflame-transform-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write input");
    path
}

fn run(cmd: &str, input: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bigflame"))
        .arg(cmd)
        .arg(input)
        .args(args)
        .output()
        .expect("bigflame runs")
}

/// `bigflame collapse INPUT ARGS` stdout; panics on failure.
fn collapse(input: &Path, args: &[&str]) -> String {
    let out = run("collapse", input, args);
    assert!(
        out.status.success(),
        "collapse {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn each_transform_on_a_folded_profile() {
    let f = tmp("each", "in.folded", FOLDED);
    // Merge a: its callees attach to main.
    assert_eq!(
        collapse(&f, &["--merge", "a"]),
        "main 5\nmain;b 4\nmain;b;b 4\nmain;c 2\n"
    );
    // Focus on b: stacks through b, cut at the outermost b.
    assert_eq!(collapse(&f, &["--focus-function", "b"]), "b 4\nb;b 4\n");
    // Focus on the subtree main;a, which becomes the root.
    assert_eq!(
        collapse(&f, &["--focus", "main;a"]),
        "a;b 1\na;b;b 4\na;c 2\n"
    );
    // Drop a and c everywhere.
    assert_eq!(
        collapse(&f, &["--drop", "^(a|c)$"]),
        "main 7\nmain;b 4\nmain;b;b 4\n"
    );
    assert_eq!(
        collapse(&f, &["--invert"]),
        "b;a;main 1\nb;b;a;main 4\nb;main 3\nc;a;main 2\nmain 5\n"
    );
    assert_eq!(
        collapse(&f, &["--collapse-recursion"]),
        "main 5\nmain;a;b 5\nmain;a;c 2\nmain;b 3\n"
    );
    // No timestamps: the range is cumulative weight. Extents 0..1, 1..3, 3..6, 6..10, 10..15;
    // 1..7 keeps main;a;c whole, main;b whole and 1 of main;a;b;b.
    assert_eq!(
        collapse(&f, &["--time-range", "1..7"]),
        "main;a;b;b 1\nmain;a;c 2\nmain;b 3\n"
    );
}

#[test]
fn transforms_combine_in_the_documented_order() {
    let f = tmp("combo", "in.folded", FOLDED);
    // Focus applies before invert, whatever the flag order: a;b 1, a;c 2, a;b;b 4 reversed.
    assert_eq!(
        collapse(&f, &["--invert", "--focus", "main;a"]),
        "b;a 1\nb;b;a 4\nc;a 2\n"
    );
    // Merge a, then collapse recursion: main;b 1+3, main;b;b 4 → main;b 8.
    assert_eq!(
        collapse(&f, &["--collapse-recursion", "--merge", "a"]),
        "main 5\nmain;b 8\nmain;c 2\n"
    );
}

/// A perf script of one thread, a sample every 1 ms for 100 ms from t = 10 s: `main;work_a` the
/// first 50 ms, `main;work_b;malloc;_int_malloc` (libc) the last 50 ms; period 1,000,000 each.
fn perf_script() -> String {
    let mut s = String::new();
    for i in 0..100u32 {
        let t = 10.0 + f64::from(i) * 0.001;
        s.push_str(&format!("prog 100/100 {t:.6}: 1000000 cpu-clock:\n"));
        if i < 50 {
            s.push_str("\t    401100 work_a+0x10 (/usr/bin/prog)\n");
        } else {
            s.push_str("\t    7f0200 _int_malloc+0x8 (/lib/libc.so.6)\n");
            s.push_str("\t    7f0100 malloc+0x10 (/lib/libc.so.6)\n");
            s.push_str("\t    401200 work_b+0x10 (/usr/bin/prog)\n");
        }
        s.push_str("\t    401000 main+0x20 (/usr/bin/prog)\n\n");
    }
    s
}

#[test]
fn time_range_is_seconds_since_the_first_sample() {
    let p = tmp("range", "in.perf.txt", &perf_script());
    assert_eq!(
        collapse(&p, &["--time-range", "0.05..0.1"]),
        "prog;main;work_b;malloc;_int_malloc 50000000\n"
    );
    // 25..50 ms: samples 25 to 49, all work_a.
    assert_eq!(
        collapse(&p, &["--time-range", "0.025..0.05"]),
        "prog;main;work_a 25000000\n"
    );
}

#[test]
fn modules_collapse_and_group() {
    let p = tmp("modules", "in.perf.txt", &perf_script());
    assert_eq!(
        collapse(&p, &["--collapse-module", "libc.so.6"]),
        "prog;main;work_a 50000000\nprog;main;work_b;/lib/libc.so.6 50000000\n"
    );
    assert_eq!(
        collapse(&p, &["--group-by", "module"]),
        "prog;/usr/bin/prog 50000000\nprog;/usr/bin/prog;/lib/libc.so.6 50000000\n"
    );
    // Function granularity changes nothing here (one frame per function already).
    assert_eq!(collapse(&p, &["--group-by", "function"]), collapse(&p, &[]));
}

#[test]
fn top_and_info_see_the_transformed_profile() {
    let f = tmp("top", "in.folded", FOLDED);
    let out = run("top", &f, &["--merge", "a", "-n", "2"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = text.lines().skip(1).take(2).collect();
    // Self after merging a: b 1 + 3 + 4 = 8 of 15 (53.33 %), main 5 (33.33 %).
    assert!(
        rows[0].starts_with("  53.33%") && rows[0].ends_with("  b"),
        "{text}"
    );
    assert!(
        rows[1].starts_with("  33.33%") && rows[1].ends_with("  main"),
        "{text}"
    );
    let out = run("info", &f, &["--json", "--focus-function", "b"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    // main;a;b 1, main;b 3, main;a;b;b 4.
    assert_eq!(v["samples"], 3);
    assert_eq!(v["total_weight"], 8.0);
    let notes = v["notes"].to_string();
    assert!(notes.contains("transforms: focus function b"), "{notes}");
}

#[test]
fn bad_transforms_fail_with_a_message() {
    let f = tmp("bad", "in.folded", FOLDED);
    for (args, needle) in [
        (&["--merge", "nope"][..], "no function named \"nope\""),
        (&["--focus", "a;b"][..], "no stack starts with \"a;b\""),
        (&["--drop", "("][..], "--drop"),
        (&["--time-range", "5..1"][..], "--time-range"),
        (&["--collapse-module", "libm.so"][..], "libm.so"),
    ] {
        let out = run("collapse", &f, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}
