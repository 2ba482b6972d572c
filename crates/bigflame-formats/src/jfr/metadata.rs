//! The metadata event of a chunk: which classes exist and how their values are laid out.
//!
//! Why decode generically: JFR files are self-describing. The metadata event (type id 0) holds a
//! string table and a tree of elements (`root` > `metadata` > `class` > `field`, with annotations
//! and settings we do not need). Each `class` element has attributes `id`, `name`, optional
//! `superType` and `simpleType`; each `field` has `name`, `class` (a class id), and optionally
//! `constantPool="true"` (the value is a key into that class's constant pool) and `dimension="1"`
//! (an array: a count, then the elements). Driving the decoder from this table instead of
//! hard-coding layouts is what lets JDK 11 to 25 and async-profiler files, which add, drop and
//! reorder fields, all decode with one reader.
//!
//! Layout: after the event header (size, type, start time, duration, metadata id) come a string
//! count and strings (inline encodings only), then the root element: name index, attribute count,
//! (key index, value index) pairs, child count, children. The tree is walked with an explicit
//! stack bounded in depth, so a hostile file cannot overflow the call stack.
//!
//! Zero-size classes: a struct class whose fields are all zero-size structs takes no bytes. Such a
//! class is marked here (one linear worklist pass over the field graph) so the value decoder can
//! step over it without descending, and an array of them cannot spin without consuming input.

use super::reader::{JStr, JfrError, Reader, Result};
use bigflame_model::FastMap;

/// How a primitive JFR type is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Prim {
    Boolean,
    Byte,
    Char,
    Short,
    Int,
    Long,
    Float,
    Double,
    String,
}

impl Prim {
    fn of_name(name: &str) -> Option<Prim> {
        Some(match name {
            "boolean" => Prim::Boolean,
            "byte" => Prim::Byte,
            "char" => Prim::Char,
            "short" => Prim::Short,
            "int" => Prim::Int,
            "long" => Prim::Long,
            "float" => Prim::Float,
            "double" => Prim::Double,
            "java.lang.String" => Prim::String,
            _ => return None,
        })
    }
}

/// One field of a class, in encoding order.
#[derive(Clone, Debug)]
pub(crate) struct Field {
    pub name: String,
    pub class: u64,
    /// The value is a constant-pool key of `class`.
    pub pool: bool,
    /// The value is an array (`dimension="1"`).
    pub array: bool,
}

/// One class of the metadata.
#[derive(Clone, Debug)]
pub(crate) struct Class {
    pub name: String,
    pub fields: Vec<Field>,
    /// Set for the primitive types; their fields (none in practice) are ignored.
    pub prim: Option<Prim>,
    /// False for a struct whose encoding takes no bytes at all.
    pub sized: bool,
}

/// The classes of one chunk by id.
#[derive(Default, Debug)]
pub(crate) struct Types {
    pub classes: FastMap<u64, Class>,
    by_name: FastMap<String, u64>,
}

impl Types {
    /// The id of the class named `name`.
    pub(crate) fn id(&self, name: &str) -> Option<u64> {
        self.by_name.get(name).copied()
    }

    /// The class of an id.
    pub(crate) fn get(&self, id: u64) -> Option<&Class> {
        self.classes.get(&id)
    }

    /// The index of field `name` in class `class`.
    pub(crate) fn field_index(&self, class: u64, name: &str) -> Option<usize> {
        self.get(class)?.fields.iter().position(|f| f.name == name)
    }

    /// Adds a class (tests and the metadata parser); a later class with the same id replaces it.
    pub(crate) fn insert(&mut self, id: u64, name: &str, fields: Vec<Field>) {
        self.by_name.insert(name.to_string(), id);
        self.classes.insert(
            id,
            Class {
                name: name.to_string(),
                fields,
                prim: Prim::of_name(name),
                sized: true,
            },
        );
    }

    /// Marks the zero-size struct classes (see the module doc): a class is sized when it is a
    /// primitive, or has an array field, a pool field, a field of an unknown class, or a field of a
    /// sized class. Linear in the number of fields.
    pub(crate) fn mark_sizes(&mut self) {
        let mut sized: FastMap<u64, bool> = FastMap::default();
        let mut users: FastMap<u64, Vec<u64>> = FastMap::default();
        let mut work = Vec::new();
        for (&id, c) in &self.classes {
            let direct = c.prim.is_some()
                || c.fields
                    .iter()
                    .any(|f| f.array || f.pool || !self.classes.contains_key(&f.class));
            sized.insert(id, direct);
            if direct {
                work.push(id);
            }
            for f in &c.fields {
                users.entry(f.class).or_default().push(id);
            }
        }
        while let Some(id) = work.pop() {
            for &user in users.get(&id).map(Vec::as_slice).unwrap_or(&[]) {
                if let Some(s) = sized.get_mut(&user)
                    && !*s
                {
                    *s = true;
                    work.push(user);
                }
            }
        }
        for (id, c) in &mut self.classes {
            c.sized = sized.get(id).copied().unwrap_or(true);
        }
    }
}

