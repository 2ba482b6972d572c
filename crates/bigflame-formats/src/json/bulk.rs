//! The fast path for the big integer arrays of a `.cpuprofile` (`samples`, `timeDeltas`).
//!
//! Why: in a V8 CPU profile almost all bytes are two flat arrays of small integers at the top level.
//! A simd-json tape spends a 24-byte node per integer, so a 40 MB profile costs 250 MB of fresh
//! memory whose page faults alone cap ingest near 150 MB/s on this machine. Here simd-json parses
//! the document without those two array bodies (a few kilobytes of nodes), and [`scan_ints`] reads
//! the arrays straight from the input (8 bytes at a time), in pieces on every core
//! ([`super::cpu_fast`]).
//!
//! Soundness: a key pattern `"samples"` followed by `:` can only be an object key (inside a string
//! its quotes would be escaped). The fast path is taken only when each key occurs exactly once
//! outside the two array bodies (a body holding a key is no integer list and is refused anyway),
//! its array holds nothing but optionally negative integers of at most 18 digits, and the parsed
//! remainder has that key as an empty array at its root; anything else (floats, nested keys,
//! odd spacing that defeats the scan, a syntax error) falls back to the plain simd-json parse,
//! which reports errors with their line.

use memchr::memmem;

/// Byte range `[open, close]` (inclusive of both brackets) of the array value of `key`, when the key
/// occurs exactly once in `data` followed by `:` and `[`. The search does not look inside that
/// array's body, nor inside `other` (the range of an array found before): an array body taken by
/// the fast path holds only integers, so a key pattern inside one makes the fast path refuse the
/// body anyway. Skipping them keeps the search to the few kilobytes around the arrays.
pub(crate) fn find_key_array(
    data: &[u8],
    key: &str,
    other: Option<(usize, usize)>,
) -> Option<(usize, usize)> {
    let pattern = format!("\"{key}\"");
    let finder = memmem::Finder::new(pattern.as_bytes());
    let mut found = None;
    let mut from = 0;
    while let Some(k) = data.get(from..).and_then(|rest| finder.find(rest)) {
        let at = from + k;
        from = at + 1;
        if let Some((open, close)) = other
            && (open..=close).contains(&at)
        {
            from = close + 1;
            continue;
        }
        let mut i = at + pattern.len();
        while data.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if data.get(i) != Some(&b':') {
            continue;
        }
        if found.is_some() {
            return None;
        }
        i += 1;
        while data.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if data.get(i) != Some(&b'[') {
            return None;
        }
        let close = i + memchr::memchr(b']', &data[i..])?;
        found = Some((i, close));
        from = close + 1;
    }
    found
}

/// Calls `f` with each integer of an array body (between the brackets) and returns how many there
/// were, or `None` when the body is not a valid list of integers: an empty element, a leading zero,
/// a space inside a number, a trailing comma, more than 18 digits or anything but an integer.
///
/// The common element (1 to 7 digits directly followed by a comma) is read with one 8-byte load:
/// XOR with `'0'` turns digit bytes into 0..=9 without borrows between bytes; a byte is a non-digit
/// when that result has its top bit set or, with the top bit masked off, adding 0x76 sets it (10 or
/// more; the mask keeps carries inside each byte). So every byte is classified exactly, the first
/// non-digit ends the number, and the digits are moved to the top of the word and combined
/// pairwise (10, 100, 10000). A second element that ends in the same word is taken from it too.
/// Anything else (a sign, spaces, a long number, the last bytes of the body) takes the byte loop.
#[inline]
pub(crate) fn scan_ints(body: &[u8], f: impl FnMut(i64)) -> Option<usize> {
    scan(body, &mut Values(f))
}

/// Receives the elements found by [`scan`].
pub(crate) trait IntSink {
    /// An element of 1 to 7 digits, no sign, no leading zero: its digits (bytes minus `'0'`) are
    /// the low `len` bytes of `digits` (the higher bytes are anything); its value is
    /// [`swar_value`]`(digits, len)`. Lets a sink skip the value when the digits tell enough.
    fn digits(&mut self, digits: u64, len: usize);
    /// Any other element, by value.
    fn value(&mut self, v: i64);
    /// Bytes that, when the next 8 bytes start with them (`word & mask == bytes`), are one more
    /// element equal to the previous one, comma included, `len` bytes in all: [`IntSink::again`]
    /// is then called instead. `None` (the default) checks nothing.
    #[inline(always)]
    fn repeat(&self) -> Option<(u64, u64, usize)> {
        None
    }
    /// The element matched by [`IntSink::repeat`].
    #[inline(always)]
    fn again(&mut self) {}
}

