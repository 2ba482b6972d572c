//! Ingest throughput: `perf script` text → full model (every sample with its timestamp), 1 vs N threads,
//! plus folded output.
//!
//! Why a real recording: parser speed depends on the shape of real stacks (depth, repetition, symbol
//! lengths). The input is `$BIGFLAME_BENCH_FILE`, else `corpus/large/recording.perf.txt` (made by
//! `corpus/record-perf.sh`), else the small committed `corpus/mixed-workload.perf.txt`.
//!
//! Run: `cargo bench -p bigflame --bench ingest` (add `-- --quick` for a short run).
//! The file is read into memory first, so the numbers are parse + model build, not disk speed.

use bigflame_formats::collapse::write_folded;
use bigflame_formats::perf::{self, PerfOptions};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::path::PathBuf;
use std::time::Duration;

fn bench_input() -> (PathBuf, Vec<u8>) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let candidates = [
        std::env::var_os("BIGFLAME_BENCH_FILE").map(PathBuf::from),
        Some(root.join("corpus/large/recording.perf.txt")),
        Some(root.join("corpus/mixed-workload.perf.txt")),
    ];
    for path in candidates.into_iter().flatten() {
        if let Ok(data) = std::fs::read(&path) {
            return (path, data);
        }
    }
    panic!("no benchmark input found; run corpus/record-perf.sh");
}

fn ingest(c: &mut Criterion) {
    let (path, data) = bench_input();
    eprintln!("input: {} ({} bytes)", path.display(), data.len());
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let opts = PerfOptions::default();
    let mut group = c.benchmark_group("perf-script-ingest");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    let mut thread_counts = vec![1, cores];
    thread_counts.dedup();
    for threads in thread_counts {
        group.bench_function(format!("threads={threads}"), |b| {
            b.iter(|| {
                let profile = perf::parse(&data, &opts, threads);
                std::hint::black_box(profile.stacks.len())
            })
        });
    }
    group.finish();

    let profile = perf::parse(&data, &opts, cores);
    let mut group = c.benchmark_group("folded-output");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(10);
    group.bench_function("write_folded", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(1 << 20);
            write_folded(&profile, &opts.collapse_options(), &mut out).ok();
            std::hint::black_box(out.len())
        })
    });
    group.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
