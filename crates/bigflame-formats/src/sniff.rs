//! Format detection from the first bytes of an input.
//!
//! Why content first: profiles travel as `out.txt`, `perf.script`, `stacks`, or through stdin with no
//! name at all, so the extension cannot decide. The first few kilobytes are enough for every format
//! bigflame knows: binary magics (`PERFILE2`, gzip), JSON's opening bracket, callgrind's keywords, and
//! for the two line-based text formats the shape of the first records:
//!
//! * perf script: an unindented sample header (`comm pid [cpu] 123.456789: 250000 cycles:`), then
//!   indented frame lines (`\t  7f12ab func+0x1c (/lib/libc.so.6)`), records separated by blank lines;
//!   optionally preceded by `# ========` / `# captured on: ...` header comments;
//! * folded stacks: unindented `frame;frame;frame COUNT` lines.
//!
//! The extension is consulted only when the content is ambiguous (e.g. comments only). Formats that
//! are recognised but not supported yet are reported with a message that names them and, where there
//! is one, the command that converts them.

use std::path::Path;

pub use crate::format::Format;

/// How many bytes [`sniff`] looks at (it accepts fewer or more).
pub const SNIFF_BYTES: usize = 64 * 1024;

/// The text encoding of an input, from its byte-order mark.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Encoding {
    /// UTF-8 (or ASCII) without a BOM.
    Utf8,
    /// UTF-8 with a BOM (3 bytes to skip).
    Utf8Bom,
    /// UTF-16 little endian with a BOM.
    Utf16Le,
    /// UTF-16 big endian with a BOM.
    Utf16Be,
}

impl Encoding {
    /// Detects the encoding from a BOM.
    pub fn detect(head: &[u8]) -> Encoding {
        if head.starts_with(&[0xef, 0xbb, 0xbf]) {
            Encoding::Utf8Bom
        } else if head.starts_with(&[0xff, 0xfe]) {
            Encoding::Utf16Le
        } else if head.starts_with(&[0xfe, 0xff]) {
            Encoding::Utf16Be
        } else {
            Encoding::Utf8
        }
    }

    /// True for the UTF-16 encodings (which must be transcoded before parsing).
    pub fn is_utf16(self) -> bool {
        matches!(self, Encoding::Utf16Le | Encoding::Utf16Be)
    }
}

/// Transcodes UTF-16 (after its BOM) to UTF-8; unpaired surrogates become U+FFFD and a trailing odd
/// byte is dropped.
pub fn utf16_to_utf8(data: &[u8], encoding: Encoding) -> Vec<u8> {
    let body = data.get(2..).unwrap_or_default();
    let units = body.chunks_exact(2).map(|p| match encoding {
        Encoding::Utf16Be => u16::from_be_bytes([p[0], p[1]]),
        _ => u16::from_le_bytes([p[0], p[1]]),
    });
    let mut out = Vec::with_capacity(body.len() / 2);
    let mut buf = [0u8; 4];
    for ch in char::decode_utf16(units) {
        let ch = ch.unwrap_or(char::REPLACEMENT_CHARACTER);
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    }
    out
}

/// The result of sniffing.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Sniffed {
    /// A known format (which may still be unsupported: see [`Format::is_supported`]).
    Known(Format),
    /// Nothing but whitespace (and possibly comments): an empty profile.
    Empty,
    /// Not a format bigflame knows; the text says what was seen.
    Unknown(String),
}

