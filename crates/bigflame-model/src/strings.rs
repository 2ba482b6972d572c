//! String interning.
//!
//! Why one contiguous buffer: millions of `String`s cost an allocation and 24 bytes of header each. All
//! interned text lives in one `String` with `u32` end offsets, so interning a name already seen costs a
//! hash and a compare, and the table's memory is the text itself plus 4 bytes per entry.

use crate::FastHasher;
use crate::ids::StringId;
use std::hash::BuildHasher;

/// An append-only table of unique strings.
#[derive(Clone, Default)]
pub struct StringTable {
    text: String,
    /// `ends[i]` is the end offset of string `i` in `text`; its start is `ends[i - 1]` (or 0).
    ends: Vec<u64>,
    /// Maps a string's hash to its id; collisions resolved by comparing the text.
    index: hashbrown::HashTable<StringId>,
}

impl std::fmt::Debug for StringTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StringTable")
            .field("len", &self.len())
            .field("bytes", &self.text.len())
            .finish()
    }
}

impl StringTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of unique strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when no string was interned.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Total bytes of interned text.
    pub fn text_bytes(&self) -> usize {
        self.text.len()
    }

    fn hash(s: &str) -> u64 {
        FastHasher::default().hash_one(s)
    }

    /// Returns the id of `s`, adding it if it is new.
    pub fn intern(&mut self, s: &str) -> StringId {
        let hash = Self::hash(s);
        let Self { text, ends, index } = self;
        let get = |id: &StringId| -> &str { slice(text, ends, *id) };
        if let Some(id) = index.find(hash, |id| get(id) == s) {
            return *id;
        }
        let id = StringId::from_index(ends.len());
        text.push_str(s);
        ends.push(text.len() as u64);
        let (text, ends) = (&self.text, &self.ends);
        self.index
            .insert_unique(hash, id, |id| Self::hash(slice(text, ends, *id)));
        id
    }

    /// Returns the id of `s` if it was interned.
    pub fn lookup(&self, s: &str) -> Option<StringId> {
        let hash = Self::hash(s);
        self.index.find(hash, |id| self.get(*id) == s).copied()
    }

    /// The text of an id.
    ///
    /// # Panics
    /// If the id does not come from this table.
    #[inline]
    pub fn get(&self, id: StringId) -> &str {
        slice(&self.text, &self.ends, id)
    }

    /// Iterates over `(id, text)` in id order.
    pub fn iter(&self) -> impl Iterator<Item = (StringId, &str)> + '_ {
        (0..self.len()).map(|i| {
            let id = StringId::from_index(i);
            (id, self.get(id))
        })
    }
}

#[inline]
fn slice<'a>(text: &'a str, ends: &[u64], id: StringId) -> &'a str {
    let i = id.index();
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    &text[start..ends[i] as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_is_idempotent_and_dense() {
        let mut t = StringTable::new();
        let a = t.intern("main");
        let b = t.intern("worker");
        let empty = t.intern("");
        assert_eq!(t.intern("main"), a);
        assert_eq!((a.0, b.0, empty.0), (0, 1, 2));
        assert_eq!(t.get(b), "worker");
        assert_eq!(t.get(empty), "");
        assert_eq!(t.lookup("worker"), Some(b));
        assert_eq!(t.lookup("nope"), None);
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn many_strings_survive_rehashing() {
        let mut t = StringTable::new();
        let ids: Vec<_> = (0..10_000).map(|i| t.intern(&format!("f{i}"))).collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(t.get(*id), format!("f{i}"));
            assert_eq!(t.intern(&format!("f{i}")), *id);
        }
    }
}
