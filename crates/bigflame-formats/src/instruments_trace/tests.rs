//! Tests of the Instruments `.trace` importer: plist and keyed-archive decoding, bundles (memory,
//! zip, directory), the synthetic trace's exact picture, hostile inputs, and the conformance
//! bundles when present.

use super::archive::Archive;
use super::bplist::{PVal, Plist};
use super::bundle::{Budget, MemBundle, ZipBundle};
use super::test_writers::*;
use super::*;
use crate::test_support::weights_by_path;
use bigflame_model::{EventId, ThreadId};
use std::collections::BTreeMap;

const ARRAYS: [&[u64]; 3] = [&[0x3000, 0x2000, 0x1000], &[0x4000, 2], &[0x2000, 0x1000]];
/// (time ns, thread, backtrace): thread 7 has three samples, thread 3 two.
const SAMPLES: [(u64, u32, u32); 5] = [
    (100, 7, 0),
    (120, 3, 0x2000),
    (250, 7, 1),
    (300, 7, 0),
    (400, 3, 0x9999),
];

fn arrays() -> Vec<Vec<u64>> {
    ARRAYS.iter().map(|a| a.to_vec()).collect()
}

fn files() -> BTreeMap<String, Vec<u8>> {
    trace_files(&SAMPLES, &arrays())
}

/// The default event: Instruments' per-sample weights.
const WEIGHT: EventId = EventId(0);
/// Time since the previous sample of the thread, as speedscope weighs samples.
const INTERVAL: EventId = EventId(1);

fn paths(p: &Profile) -> BTreeMap<String, f64> {
    weights_by_path(p, INTERVAL, |f| p.frame_name(f).to_string())
}

#[test]
fn bplist_objects_decode() {
    let objs = [
        W::Int(7),
        W::Str("héllo".into()), // written as bytes: read back lossily-equal
        W::Uid(3),
        W::Arr(vec![0, 1]),
        W::Data(vec![1, 2, 3]),
        W::Dict(vec![(1, 0)]),
    ];
    let bytes = bplist(&objs, 5);
    let p = Plist::new(&bytes).unwrap();
    assert_eq!(p.root, 5);
    assert_eq!(p.object(0).unwrap(), PVal::Int(7));
    assert_eq!(p.object(1).unwrap(), PVal::Str("héllo".into()));
    assert_eq!(p.object(2).unwrap(), PVal::Uid(3));
    assert_eq!(p.object(3).unwrap(), PVal::Array(vec![0, 1]));
    assert_eq!(p.object(4).unwrap(), PVal::Data(&[1, 2, 3]));
    assert_eq!(p.object(5).unwrap(), PVal::Dict(vec![(1, 0)]));
    assert!(
        p.object(6).is_err(),
        "a reference past the table is an error"
    );
    // Cut anywhere: an error, never a panic.
    for cut in 0..bytes.len() {
        if let Ok(p) = Plist::new(&bytes[..cut]) {
            for i in 0..8 {
                let _ = p.object(i);
            }
        }
    }
    assert!(Plist::new(b"bplist00").is_err());
    assert!(Plist::new(b"not a plist at all, but long enough for a trailer....").is_err());
}

#[test]
fn keyed_archive_foundation_classes() {
    let mut k = Ka::new();
    let (hello, one, two) = (k.s("hello"), k.i(1), k.i(2));
    let arr = k.ns_array(vec![one, two]);
    let key = k.s("key");
    let dict = k.ns_dict(vec![(key, hello)]);
    let nsdata = k.plain(W::Data(b"bytes\0".to_vec()));
    let s = k.obj("NSMutableString", &[("NS.bytes", nsdata)]);
    let s = k.u(s);
    let (size, k1, v1, k2, v2) = (k.i(2), k.i(10), k.s("ten"), k.i(20), k.s("twenty"));
    let int_dict = k.obj(
        "XRIntKeyedDictionary",
        &[("$0", size), ("$1", k1), ("$2", v1), ("$3", k2), ("$4", v2)],
    );
    let int_dict = k.u(int_dict);
    let null = k.u(0);
    let bytes = k.finish(&[
        ("arr", arr),
        ("dict", dict),
        ("str", s),
        ("ints", int_dict),
        ("nil", null),
    ]);
    let a = Archive::from_bytes(&bytes).unwrap();
    let items = a.array(a.top("arr").unwrap()).unwrap();
    let ints: Vec<i128> = items.iter().filter_map(|&r| a.int(r)).collect();
    assert_eq!(ints, [1, 2]);
    let v = a.lookup(a.top("dict").unwrap(), "key").unwrap();
    assert_eq!(a.string(v).as_deref(), Some("hello"));
    assert_eq!(a.string(a.top("str").unwrap()).as_deref(), Some("bytes"));
    let pairs = a.entries(a.top("ints").unwrap()).unwrap();
    let pairs: Vec<(i128, String)> = pairs
        .iter()
        .map(|&(k, v)| (a.int(k).unwrap(), a.string(v).unwrap()))
        .collect();
    assert_eq!(pairs, [(10, "ten".to_string()), (20, "twenty".to_string())]);
    assert_eq!(a.resolve(a.top("nil").unwrap()), None, "UID 0 is nil");
    assert_eq!(
        a.class_of(a.top("dict").unwrap()).as_deref(),
        Some("NSMutableDictionary")
    );
}

