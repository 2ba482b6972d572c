//! Transforms at scale: several events and threads, 100,000-frame stacks, thread roots, and
//! timings on a recording-sized synthetic profile (ignored; run by hand in release).

use super::tests::{f, folded, name, timed};
use super::*;
use crate::{EventId, Frame, ProfileBuilder, ProfileMeta, StackId, ThreadKey, WeightUnit};

#[test]
fn every_event_and_thread_is_remapped() {
    let mut b = ProfileBuilder::new();
    let e0 = b.event("cycles", WeightUnit::Events);
    let e1 = b.event("instructions", WeightUnit::Events);
    for tid in [1, 2] {
        let name = b.intern("t");
        let th = b.thread(ThreadKey {
            pid: Some(1),
            tid: Some(tid),
            name,
        });
        let (x, y) = (b.intern("x"), b.intern("y"));
        let (x, y) = (b.frame(Frame::named(x)), b.frame(Frame::named(y)));
        let sx = b.stack(StackId::EMPTY, x);
        let sxy = b.stack(sx, y);
        b.sample(th, e0, Some(1), sxy, 10.0);
        b.sample(th, e1, Some(2), sx, 20.0);
    }
    let p = b.finish(ProfileMeta::default());
    let q = Transform::FocusFunction(name("y")).apply(&p).unwrap();
    assert_eq!(q.total_weight(e0), 20.0);
    assert_eq!(q.total_weight(e1), 0.0);
    assert_eq!(q.sample_count(e0), 2);
}

#[test]
fn a_100k_deep_stack_transforms_without_recursion() {
    let names: Vec<String> = (0..100_000).map(|i| format!("f{}", i % 5)).collect();
    let stack = names.join(";");
    let p = timed(&[(1, &stack, 1.0)]);
    let inv = Transform::Invert.apply(&p).unwrap();
    assert_eq!(inv.stacks.len(), 100_000);
    let merged = Transform::Merge(name("f0")).apply(&p).unwrap();
    assert_eq!(merged.stacks.len(), 80_000);
    let all = Transform::CollapseRecursion { indirect: true }
        .apply(&p)
        .unwrap();
    assert_eq!(folded(&all), f(&[("f0;f1;f2;f3;f4", 1.0)]));
}

#[test]
fn thread_roots_prefix_each_thread_name() {
    let mut b = ProfileBuilder::new();
    let ev = b.event("cpu", WeightUnit::Samples);
    let (x, y) = (b.intern("x"), b.intern("y"));
    let (x, y) = (b.frame(Frame::named(x)), b.frame(Frame::named(y)));
    let sx = b.stack(StackId::EMPTY, x);
    let sxy = b.stack(sx, y);
    for (tid, comm) in [(1, "my app"), (2, "worker"), (3, "my app")] {
        let name = b.intern(comm);
        let th = b.thread(ThreadKey {
            pid: Some(1),
            tid: Some(tid),
            name,
        });
        b.sample(th, ev, Some(tid.into()), sxy, 1.0);
        b.sample(th, ev, Some(10), sx, 2.0);
        b.sample(th, ev, Some(20), StackId::EMPTY, 4.0);
    }
    let p = with_thread_roots(&b.finish(ProfileMeta::default()));
    assert_eq!(
        folded(&p),
        f(&[
            ("my_app", 8.0),
            ("my_app;x", 4.0),
            ("my_app;x;y", 2.0),
            ("worker", 4.0),
            ("worker;x", 2.0),
            ("worker;x;y", 1.0),
        ])
    );
    // my_app, my_app;x;y (x first), worker, worker;x, worker;x;y.
    assert_eq!(p.stacks.len(), 6);
}

/// Timings on a synthetic profile of recording size (3.3 M samples, ~110 k unique stacks, depth
/// 8..40): `cargo test -p bigflame-model --release transform_timings -- --ignored --nocapture`.
#[test]
#[ignore = "timing, run by hand in release"]
fn transform_timings() {
    let mut b = ProfileBuilder::new();
    let ev = b.event("cpu", WeightUnit::Nanoseconds);
    let thread_name = b.intern("t");
    let th = b.thread(ThreadKey {
        pid: Some(1),
        tid: Some(1),
        name: thread_name,
    });
    let frames: Vec<crate::FrameId> = (0..5000)
        .map(|i| {
            let n = b.intern(&format!("fn_{i}"));
            let m = b.intern(&format!("lib{}.so", i % 20));
            b.frame(Frame {
                module: Some(m),
                ..Frame::named(n)
            })
        })
        .collect();
    // A cheap deterministic generator (xorshift) for paths sharing prefixes.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut leaves = Vec::new();
    for _ in 0..4000 {
        let depth = 8 + (next() % 33) as usize;
        let mut s = StackId::EMPTY;
        for d in 0..depth {
            let f = if d < 4 { d as u64 } else { next() % 5000 };
            s = b.stack(s, frames[f as usize]);
            if d >= 6 && next() % 8 == 0 {
                leaves.push(s);
            }
        }
        leaves.push(s);
    }
    for i in 0..3_300_000u64 {
        let s = leaves[(next() % leaves.len() as u64) as usize];
        b.sample(th, ev, Some(i * 1000), s, 1000.0);
    }
    let p = b.finish(ProfileMeta::default());
    eprintln!(
        "{} samples, {} stacks",
        p.sample_count(EventId(0)),
        p.stacks.len()
    );
    let cases = [
        Transform::Merge(name("fn_7")),
        Transform::FocusFunction(name("fn_11")),
        Transform::FocusSubtree(vec![name("fn_0"), name("fn_1")]),
        Transform::DropMatching(Regex::new("^fn_1").unwrap()),
        Transform::CollapseRecursion { indirect: false },
        Transform::CollapseRecursion { indirect: true },
        Transform::CollapseModule("lib3.so".into()),
        Transform::Granularity(Granularity::Module),
        Transform::Invert,
        Transform::TimeRange {
            start_ns: 1_000_000_000,
            end_ns: 2_000_000_000,
        },
    ];
    let t0 = std::time::Instant::now();
    let copy = p.clone();
    eprintln!(
        "{:>8.1} ms  clone (the floor: samples are copied)",
        t0.elapsed().as_secs_f64() * 1e3
    );
    drop(copy);
    for t in cases {
        let t0 = std::time::Instant::now();
        let out = t.apply(&p).unwrap();
        eprintln!(
            "{:>8.1} ms  {} ({} stacks)",
            t0.elapsed().as_secs_f64() * 1e3,
            t.label(),
            out.stacks.len()
        );
    }
}
