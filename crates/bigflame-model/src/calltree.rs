//! Merged call trees: top-down (Left Heavy), bottom-up (inverted) and the Sandwich pair.
//!
//! Why build from the stack prefix tree instead of from samples: a `StackId` already *is* a call-tree
//! path, so the top-down tree is the prefix tree restricted to the stacks the selected threads touched.
//! Building it costs one pass over the samples (accumulate weight per stack id) plus one backward pass
//! over the stack ids (children have larger ids than their parents, so totals sum bottom-up), i.e.
//! O(samples + unique stacks) and never O(samples × depth).
//!
//! Node order: every tree is stored in **preorder with the heaviest child first** (ties broken by
//! frame name, then frame id, so output is deterministic). Consequences the layout crate relies on:
//! a node's subtree is the contiguous id range `n..subtree_end(n)`, and at each depth the nodes appear
//! in left-to-right Left Heavy order.
//!
//! Sandwich semantics follow speedscope: for a focus frame F only the *outermost* occurrence of F on
//! each stack counts (recursion is not double counted); the callers tree is the inverted tree rooted at
//! F weighted by the total weight of each outermost occurrence, the callees tree merges the subtrees
//! below every outermost occurrence.

use crate::FastMap;
use crate::ids::{EventId, FrameId, StackId, ThreadId};
use crate::profile::Profile;
use std::cmp::Ordering;

/// A node of a [`CallTree`]: an index into its columns.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The index into the tree's columns.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

const NONE: u32 = u32::MAX;

/// Ids of every thread of a profile, for "all threads" views.
pub fn all_threads(profile: &Profile) -> Vec<ThreadId> {
    (0..profile.threads.len())
        .map(ThreadId::from_index)
        .collect()
}

/// Self weight and sample count per unique stack for a set of threads and one event.
///
/// This is the one pass over samples that every aggregation starts from.
#[derive(Clone, Debug, Default)]
pub struct StackWeights {
    /// Weight of samples whose leaf stack is exactly this stack (index = stack id).
    pub self_weight: Vec<f64>,
    /// Number of samples whose leaf stack is exactly this stack.
    pub self_samples: Vec<u64>,
    /// Weight of idle samples ([`StackId::EMPTY`]).
    pub idle_weight: f64,
    /// Number of idle samples.
    pub idle_samples: u64,
}

impl StackWeights {
    /// Accumulates the samples of `threads` for `event`.
    pub fn collect(profile: &Profile, event: EventId, threads: &[ThreadId]) -> Self {
        let n = profile.stacks.len();
        let mut w = StackWeights {
            self_weight: vec![0.0; n],
            self_samples: vec![0; n],
            ..Default::default()
        };
        for &t in threads {
            let Some(thread) = profile.threads.get(t.index()) else {
                continue;
            };
            let cols = thread.samples(event);
            for (&s, &wt) in cols.stack.iter().zip(&cols.weight) {
                if s.is_empty() {
                    w.idle_weight += wt;
                    w.idle_samples += 1;
                } else if let Some(slot) = w.self_weight.get_mut(s.index()) {
                    *slot += wt;
                    w.self_samples[s.index()] += 1;
                }
            }
        }
        w
    }
}

/// A merged call tree in heavy-first preorder (see the module docs).
#[derive(Clone, Debug, Default)]
pub struct CallTree {
    frame: Vec<FrameId>,
    parent: Vec<u32>,
    depth: Vec<u32>,
    self_weight: Vec<f64>,
    total_weight: Vec<f64>,
    self_samples: Vec<u64>,
    total_samples: Vec<u64>,
    subtree_end: Vec<u32>,
    /// Children of node `n` are `child_list[child_start[n]..child_start[n + 1]]`.
    child_start: Vec<u32>,
    child_list: Vec<NodeId>,
    roots: Vec<NodeId>,
    idle_weight: f64,
    idle_samples: u64,
}

/// An unsorted tree with parents before children; [`Raw::finish`] sorts it into a [`CallTree`].
#[derive(Default)]
struct Raw {
    frame: Vec<FrameId>,
    parent: Vec<u32>,
    self_weight: Vec<f64>,
    total_weight: Vec<f64>,
    self_samples: Vec<u64>,
    total_samples: Vec<u64>,
    index: FastMap<(u32, FrameId), u32>,
}

impl Raw {
    /// The child `frame` of `parent` (`NONE` for a root), created if new.
    fn child(&mut self, parent: u32, frame: FrameId) -> u32 {
        let next = self.frame.len() as u32;
        let id = *self.index.entry((parent, frame)).or_insert(next);
        if id == next {
            self.frame.push(frame);
            self.parent.push(parent);
            self.self_weight.push(0.0);
            self.total_weight.push(0.0);
            self.self_samples.push(0);
            self.total_samples.push(0);
        }
        id
    }

