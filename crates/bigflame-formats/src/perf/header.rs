//! Parsing one `perf script` sample header line.
//!
//! Why a hand-written token scanner: the header is parsed once per sample (millions of times), and the
//! fields perf prints depend on `-F`, the perf version and the event, so a fixed regex would be both
//! slow and brittle. The scanner accepts every layout seen in the wild:
//!
//! ```text
//! comm 123 [000] 1410597.984841:   100000 cycles:
//! V8 WorkerThread 24636/25607 [000] 94564.109216: 100 cycles:uppp:
//! java 19983 cycles:
//!            false 39654 19115.489713:   1 cycles:u:  ffffffff9b201293 [unknown] ([unknown])
//! ```
//!
//! The command name (`comm`) may contain spaces; it ends before the first whitespace-separated word
//! after it that is `TID` or `PID/TID` (all digits) and is itself followed by whitespace, which is the
//! rule of both FlameGraph and inferno. After it come optional `[cpu]`, an optional timestamp
//! `secs.frac:`, an optional period, and the event name ending in `:`; whatever follows the event is a
//! single-frame stack that some `perf script -F` layouts print on the same line.

/// The fields of a sample header, borrowed from the input line.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct Header<'a> {
    /// The line from its first non-blank byte through the PID/TID word: the thread's identity, used
    /// as a cache key.
    pub thread_key: &'a [u8],
    /// The command name, trimmed.
    pub comm: &'a [u8],
    /// The process id when perf printed `PID/TID`.
    pub pid: Option<u32>,
    /// The thread id.
    pub tid: Option<u32>,
    /// The timestamp in nanoseconds.
    pub time_ns: Option<u64>,
    /// The sample period, when printed.
    pub period: Option<u64>,
    /// The event token without its final `:` (`cycles`, `cpu-clock:uhH`), empty when none was found.
    pub event: &'a [u8],
    /// A frame printed on the header line itself, if any.
    pub inline_frame: Option<&'a [u8]>,
}

#[inline]
pub(crate) fn is_space(b: u8) -> bool {
    // Most bytes are word bytes above the space: one compare rejects them.
    b <= b' ' && (b == b' ' || b == b'\t' || b == b'\r')
}

use super::swar::{POW10, leading_digits, skip_blanks};

/// Trims ASCII blanks (space, tab, CR) from both ends.
#[inline]
pub fn trim(s: &[u8]) -> &[u8] {
    trim_end(trim_start(s))
}

/// Trims ASCII blanks from the start.
#[inline]
pub fn trim_start(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if is_space(*first) {
            s = rest;
        } else {
            break;
        }
    }
    s
}

/// Trims ASCII blanks from the end.
#[inline]
pub fn trim_end(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., last] = s {
        if is_space(*last) {
            s = rest;
        } else {
            break;
        }
    }
    s
}

/// Splits off the next whitespace-separated word: `(word_start, word_end)` within `s`, starting the
/// search at `from`. `None` at the end of the line.
#[inline]
fn next_word(s: &[u8], from: usize) -> Option<(usize, usize)> {
    let rest = s.get(from..)?;
    let start = from + rest.iter().position(|&b| !is_space(b))?;
    let word = &s[start..];
    let len = word.iter().position(|&b| is_space(b)).unwrap_or(word.len());
    Some((start, start + len))
}

/// Parses an all-digit word into `u32`/`u64` without overflow (`None` when not all digits or too big).
#[inline]
fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    let mut v: u64 = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(b - b'0');
    }
    Some(v)
}

/// [`parse_u64`] narrowed to `u32` (PIDs and TIDs).
#[inline]
fn parse_u32(s: &[u8]) -> Option<u32> {
    parse_u64(s).and_then(|v| u32::try_from(v).ok())
}

/// `TID` or `PID/TID` (one pass, no `memchr` call: this runs on several words of every header).
#[inline]
fn parse_pid_tid(word: &[u8]) -> Option<(Option<u32>, Option<u32>)> {
    if !word.first()?.is_ascii_digit() {
        return None;
    }
    match word.iter().position(|b| !b.is_ascii_digit()) {
        None => Some((None, Some(parse_u32(word)?))),
        Some(slash) if word[slash] == b'/' => Some((
            Some(parse_u32(&word[..slash])?),
            Some(parse_u32(&word[slash + 1..])?),
        )),
        Some(_) => None,
    }
}