/// Detects the format of an input from its first bytes (`head`, ideally [`SNIFF_BYTES`] or the whole
/// input if shorter; `complete` says whether `head` is the whole input). `hint` is the file name, used
/// only when the content is ambiguous. `head` is the decoded data (after one gzip layer).
pub fn sniff(head: &[u8], complete: bool, hint: Option<&Path>) -> Sniffed {
    let encoding = Encoding::detect(head);
    if encoding.is_utf16() {
        let text = utf16_to_utf8(head, encoding);
        return sniff_text(&text, complete, hint);
    }
    let head = if encoding == Encoding::Utf8Bom {
        &head[3..]
    } else {
        head
    };
    if head.starts_with(b"PERFILE2")
        || head.starts_with(b"2ELIFREP")
        || head.starts_with(b"PERFFILE")
    {
        return Sniffed::Known(Format::PerfData);
    }
    if crate::input::is_gzip(head) {
        return Sniffed::Known(Format::NestedGzip);
    }
    // A JFR chunk starts with `FLR\0`; a recording is a sequence of chunks.
    if head.starts_with(b"FLR\0") {
        return Sniffed::Known(Format::Jfr);
    }
    if let Some(format) = sniff_zip(head, hint) {
        return Sniffed::Known(format);
    }
    if looks_binary(head) {
        if crate::pstats::looks_like_pstats(head) {
            return Sniffed::Known(Format::Pstats);
        }
        // pprof is a protobuf whose first field is usually `sample_type` (field 1, length-delimited).
        if head.first() == Some(&0x0a) || crate::pprof::looks_like_pprof(head) {
            return Sniffed::Known(Format::Pprof);
        }
        let shown: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
        return Sniffed::Unknown(format!(
            "binary data of an unknown format (first bytes: {}); bigflame reads perf script text and \
             folded stacks",
            shown.join(" ")
        ));
    }
    sniff_text(head, complete, hint)
}

/// A zip archive is an Instruments `.trace` bundle when its first entry lies in a `*.trace/`
/// folder (how Finder and `zip -r` write a bundle), or, failing that, when its name says so.
fn sniff_zip(head: &[u8], hint: Option<&Path>) -> Option<Format> {
    if !head.starts_with(b"PK\x03\x04") {
        return None;
    }
    // Local file header: the name's length is at offset 26 (u16 LE), the name at offset 30.
    let name_len = usize::from(u16::from_le_bytes([*head.get(26)?, *head.get(27)?]));
    let first = head.get(30..30 + name_len).unwrap_or_default();
    let first_dir = first.split(|&b| b == b'/').next().unwrap_or_default();
    if first_dir.ends_with(b".trace") && first.len() > first_dir.len() {
        return Some(Format::InstrumentsTrace);
    }
    hint.and_then(Format::from_extension)
        .filter(|&f| f == Format::InstrumentsTrace)
}

/// More than 1% control bytes (or any NUL) in the first 4 KiB means binary.
fn looks_binary(head: &[u8]) -> bool {
    let sample = &head[..head.len().min(4096)];
    if memchr::memchr(0, sample).is_some() {
        return true;
    }
    let control = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    control * 100 > sample.len()
}