/// The `(mask, bytes, len)` of [`IntSink::repeat`] for an element of `len` (1..=7) digits (bytes
/// minus `'0'`, as given to [`IntSink::digits`]) and its comma.
#[inline]
pub(crate) fn repeat_of(digits: u64, len: usize) -> (u64, u64, usize) {
    let mask = u64::MAX >> (64 - 8 * (len + 1));
    let text = (digits ^ 0x3030_3030_3030_3030) & (mask >> 8) | (u64::from(b',') << (8 * len));
    (mask, text, len + 1)
}

/// A closure fed with every value.
struct Values<F>(F);

impl<F: FnMut(i64)> IntSink for Values<F> {
    #[inline(always)]
    fn digits(&mut self, digits: u64, len: usize) {
        (self.0)(swar_value(digits, len));
    }

    #[inline(always)]
    fn value(&mut self, v: i64) {
        (self.0)(v);
    }
}

/// [`scan_ints`] with a sink that also sees the raw digits.
#[inline]
pub(crate) fn scan<S: IntSink>(body: &[u8], sink: &mut S) -> Option<usize> {
    let mut pos = skip_ws(body, 0);
    if pos == body.len() {
        return Some(0);
    }
    let mut n = 0;
    loop {
        if let Some(bytes) = body.get(pos..pos + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(bytes);
            let word = u64::from_le_bytes(word);
            if let Some((mask, text, step)) = sink.repeat()
                && word & mask == text
            {
                sink.again();
                n += 1;
                pos += step;
                continue;
            }
            let sub = word ^ 0x3030_3030_3030_3030;
            let low = (sub & 0x7F7F_7F7F_7F7F_7F7F).wrapping_add(0x7676_7676_7676_7676);
            // The top bit stands for "8 digits or more" (the byte loop's case, see below) and
            // lets `trailing_zeros` skip its zero check (the default target has no `tzcnt`).
            let flags = (low | sub) & 0x8080_8080_8080_8080 | (1 << 63);
            let len = (flags.trailing_zeros() / 8) as usize;
            // The separator and the first digit are taken from the register, not memory.
            let separator = (word >> (8 * (len & 7))) as u8;
            if (1..8).contains(&len) && separator == b',' && (len == 1 || word as u8 != b'0') {
                sink.digits(sub, len);
                // Often a second element fits in the same word: the next non-digit after the
                // comma ends it (one load and one dependent step for two elements).
                let end = ((flags & flags.wrapping_sub(1)).trailing_zeros() / 8) as usize;
                let len2 = end.wrapping_sub(len + 1);
                let second = (word >> (8 * ((len + 1) & 7))) as u8;
                if end < 8
                    && (1..7).contains(&len2)
                    && (word >> (8 * (end & 7))) as u8 == b','
                    && (len2 == 1 || second != b'0')
                {
                    sink.digits(sub >> (8 * (len + 1)), len2);
                    n += 2;
                    pos += end + 1;
                } else {
                    n += 1;
                    pos += len + 1;
                }
                continue;
            }
        }
        let (v, next) = slow_int(body, skip_ws(body, pos))?;
        sink.value(v);
        n += 1;
        pos = skip_ws(body, next);
        match body.get(pos) {
            None => return Some(n),
            Some(b',') => pos += 1,
            Some(_) => return None,
        }
    }
}

/// The value of the `len` (1..=7) digits at the bottom of `sub` (bytes minus `'0'`).
#[inline(always)]
pub(crate) fn swar_value(sub: u64, len: usize) -> i64 {
    let mut v = sub << (8 * (8 - len));
    v = (v & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(2561) >> 8;
    v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(6_553_601) >> 16;
    v = (v & 0x0000_FFFF_0000_FFFF).wrapping_mul(42_949_672_960_001) >> 32;
    v as i64
}

#[inline]
fn skip_ws(body: &[u8], mut pos: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\r' | b'\t') = body.get(pos) {
        pos += 1;
    }
    pos
}

