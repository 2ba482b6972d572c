//! Unit tests on hand-built chunks (see `writer.rs`): generic decoding, string encodings, clocks,
//! event units, several chunks. The schema and helpers here are shared with `tests_bad.rs`
//! (hostile input).

use super::writer::{ClassDef, FieldDef, chunk, enc, event, metadata, pools};
use super::*;
use crate::test_support::weights_by_path;
use bigflame_model::{FrameKind, WeightUnit};

pub(super) const LONG: u64 = 1;
pub(super) const INT: u64 = 2;
pub(super) const BOOL: u64 = 3;
pub(super) const STRING: u64 = 4;
pub(super) const THREAD: u64 = 5;
pub(super) const SYMBOL: u64 = 6;
pub(super) const CLASS: u64 = 7;
pub(super) const METHOD: u64 = 8;
pub(super) const FRAME_TYPE: u64 = 9;
pub(super) const FRAME: u64 = 10;
pub(super) const TRACE: u64 = 11;
pub(super) const PACKAGE: u64 = 12;
pub(super) const EXEC: u64 = 20;
pub(super) const PARK: u64 = 21;
pub(super) const ALLOC: u64 = 22;
pub(super) const GC: u64 = 23;
pub(super) const EMPTY: u64 = 24;
pub(super) const WEIRD: u64 = 25;

pub(super) fn class(id: u64, name: &'static str, fields: Vec<FieldDef>) -> ClassDef {
    ClassDef { id, name, fields }
}

/// The classes of a small JDK-like recording. The event layouts differ from the JDK's on purpose
/// (extra fields, other order) to show decoding follows the metadata.
pub(super) fn schema() -> Vec<ClassDef> {
    vec![
        class(LONG, "long", vec![]),
        class(INT, "int", vec![]),
        class(BOOL, "boolean", vec![]),
        class(STRING, "java.lang.String", vec![]),
        class(
            THREAD,
            "java.lang.Thread",
            vec![
                ("osName", STRING, false, false),
                ("osThreadId", LONG, false, false),
                ("javaName", STRING, false, false),
                ("javaThreadId", LONG, false, false),
            ],
        ),
        class(
            SYMBOL,
            "jdk.types.Symbol",
            vec![("string", STRING, false, false)],
        ),
        class(
            PACKAGE,
            "jdk.types.Package",
            vec![("name", SYMBOL, true, false)],
        ),
        class(
            CLASS,
            "java.lang.Class",
            vec![
                ("name", SYMBOL, true, false),
                ("package", PACKAGE, true, false),
            ],
        ),
        class(
            METHOD,
            "jdk.types.Method",
            vec![("type", CLASS, true, false), ("name", SYMBOL, true, false)],
        ),
        class(
            FRAME_TYPE,
            "jdk.types.FrameType",
            vec![("description", STRING, false, false)],
        ),
        class(
            FRAME,
            "jdk.types.StackFrame",
            vec![
                ("method", METHOD, true, false),
                ("lineNumber", INT, false, false),
                ("type", FRAME_TYPE, true, false),
            ],
        ),
        class(
            TRACE,
            "jdk.types.StackTrace",
            vec![
                ("truncated", BOOL, false, false),
                ("frames", FRAME, false, true),
            ],
        ),
        class(
            EXEC,
            "jdk.ExecutionSample",
            vec![
                ("startTime", LONG, false, false),
                ("sampledThread", THREAD, true, false),
                ("stackTrace", TRACE, true, false),
                ("state", STRING, false, false),
            ],
        ),
        class(
            PARK,
            "jdk.ThreadPark",
            vec![
                ("startTime", LONG, false, false),
                ("duration", LONG, false, false),
                ("eventThread", THREAD, true, false),
                ("stackTrace", TRACE, true, false),
            ],
        ),
        class(
            ALLOC,
            "jdk.ObjectAllocationSample",
            vec![
                ("startTime", LONG, false, false),
                ("eventThread", THREAD, true, false),
                ("stackTrace", TRACE, true, false),
                ("extra", EMPTY, false, true),
                ("weight", LONG, false, false),
            ],
        ),
        class(
            GC,
            "jdk.GCPhasePause",
            vec![("startTime", LONG, false, false)],
        ),
        class(
            EMPTY,
            "bigflame.Empty",
            vec![("again", EMPTY, false, false)],
        ),
        class(WEIRD, "bigflame.Weird", vec![("self", WEIRD, false, false)]),
    ]
}

pub(super) fn thread(os: &str, tid: u64, java: &str) -> Vec<u8> {
    enc(|w| {
        w.utf8(os).var(tid).utf8(java).var(tid);
    })
}

pub(super) fn sym(s: &str) -> Vec<u8> {
    enc(|w| {
        w.utf8(s);
    })
}

/// A trace: truncated flag, frames leaf first as (method key, line, frame-type key).
pub(super) fn trace(truncated: bool, frames: &[(u64, u64, u64)]) -> Vec<u8> {
    enc(|w| {
        w.u8(u8::from(truncated)).var(frames.len() as u64);
        for &(m, line, t) in frames {
            w.var(m).var(line).var(t);
        }
    })
}

