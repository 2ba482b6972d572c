//! The project's own `.cpuprofile`, recorded with `node --cpu-prof` by `corpus/node/record.sh`
//! from `corpus/node/workload.js`, against totals computed here from the raw JSON with serde_json
//! (not by bigflame's importer) and against the counts the recording script wrote with node.
//!
//! The rules checked (speedscope's, see `bigflame_formats::json::cpuprofile`): sample `i` lasts
//! `timeDeltas[i + 1]` µs and the last sample lasts 0, so all samples together last the sum of the
//! deltas after the first (the first is the offset from `startTime`); a sample of `(idle)` or
//! `(root)` has an empty stack; consecutive samples of one node become one sample.

use bigflame_formats::{ImportOptions, import_path};
use bigflame_model::EventId;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

fn corpus(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../corpus/node")
        .join(name)
}

#[test]
fn node_cpu_prof_totals_match_the_raw_time_deltas() {
    let path = corpus("workload.cpuprofile");
    let raw: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("corpus file")).expect("corpus JSON");
    let totals: Value = serde_json::from_slice(
        &std::fs::read(corpus("workload.totals.json")).expect("totals written by record.sh"),
    )
    .expect("totals JSON");

    let samples: Vec<i64> = raw["samples"]
        .as_array()
        .expect("samples")
        .iter()
        .map(|v| v.as_i64().expect("node id"))
        .collect();
    let deltas: Vec<i64> = raw["timeDeltas"]
        .as_array()
        .expect("timeDeltas")
        .iter()
        .map(|v| v.as_i64().expect("integer delta"))
        .collect();
    assert_eq!(samples.len() as u64, totals["samples"].as_u64().unwrap());
    assert!(
        deltas[1..].iter().all(|&d| d >= 0),
        "the rule below assumes no negative delta"
    );
    let names: HashMap<i64, String> = raw["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| {
            let name = n["callFrame"]["functionName"]
                .as_str()
                .unwrap_or("")
                .to_string();
            (n["id"].as_i64().expect("id"), name)
        })
        .collect();
    let span_us: i64 = deltas[1..].iter().sum();
    assert_eq!(span_us, totals["sampled_span_us"].as_i64().unwrap());
    let idle = |id: &i64| matches!(names[id].as_str(), "(idle)" | "(root)");
    let busy_us: i64 = (0..samples.len() - 1)
        .filter(|&i| !idle(&samples[i]))
        .map(|i| deltas[i + 1])
        .sum();
    let runs = 1 + samples.windows(2).filter(|w| w[0] != w[1]).count();

    let p = import_path(&path, &ImportOptions::default()).expect("imports");
    assert_eq!(p.meta.format, "chrome-cpuprofile");
    assert_eq!(p.threads.len(), 1);
    let cols = p.threads[0].samples(EventId(0));
    let all: f64 = cols.weight.iter().sum();
    let busy: f64 = cols
        .stack
        .iter()
        .zip(&cols.weight)
        .filter(|(s, _)| !s.is_empty())
        .map(|(_, w)| w)
        .sum();
    assert_eq!(all, span_us as f64 * 1e3);
    assert_eq!(busy, busy_us as f64 * 1e3);
    assert_eq!(cols.len(), runs);
    // Times are startTime + elapsed, in ns.
    let start = raw["startTime"].as_i64().unwrap();
    assert_eq!(cols.time_ns[0], ((start + deltas[0]) * 1000) as u64);
}
