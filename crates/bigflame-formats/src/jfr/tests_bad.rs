//! Unit tests on hostile and broken input: truncation, sizes that exceed the data, reference
//! cycles, self-nesting types, unknown event types, unreadable headers, random corruption, and
//! huge shared names. Each must give a profile or a located error, never a panic or a hang.

use super::tests::*;
use super::writer::{W, chunk, enc, event, metadata, pools};
use super::*;

#[test]
fn cut_recordings_keep_what_was_read() {
    let meta = metadata(&schema());
    let data = chunk(
        &meta,
        &[standard_pools(), exec(1, 1, 1), exec(2, 1, 2)],
        0,
        0,
        1_000_000_000,
    );
    let last = exec(2, 1, 2).len();
    // Cut in the middle of the last event: the first sample stays, the cut is reported.
    let p = import_ok(&data[..data.len() - last / 2]);
    assert_eq!(p.sample_count(p.default_event()), 1);
    assert!(
        p.meta
            .skipped
            .entries
            .iter()
            .any(|e| e.0 == SkipReason::Truncated)
    );
    // Every prefix imports or fails with a located error; none panics.
    for n in 0..data.len() {
        match import(&data[..n], "t.jfr", &ImportOptions::default()) {
            Ok(_) => {}
            Err(e) => assert!(e.to_string().starts_with("t.jfr: at byte "), "{e}"),
        }
    }
}

#[test]
fn huge_declared_sizes_are_errors_not_allocations() {
    let meta = metadata(&schema());
    // A chunk claiming i64::MAX bytes is read as far as the data goes.
    let mut data = chunk(
        &meta,
        &[standard_pools(), exec(1, 1, 1)],
        0,
        0,
        1_000_000_000,
    );
    data[8..16].copy_from_slice(&i64::MAX.to_be_bytes());
    let p = import_ok(&data);
    assert_eq!(p.sample_count(p.default_event()), 1);
    assert!(
        p.meta
            .skipped
            .entries
            .iter()
            .any(|e| e.0 == SkipReason::Truncated)
    );
    // A string claiming 2^30 bytes and an array claiming 2^30 elements in pools: skipped.
    let bad_string = pools(&[(
        SYMBOL,
        vec![(
            1,
            enc(|w| {
                w.u8(3).var(1 << 30);
            }),
        )],
    )]);
    let bad_array = pools(&[(
        TRACE,
        vec![(
            9,
            enc(|w| {
                w.u8(0).var(1 << 30);
            }),
        )],
    )]);
    // An array of a zero-size struct claiming 2^30 elements takes no time.
    let alloc = event(
        ALLOC,
        &enc(|w| {
            w.var(5).var(1).var(1).var(1 << 30).var(64);
        }),
    );
    let data = chunk(
        &meta,
        &[standard_pools(), bad_string, bad_array, alloc],
        0,
        0,
        1_000_000_000,
    );
    let p = import_ok(&data);
    assert_eq!(p.meta.skipped.entries[0].0, SkipReason::MalformedSample);
    assert_eq!(p.meta.skipped.total(), 2);
    let alloc = p
        .event_by_name("jdk.ObjectAllocationSample")
        .expect("alloc");
    assert_eq!(p.total_weight(alloc), 64.0);
    // A huge event size ends the walk.
    let mut huge = event(GC, &[1]);
    huge[..4].copy_from_slice(&[0xff, 0xff, 0xff, 0x7f]);
    let p = import_ok(&chunk(
        &meta,
        &[standard_pools(), exec(1, 1, 1), huge],
        0,
        0,
        1_000_000_000,
    ));
    assert_eq!(p.sample_count(p.default_event()), 1);
    assert!(
        p.meta
            .skipped
            .entries
            .iter()
            .any(|e| e.0 == SkipReason::Truncated)
    );
}

#[test]
fn reference_cycles_and_self_nesting_terminate() {
    let mut classes = schema();
    // Symbols whose string is a pooled Symbol: key 1 → 2 → 1 → ...
    classes[5] = class(
        SYMBOL,
        "jdk.types.Symbol",
        vec![("string", SYMBOL, true, false)],
    );
    let meta = metadata(&classes);
    let cyc = pools(&[
        (
            SYMBOL,
            vec![
                (
                    1,
                    enc(|w| {
                        w.var(2);
                    }),
                ),
                (
                    2,
                    enc(|w| {
                        w.var(1);
                    }),
                ),
            ],
        ),
        (
            STRING,
            vec![(
                3,
                enc(|w| {
                    w.pooled_str(3);
                }),
            )],
        ),
        (
            THREAD,
            vec![(
                1,
                enc(|w| {
                    w.pooled_str(3).var(0).pooled_str(3).var(0);
                }),
            )],
        ),
        (
            CLASS,
            vec![(
                1,
                enc(|w| {
                    w.var(1).var(0);
                }),
            )],
        ),
        (
            METHOD,
            vec![(
                1,
                enc(|w| {
                    w.var(1).var(2);
                }),
            )],
        ),
        (TRACE, vec![(1, trace(false, &[(1, 1, 0)]))]),
    ]);
    let p = import_ok(&chunk(&meta, &[cyc, exec(1, 1, 1)], 0, 0, 1_000_000_000));
    assert_eq!(p.sample_count(p.default_event()), 1);
    assert_eq!(p.strings.get(p.threads[0].name), "(unnamed thread)");
    // A struct containing itself inline: an error for that event, not a stack overflow.
    let weird = class(
        EXEC,
        "jdk.ExecutionSample",
        vec![
            ("startTime", LONG, false, false),
            ("w", WEIRD, false, false),
        ],
    );
    let mut classes = schema();
    classes[12] = weird;
    classes[17] = class(
        WEIRD,
        "bigflame.Weird",
        vec![("x", LONG, false, false), ("self", WEIRD, false, false)],
    );
    let meta = metadata(&classes);
    let body = enc(|w| {
        for _ in 0..100 {
            w.var(1);
        }
    });
    let p = import_ok(&chunk(&meta, &[event(EXEC, &body)], 0, 0, 1_000_000_000));
    assert_eq!(p.meta.skipped.total(), 1);
}

