//! The protobuf wire format at the top level of a pprof `Profile` message.
//!
//! Why walk it by hand: a profile's bulk is its samples. Walking the top-level fields lets the
//! importer keep each sample as a byte slice of the input and decode it only when the tables are
//! complete (Go writes samples before locations and functions), so no `Vec` of decoded samples is
//! ever built; every error carries the byte offset of the field it happened in; and the sniffer can
//! check that the first bytes of an input are a plausible pprof message with the same code.

/// One top-level field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field<'a> {
    /// The field number.
    pub number: u32,
    /// Offset of the field's tag in the message.
    pub offset: usize,
    /// The value.
    pub value: Value<'a>,
}

/// A field value by wire type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 1.
    Fixed64(u64),
    /// Wire type 2: bytes, a string, a sub-message or a packed repeated field.
    Bytes(&'a [u8]),
    /// Wire type 5.
    Fixed32(u32),
}

/// A wire-format error at a byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError {
    /// Offset of the problem in the message.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
    /// True when the data simply ends inside the field (a truncated file).
    pub truncated: bool,
}

/// Reads a varint at `*pos`, advancing it; `None` when truncated or longer than 10 bytes.
pub fn varint(data: &[u8], pos: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for i in 0..10 {
        let byte = *data.get(*pos)?;
        *pos += 1;
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte < 0x80 {
            return Some(value);
        }
    }
    None
}

/// Iterates over the fields of one message; stops after the first error.
pub struct Fields<'a> {
    data: &'a [u8],
    pos: usize,
    failed: bool,
}

/// The fields of `data`, a serialized message.
pub fn fields(data: &[u8]) -> Fields<'_> {
    Fields {
        data,
        pos: 0,
        failed: false,
    }
}

impl<'a> Fields<'a> {
    fn fail(&mut self, offset: usize, message: String) -> Option<Result<Field<'a>, WireError>> {
        self.failed = true;
        let truncated = message.contains("truncated") || message.contains("past the end");
        Some(Err(WireError {
            offset,
            message,
            truncated,
        }))
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<Field<'a>, WireError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.data.len() {
            return None;
        }
        let offset = self.pos;
        let Some(tag) = varint(self.data, &mut self.pos) else {
            return self.fail(offset, "truncated field tag".into());
        };
        let number = tag >> 3;
        if number == 0 || number > u64::from(u32::MAX >> 3) {
            return self.fail(offset, format!("invalid field number {number}"));
        }
        let number = number as u32;
        let value = match tag & 7 {
            0 => match varint(self.data, &mut self.pos) {
                Some(v) => Value::Varint(v),
                None => return self.fail(offset, format!("field {number}: truncated varint")),
            },
            1 => match self.data.get(self.pos..self.pos + 8) {
                Some(b) => {
                    self.pos += 8;
                    let mut a = [0u8; 8];
                    a.copy_from_slice(b);
                    Value::Fixed64(u64::from_le_bytes(a))
                }
                None => return self.fail(offset, format!("field {number}: truncated fixed64")),
            },
            2 => {
                let Some(len) = varint(self.data, &mut self.pos) else {
                    return self.fail(offset, format!("field {number}: truncated length"));
                };
                let end = usize::try_from(len)
                    .ok()
                    .and_then(|l| self.pos.checked_add(l))
                    .filter(|&e| e <= self.data.len());
                let Some(end) = end else {
                    return self.fail(
                        offset,
                        format!(
                            "field {number}: length {len} runs past the end of the data ({} bytes \
                             left)",
                            self.data.len() - self.pos
                        ),
                    );
                };
                let bytes = &self.data[self.pos..end];
                self.pos = end;
                Value::Bytes(bytes)
            }
            5 => match self.data.get(self.pos..self.pos + 4) {
                Some(b) => {
                    self.pos += 4;
                    let mut a = [0u8; 4];
                    a.copy_from_slice(b);
                    Value::Fixed32(u32::from_le_bytes(a))
                }
                None => return self.fail(offset, format!("field {number}: truncated fixed32")),
            },
            w => return self.fail(offset, format!("field {number}: unsupported wire type {w}")),
        };
        Some(Ok(Field {
            number,
            offset,
            value,
        }))
    }
}

