//! Differential profiles: what changed between a BEFORE and an AFTER profile.
//!
//! Why match by *name* path and not by frame id: the two profiles come from different files, maybe
//! different formats (a `perf script` against a folded file), so their frame tables have nothing in
//! common but the function names. A call path `main;parse;lex` is the same place in both when its
//! names are the same; module, file and line are ignored, as FlameGraph's `difffolded.pl` does.
//!
//! Two measures for each call path and each function:
//! * **absolute**: `after - before` in the event's unit (what `difffolded.pl` without `-n` shows);
//! * **normalised**: the change of *share*, `after / after_total - before / before_total`, so a
//!   longer AFTER recording does not paint everything red.
//!
//! Cost: one pass over each profile's samples ([`StackWeights`]) and one over its unique stacks;
//! the path tree is interned by (parent, name) like the stack table.

use crate::calltree::{CallTree, NodeId, StackWeights};
use crate::functions::{FunctionStats, GroupBy};
use crate::ids::{EventId, StringId, ThreadId};
use crate::profile::Profile;
use crate::strings::StringTable;
use crate::{FastMap, FrameId};

/// One side of a diff: a profile, its event and the threads merged.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    /// The profile.
    pub profile: &'a Profile,
    /// The event compared.
    pub event: EventId,
    /// The threads merged (all threads for a whole-profile diff).
    pub threads: &'a [ThreadId],
}

/// Which weight a change is measured on.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Measure {
    /// Weight where the function (or path) is the leaf.
    #[default]
    SelfWeight,
    /// Weight with the function (or path) anywhere on the stack, once per sample.
    Total,
}

/// BEFORE and AFTER weights of one function (all frames with one name).
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionChange {
    /// The function name.
    pub name: String,
    /// `[before, after]` self weight.
    pub self_weight: [f64; 2],
    /// `[before, after]` total weight.
    pub total_weight: [f64; 2],
}

/// The comparison of two profiles by call path and by function.
#[derive(Clone, Debug, Default)]
pub struct ProfileDiff {
    names: StringTable,
    /// Path tree: parent node (`u32::MAX` for a root) and name of each node.
    parent: Vec<u32>,
    name: Vec<StringId>,
    index: FastMap<(u32, StringId), u32>,
    /// `[before, after]` self and total weight per path node.
    node_self: Vec<[f64; 2]>,
    node_total: Vec<[f64; 2]>,
    /// `[before, after]` whole-profile weight (idle samples included).
    totals: [f64; 2],
    functions: Vec<FunctionChange>,
}

const ROOT: u32 = u32::MAX;

impl ProfileDiff {
    /// Compares `before` with `after`.
    pub fn build(before: Side<'_>, after: Side<'_>) -> Self {
        let mut d = ProfileDiff::default();
        let mut by_name: FastMap<String, usize> = FastMap::default();
        for (k, side) in [before, after].into_iter().enumerate() {
            d.add_paths(k, side);
            let stats =
                FunctionStats::build_grouped(side.profile, side.event, side.threads, GroupBy::Name);
            d.totals[k] = side
                .threads
                .iter()
                .filter_map(|t| side.profile.threads.get(t.index()))
                .map(|t| t.samples(side.event).total_weight())
                .sum();
            for row in stats.rows() {
                let name = side.profile.frame_name(row.frame);
                let i = *by_name.entry(name.to_string()).or_insert_with(|| {
                    d.functions.push(FunctionChange {
                        name: name.to_string(),
                        self_weight: [0.0; 2],
                        total_weight: [0.0; 2],
                    });
                    d.functions.len() - 1
                });
                d.functions[i].self_weight[k] += row.self_weight;
                d.functions[i].total_weight[k] += row.total_weight;
            }
        }
        d.sum_totals();
        d
    }

    /// Adds one side's per-stack weights to the path tree (side `k`: 0 before, 1 after).
    fn add_paths(&mut self, k: usize, side: Side<'_>) {
        let p = side.profile;
        let w = StackWeights::collect(p, side.event, side.threads);
        let mut node_of: Vec<u32> = Vec::with_capacity(p.stacks.len());
        for (s, (&parent, &frame)) in p.stacks.parents().iter().zip(p.stacks.frames()).enumerate() {
            let up = if parent.is_empty() {
                ROOT
            } else {
                node_of.get(parent.index()).copied().unwrap_or(ROOT)
            };
            let n = self.node(up, p.frame_name(frame));
            node_of.push(n);
            self.node_self[n as usize][k] += w.self_weight.get(s).copied().unwrap_or(0.0);
        }
    }

