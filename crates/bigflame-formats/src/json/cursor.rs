//! [`Val`]: a copyable cursor on a simd-json tape, with typed access that never recurses.
//!
//! Why not simd-json's own `Value`: its object lookups are the same linear scan, but converting to a
//! tree (`BorrowedValue`) allocates a hash map per object, which halves the speed on profiles made of
//! millions of small objects. A tape node knows how many nodes it spans, so skipping a subtree is
//! one addition and iterating an array is a loop, whatever the nesting.

use simd_json::{Node, StaticNode};

/// A value in a parsed document: the tape and the index of the value's first node.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Val<'t, 'i> {
    tape: &'t [Node<'i>],
    at: usize,
}

impl<'t, 'i> Val<'t, 'i> {
    /// The document's root (the tape's first node).
    pub(crate) fn root(tape: &'t [Node<'i>]) -> Self {
        Val { tape, at: 0 }
    }

    /// The tape this value lives in.
    pub(crate) fn tape(&self) -> &'t [Node<'i>] {
        self.tape
    }

    /// Index of the value's first node in the tape.
    pub(crate) fn index(&self) -> usize {
        self.at
    }

    /// The value's first node (`null` past the end, which a valid tape never reaches).
    #[inline]
    pub(crate) fn node(&self) -> Node<'i> {
        self.tape
            .get(self.at)
            .copied()
            .unwrap_or(Node::Static(StaticNode::Null))
    }

    /// Number of tape nodes the value spans (1 for scalars).
    #[inline]
    pub(crate) fn span(&self) -> usize {
        match self.node() {
            Node::Object { count, .. } | Node::Array { count, .. } => count + 1,
            _ => 1,
        }
    }

    /// The string, if this is one.
    #[inline]
    pub(crate) fn str(&self) -> Option<&'i str> {
        match self.node() {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number as `f64`, if this is a number.
    #[inline]
    pub(crate) fn f64(&self) -> Option<f64> {
        match self.node() {
            Node::Static(StaticNode::I64(v)) => Some(v as f64),
            Node::Static(StaticNode::U64(v)) => Some(v as f64),
            Node::Static(StaticNode::F64(v)) => Some(v),
            _ => None,
        }
    }

    /// The number as `i64` if it is an integer (or a float with an integral value in range).
    #[inline]
    pub(crate) fn i64(&self) -> Option<i64> {
        match self.node() {
            Node::Static(StaticNode::I64(v)) => Some(v),
            Node::Static(StaticNode::U64(v)) => i64::try_from(v).ok(),
            Node::Static(StaticNode::F64(v))
                if v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 =>
            {
                Some(v as i64)
            }
            _ => None,
        }
    }

    /// A number, or a string holding one (Hermes writes `"ts": "123"`), like JavaScript's `Number()`.
    pub(crate) fn number_like(&self) -> Option<f64> {
        self.f64()
            .or_else(|| self.str().and_then(|s| s.trim().parse::<f64>().ok()))
    }

    /// True for objects.
    pub(crate) fn is_object(&self) -> bool {
        matches!(self.node(), Node::Object { .. })
    }

    /// True for arrays.
    pub(crate) fn is_array(&self) -> bool {
        matches!(self.node(), Node::Array { .. })
    }

    /// JavaScript truthiness (`if (x)`): false for null, false, 0, NaN and "".
    pub(crate) fn truthy(&self) -> bool {
        match self.node() {
            Node::String(s) => !s.is_empty(),
            Node::Static(StaticNode::Null) => false,
            Node::Static(StaticNode::Bool(b)) => b,
            Node::Static(StaticNode::I64(v)) => v != 0,
            Node::Static(StaticNode::U64(v)) => v != 0,
            Node::Static(StaticNode::F64(v)) => v != 0.0 && !v.is_nan(),
            _ => true,
        }
    }

    /// What kind of value this is, for messages ("a string", "an array"...).
    pub(crate) fn kind(&self) -> &'static str {
        match self.node() {
            Node::String(_) => "a string",
            Node::Object { .. } => "an object",
            Node::Array { .. } => "an array",
            Node::Static(StaticNode::Null) => "null",
            Node::Static(StaticNode::Bool(_)) => "a boolean",
            Node::Static(_) => "a number",
        }
    }

    /// Number of elements of an array or keys of an object (0 for scalars).
    pub(crate) fn len(&self) -> usize {
        match self.node() {
            Node::Object { len, .. } | Node::Array { len, .. } => len,
            _ => 0,
        }
    }

    /// The value of `key` in an object (the first one if repeated); `None` for other values.
    pub(crate) fn get(&self, key: &str) -> Option<Val<'t, 'i>> {
        self.entries().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// The key/value pairs of an object, in file order (nothing for other values).
    pub(crate) fn entries(&self) -> Entries<'t, 'i> {
        let left = match self.node() {
            Node::Object { len, .. } => len,
            _ => 0,
        };
        Entries {
            tape: self.tape,
            at: self.at + 1,
            left,
        }
    }

    /// The elements of an array, in order (nothing for other values).
    pub(crate) fn items(&self) -> Items<'t, 'i> {
        let left = match self.node() {
            Node::Array { len, .. } => len,
            _ => 0,
        };
        Items {
            tape: self.tape,
            at: self.at + 1,
            left,
        }
    }
}

/// Iterator over an object's entries.
#[derive(Clone, Debug)]
pub(crate) struct Entries<'t, 'i> {
    tape: &'t [Node<'i>],
    at: usize,
    left: usize,
}

impl<'t, 'i> Iterator for Entries<'t, 'i> {
    type Item = (&'i str, Val<'t, 'i>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let key = match self.tape.get(self.at)? {
            Node::String(s) => *s,
            _ => "",
        };
        let value = Val {
            tape: self.tape,
            at: self.at + 1,
        };
        self.at += 1 + value.span();
        Some((key, value))
    }
}

/// Iterator over an array's elements.
#[derive(Clone, Debug)]
pub(crate) struct Items<'t, 'i> {
    tape: &'t [Node<'i>],
    at: usize,
    left: usize,
}

impl<'t, 'i> Iterator for Items<'t, 'i> {
    type Item = Val<'t, 'i>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 || self.at >= self.tape.len() {
            return None;
        }
        self.left -= 1;
        let value = Val {
            tape: self.tape,
            at: self.at,
        };
        self.at += value.span();
        Some(value)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}
