//! Unit tests of the JSON importers: small documents whose samples, weights and times are worked
//! out by hand in the comments, and bad input (truncated, wrong types, deep nesting, huge values,
//! invalid UTF-8) that must give a located error, never a panic.

use super::{cpuprofile, heap_profile, speedscope, trace_event};
use crate::driver::ImportOptions;
use crate::error::ImportError;
use bigflame_model::{EventId, Profile, WeightUnit};

pub(super) type Importer = fn(&[u8], &str, &ImportOptions) -> Result<Profile, ImportError>;

pub(super) fn run(import: Importer, text: &str) -> Profile {
    match import(text.as_bytes(), "t.json", &ImportOptions::default()) {
        Ok(p) => p,
        Err(e) => panic!("import failed: {e}"),
    }
}

fn fails(import: Importer, data: &[u8]) -> String {
    match import(data, "t.json", &ImportOptions::default()) {
        Ok(_) => panic!("imported bad input"),
        Err(e) => e.to_string(),
    }
}

/// Each sample of thread `t` as `(time_ns, "a;b", weight)`.
pub(super) fn samples(p: &Profile, t: usize) -> Vec<(Option<u64>, String, f64)> {
    let cols = p.threads[t].samples(EventId(0));
    (0..cols.len())
        .map(|i| {
            let path: Vec<&str> = p
                .stacks
                .path(cols.stack[i])
                .iter()
                .map(|&f| p.frame_name(f))
                .collect();
            (cols.time_ns.get(i).copied(), path.join(";"), cols.weight[i])
        })
        .collect()
}

pub(super) fn s(time: Option<u64>, stack: &str, weight: f64) -> (Option<u64>, String, f64) {
    (time, stack.to_string(), weight)
}

#[test]
fn speedscope_sampled_drops_zero_weights_and_converts_units() {
    // startValue 10 ms; weights 2, 0, 3 ms: the zero-weight sample goes, times are 10 and 12 ms.
    let p = run(
        speedscope::import,
        r#"{"$schema":"https://www.speedscope.app/file-format-schema.json",
            "shared":{"frames":[{"name":"a","file":"a.py","line":3},{"name":"b"}]},
            "profiles":[{"type":"sampled","name":"main","unit":"milliseconds","startValue":10,
              "endValue":15,"samples":[[0,1],[0],[0,1]],"weights":[2,0,3]}]}"#,
    );
    assert_eq!(p.events[0].unit, WeightUnit::Nanoseconds);
    assert_eq!(
        samples(&p, 0),
        vec![
            s(Some(10_000_000), "a;b", 2e6),
            s(Some(12_000_000), "a;b", 3e6)
        ]
    );
    assert_eq!(p.strings.get(p.threads[0].name), "main");
    assert_eq!(
        p.frames
            .get(p.stacks.frame(p.threads[0].samples[0].stack[0]))
            .line,
        0
    );
}

#[test]
fn speedscope_samples_sharing_callers_keep_their_own_stacks() {
    // Consecutive samples reuse the interned prefix they share with the previous one: longer,
    // shorter, diverging and unrelated samples all keep their own path; the stack table holds the
    // 5 distinct prefixes (a, a;b, a;b;c, a;d, b).
    let p = run(
        speedscope::import,
        r#"{"shared":{"frames":[{"name":"a"},{"name":"b"},{"name":"c"},{"name":"d"}]},
            "profiles":[{"type":"sampled","name":"m","unit":"none","startValue":0,"endValue":6,
              "samples":[[0,1,2],[0,1],[0,3],[0,1,2],[1],[0,1,2]],"weights":[1,1,1,1,1,1]}]}"#,
    );
    let paths: Vec<String> = samples(&p, 0).into_iter().map(|x| x.1).collect();
    assert_eq!(paths, ["a;b;c", "a;b", "a;d", "a;b;c", "b", "a;b;c"]);
    assert_eq!(p.stacks.len(), 5);
}

