//! Folded (collapsed) stacks: the output of FlameGraph's `stackcollapse-*`, inferno, py-spy
//! `--format raw`, async-profiler `collapsed`, austin, and `bigflame collapse`.
//!
//! Format: one record per line, `frame;frame;...;frame COUNT`, root first. The count is the token
//! after the *last* space or tab (frames may contain spaces: `<Vec<T> as Extend<T, I>>::from_iter`),
//! an integer or a decimal fraction (`12.5`). Details handled here:
//!
//! * `\r\n` line endings; trailing whitespace; blank lines (ignored);
//! * `#` comment lines (austin writes `# mode: wall` headers) are ignored;
//! * differential input (`stack BEFORE AFTER`, as read by inferno's flamegraph) uses AFTER;
//! * a line without a numeric count is skipped and counted as [`SkipReason::MalformedLine`] (with the
//!   byte offset of the first one, which the driver turns into a line number);
//! * invalid UTF-8 is kept lossily (U+FFFD) and counted as [`SkipReason::InvalidUtf8`];
//! * UTF-16 input (with a BOM) is transcoded by the driver before it reaches this parser.
//!
//! Model mapping: one pseudo-thread (named after the file stem, or `all`), one event `samples`
//! (unit [`WeightUnit::Samples`]), no timestamps; samples keep file order.
//!
//! Speed: lines of a collapsed file are usually sorted, so consecutive lines share long prefixes. The
//! parser remembers the previous line's frames and stack ids and re-interns only the frames after the
//! common prefix; frame names are cached by their bytes, so the common case costs one `memchr` per line
//! plus one hash per new frame.

use bigflame_model::{
    EventId, FastMap, Frame, FrameId, ProfileBuilder, SkipReason, StackId, ThreadId, ThreadKey,
    WeightUnit,
};

/// Options of the folded importer.
#[derive(Clone, Debug)]
pub struct FoldedOptions {
    /// Name of the single pseudo-thread (the driver passes the file stem, or `all` for stdin).
    pub thread_name: String,
}

impl Default for FoldedOptions {
    fn default() -> Self {
        FoldedOptions {
            thread_name: "all".to_string(),
        }
    }
}

/// The smallest record (line) start `>= from`, or `data.len()`.
pub fn next_record_boundary(data: &[u8], from: usize) -> usize {
    if from == 0 || from >= data.len() {
        return from.min(data.len());
    }
    if data[from - 1] == b'\n' {
        return from;
    }
    memchr::memchr(b'\n', &data[from..]).map_or(data.len(), |i| from + i + 1)
}

/// Parses whole lines of folded stacks; `base_offset` is the position of `data` in the input (for
/// skip locations).
pub fn parse_chunk(data: &[u8], base_offset: u64, opts: &FoldedOptions) -> ProfileBuilder {
    let mut p = ChunkParser {
        b: ProfileBuilder::new(),
        opts,
        target: None,
        frames: FastMap::default(),
        prev_bytes: &[],
        prev: Vec::new(),
    };
    let mut start = 0;
    while start < data.len() {
        let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
        p.line(&data[start..end], base_offset + start as u64);
        start = end + 1;
    }
    p.b
}

struct ChunkParser<'a, 'o> {
    b: ProfileBuilder,
    opts: &'o FoldedOptions,
    /// The pseudo-thread and event, created at the first sample so that an input without samples
    /// yields an empty profile and every chunking interns strings in the same order.
    target: Option<(ThreadId, EventId)>,
    /// Frame ids by name bytes.
    frames: FastMap<&'a [u8], FrameId>,
    /// The previous line's stack text and, per frame, (end offset in it, stack id).
    prev_bytes: &'a [u8],
    prev: Vec<(usize, StackId)>,
}

