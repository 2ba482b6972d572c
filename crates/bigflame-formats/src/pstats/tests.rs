//! pstats and marshal cases. `PY_STATS` is the output of CPython 3.11's `marshal.dumps` for the
//! stats dict written next to it (so the encoding is Python's, not ours); expected stacks are worked
//! out by hand from that dict.

use super::marshal::{MAX_DEPTH, Val, read};
use super::*;
use bigflame_model::{EventId, WeightUnit};
use std::collections::BTreeMap;

/// `marshal.dumps({main: (1, 1, 0.5, 2.0, {}), f: (2, 2, 1.0, 1.25, {main: (2, 2, 1.0, 1.25)}),
/// len: (3, 3, 0.5, 0.5, {f: (2, 2, 0.25, 0.25), main: (1, 1, 0.25, 0.25)})})` with
/// `main = ('m.py', 1, 'main')`, `f = ('m.py', 5, 'f')`,
/// `len = ('~', 0, '<built-in method builtins.len>')`.
const PY_STATS: &str = "\
fba903fa046d2e7079e901000000da046d61696e290572030000007203000000e7000000000000e03fe7000000000000\
00407b30a9037202000000e905000000da01662905e902000000720a000000e7000000000000f03fe7000000000000f4\
3f7b7201000000a904720a000000720a000000720b000000720c00000030a903fa017ee900000000fa1e3c6275696c74\
2d696e206d6574686f64206275696c74696e732e6c656e3e2905e9030000007212000000720500000072050000007b72\
07000000a904720a000000720a000000e7000000000000d03f72140000007201000000a9047203000000720300000072\
1400000072140000003030";

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn load(data: &[u8]) -> Result<Profile, ImportError> {
    import(data, "out.prof", &ImportOptions::default())
}

fn folded(p: &Profile) -> BTreeMap<String, f64> {
    // (pstats profiles have one pseudo-thread.)
    crate::test_support::weights_by_path(p, EventId(0), |f| p.frame_name(f).to_string())
}

