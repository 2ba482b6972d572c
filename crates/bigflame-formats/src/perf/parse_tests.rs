//! Tests of the chunk parser: record grammar, chunk boundaries, skipped lines and bad input.

use super::*;
use crate::collapse::{CollapseOptions, folded_lines};
use bigflame_model::{EventId, Profile, ProfileMeta, merge_builders};

fn whole(data: &[u8]) -> Profile {
    parse_chunk(data, 0, &PerfOptions::default()).finish(ProfileMeta::default())
}

fn folded(p: &Profile) -> Vec<(String, f64)> {
    folded_lines(p, &CollapseOptions::default())
}

/// Parses `data` cut at every record boundary reachable from every offset, and checks that the
/// merged result prints the same as the whole.
fn assert_split_invariant(data: &[u8]) {
    let reference = folded(&whole(data));
    for from in 0..=data.len() {
        let cut = next_record_boundary(data, from);
        assert!(cut >= from.min(data.len()) && cut <= data.len());
        let parts = vec![
            parse_chunk(&data[..cut], 0, &PerfOptions::default()),
            parse_chunk(&data[cut..], cut as u64, &PerfOptions::default()),
        ];
        let merged = merge_builders(parts, ProfileMeta::default());
        assert_eq!(folded(&merged), reference, "split at {cut}");
    }
}

const SAMPLE: &[u8] = b"# header\n#\nmy app 12/13 [001] 1.000000001: 7 cycles:\n\
    \t  aaa leaf+0x1 (/bin/app)\n\t  bbb main (/bin/app)\n\n\
    my app 12/13 [001] 1.5: 3 cycles:\n\t  aab leaf+0x2 (/bin/app)\n\t  bbb main (/bin/app)\n\n\
    other 14 [000] 2.0: 5 instructions:\n\t  ccc [unknown] ([kernel.kallsyms])\n\n\
    my app 12/13 [001] 2.5: 1 cycles:\n";

#[test]
fn records_threads_events_and_times() {
    let p = whole(SAMPLE);
    assert_eq!(p.events.len(), 2);
    assert_eq!(p.events[0].name, "cycles");
    assert_eq!(p.events[0].unit, WeightUnit::Events);
    assert_eq!(p.threads.len(), 2);
    let t = &p.threads[0];
    assert_eq!(
        (t.pid, t.tid, p.strings.get(t.name)),
        (Some(12), Some(13), "my app")
    );
    let cycles = t.samples(EventId(0));
    assert_eq!(
        cycles.time_ns,
        vec![1_000_000_001, 1_500_000_000, 2_500_000_000]
    );
    assert_eq!(cycles.weight, vec![7.0, 3.0, 1.0]);
    assert_eq!(
        cycles.stack[0], cycles.stack[1],
        "offsets do not split frames"
    );
    assert!(
        cycles.stack[2].is_empty(),
        "a header at the end of input has an empty stack"
    );
    assert_eq!(p.threads[1].pid, None);
    // inferno-collapse-perf prints only `my_app;main;leaf 10` for SAMPLE (the frameless last
    // sample is dropped; see `collapse::tests::samples_without_frames_follow_the_flavour`).
    assert_eq!(folded(&p), vec![("my_app;main;leaf".to_string(), 10.0)]);
    assert_eq!(p.meta.skipped.total(), 0);
}

#[test]
fn chunk_boundaries_never_change_the_result() {
    assert_split_invariant(SAMPLE);
    let crlf: Vec<u8> = SAMPLE
        .iter()
        .flat_map(|&b| {
            if b == b'\n' {
                vec![b'\r', b'\n']
            } else {
                vec![b]
            }
        })
        .collect();
    assert_eq!(folded(&whole(&crlf)), folded(&whole(SAMPLE)));
    assert_split_invariant(&crlf);
    assert_eq!(next_record_boundary(SAMPLE, 0), 0);
    assert_eq!(next_record_boundary(SAMPLE, SAMPLE.len()), SAMPLE.len());
    // Indented lines and comments after a blank line do not start records.
    let data = b"a 1 x:\n\t1 f (m)\n\n\tweird\n\n#c\n\nb 2 x:\n";
    assert_eq!(next_record_boundary(data, 1), data.len() - 7);
    assert_eq!(next_record_boundary(data, data.len() - 6), data.len());
}

