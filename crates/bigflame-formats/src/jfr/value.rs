//! Generic values: any JFR class decoded from the metadata's field lists.
//!
//! Why a small value tree: events and constant-pool entries have no per-value size, so the only
//! way to find where one ends is to decode it field by field as the metadata describes. The
//! importer then reads the few fields it needs by name ([`Types::field_index`]), whatever their
//! position in this JDK's layout. Constant-pool fields stay unresolved keys ([`Value::Ref`]); the
//! resolver looks them up lazily, so a pool entry is decoded only when a sample needs it.
//!
//! Bounds: nesting is limited to [`MAX_DEPTH`] structs (a class may contain itself inline in a
//! hostile file); zero-size structs are stepped over without descending (see `metadata.rs`), so
//! every value decoded consumes at least one byte and the work is linear in the input; array
//! allocations are capped by the bytes left.

use super::metadata::{Field, Prim, Types};
use super::reader::{JStr, JfrError, Reader, Result};

/// Deepest inline struct nesting accepted (real types nest three or four levels).
pub(crate) const MAX_DEPTH: u32 = 32;

/// One decoded value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// A null string, or a zero-size struct.
    Null,
    Bool(bool),
    /// Every integer type (`byte` to `long`, and `char`).
    Int(i64),
    /// `float` and `double`.
    Float(f64),
    /// An inline string.
    Str(String),
    /// A constant-pool key of class `class` (a pooled field, or a string with encoding 2).
    Ref {
        class: u64,
        key: u64,
    },
    /// An inline struct: its class and its fields in metadata order.
    Struct {
        class: u64,
        fields: Vec<Value>,
    },
    /// An array field's elements.
    Array(Vec<Value>),
}

impl Value {
    /// The constant-pool key of a reference (what the resolver memoises by).
    pub(crate) fn ref_key(&self) -> Option<u64> {
        match *self {
            Value::Ref { key, .. } => Some(key),
            _ => None,
        }
    }

    /// The integer value, if this is an integer.
    pub(crate) fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int(v) => Some(v),
            _ => None,
        }
    }

    /// The boolean value, if this is a boolean.
    pub(crate) fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Bool(v) => Some(v),
            _ => None,
        }
    }
}

/// Decodes a value of class `class` at `r`.
pub(crate) fn read_class(
    r: &mut Reader<'_>,
    types: &Types,
    class: u64,
    depth: u32,
) -> Result<Value> {
    let at = r.pos();
    let Some(c) = types.get(class) else {
        return Err(JfrError::new(
            at,
            format!("a value of undeclared class id {class}"),
        ));
    };
    if let Some(p) = c.prim {
        return read_prim(r, types, p);
    }
    if !c.sized {
        return Ok(Value::Null);
    }
    if depth >= MAX_DEPTH {
        return Err(JfrError::new(
            at,
            format!("values of {} nest too deeply", c.name),
        ));
    }
    let mut fields = Vec::with_capacity(c.fields.len().min(r.remaining()));
    for f in &c.fields {
        fields.push(read_field(r, types, f, depth + 1)?);
    }
    Ok(Value::Struct { class, fields })
}

/// Decodes one field's value (an array, a pool key, or an inline value).
pub(crate) fn read_field(
    r: &mut Reader<'_>,
    types: &Types,
    f: &Field,
    depth: u32,
) -> Result<Value> {
    if !f.array {
        return read_one(r, types, f, depth);
    }
    let n = r.count("array element")?;
    let elem_sized = f.pool || types.get(f.class).is_none_or(|c| c.sized);
    if !elem_sized {
        return Ok(Value::Array(Vec::new()));
    }
    // Every sized element takes at least one byte.
    if n > r.remaining() {
        return Err(JfrError::new(
            r.pos(),
            format!(
                "an array of {} claims {n} elements, {} bytes left",
                f.name,
                r.remaining()
            ),
        ));
    }
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(read_one(r, types, f, depth)?);
    }
    Ok(Value::Array(out))
}

fn read_one(r: &mut Reader<'_>, types: &Types, f: &Field, depth: u32) -> Result<Value> {
    if f.pool {
        return Ok(Value::Ref {
            class: f.class,
            key: r.i64()? as u64,
        });
    }
    read_class(r, types, f.class, depth)
}

fn read_prim(r: &mut Reader<'_>, types: &Types, p: Prim) -> Result<Value> {
    Ok(match p {
        Prim::Boolean => Value::Bool(r.u8()? != 0),
        Prim::Byte => Value::Int(i64::from(r.u8()? as i8)),
        Prim::Char => Value::Int(i64::from(r.i16()? as u16)),
        Prim::Short => Value::Int(i64::from(r.i16()?)),
        Prim::Int => Value::Int(i64::from(r.i32()?)),
        Prim::Long => Value::Int(r.i64()?),
        Prim::Float => Value::Float(f64::from(r.f32()?)),
        Prim::Double => Value::Float(r.f64()?),
        Prim::String => match r.string()? {
            JStr::Null => Value::Null,
            JStr::Text(s) => Value::Str(s),
            JStr::Pool(key) => match types.id("java.lang.String") {
                Some(class) => Value::Ref { class, key },
                None => Value::Null,
            },
        },
    })
}