fn sniff_text(head: &[u8], complete: bool, hint: Option<&Path>) -> Sniffed {
    let trimmed = head.trim_ascii_start();
    if trimmed.is_empty() {
        return Sniffed::Empty;
    }
    if matches!(trimmed[0], b'{' | b'[') {
        return Sniffed::Known(json_flavour(trimmed));
    }
    if let Some(format) = sniff_line_formats(trimmed, complete) {
        return Sniffed::Known(format);
    }
    let mut folded = 0usize;
    let mut perf = 0usize;
    let mut partial_with_semicolon = false;
    let mut prev_header = false;
    let mut lines = trimmed.split(|&b| b == b'\n').peekable();
    let mut seen = 0;
    while let Some(line) = lines.next() {
        let is_last = lines.peek().is_none();
        if is_last && !complete {
            // A line cut by the end of the head: only a weak hint (a single huge folded line).
            partial_with_semicolon =
                !line.starts_with(b" ") && memchr::memchr(b';', line).is_some();
            break;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.trim_ascii().is_empty() {
            prev_header = false;
            continue;
        }
        if line.starts_with(b"# ========")
            || line.starts_with(b"# captured on")
            || line.starts_with(b"# perf version")
        {
            perf += 10;
            continue;
        }
        if line.starts_with(b"# callgrind format")
            || line.starts_with(b"events:")
            || line.starts_with(b"fn=")
            || line.starts_with(b"creator: callgrind")
        {
            return Sniffed::Known(Format::Callgrind);
        }
        if line.starts_with(b"#") {
            continue;
        }
        seen += 1;
        if seen > 200 {
            break;
        }
        let indented = matches!(line[0], b' ' | b'\t');
        if indented {
            if prev_header {
                perf += 1;
            }
            continue;
        }
        prev_header = true;
        if looks_like_perf_header(line) {
            perf += 1;
        } else if count_token(line).is_some() {
            folded += 1;
        }
    }
    if perf > 0 && perf >= folded {
        return Sniffed::Known(Format::PerfScript);
    }
    if folded > 0 || partial_with_semicolon {
        return Sniffed::Known(Format::Folded);
    }
    if let Some(f) = hint.and_then(Format::from_extension) {
        return Sniffed::Known(f);
    }
    if seen == 0 {
        // Comments only: no samples.
        return Sniffed::Empty;
    }
    let first = trimmed
        .split(|&b| b == b'\n')
        .find(|l| !l.trim_ascii().is_empty())
        .unwrap_or_default();
    let first = String::from_utf8_lossy(&first[..first.len().min(80)]).into_owned();
    Sniffed::Unknown(format!(
        "text of an unknown format (first line: {first:?}); bigflame reads perf script text \
         (`perf script > out.txt`) and folded stacks (`a;b;c 123` per line)"
    ))
}

/// Text formats told by the shape of their first lines: an Instruments deep copy by its
/// tab-separated header, `pmcstat -G` callgraphs and Papyrus logs when at least 80% of the first
/// meaningful lines have their shape (pmcstat files may carry comments and stray lines).
fn sniff_line_formats(text: &[u8], complete: bool) -> Option<Format> {
    let text = String::from_utf8_lossy(text);
    let mut lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    if !complete && lines.len() > 1 {
        lines.pop();
    }
    let mut meaningful = lines
        .into_iter()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with("//"));
    let first = meaningful.next()?;
    if crate::instruments::is_header(first) {
        return Some(Format::InstrumentsDeepCopy);
    }
    let sample: Vec<&str> = std::iter::once(first).chain(meaningful.take(49)).collect();
    let share = |pred: &dyn Fn(&str) -> bool| {
        let n = sample.iter().filter(|l| pred(l)).count();
        n >= 1 && n * 10 >= sample.len() * 8
    };
    if share(&crate::pmcstat::is_callgraph_line) {
        return Some(Format::Pmcstat);
    }
    if share(&|l| crate::papyrus::is_log_line(l) || l == "Log closed") {
        return Some(Format::Papyrus);
    }
    None
}