    /// Adds a weighted path (outermost first) ending at `path`'s last frame.
    fn add_path(&mut self, path: impl IntoIterator<Item = FrameId>, weight: f64, samples: u64) {
        let mut cur = NONE;
        for f in path {
            cur = self.child(cur, f);
            self.total_weight[cur as usize] += weight;
            self.total_samples[cur as usize] += samples;
        }
        if cur != NONE {
            self.self_weight[cur as usize] += weight;
            self.self_samples[cur as usize] += samples;
        }
    }

    /// Sorts siblings heaviest first and renumbers into preorder.
    fn finish(self, profile: &Profile, idle_weight: f64, idle_samples: u64) -> CallTree {
        let n = self.frame.len();
        // Children lists in CSR form, then sorted.
        let mut count = vec![0u32; n + 1];
        let mut roots: Vec<u32> = Vec::new();
        for (i, &p) in self.parent.iter().enumerate() {
            if p == NONE {
                roots.push(i as u32);
            } else {
                count[p as usize] += 1;
            }
        }
        let mut start = vec![0u32; n + 1];
        for i in 0..n {
            start[i + 1] = start[i] + count[i];
        }
        let mut fill = start.clone();
        let mut kids = vec![0u32; start[n] as usize];
        for (i, &p) in self.parent.iter().enumerate() {
            if p != NONE {
                kids[fill[p as usize] as usize] = i as u32;
                fill[p as usize] += 1;
            }
        }
        let cmp = |a: &u32, b: &u32| -> Ordering {
            let (a, b) = (*a as usize, *b as usize);
            self.total_weight[b]
                .total_cmp(&self.total_weight[a])
                .then_with(|| {
                    profile
                        .frame_name(self.frame[a])
                        .cmp(profile.frame_name(self.frame[b]))
                })
                .then_with(|| self.frame[a].cmp(&self.frame[b]))
        };
        roots.sort_by(cmp);
        for i in 0..n {
            kids[start[i] as usize..start[i + 1] as usize].sort_by(cmp);
        }
        // Iterative preorder; `order[new] = old`.
        let mut order: Vec<u32> = Vec::with_capacity(n);
        let mut stack: Vec<u32> = roots.iter().rev().copied().collect();
        while let Some(old) = stack.pop() {
            order.push(old);
            let k = &kids[start[old as usize] as usize..start[old as usize + 1] as usize];
            stack.extend(k.iter().rev());
        }
        let mut new_of = vec![0u32; n];
        for (new, &old) in order.iter().enumerate() {
            new_of[old as usize] = new as u32;
        }
        let mut t = CallTree {
            idle_weight,
            idle_samples,
            ..Default::default()
        };
        t.child_start.push(0);
        for &old in &order {
            let o = old as usize;
            let parent = self.parent[o];
            let (p, d) = if parent == NONE {
                (NONE, 0)
            } else {
                let np = new_of[parent as usize];
                (np, t.depth[np as usize] + 1)
            };
            t.frame.push(self.frame[o]);
            t.parent.push(p);
            t.depth.push(d);
            t.self_weight.push(self.self_weight[o]);
            t.total_weight.push(self.total_weight[o]);
            t.self_samples.push(self.self_samples[o]);
            t.total_samples.push(self.total_samples[o]);
            let k = &kids[start[o] as usize..start[o + 1] as usize];
            t.child_list
                .extend(k.iter().map(|&c| NodeId(new_of[c as usize])));
            t.child_start.push(t.child_list.len() as u32);
        }
        t.roots = roots.iter().map(|&r| NodeId(new_of[r as usize])).collect();
        // Subtree ends: a backward pass, children have larger ids than parents.
        t.subtree_end = (1..=n as u32).collect();
        for i in (0..n).rev() {
            let p = t.parent[i];
            if p != NONE {
                let end = t.subtree_end[i];
                let pe = &mut t.subtree_end[p as usize];
                *pe = (*pe).max(end);
            }
        }
        t
    }
}

impl CallTree {
    /// The top-down merged call tree of `threads` for `event`.
    pub fn build(profile: &Profile, event: EventId, threads: &[ThreadId]) -> Self {
        Self::from_weights(profile, &StackWeights::collect(profile, event, threads))
    }