#[test]
fn uid_cycles_end() {
    let mut k = Ka::new();
    // $objects[1] is a UID to itself; $objects[2] a dictionary whose fields point at itself.
    k.archive(W::Uid(1));
    let (key, me) = (k.s("self"), k.u(2));
    k.archive(W::Dict(vec![(key, me)]));
    let (c1, c2) = (k.u(1), k.u(2));
    let bytes = k.finish(&[("cycle", c1), ("loop", c2)]);
    let a = Archive::from_bytes(&bytes).unwrap();
    assert_eq!(a.resolve(a.top("cycle").unwrap()), None);
    let mut r = a.top("loop").unwrap();
    for _ in 0..1000 {
        r = a.field(r, "self").unwrap();
    }
    assert!(a.array(r).is_none() && a.string(r).is_none() && a.class_of(r).is_none());
}

#[test]
fn synthetic_trace_has_the_worked_out_picture() {
    let p = import_bundle(&MemBundle::new(files()), "t.trace").unwrap();
    // Thread 7 (3 samples) before thread 3 (2 samples).
    let labels: Vec<String> = (0..p.threads.len())
        .map(|i| p.thread_label(ThreadId::from_index(i)))
        .collect();
    assert_eq!(labels, ["thread 7", "thread 3"]);
    let t7 = p.threads[0].samples(INTERVAL);
    assert_eq!(t7.time_ns, [100, 250, 300]);
    assert_eq!(
        t7.weight.iter().copied().collect::<Vec<_>>(),
        [0.0, 150.0, 50.0]
    );
    // The same samples in the default event, each with the record's 1 ms weight.
    let w7 = p.threads[0].samples(WEIGHT);
    assert_eq!((&w7.time_ns, &w7.stack), (&t7.time_ns, &t7.stack));
    assert_eq!(w7.weight, [1e6, 1e6, 1e6]);
    assert_eq!(p.events[0].name, "weight");
    assert_eq!(p.events[1].name, "interval");
    let want: BTreeMap<String, f64> = [
        ("main;work;leaf", 50.0),
        ("main;work;0x0000000000004000", 150.0),
        ("work", 0.0),
        ("0x0000000000009999", 280.0),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(paths(&p), want);
    let leaf = (0..p.frames.len())
        .map(bigflame_model::FrameId::from_index)
        .find(|&f| p.frame_name(f) == "leaf")
        .unwrap();
    let file = p.frames.get(leaf).file.map(|s| p.strings.get(s));
    assert_eq!(file, Some("leaf.c"));
    assert_eq!(p.meta.format, "instruments-trace");
    assert_eq!(p.meta.skipped.total(), 0);
}

#[test]
fn zip_and_compressed_members_read_like_the_directory() {
    let want = paths(&import_bundle(&MemBundle::new(files()), "t").unwrap());
    let files = files();
    // Zipped under NAME.trace/, stores zlib-compressed as Instruments 9+ writes them, some
    // members deflated, with a __MACOSX entry last as macOS adds it (the sniffer reads the first).
    let compressed: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(k, v)| {
            let v = if k.starts_with("corespace") {
                zlib(v)
            } else {
                v.clone()
            };
            (format!("x.trace/{k}"), v)
        })
        .collect();
    let mut members: Vec<(&str, &[u8], bool)> = compressed
        .iter()
        .enumerate()
        .map(|(i, (k, v))| (k.as_str(), v.as_slice(), i % 2 == 0))
        .collect();
    members.push(("__MACOSX/x.trace/._form.template", b"junk", false));
    let z = zip(&members);
    let p = import(&z, "x.trace.zip", &ImportOptions::default()).unwrap();
    assert_eq!(paths(&p), want);
    // Through the driver: sniffed as a .trace zip, by content.
    let p = crate::import_bytes(&z, "upload.bin", &ImportOptions::default()).unwrap();
    assert_eq!(p.meta.format, "instruments-trace");
    assert_eq!(paths(&p), want);
}

