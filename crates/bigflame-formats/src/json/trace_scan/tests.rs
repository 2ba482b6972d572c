//! The tapeless trace scanner against the tape path: on random event lists and on random edits of
//! them, whenever [`read_piece`] gives a piece it must be exactly the piece simd-json's tape and
//! [`read_events`] give; and the cases it must hand back are handed back.

use super::read_piece;
use crate::json::trace_piece::{Piece, read_events};
use crate::json::{MAX_DEPTH, Val};
use crate::test_support::xorshift;
use simd_json::{Buffers, INPUT_PADDING, Tape, fill_tape_padded};

/// The tape path's piece for `text` (events without brackets), or `None` when simd-json refuses.
fn tape_piece(text: &[u8]) -> Option<Piece> {
    let mut buf = Vec::with_capacity(text.len() + 2 + INPUT_PADDING);
    buf.push(b'[');
    buf.extend_from_slice(text);
    buf.push(b']');
    let len = buf.len();
    buf.resize(len + INPUT_PADDING, b' ');
    let mut buffers = Buffers::with_max_depth(0, MAX_DEPTH);
    let mut tape = Tape::null();
    fill_tape_padded(&mut buf, len, &mut buffers, &mut tape).ok()?;
    let root = Val::root(&tape.0);
    Some(read_events(root.items(), false))
}

/// What of a piece matters downstream (its maps are only indexes of these).
fn shown(p: &Piece) -> String {
    let keys: Vec<_> = p.keys.iter().map(|k| (&k.text, &k.hermes)).collect();
    format!(
        "{:?} {keys:?} {:?} {:?} {} {:?}",
        p.threads,
        p.names,
        p.meta,
        p.cpu_profile,
        p.min_ts.to_bits()
    )
}

/// A random value for `args` or an unread key: mostly what `JSON.stringify` writes, sometimes not.
fn value(next: &mut impl FnMut(u64) -> u64, depth: u32, out: &mut String) {
    let pick = if depth > 3 { next(8) } else { next(11) };
    match pick {
        0 => out.push_str("null"),
        1 => out.push_str(["true", "false"][next(2) as usize]),
        2 => out.push_str(&next(1000).to_string()),
        3 => out.push_str(
            [
                "-7",
                "0",
                "-0",
                "12345678901234567890",
                "1.5",
                "2e3",
                "-0.0",
            ][next(7) as usize],
        ),
        4 => out.push_str(&format!("{}", (next(10_000) as f64) / 7.0)),
        5..=7 => out.push_str(
            [
                r#""""#,
                r#""plain""#,
                r#""q\"b\\n\n\t""#,
                r#""s\/l""#,
                r#""\u00e9\ud83d\ude00""#,
                "\"caf\u{e9} \u{1F600}\"",
                r#""},{\"x""#,
            ][next(7) as usize],
        ),
        8 => {
            out.push('[');
            for i in 0..next(3) {
                if i > 0 {
                    out.push(',');
                }
                value(next, depth + 1, out);
            }
            out.push(']');
        }
        _ => {
            out.push('{');
            for i in 0..next(3) {
                if i > 0 {
                    out.push_str([",", " , "][usize::from(next(8) == 0)]);
                }
                out.push_str(["\"a\":", "\"b\" : ", "\"0\":", "\"a\":"][next(4) as usize]);
                value(next, depth + 1, out);
            }
            out.push('}');
        }
    }
}

/// A random event: keys in random order, sometimes repeated, sometimes of unexpected types.
fn event(next: &mut impl FnMut(u64) -> u64, out: &mut String) {
    let mut fields: Vec<String> = Vec::new();
    let ph = ["B", "E", "X", "X", "X", "I", "b", "M"][next(8) as usize];
    fields.push(format!("\"ph\":\"{ph}\""));
    fields.push(format!("\"pid\":{}", next(3)));
    fields.push(format!(
        "\"tid\":{}",
        ["1", "2", "\"3\"", "1.5", "null"][next(5) as usize]
    ));
    let ts = [
        "10",
        "11",
        "12.25",
        "1e1",
        "\" 13 \"",
        "0.1",
        "123456789.123456789",
        "-0",
        "\"x\"",
    ];
    fields.push(format!("\"ts\":{}", ts[next(ts.len() as u64) as usize]));
    if next(2) == 0 {
        fields.push(format!(
            "\"dur\":{}",
            ["1", "2.5", "0", "\"4\""][next(4) as usize]
        ));
    }
    if next(3) == 0 {
        fields.push(format!("\"tdur\":{}", next(5)));
    }
    let names = [
        "\"a\"",
        "\"b\"",
        "\"Profile\"",
        "\"n\\\"q\"",
        "7",
        "\"thread_name\"",
    ];
    for _ in 0..1 + usize::from(next(6) == 0) {
        fields.push(format!(
            "\"name\":{}",
            names[next(names.len() as u64) as usize]
        ));
    }
    if next(4) != 0 {
        let mut v = String::new();
        value(next, 0, &mut v);
        fields.push(format!("\"args\":{v}"));
    }
    if next(2) == 0 {
        let mut v = String::new();
        value(next, 0, &mut v);
        fields.push(format!("\"cat\":{v}"));
    }
    // Shuffle.
    for i in (1..fields.len()).rev() {
        fields.swap(i, next(i as u64 + 1) as usize);
    }
    out.push('{');
    out.push_str(&fields.join([",", ", "][usize::from(next(10) == 0)]));
    out.push('}');
}

fn events(next: &mut impl FnMut(u64) -> u64) -> String {
    let mut text = String::new();
    for i in 0..1 + next(6) {
        if i > 0 {
            text.push_str([",", " ,\n"][usize::from(next(10) == 0)]);
        }
        event(next, &mut text);
    }
    text
}