    /// The top-down tree from precomputed per-stack weights: O(unique stacks).
    pub fn from_weights(profile: &Profile, w: &StackWeights) -> Self {
        let stacks = &profile.stacks;
        let n = stacks.len().min(w.self_weight.len());
        let mut total = w.self_weight[..n].to_vec();
        let mut total_n = w.self_samples[..n].to_vec();
        for s in (0..n).rev() {
            let p = stacks.parents()[s];
            if !p.is_empty() {
                total[p.index()] += total[s];
                total_n[p.index()] += total_n[s];
            }
        }
        // Keep only touched stacks; parents come first so their raw ids exist.
        let mut raw = Raw::default();
        let mut raw_of = vec![NONE; n];
        for s in 0..n {
            if total_n[s] == 0 {
                continue;
            }
            let p = stacks.parents()[s];
            let rp = if p.is_empty() {
                NONE
            } else {
                raw_of[p.index()]
            };
            let id = raw.frame.len() as u32;
            raw_of[s] = id;
            raw.frame.push(stacks.frames()[s]);
            raw.parent.push(rp);
            raw.self_weight.push(w.self_weight[s]);
            raw.total_weight.push(total[s]);
            raw.self_samples.push(w.self_samples[s]);
            raw.total_samples.push(total_n[s]);
        }
        raw.finish(profile, w.idle_weight, w.idle_samples)
    }

    /// The bottom-up tree: roots are leaf functions, children their callers. A node's total is the
    /// weight of samples whose stack ends with the node's path (read leaf first); its self weight is the
    /// weight of samples whose whole stack is exactly that path.
    pub fn inverted(profile: &Profile, event: EventId, threads: &[ThreadId]) -> Self {
        let w = StackWeights::collect(profile, event, threads);
        let mut raw = Raw::default();
        for s in 0..profile.stacks.len().min(w.self_samples.len()) {
            if w.self_samples[s] == 0 {
                continue;
            }
            let leaf_first = ancestors(profile, StackId::from_index(s));
            raw.add_path(leaf_first, w.self_weight[s], w.self_samples[s]);
        }
        raw.finish(profile, w.idle_weight, w.idle_samples)
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.frame.len()
    }

    /// True when no sample was aggregated (idle samples aside).
    pub fn is_empty(&self) -> bool {
        self.frame.is_empty()
    }

    /// Root nodes, heaviest first.
    pub fn roots(&self) -> &[NodeId] {
        &self.roots
    }

    /// Children of a node, heaviest first.
    pub fn children(&self, n: NodeId) -> &[NodeId] {
        let (a, b) = (self.child_start[n.index()], self.child_start[n.index() + 1]);
        &self.child_list[a as usize..b as usize]
    }

    /// The frame of a node.
    pub fn frame(&self, n: NodeId) -> FrameId {
        self.frame[n.index()]
    }

    /// The frame column (index = node id).
    pub fn frames(&self) -> &[FrameId] {
        &self.frame
    }

    /// The parent of a node, `None` for a root.
    pub fn parent(&self, n: NodeId) -> Option<NodeId> {
        let p = self.parent[n.index()];
        (p != NONE).then_some(NodeId(p))
    }

    /// 0 for a root.
    pub fn depth(&self, n: NodeId) -> u32 {
        self.depth[n.index()]
    }

    /// Weight of samples ending exactly at this node.
    pub fn self_weight(&self, n: NodeId) -> f64 {
        self.self_weight[n.index()]
    }

    /// Weight of samples passing through this node.
    pub fn total_weight(&self, n: NodeId) -> f64 {
        self.total_weight[n.index()]
    }

    /// Number of samples ending exactly at this node.
    pub fn self_samples(&self, n: NodeId) -> u64 {
        self.self_samples[n.index()]
    }

    /// Number of samples passing through this node.
    pub fn total_samples(&self, n: NodeId) -> u64 {
        self.total_samples[n.index()]
    }

    /// One past the last node of `n`'s subtree (preorder: the subtree is `n..subtree_end(n)`).
    pub fn subtree_end(&self, n: NodeId) -> NodeId {
        NodeId(self.subtree_end[n.index()])
    }

    /// Sum of the roots' totals (idle samples excluded).
    pub fn total(&self) -> f64 {
        self.roots.iter().map(|&r| self.total_weight(r)).sum()
    }

    /// Weight and count of idle samples, which have no node.
    pub fn idle(&self) -> (f64, u64) {
        (self.idle_weight, self.idle_samples)
    }

    /// Deepest depth + 1 (0 for an empty tree).
    pub fn depth_count(&self) -> u32 {
        self.depth.iter().max().map_or(0, |d| d + 1)
    }

    /// Frames from the root to `n`.
    pub fn path(&self, n: NodeId) -> Vec<FrameId> {
        let mut out = vec![self.frame(n)];
        let mut cur = n;
        while let Some(p) = self.parent(cur) {
            out.push(self.frame(p));
            cur = p;
        }
        out.reverse();
        out
    }

    /// The node reached by following `path` (root first) from the roots.
    pub fn find(&self, path: &[FrameId]) -> Option<NodeId> {
        let mut level = self.roots();
        let mut found = None;
        for f in path {
            let n = *level.iter().find(|&&c| self.frame(c) == *f)?;
            found = Some(n);
            level = self.children(n);
        }
        found
    }
}