/// The wire type each `Profile` field must have: 2 for messages, strings and packed lists, 0 for
/// the scalars; `None` for fields unknown to this schema (skipped, as protobuf readers do).
pub fn expected_wire(number: u32) -> Option<u8> {
    match number {
        1..=6 | 11 | 15 => Some(2),
        7..=10 | 12 | 14 => Some(0),
        _ => None,
    }
}

/// True when `head` (the first bytes of an input, or all of it) reads as a
/// pprof `Profile`: every field has a known number and the right wire type, and one of the tables
/// (sample types, samples, locations, functions, strings) is present. A field cut by the end of
/// the data is accepted (an incomplete head, or a truncated file, which the importer then reports
/// with its offset).
pub fn looks_like_profile(head: &[u8]) -> bool {
    let mut fields_seen = 0usize;
    let mut table = false;
    for field in fields(head) {
        let field = match field {
            Ok(f) => f,
            Err(e) => return e.truncated && fields_seen >= 2 && table,
        };
        let wire = match field.value {
            Value::Varint(_) => 0,
            Value::Bytes(_) => 2,
            _ => return false,
        };
        // `comment` (13) is a repeated int64: packed (2) or not (0).
        let ok = match expected_wire(field.number) {
            Some(w) => w == wire,
            None => field.number == 13,
        };
        if !ok {
            return false;
        }
        table |= matches!(field.number, 1 | 2 | 4 | 5 | 6);
        fields_seen += 1;
        if fields_seen >= 64 {
            break;
        }
    }
    fields_seen >= 2 && table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_fields_and_reports_offsets() {
        // field 9 varint 300, field 6 "ab", field 1 fixed32.
        let data = [0x48, 0xac, 0x02, 0x32, 0x02, b'a', b'b', 0x0d, 1, 0, 0, 0];
        let got: Vec<_> = fields(&data).collect::<Result<_, _>>().unwrap();
        assert_eq!(got[0].value, Value::Varint(300));
        assert_eq!(got[1].offset, 3);
        assert_eq!(got[1].value, Value::Bytes(b"ab"));
        assert_eq!(got[2].value, Value::Fixed32(1));
        // A length running past the end names the field and its offset.
        let bad = [0x48, 0x01, 0x32, 0x7f, b'a'];
        let err = fields(&bad).find_map(Result::err).unwrap();
        assert_eq!(err.offset, 2);
        assert!(err.message.contains("length 127"), "{}", err.message);
        // A 10-byte varint that never ends.
        let bad = [
            0x48, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
        ];
        assert!(fields(&bad).any(|f| f.is_err()));
    }

    #[test]
    fn sniffs_pprof_messages_only() {
        let pprof = [0x48, 0x01, 0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, 0x32, 0x00];
        assert!(looks_like_profile(&pprof));
        // Cut in the middle of a field (a head, or a truncated file): still pprof.
        assert!(looks_like_profile(&pprof[..9]));
        // Valid fields, then an invalid wire type: not pprof.
        assert!(!looks_like_profile(&[
            0x48, 0x01, 0x0a, 0x00, 0x32, 0x00, 0x0f
        ]));
        // pstats (marshal dict), random bytes, a lone varint.
        assert!(!looks_like_profile(b"{\x00\x00\x00\x00"));
        assert!(!looks_like_profile(&[0xde, 0xad, 0xbe, 0xef]));
        assert!(!looks_like_profile(&[0x48, 0x01]));
        // Right field numbers, wrong wire type (field 1 as a varint).
        assert!(!looks_like_profile(&[0x08, 0x01, 0x32, 0x00]));
    }
}
