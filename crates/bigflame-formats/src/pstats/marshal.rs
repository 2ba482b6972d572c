//! A bounded, non-recursive reader for the subset of Python's `marshal` format that pstats files
//! use.
//!
//! Why our own reader: `pstats.Stats.dump_stats` writes `marshal.dump(stats)`, a dict of tuples of
//! strings, ints and floats with callers dicts inside. The format is small and stable (versions 2
//! to 5 differ only in which types appear), and reading it ourselves keeps bigflame free of Python.
//!
//! Safety rules for untrusted files:
//!
//! * containers are read with an explicit stack (no recursion); nesting deeper than
//!   [`MAX_DEPTH`] (CPython's own limit is 2000) is an error;
//! * every size a file claims (string length, item count, digit count) is checked against the bytes
//!   left before anything is allocated, and containers grow only as items are actually read, so
//!   memory is bounded by the input, not by its claims;
//! * references (`FLAG_REF` on a type byte registers the object, `r` + index refers back) resolve
//!   to the already-read value: nothing is copied, so a reference cannot blow up the size;
//! * every value remembers its byte offset so errors can say where the problem is.
//!
//! Type bytes (marshal.c): `0` NULL (ends a dict), `N` None, `F`/`T` bools, `S`/`.` StopIteration and
//! Ellipsis, `i` int32, `I` int64, `l` long (15-bit digits), `f`/`g` float as text / binary,
//! `x`/`y` complex, `s` bytes, `t`/`u`/`a`/`A` strings with 32-bit length, `z`/`Z` short ASCII,
//! `(`/`)` tuple and small tuple, `[` list, `{` dict, `<`/`>` set and frozenset, `r` reference;
//! bit 0x80 is `FLAG_REF`. Code objects (`c`) never appear in pstats files and are refused.

/// Deepest container nesting accepted.
pub const MAX_DEPTH: usize = 2000;

/// Index of a value in [`Marshal::values`].
pub type ValId = u32;

/// A decoded value. Strings stay as byte ranges of the input.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An integer that fits in i64.
    Int(i64),
    /// An integer too large for i64, approximated.
    Big(f64),
    /// A float.
    Float(f64),
    /// A `str` or `bytes`: the byte range in the input.
    Str {
        /// Offset of the first byte.
        start: usize,
        /// Length in bytes.
        len: usize,
    },
    /// A tuple, list, set or frozenset.
    Seq(Vec<ValId>),
    /// A dict, pairs in file order.
    Dict(Vec<(ValId, ValId)>),
    /// Something pstats never uses (complex, Ellipsis, StopIteration).
    Other,
}

impl Val {
    /// The Python type name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Val::None => "None",
            Val::Bool(_) => "bool",
            Val::Int(_) | Val::Big(_) => "int",
            Val::Float(_) => "float",
            Val::Str { .. } => "str",
            Val::Seq(_) => "tuple",
            Val::Dict(_) => "dict",
            Val::Other => "another type",
        }
    }
}

/// A decoded marshal document.
#[derive(Debug)]
pub struct Marshal<'a> {
    data: &'a [u8],
    values: Vec<Val>,
    offsets: Vec<usize>,
}

/// Why the bytes are not valid marshal data.
#[derive(Debug, PartialEq)]
pub struct MarshalError {
    /// Byte offset of the problem.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl<'a> Marshal<'a> {
    /// A value.
    pub fn get(&self, id: ValId) -> &Val {
        self.values.get(id as usize).unwrap_or(&Val::None)
    }

    /// The byte offset a value starts at.
    pub fn offset(&self, id: ValId) -> usize {
        self.offsets.get(id as usize).copied().unwrap_or(0)
    }

    /// The bytes of a string value.
    pub fn bytes(&self, id: ValId) -> Option<&'a [u8]> {
        match self.get(id) {
            Val::Str { start, len } => self.data.get(*start..start + len),
            _ => None,
        }
    }

    /// A number as f64 (ints and floats).
    pub fn number(&self, id: ValId) -> Option<f64> {
        match self.get(id) {
            Val::Int(i) => Some(*i as f64),
            Val::Big(f) | Val::Float(f) => Some(*f),
            Val::Bool(b) => Some(f64::from(u8::from(*b))),
            _ => None,
        }
    }
}