#[test]
fn speedscope_evented_profiles_become_intervals() {
    // a [0, 4) with b [1, 3) inside: a 1, a;b 2, a 1 (unit none = samples).
    let p = run(
        speedscope::import,
        r#"{"shared":{"frames":[{"name":"a"},{"name":"b"}]},"profiles":[
            {"type":"evented","name":"p","unit":"none","startValue":0,"endValue":4,"events":[
              {"type":"O","frame":0,"at":0},{"type":"O","frame":1,"at":1},
              {"type":"C","frame":1,"at":3},{"type":"C","frame":0,"at":4}]},
            {"type":"evented","name":"p","unit":"none","startValue":0,"endValue":1,"events":[
              {"type":"O","frame":1,"at":0},{"type":"C","frame":1,"at":1}]}]}"#,
    );
    assert_eq!(p.events[0].unit, WeightUnit::Samples);
    assert_eq!(
        samples(&p, 0),
        vec![
            s(Some(0), "a", 1.0),
            s(Some(1), "a;b", 2.0),
            s(Some(3), "a", 1.0)
        ]
    );
    // Two profiles with one name stay two threads.
    assert_eq!(p.threads.len(), 2);
    assert_eq!(p.strings.get(p.threads[1].name), "p (2)");
}

#[test]
fn speedscope_invalid_files_are_refused_with_the_reason() {
    let e = fails(
        speedscope::import,
        br#"{"shared":{"frames":[{"name":"A"},{"name":"B"}]},"profiles":[{"type":"evented",
            "name":"p","unit":"none","startValue":0,"endValue":9,"events":[
            {"type":"O","frame":0,"at":0},{"type":"C","frame":1,"at":4}]}]}"#,
    );
    assert_eq!(
        e,
        "t.json: profile 0: events[1] at 4 closes frame \"B\" while \"A\" is the innermost open frame"
    );
    let e = fails(
        speedscope::import,
        br#"{"shared":{"frames":[{"name":"A"}]},"profiles":[{"type":"sampled","unit":"none",
            "samples":[[0],[3]],"weights":[1,1]}]}"#,
    );
    assert!(
        e.contains("samples[1] names frame 3 but there are 1 shared frames"),
        "{e}"
    );
    let e = fails(
        speedscope::import,
        br#"{"shared":{"frames":[]},"profiles":3}"#,
    );
    assert_eq!(e, "t.json: no \"profiles\" array");
}

pub(super) const CPU: &str = r#"{"nodes":[
  {"id":1,"callFrame":{"functionName":"(root)","url":"","lineNumber":-1,"columnNumber":-1},"children":[2,4,5]},
  {"id":2,"callFrame":{"functionName":"a","url":"file:///x.js","lineNumber":0,"columnNumber":9},"children":[3]},
  {"id":3,"callFrame":{"functionName":"","url":"file:///x.js","lineNumber":5,"columnNumber":2}},
  {"id":4,"callFrame":{"functionName":"(idle)","url":"","lineNumber":-1,"columnNumber":-1}},
  {"id":5,"callFrame":{"functionName":"(garbage collector)","url":"","lineNumber":-1,"columnNumber":-1}}],
 "startTime":1000,"endTime":2000,
 "samples":[2,3,3,5,4,2],"timeDeltas":[100,10,10,10,10,10]}"#;

#[test]
fn cpuprofile_samples_last_until_the_next_run() {
    // Elapsed µs per sample: 100 110 120 130 140 150. Runs: a@100, a;anon@110 (120 is the same
    // node), GC@130 on top of the previous stack, idle@140, a@150 (the last: 0 long).
    let p = run(cpuprofile::import, CPU);
    assert_eq!(p.events[0].unit, WeightUnit::Nanoseconds);
    assert_eq!(
        samples(&p, 0),
        vec![
            s(Some(1_100_000), "a", 10_000.0),
            s(Some(1_110_000), "a;(anonymous x.js:6)", 20_000.0),
            s(
                Some(1_130_000),
                "a;(anonymous x.js:6);(garbage collector)",
                10_000.0
            ),
            s(Some(1_140_000), "", 10_000.0),
            s(Some(1_150_000), "a", 0.0),
        ]
    );
    // Lines and columns are stored 1-based.
    let anon = p.stacks.frame(p.threads[0].samples[0].stack[1]);
    assert_eq!((p.frames.get(anon).line, p.frames.get(anon).column), (6, 3));
}

#[test]
fn cpuprofile_negative_deltas_never_move_time_back() {
    // Elapsed 0, 10, 5: the third run starts at 10 (the last valid time), so it lasts 0.
    let text = CPU.replace(
        r#""samples":[2,3,3,5,4,2],"timeDeltas":[100,10,10,10,10,10]"#,
        r#""samples":[2,3,2],"timeDeltas":[0,10,-5]"#,
    );
    let p = run(cpuprofile::import, &text);
    let got: Vec<f64> = samples(&p, 0).into_iter().map(|x| x.2).collect();
    assert_eq!(got, vec![10_000.0, 0.0, 0.0]);
}

