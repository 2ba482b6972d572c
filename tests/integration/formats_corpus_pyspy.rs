//! A real py-spy recording (`corpus/py-spy/record.sh`) imports with the totals Python's own json
//! module computed from the same file when it was recorded (`corpus/py-spy/expected.json`).

use bigflame_formats::{ImportOptions, import_path};
use bigflame_model::{EventId, FrameId, WeightUnit};
use std::collections::HashSet;
use std::path::Path;

#[test]
fn py_spy_speedscope_recording_matches_python_totals() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/py-spy");
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).expect("expected.json"))
            .expect("expected.json is JSON");
    let p = import_path(
        &dir.join("workload.speedscope.json"),
        &ImportOptions::default(),
    )
    .expect("py-spy output imports");
    assert_eq!(p.meta.format, "speedscope-json");
    assert_eq!(expected["unit"], "seconds");
    let want = expected["profiles"].as_array().expect("profiles");
    assert_eq!(p.threads.len(), want.len());
    for (t, w) in p.threads.iter().zip(want) {
        assert_eq!(
            p.strings.get(t.name),
            w["name"].as_str().unwrap_or_default()
        );
        let (e, event) = p
            .events
            .iter()
            .enumerate()
            .find(|(e, _)| !t.samples(EventId::from_index(*e)).is_empty())
            .expect("the thread has samples");
        assert_eq!(event.unit, WeightUnit::Nanoseconds);
        let cols = t.samples(EventId::from_index(e));
        assert_eq!(cols.len() as u64, w["samples"].as_u64().unwrap_or(0));
        let total_ns = w["total_weight"].as_f64().unwrap_or(0.0) * 1e9;
        assert!((cols.total_weight() - total_ns).abs() < 1e-6 * total_ns);
        let mut names = HashSet::new();
        let mut max_depth = 0;
        for &s in &cols.stack {
            let path: Vec<FrameId> = p.stacks.path(s);
            max_depth = max_depth.max(path.len());
            names.extend(path.into_iter().map(|f| p.frame_name(f).to_string()));
        }
        assert_eq!(
            names.len() as u64,
            w["distinct_names"].as_u64().unwrap_or(0)
        );
        assert_eq!(max_depth as u64, w["max_depth"].as_u64().unwrap_or(0));
    }
}
