//! Splitting one `perf script` call-chain line into address, symbol and module.
//!
//! Why separate from naming: the split is pure byte work on the raw line and is shared by both output
//! flavours; the naming rules (which differ between FlameGraph and inferno) live in `names.rs`.
//!
//! A frame line is `ADDR SYMBOL[+0xOFF] (MODULE)`, usually indented with tabs or spaces, e.g.
//!
//! ```text
//!             7f443cc8af43 __mmap64 (inlined)
//!         ffffffffc087cbc9 mlx5e_xdp_handle+0xa9 (/lib/modules/5.4.14/kernel/mlx5_core.ko)
//! 7f72421d2d76 JavaCalls::call_helper(JavaValue, methodHandle) (/opt/jdk/libjvm.so)
//!                        0 [unknown] ([unknown])
//! ```
//!
//! The module is the text inside the last ` (`...`)` at the end of the line (symbols may contain
//! parentheses themselves); a line without one has no module. A symbol starting with `(` is how perf
//! prints a process name in some layouts and is dropped by both peers.

use super::header::{trim, trim_start};

/// The parts of a frame line, borrowed from the input.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct FrameLine<'a> {
    /// The address as printed (hex digits).
    pub pc: &'a [u8],
    /// The symbol without the `+0x..` offset.
    pub symbol: &'a [u8],
    /// The module (shared object, executable, `[kernel.kallsyms]`, `inlined`), empty when absent.
    pub module: &'a [u8],
}

/// What a line inside a sample's call chain turned out to be.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Line<'a> {
    /// A frame.
    Frame(FrameLine<'a>),
    /// A line both peers ignore on purpose (comments, process-name pseudo frames).
    Ignored,
    /// A line that is not a frame (logged as a "weird stack line").
    Malformed,
}

/// Removes a trailing `+0x<hex>` offset (`main+0x1f` → `main`).
pub fn strip_offset(sym: &[u8]) -> &[u8] {
    if let Some(plus) = memchr::memrchr(b'+', sym) {
        let off = &sym[plus + 1..];
        if off.len() > 2
            && off.starts_with(b"0x")
            && off[2..]
                .iter()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        {
            return &sym[..plus];
        }
    }
    sym
}

/// The offset of the last ` (` in `s` (where the module starts), searching backwards from the end.
fn module_open(s: &[u8]) -> Option<usize> {
    let mut end = s.len();
    while let Some(paren) = memchr::memrchr(b'(', &s[..end]) {
        if paren > 0 && s[paren - 1] == b' ' {
            return Some(paren - 1);
        }
        end = paren;
    }
    None
}

/// Parses one call-chain line (leading and trailing blanks are allowed).
pub fn parse_frame_line(raw: &[u8]) -> Line<'_> {
    if raw.first() == Some(&b'#') {
        return Line::Ignored;
    }
    let line = trim(raw);
    let Some(split) = line.iter().position(|b| *b == b' ' || *b == b'\t') else {
        return Line::Malformed;
    };
    let pc = &line[..split];
    let after = &line[split..];
    let (symbol, module) = match module_open(after) {
        Some(open) if after.ends_with(b")") => {
            // perl's `(.+) \((\S*)\)`: the symbol keeps its trailing blanks, and when only blanks
            // separate the address from the module, the symbol is the last of them.
            let raw_symbol = &after[..open];
            let symbol = trim_start(raw_symbol);
            let symbol: &[u8] = match (symbol.is_empty(), raw_symbol.is_empty()) {
                (false, _) => symbol,
                (true, false) => &raw_symbol[raw_symbol.len() - 1..],
                (true, true) => return Line::Malformed,
            };
            (symbol, &after[open + 2..after.len() - 1])
        }
        _ => (trim_start(after), &b""[..]),
    };
    if symbol.is_empty() {
        return Line::Malformed;
    }
    let symbol = strip_offset(symbol);
    if symbol.first() == Some(&b'(') {
        return Line::Ignored;
    }
    Line::Frame(FrameLine { pc, symbol, module })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(raw: &[u8]) -> (String, String, String) {
        match parse_frame_line(raw) {
            Line::Frame(f) => (
                String::from_utf8_lossy(f.pc).into(),
                String::from_utf8_lossy(f.symbol).into(),
                String::from_utf8_lossy(f.module).into(),
            ),
            other => panic!("not a frame: {other:?}"),
        }
    }

    #[test]
    fn indented_frame_with_offset() {
        assert_eq!(
            frame(b"\t          401b97 main+0x1f (./tests/data/inline-counter)\r"),
            (
                "401b97".into(),
                "main".into(),
                "./tests/data/inline-counter".into()
            )
        );
    }

    #[test]
    fn symbol_with_parentheses_and_spaces() {
        assert_eq!(
            frame(b"7f7241fbe6d8 arrayOopDesc::base(BasicType) const (/opt/libjvm.so)"),
            (
                "7f7241fbe6d8".into(),
                "arrayOopDesc::base(BasicType) const".into(),
                "/opt/libjvm.so".into()
            )
        );
        assert_eq!(
            frame(b"    7f443c9f889e std::endl<char, std::char_traits<char> > (/usr/lib/libstdc++.so.6)").1,
            "std::endl<char, std::char_traits<char> >"
        );
    }

    #[test]
    fn unknown_inlined_and_no_module() {
        assert_eq!(
            frame(b"\t0 [unknown] ([unknown])"),
            ("0".into(), "[unknown]".into(), "[unknown]".into())
        );
        assert_eq!(frame(b" 7f44 __mmap64 (inlined)").2, "inlined");
        assert_eq!(
            frame(b" 7fa5b7a3ea47 __GI___libc_write+0x47"),
            (
                "7fa5b7a3ea47".into(),
                "__GI___libc_write".into(),
                String::new()
            )
        );
        assert_eq!(frame(b" 7f A->B+0x0 (/tmp/perf-1.map)").1, "A->B");
        // Only blanks between address and module: perl's regex makes the symbol a single blank.
        assert_eq!(frame(b"\t    7f1e2215d058  (/lib/libc-2.15.so)").1, " ");
        assert_eq!(
            parse_frame_line(b"\t7f1e2215d058 (/lib/libc-2.15.so)"),
            Line::Malformed
        );
        assert_eq!(frame(b"\t7f foo  (/lib/libc.so)").1, "foo ");
    }

    #[test]
    fn offsets_only_strip_hex_suffixes() {
        assert_eq!(strip_offset(b"f+0xffff53cc2fce4051"), b"f");
        assert_eq!(strip_offset(b"operator+"), b"operator+");
        assert_eq!(strip_offset(b"a+0x"), b"a+0x");
        assert_eq!(strip_offset(b"a+0xZZ"), b"a+0xZZ");
    }

    #[test]
    fn weird_and_ignored_lines() {
        assert_eq!(
            parse_frame_line(b"\t          THIS_IS_A_WEIRD_LINE"),
            Line::Malformed
        );
        assert_eq!(parse_frame_line(b"   7f01   "), Line::Malformed);
        assert_eq!(parse_frame_line(b"# comment"), Line::Ignored);
        assert_eq!(parse_frame_line(b"\t 7f01 (deleted) (/x)"), Line::Ignored);
        assert_eq!(parse_frame_line(b""), Line::Malformed);
        assert!(matches!(
            parse_frame_line(b"\xff\xfe \x80\x81 (\xc0)"),
            Line::Frame(_)
        ));
    }
}