#[test]
fn python_output_becomes_the_expected_tree() {
    let data = unhex(PY_STATS);
    assert!(looks_like_pstats(&data));
    let p = load(&data).unwrap();
    assert_eq!(p.events[0].name, "time");
    assert_eq!(p.events[0].unit, WeightUnit::Nanoseconds);
    assert_eq!(p.strings.get(p.threads[0].name), "out");
    // main (2.0 s inclusive, 0.5 self) calls f (1.25: 1.0 self + len 0.25) and len (0.25).
    let want: BTreeMap<String, f64> = [
        ("main", 0.5e9),
        ("main;f", 1.0e9),
        ("main;f;<built-in method builtins.len>", 0.25e9),
        ("main;<built-in method builtins.len>", 0.25e9),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let got = folded(&p);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (k, v) in &want {
        assert!((got[k] - v).abs() < 1e-3, "{k}: {} != {v}", got[k]);
    }
    let f = p
        .frames
        .as_slice()
        .iter()
        .find(|f| p.strings.get(f.name) == "f")
        .unwrap();
    assert_eq!(f.line, 5);
    assert_eq!(p.strings.get(f.file.unwrap()), "m.py");
    let len = p
        .frames
        .as_slice()
        .iter()
        .find(|f| p.strings.get(f.name).contains("len"))
        .unwrap();
    assert_eq!(len.file, None, "built-ins have no file");
    assert!(p.meta.notes[0].contains("approximated from a call graph"));
}

#[test]
fn marshal_values_refs_and_longs() {
    // [None, True, 7, -2**40 (as a long), 1.5 as text, a ref to the 7, 'é' as utf-8]
    let mut d = vec![b'[', 7, 0, 0, 0, b'N', b'T', b'i' | 0x80, 7, 0, 0, 0];
    // -2**40 = -(2**40): 15-bit digits of 2**40: 40 = 2*15 + 10 → digits [0, 0, 1024].
    d.extend([b'l', 0xfd, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 4]);
    d.extend([b'f', 3, b'1', b'.', b'5']);
    d.extend([b'r', 0, 0, 0, 0]);
    d.extend([b'u', 2, 0, 0, 0, 0xc3, 0xa9]);
    let (m, root) = read(&d).unwrap();
    let Val::Seq(items) = m.get(root) else {
        panic!()
    };
    assert_eq!(m.get(items[0]), &Val::None);
    assert_eq!(m.get(items[1]), &Val::Bool(true));
    assert_eq!(m.get(items[2]), &Val::Int(7));
    assert_eq!(m.get(items[3]), &Val::Int(-(1 << 40)));
    assert_eq!(m.get(items[4]), &Val::Float(1.5));
    assert_eq!(items[5], items[2], "a reference is the same value");
    assert_eq!(m.bytes(items[6]), Some("é".as_bytes()));
}

#[test]
fn every_truncation_is_an_error_not_a_panic() {
    let data = unhex(PY_STATS);
    for cut in 0..data.len() {
        let e = load(&data[..cut]).unwrap_err().to_string();
        assert!(e.starts_with("out.prof: at byte "), "{cut}: {e}");
    }
}

#[test]
fn bad_input_is_located() {
    // The stats value of the first key is an int instead of a 5-tuple.
    let mut d = vec![
        b'{', b')', 3, b'z', 1, b'a', b'i', 1, 0, 0, 0, b'z', 1, b'f',
    ];
    d.extend([b'i', 9, 0, 0, 0, b'0']);
    let e = load(&d).unwrap_err().to_string();
    assert_eq!(
        e,
        "out.prof: at byte 14: expected a (cc, nc, tt, ct, callers) tuple, found a int"
    );
    // Not a dict at all.
    let e = load(b"N").unwrap_err().to_string();
    assert!(e.contains("expected the pstats dict, found a None"), "{e}");
    // A huge size claim must fail before allocating anything.
    let e = load(&[b'(', 0xff, 0xff, 0xff, 0x7f, b'N'])
        .unwrap_err()
        .to_string();
    assert!(e.contains("claims 2147483647"), "{e}");
    let e = load(&[b's', 0xff, 0xff, 0xff, 0xff])
        .unwrap_err()
        .to_string();
    assert!(e.contains("negative size"), "{e}");
    // Deep nesting: an error, no stack overflow.
    let mut deep = Vec::new();
    for _ in 0..100_000 {
        deep.extend([b')', 1]);
    }
    deep.push(b'N');
    let e = load(&deep).unwrap_err().to_string();
    assert!(e.contains(&format!("deeper than {MAX_DEPTH}")), "{e}");
    // A reference to nothing, a code object, an unknown type byte.
    assert!(
        load(b"r\x05\x00\x00\x00")
            .unwrap_err()
            .to_string()
            .contains("reference 5")
    );
    assert!(load(b"c").unwrap_err().to_string().contains("code object"));
    assert!(load(b"\x01").unwrap_err().to_string().contains("0x01"));
}

#[test]
fn invalid_utf8_names_are_kept_lossily_and_counted() {
    // {(b'\xff.py', 1, 'f'): (1, 1, 0.5, 0.5, {})}
    let mut d = vec![b'{', b')', 3, b'u', 3, 0, 0, 0, 0xff, b'.', b'p'];
    d.extend([b'i', 1, 0, 0, 0, b'z', 1, b'f', b')', 5]);
    d.extend([
        b'i', 1, 0, 0, 0, b'i', 1, 0, 0, 0, b'f', 3, b'0', b'.', b'5',
    ]);
    d.extend([b'f', 3, b'0', b'.', b'5', b'{', b'0', b'0']);
    let p = load(&d).unwrap();
    let e = &p.meta.skipped.entries[0];
    assert_eq!((e.0, e.2.as_str()), (SkipReason::InvalidUtf8, "byte 3"));
    assert_eq!(p.total_weight(EventId(0)), 0.5e9);
}

#[test]
fn count_only_callers_share_by_calls() {
    // The `profile` module's callers are plain call counts: g (ct 0.4) is called 3 times by a and
    // once by b, so a gets 0.3 of it and b 0.1. a and b have no callers: roots.
    let key = |name: u8| vec![b')', 3, b'z', 1, b'x', b'i', 1, 0, 0, 0, b'z', 1, name];
    let float = |t: &str| {
        let mut v = vec![b'f', t.len() as u8];
        v.extend(t.bytes());
        v
    };
    let mut d = vec![b'{'];
    for (name, tt, ct) in [(b'a', "0.1", "0.4"), (b'b', "0.1", "0.2")] {
        d.extend(key(name));
        d.extend([b')', 5, b'i', 1, 0, 0, 0, b'i', 1, 0, 0, 0]);
        d.extend(float(tt));
        d.extend(float(ct));
        d.extend([b'{', b'0']);
    }
    d.extend(key(b'g'));
    d.extend([b')', 5, b'i', 4, 0, 0, 0, b'i', 4, 0, 0, 0]);
    d.extend(float("0.4"));
    d.extend(float("0.4"));
    d.push(b'{');
    d.extend(key(b'a'));
    d.extend([b'i', 3, 0, 0, 0]);
    d.extend(key(b'b'));
    d.extend([b'i', 1, 0, 0, 0, b'0', b'0']);
    let p = load(&d).unwrap();
    let got = folded(&p);
    for (k, v) in [("a", 0.1e9), ("a;g", 0.3e9), ("b", 0.1e9), ("b;g", 0.1e9)] {
        assert!((got[k] - v).abs() < 1.0, "{k}: {got:?}");
    }
    assert!(p.meta.notes.iter().any(|n| n.contains("call counts only")));
}

#[test]
fn mutated_files_never_panic() {
    // Every byte of Python's output replaced by a few values (type bytes, sizes, flags): each
    // result is a profile or an error, never a panic or a hang.
    let data = unhex(PY_STATS);
    for at in 0..data.len() {
        for v in [0x00, 0x30, 0x72, 0x7b, 0x80, 0xa9, 0xff] {
            let mut d = data.clone();
            d[at] = v;
            let _ = load(&d);
        }
    }
}

#[test]
fn shared_callers_dicts_are_refused() {
    // {k1: (1, 1, 0.5, 0.5, D), k2: (1, 1, 0.5, 0.5, r->D)} where D = {} flagged as a reference.
    let key = |name: u8| vec![b')', 3, b'z', 1, b'x', b'i', 1, 0, 0, 0, b'z', 1, name];
    let head = [b')', 5, b'i', 1, 0, 0, 0, b'i', 1, 0, 0, 0];
    let times = [b'f', 3, b'0', b'.', b'5', b'f', 3, b'0', b'.', b'5'];
    let mut d = vec![b'{'];
    d.extend(key(b'a'));
    d.extend(head);
    d.extend(times);
    d.extend([b'{' | 0x80, b'0']);
    d.extend(key(b'b'));
    d.extend(head);
    d.extend(times);
    d.extend([b'r', 0, 0, 0, 0, b'0']);
    let e = load(&d).unwrap_err().to_string();
    assert!(e.contains("shared by several functions"), "{e}");
}