/// Frames of `s` from the leaf to the root.
fn ancestors(profile: &Profile, s: StackId) -> impl Iterator<Item = FrameId> + '_ {
    let mut cur = s;
    std::iter::from_fn(move || {
        if cur.is_empty() {
            return None;
        }
        let f = profile.stacks.frame(cur);
        cur = profile.stacks.parent(cur);
        Some(f)
    })
}

/// The Sandwich view of one frame: who calls it and what it calls.
#[derive(Clone, Debug)]
pub struct Sandwich {
    /// The focus frame.
    pub frame: FrameId,
    /// Inverted tree with the single root F; its children are F's callers, their children the callers'
    /// callers. Each outermost occurrence of F contributes its total weight.
    pub callers: CallTree,
    /// Top-down tree with the single root F merging the subtrees under every outermost occurrence.
    pub callees: CallTree,
}

impl Sandwich {
    /// Builds both trees for `frame` in O(unique stacks + occurrences × depth).
    pub fn build(profile: &Profile, event: EventId, threads: &[ThreadId], frame: FrameId) -> Self {
        let w = StackWeights::collect(profile, event, threads);
        let stacks = &profile.stacks;
        let n = stacks.len().min(w.self_weight.len());
        // outer[s]: the outermost ancestor-or-self of `s` whose frame is F.
        let mut outer = vec![NONE; n];
        for s in 0..n {
            let p = stacks.parents()[s];
            outer[s] = if !p.is_empty() && outer[p.index()] != NONE {
                outer[p.index()]
            } else if stacks.frames()[s] == frame {
                s as u32
            } else {
                NONE
            };
        }
        // Callees: map each stack under an outermost F to a node of the callee tree.
        let mut callees = Raw::default();
        let mut node_of = vec![NONE; n];
        let mut occ_weight: FastMap<u32, (f64, u64)> = FastMap::default();
        for s in 0..n {
            if outer[s] == NONE {
                continue;
            }
            let p = stacks.parents()[s];
            let parent_node = if outer[s] == s as u32 {
                NONE
            } else {
                node_of[p.index()]
            };
            node_of[s] = callees.child(parent_node, stacks.frames()[s]);
        }
        // Totals: each sample under an occurrence adds to its node and all callee-tree ancestors.
        for s in 0..n {
            if outer[s] == NONE || w.self_samples[s] == 0 {
                continue;
            }
            let (wt, cnt) = (w.self_weight[s], w.self_samples[s]);
            let node = node_of[s] as usize;
            callees.self_weight[node] += wt;
            callees.self_samples[node] += cnt;
            let e = occ_weight.entry(outer[s]).or_insert((0.0, 0));
            e.0 += wt;
            e.1 += cnt;
        }
        for i in (0..callees.frame.len()).rev() {
            callees.total_weight[i] += callees.self_weight[i];
            callees.total_samples[i] += callees.self_samples[i];
            let p = callees.parent[i];
            if p != NONE {
                callees.total_weight[p as usize] += callees.total_weight[i];
                callees.total_samples[p as usize] += callees.total_samples[i];
            }
        }
        // Drop untouched callee nodes by rebuilding from touched ones only.
        let callees = prune(callees);
        // Callers: one inverted path per outermost occurrence, in stack id order for determinism.
        let mut occs: Vec<(u32, (f64, u64))> = occ_weight.into_iter().collect();
        occs.sort_unstable_by_key(|o| o.0);
        let mut callers = Raw::default();
        for (o, (wt, cnt)) in occs {
            callers.add_path(ancestors(profile, StackId(o)), wt, cnt);
        }
        Sandwich {
            frame,
            callers: callers.finish(profile, 0.0, 0),
            callees: callees.finish(profile, 0.0, 0),
        }
    }
}

/// Keeps only nodes with samples (parents before children is preserved).
fn prune(raw: Raw) -> Raw {
    let mut out = Raw::default();
    let mut map = vec![NONE; raw.frame.len()];
    for i in 0..raw.frame.len() {
        if raw.total_samples[i] == 0 {
            continue;
        }
        let p = raw.parent[i];
        map[i] = out.frame.len() as u32;
        out.frame.push(raw.frame[i]);
        out.parent
            .push(if p == NONE { NONE } else { map[p as usize] });
        out.self_weight.push(raw.self_weight[i]);
        out.total_weight.push(raw.total_weight[i]);
        out.self_samples.push(raw.self_samples[i]);
        out.total_samples.push(raw.total_samples[i]);
    }
    out
}

#[cfg(test)]
#[path = "calltree_tests.rs"]
pub(crate) mod tests;
