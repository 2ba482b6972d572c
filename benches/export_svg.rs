//! SVG export cost once a profile is loaded: merged call tree + culled SVG, and speedscope JSON.
//!
//! Why separate from ingest: `bigflame export` = load (measured by `benches/ingest.rs`) + these
//! steps; the claim to check is that the SVG step stays a small fraction of the load and its size
//! follows the visible frames, not the samples. The input is `$BIGFLAME_BENCH_FILE`, else
//! `corpus/large/recording.perf.txt` (made by `corpus/record-perf.sh`), else the committed
//! `corpus/mixed-workload.perf.txt`. The end-to-end number (load + export of the 904 MB
//! recording) is a timed CLI run: `time bigflame export corpus/large/recording.perf.txt -o x.svg`.
//!
//! Run: `cargo bench -p bigflame --bench export_svg` (add `-- --quick` for a short run).

use bigflame_formats::export::{SpeedscopeOptions, SvgOptions, write_speedscope, write_svg};
use bigflame_formats::{ImportOptions, import_path};
use bigflame_model::{CallTree, Profile, all_threads};
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::PathBuf;
use std::time::Duration;

fn bench_profile() -> Profile {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let candidates = [
        std::env::var_os("BIGFLAME_BENCH_FILE").map(PathBuf::from),
        Some(root.join("corpus/large/recording.perf.txt")),
        Some(root.join("corpus/mixed-workload.perf.txt")),
    ];
    for path in candidates.into_iter().flatten() {
        if path.is_file() {
            let p = import_path(&path, &ImportOptions::default()).expect("bench input imports");
            eprintln!(
                "input: {} ({} samples, {} unique stacks)",
                path.display(),
                p.sample_count(p.default_event()),
                p.stacks.len()
            );
            return p;
        }
    }
    panic!("no benchmark input found; run corpus/record-perf.sh");
}

fn export(c: &mut Criterion) {
    let profile = bench_profile();
    let event = profile.default_event();
    let threads = all_threads(&profile);
    let opts = SvgOptions {
        unit: profile.events[event.index()].unit,
        ..SvgOptions::default()
    };
    let mut out = Vec::new();
    let tree = CallTree::build(&profile, event, &threads);
    let stats = write_svg(&profile, &tree, &opts, &mut out).expect("svg");
    eprintln!(
        "svg: {} bytes, {} frames drawn, {} culled, call tree {} nodes",
        out.len(),
        stats.drawn,
        stats.culled,
        tree.len()
    );

    let mut group = c.benchmark_group("export");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("call-tree+svg", |b| {
        b.iter(|| {
            out.clear();
            let tree = CallTree::build(&profile, event, &threads);
            write_svg(&profile, &tree, &opts, &mut out).expect("svg");
            out.len()
        })
    });
    group.bench_function("svg-only", |b| {
        b.iter(|| {
            out.clear();
            write_svg(&profile, &tree, &opts, &mut out).expect("svg");
            out.len()
        })
    });
    group.bench_function("speedscope", |b| {
        b.iter(|| {
            out.clear();
            write_speedscope(&profile, &SpeedscopeOptions::default(), &mut out).expect("json");
            out.len()
        })
    });
    group.finish();
}

criterion_group!(benches, export);
criterion_main!(benches);
