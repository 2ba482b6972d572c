//! Reads the big arrays of a speedscope file (`samples`, `weights`) straight from the bytes.
//!
//! Why: in a sampled speedscope file almost all bytes are each profile's `samples` (arrays of
//! frame indices) and `weights`. On a simd-json tape every index costs a 24-byte node, written and
//! read back once, which capped ingest near 60 MB/s. Here each such array is located by its key,
//! checked to be nothing but arrays of integers (or, for weights, integers) and read in the same
//! pass: samples straight into stacks ([`Stacks`], see [`super::sinks`]), weights into a vector
//! with the SWAR integer reader of [`super::super::bulk`]. The arrays are read in parallel (one
//! job per array) and then left out of the tape ([`super::fast`]).
//!
//! What is found here is only a candidate: a key pattern `"samples"` followed by `:` is an object
//! key whose text is `samples` or ends with an escaped quote and `samples` (see [`find`]). The
//! caller uses a candidate only for the profile whose tape key is at that very byte. A body that is
//! anything but what is expected here (a float, a nested array, a string, a bad separator) is not
//! a candidate, so its profile is read from the tape as before.

use super::super::bulk::{IntSink, repeat_of, scan, swar_value};
pub(crate) use super::sinks::{SampleSink, Samples, Stacks, read_stacks};
use memchr::memmem;

/// The value read for one key.
#[derive(Debug)]
pub(crate) enum Body {
    /// A `samples` array of arrays of frame indices, as stacks.
    Stacks(Stacks),
    /// A `weights` array of integers.
    Weights(Vec<i64>),
}

/// One array read from the bytes.
#[derive(Debug)]
pub(crate) struct Found {
    /// Offset of the key's first letter (just after its opening quote).
    pub(crate) key: usize,
    /// Offsets of the array's `[` and `]`.
    pub(crate) open: usize,
    pub(crate) close: usize,
    pub(crate) body: Body,
}

/// Every `samples` and `weights` array of `data` that holds what its key promises, in file order,
/// without overlaps.
pub(crate) fn find(data: &[u8]) -> Vec<Found> {
    let (samples, weights) = rayon::join(
        || key_positions(data, b"\"samples\""),
        || key_positions(data, b"\"weights\""),
    );
    let mut keys: Vec<(usize, bool)> = samples
        .into_iter()
        .map(|k| (k, true))
        .chain(weights.into_iter().map(|k| (k, false)))
        .collect();
    keys.sort_unstable();
    let read = |j: usize| {
        let (key, is_samples) = keys[j];
        let open = value_start(data, key + "samples\"".len())?;
        let (close, body) = if is_samples {
            // The array ends before the next key: about one sample per 16 of those bytes.
            let gap = keys.get(j + 1).map_or(data.len(), |next| next.0) - key;
            let (close, s) = read_stacks(data, open, gap / 16)?;
            (close, Body::Stacks(s))
        } else {
            let (close, w) = read_weights(data, open)?;
            (close, Body::Weights(w))
        };
        Some(Found {
            key,
            open,
            close,
            body,
        })
    };
    // Largest arrays first, each claimed by the next free worker (an array ends before the next
    // key, so the gap estimates its size): a big profile late in the file does not leave one core
    // reading it alone at the end.
    let gap = |j: usize| keys.get(j + 1).map_or(data.len(), |next| next.0) - keys[j].0;
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_unstable_by_key(|&j| std::cmp::Reverse(gap(j)));
    let mut found: Vec<Option<Found>> = (0..keys.len()).map(|_| None).collect();
    let stored: Result<(), std::convert::Infallible> = crate::ordered::in_order(
        order.len(),
        rayon::current_num_threads(),
        usize::MAX,
        |c| read(order[c]),
        |c, f| {
            found[order[c]] = f;
            Ok(())
        },
    );
    let Ok(()) = stored;
    let mut out: Vec<Found> = Vec::with_capacity(found.len());
    for f in found.into_iter().flatten() {
        // Bodies hold no quotes, so no key lies inside another body; kept as a guard.
        if out.last().is_none_or(|last| f.key > last.close) {
            out.push(f);
        }
    }
    out
}

