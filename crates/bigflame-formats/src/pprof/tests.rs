use super::proto::{Function, Label, Line, Location, Mapping, Sample, ValueType};
use super::*;
use bigflame_model::EventId;

/// The whole `Profile` message, for encoding test inputs (the importer never decodes it whole).
#[derive(Clone, PartialEq, prost::Message)]
struct TestProfile {
    #[prost(message, repeated, tag = "1")]
    sample_type: Vec<ValueType>,
    #[prost(message, repeated, tag = "2")]
    sample: Vec<Sample>,
    #[prost(message, repeated, tag = "3")]
    mapping: Vec<Mapping>,
    #[prost(message, repeated, tag = "4")]
    location: Vec<Location>,
    #[prost(message, repeated, tag = "5")]
    function: Vec<Function>,
    #[prost(string, repeated, tag = "6")]
    string_table: Vec<String>,
    #[prost(int64, tag = "9")]
    time_nanos: i64,
    #[prost(int64, tag = "14")]
    default_sample_type: i64,
}

const STRINGS: [&str; 13] = [
    "",
    "alloc_objects",
    "count",
    "alloc_space",
    "bytes",
    "main",
    "memcpy",
    "printf",
    "/bin/app",
    "app.c",
    "thread",
    "worker",
    "inuse_space",
];

fn func(id: u64, name: i64) -> Function {
    Function {
        id,
        name,
        system_name: 0,
        filename: 9,
        start_line: id as i64 * 10,
    }
}

fn line(function_id: u64) -> Line {
    Line {
        function_id,
        line: 0,
        column: 0,
    }
}

fn sample(locs: &[u64], value: &[i64], label: Vec<Label>) -> Sample {
    Sample {
        location_id: locs.to_vec(),
        value: value.to_vec(),
        label,
    }
}