/// A perf sample header has a `123.456789:` timestamp token (or, without `-F time`, a token ending in
/// `:` right after a number, the event name).
fn looks_like_perf_header(line: &[u8]) -> bool {
    let mut prev_numeric = false;
    for tok in line
        .split(|b| b.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
    {
        if let Some(body) = tok.strip_suffix(b":") {
            let is_time =
                body.contains(&b'.') && body.iter().all(|&b| b.is_ascii_digit() || b == b'.');
            if is_time || (prev_numeric && !body.is_empty() && body[0].is_ascii_alphabetic()) {
                return true;
            }
        }
        prev_numeric = tok.iter().all(|&b| b.is_ascii_digit() || b == b'/');
    }
    false
}

/// The count of a folded line: the token after the last space or tab, when it is a number.
pub(crate) fn count_token(line: &[u8]) -> Option<&[u8]> {
    let line = line.trim_ascii_end();
    let at = memchr::memrchr2(b' ', b'\t', line)?;
    let tok = &line[at + 1..];
    let digits = tok.iter().filter(|b| b.is_ascii_digit()).count();
    let dots = tok.iter().filter(|&&b| b == b'.').count();
    (digits > 0 && digits + dots == tok.len() && dots <= 1).then_some(tok)
}

fn json_flavour(text: &[u8]) -> Format {
    let head = &text[..text.len().min(SNIFF_BYTES)];
    let has = |needle: &str| memchr::memmem::find(head, needle.as_bytes()).is_some();
    // Keys may come in any order and with any spacing, so look for distinctive key names only.
    // Safari recordings hold `stackFrames` too: tell them apart before Chrome traces.
    let safari =
        has("\"recording\"") && (has("\"instrumentTypes\"") || has("\"sampleStackTraces\""));
    // speedscope: its schema URL, or (exporters that write it last) its top-level keys.
    if safari {
        Format::Safari
    } else if has("speedscope.app/file-format-schema")
        || has("\"exporter\":\"speedscope@")
        || (has("\"shared\"") && has("\"frames\"") && has("\"profiles\""))
    {
        Format::SpeedscopeJson
    } else if has("\"traceEvents\"") || has("\"ph\"") || has("\"stackFrames\"") {
        Format::ChromeTrace
    } else if has("\"callFrame\"") && has("\"selfSize\"") {
        Format::V8HeapProfile
    } else if ((has("\"nodes\"") || has("\"head\"")) && has("\"hitCount\""))
        || (has("\"nodes\"") && has("\"callFrame\"") && has("\"timeDeltas\""))
    {
        Format::ChromeCpuProfile
    } else if has("\"gc_samples\"") || (has("\"mode\"") && has("\"missed_samples\"")) {
        Format::Stackprof
    } else if has("\"libs\"") && (has("\"threads\"") || has("\"profile\"")) {
        Format::Firefox
    } else if has("\"recording\"") && has("\"displayName\"") {
        Format::Safari
    } else if has("\"cost_centres\"") || has("\"rts_arguments\"") {
        Format::GhcProf
    } else {
        Format::Json
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &[u8]) -> Sniffed {
        sniff(text, true, None)
    }

    #[test]
    fn text_formats_are_told_apart() {
        let perf = b"cat 123 [001] 1.000001: 250000 cpu-clock:\n\t  7f01 main (/bin/cat)\n\n";
        assert_eq!(s(perf), Sniffed::Known(Format::PerfScript));
        let perf_no_time = b"cat 123 cpu-clock:\n\t  main (/bin/cat)\n";
        assert_eq!(s(perf_no_time), Sniffed::Known(Format::PerfScript));
        let header = b"# ========\n# captured on: x\n# ========\n#\n";
        assert_eq!(s(header), Sniffed::Known(Format::PerfScript));
        assert_eq!(s(b"a;b;c 12\na;b 3\n"), Sniffed::Known(Format::Folded));
        assert_eq!(
            s(b"# austin: 3\n\nP1;T1;f 1.5\r\n"),
            Sniffed::Known(Format::Folded)
        );
        assert_eq!(s(b"fn 1\n"), Sniffed::Known(Format::Folded));
        assert_eq!(
            s(b"# callgrind format\nevents: Ir\n"),
            Sniffed::Known(Format::Callgrind)
        );
        assert_eq!(s(b"  \n\n"), Sniffed::Empty);
        assert_eq!(s(b""), Sniffed::Empty);
        assert_eq!(s(b"# only a comment\n"), Sniffed::Empty);
        // A huge first line cut by the head.
        assert_eq!(
            sniff(b"a;b;c;d;e", false, None),
            Sniffed::Known(Format::Folded)
        );
        match s(b"hello world\nthis is prose\n") {
            Sniffed::Unknown(m) => assert!(m.contains("hello world"), "{m}"),
            other => panic!("{other:?}"),
        }
        let hint = Path::new("x.collapsed");
        assert_eq!(
            sniff(b"hello world\n", true, Some(hint)),
            Sniffed::Known(Format::Folded)
        );
    }

    #[test]
    fn binary_and_json_formats_are_recognised() {
        assert_eq!(s(b"PERFILE2\x00\x01"), Sniffed::Known(Format::PerfData));
        assert_eq!(s(&[0x1f, 0x8b, 8, 0]), Sniffed::Known(Format::NestedGzip));
        assert_eq!(s(b"FLR\0\0\x02\0\x01"), Sniffed::Known(Format::Jfr));
        let mut zip = b"PK\x03\x04".to_vec();
        zip.resize(26, 0);
        zip.extend_from_slice(&[10, 0, 0, 0]);
        zip.extend_from_slice(b"a.trace/b/");
        assert_eq!(s(&zip), Sniffed::Known(Format::InstrumentsTrace));
        zip[30] = b'x';
        zip[31] = b'/';
        assert!(matches!(s(&zip), Sniffed::Unknown(_)));
        assert_eq!(
            sniff(&zip, true, Some(Path::new("run.trace.zip"))),
            Sniffed::Known(Format::InstrumentsTrace)
        );
        assert_eq!(
            s(&[0x0a, 0x10, 0, 1, 2, 3, 0x12]),
            Sniffed::Known(Format::Pprof)
        );
        assert!(
            matches!(s(&[0xde, 0xad, 0, 0xef, 1, 2]), Sniffed::Unknown(m) if m.contains("de ad"))
        );
        let speedscope = br#"{"$schema": "https://www.speedscope.app/file-format-schema.json"}"#;
        assert_eq!(s(speedscope), Sniffed::Known(Format::SpeedscopeJson));
        assert_eq!(s(b"[{\"ph\":\"B\"}]"), Sniffed::Known(Format::ChromeTrace));
        assert_eq!(s(b" {\"a\": 1}"), Sniffed::Known(Format::Json));
        let cases: [(&[u8], Format); 7] = [
            (
                br#"{"nodes":[{"id":1,"callFrame":{}, "hitCount":0}]}"#,
                Format::ChromeCpuProfile,
            ),
            (
                br#"{"head":{"callFrame":{},"selfSize":0}}"#,
                Format::V8HeapProfile,
            ),
            (br#"{"traceEvents": []}"#, Format::ChromeTrace),
            (
                br#"{"version":1.2,"mode":"cpu","gc_samples":0}"#,
                Format::Stackprof,
            ),
            (
                br#"{"label":"a","profile":{"libs":[],"threads":[]}}"#,
                Format::Firefox,
            ),
            (
                br#"{"version":1,"recording":{"displayName":"x"}}"#,
                Format::Safari,
            ),
            (br#"{ "program": "x", "cost_centres": []}"#, Format::GhcProf),
        ];
        for (text, format) in cases {
            assert_eq!(
                s(text),
                Sniffed::Known(format),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
        assert!(
            Format::Json
                .unsupported_detail("x")
                .is_some_and(|d| d.contains("JSON"))
        );
    }

    #[test]
    fn line_shaped_text_formats_are_recognised() {
        let instruments = b"Weight\tSelf Weight\t\tSymbol Name\n4 ms  100%\t0\t \tstart\n";
        assert_eq!(s(instruments), Sniffed::Known(Format::InstrumentsDeepCopy));
        let alloc = b"Bytes Used\tCount\t\tSymbol Name\n 1 MB  100%\t1\t \tstart\n";
        assert_eq!(s(alloc), Sniffed::Known(Format::InstrumentsDeepCopy));
        let pmcstat = b"@ cycles [3 samples]\n\n100.0%  [3]  f @ /bin/x\n 100.0%  [3]   main\n";
        assert_eq!(s(pmcstat), Sniffed::Known(Format::Pmcstat));
        // Stray lines are tolerated while most lines have the shape.
        let mut mixed = b"# comment\ninvalid line\n".to_vec();
        for _ in 0..9 {
            mixed.extend_from_slice(b"50.0%  [1]  f\n");
        }
        assert_eq!(s(&mixed), Sniffed::Known(Format::Pmcstat));
        let papyrus =
            b"S log opened (PC)\n500:PUSH:3053:1:None:a..f\n600:POP:3053:1:None:a..f\nLog closed\n";
        assert_eq!(s(papyrus), Sniffed::Known(Format::Papyrus));
        // A head cut inside a line still decides on its whole lines.
        assert_eq!(
            sniff(b"500:PUSH:1:1:None:a..f\n600:POP:1:1:No", false, None),
            Sniffed::Known(Format::Papyrus)
        );
        // Folded and perf text are not taken for them.
        assert_eq!(s(b"a;b 50\nc 1\n"), Sniffed::Known(Format::Folded));
        let safari = br#"{"version":1,"recording":{"displayName":"r","instrumentTypes":[],
            "sampleStackTraces":[{"stackFrames":[]}]}}"#;
        assert_eq!(s(safari), Sniffed::Known(Format::Safari));
    }

    #[test]
    fn utf16_and_bom_are_decoded() {
        let le: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("a;b 1\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xfe, 0xff]
            .into_iter()
            .chain("a;b 1\n".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(utf16_to_utf8(&le, Encoding::detect(&le)), b"a;b 1\n");
        assert_eq!(utf16_to_utf8(&be, Encoding::detect(&be)), b"a;b 1\n");
        assert_eq!(s(&le), Sniffed::Known(Format::Folded));
        assert_eq!(s(b"\xef\xbb\xbfa;b 1\n"), Sniffed::Known(Format::Folded));
        for f in Format::ALL {
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
    }
}
