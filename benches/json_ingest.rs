//! JSON ingest throughput: V8 `.cpuprofile`, Trace Event and speedscope files → full model.
//!
//! Why real inputs: JSON parse cost depends on the document's shape (a `.cpuprofile` is mostly two
//! flat integer arrays, a trace is many small objects with strings, a speedscope file is arrays of
//! frame indices). The inputs are made by `corpus/node/record-large.sh` in `corpus/large/`
//! (gitignored): `node-big.cpuprofile` (a real `node --cpu-prof --cpu-prof-interval 20` recording
//! replayed to ~40 MB) and `node-trace.json` (`node --trace-event-categories ...`, ~7.5 MB of
//! X/B/E events). `big.100M.speedscope.json` (~7.6 MB, 106 sampled profiles, 333,735 samples) is
//! `bigflame export --to speedscope -o corpus/large/big.100M.speedscope.json
//! corpus/large/big.100M.perf.txt` of the real perf recording (`corpus/record-perf.sh`, cut by
//! `corpus/cut.py`, see `corpus/README.md`): no offline tool writes large speedscope files, and
//! the importer's parse cost does not depend on who wrote the file. `big.1G.speedscope.json`
//! (~78 MB) is the same export of `corpus/large/big.1G.perf.txt`, when present. Missing inputs
//! are skipped; without any, the committed `corpus/node/workload.cpuprofile` is used.
//! `$BIGFLAME_BENCH_JSON` adds a file of your own.
//!
//! Run: `cargo bench -p bigflame --bench json_ingest` (add `-- --quick` for a short run). The file
//! is read into memory first, so the numbers are parse + model build through `import_bytes` (the
//! path `bigflame info` takes) with the default options (all cores), not disk speed. The machine
//! is shared: note the load average beside the numbers, and compare variants by instruction counts
//! (`valgrind --tool=cachegrind --cache-sim=no target/release/bigflame info --threads 1 FILE`).

use bigflame_formats::{Format, ImportOptions, import_bytes};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::path::PathBuf;
use std::time::Duration;

fn inputs() -> Vec<(String, Format, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut candidates = vec![
        (
            root.join("corpus/large/node-big.cpuprofile"),
            Format::ChromeCpuProfile,
        ),
        (
            root.join("corpus/large/node-trace.json"),
            Format::ChromeTrace,
        ),
        (
            root.join("corpus/large/big.100M.speedscope.json"),
            Format::SpeedscopeJson,
        ),
        (
            root.join("corpus/large/big.1G.speedscope.json"),
            Format::SpeedscopeJson,
        ),
    ];
    if let Some(extra) = std::env::var_os("BIGFLAME_BENCH_JSON") {
        let extra = PathBuf::from(extra);
        let sniffed = std::fs::read(&extra)
            .ok()
            .and_then(
                |d| match bigflame_formats::sniff::sniff(&d, true, Some(&extra)) {
                    bigflame_formats::sniff::Sniffed::Known(f) => Some(f),
                    _ => None,
                },
            )
            .unwrap_or(Format::ChromeTrace);
        candidates.push((extra, sniffed));
    }
    let mut found: Vec<(String, Format, Vec<u8>)> = candidates
        .into_iter()
        .filter_map(|(path, format)| {
            let data = std::fs::read(&path).ok()?;
            let name = path.file_name()?.to_string_lossy().into_owned();
            Some((name, format, data))
        })
        .collect();
    if found.is_empty() {
        let small = root.join("corpus/node/workload.cpuprofile");
        eprintln!(
            "corpus/large has no JSON inputs (run corpus/node/record-large.sh); using the small corpus file"
        );
        let data = std::fs::read(&small).expect("corpus/node/workload.cpuprofile");
        found.push(("workload.cpuprofile".into(), Format::ChromeCpuProfile, data));
    }
    found
}

fn json_ingest(c: &mut Criterion) {
    let mut group = c.benchmark_group("json-ingest");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    for (name, format, data) in inputs() {
        eprintln!("input: {name} ({} bytes, {})", data.len(), format.name());
        let opts = ImportOptions {
            format: Some(format),
            ..ImportOptions::default()
        };
        group.throughput(Throughput::Bytes(data.len() as u64));
        group.bench_function(name.clone(), |b| {
            b.iter(|| {
                let profile = import_bytes(&data, &name, &opts).expect("bench input imports");
                std::hint::black_box(profile.stacks.len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, json_ingest);
criterion_main!(benches);