impl<'a> ChunkParser<'a, '_> {
    fn line(&mut self, raw: &'a [u8], offset: u64) {
        let line = raw.trim_ascii_end();
        if line.is_empty() || line[0] == b'#' {
            return;
        }
        let Some((mut stack, weight)) = split_count(line) else {
            self.b
                .skipped
                .add(SkipReason::MalformedLine, || format!("byte {offset}"), line);
            return;
        };
        // Differential input: `stack BEFORE AFTER`; keep AFTER.
        if let Some((rest, _)) = split_count(stack) {
            stack = rest;
        }
        let target = self.target();
        let leaf = match std::str::from_utf8(stack) {
            Ok(_) => self.intern_stack(stack),
            Err(_) => {
                self.b
                    .skipped
                    .add(SkipReason::InvalidUtf8, || format!("byte {offset}"), line);
                let text = String::from_utf8_lossy(stack).into_owned();
                self.prev_bytes = &[];
                self.prev.clear();
                let mut leaf = StackId::EMPTY;
                for name in text.split(';') {
                    let id = self.b.intern(name);
                    let frame = self.b.frame(Frame::named(id));
                    leaf = self.b.stack(leaf, frame);
                }
                leaf
            }
        };
        self.b.sample(target.0, target.1, None, leaf, weight);
    }

    fn target(&mut self) -> (ThreadId, EventId) {
        if let Some(t) = self.target {
            return t;
        }
        let name = self.b.intern(&self.opts.thread_name);
        let thread = self.b.thread(ThreadKey {
            pid: None,
            tid: None,
            name,
        });
        let event = self.b.event("samples", WeightUnit::Samples);
        self.target = Some((thread, event));
        (thread, event)
    }

    /// Interns a valid UTF-8 stack, reusing the prefix it shares with the previous line.
    fn intern_stack(&mut self, s: &'a [u8]) -> StackId {
        if s.is_empty() {
            self.prev_bytes = s;
            self.prev.clear();
            return StackId::EMPTY;
        }
        let common = s
            .iter()
            .zip(self.prev_bytes)
            .take_while(|(a, b)| a == b)
            .count();
        let mut keep = 0;
        while keep < self.prev.len() {
            let end = self.prev[keep].0;
            if end > common || (end < s.len() && s[end] != b';') {
                break;
            }
            keep += 1;
        }
        self.prev.truncate(keep);
        let (mut parent, mut start) = match self.prev.last() {
            Some(&(end, id)) => (id, end + 1),
            None => (StackId::EMPTY, 0),
        };
        while start <= s.len() {
            let end = memchr::memchr(b';', &s[start..]).map_or(s.len(), |i| start + i);
            let frame = self.frame(&s[start..end]);
            parent = self.b.stack(parent, frame);
            self.prev.push((end, parent));
            start = end + 1;
        }
        self.prev_bytes = s;
        parent
    }

    fn frame(&mut self, name: &'a [u8]) -> FrameId {
        if let Some(&id) = self.frames.get(name) {
            return id;
        }
        // The whole stack was validated as UTF-8 and `;` is ASCII, so this cannot fail.
        let text = String::from_utf8_lossy(name);
        let sid = self.b.intern(&text);
        let id = self.b.frame(Frame::named(sid));
        self.frames.insert(name, id);
        id
    }
}

/// Splits `stack COUNT` at the last space or tab; `None` when there is no numeric count.
fn split_count(line: &[u8]) -> Option<(&[u8], f64)> {
    let tok = crate::sniff::count_token(line)?;
    let stack = line[..line.len() - tok.len()].trim_ascii_end();
    Some((stack, parse_count(tok)?))
}

