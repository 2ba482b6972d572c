//! Index build and query cost at 1M and 10M synthetic samples: full view and a 1e6× zoom, 1920 px.
//!
//! Run: `cargo bench -p bigflame-layout --bench query`.

use bigflame_layout::synthetic::random_walk_profile;
use bigflame_layout::{SpanIndex, XAxis, call_tree_layout, time_order_threads};
use bigflame_model::{CallTree, EventId, ThreadId};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Instant;

const WIDTH_PX: f64 = 1920.0;

fn query(idx: &SpanIndex, zoom: f64, out: &mut Vec<bigflame_layout::Span>) -> u64 {
    let r = idx.x_range();
    let w = (r.end - r.start) / zoom;
    let start = r.start + (r.end - r.start) * 0.37;
    out.clear();
    let s = idx.query(start..start + w, 0..u32::MAX, w / WIDTH_PX, 2.0, out);
    s.touched
}

fn bench(c: &mut Criterion) {
    for samples in [1_000_000usize, 10_000_000] {
        let t = Instant::now();
        let profile = random_walk_profile(samples, 5000, 128, 42);
        let gen_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let idx = time_order_threads(
            &profile,
            EventId(0),
            &[ThreadId(0)],
            XAxis::Time { origin_ns: 0 },
        )
        .pop()
        .unwrap_or_default();
        let build_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let tree = CallTree::build(&profile, EventId(0), &[ThreadId(0)]);
        let lh = call_tree_layout(&tree);
        let lh_s = t.elapsed().as_secs_f64();
        eprintln!(
            "{samples} samples: generate {gen_s:.2} s; time-order build {build_s:.2} s, {} spans, {} depths, {:.0} MiB; \
             call tree + left-heavy build {lh_s:.2} s, {} nodes",
            idx.span_count(),
            idx.depth_count(),
            idx.memory_bytes() as f64 / (1 << 20) as f64,
            lh.span_count()
        );
        let mut out = Vec::new();
        for zoom in [1.0, 1e6] {
            let touched = query(&idx, zoom, &mut out);
            eprintln!(
                "  time order zoom {zoom:e}: {} spans out, {touched} entries touched",
                out.len()
            );
            c.bench_function(&format!("time_order/{samples}/zoom_{zoom:e}"), |b| {
                b.iter(|| black_box(query(&idx, zoom, &mut out)))
            });
            let touched = query(&lh, zoom, &mut out);
            eprintln!(
                "  left heavy zoom {zoom:e}: {} spans out, {touched} entries touched",
                out.len()
            );
            c.bench_function(&format!("left_heavy/{samples}/zoom_{zoom:e}"), |b| {
                b.iter(|| black_box(query(&lh, zoom, &mut out)))
            });
        }
        if samples == 1_000_000 {
            let mut g = c.benchmark_group("build");
            g.sample_size(10);
            g.bench_function("time_order/1000000", |b| {
                b.iter(|| {
                    time_order_threads(
                        &profile,
                        EventId(0),
                        &[ThreadId(0)],
                        XAxis::Time { origin_ns: 0 },
                    )
                })
            });
            g.finish();
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