#[test]
fn unknown_event_types_are_counted_and_others_noted() {
    let meta = metadata(&schema());
    let unknown = event(999, &[1, 2, 3]);
    let p = import_ok(&chunk(
        &meta,
        &[standard_pools(), unknown, exec(1, 1, 1)],
        0,
        0,
        1_000_000_000,
    ));
    assert_eq!(p.sample_count(p.default_event()), 1);
    assert_eq!(p.meta.skipped.entries.len(), 1);
    let (reason, count, at, _) = &p.meta.skipped.entries[0];
    assert_eq!((*reason, *count), (SkipReason::MalformedSample, 1));
    assert!(at.starts_with("byte "));
}

#[test]
fn unreadable_first_chunks_are_located_errors() {
    let e = import(b"FLR\0\0\x02", "x.jfr", &ImportOptions::default()).expect_err("short");
    assert_eq!(
        e.to_string(),
        "x.jfr: at byte 0: not a readable JFR recording: chunk 1: a chunk header needs 68 bytes, 6 left"
    );
    let meta = metadata(&schema());
    let mut data = chunk(&meta, &[exec(1, 1, 1)], 0, 0, 1_000_000_000);
    data[24..32].copy_from_slice(&(1i64 << 50).to_be_bytes());
    let e = import(&data, "x.jfr", &ImportOptions::default()).expect_err("bad metadata offset");
    assert!(
        e.to_string().contains("at byte 24") && e.to_string().contains("chunk 1"),
        "{e}"
    );
    let mut bad_meta = W::default();
    bad_meta
        .bytes(&meta[..4])
        .var(0)
        .var(0)
        .var(0)
        .var(0)
        .var(1 << 30);
    let data = chunk(&bad_meta.0, &[], 0, 0, 1_000_000_000);
    assert!(import(&data, "x.jfr", &ImportOptions::default()).is_err());
}

#[test]
fn random_bytes_never_panic() {
    let meta = metadata(&schema());
    let good = chunk(
        &meta,
        &[standard_pools(), exec(3, 1, 1), exec(4, 2, 2)],
        0,
        0,
        1_000_000_000,
    );
    let mut next = crate::test_support::xorshift(0x5eed);
    for _ in 0..400 {
        let mut data = good.clone();
        for _ in 0..1 + next(8) {
            let i = next(data.len() as u64) as usize;
            data[i] = next(256) as u8;
        }
        let _ = import(&data, "f.jfr", &ImportOptions::default());
    }
}

#[test]
fn huge_names_are_cut_and_shared_symbols_resolved_once() {
    let meta = metadata(&schema());
    let long = "x".repeat(10_000);
    // 2,000 methods all named by the same 10 KB symbol, each on its own trace.
    let methods: Vec<(u64, Vec<u8>)> = (1..=2000)
        .map(|k| {
            (
                k,
                enc(|w| {
                    w.var(1).var(9);
                }),
            )
        })
        .collect();
    let traces: Vec<(u64, Vec<u8>)> = (1..=2000)
        .map(|k| (k, trace(false, &[(k, 1, 1)])))
        .collect();
    let extra = pools(&[
        (SYMBOL, vec![(9, sym(&long))]),
        (METHOD, methods),
        (TRACE, traces),
    ]);
    let mut events = vec![standard_pools(), extra];
    events.extend((1..=2000).map(|k| exec(k, 1, k)));
    let p = import_ok(&chunk(&meta, &events, 0, 0, 1_000_000_000));
    assert_eq!(p.sample_count(p.default_event()), 2000);
    // One frame (same name, class and kind), its name cut to 4096 bytes plus an ellipsis.
    assert_eq!(p.frames.len(), 1);
    let name = p.frame_name(bigflame_model::FrameId::from_index(0));
    assert!(
        name.starts_with("com.example.App.xxx") && name.ends_with('…'),
        "{}",
        &name[..40]
    );
    assert_eq!(name.len(), 4096 + '…'.len_utf8());
}
