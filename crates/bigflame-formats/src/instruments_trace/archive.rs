//! NSKeyedArchiver archives (binary plists) as Instruments writes `form.template`.
//!
//! Format facts: a keyed archive is a binary plist dictionary `{$version: 100000, $archiver:
//! "NSKeyedArchiver", $top: {...}, $objects: [...]}`. Objects refer to each other through UIDs (an
//! index into `$objects`); `$objects[0]` is the string `$null` (nil). An object of a class is a
//! dictionary with `$class` → a UID of `{$classname, $classes}`. Foundation classes store their
//! content under fixed keys: `NSString`/`NSMutableString` (`NS.string`, or UTF-8 `NS.bytes`),
//! `NSArray` (`NS.objects`, older archives `NS.object.N`), `NSDictionary` (`NS.keys` + `NS.objects`,
//! or `NS.key.N` + `NS.object.N`), `NSData` (`NS.data` / `NS.bytes`), `_NSKeyedCoderOldStyleArray`
//! (`NS.count` + `$0..`). Instruments' own classes encode positional fields `$0`, `$1`, ...
//!
//! Why accessors instead of decoding the graph: the archive is a graph that may even be cyclic
//! (UIDs can point anywhere, including back to the object itself). We never expand it; callers walk
//! the few paths they need with [`Archive::field`], [`Archive::array`] and friends, each step
//! resolving one reference (chains of UIDs are followed at most [`MAX_HOPS`] times), so a cycle
//! costs nothing. A [`Ref`] is any object of the plist, resolved when used.

use super::bplist::{PVal, Plist, PlistError};
use bigflame_model::FastMap;

/// Longest chain of UIDs pointing at UIDs that is followed.
pub const MAX_HOPS: usize = 16;

/// An object of the underlying plist (possibly a UID, resolved when used).
pub type Ref = u64;

/// A decoded keyed archive.
#[derive(Debug)]
pub struct Archive<'a> {
    plist: Plist<'a>,
    objects: Vec<Ref>,
    top: Vec<(String, Ref)>,
}

