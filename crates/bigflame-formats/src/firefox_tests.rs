use super::*;
use bigflame_model::StackId;

#[test]
fn locations_parse_like_speedscope_reads_them() {
    assert_eq!(
        parse_location("render (https://x/app.js:12:5)"),
        Some(Location {
            name: "render",
            file: "https://x/app.js",
            line: 12,
            column: 5
        })
    );
    // Like speedscope's greedy pattern, the last "(" after a blank opens the file part.
    let l = parse_location("f/< (http://a/b (1).js:7)").unwrap();
    assert_eq!(
        (l.name, l.file, l.line, l.column),
        ("f/< (http://a/b", "1).js", 7, 0)
    );
    let l = parse_location("x (a.js)").unwrap();
    assert_eq!((l.name, l.file, l.line), ("x", "a.js", 0));
    // C++ pseudo-frames and Firefox's own JavaScript are dropped.
    assert_eq!(parse_location("XRE_InitChildProcess"), None);
    assert_eq!(parse_location("(root)"), None);
    assert_eq!(parse_location("Array.map (self-hosted:222:3)"), None);
    assert_eq!(
        parse_location("emit (resource://devtools/shared/base-loader.js -> resource://x.js:1:2)"),
        None
    );
}

/// A DevTools export with one thread: stacks 0 = (root), 1 = main, 2 = main;C++ frame;work.
const DOC: &str = r#"{"label": "t", "duration": 10, "profile": {"libs": [], "meta": {},
  "threads": [{"name": "GeckoMain", "pid": 7, "tid": 9,
    "stringTable": ["(root)", "main (a.js:1)", "PresShell::Paint", "work (a.js:5:3)"],
    "frameTable": {"schema": {"location": 0, "line": 3}, "data": [[0], [1], [2], [3]]},
    "stackTable": {"schema": {"prefix": 0, "frame": 1},
                   "data": [[null, 0], [0, 1], [1, 2], [2, 3]]},
    "samples": {"schema": {"stack": 0, "time": 1},
                "data": [[0, 1.0], [1, 2.0], [3, 4.5], [1, 5.0], [0, 6.0], [3, 7.0]]}}]}}"#;

#[test]
fn samples_replay_as_intervals_between_sample_times() {
    let p = import(DOC.as_bytes(), "f.json", &ImportOptions::default()).unwrap();
    assert_eq!(
        p.thread_label(bigflame_model::ThreadId::from_index(0)),
        "GeckoMain 7/9"
    );
    let c = p.threads[0].samples(EventId(0));
    let names = |s: StackId| -> Vec<String> {
        p.stacks
            .path(s)
            .iter()
            .map(|&f| p.frame_name(f).to_string())
            .collect()
    };
    let got: Vec<(u64, f64, Vec<String>)> = (0..c.len())
        .map(|i| (c.time_ns[i] / 100_000, c.weight[i] / 1e6, names(c.stack[i])))
        .collect();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    // Worked out by hand: (root) is idle (nothing before the first frame), the C++ frame is
    // dropped, the last sample counts zero.
    assert_eq!(
        got,
        vec![
            (20, 2.5, s(&["main"])),
            (45, 0.5, s(&["main", "work"])),
            (50, 1.0, s(&["main"])),
            (60, 1.0, vec![]),
            (70, 0.0, s(&["main"])),
            (70, 0.0, s(&["main", "work"])),
        ]
    );
}

#[test]
fn bad_documents_are_refused_with_the_thread_named() {
    let e = import(
        br#"{"profile": {"threads": [{"name": "T"}]}}"#,
        "f.json",
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("thread \"T\""), "{e}");
    let e = import(br#"{"label": 1}"#, "f.json", &ImportOptions::default()).unwrap_err();
    assert!(e.to_string().contains("\"threads\""), "{e}");
    // A stack index past the table and a prefix pointing forward do not loop or panic.
    let doc = DOC
        .replace("[[0, 1.0], [1, 2.0]", "[[99, 1.0], [1, 2.0]")
        .replace("[null, 0], [0, 1]", "[3, 0], [0, 1]");
    let p = import(doc.as_bytes(), "f.json", &ImportOptions::default()).unwrap();
    assert_eq!(p.meta.skipped.total(), 1);
}

/// A raw Gecko thread whose stack table is one chain `f;f;...;f` of `depth` rows, with `samples`
/// samples 1 ms apart, all on the deepest stack.
fn deep_chain_doc(depth: usize, samples: usize) -> String {
    let stacks: Vec<String> = (0..depth)
        .map(|i| match i {
            0 => "[null,0]".to_string(),
            _ => format!("[{},0]", i - 1),
        })
        .collect();
    let rows: Vec<String> = (0..samples)
        .map(|t| format!("[{},{t}.0]", depth - 1))
        .collect();
    format!(
        r#"{{"meta": {{}}, "libs": [], "threads": [{{"name": "T",
  "stringTable": ["f (a.js:1:1)"],
  "frameTable": {{"schema": {{"location": 0}}, "data": [[0]]}},
  "stackTable": {{"schema": {{"prefix": 0, "frame": 1}}, "data": [{}]}},
  "samples": {{"schema": {{"stack": 0, "time": 1}}, "data": [{}]}}}}]}}"#,
        stacks.join(","),
        rows.join(",")
    )
}

#[test]
fn deep_stacks_sampled_many_times_cost_linear_time() {
    // Fuzzing regression: every sample used to walk its stack's prefix chain and compare it with
    // the open frames, O(samples x depth) for an O(samples + depth) input (20,000 x 20,000 steps
    // here: tens of seconds). Unchanged stacks now cost O(1) and a change costs the frames it
    // opens and closes.
    let (depth, samples) = (20_000, 20_000);
    let doc = deep_chain_doc(depth, samples);
    // (No timing assertion: the old code took tens of seconds on this input, which shows in the
    // test run; speed itself is measured in benches.)
    let p = import(doc.as_bytes(), "deep.json", &ImportOptions::default()).unwrap();
    // Worked out by hand: one interval of (samples - 1) ms on the full chain (the last sample has
    // no end), preceded by the zero-weight samples of its prefixes as they open at time 0.
    let c = p.threads[0].samples(EventId(0));
    let total: f64 = c.weight.iter().sum();
    assert_eq!(total, (samples - 1) as f64 * 1e6);
    let deepest = *c.stack.last().unwrap();
    assert_eq!(p.stacks.path(deepest).len(), depth);
    assert_eq!(p.frames.len(), 1);
}