/// A `secs.frac:` timestamp token (with its colon) in one pass: `None` when `tok` is not one,
/// `Some(parse_timestamp_ns(body))` when it is (the test-only `is_timestamp_token` is its two-step reference).
#[inline]
fn timestamp_token(tok: &[u8]) -> Option<Option<u64>> {
    let [body @ .., b':'] = tok else { return None };
    if !body.first()?.is_ascii_digit() {
        return None;
    }
    let (mut secs, mut ns, mut secs_digits, mut frac_digits, mut dots) =
        (0u64, 0u64, 0usize, 0u32, 0);
    for &b in body {
        if b.is_ascii_digit() {
            let d = u64::from(b - b'0');
            if dots == 0 {
                secs = secs.wrapping_mul(10).wrapping_add(d);
                secs_digits += 1;
            } else if frac_digits < 9 {
                ns = ns * 10 + d;
                frac_digits += 1;
            }
        } else if b == b'.' {
            dots += 1;
        } else {
            return None;
        }
    }
    if dots > 1 || secs_digits > 19 {
        return Some(None);
    }
    ns *= 10u64.pow(9 - frac_digits);
    Some(
        secs.checked_mul(1_000_000_000)
            .and_then(|v| v.checked_add(ns)),
    )
}

/// Parses `secs.frac` (without the colon) into nanoseconds, using integers only; digits after the
/// ninth fractional digit are truncated.
pub fn parse_timestamp_ns(s: &[u8]) -> Option<u64> {
    let (secs, frac) = match memchr::memchr(b'.', s) {
        Some(dot) => (&s[..dot], &s[dot + 1..]),
        None => (s, &b""[..]),
    };
    let secs = parse_u64(secs)?;
    let mut ns: u64 = 0;
    let mut digits = 0;
    for &b in frac {
        if !b.is_ascii_digit() {
            return None;
        }
        if digits < 9 {
            ns = ns * 10 + u64::from(b - b'0');
            digits += 1;
        }
    }
    while digits < 9 {
        ns *= 10;
        digits += 1;
    }
    secs.checked_mul(1_000_000_000)?.checked_add(ns)
}

/// True for a `secs.frac:` timestamp token (with its colon).
#[cfg(test)]
fn is_timestamp_token(tok: &[u8]) -> bool {
    match tok {
        [body @ .., b':'] => {
            !body.is_empty()
                && body[0].is_ascii_digit()
                && body.iter().all(|b| b.is_ascii_digit() || *b == b'.')
        }
        _ => false,
    }
}

/// True when `s` starts like a frame line (`hexaddr symbol...`), used for a frame on the header line.
fn looks_like_frame(s: &[u8]) -> bool {
    match next_word(s, 0) {
        Some((a, b)) => s[a..b].iter().all(u8::is_ascii_hexdigit) && next_word(s, b).is_some(),
        None => false,
    }
}

/// Parses a sample header. `None` when the line has no `TID` word (a "weird event line").
pub fn parse_header(line: &[u8]) -> Option<Header<'_>> {
    parse_header_after(line, &[]).map(|(h, _)| h)
}

/// [`parse_header`], given the headers of recent samples (`recent`, of other threads): when the line
/// starts with the thread key of one of them followed by a blank, which is the case for most samples
/// of a recording (consecutive samples come from the few threads running on the CPUs), the command
/// and PID/TID are taken from it instead of being scanned again; its index is returned with the
/// header. The result is the same as `parse_header(line)`: the scan below only looks at the words
/// up to the first PID/TID word that is followed by whitespace, and those words are byte-identical.
pub(crate) fn parse_header_after<'a>(
    line: &'a [u8],
    recent: &[Header<'a>],
) -> Option<(Header<'a>, Option<usize>)> {
    let line = trim(line);
    for (i, prev) in recent.iter().enumerate() {
        let n = prev.thread_key.len();
        if line.len() > n
            && is_space(line[n])
            && crate::perf::parse::same_bytes(&line[..n], prev.thread_key)
        {
            let header = Header {
                thread_key: &line[..n],
                comm: prev.comm,
                pid: prev.pid,
                tid: prev.tid,
                time_ns: None,
                period: None,
                event: b"",
                inline_frame: None,
            };
            return Some((header_fields(line, header), Some(i)));
        }
    }
    // The command is at least one word; the PID/TID word is a later word followed by whitespace.
    let (_, first_end) = next_word(line, 0)?;
    let mut pos = first_end;
    let (pid, tid, key_end, comm_end) = loop {
        let (ws, we) = next_word(line, pos)?;
        if we < line.len()
            && let Some((pid, tid)) = parse_pid_tid(&line[ws..we])
        {
            break (pid, tid, we, ws);
        }
        pos = we;
    };
    let comm = trim_end(&line[..comm_end]);
    let header = Header {
        thread_key: &line[..key_end],
        comm,
        pid,
        tid,
        time_ns: None,
        period: None,
        event: b"",
        inline_frame: None,
    };
    Some((header_fields(line, header), None))
}

