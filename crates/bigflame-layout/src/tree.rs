//! Flame graph layouts of a [`CallTree`]: Left Heavy, and the Sandwich callers/callees trees.
//!
//! Why this is trivial: a [`CallTree`] is stored in heavy-first preorder, so a node's x0 is its parent's
//! x0 plus the totals of its earlier siblings, one forward pass assigns every extent, and the nodes of
//! each depth come out in x order. Atoms are the nodes themselves (one span per node), node ids are
//! [`NodeId`] values, and x is cumulative weight starting at 0. Memory: 16 bytes per node of extents +
//! 16 bytes per span + ~2 bytes of pyramid.

use crate::index::{Level, SpanIndex};
use bigflame_model::{CallTree, NodeId};

/// Lays out a call tree heaviest child first; span `node` values are [`NodeId`]s of `tree`.
pub fn call_tree_layout(tree: &CallTree) -> SpanIndex {
    let n = tree.len();
    let width = |i: usize| {
        let w = tree.total_weight(NodeId(i as u32));
        if w > 0.0 { w } else { 0.0 }
    };
    let mut x0 = vec![0.0; n];
    let mut x1 = vec![0.0; n];
    // cursor[i]: where the next child of node i starts.
    let mut cursor = vec![0.0; n];
    let mut root_cursor = 0.0;
    let mut levels: Vec<Level> = Vec::new();
    for i in 0..n {
        let node = NodeId(i as u32);
        let start = match tree.parent(node) {
            Some(p) => &mut cursor[p.index()],
            None => &mut root_cursor,
        };
        x0[i] = *start;
        x1[i] = *start + width(i);
        *start = x1[i];
        cursor[i] = x0[i];
        if x1[i] > x0[i] {
            let d = tree.depth(node) as usize;
            if levels.len() <= d {
                levels.resize_with(d + 1, Level::default);
            }
            let l = &mut levels[d];
            l.first.push(i as u32);
            l.last.push(i as u32);
            l.node.push(i as u32);
        }
    }
    SpanIndex {
        atom_x0: x0,
        atom_x1: x1,
        levels,
        node_frames: tree.frames().into(),
        extent: (0.0, 0.0),
    }
    .finish()
}