#[test]
fn node10_head_trees_are_flattened() {
    // startTime in seconds; timestamps absolute µs: deltas 5, 10, 20 -> b 10 µs, c 20 µs, b 0.
    let p = run(
        cpuprofile::import,
        r#"{"head":{"functionName":"(root)","url":"","lineNumber":0,"id":1,"children":[
             {"functionName":"b","url":"","lineNumber":2,"id":2,"children":[
               {"functionName":"c","url":"","lineNumber":4,"id":3,"children":[]}]}]},
            "startTime":1,"endTime":2,"samples":[2,3,2],"timestamps":[1000005,1000015,1000035]}"#,
    );
    assert_eq!(
        samples(&p, 0),
        vec![
            s(Some(1_000_005_000), "b", 10_000.0),
            s(Some(1_000_015_000), "b;c", 20_000.0),
            s(Some(1_000_035_000), "b", 0.0),
        ]
    );
}

#[test]
fn heap_profiles_weigh_each_node_by_its_self_size() {
    let p = run(
        heap_profile::import,
        r#"{"head":{"callFrame":{"functionName":"(root)","url":"","lineNumber":-1,"columnNumber":-1},
            "selfSize":0,"children":[
              {"callFrame":{"functionName":"a","url":"","lineNumber":0,"columnNumber":0},"selfSize":10,
               "children":[{"callFrame":{"functionName":"","url":"/s/m.js","lineNumber":7,"columnNumber":1},
                 "selfSize":5,"children":[]}]},
              {"callFrame":{"functionName":"c","url":"","lineNumber":0,"columnNumber":0},"selfSize":0,
               "children":[{"callFrame":{"functionName":"d","url":"","lineNumber":0,"columnNumber":0},
                 "selfSize":7,"children":[]}]}]}}"#,
    );
    assert_eq!(p.events[0].unit, WeightUnit::Bytes);
    assert_eq!(
        samples(&p, 0),
        vec![
            s(None, "(root);a", 10.0),
            s(None, "(root);a;(anonymous m.js:7)", 5.0),
            s(None, "(root);c;d", 7.0),
        ]
    );
}

#[test]
fn trace_events_follow_begin_end_and_complete_events() {
    // Thread 1/2: a B@10..E@20 holding X b@12 dur 3 (args -> part of the name); all times µs,
    // rebased on the earliest event (10).
    let p = run(
        trace_event::import,
        r#"{"traceEvents":[
            {"ph":"M","pid":1,"tid":2,"name":"thread_name","args":{"name":"worker"}},
            {"ph":"M","pid":1,"name":"process_name","args":{"name":"app"}},
            {"ph":"B","pid":1,"tid":2,"ts":10,"name":"a"},
            {"ph":"X","pid":1,"tid":2,"ts":12,"dur":3,"name":"b","args":{"k":[1,"x\"y"],"n":null}},
            {"ph":"E","pid":1,"tid":2,"ts":20,"name":"a"},
            {"ph":"i","pid":1,"tid":2,"ts":25,"name":"ignored"}]}"#,
    );
    assert_eq!(
        samples(&p, 0),
        vec![
            s(Some(0), "a", 2000.0),
            s(Some(2000), r#"a;b {"k":[1,"x\"y"],"n":null}"#, 3000.0),
            s(Some(5000), "a", 5000.0),
        ]
    );
    assert_eq!(
        p.thread_label(bigflame_model::ThreadId(0)),
        "worker (app) 1/2"
    );
}