#[test]
fn truncated_zip_is_a_clear_error() {
    let files = files();
    let members: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(k, v)| (format!("x.trace/{k}"), v.clone()))
        .collect();
    let m: Vec<(&str, &[u8], bool)> = members
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_slice(), true))
        .collect();
    let z = zip(&m);
    for cut in [z.len() - 23, z.len() / 2, 30, 4] {
        let e = import(&z[..cut], "cut.trace.zip", &ImportOptions::default()).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("cut.trace.zip: "), "{msg}");
        assert!(msg.contains("zip") || msg.contains("byte"), "{msg}");
    }
    // Every cut: an error or a profile, never a panic.
    for cut in 0..z.len() {
        let _ = import(&z[..cut], "cut.trace.zip", &ImportOptions::default());
    }
}

#[test]
fn zip_bombs_are_bounded() {
    // A member that claims 4 GiB but holds 10 bytes: read as what it holds.
    let mut z = zip(&[("a.trace/form.template", b"0123456789", false)]);
    let cd = z.windows(4).rposition(|w| w == [0x50, 0x4b, 1, 2]).unwrap();
    z[cd + 24..cd + 28].copy_from_slice(&u32::MAX.to_le_bytes());
    let zb = ZipBundle::new(&z).unwrap();
    assert_eq!(zb.read("form.template").unwrap(), b"0123456789");
    // 8 MiB of zeros deflate to a few KiB; with a 1 MiB budget the read fails with a message.
    let zeros = vec![0u8; 8 << 20];
    let z = zip(&[("a.trace/form.template", &zeros, true)]);
    assert!(z.len() < 64 << 10);
    let zb = ZipBundle::with_budget(&z, Budget::new(1 << 20)).unwrap();
    let e = zb.read("form.template").unwrap_err();
    assert!(e.to_string().contains("zip bomb"), "{e}");
    // The default budget for a 10 KiB input still allows 64 MiB.
    assert!(Budget::for_input(10 << 10).remaining() >= 64 << 20);
}

#[test]
fn missing_members_are_named() {
    let mut f = files();
    f.remove("corespace/run1/core/uniquing/arrayUniquer/integeruniquer.data");
    let e = import_bundle(&MemBundle::new(f), "m.trace")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("corespace/run1/core/uniquing/arrayUniquer/integeruniquer.data")
            && e.contains("missing"),
        "{e}"
    );
    let mut f = files();
    f.remove("form.template");
    let e = import_bundle(&MemBundle::new(f), "m.trace")
        .unwrap_err()
        .to_string();
    assert!(e.contains("form.template: missing"), "{e}");
    let mut f = files();
    f.retain(|k, _| !k.contains("indexed-store-2"));
    let e = import_bundle(&MemBundle::new(f), "m.trace")
        .unwrap_err()
        .to_string();
    assert!(e.contains("time-profile"), "{e}");
}

#[test]
fn other_instruments_are_refused() {
    let mut f = files();
    f.insert(
        "form.template".into(),
        form_template("com.apple.xray.instrument-type.oa"),
    );
    let e = import_bundle(&MemBundle::new(f), "a.trace")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("com.apple.xray.instrument-type.oa") && e.contains("Time Profiler"),
        "{e}"
    );
}

#[test]
fn hostile_backtraces_are_skipped_and_counted() {
    // Array 0 contains itself: infinite nesting. Array 1 fans out (each element is array 2,
    // which is 256 x array 3, ...): exponential length. Both break a limit; the rest is kept.
    let a3: Vec<u64> = vec![0x1000; 256];
    let a2: Vec<u64> = vec![3; 256];
    let arrays = vec![vec![0, 0x1000], vec![2; 256], a2, a3];
    let samples = [(10, 1, 0), (20, 1, 1), (30, 1, 0x3000), (25, 1, 0x3000)];
    let f = trace_files(&samples, &arrays);
    let p = import_bundle(&MemBundle::new(f), "h.trace").unwrap();
    let cols = p.threads[0].samples(INTERVAL);
    assert_eq!(cols.time_ns, [30], "only the sane, in-order sample is kept");
    let skipped: Vec<(SkipReason, u64)> =
        p.meta.skipped.entries.iter().map(|e| (e.0, e.1)).collect();
    assert_eq!(skipped, [(SkipReason::MalformedSample, 3)]);
}

#[test]
fn truncated_bulkstore_keeps_what_was_read() {
    let mut f = files();
    let key = "corespace/run1/core/stores/indexed-store-2/bulkstore";
    let full = f[key].clone();
    // Cut in the middle of the fourth record.
    f.insert(key.into(), full[..32 + 33 * 3 + 10].to_vec());
    let p = import_bundle(&MemBundle::new(f), "c.trace").unwrap();
    let n: usize = p.threads.iter().map(|t| t.samples(INTERVAL).len()).sum();
    assert_eq!(n, 3);
    assert_eq!(p.meta.skipped.entries[0].0, SkipReason::Truncated);
    // A header too small to hold records is an error naming the file.
    let mut f = files();
    f.insert(key.into(), vec![1, 2, 3]);
    let e = import_bundle(&MemBundle::new(f), "c.trace")
        .unwrap_err()
        .to_string();
    assert!(e.contains(key) && e.contains("at byte 0"), "{e}");
}