/// The fields after the thread key (`header.thread_key`, a prefix of the trimmed `line`).
#[inline]
fn header_fields<'a>(line: &'a [u8], header: Header<'a>) -> Header<'a> {
    match common_fields(line, header.thread_key.len()) {
        Some((time_ns, period, event)) => Header {
            time_ns: Some(time_ns),
            period,
            event: &line[event],
            ..header
        },
        None => any_fields(line, header),
    }
}

/// The fields of the layout `perf script` prints by default, `[cpu]? secs.frac: period? event:`
/// with nothing after the event, read in one pass from `from`: `(time_ns, period, event range)`.
/// `None` for anything else, which [`any_fields`] reads. Where this returns `Some`, `any_fields`
/// returns the same fields (the words are the same and each is classified the same way; see the
/// test `common_layout_matches_the_general_scan`); it exists because the general scan, which tries
/// every word as each kind of field, was ~20% of the parse time.
#[inline]
fn common_fields(line: &[u8], from: usize) -> Option<(u64, Option<u64>, std::ops::Range<usize>)> {
    let (time_ns, period, start) = common_middle(line, from)?;
    // The event: the last word of the line, ending in `:`.
    let mut i = start;
    while i < line.len() && !is_space(line[i]) {
        i += 1;
    }
    if i > start && i == line.len() && line[i - 1] == b':' {
        Some((time_ns, period, start..i - 1))
    } else {
        None
    }
}

/// The part of [`common_fields`] between the thread key and the event, `[cpu]? secs.frac: period?`
/// read from `from`: `(time_ns, period, offset of the event word)`. It never looks past the end of
/// the line (a newline is neither a digit nor a blank), so the parser's header fast path runs it
/// on the input from the line's start without knowing where the line ends.
#[inline]
pub(crate) fn common_middle(line: &[u8], from: usize) -> Option<(u64, Option<u64>, usize)> {
    let mut i = skip_blanks(line, from);
    if line.get(i) == Some(&b'[') {
        while i < line.len() && !is_space(line[i]) && line[i] != b'\n' {
            i += 1;
        }
        if line[i - 1] != b']' {
            return None;
        }
        i = skip_blanks(line, i);
    }
    // `secs.frac:` with at most 10 digits of seconds, so that the nanoseconds fit in a u64.
    let (secs, n) = leading_digits(line, i, 10)?;
    i += n;
    if line.get(i) != Some(&b'.') {
        return None;
    }
    i += 1;
    let (frac, n) = leading_digits(line, i, 9).unwrap_or((0, 0));
    i += n;
    // Digits past the ninth are truncated.
    while line.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    if line.get(i) != Some(&b':') || !line.get(i + 1).is_some_and(|&b| is_space(b)) {
        return None;
    }
    let ns = frac * POW10[9 - n];
    let time_ns = secs * 1_000_000_000 + ns;
    // An optional all-digits period (at most 19 digits, like `parse_u64`).
    i = skip_blanks(line, i + 1);
    match leading_digits(line, i, 19) {
        Some((value, n)) if line.get(i + n).is_some_and(|&b| is_space(b)) => {
            Some((time_ns, Some(value), skip_blanks(line, i + n)))
        }
        _ => Some((time_ns, None, i)),
    }
}

