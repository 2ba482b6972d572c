//! Driver tests: bad input, and the invariant that every path (mmap/bytes, stream, any block size,
//! any thread count) produces the same profile.

use super::*;
use crate::input::Input;
use bigflame_model::SkipReason;
use std::fmt::Write as _;
use std::io::{Cursor, Write as _};
use std::sync::Mutex;

/// Everything observable in a profile, as text.
fn dump(p: &Profile) -> String {
    let mut out = String::new();
    let m = &p.meta;
    let _ = writeln!(
        out,
        "format={} source={} notes={:?}",
        m.format, m.source, m.notes
    );
    let _ = writeln!(out, "skipped={:?}", m.skipped.entries);
    let strings: Vec<&str> = p.strings.iter().map(|(_, s)| s).collect();
    let _ = writeln!(out, "strings={strings:?}");
    let _ = writeln!(out, "frames={:?}", p.frames.as_slice());
    let _ = writeln!(
        out,
        "stacks={:?} {:?}",
        p.stacks.parents(),
        p.stacks.frames()
    );
    let _ = writeln!(out, "events={:?}", p.events);
    for t in &p.threads {
        let _ = writeln!(
            out,
            "thread {:?} {:?} {}",
            t.pid,
            t.tid,
            p.strings.get(t.name)
        );
        for c in &t.samples {
            let _ = writeln!(out, "  {:?} {:?} {:?}", c.time_ns, c.stack, c.weight);
        }
    }
    out
}

fn opts(threads: usize, chunk_bytes: usize, block_bytes: usize) -> ImportOptions {
    ImportOptions {
        threads,
        chunk_bytes,
        block_bytes,
        ..ImportOptions::default()
    }
}

fn via_reader(data: &[u8], name: &str, o: &ImportOptions) -> Result<Profile, ImportError> {
    import_reader(Box::new(Cursor::new(data.to_vec())), name, o)
}

/// Imports `data` every way and asserts that all results are identical; returns one of them.
fn all_paths_agree(data: &[u8], name: &str) -> Profile {
    let reference = import_bytes(data, name, &opts(1, 1 << 30, 1 << 30)).unwrap();
    let want = dump(&reference);
    for threads in [1, 2, 3] {
        for chunk in [1, 7, 100, 4096, 16 << 20] {
            let p = import_bytes(data, name, &opts(threads, chunk, 1 << 20)).unwrap();
            assert!(dump(&p) == want, "bytes threads={threads} chunk={chunk}");
        }
        for block in [1, 5, 64, 1000, 1 << 20] {
            let p = via_reader(data, name, &opts(threads, 300, block)).unwrap();
            assert!(dump(&p) == want, "stream threads={threads} block={block}");
        }
    }
    reference
}

fn folded_sample() -> Vec<u8> {
    let mut s = String::new();
    for i in 0..2000 {
        let _ = writeln!(s, "main;work{};leaf{} {}", i % 13, i % 7, i % 5 + 1);
        if i % 97 == 0 {
            s.push_str("junk without count\n");
        }
        if i % 211 == 0 {
            s.push_str("bad;\u{fffd}utf;x 2\r\n\n");
        }
    }
    let mut v = s.into_bytes();
    // Raw invalid UTF-8 in the middle.
    v.extend_from_slice(b"main;\xff\xfe 3\n");
    v.extend_from_slice(b"main;tail 1");
    v
}

fn perf_sample() -> Vec<u8> {
    let mut s = String::from("# ========\n# captured on: today\n# ========\n#\n");
    for i in 0..1500u64 {
        let _ = write!(
            s,
            "prog {} [00{}] {}.{:06}: {} cycles:\n\t    7f{:04x} leaf{}+0x1 (/usr/lib/libx.so)\n\t    4005d0 main+0x20 (/usr/bin/prog)\n\n",
            100 + i % 3,
            i % 4,
            10 + i / 1000,
            i % 1000 * 997,
            1000 + i,
            i % 50,
            i % 9
        );
    }
    s.into_bytes()
}

#[test]
fn folded_is_identical_on_every_path() {
    let p = all_paths_agree(&folded_sample(), "stacks.folded");
    assert_eq!(p.meta.format, "folded");
    assert_eq!(p.strings.get(p.threads[0].name), "stacks");
    let e = &p.meta.skipped.entries;
    assert_eq!(
        (e[0].0, e[0].1, e[0].2.as_str()),
        (SkipReason::MalformedLine, 21, "line 2")
    );
    assert_eq!(e[1].0, SkipReason::InvalidUtf8);
    assert!(e[1].2.starts_with("line "), "{e:?}");
    let total: u64 = p.threads[0].samples[0].len() as u64;
    assert_eq!(total, 2000 + 10 + 2);
}

#[test]
fn perf_script_is_identical_on_every_path() {
    let p = all_paths_agree(&perf_sample(), "perf.txt");
    assert_eq!(p.meta.format, "perf-script");
    assert_eq!(p.sample_count(bigflame_model::EventId(0)), 1500);
}