    /// Path totals from path self weights: nodes are created parents first, so a backward pass
    /// adds each node to its caller. Per path, not per frame, so recursion cannot double count.
    fn sum_totals(&mut self) {
        self.node_total.clone_from(&self.node_self);
        for n in (0..self.parent.len()).rev() {
            let up = self.parent[n];
            if up != ROOT {
                let t = self.node_total[n];
                let slot = &mut self.node_total[up as usize];
                slot[0] += t[0];
                slot[1] += t[1];
            }
        }
    }

    /// The path node `parent;name`, created if new.
    fn node(&mut self, parent: u32, name: &str) -> u32 {
        let id = self.names.intern(name);
        let next = self.parent.len() as u32;
        let n = *self.index.entry((parent, id)).or_insert(next);
        if n == next {
            self.parent.push(parent);
            self.name.push(id);
            self.node_self.push([0.0; 2]);
            self.node_total.push([0.0; 2]);
        }
        n
    }

    /// `[before, after]` whole-profile weights.
    pub fn totals(&self) -> [f64; 2] {
        self.totals
    }

    /// The change between `[before, after]` weights: absolute, or of shares when `normalize`.
    pub fn change(&self, w: [f64; 2], normalize: bool) -> f64 {
        if normalize {
            share(w[1], self.totals[1]) - share(w[0], self.totals[0])
        } else {
            w[1] - w[0]
        }
    }

    /// Every function of either profile, in first-seen order.
    pub fn functions(&self) -> &[FunctionChange] {
        &self.functions
    }

    /// The `n` functions whose `measure` changed most (by absolute value; ties by name).
    pub fn biggest_changes(
        &self,
        n: usize,
        measure: Measure,
        normalize: bool,
    ) -> Vec<(&FunctionChange, f64)> {
        let mut rows: Vec<(&FunctionChange, f64)> = self
            .functions
            .iter()
            .map(|f| {
                let w = match measure {
                    Measure::SelfWeight => f.self_weight,
                    Measure::Total => f.total_weight,
                };
                (f, self.change(w, normalize))
            })
            .filter(|(_, d)| *d != 0.0)
            .collect();
        rows.sort_by(|a, b| {
            b.1.abs()
                .total_cmp(&a.1.abs())
                .then_with(|| a.0.name.cmp(&b.0.name))
        });
        rows.truncate(n);
        rows
    }

    /// `[before, after]` weights of the call path `names` (root first); zeros when unknown.
    pub fn path_weights(&self, names: &[&str], measure: Measure) -> [f64; 2] {
        let mut n = ROOT;
        for name in names {
            let Some(id) = self.names.lookup(name) else {
                return [0.0; 2];
            };
            match self.index.get(&(n, id)) {
                Some(&next) => n = next,
                None => return [0.0; 2],
            }
        }
        self.weights_of(n, measure)
    }

    fn weights_of(&self, n: u32, measure: Measure) -> [f64; 2] {
        let table = match measure {
            Measure::SelfWeight => &self.node_self,
            Measure::Total => &self.node_total,
        };
        table.get(n as usize).copied().unwrap_or([0.0; 2])
    }

    /// The change of every node of `tree` (a call tree of the AFTER side, `profile` its
    /// profile), matched by name path: what a diff flame graph colours each span by.
    pub fn tree_changes(
        &self,
        profile: &Profile,
        tree: &CallTree,
        measure: Measure,
        normalize: bool,
    ) -> Vec<f64> {
        // Preorder: a node's parent is always mapped before it; `None`: no such path before or
        // after (cannot happen for a tree of the AFTER side, but a change of 0 is the safe answer).
        let mut node_of: Vec<Option<u32>> = Vec::with_capacity(tree.len());
        let mut out = Vec::with_capacity(tree.len());
        for i in 0..tree.len() {
            let id = NodeId(i as u32);
            let up = match tree.parent(id) {
                None => Some(ROOT),
                Some(p) => node_of.get(p.index()).copied().flatten(),
            };
            let n = up.and_then(|up| {
                let name = self.names.lookup(frame_name(profile, tree.frame(id)))?;
                self.index.get(&(up, name)).copied()
            });
            node_of.push(n);
            out.push(n.map_or(0.0, |n| self.change(self.weights_of(n, measure), normalize)));
        }
        out
    }
}

fn frame_name(profile: &Profile, f: FrameId) -> &str {
    profile.frame_name(f)
}

/// `w / total`, 0 for an empty profile.
fn share(w: f64, total: f64) -> f64 {
    if total > 0.0 { w / total } else { 0.0 }
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;
