//! Lazy constant-pool resolution: threads, stack traces, methods and frame types of one chunk.
//!
//! Why lazy and cached: a recording's pools hold every class, method, symbol and stack trace the
//! JVM met, most of which no imported sample uses. A pool entry is decoded from its indexed offset
//! the first time a sample reaches it, and the result (a thread, a stack id, a frame id, a class's
//! names, a string) is cached by key, so each entry is decoded at most once per chunk (work stays
//! linear even when thousands of methods share one huge symbol) and no decoded pool is kept.
//!
//! The paths followed are fixed (StackTrace → frames → StackFrame → Method → Class → Symbol and
//! Package → Symbol; Thread → names), each step one lookup, so pools that reference each other in
//! a cycle cannot loop; only strings are followed generically (a Symbol wraps a string, a string
//! may itself be a pool key), for at most [`MAX_HOPS`] steps.
//!
//! Frame identity follows speedscope (which reads JFR through `jfrview`): one frame per method,
//! named `package.Class.method` (class names with `/` turned into `.`); line numbers and
//! bytecode indexes are not part of it, so the model's `line` stays 0 (it would split frames).
//! The frame type maps onto [`FrameKind`] for colouring without splitting a method: Java frames
//! (interpreted, JIT compiled, inlined) are `Jit`, `Kernel` is `Kernel`, native and C++ frames
//! are `User`. The module is the class's package. A truncated stack (the recorder's depth limit
//! cut its root off) gets a synthetic root frame `(truncated stack)`, so it is not mistaken for a
//! complete stack.

use super::chunk::PoolIndex;
use super::metadata::Types;
use super::reader::Reader;
use super::value::{Value, read_class};
use bigflame_model::{FastMap, Frame, FrameId, FrameKind, ProfileBuilder, StackId};
use std::borrow::Cow;
use std::rc::Rc;

/// Most pool steps followed to reach a string (Symbol → String pool → ...).
const MAX_HOPS: u32 = 8;

/// Longest frame name kept (bytes); longer ones are cut, so a hostile file with many methods
/// sharing one huge symbol costs a bounded amount per method.
const MAX_NAME: usize = 4096;

/// The name of the synthetic root of truncated stacks.
pub(crate) const TRUNCATED: &str = "(truncated stack)";

/// A class's name and its package's name, as far as they resolve.
type ClassNames = (Option<Rc<str>>, Option<Rc<str>>);

/// A thread as the recording names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ThreadInfo {
    pub name: String,
    pub tid: Option<u32>,
}