#[test]
fn truncated_traces_import_their_complete_events_with_a_note() {
    let text = r#"[{"ph":"B","pid":0,"tid":0,"ts":0,"name":"a"},
                  {"ph":"E","pid":0,"tid":0,"ts":4,"name":"a"},
                  {"ph":"B","pid":0,"tid":0,"ts":5,"na"#;
    let p = run(trace_event::import, text);
    assert_eq!(samples(&p, 0), vec![s(Some(0), "a", 4000.0)]);
    assert!(p.meta.notes[0].contains("cut off"), "{:?}", p.meta.notes);
}

#[test]
fn sampled_traces_weigh_samples_by_the_time_to_the_next() {
    // Samples at 100, 130, 200 µs: 30 and 70 µs; the last weighs 0 and is dropped.
    let p = run(
        trace_event::import,
        r#"{"traceEvents":[{"ph":"M","pid":7,"tid":"3","name":"thread_name","args":{"name":"js"}}],
            "samples":[{"pid":7,"tid":"3","ts":"100","sf":2},{"pid":7,"tid":"3","ts":"130","sf":1},
                       {"pid":7,"tid":"3","ts":"200","sf":2}],
            "stackFrames":{"1":{"name":"root","category":"R"},"2":{"name":"f","category":"JS","parent":1}}}"#,
    );
    assert_eq!(
        samples(&p, 0),
        vec![
            s(Some(100_000), "root;f", 30_000.0),
            s(Some(130_000), "root", 70_000.0)
        ]
    );
    let e = fails(
        trace_event::import,
        br#"{"traceEvents":[],"samples":[{"pid":1,"tid":1,"ts":1,"sf":9},{"pid":1,"tid":1,"ts":2,"sf":9}],"stackFrames":{}}"#,
    );
    assert!(e.contains("names stack frame 9"), "{e}");
}

#[test]
fn devtools_traces_assemble_profile_chunks() {
    // One Profile (startTime 50) and two chunks: nodes root > f, samples f f f, deltas 0 7 5.
    let p = run(
        trace_event::import,
        r#"[{"pid":1,"tid":1,"ph":"P","cat":"x","name":"Profile","id":"0x1","ts":1,"args":{"data":{"startTime":50}}},
            {"pid":1,"tid":1,"ph":"P","cat":"x","name":"ProfileChunk","id":"0x1","ts":2,"args":{"data":{
              "cpuProfile":{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"}},
                                     {"id":2,"parent":1,"callFrame":{"functionName":"f","url":"u.js","lineNumber":1,"columnNumber":1}}],
                            "samples":[2,1]},"timeDeltas":[0,7]}}},
            {"pid":1,"tid":1,"ph":"P","cat":"x","name":"ProfileChunk","id":"0x1","ts":3,"args":{"data":{
              "cpuProfile":{"samples":[2]},"timeDeltas":[5]}}}]"#,
    );
    // Runs: f@0 (7 µs), root-only (idle) @7 (5 µs), f@12 (0).
    assert_eq!(
        samples(&p, 0),
        vec![
            s(Some(50_000), "f", 7000.0),
            s(Some(57_000), "", 5000.0),
            s(Some(62_000), "f", 0.0)
        ]
    );
}

/// Every importer on every kind of bad input: an error naming the file, never a panic.
#[test]
fn bad_input_gives_located_errors() {
    let importers: [(&str, Importer); 4] = [
        ("speedscope", speedscope::import),
        ("cpuprofile", cpuprofile::import),
        ("trace", trace_event::import),
        ("heap", heap_profile::import),
    ];
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_obj = format!("{}1{}", r#"{"head":"#.repeat(100_000), "}".repeat(100_000));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "truncated",
            br#"{"nodes":[{"id":1,"callFrame":{"functionName":"#.to_vec(),
        ),
        (
            "wrong types",
            br#"{"nodes":"x","head":"y","profiles":{},"traceEvents":1}"#.to_vec(),
        ),
        ("deep arrays", deep.into_bytes()),
        ("deep objects", deep_obj.into_bytes()),
        (
            "invalid utf-8",
            b"{\"nodes\":[{\"id\":1,\"callFrame\":{\"functionName\":\"\xff\xfe\"}}]}".to_vec(),
        ),
        ("not json", b"\x00\x01garbage".to_vec()),
        ("scalar", b"42".to_vec()),
    ];
    for (what, data) in &cases {
        for (name, import) in importers {
            let e = fails(import, data);
            assert!(e.starts_with("t.json"), "{name} / {what}: {e}");
        }
    }
    // Syntax errors carry line and column.
    let e = fails(cpuprofile::import, b"{\n \"nodes\": [1,,2]}");
    assert!(e.starts_with("t.json:2:"), "{e}");
    let e = fails(
        heap_profile::import,
        format!("{}]", "[".repeat(20_000)).as_bytes(),
    );
    assert!(e.contains("nested deeper than 16384"), "{e}");
    let e = fails(speedscope::import, b"{\"a\":\"\xc3\x28\"}");
    assert!(e.contains("invalid UTF-8"), "{e}");
    let e = fails(
        cpuprofile::import,
        br#"{"nodes":[{"id":1}],"samples":[1,"x"]}"#,
    );
    assert_eq!(e, "t.json: samples[1] is a string, not a node id");
}

