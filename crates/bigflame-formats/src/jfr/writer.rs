//! A tiny test-only JFR writer: metadata, constant pools and events of hand-made chunks.
//!
//! Why: unit tests need small recordings whose every byte is known (string encodings, broken
//! sizes, reference cycles, several chunks), which the JDK cannot be asked to produce. It writes
//! the layout the format facts in `chunk.rs` and `metadata.rs` describe, with compressed integers,
//! sizes as 4-byte padded LEB128 as the JDK writes them.

/// Bytes under construction.
#[derive(Default, Clone)]
pub(super) struct W(pub Vec<u8>);

impl W {
    pub fn var(&mut self, mut v: u64) -> &mut Self {
        for _ in 0..8 {
            if v < 0x80 {
                self.0.push(v as u8);
                return self;
            }
            self.0.push((v as u8 & 0x7f) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
        self
    }

    pub fn u8(&mut self, b: u8) -> &mut Self {
        self.0.push(b);
        self
    }

    /// A string with encoding 3 (UTF-8).
    pub fn utf8(&mut self, s: &str) -> &mut Self {
        self.u8(3).var(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
        self
    }

    /// A string with encoding 4 (UTF-16 code units as varints).
    pub fn chars(&mut self, s: &str) -> &mut Self {
        let units: Vec<u16> = s.encode_utf16().collect();
        self.u8(4).var(units.len() as u64);
        for u in units {
            self.var(u64::from(u));
        }
        self
    }

    /// A string with encoding 5 (Latin-1).
    pub fn latin1(&mut self, s: &str) -> &mut Self {
        self.u8(5).var(s.chars().count() as u64);
        self.0.extend(s.chars().map(|c| c as u8));
        self
    }

    /// A string with encoding 2 (a key into the `java.lang.String` pool).
    pub fn pooled_str(&mut self, key: u64) -> &mut Self {
        self.u8(2).var(key)
    }

    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.extend_from_slice(b);
        self
    }
}

/// A record with its size in front, as a 4-byte padded varint that counts itself.
fn sized(type_id: u64, body: &[u8]) -> Vec<u8> {
    let mut inner = W::default();
    inner.var(type_id).bytes(body);
    let size = (inner.0.len() + 4) as u32;
    let mut out = vec![
        (size & 0x7f) as u8 | 0x80,
        ((size >> 7) & 0x7f) as u8 | 0x80,
        ((size >> 14) & 0x7f) as u8 | 0x80,
        ((size >> 21) & 0x7f) as u8,
    ];
    out.extend_from_slice(&inner.0);
    out
}

/// A field: name, class id, constant pool?, array?
pub(super) type FieldDef = (&'static str, u64, bool, bool);

/// A class of the metadata.
pub(super) struct ClassDef {
    pub id: u64,
    pub name: &'static str,
    pub fields: Vec<FieldDef>,
}

/// The metadata event for `classes`.
pub(super) fn metadata(classes: &[ClassDef]) -> Vec<u8> {
    let mut strings: Vec<String> = Vec::new();
    let mut idx = |s: &str| -> u64 {
        match strings.iter().position(|x| x == s) {
            Some(i) => i as u64,
            None => {
                strings.push(s.to_string());
                (strings.len() - 1) as u64
            }
        }
    };
    let mut tree = W::default();
    tree.var(idx("root")).var(0).var(1);
    tree.var(idx("metadata")).var(0).var(classes.len() as u64);
    for c in classes {
        tree.var(idx("class")).var(2);
        tree.var(idx("id")).var(idx(&c.id.to_string()));
        tree.var(idx("name")).var(idx(c.name));
        tree.var(c.fields.len() as u64);
        for &(name, class, pool, array) in &c.fields {
            let n_attrs = 2 + u64::from(pool) + u64::from(array);
            tree.var(idx("field")).var(n_attrs);
            tree.var(idx("name")).var(idx(name));
            tree.var(idx("class")).var(idx(&class.to_string()));
            if pool {
                tree.var(idx("constantPool")).var(idx("true"));
            }
            if array {
                tree.var(idx("dimension")).var(idx("1"));
            }
            tree.var(0);
        }
    }
    let mut body = W::default();
    body.var(0).var(0).var(1).var(strings.len() as u64);
    for s in &strings {
        body.chars(s);
    }
    body.bytes(&tree.0);
    sized(0, &body.0)
}

/// One constant pool: its class id and (key, encoded value) entries.
pub(super) type Pool = (u64, Vec<(u64, Vec<u8>)>);

/// A checkpoint event holding `pools`.
pub(super) fn pools(pools: &[Pool]) -> Vec<u8> {
    let mut body = W::default();
    body.var(0).var(0).var(0).u8(0).var(pools.len() as u64);
    for (class, entries) in pools {
        body.var(*class).var(entries.len() as u64);
        for (key, value) in entries {
            body.var(*key).bytes(value);
        }
    }
    sized(1, &body.0)
}

/// An event of type `type_id` with encoded fields `body`.
pub(super) fn event(type_id: u64, body: &[u8]) -> Vec<u8> {
    sized(type_id, body)
}

/// A chunk: header, the metadata event, then `events`. Clock: `start_nanos` at `start_ticks`,
/// `tps` ticks per second.
pub(super) fn chunk(
    meta: &[u8],
    events: &[Vec<u8>],
    start_nanos: i64,
    start_ticks: i64,
    tps: i64,
) -> Vec<u8> {
    let size = 68 + meta.len() + events.iter().map(Vec::len).sum::<usize>();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(b"FLR\0");
    out.extend_from_slice(&2u16.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    for v in [
        size as i64,
        0,
        68,
        start_nanos,
        1_000_000_000,
        start_ticks,
        tps,
    ] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(&1i32.to_be_bytes());
    out.extend_from_slice(meta);
    for e in events {
        out.extend_from_slice(e);
    }
    out
}

/// Encodes with a fresh writer.
pub(super) fn enc(f: impl FnOnce(&mut W)) -> Vec<u8> {
    let mut w = W::default();
    f(&mut w);
    w.0
}
