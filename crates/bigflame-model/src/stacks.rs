//! The stack prefix tree.
//!
//! Why a prefix tree: call stacks share their roots, so storing each unique stack as (parent, frame)
//! makes a stack of any depth cost 8 bytes more than its parent, turns "is this the same stack?" into an
//! integer compare, and gives the merged call tree for free (a stack id *is* a call-tree path).
//!
//! Invariant: `parent(s) < s` for every non-root `s`, so ids are a topological order.

use crate::FastMap;
use crate::ids::{FrameId, StackId};

/// Unique call paths as a prefix tree, root-level nodes have no parent.
#[derive(Clone, Default, Debug)]
pub struct StackTable {
    parent: Vec<StackId>,
    frame: Vec<FrameId>,
    depth: Vec<u32>,
    index: FastMap<(StackId, FrameId), StackId>,
}

impl StackTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The stack `parent` extended by `frame` (use [`StackId::EMPTY`] as the parent of a root frame).
    #[inline]
    pub fn intern(&mut self, parent: StackId, frame: FrameId) -> StackId {
        let next = StackId::from_index(self.frame.len());
        let id = *self.index.entry((parent, frame)).or_insert(next);
        if id == next {
            let depth = if parent.is_empty() {
                0
            } else {
                self.depth[parent.index()] + 1
            };
            self.parent.push(parent);
            self.frame.push(frame);
            self.depth.push(depth);
        }
        id
    }

    /// Interns a whole stack given root first.
    pub fn intern_path(&mut self, root_first: impl IntoIterator<Item = FrameId>) -> StackId {
        root_first
            .into_iter()
            .fold(StackId::EMPTY, |parent, frame| self.intern(parent, frame))
    }

    /// Number of unique stacks (prefix-tree nodes).
    pub fn len(&self) -> usize {
        self.frame.len()
    }

    /// True when there is no stack.
    pub fn is_empty(&self) -> bool {
        self.frame.is_empty()
    }

    /// The caller's stack, or [`StackId::EMPTY`] for a root-level frame.
    #[inline]
    pub fn parent(&self, id: StackId) -> StackId {
        self.parent[id.index()]
    }

    /// The leaf frame of a stack.
    #[inline]
    pub fn frame(&self, id: StackId) -> FrameId {
        self.frame[id.index()]
    }

    /// 0 for a root-level frame.
    #[inline]
    pub fn depth(&self, id: StackId) -> u32 {
        self.depth[id.index()]
    }

    /// The parent column (index = stack id).
    pub fn parents(&self) -> &[StackId] {
        &self.parent
    }

    /// The frame column (index = stack id).
    pub fn frames(&self) -> &[FrameId] {
        &self.frame
    }

    /// The depth column (index = stack id).
    pub fn depths(&self) -> &[u32] {
        &self.depth
    }

    /// The frames of a stack from the root to the leaf (empty for [`StackId::EMPTY`]).
    pub fn path(&self, id: StackId) -> Vec<FrameId> {
        let mut out = Vec::new();
        let mut cur = id;
        while !cur.is_empty() {
            out.push(self.frame(cur));
            cur = self.parent(cur);
        }
        out.reverse();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_prefixes_share_nodes_and_parents_come_first() {
        let mut t = StackTable::new();
        let (a, b, c) = (FrameId(0), FrameId(1), FrameId(2));
        let ab = t.intern_path([a, b]);
        let ac = t.intern_path([a, c]);
        let abc = t.intern_path([a, b, c]);
        assert_eq!(t.len(), 4); // a, a;b, a;c, a;b;c
        assert_eq!(t.parent(ab), t.parent(ac));
        assert_eq!(t.path(abc), vec![a, b, c]);
        assert_eq!(t.depth(abc), 2);
        for (i, p) in t.parents().iter().enumerate() {
            assert!(p.is_empty() || p.index() < i);
        }
        assert_eq!(t.intern_path([a, b]), ab);
        assert!(t.path(StackId::EMPTY).is_empty());
    }

    #[test]
    fn a_100k_deep_stack_needs_no_recursion() {
        let mut t = StackTable::new();
        let leaf = t.intern_path((0..100_000).map(|i| FrameId(i % 7)));
        assert_eq!(t.depth(leaf), 99_999);
        assert_eq!(t.path(leaf).len(), 100_000);
    }
}
