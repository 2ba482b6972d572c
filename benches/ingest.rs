//! Ingest throughput: `perf script` text → full model (every sample with its timestamp), 1 vs N threads,
//! plus folded output.
//!
//! Why a real recording: parser speed depends on the shape of real stacks (depth, repetition, symbol
//! lengths). The input is `$BIGFLAME_BENCH_FILE`, else `corpus/large/recording.perf.txt` (made by
//! `corpus/record-perf.sh`), else the small committed `corpus/mixed-workload.perf.txt`.
//!
//! Run: `cargo bench -p bigflame --bench ingest` (add `-- --quick` for a short run).
//! The file is read into memory first, so the numbers are parse + model build, not disk speed. It
//! goes through `import_bytes`, the same driver (chunking, parallel `perf::parse_chunk`, wave merge)
//! that `bigflame info`/`collapse` use on an mmapped file; `chunk_bytes` can be swept with
//! `BIGFLAME_BENCH_CHUNK_MB` (the `ImportOptions::chunk_bytes` default when unset).

use bigflame_formats::collapse::write_folded;
use bigflame_formats::perf::PerfOptions;
use bigflame_formats::{Format, ImportOptions, import_bytes};
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
    let import_opts = |threads: usize| {
        let mut o = ImportOptions {
            threads,
            format: Some(Format::PerfScript),
            perf: opts.clone(),
            ..ImportOptions::default()
        };
        if let Some(mb) = std::env::var("BIGFLAME_BENCH_CHUNK_MB")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
        {
            o.chunk_bytes = mb << 20;
        }
        o
    };
    let name = "bench.perf.txt";
    for threads in thread_counts {
        let o = import_opts(threads);
        group.bench_function(format!("threads={threads}"), |b| {
            b.iter(|| {
                let profile = import_bytes(&data, name, &o).expect("bench input imports");
                std::hint::black_box(profile.stacks.len())
            })
        });
    }
    group.finish();

    let profile = import_bytes(&data, name, &import_opts(cores)).expect("bench input imports");
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