/// Pools shared by most tests: threads 1 (main) and 2 (worker); methods 1..=3 of class
/// `com/example/App` in package `com/example`; traces 1 = main>run>work, 2 = main>run.
pub(super) fn standard_pools() -> Vec<u8> {
    pools(&[
        (
            THREAD,
            vec![
                (1, thread("main-os", 101, "main")),
                (2, thread("w", 102, "worker")),
            ],
        ),
        (
            SYMBOL,
            vec![
                (1, sym("com/example/App")),
                (2, sym("main")),
                (3, sym("run")),
                (4, sym("work")),
                (5, sym("com/example")),
            ],
        ),
        (
            PACKAGE,
            vec![(
                1,
                enc(|w| {
                    w.var(5);
                }),
            )],
        ),
        (
            CLASS,
            vec![(
                1,
                enc(|w| {
                    w.var(1).var(1);
                }),
            )],
        ),
        (
            METHOD,
            vec![
                (
                    1,
                    enc(|w| {
                        w.var(1).var(2);
                    }),
                ),
                (
                    2,
                    enc(|w| {
                        w.var(1).var(3);
                    }),
                ),
                (
                    3,
                    enc(|w| {
                        w.var(1).var(4);
                    }),
                ),
            ],
        ),
        (
            FRAME_TYPE,
            vec![
                (1, sym("JIT compiled")),
                (2, sym("Interpreted")),
                (3, sym("Kernel")),
            ],
        ),
        (
            TRACE,
            vec![
                (1, trace(false, &[(3, 30, 1), (2, 20, 2), (1, 10, 2)])),
                (2, trace(false, &[(2, 21, 1), (1, 10, 1)])),
            ],
        ),
    ])
}

pub(super) fn exec(ticks: u64, thread: u64, trace: u64) -> Vec<u8> {
    event(
        EXEC,
        &enc(|w| {
            w.var(ticks).var(thread).var(trace).utf8("STATE_RUNNABLE");
        }),
    )
}

pub(super) fn import_ok(data: &[u8]) -> Profile {
    import(data, "t.jfr", &ImportOptions::default()).expect("imports")
}

pub(super) fn paths(p: &Profile, event: &str) -> Vec<(String, f64)> {
    let e = p.event_by_name(event).expect("event");
    weights_by_path(p, e, |f| p.frame_name(f).to_string())
        .into_iter()
        .collect()
}

#[test]
fn samples_become_root_first_stacks_with_times_and_threads() {
    let meta = metadata(&schema());
    // 2 ticks per ns; chunk starts at 5 s (epoch) and 1000 ticks.
    let data = chunk(
        &meta,
        &[
            standard_pools(),
            exec(3000, 1, 1),
            exec(1200, 2, 2),
            exec(5000, 1, 2),
        ],
        5_000_000_000,
        1000,
        2_000_000_000,
    );
    let p = import_ok(&data);
    assert_eq!(p.events.len(), 1);
    assert_eq!(p.events[0].name, "jdk.ExecutionSample");
    assert_eq!(p.events[0].unit, WeightUnit::Samples);
    assert_eq!(
        paths(&p, "jdk.ExecutionSample"),
        vec![
            ("com.example.App.main;com.example.App.run".to_string(), 2.0),
            (
                "com.example.App.main;com.example.App.run;com.example.App.work".to_string(),
                1.0
            ),
        ]
    );
    // Threads in order of their first sample in time: worker (tick 1200) before main.
    let names: Vec<&str> = p.threads.iter().map(|t| p.strings.get(t.name)).collect();
    assert_eq!(names, ["worker", "main"]);
    assert_eq!(p.threads[1].tid, Some(101));
    // (ticks - 1000) / 2 ticks per ns, relative to the chunk start; sorted per thread.
    assert_eq!(p.threads[0].samples[0].time_ns, vec![100]);
    assert_eq!(p.threads[1].samples[0].time_ns, vec![1000, 2000]);
    // One frame per method whatever its frame type (JIT and interpreted here), Java kind.
    assert_eq!(p.frames.len(), 3);
    assert!(p.frames.as_slice().iter().all(|f| f.kind == FrameKind::Jit));
    let module = p.frames.as_slice()[0].module.map(|m| p.strings.get(m));
    assert_eq!(module, Some("com.example"));
    assert_eq!(p.meta.skipped.total(), 0);
}

#[test]
fn string_encodings_all_decode() {
    let meta = metadata(&schema());
    let threads = pools(&[
        (STRING, vec![(7, sym("pooled name"))]),
        (
            THREAD,
            vec![
                (
                    1,
                    enc(|w| {
                        w.utf8("os").var(1).chars("chârs ✓").var(1);
                    }),
                ),
                (
                    2,
                    enc(|w| {
                        w.utf8("os").var(2).latin1("latin-é").var(2);
                    }),
                ),
                (
                    3,
                    enc(|w| {
                        w.utf8("os").var(3).pooled_str(7).var(3);
                    }),
                ),
                (
                    4,
                    enc(|w| {
                        w.utf8("os-name").var(4).u8(0).var(4);
                    }),
                ),
                (
                    5,
                    enc(|w| {
                        w.u8(1).var(5).u8(1).var(5);
                    }),
                ),
            ],
        ),
    ]);
    let mut events = vec![standard_pools(), threads];
    for t in 1..=5 {
        events.push(exec(t, t, 2));
    }
    let p = import_ok(&chunk(&meta, &events, 0, 0, 1_000_000_000));
    let names: Vec<&str> = p.threads.iter().map(|t| p.strings.get(t.name)).collect();
    // Null and empty Java names fall back to the OS name, then to the tid.
    assert_eq!(
        names,
        ["chârs ✓", "latin-é", "pooled name", "os-name", "thread 5"]
    );
}

