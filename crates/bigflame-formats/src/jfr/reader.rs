//! A bounded big-endian / LEB128 cursor over one region of a JFR recording.
//!
//! Why one cursor for both integer encodings: a chunk says in its header whether its integers are
//! compressed (feature bit 0, set by every JDK since 11 and by async-profiler). Compressed integers
//! are unsigned LEB128 (7 bits a byte, least significant group first, at most 9 bytes, the ninth
//! carrying 8 bits); uncompressed ones are fixed-width big-endian. `short`, `char` and `int` are
//! written as a `long` would be and truncated on read, as the JDK does.
//!
//! Every position is an absolute offset into the whole (decompressed) input, so an error can name
//! the byte where it happened. A cursor never reads past its `end` (the end of the event or chunk
//! it was made for): a length that claims more than is left is an error, never an allocation.

use std::fmt;

/// A decoding problem at an absolute byte offset.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JfrError {
    /// Offset in the decoded input.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl JfrError {
    pub(crate) fn new(offset: usize, message: impl Into<String>) -> Self {
        JfrError {
            offset,
            message: message.into(),
        }
    }
}

impl fmt::Display for JfrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

pub(crate) type Result<T> = std::result::Result<T, JfrError>;

/// A cursor over `data[pos..end]`.
#[derive(Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    end: usize,
    compressed: bool,
}

impl<'a> Reader<'a> {
    /// A cursor over `data[pos..end]` (`end` is clamped to the data).
    pub(crate) fn new(data: &'a [u8], pos: usize, end: usize, compressed: bool) -> Self {
        let end = end.min(data.len());
        Reader {
            data,
            pos: pos.min(end),
            end,
            compressed,
        }
    }

    /// A cursor from this one's position to `end` (clamped to this region).
    pub(crate) fn sub(&self, end: usize) -> Reader<'a> {
        Reader::new(self.data, self.pos, end.min(self.end), self.compressed)
    }

    /// The absolute offset of the next byte.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The absolute end of the region.
    pub(crate) fn end(&self) -> usize {
        self.end
    }

    /// Bytes left in the region.
    pub(crate) fn remaining(&self) -> usize {
        self.end - self.pos
    }

    fn eof(&self, what: &str) -> JfrError {
        JfrError::new(self.pos, format!("{what} runs past the end of its record"))
    }

    /// The next `n` bytes.
    pub(crate) fn bytes(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(JfrError::new(
                self.pos,
                format!("{what} claims {n} bytes, {} left", self.remaining()),
            ));
        }
        let out = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// One byte.
    pub(crate) fn u8(&mut self) -> Result<u8> {
        let b = *self.data[..self.end]
            .get(self.pos)
            .ok_or_else(|| self.eof("a byte"))?;
        self.pos += 1;
        Ok(b)
    }

    fn fixed<const N: usize>(&mut self) -> Result<[u8; N]> {
        let b = self.bytes(N, "a number")?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    /// An unsigned LEB128 number of at most 9 bytes, JFR's variant: the ninth byte carries all
    /// 8 bits (protobuf's varint in `pprof::wire` goes on to a tenth byte instead).
    fn varint(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for i in 0..9 {
            let b = self.u8()?;
            if i == 8 {
                return Ok(v | (u64::from(b) << 56));
            }
            v |= u64::from(b & 0x7f) << (7 * i);
            if b < 0x80 {
                return Ok(v);
            }
        }
        Ok(v)
    }

    /// A `long` (8 bytes big-endian, or a varint).
    pub(crate) fn i64(&mut self) -> Result<i64> {
        if self.compressed {
            Ok(self.varint()? as i64)
        } else {
            Ok(i64::from_be_bytes(self.fixed::<8>()?))
        }
    }

    /// An `int` (4 bytes big-endian, or a varint truncated to 32 bits).
    pub(crate) fn i32(&mut self) -> Result<i32> {
        if self.compressed {
            Ok(self.varint()? as i32)
        } else {
            Ok(i32::from_be_bytes(self.fixed::<4>()?))
        }
    }

    /// A `short` or `char` (2 bytes big-endian, or a varint truncated to 16 bits).
    pub(crate) fn i16(&mut self) -> Result<i16> {
        if self.compressed {
            Ok(self.varint()? as i16)
        } else {
            Ok(i16::from_be_bytes(self.fixed::<2>()?))
        }
    }

    /// A `float` (always 4 bytes big-endian).
    pub(crate) fn f32(&mut self) -> Result<f32> {
        Ok(f32::from_be_bytes(self.fixed::<4>()?))
    }

    /// A `double` (always 8 bytes big-endian).
    pub(crate) fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_be_bytes(self.fixed::<8>()?))
    }

    /// A count that must be non-negative; the caller caps any allocation by [`Self::remaining`].
    pub(crate) fn count(&mut self, what: &str) -> Result<usize> {
        let at = self.pos;
        let n = self.i32()?;
        usize::try_from(n).map_err(|_| JfrError::new(at, format!("negative {what} count {n}")))
    }

    /// A `java.lang.String` as written by JFR: an encoding byte, then its content.
    pub(crate) fn string(&mut self) -> Result<JStr> {
        let at = self.pos;
        match self.u8()? {
            0 => Ok(JStr::Null),
            1 => Ok(JStr::Text(String::new())),
            2 => Ok(JStr::Pool(self.i64()? as u64)),
            3 => {
                let n = self.count("string byte")?;
                let b = self.bytes(n, "a UTF-8 string")?;
                Ok(JStr::Text(String::from_utf8_lossy(b).into_owned()))
            }
            4 => {
                let n = self.count("string char")?;
                // Each char takes at least one byte: no more than `remaining` of them can follow.
                if n > self.remaining() {
                    return Err(JfrError::new(
                        at,
                        format!(
                            "a char-array string claims {n} chars, {} bytes left",
                            self.remaining()
                        ),
                    ));
                }
                let mut units = Vec::with_capacity(n);
                for _ in 0..n {
                    units.push(self.i16()? as u16);
                }
                Ok(JStr::Text(
                    char::decode_utf16(units)
                        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                        .collect(),
                ))
            }
            5 => {
                let n = self.count("string byte")?;
                let b = self.bytes(n, "a Latin-1 string")?;
                Ok(JStr::Text(b.iter().map(|&c| char::from(c)).collect()))
            }
            e => Err(JfrError::new(at, format!("unknown string encoding {e}"))),
        }
    }
}

/// A decoded `java.lang.String` field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JStr {
    /// Encoding 0: `null`.
    Null,
    /// Encodings 1 (empty), 3 (UTF-8), 4 (char array) and 5 (Latin-1).
    Text(String),
    /// Encoding 2: a key into the chunk's `java.lang.String` constant pool.
    Pool(u64),
}