enum Open {
    Seq { id: ValId, remaining: usize },
    Dict { id: ValId, key: Option<ValId> },
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn err<T>(&self, at: usize, message: impl Into<String>) -> Result<T, MarshalError> {
        Err(MarshalError {
            offset: at,
            message: message.into(),
        })
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&[u8], MarshalError> {
        let at = self.pos;
        match self.data.get(at..at.saturating_add(n)) {
            Some(s) if at.checked_add(n).is_some() => {
                self.pos += n;
                Ok(s)
            }
            _ => self.err(
                at,
                format!(
                    "truncated: {what} needs {n} bytes, {} left",
                    self.data.len().saturating_sub(at)
                ),
            ),
        }
    }

    fn u8(&mut self, what: &str) -> Result<u8, MarshalError> {
        Ok(self.take(1, what)?[0])
    }

    fn i32(&mut self, what: &str) -> Result<i32, MarshalError> {
        let b = self.take(4, what)?;
        Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A 32-bit size, checked to be non-negative and to fit in the bytes left (each unit at least
    /// `unit` bytes).
    fn size(&mut self, unit: usize, what: &str) -> Result<usize, MarshalError> {
        let at = self.pos;
        let n = self.i32(what)?;
        let left = self.data.len() - self.pos;
        match usize::try_from(n) {
            Ok(n) if n.saturating_mul(unit) <= left => Ok(n),
            Ok(n) => self.err(
                at,
                format!("{what} claims {n} items/bytes but only {left} bytes follow"),
            ),
            Err(_) => self.err(at, format!("{what} has a negative size {n}")),
        }
    }
}

/// Reads one marshal value (the whole document; trailing bytes are ignored, like `marshal.load`).
pub fn read(data: &[u8]) -> Result<(Marshal<'_>, ValId), MarshalError> {
    let mut m = Marshal {
        data,
        values: Vec::new(),
        offsets: Vec::new(),
    };
    let mut r = Reader { data, pos: 0 };
    let mut refs: Vec<ValId> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    loop {
        if let Some(Open::Dict { id, key: None }) = stack.last()
            && data.get(r.pos) == Some(&b'0')
        {
            let id = *id;
            r.pos += 1;
            stack.pop();
            if let Some(root) = deliver(&mut m, &mut stack, id) {
                return Ok((m, root));
            }
            continue;
        }
        let start = r.pos;
        let code = r.u8("a type byte")?;
        let flag = code & 0x80 != 0;
        let push = |m: &mut Marshal, v: Val| {
            m.values.push(v);
            m.offsets.push(start);
            (m.values.len() - 1) as ValId
        };
        let scalar = match code & 0x7f {
            b'0' => return r.err(start, "NULL where a value was expected"),
            b'N' => Val::None,
            b'F' => Val::Bool(false),
            b'T' => Val::Bool(true),
            b'S' | b'.' => Val::Other,
            b'i' => Val::Int(i64::from(r.i32("an int")?)),
            b'I' => {
                let b = r.take(8, "an int64")?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                Val::Int(i64::from_le_bytes(a))
            }
            b'l' => {
                let n = r.i32("a long")?;
                let digits = n.unsigned_abs() as usize;
                let body = r.take(digits.saturating_mul(2), "a long's digits")?;
                let mut v = 0f64;
                let mut exact: Option<i128> = Some(0);
                for (i, d) in body.chunks_exact(2).enumerate() {
                    let d = u16::from_le_bytes([d[0], d[1]]);
                    if d >= 1 << 15 {
                        return r.err(start, "a long digit is out of range");
                    }
                    v += f64::from(d) * 2f64.powi(15 * i as i32);
                    exact = exact.and_then(|e| match i {
                        0..8 => Some(e + (i128::from(d) << (15 * i))),
                        _ if d == 0 => Some(e),
                        _ => None,
                    });
                }
                let sign = if n < 0 { -1 } else { 1 };
                let exact = exact.and_then(|e| i64::try_from(sign * e).ok());
                match exact {
                    Some(e) => Val::Int(e),
                    None => Val::Big(f64::from(sign as i32) * v),
                }
            }
            b'f' => {
                let n = r.u8("a float's length")? as usize;
                let text = r.take(n, "a float")?;
                match std::str::from_utf8(text).ok().and_then(|t| t.parse().ok()) {
                    Some(v) => Val::Float(v),
                    None => return r.err(start, "a float that is not a number"),
                }
            }
            b'g' => {
                let b = r.take(8, "a binary float")?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                Val::Float(f64::from_le_bytes(a))
            }
            b'x' => {
                for _ in 0..2 {
                    let n = r.u8("a complex's length")? as usize;
                    r.take(n, "a complex")?;
                }
                Val::Other
            }
            b'y' => {
                r.take(16, "a binary complex")?;
                Val::Other
            }
            b's' | b't' | b'u' | b'a' | b'A' => {
                let n = r.size(1, "a string")?;
                let at = r.pos;
                r.take(n, "a string")?;
                Val::Str { start: at, len: n }
            }
            b'z' | b'Z' => {
                let n = r.u8("a short string's length")? as usize;
                let at = r.pos;
                r.take(n, "a short string")?;
                Val::Str { start: at, len: n }
            }
            b'r' => {
                let at = r.pos;
                let idx = r.i32("a reference")?;
                let Some(&id) = usize::try_from(idx).ok().and_then(|i| refs.get(i)) else {
                    return r.err(
                        at,
                        format!(
                            "reference {idx} to an object not read yet ({} known)",
                            refs.len()
                        ),
                    );
                };
                if let Some(root) = deliver(&mut m, &mut stack, id) {
                    return Ok((m, root));
                }
                continue;
            }
            t @ (b'(' | b')' | b'[' | b'<' | b'>' | b'{') => {
                if stack.len() >= MAX_DEPTH {
                    return r.err(start, format!("containers nested deeper than {MAX_DEPTH}"));
                }
                let n = match t {
                    b')' => r.u8("a small tuple's size")? as usize,
                    b'{' => 0,
                    _ => r.size(1, "a container")?,
                };
                if t == b')' && n > r.data.len() - r.pos {
                    return r.err(
                        start,
                        format!("a tuple claims {n} items but fewer bytes follow"),
                    );
                }
                let id = push(
                    &mut m,
                    if t == b'{' {
                        Val::Dict(Vec::new())
                    } else {
                        Val::Seq(Vec::new())
                    },
                );
                if flag {
                    refs.push(id);
                }
                if t == b'{' {
                    stack.push(Open::Dict { id, key: None });
                } else if n == 0 {
                    if let Some(root) = deliver(&mut m, &mut stack, id) {
                        return Ok((m, root));
                    }
                } else {
                    stack.push(Open::Seq { id, remaining: n });
                }
                continue;
            }
            b'c' => {
                return r.err(
                    start,
                    "a code object: this is compiled Python, not pstats data",
                );
            }
            other => {
                return r.err(start, format!("unknown marshal type byte 0x{other:02x}"));
            }
        };
        let id = push(&mut m, scalar);
        if flag {
            refs.push(id);
        }
        if let Some(root) = deliver(&mut m, &mut stack, id) {
            return Ok((m, root));
        }
    }
}

/// Hands a finished value to the open container; returns the root once the outermost one is done.
fn deliver(m: &mut Marshal, stack: &mut Vec<Open>, mut v: ValId) -> Option<ValId> {
    loop {
        match stack.last_mut() {
            None => return Some(v),
            Some(Open::Seq { id, remaining }) => {
                let id = *id;
                if let Some(Val::Seq(items)) = m.values.get_mut(id as usize) {
                    items.push(v);
                }
                *remaining -= 1;
                if *remaining > 0 {
                    return None;
                }
                stack.pop();
                v = id;
            }
            Some(Open::Dict { id, key }) => {
                match key.take() {
                    None => *key = Some(v),
                    Some(k) => {
                        if let Some(Val::Dict(pairs)) = m.values.get_mut(*id as usize) {
                            pairs.push((k, v));
                        }
                    }
                }
                return None;
            }
        }
    }
}