impl<'a> Archive<'a> {
    /// Reads a keyed archive from binary plist bytes.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, PlistError> {
        let plist = Plist::new(bytes)?;
        let bad = |m: &str| PlistError {
            offset: 0,
            message: m.to_string(),
        };
        let mut a = Archive {
            objects: Vec::new(),
            top: Vec::new(),
            plist,
        };
        let root = a.plist.root;
        let root_fields = a
            .dict(root)
            .ok_or_else(|| bad("the property list is not a dictionary"))?;
        let get = |k: &str| root_fields.iter().find(|(n, _)| n == k).map(|&(_, r)| r);
        let archiver = get("$archiver").and_then(|r| a.string(r));
        if archiver.as_deref() != Some("NSKeyedArchiver") {
            return Err(bad("not an NSKeyedArchiver archive (no $archiver)"));
        }
        let objects = match get("$objects").map(|r| a.plist.object(r)) {
            Some(Ok(PVal::Array(o))) => o,
            _ => return Err(bad("keyed archive without an $objects array")),
        };
        let top = get("$top")
            .and_then(|r| a.dict(r))
            .ok_or_else(|| bad("keyed archive without a $top dictionary"))?;
        a.objects = objects;
        a.top = top;
        Ok(a)
    }

    /// The `$top` entry `key`.
    pub fn top(&self, key: &str) -> Option<Ref> {
        self.top.iter().find(|(k, _)| k == key).map(|&(_, r)| r)
    }

    /// Follows UIDs to a value; `None` for nil (`$null`), a dangling or undecodable reference, or
    /// a UID chain longer than [`MAX_HOPS`] (a cycle).
    pub fn resolve(&self, mut r: Ref) -> Option<PVal<'a>> {
        for _ in 0..MAX_HOPS {
            match self.plist.object(r).ok()? {
                PVal::Uid(u) => {
                    r = *self.objects.get(usize::try_from(u).ok()?)?;
                    if u == 0 && matches!(self.plist.object(r), Ok(PVal::Str(s)) if s == "$null") {
                        return None;
                    }
                }
                other => return Some(other),
            }
        }
        None
    }

    /// The string-keyed entries of a (resolved) plain dictionary, in file order.
    fn dict(&self, r: Ref) -> Option<Vec<(String, Ref)>> {
        let PVal::Dict(pairs) = self.resolve(r)? else {
            return None;
        };
        Some(
            pairs
                .into_iter()
                .filter_map(|(k, v)| match self.plist.object(k).ok()? {
                    PVal::Str(s) => Some((s.into_owned(), v)),
                    _ => None,
                })
                .collect(),
        )
    }

    /// All fields of an object (or plain dictionary) by key, for objects read field by field.
    pub fn fields(&self, r: Ref) -> FastMap<String, Ref> {
        self.dict(r).unwrap_or_default().into_iter().collect()
    }

    /// Field `key` of an object (or plain dictionary).
    pub fn field(&self, r: Ref, key: &str) -> Option<Ref> {
        self.dict(r)?
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// The class name of an object (`None` for plain values).
    pub fn class_of(&self, r: Ref) -> Option<String> {
        let class = self.field(r, "$class")?;
        self.string(self.field(class, "$classname")?)
    }

    /// An integer (plain, or a real with no fraction).
    pub fn int(&self, r: Ref) -> Option<i128> {
        match self.resolve(r)? {
            PVal::Int(i) => Some(i),
            PVal::Real(x) if x.fract() == 0.0 && x.abs() < 1e30 => Some(x as i128),
            _ => None,
        }
    }

    /// A string: plain, or an `NSString`/`NSMutableString` object.
    pub fn string(&self, r: Ref) -> Option<String> {
        match self.resolve(r)? {
            PVal::Str(s) => Some(s.into_owned()),
            PVal::Dict(_) => {
                if let Some(s) = self.field(r, "NS.string") {
                    return match self.resolve(s)? {
                        PVal::Str(s) => Some(s.into_owned()),
                        _ => None,
                    };
                }
                let PVal::Data(b) = self.resolve(self.field(r, "NS.bytes")?)? else {
                    return None;
                };
                let b = b.strip_suffix(&[0]).unwrap_or(b);
                Some(String::from_utf8_lossy(b).into_owned())
            }
            _ => None,
        }
    }

    /// The elements of an array: plain, `NSArray`/`NSMutableArray` or
    /// `_NSKeyedCoderOldStyleArray` (elements unresolved).
    pub fn array(&self, r: Ref) -> Option<Vec<Ref>> {
        if let PVal::Array(items) = self.resolve(r)? {
            return Some(items);
        }
        let f = self.fields(r);
        if let Some(&o) = f.get("NS.objects") {
            return match self.resolve(o)? {
                PVal::Array(items) => Some(items),
                _ => None,
            };
        }
        if let Some(n) = f.get("NS.count").and_then(|&c| self.int(c)) {
            let n = usize::try_from(n).ok()?.min(f.len());
            return Some(
                (0..n)
                    .filter_map(|i| f.get(&format!("${i}")).copied())
                    .collect(),
            );
        }
        let items: Vec<Ref> = (0..f.len())
            .map_while(|i| f.get(&format!("NS.object.{i}")).copied())
            .collect();
        let is_array =
            f.contains_key("$class") && self.class_of(r).is_some_and(|c| c.contains("Array"));
        (!items.is_empty() || is_array).then_some(items)
    }

    /// The (key, value) pairs of a dictionary: `NSDictionary`/`NSMutableDictionary` (either
    /// layout) or Instruments' `XRIntKeyedDictionary` (`$0` = count, then key/value in `$1, $2`,
    /// `$3, $4`, ...). Keys and values unresolved.
    pub fn entries(&self, r: Ref) -> Option<Vec<(Ref, Ref)>> {
        let f = self.fields(r);
        if f.is_empty() {
            return None;
        }
        if self.class_of(r).as_deref() == Some("XRIntKeyedDictionary") {
            let n = usize::try_from(self.int(*f.get("$0")?)?)
                .ok()?
                .min(f.len() / 2);
            let pair = |i: usize| {
                let k = *f.get(&format!("${}", 1 + 2 * i))?;
                Some((k, *f.get(&format!("${}", 2 + 2 * i))?))
            };
            return Some((0..n).filter_map(pair).collect());
        }
        let keys = f.get("NS.keys").and_then(|&k| self.array(k));
        let vals = f.get("NS.objects").and_then(|&o| self.array(o));
        if let (Some(k), Some(o)) = (keys, vals) {
            return Some(k.into_iter().zip(o).collect());
        }
        Some(
            (0..f.len())
                .map_while(|i| {
                    let k = *f.get(&format!("NS.key.{i}"))?;
                    Some((k, *f.get(&format!("NS.object.{i}"))?))
                })
                .collect(),
        )
    }

    /// The value for string key `key` of a dictionary object.
    pub fn lookup(&self, dict: Ref, key: &str) -> Option<Ref> {
        self.entries(dict)?
            .into_iter()
            .find(|&(k, _)| self.string(k).as_deref() == Some(key))
            .map(|(_, v)| v)
    }
}