/// The fields after the thread key in any layout: each word is tried as each kind of field.
fn any_fields<'a>(line: &'a [u8], mut header: Header<'a>) -> Header<'a> {
    let mut pos = header.thread_key.len();
    while let Some((ws, we)) = next_word(line, pos) {
        let tok = &line[ws..we];
        pos = we;
        if tok[0] == b'[' && tok[tok.len() - 1] == b']' {
            continue; // [cpu]
        }
        if header.time_ns.is_none()
            && let Some(time) = timestamp_token(tok)
        {
            header.time_ns = time;
            continue;
        }
        if let Some(period) = parse_u64(tok) {
            header.period = Some(period);
            continue;
        }
        if let [name @ .., b':'] = tok {
            header.event = name;
            let rest = trim(&line[we..]);
            if !rest.is_empty() && looks_like_frame(rest) {
                header.inline_frame = Some(rest);
            }
            break;
        }
        // An unknown field (other `-F` layouts): ignore it.
    }
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_header_with_cpu_time_period_event() {
        let h = parse_header(b"noploop 21796 [001] 1410597.984841:    100 instructions: ").unwrap();
        assert_eq!(h.comm, b"noploop");
        assert_eq!((h.pid, h.tid), (None, Some(21796)));
        assert_eq!(h.time_ns, Some(1_410_597_984_841_000));
        assert_eq!(h.period, Some(100));
        assert_eq!(h.event, b"instructions");
        assert_eq!(h.thread_key, b"noploop 21796");
        assert_eq!(h.inline_frame, None);
    }

    #[test]
    fn comm_with_spaces_and_pid_tid() {
        let h = parse_header(b"V8 WorkerThread 24636/25607 [000] 94564.109216: 100 cycles:uppp:")
            .unwrap();
        assert_eq!(h.comm, b"V8 WorkerThread");
        assert_eq!((h.pid, h.tid), (Some(24636), Some(25607)));
        assert_eq!(h.event, b"cycles:uppp");
        let h = parse_header(b"perf   977/977   [000] 7628263.042515: cycles: ").unwrap();
        assert_eq!(h.comm, b"perf");
        assert_eq!(h.period, None);
        assert_eq!(h.event, b"cycles");
    }

    #[test]
    fn reusing_the_previous_thread_key_gives_the_same_header() {
        let lines: [&[u8]; 7] = [
            b"workload.sh 14620   992.943835:      40000 cpu-clock: ",
            b"workload.sh 14620   992.943907:      40000 cpu-clock: ",
            b"  workload.sh 14620 1.5: cycles:",
            b"workload.sh 146201 1.5: cycles:",
            b"workload.sh 14620/7 1.5: cycles:",
            b"workload.sh 14620",
            b"workload.sh 14620 x 5 1.5: cycles:",
        ];
        for a in lines {
            let Some(prev) = parse_header(a) else {
                continue;
            };
            for b in lines {
                let reused = parse_header_after(b, &[prev]).map(|(h, _)| h);
                assert_eq!(reused, parse_header(b));
            }
        }
    }

    #[test]
    fn common_layout_matches_the_general_scan() {
        let lines: [&[u8]; 22] = [
            b"workload.sh 14620   992.943835:      40000 cpu-clock: ",
            b"workload.sh 14620 [003]  992.943835:      40000 cpu-clock:",
            b"w 1 992.943835: cycles:",
            b"w 1 992.943835: 12345678901234567890 cycles:",
            b"w 1 992.943835: 1234567890123456789 cycles:",
            b"w 1 99999999999.943835: 5 cycles:",
            b"w 1 9999999999.9438351234: 5 cycles:",
            b"w 1 0.: 5 cycles:",
            b"w 1 .5: 5 cycles:",
            b"w 1 1.5.5: 5 cycles:",
            b"w 1 1.5: 5 6 cycles:",
            b"w 1 1.5: 5x cycles:",
            b"w 1 1.5: 5 cycles:u:",
            b"w 1 1.5: 5 :",
            b"w 1 1.5: 5",
            b"w 1 1.5:",
            b"w 1 1.5: [1] 5 c:",
            b"w 1 [1 1.5: 5 c:",
            b"w 1 [1] 1.5: 5 c: ffffffff9b201293 [unknown] ([unknown])",
            b"w 1 1.5: 5 c: tail",
            b"w 1 1.5:\t5\tc:",
            b"w 1 1.5x: 5 c:",
        ];
        for line in lines {
            let Some(h) = parse_header(line) else {
                continue;
            };
            let bare = Header {
                time_ns: None,
                period: None,
                event: b"",
                inline_frame: None,
                ..h
            };
            let line = trim(line);
            assert_eq!(
                any_fields(line, bare),
                h,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn no_timestamp_no_cpu() {
        let h = parse_header(b"java 19983 cycles:").unwrap();
        assert_eq!(
            (h.comm, h.tid, h.time_ns, h.period),
            (&b"java"[..], Some(19983), None, None)
        );
        assert_eq!(h.event, b"cycles");
    }

    #[test]
    fn frame_on_the_header_line() {
        let h = parse_header(
            b"           false 39654 19115.489713:          1 cycles:u:  ffffffff9b201293 [unknown] ([unknown])",
        )
        .unwrap();
        assert_eq!(h.comm, b"false");
        assert_eq!(h.event, b"cycles:u");
        assert_eq!(
            h.inline_frame,
            Some(&b"ffffffff9b201293 [unknown] ([unknown])"[..])
        );
        // Tracepoint arguments are not a frame.
        let h = parse_header(b"perf 1 [000] 1.5: sched:sched_switch: prev_comm=perf prev_pid=1")
            .unwrap();
        assert_eq!(h.event, b"sched:sched_switch");
        assert_eq!(h.inline_frame, None);
    }

    #[test]
    fn weird_lines_are_rejected() {
        assert_eq!(parse_header(b""), None);
        assert_eq!(
            parse_header(b"\t  401b94 main+0x1c (./inline-counter)"),
            None
        );
        assert_eq!(parse_header(b"12345"), None);
        assert_eq!(
            parse_header(b"comm 12345"),
            None,
            "the TID must be followed by more fields"
        );
        assert_eq!(
            parse_header(b"comm 99999999999 x"),
            None,
            "TID overflows u32"
        );
        assert!(parse_header(b"\xff\xfe 12 \x80:").is_some());
    }

    #[test]
    fn one_pass_timestamp_tokens_agree_with_the_two_pass_rule() {
        for tok in [
            &b"12345.678901:"[..],
            b"1.123456789999:",
            b"7:",
            b"7.:",
            b"1.2.3:",
            b"99999999999999999999.1:",
            b"9999999999999999999.1:",
            b"18446744073.709551616:",
            b"18446744073.709551615:",
            b"12a.5:",
            b".5:",
            b"5",
            b":",
            b"0000000000000000000000001.5:",
        ] {
            let two_pass =
                is_timestamp_token(tok).then(|| parse_timestamp_ns(&tok[..tok.len() - 1]));
            assert_eq!(
                timestamp_token(tok),
                two_pass,
                "{}",
                String::from_utf8_lossy(tok)
            );
        }
        for word in [
            &b"123"[..],
            b"1/2",
            b"4294967295",
            b"4294967296",
            b"1/",
            b"/1",
            b"1/2/3",
            b"12x",
            b"00000000001",
        ] {
            let to_u32 = |s: &[u8]| parse_u64(s).and_then(|v| u32::try_from(v).ok());
            let two_pass = match memchr::memchr(b'/', word) {
                Some(slash) => (|| {
                    Some((
                        Some(to_u32(&word[..slash])?),
                        Some(to_u32(&word[slash + 1..])?),
                    ))
                })(),
                None => to_u32(word).map(|t| (None, Some(t))),
            };
            assert_eq!(
                parse_pid_tid(word),
                two_pass,
                "{}",
                String::from_utf8_lossy(word)
            );
        }
    }

    #[test]
    fn timestamps_are_integer_nanoseconds() {
        assert_eq!(
            parse_timestamp_ns(b"12345.678901"),
            Some(12_345_678_901_000)
        );
        assert_eq!(parse_timestamp_ns(b"1.123456789999"), Some(1_123_456_789));
        assert_eq!(parse_timestamp_ns(b"7"), Some(7_000_000_000));
        assert_eq!(parse_timestamp_ns(b"1.2.3"), None);
        assert_eq!(parse_timestamp_ns(b"99999999999999999999.1"), None);
        assert_eq!(parse_timestamp_ns(b"18446744073.709551616"), None);
    }
}
