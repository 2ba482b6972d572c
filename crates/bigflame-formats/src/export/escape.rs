//! Text escaping for the writers: JSON strings and XML character data.
//!
//! Why by hand: two tiny, fully specified escapes do not justify a serialiser dependency in the
//! importer crate, and writing straight into the output keeps huge exports streaming.

use std::io::{self, Write};

/// Writes `s` as a JSON string literal (quotes included), per RFC 8259: `"` and `\` escaped, control
/// characters as `\n`, `\t`… or `\u00XX`; everything else (all of Unicode) passes through as UTF-8.
pub fn json_str(out: &mut impl Write, s: &str) -> io::Result<()> {
    out.write_all(b"\"")?;
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: Option<&[u8]> = match b {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            0..=0x1f => None,
            _ => continue,
        };
        out.write_all(&bytes[start..i])?;
        match esc {
            Some(e) => out.write_all(e)?,
            None => write!(out, "\\u{b:04x}")?,
        }
        start = i + 1;
    }
    out.write_all(&bytes[start..])?;
    out.write_all(b"\"")
}

/// A finite number as JSON: integers without a fraction, others in Rust's shortest round-trip form;
/// NaN and infinities (not JSON) as 0.
pub fn json_num(out: &mut impl Write, v: f64) -> io::Result<()> {
    if !v.is_finite() {
        return out.write_all(b"0");
    }
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        write!(out, "{}", v as i64)
    } else {
        write!(out, "{v}")
    }
}

/// `s` escaped for XML text and attribute values: `& < > " '` as entities; characters XML 1.0
/// forbids (most C0 controls) as U+FFFD, so any frame name gives a well-formed document.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(s: &str) -> String {
        let mut v = Vec::new();
        json_str(&mut v, s).unwrap();
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn json_strings() {
        assert_eq!(js("plain"), "\"plain\"");
        assert_eq!(js("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(js("l1\nl2\t\u{1}"), r#""l1\nl2\t\u0001""#);
        assert_eq!(js("ñ→𝄞"), "\"ñ→𝄞\"");
    }

    #[test]
    fn json_numbers() {
        let n = |v: f64| {
            let mut o = Vec::new();
            json_num(&mut o, v).unwrap();
            String::from_utf8(o).unwrap()
        };
        assert_eq!(n(3.0), "3");
        assert_eq!(n(0.25), "0.25");
        assert_eq!(n(f64::NAN), "0");
        assert_eq!(n(-7.0), "-7");
    }

    #[test]
    fn xml_text() {
        assert_eq!(
            xml("Vec<T>::push & 'x' \"y\""),
            "Vec&lt;T&gt;::push &amp; &apos;x&apos; &quot;y&quot;"
        );
        assert_eq!(xml("a\u{1}b"), "a\u{fffd}b");
    }
}
