//! The fast path for the big integer arrays of a `.cpuprofile` (`samples`, `timeDeltas`).
//!
//! Why: in a V8 CPU profile almost all bytes are two flat arrays of small integers at the top level.
//! A simd-json tape spends a 24-byte node per integer, so a 40 MB profile costs 250 MB of fresh
//! memory whose page faults alone cap ingest near 150 MB/s on this machine. Here simd-json parses
//! the document without those two array bodies (a few kilobytes of nodes), and [`IntIter`] reads
//! the arrays straight from the input (8 bytes at a time), one array per core.
//!
//! Soundness: a key pattern `"samples"` followed by `:` can only be an object key (inside a string
//! its quotes would be escaped). The fast path is taken only when each key occurs exactly once,
//! its array holds nothing but optionally negative integers of at most 18 digits, and the parsed
//! remainder has that key as an empty array at its root; anything else (floats, nested keys,
//! odd spacing that defeats the scan, a syntax error) falls back to the plain simd-json parse,
//! which reports errors with their line.

use memchr::memmem;
use std::cell::Cell;
use std::marker::PhantomData;

/// Byte range `[open, close]` (inclusive of both brackets) of the array value of `key`, when the key
/// occurs exactly once in `data` followed by `:` and `[`.
pub(crate) fn find_key_array(data: &[u8], key: &str) -> Option<(usize, usize)> {
    let pattern = format!("\"{key}\"");
    let mut found = None;
    for at in memmem::find_iter(data, pattern.as_bytes()) {
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
    }
    found
}

/// The integers of an array body (between the brackets), read one at a time; the grammar is
/// checked on the way (no empty element, no leading zero, no space inside a number, no trailing
/// comma, at most 18 digits). After the last item, [`IntIter::finish`] says whether the whole body
/// was valid.
/// The iterator is passed by value into the sample loop (so it inlines there); `valid` stays
/// behind with the caller.
#[derive(Debug)]
pub(crate) struct IntIter<'a, T = i64> {
    body: &'a [u8],
    pos: usize,
    failed: bool,
    items: usize,
    valid: &'a Cell<bool>,
    out: PhantomData<T>,
}

/// What an [`IntIter`] yields: the integer itself, or it as `f64` (for time deltas).
pub(crate) trait FromInt {
    fn from_int(v: i64) -> Self;
}

impl FromInt for i64 {
    #[inline(always)]
    fn from_int(v: i64) -> Self {
        v
    }
}

impl FromInt for f64 {
    #[inline(always)]
    fn from_int(v: i64) -> Self {
        v as f64
    }
}

impl<'a, T> IntIter<'a, T> {
    /// An iterator over `body` that clears `valid` if the body is not a valid list of integers
    /// (checked up to where iteration stops: drain it to check everything).
    pub(crate) fn new(body: &'a [u8], valid: &'a Cell<bool>) -> Self {
        IntIter {
            body,
            pos: 0,
            failed: false,
            items: 0,
            valid,
            out: PhantomData,
        }
    }

    /// Reads a number of 1 to 7 digits followed by a non-digit with one 8-byte load (the common
    /// case: sample ids and deltas are short), `None` to let the byte loop handle anything else.
    ///
    /// Subtracting `'0'` from every byte leaves digits as 0..=9; a byte is a non-digit when that
    /// result is 10 or more (adding 0x76 sets its top bit) or it wrapped below 0 (top bit already
    /// set). Borrows only travel towards later bytes, so the first non-digit is found exactly. The
    /// digits are then moved to the top of the word and combined pairwise (10, 100, 10000).
    #[inline]
    fn swar8(&mut self) -> Option<i64> {
        let bytes: [u8; 8] = self.body.get(self.pos..self.pos + 8)?.try_into().ok()?;
        let word = u64::from_le_bytes(bytes);
        let sub = word.wrapping_sub(0x3030_3030_3030_3030);
        let flags = (sub.wrapping_add(0x7676_7676_7676_7676) | sub) & 0x8080_8080_8080_8080;
        let len = (flags.trailing_zeros() / 8) as usize;
        // 0 digits is an error and 8 may continue: the byte loop decides. A leading zero too.
        if len == 0 || len == 8 || (len > 1 && bytes[0] == b'0') {
            return None;
        }
        let mut v = sub << (8 * (8 - len));
        v = (v & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(2561) >> 8;
        v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(6_553_601) >> 16;
        v = (v & 0x0000_FFFF_0000_FFFF).wrapping_mul(42_949_672_960_001) >> 32;
        self.pos += len;
        Some(v as i64)
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.body.get(self.pos) {
            self.pos += 1;
        }
    }
}

impl<T: FromInt> Iterator for IntIter<'_, T> {
    type Item = T;

    /// Each call starts at an element (the separator after the previous one is consumed with it).
    #[inline(always)]
    fn next(&mut self) -> Option<T> {
        if self.pos >= self.body.len() || self.failed {
            if self.failed {
                self.valid.set(false);
            }
            return None;
        }
        if self.items == 0 {
            self.skip_ws();
            if self.pos == self.body.len() {
                return None;
            }
        }
        let negative = self.body[self.pos] == b'-';
        self.pos += usize::from(negative);
        let v = match self.swar8() {
            Some(v) => v,
            None => self.slow_digits()?,
        };
        self.items += 1;
        // The separator: "," directly (the common case), else spaces, then "," or the end.
        if self.body.get(self.pos) == Some(&b',') {
            self.pos += 1;
        } else if self.pos < self.body.len() {
            self.skip_ws();
            match self.body.get(self.pos) {
                Some(b',') => self.pos += 1,
                None => {}
                Some(_) => return self.fail(),
            }
        }
        if self.body.get(self.pos - 1) == Some(&b',') {
            self.skip_ws();
            if self.pos == self.body.len() {
                // A trailing comma.
                return self.fail();
            }
        }
        Some(T::from_int(if negative { -v } else { v }))
    }
}

impl<T> IntIter<'_, T> {
    /// The digits at `pos` one byte at a time (long numbers and the last bytes of the body).
    #[cold]
    fn slow_digits(&mut self) -> Option<i64> {
        let start = self.pos;
        let mut v: i64 = 0;
        while let Some(&c) = self.body.get(self.pos) {
            let d = c.wrapping_sub(b'0');
            if d >= 10 {
                break;
            }
            v = v * 10 + i64::from(d);
            self.pos += 1;
            if self.pos - start > 18 {
                return self.fail();
            }
        }
        let digits = self.pos - start;
        if digits == 0 || (digits > 1 && self.body[start] == b'0') {
            return self.fail();
        }
        Some(v)
    }

    #[cold]
    fn fail<U>(&mut self) -> Option<U> {
        self.failed = true;
        self.valid.set(false);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_arrays_parse_or_refuse() {
        let ints = |body: &[u8]| {
            let valid = Cell::new(true);
            let v: Vec<i64> = IntIter::<i64>::new(body, &valid).collect();
            valid.get().then_some(v)
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
    fn keys_are_found_once_or_not_at_all() {
        let doc = br#"{"nodes":[{"a":"\"samples\":[9]"}],"samples" : [1,2],"x":1}"#;
        let (open, close) = find_key_array(doc, "samples").unwrap();
        assert_eq!(&doc[open..=close], b"[1,2]");
        assert_eq!(
            find_key_array(br#"{"samples":[1],"n":{"samples":[2]}}"#, "samples"),
            None
        );
        assert_eq!(find_key_array(br#"{"samples":3}"#, "samples"), None);
    }
}