/// Resolves pool references of one chunk.
pub(crate) struct Resolver<'a> {
    data: &'a [u8],
    end: usize,
    compressed: bool,
    types: &'a Types,
    pools: &'a PoolIndex,
    stacks: FastMap<u64, StackId>,
    methods: FastMap<(u64, FrameKind), Option<FrameId>>,
    classes: FastMap<u64, ClassNames>,
    strings: FastMap<(u64, u64), Option<Rc<str>>>,
    kinds: FastMap<u64, FrameKind>,
    threads: FastMap<u64, Option<ThreadInfo>>,
    /// References to pool entries that do not exist or do not decode (first offset kept).
    pub dangling: u64,
    /// Stack traces that were truncated by the recorder.
    pub truncated: u64,
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(
        data: &'a [u8],
        end: usize,
        compressed: bool,
        types: &'a Types,
        pools: &'a PoolIndex,
    ) -> Self {
        Resolver {
            data,
            end,
            compressed,
            types,
            pools,
            stacks: FastMap::default(),
            methods: FastMap::default(),
            classes: FastMap::default(),
            strings: FastMap::default(),
            kinds: FastMap::default(),
            threads: FastMap::default(),
            dangling: 0,
            truncated: 0,
        }
    }

    /// The decoded pool entry `(class, key)`, if it exists and decodes.
    fn pooled(&self, class: u64, key: u64) -> Option<Value> {
        let &at = self.pools.get(&(class, key))?;
        let mut r = Reader::new(self.data, at, self.end, self.compressed);
        read_class(&mut r, self.types, class, 0).ok()
    }

    /// A struct value itself, or the pool entry a reference names. Key 0 is JFR's "none"; any
    /// other missing key is counted in `dangling` (the JDK's own reader shows it as null).
    fn deref<'v>(&mut self, v: &'v Value) -> Option<Cow<'v, Value>> {
        let got = self.deref_quiet(v);
        if got.is_none() && matches!(*v, Value::Ref { key, .. } if key != 0) {
            self.dangling += 1;
        }
        got
    }

    /// [`Self::deref`] without counting a missing entry.
    fn deref_quiet<'v>(&self, v: &'v Value) -> Option<Cow<'v, Value>> {
        match *v {
            Value::Struct { .. } => Some(Cow::Borrowed(v)),
            Value::Ref { class, key } => self.pooled(class, key).map(Cow::Owned),
            _ => None,
        }
    }

    /// Field `name` of a struct value.
    pub(crate) fn field<'v>(&self, v: &'v Value, name: &str) -> Option<&'v Value> {
        match v {
            Value::Struct { class, fields } => fields.get(self.types.field_index(*class, name)?),
            _ => None,
        }
    }

    /// The text of a string, a pooled string, or a struct wrapping one (a Symbol's `string`).
    /// Pooled strings are cached by key: many methods share one symbol or class.
    pub(crate) fn string(&mut self, v: &Value, hops: u32) -> Option<Rc<str>> {
        if hops > MAX_HOPS {
            return None;
        }
        match *v {
            Value::Str(ref s) => Some(Rc::from(s.as_str())),
            Value::Ref { class, key } => {
                if let Some(s) = self.strings.get(&(class, key)) {
                    return s.clone();
                }
                let inner = self.deref(v).map(Cow::into_owned);
                let s = inner.and_then(|i| self.string(&i, hops + 1));
                self.strings.insert((class, key), s.clone());
                s
            }
            Value::Struct { ref fields, .. } => {
                let inner = match fields.as_slice() {
                    [only] => only,
                    _ => self.field(v, "string").or_else(|| self.field(v, "name"))?,
                };
                self.string(inner, hops + 1)
            }
            _ => None,
        }
    }

    /// The name and package of a `java.lang.Class` value or reference, cached by key.
    fn class(&mut self, v: &Value) -> ClassNames {
        let key = v.ref_key();
        if let Some(k) = key
            && let Some(c) = self.classes.get(&k)
        {
            return c.clone();
        }
        let info = match self.deref(v).map(Cow::into_owned) {
            Some(c) => {
                let name = self.field(&c, "name").and_then(|n| self.string(n, 0));
                let pkg = self
                    .field(&c, "package")
                    .and_then(|p| self.deref(p))
                    .map(Cow::into_owned)
                    .and_then(|p| self.field(&p, "name").and_then(|n| self.string(n, 0)));
                (name, pkg)
            }
            None => (None, None),
        };
        if let Some(k) = key {
            self.classes.insert(k, info.clone());
        }
        info
    }

    /// The thread a `java.lang.Thread` value (or reference) names.
    pub(crate) fn thread(&mut self, v: &Value) -> Option<ThreadInfo> {
        let key = v.ref_key();
        if let Some(k) = key
            && let Some(t) = self.threads.get(&k)
        {
            return t.clone();
        }
        // The JDK writes events of threads it has not (yet) put in a pool: not an error.
        let info = self
            .deref_quiet(v)
            .map(Cow::into_owned)
            .map(|t| self.thread_info(&t));
        if let Some(k) = key {
            self.threads.insert(k, info.clone());
        }
        info
    }

    fn thread_info(&mut self, t: &Value) -> ThreadInfo {
        let id = |r: &Self, f: &str| {
            r.field(t, f)
                .and_then(Value::as_i64)
                .and_then(|i| u32::try_from(i).ok())
                .filter(|&i| i > 0)
        };
        let tid = id(self, "osThreadId").or_else(|| id(self, "javaThreadId"));
        let mut name = None;
        for f in ["javaName", "osName"] {
            if let Some(s) = self.field(t, f)
                && let Some(s) = self.string(s, 0)
                && !s.is_empty()
            {
                name = Some(s.to_string());
                break;
            }
        }
        let name = name.unwrap_or_else(|| match tid {
            Some(t) => format!("thread {t}"),
            None => "(unnamed thread)".to_string(),
        });
        ThreadInfo { name, tid }
    }

    /// The stack of a `jdk.types.StackTrace` value or reference (root first in the builder).
    pub(crate) fn stack(&mut self, b: &mut ProfileBuilder, v: &Value) -> StackId {
        let key = v.ref_key();
        if let Some(k) = key
            && let Some(&s) = self.stacks.get(&k)
        {
            return s;
        }
        let stack = match self.deref(v).map(Cow::into_owned) {
            Some(trace) => self.build_stack(b, &trace),
            None => StackId::EMPTY,
        };
        if let Some(k) = key {
            self.stacks.insert(k, stack);
        }
        stack
    }

    fn build_stack(&mut self, b: &mut ProfileBuilder, trace: &Value) -> StackId {
        let mut stack = StackId::EMPTY;
        if self.field(trace, "truncated").and_then(Value::as_bool) == Some(true) {
            self.truncated += 1;
            let name = b.intern(TRUNCATED);
            let f = b.frame(Frame {
                kind: FrameKind::Unknown,
                ..Frame::named(name)
            });
            stack = b.stack(stack, f);
        }
        let Some(Value::Array(frames)) = self.field(trace, "frames") else {
            return stack;
        };
        // JFR stores the leaf first.
        for frame in frames.iter().rev() {
            let Some(frame) = self.deref(frame).map(Cow::into_owned) else {
                continue;
            };
            let kind = match self.field(&frame, "type") {
                Some(t) => self.kind(t),
                None => FrameKind::Jit,
            };
            let Some(method) = self.field(&frame, "method") else {
                continue;
            };
            if let Some(f) = self.method(b, method, kind) {
                stack = b.stack(stack, f);
            }
        }
        stack
    }

    /// The frame kind of a `jdk.types.FrameType` value or reference.
    fn kind(&mut self, v: &Value) -> FrameKind {
        let key = v.ref_key();
        if let Some(k) = key
            && let Some(&kind) = self.kinds.get(&k)
        {
            return kind;
        }
        let text = match self.deref(v).map(Cow::into_owned) {
            Some(t) => self.string(&t, 0),
            None => self.string(v, 0),
        };
        let kind = match text.as_deref() {
            Some("Kernel") => FrameKind::Kernel,
            Some("Native" | "C++") => FrameKind::User,
            _ => FrameKind::Jit,
        };
        if let Some(k) = key {
            self.kinds.insert(k, kind);
        }
        kind
    }

    /// The frame of a `jdk.types.Method` value or reference; `None` when it cannot be resolved.
    fn method(&mut self, b: &mut ProfileBuilder, v: &Value, kind: FrameKind) -> Option<FrameId> {
        let key = v.ref_key();
        if let Some(k) = key
            && let Some(&f) = self.methods.get(&(k, kind))
        {
            return f;
        }
        let frame = self.method_frame(b, v, kind);
        if let Some(k) = key {
            self.methods.insert((k, kind), frame);
        }
        frame
    }

    fn method_frame(
        &mut self,
        b: &mut ProfileBuilder,
        v: &Value,
        kind: FrameKind,
    ) -> Option<FrameId> {
        let m = self.deref(v)?.into_owned();
        let name = self.field(&m, "name").and_then(|n| self.string(n, 0))?;
        let (class_name, package) = match self.field(&m, "type") {
            Some(c) => self.class(c),
            None => (None, None),
        };
        let mut full = match class_name {
            Some(c) if !c.is_empty() => format!("{}.{}", cut(&c).replace('/', "."), cut(&name)),
            _ => cut(&name).to_string(),
        };
        if full.len() > MAX_NAME {
            full = format!("{}…", cut(&full));
        }
        let module = package
            .filter(|p| !p.is_empty())
            .map(|p| b.intern(&cut(&p).replace('/', ".")));
        let name = b.intern(&full);
        Some(b.frame(Frame {
            module,
            kind,
            ..Frame::named(name)
        }))
    }
}

/// `s` cut to at most [`MAX_NAME`] bytes at a character boundary.
fn cut(s: &str) -> &str {
    let mut end = s.len().min(MAX_NAME);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