/// Deepest element nesting accepted (real files nest four or five levels).
const MAX_DEPTH: usize = 64;

fn attr<'s>(strings: &'s [String], attrs: &[(usize, usize)], key: &str) -> Option<&'s str> {
    attrs
        .iter()
        .find(|&&(k, _)| strings.get(k).is_some_and(|s| s == key))
        .and_then(|&(_, v)| strings.get(v))
        .map(String::as_str)
}

fn index(r: &mut Reader<'_>, strings: &[String]) -> Result<usize> {
    let at = r.pos();
    let i = r.i32()?;
    usize::try_from(i)
        .ok()
        .filter(|&i| i < strings.len())
        .ok_or_else(|| JfrError::new(at, format!("string index {i} out of the metadata's table")))
}

/// Parses the metadata event that starts at `r`'s position (its size field).
pub(crate) fn parse(mut r: Reader<'_>) -> Result<Types> {
    let start = r.pos();
    let size = r.i32()?;
    let ty = r.i64()?;
    if ty != 0 {
        return Err(JfrError::new(
            start,
            format!("metadata event has type {ty}, not 0"),
        ));
    }
    let end = usize::try_from(size)
        .ok()
        .and_then(|s| start.checked_add(s))
        .filter(|&e| e <= r.end() && e > start)
        .ok_or_else(|| {
            JfrError::new(
                start,
                format!("metadata event size {size} exceeds the chunk"),
            )
        })?;
    let mut r = r.sub(end);
    r.i64()?; // start time
    r.i64()?; // duration
    r.i64()?; // metadata id
    let n = r.count("metadata string")?;
    let mut strings = Vec::with_capacity(n.min(r.remaining()));
    for _ in 0..n {
        let at = r.pos();
        match r.string()? {
            JStr::Text(s) => strings.push(s),
            JStr::Null => strings.push(String::new()),
            JStr::Pool(_) => {
                return Err(JfrError::new(
                    at,
                    "a metadata string refers to a constant pool",
                ));
            }
        }
    }
    let mut types = Types::default();
    // Per open element: children still to read, and the class it defines (if it is a `class`).
    let mut stack: Vec<(usize, Option<u64>)> = Vec::new();
    let mut pending_root = true;
    while pending_root || !stack.is_empty() {
        pending_root = false;
        // Close finished elements.
        if let Some(top) = stack.last_mut() {
            if top.0 == 0 {
                stack.pop();
                continue;
            }
            top.0 -= 1;
        }
        let parent_class = stack.last().and_then(|t| t.1);
        let at = r.pos();
        let name = index(&mut r, &strings)?;
        let n_attrs = r.count("attribute")?;
        let mut attrs = Vec::with_capacity(n_attrs.min(r.remaining() / 2));
        for _ in 0..n_attrs {
            attrs.push((index(&mut r, &strings)?, index(&mut r, &strings)?));
        }
        let mut defines = None;
        match strings[name].as_str() {
            "class" => {
                let id = attr(&strings, &attrs, "id").and_then(|s| s.parse::<u64>().ok());
                let cname = attr(&strings, &attrs, "name");
                let (Some(id), Some(cname)) = (id, cname) else {
                    return Err(JfrError::new(at, "a class element without id or name"));
                };
                types.insert(id, cname, Vec::new());
                defines = Some(id);
            }
            "field" => {
                if let Some(cid) = parent_class {
                    let fname = attr(&strings, &attrs, "name")
                        .unwrap_or_default()
                        .to_string();
                    let class = attr(&strings, &attrs, "class")
                        .and_then(|s| s.parse::<u64>().ok())
                        .ok_or_else(|| JfrError::new(at, format!("field {fname} has no class")))?;
                    let field = Field {
                        name: fname,
                        class,
                        pool: attr(&strings, &attrs, "constantPool") == Some("true"),
                        array: attr(&strings, &attrs, "dimension").is_some_and(|d| d != "0"),
                    };
                    if let Some(c) = types.classes.get_mut(&cid) {
                        c.fields.push(field);
                    }
                }
            }
            _ => {}
        }
        let children = r.count("child element")?;
        if children > 0 {
            if stack.len() >= MAX_DEPTH {
                return Err(JfrError::new(at, "metadata elements nest too deeply"));
            }
            stack.push((children, defines));
        }
    }
    types.mark_sizes();
    Ok(types)
}