#[test]
fn allocation_and_park_events_have_units_weights_and_intervals() {
    let meta = metadata(&schema());
    let park = event(
        PARK,
        &enc(|w| {
            w.var(100).var(4000).var(2).var(1);
        }),
    );
    let alloc = event(
        ALLOC,
        &enc(|w| {
            w.var(50).var(1).var(2).var(3).var(4096);
        }),
    );
    let gc = event(
        GC,
        &enc(|w| {
            w.var(1);
        }),
    );
    let data = chunk(
        &meta,
        &[standard_pools(), park, alloc, gc, exec(10, 1, 2)],
        0,
        0,
        2_000_000_000,
    );
    let p = import_ok(&data);
    let names: Vec<&str> = p.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "jdk.ExecutionSample",
            "jdk.ObjectAllocationSample",
            "jdk.ThreadPark"
        ]
    );
    let alloc = p
        .event_by_name("jdk.ObjectAllocationSample")
        .expect("alloc");
    assert_eq!(p.events[alloc.index()].unit, WeightUnit::Bytes);
    assert_eq!(p.total_weight(alloc), 4096.0);
    let park = p.event_by_name("jdk.ThreadPark").expect("park");
    assert_eq!(p.events[park.index()].unit, WeightUnit::Nanoseconds);
    assert!(p.events[park.index()].intervals);
    // 4000 ticks at 2 ticks per ns.
    assert_eq!(p.total_weight(park), 2000.0);
    assert!(
        p.meta
            .notes
            .iter()
            .any(|n| n.contains("jdk.GCPhasePause x1")),
        "{:?}",
        p.meta.notes
    );
}

#[test]
fn chunks_share_threads_and_frames_by_name() {
    let meta = metadata(&schema());
    let one = chunk(
        &meta,
        &[standard_pools(), exec(10, 1, 1)],
        1_000_000_000,
        0,
        1_000_000_000,
    );
    // The second chunk starts 2 s later and numbers its pools differently.
    let other_pools = pools(&[
        (THREAD, vec![(9, thread("main-os", 101, "main"))]),
        (
            SYMBOL,
            vec![
                (1, sym("com/example/App")),
                (2, sym("main")),
                (5, sym("com/example")),
            ],
        ),
        (
            PACKAGE,
            vec![(
                1,
                enc(|w| {
                    w.var(5);
                }),
            )],
        ),
        (
            CLASS,
            vec![(
                3,
                enc(|w| {
                    w.var(1).var(1);
                }),
            )],
        ),
        (
            METHOD,
            vec![(
                8,
                enc(|w| {
                    w.var(3).var(2);
                }),
            )],
        ),
        (FRAME_TYPE, vec![(1, sym("Inlined"))]),
        (TRACE, vec![(4, trace(false, &[(8, 1, 1)]))]),
    ]);
    let two = chunk(
        &meta,
        &[other_pools, exec(7, 9, 4)],
        3_000_000_000,
        0,
        1_000_000_000,
    );
    let p = import_ok(&[one, two].concat());
    assert_eq!(p.threads.len(), 1);
    assert_eq!(p.threads[0].samples[0].time_ns, vec![10, 2_000_000_007]);
    assert_eq!(
        paths(&p, "jdk.ExecutionSample"),
        vec![
            ("com.example.App.main".to_string(), 1.0),
            (
                "com.example.App.main;com.example.App.run;com.example.App.work".to_string(),
                1.0
            ),
        ]
    );
}

#[test]
fn truncated_traces_get_a_marked_root_and_kernel_frames_their_kind() {
    let meta = metadata(&schema());
    let extra = pools(&[(TRACE, vec![(5, trace(true, &[(3, 1, 3), (2, 1, 1)]))])]);
    let p = import_ok(&chunk(
        &meta,
        &[standard_pools(), extra, exec(1, 1, 5)],
        0,
        0,
        1_000_000_000,
    ));
    assert_eq!(
        paths(&p, "jdk.ExecutionSample"),
        vec![(
            format!(
                "{};com.example.App.run;com.example.App.work",
                resolve::TRUNCATED
            ),
            1.0
        )]
    );
    let work = p
        .frames
        .as_slice()
        .iter()
        .find(|f| p.strings.get(f.name) == "com.example.App.work");
    assert_eq!(work.map(|f| f.kind), Some(FrameKind::Kernel));
    assert!(p.meta.notes.iter().any(|n| n.contains("truncated")));
}