#[test]
fn scanned_pieces_equal_tape_pieces() {
    let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
    let (mut fast, mut total) = (0, 0);
    for round in 0..20_000 {
        let text = events(&mut next);
        total += 1;
        let Some(got) = read_piece(text.as_bytes()) else {
            continue;
        };
        fast += 1;
        let want = tape_piece(text.as_bytes());
        let want = want.unwrap_or_else(|| panic!("round {round}: simd-json refuses {text}"));
        assert_eq!(shown(&got), shown(&want), "round {round}: {text}");
    }
    // The generator often writes what must be handed back (M events, floats in args, escapes), so
    // most pieces are; enough must be scanned for the comparison to mean something.
    assert!(fast > 1_500, "only {fast} of {total} pieces scanned");
}

#[test]
fn edited_pieces_are_scanned_only_when_the_tape_reads_them_alike() {
    // Random one-byte edits: whatever the scanner accepts, simd-json accepts and reads the same.
    let mut next = xorshift(0x2545_f491_4f6c_dd1d);
    let edits = b",:-.0123456789eE[]{}\"\\ \nu/tfn\x01\xc3\xa9";
    let mut accepted = 0;
    for round in 0..40_000 {
        let mut data = events(&mut next).into_bytes();
        for _ in 0..1 + next(2) {
            let at = next(data.len() as u64) as usize;
            let byte = edits[next(edits.len() as u64) as usize];
            match next(3) {
                0 => data[at] = byte,
                1 => data.insert(at, byte),
                _ => {
                    data.remove(at);
                }
            }
        }
        let Some(got) = read_piece(&data) else {
            continue;
        };
        accepted += 1;
        let text = String::from_utf8_lossy(&data);
        let want = tape_piece(&data).unwrap_or_else(|| panic!("round {round}: accepted {text}"));
        assert_eq!(shown(&got), shown(&want), "round {round}: {text}");
    }
    assert!(accepted > 1_000, "only {accepted} edited pieces scanned");
}

#[test]
fn what_the_scanner_hands_back() {
    let ok = r#"{"ph":"X","ts":1,"dur":2,"pid":1,"tid":1,"name":"f","args":{"a":[1,"x\n",null]}}"#;
    assert!(read_piece(ok.as_bytes()).is_some());
    let back = [
        // metadata, whose names the tape path reads
        r#"{"ph":"M","name":"thread_name","pid":1,"tid":1,"args":{"name":"main"}}"#,
        // frame keys that are not the raw text of args
        r#"{"ph":"B","ts":1,"name":"f","args":{"a":1.0}}"#,
        r#"{"ph":"B","ts":1,"name":"f","args":{"a": 1}}"#,
        r#"{"ph":"B","ts":1,"name":"f","args":{"a":"\u0041"}}"#,
        r#"{"ph":"B","ts":1,"name":"f","args":{"a":-0}}"#,
        // escaped keys and names, `-0` and over-long integers as numbers read
        r#"{"p\u0068":"B","ts":1,"name":"f"}"#,
        r#"{"ph":"B","ts":1,"name":"f\"g"}"#,
        r#"{"ph":"B","ts":-0,"name":"f"}"#,
        r#"{"ph":"B","ts":1234567890123456789,"name":"f"}"#,
        // invalid JSON
        r#"{"ph":"B","ts":01,"name":"f"}"#,
        r#"{"ph":"B","ts":1,"name":"f",}"#,
        r#"{"ph":"B","ts":1,"name":"f"},"#,
        r#"{"ph":"B","ts":1,"name":"a\ud800"}"#,
        "{\"ph\":\"B\",\"ts\":1,\"name\":\"a\x01\"}",
        r#"{"ph":"B","ts":1,"name":"f","args":tru}"#,
        "",
    ];
    for text in back {
        assert!(read_piece(text.as_bytes()).is_none(), "{text}");
    }
    // Deep args beyond the scanner's own limit go to the tape path too.
    let deep = format!(
        r#"{{"ph":"I","ts":1,"args":{}1{}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    assert!(read_piece(deep.as_bytes()).is_none());
    assert!(tape_piece(deep.as_bytes()).is_some());
    // Invalid UTF-8 anywhere.
    assert!(read_piece(b"{\"ph\":\"I\",\"cat\":\"\xff\"}").is_none());
}

#[test]
fn scanned_numbers_are_the_tape_numbers() {
    // Floats are rounded by the standard library here and by simd-json there: the same f64.
    let mut next = xorshift(0x0bad_cafe_dead_beef);
    for _ in 0..20_000 {
        let digits: String = (0..1 + next(20))
            .map(|_| char::from(b'0' + next(10) as u8))
            .collect();
        let digits = digits.trim_start_matches('0');
        let int = if digits.is_empty() { "0" } else { digits };
        let frac: String = (0..1 + next(22))
            .map(|_| char::from(b'0' + next(10) as u8))
            .collect();
        let exp = ["", "e5", "E-7", "e+300", "e-320", "e22"][next(6) as usize];
        let sign = ["", "-"][next(2) as usize];
        let ts = format!("{sign}{int}.{frac}{exp}");
        let text = format!(r#"{{"ph":"B","ts":{ts},"name":"f"}}"#);
        if let Some(got) = read_piece(text.as_bytes()) {
            let want = tape_piece(text.as_bytes());
            let want = want.unwrap_or_else(|| panic!("simd-json refuses {ts}"));
            assert_eq!(shown(&got), shown(&want), "{ts}");
        }
    }
}