#[test]
fn event_filter_skips_and_counts_other_events() {
    let opts = PerfOptions {
        event_filter: Some("instructions".into()),
        ..PerfOptions::default()
    };
    let p = parse_chunk(SAMPLE, 100, &opts).finish(ProfileMeta::default());
    assert_eq!(p.events.len(), 1);
    assert_eq!(p.sample_count(EventId(0)), 1);
    let e = &p.meta.skipped.entries[0];
    assert_eq!(
        (e.0, e.1, e.2.as_str()),
        (SkipReason::OtherEvent, 3, "byte 111")
    );
}

#[test]
fn weird_lines_are_counted_with_their_offset() {
    let data =
        b"a 1 1.0: x:\n\t1 f (m)\n\n\tstray frame (m)\n\na 1 2.0: x:\n\tNOSPACE\n\t2 g (m)\n\n";
    let p = whole(data);
    let entries = &p.meta.skipped.entries;
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (entries[0].0, entries[0].1, entries[0].2.as_str()),
        (SkipReason::MalformedLine, 1, "byte 52")
    );
    assert_eq!(entries[0].3, "NOSPACE");
    assert_eq!(
        (entries[1].0, entries[1].2.as_str()),
        (SkipReason::MalformedSample, "byte 22")
    );
    assert_eq!(
        folded(&p),
        vec![("a;f".to_string(), 1.0), ("a;g".to_string(), 1.0)]
    );
    let w = super::super::warnings(&p.meta.skipped);
    assert!(w[0].starts_with("Weird stack line: NOSPACE"), "{w:?}");
    assert!(
        w[1].starts_with("Weird event line: \tstray frame (m)"),
        "{w:?}"
    );
}

#[test]
fn bad_input_never_panics() {
    assert_eq!(whole(b"").sample_count(EventId(0)), 0);
    assert!(whole(b"\n\n\n   \n#x\n").events.is_empty());
    // Binary garbage.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let garbage: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if x.is_multiple_of(7) {
                b'\n'
            } else {
                (x >> 24) as u8
            }
        })
        .collect();
    let p = whole(&garbage);
    assert!(p.meta.skipped.total() > 0);
    assert_split_invariant(&garbage[..3000]);
    // Invalid UTF-8 everywhere: kept lossily.
    let p = whole(b"\xffco\xfemm 5 1.0: ev\xff:\n\t1 f\xc3\x28 (/lib/\xff.so)\n\n");
    assert_eq!(p.sample_count(EventId(0)), 1);
    assert_eq!(folded(&p)[0].0, "\u{fffd}co\u{fffd}mm;f\u{fffd}");
    // A 10 MB line, as a header and as a frame.
    let long = vec![b'x'; 10 << 20];
    assert_eq!(whole(&long).meta.skipped.total(), 1);
    let mut frame_line = b"c 1 1.0: e:\n\t1 ".to_vec();
    frame_line.extend_from_slice(&long);
    frame_line.extend_from_slice(b" (m)\n");
    assert_eq!(folded(&whole(&frame_line))[0].0.len(), 2 + (10 << 20));
}

#[test]
fn a_100k_frame_stack_is_linear() {
    let mut data = b"deep 1 1.0: 1 e:\n".to_vec();
    for i in 0..100_000 {
        data.extend_from_slice(format!("\t{i:x} f{} (m)\n", i % 1000).as_bytes());
    }
    data.extend_from_slice(b"\n");
    let second = data.clone();
    data.extend_from_slice(&second);
    let p = whole(&data);
    let cols = p.threads[0].samples(EventId(0));
    assert_eq!(cols.len(), 2);
    assert_eq!(cols.stack[0], cols.stack[1]);
    assert_eq!(p.stacks.depth(cols.stack[0]), 99_999);
}

#[test]
fn truncated_input_keeps_the_partial_last_record() {
    let cut = &SAMPLE[..SAMPLE.len() - 60];
    let p = whole(cut);
    let total: f64 = folded(&p).iter().map(|l| l.1).sum();
    assert_eq!(total, 10.0);
    // Cut inside a frame line: the partial line is still a frame.
    let p = whole(b"a 1 1.0: e:\n\t1 main (/bin/a)\n\t2 sta");
    assert_eq!(folded(&p), vec![("a;sta;main".to_string(), 1.0)]);
}

/// Every sample as `thread pid tid event time weight stack`, and the skip counts: what a parse
/// produced, independent of id order.
fn full_dump(p: &Profile) -> Vec<String> {
    let mut out = Vec::new();
    for t in &p.threads {
        for (e, cols) in t.samples.iter().enumerate() {
            for i in 0..cols.len() {
                let path: Vec<_> = p
                    .stacks
                    .path(cols.stack[i])
                    .iter()
                    .map(|&f| p.frame_name(f).to_string())
                    .collect();
                out.push(format!(
                    "{} {:?} {:?} {} {:?} {} {}",
                    p.strings.get(t.name),
                    t.pid,
                    t.tid,
                    p.events[e].name,
                    cols.time_ns.get(i),
                    cols.weight[i],
                    path.join(";")
                ));
            }
        }
    }
    for (reason, count, at, excerpt) in &p.meta.skipped.entries {
        out.push(format!("skipped {reason:?} {count} {at} {excerpt}"));
    }
    out
}