#[test]
fn a_trace_directory_imports_through_import_path() {
    let dir = std::env::temp_dir().join(format!("bigflame-trace-{}.trace", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (rel, bytes) in files() {
        let path = dir.join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let p = crate::import_path(&dir, &ImportOptions::default()).unwrap();
    let want = paths(&import_bundle(&MemBundle::new(files()), "t").unwrap());
    assert_eq!(paths(&p), want);
    assert_eq!(p.meta.format, "instruments-trace");
    assert_eq!(p.meta.source, dir.display().to_string());
    // A directory that is not a bundle.
    let plain = dir.join("corespace");
    let e = crate::import_path(&plain, &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("not an Instruments .trace bundle"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The conformance bundles (when the data is present): speedscope's first-shown profile,
/// "thread 4", with its frame count (over samples of non-zero weight, which is all speedscope
/// keeps) and non-idle total from the manifest.
#[test]
fn conformance_bundles_match_speedscope_when_present() {
    let Some(dir) = crate::test_support::conformance_dir() else {
        eprintln!("skipped: no conformance data");
        return;
    };
    for (version, frames, total) in [
        ("8.3.3", 39, 3_363_427_129.0),
        ("9.3.1", 29, 4_711_692_152.0),
        ("10.0", 766, 3_620_110_833.0),
    ] {
        let path = dir.join(format!(
            "formats/instruments-trace/{version}/simple-time-profile.trace.zip"
        ));
        let Ok(data) = std::fs::read(&path) else {
            eprintln!("skipped: {} not found", path.display());
            continue;
        };
        let p = import(&data, version, &ImportOptions::default()).unwrap();
        assert_eq!(
            p.thread_label(ThreadId::from_index(0)),
            "thread 4",
            "{version}"
        );
        let cols = p.threads[0].samples(INTERVAL);
        let mut seen = std::collections::HashSet::new();
        for (&s, &w) in cols.stack.iter().zip(&cols.weight) {
            if w > 0.0 {
                seen.extend(p.stacks.path(s));
            }
        }
        assert_eq!(seen.len(), frames, "{version}");
        assert_eq!(cols.total_weight(), total, "{version}");
    }
}

/// A conformance zip unpacked into a directory imports like the zip (the `bigflame my.trace`
/// path), when the data is present.
#[test]
fn conformance_bundle_as_a_directory_when_present() {
    let Some(dir) = crate::test_support::conformance_dir() else {
        eprintln!("skipped: no conformance data");
        return;
    };
    let zip_path = dir.join("formats/instruments-trace/10.0/simple-time-profile.trace.zip");
    let Ok(data) = std::fs::read(&zip_path) else {
        eprintln!("skipped: {} not found", zip_path.display());
        return;
    };
    let out = std::env::temp_dir().join(format!("bigflame-unzip-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let z = zip::ZipArchive::new(&data).unwrap();
    let budget = Budget::new(1 << 30);
    for name in z.names().filter(|n| !n.ends_with('/')) {
        let path = out.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, z.read(name, &budget).unwrap()).unwrap();
    }
    let from_zip = import(&data, "z", &ImportOptions::default()).unwrap();
    let trace = out.join("simple-time-profile.trace");
    let from_dir = crate::import_path(&trace, &ImportOptions::default()).unwrap();
    assert_eq!(from_dir.meta.format, "instruments-trace");
    assert_eq!(from_dir.threads.len(), from_zip.threads.len());
    assert_eq!(paths(&from_dir), paths(&from_zip));
    std::fs::remove_dir_all(&out).unwrap();
}

/// Records whose weight column reads 0 leave the default event empty, with a note; the interval
/// event is unchanged.
#[test]
fn an_unusable_weight_column_leaves_only_the_interval_event() {
    let want = paths(&import_bundle(&MemBundle::new(files()), "t").unwrap());
    let mut files = files();
    let mut zeroed = 0;
    for (name, data) in files.iter_mut() {
        if !name.ends_with("/bulkstore") {
            continue;
        }
        // 32-byte header, 33-byte records; the weight is bytes 21..29 of a record.
        let mut at = 32;
        while at + 33 <= data.len() {
            data[at + 21..at + 29].fill(0);
            at += 33;
            zeroed += 1;
        }
    }
    assert!(zeroed > 0);
    let p = import_bundle(&MemBundle::new(files), "t").unwrap();
    assert_eq!(paths(&p), want);
    assert!(p.threads.iter().all(|t| t.samples(WEIGHT).is_empty()));
    assert!(
        p.meta
            .notes
            .iter()
            .any(|n| n.contains("no usable per-sample weights")),
        "{:?}",
        p.meta.notes
    );
}