/// Offsets just after the opening quote of every occurrence of `pattern` (a quoted key).
fn key_positions(data: &[u8], pattern: &[u8]) -> Vec<usize> {
    memmem::find_iter(data, pattern).map(|at| at + 1).collect()
}

/// After a key ending at `at`: whitespace, `:`, whitespace, and the offset of a `[`.
fn value_start(data: &[u8], at: usize) -> Option<usize> {
    let colon = skip_ws(data, at);
    if data.get(colon) != Some(&b':') {
        return None;
    }
    let open = skip_ws(data, colon + 1);
    (data.get(open) == Some(&b'[')).then_some(open)
}

/// JSON whitespace (RFC 8259: space, tab, line feed, carriage return) from `pos`.
#[inline]
fn skip_ws(data: &[u8], mut pos: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\r' | b'\t') = data.get(pos) {
        pos += 1;
    }
    pos
}

/// An array of arrays of frame indices (0 to `u32::MAX`) starting at `open`, each sample given to
/// `sink`: the offset of its closing bracket, or `None` for anything else.
pub(crate) fn read_samples(data: &[u8], open: usize, sink: &mut impl SampleSink) -> Option<usize> {
    let mut pos = skip_ws(data, open + 1);
    if data.get(pos) == Some(&b']') {
        return Some(pos);
    }
    let mut first = true;
    // The previous sample's text and the offsets of its commas (kept up to the shared part and
    // completed for each sample in turn).
    let mut prev: &[u8] = &[];
    let mut commas: Vec<u32> = Vec::new();
    let mut prev_n = 0;
    loop {
        if data.get(pos) != Some(&b'[') {
            return None;
        }
        let from = pos + 1;
        let rest_of_data = data.get(from..)?;
        // The text this sample shares with the previous one. A sample written exactly like the
        // previous one (a third of them in perf recordings) is all shared and closes right after.
        let common = common_prefix(prev, rest_of_data);
        let from_idx = sink.indices().len();
        let (to, shared) =
            if !first && common == prev.len() && rest_of_data.get(common) == Some(&b']') {
                (from + common, prev_n)
            } else {
                // The elements before the last comma of the common text are the previous sample's
                // (`commas` holds the previous sample's comma offsets, in order); the rest is read up
                // to the closing bracket.
                let n = commas.partition_point(|&c| (c as usize) < common);
                commas.truncate(n);
                let shared = n;
                let rest = commas.last().map_or(0, |&k| k as usize + 1);
                let close = parse_indices(rest_of_data, rest, sink.indices(), &mut commas)?;
                (from + close, shared)
            };
        first = false;
        prev_n = shared + (sink.indices().len() - from_idx);
        sink.sample(shared, from_idx)?;
        prev = &data[from..to];
        // Compact files put the next sample right after a comma.
        if data.get(to + 1..to + 3) == Some(b",[") {
            pos = to + 2;
            continue;
        }
        pos = skip_ws(data, to + 1);
        match data.get(pos) {
            Some(b',') => pos = skip_ws(data, pos + 1),
            Some(b']') => return Some(pos),
            _ => return None,
        }
    }
}