/// One optionally negative integer of 1 to 18 digits at `pos`, byte by byte, and the position
/// after it.
#[cold]
fn slow_int(body: &[u8], pos: usize) -> Option<(i64, usize)> {
    let negative = body.get(pos) == Some(&b'-');
    let start = pos + usize::from(negative);
    let mut at = start;
    let mut v: i64 = 0;
    while let Some(&c) = body.get(at) {
        let d = c.wrapping_sub(b'0');
        if d >= 10 {
            break;
        }
        if at - start >= 18 {
            // A 19th digit: more than an i64 safely holds (checked before multiplying, which
            // would overflow first).
            return None;
        }
        v = v * 10 + i64::from(d);
        at += 1;
    }
    let digits = at - start;
    if digits == 0 || (digits > 1 && body[start] == b'0') {
        return None;
    }
    Some((if negative { -v } else { v }, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_arrays_parse_or_refuse() {
        let ints = |body: &[u8]| {
            let mut v = Vec::new();
            let n = scan_ints(body, |x| v.push(x))?;
            assert_eq!(n, v.len());
            Some(v)
        };
        assert_eq!(ints(b" 1, -20 ,\n300 "), Some(vec![1, -20, 300]));
        assert_eq!(ints(b""), Some(vec![]));
        assert_eq!(ints(b"  "), Some(vec![]));
        assert_eq!(ints(b"1.5"), None);
        assert_eq!(ints(b"1,"), None);
        assert_eq!(ints(b",1"), None);
        assert_eq!(ints(b"01"), None);
        assert_eq!(ints(b"1 2"), None);
        assert_eq!(ints(b"- 1"), None);
        assert_eq!(ints(b"1234567890123456789"), None);
        // Found by the cpuprofile fuzzer: 19+ nines overflowed (a panic in debug builds) before
        // the length check; on both the fast and the digit-by-digit path.
        assert_eq!(ints(b"9999999999999999999"), None);
        assert_eq!(ints(b"9999999999999999999999999999999999999999"), None);
        assert_eq!(ints(b"1,9999999999999999999999999999999999999999"), None);
        assert_eq!(
            ints(b"999999999999999999"),
            Some(vec![999_999_999_999_999_999])
        );
        assert_eq!(
            ints(b"123456789012345678"),
            Some(vec![123_456_789_012_345_678])
        );
        assert_eq!(ints(b"-"), None);
        // Every length on both paths (8-byte loads and the byte loop near the end).
        for n in [
            0i64, 7, 12, 345, 6789, 12345, 678901, 2345678, 90123456, 123456789,
        ] {
            let body = format!("{n},-{n}, {n} ,{n},{n},{n}");
            assert_eq!(
                ints(body.as_bytes()),
                Some(vec![n, -n, n, n, n, n]),
                "{body}"
            );
        }
        assert_eq!(ints(b"00,1,2,3,4,5"), None);
        assert_eq!(ints(b"1a,1,2,3,4,5"), None);
    }

    #[test]
    fn random_integer_lists_match_a_plain_split() {
        // Lists of 0 to 9 digit numbers, some negative, some with spaces around the commas, in
        // every alignment against the 8-byte loads: the same values as splitting on commas.
        let mut next = crate::test_support::xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..2000 {
            let count = 1 + next(12);
            let mut text = String::new();
            let mut want = Vec::new();
            for i in 0..count {
                if i > 0 {
                    text.push_str([",", ",", ",", " ,", ", "][next(5) as usize]);
                }
                let digits = 1 + next(9) as u32;
                let v = next(10u64.pow(digits)) as i64;
                let v = if next(8) == 0 { -v } else { v };
                text.push_str(&v.to_string());
                want.push(v);
            }
            let mut got = Vec::new();
            assert_eq!(
                scan_ints(text.as_bytes(), |x| got.push(x)),
                Some(want.len())
            );
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn keys_are_found_once_or_not_at_all() {
        let doc = br#"{"nodes":[{"a":"\"samples\":[9]"}],"samples" : [1,2],"x":1}"#;
        let (open, close) = find_key_array(doc, "samples", None).unwrap();
        assert_eq!(&doc[open..=close], b"[1,2]");
        assert_eq!(
            find_key_array(br#"{"samples":[1],"n":{"samples":[2]}}"#, "samples", None),
            None
        );
        assert_eq!(find_key_array(br#"{"samples":3}"#, "samples", None), None);
        // Inside the body of an array found before (one that is no integer list, so the fast
        // path refuses it later) a key is not looked at; nor inside its own body.
        let doc = br#"{"timeDeltas":[1,"samples":[2],"samples":[3, "samples":4]}"#;
        let other = find_key_array(doc, "timeDeltas", None);
        let (o, c) = other.unwrap();
        assert_eq!(&doc[o..=c], br#"[1,"samples":[2]"#);
        let (open, close) = find_key_array(doc, "samples", other).unwrap();
        assert_eq!(&doc[open..=close], br#"[3, "samples":4]"#);
        assert_eq!(find_key_array(doc, "samples", None), None);
    }
}