#[test]
fn empty_inputs_give_empty_profiles() {
    for data in [&b""[..], b"\n\n  \n", b"# just a comment\n"] {
        let p = import_bytes(data, "e.txt", &ImportOptions::default()).unwrap();
        assert!(p.threads.is_empty() && p.events.is_empty(), "{data:?}");
        let p = via_reader(data, "-", &ImportOptions::default()).unwrap();
        assert!(p.threads.is_empty(), "{data:?}");
        assert_eq!(p.meta.source, "-");
    }
    let forced = ImportOptions {
        format: Some(Format::PerfScript),
        ..ImportOptions::default()
    };
    let p = import_bytes(b"", "no-events.txt", &forced).unwrap();
    assert_eq!(p.meta.format, "perf-script");
    assert!(p.threads.is_empty());
}

#[test]
fn binary_garbage_is_a_clear_error() {
    let garbage: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for result in [
        import_bytes(&garbage, "garbage.bin", &ImportOptions::default()),
        via_reader(&garbage, "garbage.bin", &ImportOptions::default()),
    ] {
        let msg = result.unwrap_err().to_string();
        assert!(msg.starts_with("garbage.bin: binary data"), "{msg}");
    }
    let msg = import_bytes(b"PERFILE2\0\0\0", "perf.data", &ImportOptions::default())
        .unwrap_err()
        .to_string();
    // Not a real recording: perf refuses it (or is missing); either way the message says so.
    assert!(msg.starts_with("perf.data: "), "{msg}");
    assert!(msg.contains("perf"), "{msg}");
    let msg = import_bytes(b"{\"a\": [1, 2]}", "t.json", &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(msg.starts_with("t.json: "), "{msg}");
    assert!(msg.contains("JSON of an unknown schema"), "{msg}");
}

#[test]
fn a_10mb_line_is_parsed_on_every_path() {
    let mut data = b"a;b 1\n".to_vec();
    let frames = 10 << 20 >> 4;
    for i in 0..frames {
        let _ = write!(&mut data, "frame_{:09};", i % 1000);
    }
    data.pop();
    data.extend_from_slice(b" 5\nc 2\n");
    assert!(data.len() > 10 << 20);
    let want = dump(&import_bytes(&data, "big", &opts(1, 1 << 30, 1 << 30)).unwrap());
    let p = import_bytes(&data, "big", &opts(2, 1 << 20, 1 << 20)).unwrap();
    assert!(dump(&p) == want);
    let p = via_reader(&data, "big", &opts(2, 1 << 20, 1 << 20)).unwrap();
    assert!(dump(&p) == want);
    assert_eq!(p.threads[0].samples[0].weight, [1.0, 5.0, 2.0]);
    assert_eq!(p.frames.len(), 1000 + 3);
    let leaf = p.threads[0].samples[0].stack[1];
    assert_eq!(p.stacks.depth(leaf) as usize, frames - 1);
}

#[test]
fn a_100k_frame_stack_does_not_overflow() {
    let mut data: Vec<u8> = (0..100_000)
        .flat_map(|i| format!("f{};", i % 1000).into_bytes())
        .collect();
    data.pop();
    data.extend_from_slice(b" 1\n");
    let data = data.repeat(3);
    let p = import_bytes(&data, "deep", &opts(1, 1 << 30, 1 << 30)).unwrap();
    let want = dump(&p);
    assert!(dump(&import_bytes(&data, "deep", &opts(3, 1000, 1000)).unwrap()) == want);
    assert!(dump(&via_reader(&data, "deep", &opts(3, 1000, 1000)).unwrap()) == want);
    let leaf = p.threads[0].samples[0].stack[2];
    assert_eq!(p.stacks.depth(leaf), 99_999);
}

#[test]
fn truncated_gzip_keeps_the_decoded_part() {
    let data = folded_sample().repeat(20);
    let gz = crate::input::tests::gzip(&data);
    let cut = &gz[..gz.len() / 2];
    let p = import_bytes(cut, "t.gz", &opts(2, 4096, 4096)).unwrap();
    assert_eq!(p.meta.notes.len(), 1, "{:?}", p.meta.notes);
    assert!(
        p.meta.notes[0].starts_with("t.gz: the gzip stream ends unexpectedly at compressed byte")
    );
    let trunc = p
        .meta
        .skipped
        .entries
        .iter()
        .find(|e| e.0 == SkipReason::Truncated)
        .unwrap();
    assert!(
        trunc.2.starts_with("line ") && trunc.2.contains("compressed byte"),
        "{trunc:?}"
    );
    let n = p.threads[0].samples[0].len();
    assert!(n > 1000 && n < 20 * 2012, "{n}");
    // The complete stream, gzipped, equals the plain import.
    let whole = import_bytes(&gz, "t.gz", &opts(2, 4096, 4096)).unwrap();
    let plain = import_bytes(&data, "t.gz", &opts(2, 4096, 4096)).unwrap();
    assert_eq!(dump(&whole), dump(&plain));
}

#[test]
fn corrupt_gzip_is_an_error_with_an_offset() {
    let mut gz = crate::input::tests::gzip(&folded_sample().repeat(20));
    let mid = gz.len() / 2;
    for b in &mut gz[mid..mid + 64] {
        *b ^= 0x5a;
    }
    let err = import_bytes(&gz, "c.gz", &opts(2, 4096, 4096)).unwrap_err();
    assert!(matches!(err, ImportError::Decompress { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("c.gz: cannot decompress at compressed byte"),
        "{err}"
    );
}

#[test]
fn files_pipes_and_stdin_like_readers_agree() {
    let data = folded_sample();
    let dir = std::env::temp_dir().join(format!("bigflame-driver-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s.txt");
    std::fs::write(&path, &data).unwrap();
    let mapped = import_path(&path, &opts(2, 1000, 1000)).unwrap();
    let read = import_path(
        &path,
        &ImportOptions {
            mmap: false,
            ..opts(2, 1000, 1000)
        },
    )
    .unwrap();
    let want = dump(&mapped);
    assert!(dump(&read) == want);
    assert_eq!(mapped.meta.source, path.display().to_string());
    // A FIFO cannot be mapped: it is streamed.
    #[cfg(unix)]
    {
        let fifo = dir.join("fifo");
        std::fs::create_dir_all(&fifo).unwrap();
        let fifo = fifo.join("s.txt");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            let writer_path = fifo.clone();
            let bytes = data.clone();
            let writer = std::thread::spawn(move || {
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(writer_path)
                    .unwrap();
                f.write_all(&bytes).unwrap();
            });
            let piped = import_path(&fifo, &opts(2, 1000, 1000)).unwrap();
            writer.join().unwrap();
            let got =
                dump(&piped).replace(&fifo.display().to_string(), &path.display().to_string());
            assert!(got == want);
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn utf16_folded_is_transcoded_on_both_paths() {
    let text = "a;b;c 1\r\na;b;c 1\r\na;b;d 4\r\na;b;c 3\r\na;b 5";
    let le: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be: Vec<u8> = [0xfe, 0xff]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let plain = dump(&import_bytes(text.as_bytes(), "x", &ImportOptions::default()).unwrap());
    for data in [le, be] {
        assert_eq!(
            dump(&import_bytes(&data, "x", &ImportOptions::default()).unwrap()),
            plain
        );
        assert_eq!(
            dump(&via_reader(&data, "x", &opts(1, 3, 3)).unwrap()),
            plain
        );
    }
    let bom = [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat();
    let p = all_paths_agree(&bom, "x");
    assert_eq!(p.total_weight(bigflame_model::EventId(0)), 14.0);
}

#[test]
fn progress_is_reported_per_chunk_and_at_the_end() {
    let data = folded_sample();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let o = ImportOptions {
        progress: Some(Arc::new(move |p: Progress| sink.lock().unwrap().push(p))),
        ..opts(2, 4096, 8192)
    };
    let p = import_bytes(&data, "p", &o).unwrap();
    let events = std::mem::take(&mut *seen.lock().unwrap());
    assert!(events.len() > 5, "{}", events.len());
    let last = events[events.len() - 1];
    assert_eq!(last.bytes_done, data.len() as u64);
    assert_eq!(last.bytes_total, Some(data.len() as u64));
    assert_eq!(last.samples_so_far, p.threads[0].samples[0].len() as u64);
    via_reader(&data, "-", &o).unwrap();
    let events = seen.lock().unwrap();
    assert!(events.len() > 5 && events.iter().all(|e| e.bytes_total.is_none()));
    assert_eq!(events[events.len() - 1].bytes_done, data.len() as u64);
}

#[test]
fn input_from_vec_detects_gzip() {
    let gz = crate::input::tests::gzip(b"a;b 1\n");
    let input = Input::from_vec("v", gz);
    assert!(input.gzip);
    let p = import_input(input, None, &ImportOptions::default()).unwrap();
    assert_eq!(p.total_weight(bigflame_model::EventId(0)), 1.0);
}

#[test]
fn forced_unsupported_format_is_an_error() {
    // Any format recognised but without an importer (NestedGzip has a message of its own).
    let Some(format) = Format::ALL
        .into_iter()
        .find(|f| !f.is_supported() && !matches!(f, Format::NestedGzip | Format::PerfData))
    else {
        return; // every format has an importer
    };
    let o = ImportOptions {
        format: Some(format),
        ..ImportOptions::default()
    };
    let msg = import_bytes(b"a;b 1\n", "x", &o).unwrap_err().to_string();
    let want = format!("x: this looks like {}", format.describe());
    assert!(msg.starts_with(&want), "{msg}");
}

#[test]
fn gzip_inside_gzip_is_named() {
    let inner = crate::input::tests::gzip(b"a;b 1\n");
    let outer = crate::input::tests::gzip(&inner);
    let msg = import_bytes(&outer, "x.gz.gz", &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with("x.gz.gz: gzip data inside gzip data"),
        "{msg}"
    );
    let p = import_bytes(&inner, "x.gz", &ImportOptions::default()).unwrap();
    assert_eq!(p.total_weight(bigflame_model::EventId(0)), 1.0);
    let empty = crate::input::tests::gzip(b"");
    let p = import_bytes(&empty, "e.gz", &ImportOptions::default()).unwrap();
    assert!(p.threads.is_empty());
}