/// Length of the common start of `a` and `b`, 8 bytes at a time.
#[inline]
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (mut x, mut y) = (&a[..n], &b[..n]);
    let mut i = 0;
    while let (Some(p), Some(q)) = (x.first_chunk::<8>(), y.first_chunk::<8>()) {
        let d = u64::from_le_bytes(*p) ^ u64::from_le_bytes(*q);
        if d != 0 {
            return i + (d.trailing_zeros() / 8) as usize;
        }
        i += 8;
        (x, y) = (&x[8..], &y[8..]);
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// The comma-separated frame indices of a sample whose text starts `body`, from `from` (the
/// start, or just after a comma) to the sample's closing bracket, whose offset is returned; the
/// indices are appended to `out` and the offsets of their commas to `commas`. `None` unless each
/// element is a JSON integer from 0 to `u32::MAX` (no sign, no leading zero, no fraction), with
/// optional whitespace around it. A blank sample (from its start) has no element.
fn parse_indices(
    body: &[u8],
    from: usize,
    out: &mut Vec<u32>,
    commas: &mut Vec<u32>,
) -> Option<usize> {
    let mut pos = skip_ws(body, from);
    if from == 0 && body.get(pos) == Some(&b']') {
        return Some(pos);
    }
    loop {
        let start = pos;
        let mut v: u64 = 0;
        while let Some(&c) = body.get(pos) {
            let d = c.wrapping_sub(b'0');
            if d >= 10 {
                break;
            }
            v = v * 10 + u64::from(d);
            pos += 1;
            if pos - start > 10 {
                return None;
            }
        }
        let digits = pos - start;
        if digits == 0 || (digits > 1 && body.get(start) == Some(&b'0')) {
            return None;
        }
        out.push(u32::try_from(v).ok()?);
        pos = skip_ws(body, pos);
        match body.get(pos) {
            Some(b']') => return Some(pos),
            Some(b',') => {
                commas.push(u32::try_from(pos).ok()?);
                pos = skip_ws(body, pos + 1);
            }
            _ => return None,
        }
    }
}

/// An array of integers starting at `open`: the offset of its closing bracket and the values.
pub(crate) fn read_weights(data: &[u8], open: usize) -> Option<(usize, Vec<i64>)> {
    let from = open + 1;
    let close = from + memchr::memchr(b']', data.get(from..)?)?;
    let mut sink = WeightSink {
        out: Vec::new(),
        repeat: None,
    };
    scan(&data[from..close], &mut sink)?;
    Some((close, sink.out))
}

/// Collects weights; a weight written like the previous one (most are) costs one compare.
struct WeightSink {
    out: Vec<i64>,
    /// The previous weight's text and comma, when read from digits ([`IntSink::repeat`]).
    repeat: Option<(u64, u64, usize)>,
}

impl IntSink for WeightSink {
    #[inline(always)]
    fn digits(&mut self, digits: u64, len: usize) {
        self.out.push(swar_value(digits, len));
        self.repeat = Some(repeat_of(digits, len));
    }

    #[inline]
    fn value(&mut self, v: i64) {
        self.out.push(v);
        self.repeat = None;
    }

    #[inline(always)]
    fn repeat(&self) -> Option<(u64, u64, usize)> {
        self.repeat
    }

    #[inline(always)]
    fn again(&mut self) {
        let last = self.out.last().copied().unwrap_or(0);
        self.out.push(last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each sample's indices (rebuilt from the shared counts) and its shared count.
    fn samples(text: &str) -> Option<Vec<(Vec<u32>, usize)>> {
        let mut s = Samples::default();
        let close = read_samples(text.as_bytes(), 0, &mut s)?;
        assert_eq!(close, text.len() - 1, "{text}");
        let mut cur: Vec<u32> = Vec::new();
        let mut out = Vec::new();
        for i in 0..s.len() {
            let (shared, new) = s.get(i);
            assert!(shared <= cur.len());
            cur.truncate(shared);
            cur.extend_from_slice(new);
            out.push((cur.clone(), shared));
        }
        Some(out)
    }

    #[test]
    fn sample_arrays_are_read_or_refused() {
        assert_eq!(samples("[]"), Some(vec![]));
        assert_eq!(samples("[ \n ]"), Some(vec![]));
        // Shared: the whole elements before the last comma of the text two samples start with
        // ("1,2" and "1,23" start alike up to "1,2", but share only the element 1).
        assert_eq!(
            samples("[[0,1,2],[0,1,2] ,\n[ 0 , 1 ],[ 0 , 1 ],[ 0 , 17],[],[],[1,2],[1,23],[1,2]]"),
            Some(vec![
                (vec![0, 1, 2], 0),
                (vec![0, 1, 2], 3),
                (vec![0, 1], 0),
                (vec![0, 1], 2),
                (vec![0, 17], 1),
                (vec![], 0),
                (vec![], 0),
                (vec![1, 2], 0),
                (vec![1, 23], 1),
                (vec![1, 2], 1),
            ])
        );
        assert_eq!(samples("[[4294967295]]"), Some(vec![(vec![u32::MAX], 0)]));
        assert_eq!(samples("[[ ],[ ]]"), Some(vec![(vec![], 0), (vec![], 0)]));
        for bad in [
            "[[1],]",
            "[[1] [2]]",
            "[[1.0]]",
            "[[-1]]",
            "[[4294967296]]",
            "[[[1]]]",
            "[1,2]",
            "[[\"a\"]]",
            "[[1],[2]",
            "[[1,]]",
            "[[1,2],[1,]]",
            "[[1,2],[1,02]]",
            "[[1],[1 1]]",
            "[[1],[,]]",
            "[[7,8],[7,8 9]]",
            "[[1,2],[1,]]",
            "[[1,2],[1,02]]",
            "[[1],[1 1]]",
            "[[1],[]]".replace("[]", "[,]").leak(),
            "[[1]\u{c}]",
        ] {
            assert_eq!(
                read_samples(bad.as_bytes(), 0, &mut Samples::default()),
                None,
                "{bad}"
            );
            assert!(read_stacks(bad.as_bytes(), 0, 8).is_none(), "{bad}");
        }
    }

    #[test]
    fn keys_are_found_with_their_arrays() {
        let doc = br#"{"shared":{"frames":[{"name":"x\"samples","weights":3}]},
            "profiles":[{"weights" : [ 5,0 ],"samples":[[0],[0]]},
            {"samples":[[0.5]],"weights":[1.5]},{"x\"samples":[[7]]}]}"#;
        let found = find(doc);
        let text = |f: &Found| std::str::from_utf8(&doc[f.open..=f.close]).unwrap();
        let keys: Vec<&str> = found
            .iter()
            .map(|f| std::str::from_utf8(&doc[f.key..f.key + 7]).unwrap())
            .collect();
        // The float arrays are left to the tape; the escaped key is a candidate that no profile
        // claims (its tape key is `x"samples`, at another byte).
        assert_eq!(keys, ["weights", "samples", "samples"]);
        assert_eq!(text(&found[0]), "[ 5,0 ]");
        assert!(matches!(&found[0].body, Body::Weights(w) if *w == [5, 0]));
        assert_eq!(text(&found[1]), "[[0],[0]]");
        assert_eq!(text(&found[2]), "[[7]]");
        assert_eq!(doc[found[2].key - 1], b'"');
        assert_eq!(doc[found[2].key - 2], b'\\');
    }

    #[test]
    fn weights_read_like_a_plain_split() {
        // Repeats are taken by comparing text: every spelling must still give each value.
        for text in [
            "[25000,25000,25000,250000,25000,2500,-3,-3,7 ,7,7]",
            "[ ]",
            "[0,0,0,0,0,0,0,0,0,0,1]",
        ] {
            let want: Vec<i64> = text[1..text.len() - 1]
                .split(',')
                .filter(|t| !t.trim().is_empty())
                .map(|t| t.trim().parse().unwrap())
                .collect();
            assert_eq!(
                read_weights(text.as_bytes(), 0),
                Some((text.len() - 1, want)),
                "{text}"
            );
        }
        assert_eq!(read_weights(b"[1,2.5]", 0), None);
        assert_eq!(read_weights(b"[1,,2]", 0), None);
    }
}