/// main (loc 1) -> printf with memcpy inlined (loc 2), and an unsymbolised address (loc 3).
fn heap_profile(default_sample_type: i64) -> Vec<u8> {
    let worker = vec![Label {
        key: 10,
        str: 11,
        num: 0,
        num_unit: 0,
    }];
    TestProfile {
        sample_type: vec![
            ValueType { r#type: 1, unit: 2 },
            ValueType { r#type: 3, unit: 4 },
            ValueType {
                r#type: 12,
                unit: 4,
            },
        ],
        sample: vec![
            sample(&[2, 1], &[2, 64, 0], vec![]),
            sample(&[1], &[1, 1000, 1000], vec![]),
            sample(&[3, 1], &[4, 256, -8], worker),
        ],
        mapping: vec![Mapping {
            id: 1,
            filename: 8,
            ..Mapping::default()
        }],
        location: vec![
            Location {
                id: 1,
                mapping_id: 1,
                address: 0x1000,
                line: vec![line(1)],
            },
            Location {
                id: 2,
                mapping_id: 1,
                address: 0x2000,
                line: vec![line(2), line(3)],
            },
            Location {
                id: 3,
                mapping_id: 1,
                address: 0xbeef,
                line: vec![],
            },
        ],
        function: vec![func(1, 5), func(2, 6), func(3, 7)],
        string_table: STRINGS.iter().map(|s| s.to_string()).collect(),
        time_nanos: 1,
        default_sample_type,
    }
    .encode_to_vec()
}

fn stack_names(p: &Profile, mut s: StackId) -> Vec<String> {
    let mut out = Vec::new();
    while !s.is_empty() {
        out.push(p.frame_name(p.stacks.frame(s)).to_string());
        s = p.stacks.parent(s);
    }
    out.reverse();
    out
}

#[test]
fn every_sample_type_is_an_event_with_its_unit() {
    let p = import(&heap_profile(0), "heap.pb.gz", &ImportOptions::default()).unwrap();
    // No default_sample_type: the last type (inuse_space) is shown first, the others follow.
    let names: Vec<(&str, WeightUnit)> =
        p.events.iter().map(|e| (e.name.as_str(), e.unit)).collect();
    assert_eq!(
        names,
        [
            ("inuse_space", WeightUnit::Bytes),
            ("alloc_objects", WeightUnit::Events),
            ("alloc_space", WeightUnit::Bytes)
        ]
    );
    // alloc_space: 64 + 1000 + 256 bytes; inuse_space: only the positive value 1000.
    assert_eq!(
        p.total_weight(p.event_by_name("alloc_space").unwrap()),
        1320.0
    );
    assert_eq!(
        p.total_weight(p.event_by_name("alloc_objects").unwrap()),
        7.0
    );
    assert_eq!(p.total_weight(EventId(0)), 1000.0);
    assert_eq!(p.sample_count(EventId(0)), 1);
    assert!(
        p.meta.notes.iter().any(|n| n.contains("1 negative")),
        "{:?}",
        p.meta.notes
    );
    // The labelled sample went to thread "worker"; the others to the file-stem thread.
    let threads: Vec<String> = (0..p.threads.len())
        .map(|i| p.thread_label(ThreadId::from_index(i)))
        .collect();
    assert_eq!(threads.len(), 2, "{threads:?}");
    assert_eq!(threads[0], "heap", "the file stem");
    assert!(threads[1].contains("worker"), "{threads:?}");
    let ev = p.event_by_name("alloc_space").unwrap();
    let cols = p.threads[0].samples(ev);
    assert_eq!(cols.weight, vec![64.0, 1000.0]);
    assert!(!cols.has_time());
    // Inlined: printf is the physical frame, memcpy was inlined into it.
    assert_eq!(stack_names(&p, cols.stack[0]), ["main", "printf", "memcpy"]);
    let leaf = p.frames.get(p.stacks.frame(cols.stack[0]));
    assert_eq!(leaf.kind, FrameKind::Inlined);
    let printf = p.frames.get(p.stacks.frame(p.stacks.parent(cols.stack[0])));
    assert_eq!(printf.kind, FrameKind::User);
    assert_eq!(p.strings.get(printf.module.unwrap()), "/bin/app");
    assert_eq!(p.strings.get(printf.file.unwrap()), "app.c");
    assert_eq!(printf.line, 30);
    // The unsymbolised location shows its address.
    let w = p.threads[1].samples(ev);
    assert_eq!(stack_names(&p, w.stack[0]), ["main", "0xbeef"]);
}

#[test]
fn default_sample_type_is_the_first_event() {
    // default_sample_type is a string index: "alloc_space".
    let p = import(&heap_profile(3), "heap", &ImportOptions::default()).unwrap();
    assert_eq!(p.events[0].name, "alloc_space");
    assert_eq!(p.events[1].name, "alloc_objects");
    assert_eq!(p.events[2].name, "inuse_space");
}

#[test]
fn bad_input_errors_name_the_byte_offset() {
    let data = heap_profile(0);
    // Truncated: the last field runs past the end.
    let cut = &data[..data.len() - 3];
    let e = import(cut, "cut.pb", &ImportOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.starts_with("cut.pb: at byte "), "{msg}");
    assert!(msg.contains("runs past the end"), "{msg}");
    // A claimed length of 2^40 is an error, not an allocation.
    let huge = [0x12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x00];
    let e = import(&huge, "huge.pb", &ImportOptions::default()).unwrap_err();
    assert!(e.to_string().contains("at byte 0"), "{e}");
    // A sample whose packed values are garbage: located at that sample.
    let mut bad = TestProfile::default().encode_to_vec();
    bad.extend_from_slice(&[0x0a, 0x00, 0x12, 0x02, 0x12, 0x05]);
    let e = import(&bad, "bad.pb", &ImportOptions::default()).unwrap_err();
    assert!(e.to_string().contains("at byte 2: bad sample"), "{e}");
    // Wrong wire type for a known field.
    let e = import(&[0x0d, 0, 0, 0, 0], "w.pb", &ImportOptions::default()).unwrap_err();
    assert!(e.to_string().contains("wrong wire type"), "{e}");
}

#[test]
fn dangling_ids_and_value_count_mismatches_are_skipped() {
    let data = TestProfile {
        sample_type: vec![ValueType { r#type: 1, unit: 2 }],
        sample: vec![sample(&[7, 1], &[5], vec![]), sample(&[1], &[1, 2], vec![])],
        location: vec![Location {
            id: 1,
            mapping_id: 0,
            address: 1,
            line: vec![line(1), line(99)],
        }],
        function: vec![func(1, 5)],
        string_table: STRINGS.iter().map(|s| s.to_string()).collect(),
        ..TestProfile::default()
    }
    .encode_to_vec();
    let p = import(&data, "d.pb", &ImportOptions::default()).unwrap();
    assert_eq!(p.meta.skipped.total(), 2, "{:?}", p.meta.skipped);
    let cols = p.threads[0].samples(EventId(0));
    assert_eq!(cols.weight, vec![5.0]);
    // Function 99 and location 7 do not exist: only `main` (inlined, its caller is gone) is left.
    assert_eq!(stack_names(&p, cols.stack[0]), ["main"]);
}

#[test]
fn empty_message_is_an_empty_profile() {
    let p = import(&[], "e.pb", &ImportOptions::default()).unwrap();
    assert!(p.events.is_empty());
}

#[test]
fn a_location_with_many_lines_under_many_stacks_costs_linear_time() {
    // Fuzzing regression: every sample with a new location list re-walked the frames of each of
    // its locations (and re-checked their lines), O(samples x lines) for an O(samples + lines)
    // input. Here one location carries 10,000 inlined lines and 10,000 samples each put a
    // different leaf location on it: 10^8 steps before, 2 x 10^4 now.
    let (lines, samples) = (10_000u64, 10_000u64);
    let mut location = vec![Location {
        id: 1,
        mapping_id: 0,
        address: 1,
        line: (0..lines).map(|_| line(1)).collect(),
    }];
    location.extend((0..samples).map(|i| Location {
        id: i + 2,
        mapping_id: 0,
        address: i + 2,
        line: vec![line(2)],
    }));
    let data = TestProfile {
        sample_type: vec![ValueType { r#type: 1, unit: 2 }],
        sample: (0..samples)
            .map(|i| sample(&[i + 2, 1], &[1], vec![]))
            .collect(),
        location,
        function: vec![func(1, 5), func(2, 6)],
        string_table: STRINGS.iter().map(|s| s.to_string()).collect(),
        ..TestProfile::default()
    }
    .encode_to_vec();
    // (No timing assertion: the old code took tens of seconds on this input, which shows in the
    // test run; speed itself is measured in benches.)
    let p = import(&data, "deep.pb", &ImportOptions::default()).unwrap();
    assert_eq!(p.meta.skipped.total(), 0);
    let cols = p.threads[0].samples(EventId(0));
    assert_eq!(cols.weight.iter().sum::<f64>(), samples as f64);
    // Every sample is main x 10,000 (one physical, the rest inlined) under memcpy.
    let names = stack_names(&p, cols.stack[samples as usize - 1]);
    assert_eq!(names.len(), lines as usize + 1);
    assert_eq!(names.last().map(String::as_str), Some("memcpy"));
    assert!(cols.stack.iter().all(|&s| s == cols.stack[0]));
}