#[test]
fn huge_values_saturate_instead_of_allocating_or_overflowing() {
    // Values that claim enormous sizes or times: nothing is allocated from them and conversions to
    // integers saturate.
    let p = run(
        cpuprofile::import,
        r#"{"nodes":[{"id":9000000000000000000,"callFrame":{"functionName":"f","lineNumber":1e300,"columnNumber":-1e300}}],
            "startTime":1e308,"samples":[9000000000000000000,9000000000000000000,1],"timeDeltas":[1e308,1e308,1e308]}"#,
    );
    let got = samples(&p, 0);
    assert_eq!(got[0].0, Some(u64::MAX));
    let p = run(
        heap_profile::import,
        r#"{"head":{"callFrame":{"functionName":"x"},"selfSize":1e300,"children":[]},"samples":[{"size":1e300}]}"#,
    );
    assert_eq!(samples(&p, 0), vec![s(None, "x", 1e300)]);
    let p = run(
        speedscope::import,
        r#"{"shared":{"frames":[{"name":"a","line":1e300}]},"profiles":[{"type":"sampled","unit":"seconds",
            "startValue":1e300,"samples":[[0]],"weights":[1e300]}]}"#,
    );
    assert_eq!(samples(&p, 0)[0].0, Some(u64::MAX));
}

#[test]
fn json_flavours_are_sniffed_by_content() {
    use crate::format::Format;
    use crate::sniff::{Sniffed, sniff};
    let cases: [(&[u8], Format); 5] = [
        // An exporter that writes the schema last (past the sniffed head in a big file).
        (
            br#"{"profiles":[{"type":"sampled"}],"shared":{"frames":[]}}"#,
            Format::SpeedscopeJson,
        ),
        // A .cpuprofile whose nodes have no hitCount.
        (
            br#"{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"}}],"samples":[1],"timeDeltas":[0]}"#,
            Format::ChromeCpuProfile,
        ),
        (
            br#"{"traceEvents":[],"samples":[],"stackFrames":{}}"#,
            Format::ChromeTrace,
        ),
        (
            br#"[{"pid":1,"tid":1,"ph":"X","ts":0,"dur":1,"name":"a"}]"#,
            Format::ChromeTrace,
        ),
        (
            br#"{"head":{"callFrame":{"functionName":"(root)"},"selfSize":0,"children":[]}}"#,
            Format::V8HeapProfile,
        ),
    ];
    for (text, format) in cases {
        assert_eq!(
            sniff(text, true, None),
            Sniffed::Known(format),
            "{}",
            String::from_utf8_lossy(text)
        );
    }
}

#[test]
fn cpuprofile_fast_and_plain_paths_agree() {
    // The committed `node --cpu-prof` recording, and a variant the fast path must refuse (a float
    // delta) so the plain path reads it: same samples, times, weights and frames either way.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../corpus/node/workload.cpuprofile"
    );
    let data = std::fs::read(path).unwrap();
    let plain = cpuprofile::import_plain(&data, "w").unwrap();
    assert!(samples(&plain, 0).len() > 100);
    // One piece per array, and arrays cut in pieces of ~64 bytes (runs and delta sums crossing
    // piece boundaries), on 1 and 2 threads: identical to the plain path.
    for (threads, chunk_bytes) in [(1, 16 << 20), (2, 16 << 20), (1, 64), (2, 64), (2, 1000)] {
        let opts = ImportOptions {
            threads,
            chunk_bytes,
            ..ImportOptions::default()
        };
        let fast = super::cpu_fast::import_fast(&data, "w", &opts).expect("fast path taken");
        assert_eq!(
            samples(&fast, 0),
            samples(&plain, 0),
            "{threads} {chunk_bytes}"
        );
        assert_eq!(fast.frames.len(), plain.frames.len());
        assert_eq!(fast.stacks.len(), plain.stacks.len());
    }
    let text = String::from_utf8(data).unwrap();
    let floated = text.replacen("\"timeDeltas\":[", "\"timeDeltas\":[0.0,", 1);
    let floated = floated.replacen("\"samples\":[", "\"samples\":[1,", 1);
    let p = cpuprofile::import(floated.as_bytes(), "w", &ImportOptions::default()).unwrap();
    assert_eq!(samples(&p, 0).len(), samples(&plain, 0).len() + 1);
}
