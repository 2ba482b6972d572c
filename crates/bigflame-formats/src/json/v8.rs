//! What V8 profiles share: how a `callFrame` becomes a frame, which nodes are not frames, and the
//! node-id index.
//!
//! Why apart: `.cpuprofile`s, DevTools traces and heap profiles all describe code with V8's
//! `callFrame` (`functionName`, `url`, 0-based `lineNumber`/`columnNumber`), and speedscope names
//! unnamed functions and keys frames the same way for all of them.

use super::Val;
use bigflame_model::{FastMap, Frame, FrameId, ProfileBuilder};

/// What a node is for stack building.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Class {
    Normal,
    /// `(root)`, `(idle)`, `native dummy.js`: not a frame; stacks stop below it.
    Ignored,
    /// `(garbage collector)`, `(program)`: placed on top of the previous stack.
    OnTop,
}

/// A node with an id, for [`NodeIndex`].
pub(crate) trait HasId {
    fn id(&self) -> i64;
}

/// The frame of a V8 `callFrame` (or Node 10 node) and its class. V8 counts lines and columns from
/// 0; the frame stores them from 1. `name_line_base` is added to the line shown in the name of an
/// anonymous function (speedscope writes it 1-based for CPU profiles, 0-based for heap profiles).
pub(crate) fn frame_of(
    b: &mut ProfileBuilder,
    cf: Val<'_, '_>,
    name_line_base: i64,
) -> (FrameId, Class) {
    let function = cf.get("functionName").and_then(|v| v.str()).unwrap_or("");
    let url = cf.get("url").and_then(|v| v.str()).unwrap_or("");
    let raw_line = cf.get("lineNumber").and_then(|v| v.i64());
    let line = raw_line.map(|l| l + 1);
    let column = cf.get("columnNumber").and_then(|v| v.i64()).map(|c| c + 1);
    let class = if url == "native dummy.js" || function == "(root)" || function == "(idle)" {
        Class::Ignored
    } else if function == "(garbage collector)" || function == "(program)" {
        Class::OnTop
    } else {
        Class::Normal
    };
    let name = if !function.is_empty() {
        b.intern(function)
    } else if !url.is_empty() {
        let base = url.rsplit('/').next().unwrap_or(url);
        let line = raw_line.map_or_else(
            || "undefined".to_string(),
            |l| (l + name_line_base).to_string(),
        );
        b.intern(&format!("(anonymous {base}:{line})"))
    } else {
        b.intern("(anonymous)")
    };
    let file = (!url.is_empty()).then(|| b.intern(url));
    let to_u32 = |v: Option<i64>| v.map_or(0, |v| v.clamp(0, i64::from(u32::MAX)) as u32);
    let frame = b.frame(Frame {
        file,
        line: to_u32(line),
        column: to_u32(column),
        ..Frame::named(name)
    });
    (frame, class)
}

/// Node id -> position: a plain vector when ids are small and dense (V8 numbers nodes from 1),
/// a hash map otherwise.
pub(crate) enum NodeIndex {
    Dense(Vec<u32>),
    Map(FastMap<i64, usize>),
}

impl NodeIndex {
    pub(crate) fn new<N: HasId>(nodes: &[N]) -> Self {
        let max = nodes.iter().map(|n| n.id()).max().unwrap_or(0);
        let min = nodes.iter().map(|n| n.id()).min().unwrap_or(0);
        if min >= 0 && max < 4 * nodes.len() as i64 + 64 {
            let mut v = vec![u32::MAX; max as usize + 1];
            for (k, n) in nodes.iter().enumerate() {
                v[n.id() as usize] = k as u32;
            }
            NodeIndex::Dense(v)
        } else {
            NodeIndex::Map(nodes.iter().enumerate().map(|(k, n)| (n.id(), k)).collect())
        }
    }

    #[inline]
    pub(crate) fn get(&self, id: i64) -> Option<usize> {
        match self {
            NodeIndex::Dense(v) => usize::try_from(id)
                .ok()
                .and_then(|i| v.get(i))
                .filter(|&&k| k != u32::MAX)
                .map(|&k| k as usize),
            NodeIndex::Map(m) => m.get(&id).copied(),
        }
    }
}
