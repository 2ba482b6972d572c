//! Frames: one function at one location, deduplicated.
//!
//! Why a frame carries its module and kind: the same function name can exist in two libraries, flame
//! graph tools annotate kernel (`_[k]`), JIT (`_[j]`) and inlined (`_[i]`) frames, and colour-by-module
//! needs the module. File and line are optional because most sampled formats only know the symbol.

use crate::FastMap;
use crate::ids::{FrameId, StringId};

/// What kind of code a frame belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, PartialOrd, Ord)]
#[repr(u8)]
pub enum FrameKind {
    /// Ordinary user-space code.
    #[default]
    User = 0,
    /// Kernel code (`[kernel.kallsyms]`, `vmlinux`, kernel modules).
    Kernel = 1,
    /// Just-in-time compiled code (e.g. from a `/tmp/perf-PID.map`).
    Jit = 2,
    /// A function inlined into its caller (one physical frame, several logical ones).
    Inlined = 3,
    /// An address that could not be symbolised.
    Unknown = 4,
}

impl FrameKind {
    /// A short lowercase name, used in JSON output and the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            FrameKind::User => "user",
            FrameKind::Kernel => "kernel",
            FrameKind::Jit => "jit",
            FrameKind::Inlined => "inlined",
            FrameKind::Unknown => "unknown",
        }
    }
}

/// One unique frame.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Frame {
    /// The function name as displayed.
    pub name: StringId,
    /// The module (shared object, executable, JIT map, package) if known.
    pub module: Option<StringId>,
    /// The source file if known.
    pub file: Option<StringId>,
    /// The 1-based source line, 0 when unknown.
    pub line: u32,
    /// The 1-based source column, 0 when unknown (JavaScript profiles tell apart two anonymous
    /// functions on one line by it).
    pub column: u32,
    /// What kind of code this is.
    pub kind: FrameKind,
}

impl Frame {
    /// A frame with only a name.
    pub fn named(name: StringId) -> Self {
        Frame {
            name,
            module: None,
            file: None,
            line: 0,
            column: 0,
            kind: FrameKind::User,
        }
    }
}

/// The deduplicated frames of a profile.
#[derive(Clone, Default, Debug)]
pub struct FrameTable {
    frames: Vec<Frame>,
    index: FastMap<Frame, FrameId>,
}

impl FrameTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns the id of `frame`, adding it if it is new.
    pub fn intern(&mut self, frame: Frame) -> FrameId {
        let next = FrameId::from_index(self.frames.len());
        let id = *self.index.entry(frame).or_insert(next);
        if id == next {
            self.frames.push(frame);
        }
        id
    }

    /// Number of unique frames.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// True when there is no frame.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The frame of an id.
    #[inline]
    pub fn get(&self, id: FrameId) -> &Frame {
        &self.frames[id.index()]
    }

    /// All frames in id order.
    pub fn as_slice(&self) -> &[Frame] {
        &self.frames
    }
}