/// A recording-like input that exercises every cache of the parser: a few threads (one named
/// `java`, one with spaces) interleaving on CPUs, two events, timestamps that grow a digit,
/// periods that come and go, chains that repeat byte for byte or only up to a garbage address or
/// a different offset, a stray malformed line inside a chain, CRLF records and a last record cut
/// at the end of the input.
fn cache_stress_input() -> Vec<u8> {
    let mut next = crate::test_support::xorshift(0x2545_f491_4f6c_dd1d);
    let threads = ["app 10/11", "my worker 10/12", "java 20/21", "app 10/13"];
    let callers: [&[&str]; 4] = [
        &[
            "ffffffff81000130 entry_SYSCALL_64+0x76 ([kernel.kallsyms])",
            "7f01 [unknown] ([unknown])",
        ],
        &[
            "55aa00001000 work+0x10 (/bin/app)",
            "55aa00002000 main+0x20 (/bin/app)",
        ],
        &[
            "55aa00001000 work+0x10 (/bin/app)",
            "55aa00003000 other+0x8 (/bin/app)",
        ],
        &[
            "7f02 Interpreter (/tmp/perf-20.map)",
            "7f03 call_stub (libjvm.so)",
        ],
    ];
    let mut out = Vec::new();
    let mut time_us = 9_999_000u64;
    for record in 0..600 {
        let thread = threads[next(4) as usize];
        let cpu = next(3);
        time_us += 1 + next(700);
        // Two events of the same length, so that only the event word tells them apart.
        let event = if next(5) == 0 { "faults" } else { "cycles" };
        let period = match next(4) {
            0 => String::new(),
            _ => format!("{:>10} ", 1000 + next(3) * 250),
        };
        out.extend_from_slice(
            format!(
                "{thread} [{cpu:03}] {}.{:06}: {period}{event}: \n",
                time_us / 1_000_000,
                time_us % 1_000_000
            )
            .as_bytes(),
        );
        let leaf = ["hot", "memcpy", "spin"][next(3) as usize];
        out.extend_from_slice(
            format!(
                "\t{:>16x} {leaf}+0x{:x} (/bin/app)\n",
                0x55aa_0000_0000u64 + next(4),
                next(3)
            )
            .as_bytes(),
        );
        for (depth, line) in callers[next(4) as usize].iter().enumerate() {
            let line = if depth == 1 && next(6) == 0 {
                // A garbage return address: same text after the address, different bytes.
                format!("{:x} [unknown] ([unknown])", 0x7f00_0000 + next(1 << 20))
            } else {
                (*line).to_string()
            };
            let (addr, rest) = line.split_once(' ').unwrap_or((&line, ""));
            out.extend_from_slice(format!("\t{addr:>16} {rest}\n").as_bytes());
            if next(40) == 0 {
                out.extend_from_slice(b"\tNOSPACE\n");
            }
        }
        out.extend_from_slice(if record % 97 == 0 { b"\r\n" } else { b"\n" });
    }
    out.extend_from_slice(
        b"app 10/11 [000] 11.000000: 1000 cycles: \n\t    55aa00000000 hot+0x1 (/bin/app)\n",
    );
    out
}

#[test]
fn caches_never_change_the_result() {
    let data = cache_stress_input();
    let reference = full_dump(&whole(&data));
    // Each record in its own chunk: every cache starts cold for every record.
    let mut parts = Vec::new();
    let mut start = 0;
    while start < data.len() {
        let end = next_record_boundary(&data, start + 1);
        parts.push(parse_chunk(
            &data[start..end],
            start as u64,
            &PerfOptions::default(),
        ));
        start = end;
    }
    assert!(parts.len() > 500, "{} records", parts.len());
    let cold = full_dump(&merge_builders(parts, ProfileMeta::default()));
    assert_eq!(cold.len(), reference.len());
    for (a, b) in cold.iter().zip(&reference) {
        assert_eq!(a, b);
    }
    assert!(reference.iter().any(|l| l.starts_with("skipped")));
    assert!(reference.iter().any(|l| l.starts_with("java ")));
}
