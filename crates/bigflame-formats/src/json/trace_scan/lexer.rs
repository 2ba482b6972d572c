//! The strict JSON lexer under the trace scanner: whitespace, strings, numbers and skipped
//! values, each checked as simd-json checks them, with what the scanner needs to know besides
//! (whether a value's text is already its `JSON.stringify`, its truthiness).
//!
//! Why SWAR: events are short keys and numbers, so the work is per token, not per byte; eight
//! bytes at a time find a string's end and read eight digits at once without any `unsafe`.

/// Deepest nesting read here; deeper values go to the tape path.
pub(super) const MAX_NEST: u32 = 128;

/// What a skipped value was: still `JSON.stringify`'s text, and truthy.
#[derive(Clone, Copy)]
pub(super) struct Shape {
    pub(super) canonical: bool,
    pub(super) truthy: bool,
}

/// The escapes of a string: none, only those `JSON.stringify` writes (`\"`, `\\`, `\b`, `\f`,
/// `\n`, `\r`, `\t`), or others (`\/`, `\u`), after which the raw text is not its stringify.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Escapes {
    None,
    Canonical,
    Other,
}

/// Length of the run of bytes at the start of `b` that end no string: not `"`, not `\`, not a
/// control character. Eight bytes at a time (SWAR), as most strings here are short keys.
#[inline]
fn plain_run(b: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_in = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let mut at = 0;
    while let Some(word) = b.get(at..at + 8) {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(word);
        let x = u64::from_le_bytes(bytes);
        // Bytes equal to `"` or `\`, or below 0x20: the lowest flagged byte is exact (a borrow
        // can only flag bytes above a real hit).
        let hits = zero_in(x ^ (ONES * u64::from(b'"')))
            | zero_in(x ^ (ONES * u64::from(b'\\')))
            | (x.wrapping_sub(ONES * 0x20) & !x & HIGH);
        if hits != 0 {
            return at + (hits.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + b[at..]
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .unwrap_or(b.len() - at)
}

/// The value of eight ASCII digits, or `None` if any byte is not one (SWAR).
#[inline]
fn eight_digits(b: &[u8]) -> Option<u64> {
    let mut bytes = [0; 8];
    bytes.copy_from_slice(b);
    let w = u64::from_le_bytes(bytes);
    // Every byte 0x30..=0x39: high nibble 3, and adding 6 does not carry out of the low nibble.
    let all_digits = (w & 0xF0F0_F0F0_F0F0_F0F0) == 0x3030_3030_3030_3030
        && (w.wrapping_add(0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) == 0x3030_3030_3030_3030;
    if !all_digits {
        return None;
    }
    // Pairs, then quads, then the eight (the first digit is the lowest byte).
    let v = w - 0x3030_3030_3030_3030;
    let v = (v * 10 + (v >> 8)) & 0x00FF_00FF_00FF_00FF;
    let v = (v * 100 + (v >> 16)) & 0x0000_FFFF_0000_FFFF;
    Some((v * 10_000 + (v >> 32)) & 0xFFFF_FFFF)
}

/// A number read by [`Scanner::number`].
pub(super) struct Number {
    pub(super) value: f64,
    /// No fraction and no exponent.
    pub(super) integer: bool,
    /// The text is how `JSON.stringify` writes the value: an integer, not `-0`.
    pub(super) canonical: bool,
}

/// A cursor on the text of a piece.
pub(super) struct Scanner<'i> {
    pub(super) text: &'i str,
    /// Byte offset of the next byte to read.
    pub(super) i: usize,
}

impl<'i> Scanner<'i> {
    pub(super) fn new(text: &'i str) -> Self {
        Scanner { text, i: 0 }
    }

    #[inline]
    pub(super) fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.i).copied()
    }

    /// Skips JSON whitespace; true when there was some.
    #[inline]
    pub(super) fn ws(&mut self) -> bool {
        let from = self.i;
        while matches!(self.byte(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.i += 1;
        }
        self.i != from
    }

    #[inline]
    pub(super) fn eat(&mut self, c: u8) -> Option<()> {
        (self.byte() == Some(c)).then(|| self.i += 1)
    }

    /// Any JSON value, checked and skipped.
    pub(super) fn value(&mut self, depth: u32) -> Option<Shape> {
        match self.byte()? {
            b'"' => {
                let (s, escapes) = self.string()?;
                Some(Shape {
                    canonical: escapes != Escapes::Other,
                    truthy: !s.is_empty(),
                })
            }
            b'-' | b'0'..=b'9' => {
                let n = self.number()?;
                Some(Shape {
                    canonical: n.canonical,
                    truthy: n.value != 0.0 && !n.value.is_nan(),
                })
            }
            b't' => self.literal("true", true),
            b'f' => self.literal("false", false),
            b'n' => self.literal("null", false),
            open @ (b'{' | b'[') => {
                if depth > MAX_NEST {
                    return None;
                }
                self.i += 1;
                let close = if open == b'{' { b'}' } else { b']' };
                let mut canonical = !self.ws();
                if self.eat(close).is_some() {
                    return Some(Shape {
                        canonical,
                        truthy: true,
                    });
                }
                loop {
                    canonical &= !self.ws();
                    if open == b'{' {
                        canonical &= self.string()?.1 != Escapes::Other;
                        canonical &= !self.ws();
                        self.eat(b':')?;
                        canonical &= !self.ws();
                    }
                    canonical &= self.value(depth + 1)?.canonical;
                    canonical &= !self.ws();
                    match self.byte()? {
                        b',' => self.i += 1,
                        c if c == close => {
                            self.i += 1;
                            return Some(Shape {
                                canonical,
                                truthy: true,
                            });
                        }
                        _ => return None,
                    }
                }
            }
            _ => None,
        }
    }

    fn literal(&mut self, word: &str, truthy: bool) -> Option<Shape> {
        self.text.as_bytes()[self.i..]
            .starts_with(word.as_bytes())
            .then(|| {
                self.i += word.len();
                Shape {
                    canonical: true,
                    truthy,
                }
            })
    }

    /// A string at `"`: its raw text between the quotes and what its escapes are. Checks every
    /// escape (a `\u` surrogate must be a pair) and refuses raw control characters, as simd-json
    /// does.
    pub(super) fn string(&mut self) -> Option<(&'i str, Escapes)> {
        let b = self.text.as_bytes();
        self.eat(b'"')?;
        let from = self.i;
        let mut escapes = Escapes::None;
        loop {
            self.i += plain_run(&b[self.i..]);
            match *b.get(self.i)? {
                b'"' => break,
                b'\\' => {
                    self.i += 1;
                    match *b.get(self.i)? {
                        b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => {
                            self.i += 1;
                            escapes = escapes.max(Escapes::Canonical);
                        }
                        b'/' => {
                            self.i += 1;
                            escapes = Escapes::Other;
                        }
                        b'u' => {
                            escapes = Escapes::Other;
                            let unit = self.hex4()?;
                            if (0xDC00..0xE000).contains(&unit) {
                                return None;
                            }
                            if (0xD800..0xDC00).contains(&unit) {
                                self.eat(b'\\')?;
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return None;
                                }
                            }
                        }
                        _ => return None,
                    }
                }
                // A raw control character.
                _ => return None,
            }
        }
        let s = &self.text[from..self.i];
        self.i += 1;
        Some((s, escapes))
    }

    /// `u` and four hex digits after a backslash: the UTF-16 unit.
    fn hex4(&mut self) -> Option<u32> {
        self.eat(b'u')?;
        let digits = self.text.get(self.i..self.i + 4)?;
        if !digits.bytes().all(|d| d.is_ascii_hexdigit()) {
            return None;
        }
        self.i += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    /// A number in the JSON grammar: its value as simd-json reads it (integers of up to 18 digits
    /// exactly, then converted; others correctly rounded) and whether its text is how
    /// `JSON.stringify` writes that value (an integer other than `-0`).
    pub(super) fn number(&mut self) -> Option<Number> {
        let b = self.text.as_bytes();
        let from = self.i;
        let negative = self.eat(b'-').is_some();
        let digits_from = self.i;
        let mut magnitude: u64 = 0;
        match *b.get(self.i)? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                // Eight digits at a time while there are, then one by one.
                while let Some(eight) = b.get(self.i..self.i + 8).and_then(eight_digits) {
                    magnitude = magnitude.wrapping_mul(100_000_000).wrapping_add(eight);
                    self.i += 8;
                }
                while let Some(&d) = b.get(self.i).filter(|d| d.is_ascii_digit()) {
                    magnitude = magnitude.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
                    self.i += 1;
                }
            }
            _ => return None,
        }
        let int_digits = self.i - digits_from;
        let mut integer = true;
        if self.eat(b'.').is_some() {
            integer = false;
            self.digits()?;
        }
        if matches!(self.byte(), Some(b'e' | b'E')) {
            integer = false;
            self.i += 1;
            if matches!(self.byte(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            self.digits()?;
        }
        if !integer {
            // simd-json refuses a float beyond the range of `f64`.
            let value = self.text[from..self.i].parse::<f64>().ok()?;
            return value.is_finite().then_some(Number {
                value,
                integer,
                canonical: false,
            });
        }
        // Up to 18 digits the magnitude cannot have wrapped and is exact as an `i64`.
        if int_digits > 18 {
            return None;
        }
        let v = magnitude as i64;
        Some(Number {
            value: if negative { -v } else { v } as f64,
            integer,
            canonical: !(negative && v == 0),
        })
    }

    /// One or more decimal digits.
    fn digits(&mut self) -> Option<()> {
        let from = self.i;
        while self.byte().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        (self.i > from).then_some(())
    }
}