/// Parses `123` or `12.5` (the token is already checked to be digits with at most one dot).
fn parse_count(tok: &[u8]) -> Option<f64> {
    if tok.len() <= 18 && tok.iter().all(u8::is_ascii_digit) {
        let n = tok.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
        return Some(n as f64);
    }
    std::str::from_utf8(tok).ok()?.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bigflame_model::{Profile, ProfileMeta};

    fn parse(text: &[u8]) -> Profile {
        parse_chunk(text, 0, &FoldedOptions::default()).finish(ProfileMeta::default())
    }

    fn lines(p: &Profile) -> Vec<String> {
        let mut out = Vec::new();
        for t in &p.threads {
            for cols in &t.samples {
                for i in 0..cols.len() {
                    let path: Vec<_> = p
                        .stacks
                        .path(cols.stack[i])
                        .iter()
                        .map(|f| p.frame_name(*f))
                        .collect();
                    out.push(format!("{} {}", path.join(";"), cols.weight[i]));
                }
            }
        }
        out
    }

    #[test]
    fn counts_follow_the_last_space() {
        let p = parse(b"a;b;c 1\r\na;b;c 1\na;b;d 4\n\n a;b 5 \nx y;z w 2.5\n# comment\n");
        assert_eq!(
            lines(&p),
            ["a;b;c 1", "a;b;c 1", "a;b;d 4", " a;b 5", "x y;z w 2.5"]
        );
        assert_eq!(p.frames.len(), 7);
        assert_eq!(p.events[0].name, "samples");
        assert_eq!(p.strings.get(p.threads[0].name), "all");
        assert!(!p.threads[0].samples[0].has_time());
        assert_eq!(p.meta.skipped.total(), 0);
    }

    #[test]
    fn prefix_reuse_matches_plain_interning() {
        let p = parse(b"a;bc 1\na;b 1\na;b;c 1\na 1\na;b;c;d 1\nb;a 1\na;b;c 1\n");
        assert_eq!(
            lines(&p),
            [
                "a;bc 1",
                "a;b 1",
                "a;b;c 1",
                "a 1",
                "a;b;c;d 1",
                "b;a 1",
                "a;b;c 1"
            ]
        );
        // a, a;bc, a;b, a;b;c, a;b;c;d, b, b;a
        assert_eq!(p.stacks.len(), 7);
        assert_eq!(p.frames.len(), 5);
    }

    #[test]
    fn junk_is_skipped_and_located() {
        let text = b"a;b 1\nno count here\nTHIS IS BAD 12V.43\nc 2\n";
        let b = parse_chunk(text, 100, &FoldedOptions::default());
        let p = b.finish(ProfileMeta::default());
        assert_eq!(lines(&p), ["a;b 1", "c 2"]);
        let e = &p.meta.skipped.entries[0];
        assert_eq!(
            (e.0, e.1, e.2.as_str(), e.3.as_str()),
            (SkipReason::MalformedLine, 2, "byte 106", "no count here")
        );
    }

    #[test]
    fn differential_and_odd_counts() {
        let p = parse(b"a;b 31 56\nc 0\nd 007\ne 1.25\n");
        assert_eq!(lines(&p), ["a;b 56", "c 0", "d 7", "e 1.25"]);
    }

    #[test]
    fn invalid_utf8_is_kept_lossily_and_counted() {
        let p = parse(b"a;\xff\xfe;b 3\na;b 1\n");
        assert_eq!(lines(&p), ["a;\u{fffd}\u{fffd};b 3", "a;b 1"]);
        assert_eq!(p.meta.skipped.entries[0].0, SkipReason::InvalidUtf8);
        assert_eq!(p.meta.skipped.total(), 1);
    }

    #[test]
    fn boundaries_are_line_starts() {
        let d = b"ab 1\ncd 2\n";
        assert_eq!(next_record_boundary(d, 0), 0);
        assert_eq!(next_record_boundary(d, 1), 5);
        assert_eq!(next_record_boundary(d, 5), 5);
        assert_eq!(next_record_boundary(d, 6), 10);
        assert_eq!(next_record_boundary(d, 99), 10);
        assert_eq!(next_record_boundary(b"abc", 1), 3);
    }

    #[test]
    fn a_100k_frame_stack_parses_without_recursion() {
        let mut text: Vec<u8> = (0..100_000)
            .flat_map(|i| format!("f{i};").into_bytes())
            .collect();
        text.pop();
        text.extend_from_slice(b" 7\n");
        let p = parse(&text);
        let leaf = p.threads[0].samples[0].stack[0];
        assert_eq!(p.stacks.depth(leaf), 99_999);
        assert_eq!(p.total_weight(EventId(0)), 7.0);
    }
}
