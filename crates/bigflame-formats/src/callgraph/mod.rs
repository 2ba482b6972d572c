//! A format-agnostic weighted call graph and its best-effort expansion into a flame graph.
//!
//! Why this exists: callgrind and cProfile/pstats do not record stacks. They record, per function,
//! its self cost and, per caller → callee pair, the inclusive cost of those calls and their count.
//! Such a graph does not define a unique flame graph: if `backup` is called by `start` and `end`
//! and calls `read` and `write`, the file cannot say whether `start` made the reads and `end` the
//! writes, or each a mix. Both importers therefore fill a [`CallGraph`] and [`expand()`] it with one
//! documented assumption (the one speedscope makes): **every call of a function spends its time in
//! its callees in the same proportions as all its calls together**. The expansion (see
//! [`expand()`] for the rules on recursion and very small subtrees) keeps every function's self cost
//! and the total exactly, and the importers say in `ProfileMeta::notes` that the picture is
//! approximated, because stacks that never happened can appear in it.
//!
//! Costs are kept per event (callgrind's `Ir`, `Dr`, ...; pstats has one, time) as `f64`, which is
//! exact for integer counters below 2^53.

mod expand;
mod recursion;
#[cfg(test)]
mod tests;

pub use expand::{EventTarget, ExpandLimits, ExpandReport, expand};

use bigflame_model::FastMap;

/// A function of a [`CallGraph`] (dense index in first-seen order).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct FnId(pub u32);

/// A string of a [`CallGraph`] (names, files, modules).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct NameId(pub u32);

/// What identifies a function: its name, file and line (0 when unknown). The module is an attribute
/// (the first one seen wins), not part of the identity, like callgrind_annotate's `file:function`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct FnKey {
    name: NameId,
    file: Option<NameId>,
    line: u32,
}

/// One function: identity and display attributes.
#[derive(Clone, Copy, Debug)]
pub struct Function {
    /// Display name.
    pub name: NameId,
    /// Source file, if known.
    pub file: Option<NameId>,
    /// Module (shared object, executable), if known.
    pub module: Option<NameId>,
    /// 1-based source line of the definition, 0 when unknown.
    pub line: u32,
}

/// A caller → callee pair with its call count; costs are kept per event in the graph.
#[derive(Clone, Copy, Debug)]
pub struct Edge {
    /// The calling function.
    pub caller: FnId,
    /// The called function.
    pub callee: FnId,
    /// Number of calls (informational).
    pub calls: u64,
}

/// Functions with self costs, and call edges with inclusive costs, per event.
#[derive(Default, Debug)]
pub struct CallGraph {
    names: Vec<String>,
    name_index: FastMap<String, NameId>,
    functions: Vec<Function>,
    fn_index: FastMap<FnKey, FnId>,
    edges: Vec<Edge>,
    edge_index: FastMap<(FnId, FnId), u32>,
    /// `self_cost[event][function]`; rows grow lazily (a missing entry is 0).
    self_cost: Vec<Vec<f64>>,
    /// `edge_cost[event][edge]`: inclusive cost of the calls; rows grow lazily.
    edge_cost: Vec<Vec<f64>>,
    /// `roots[event][function]`: cost while nothing the file knows called the function, when the
    /// importer knows it (pstats); NaN = not given. Empty rows: computed by the expansion.
    roots: Vec<Vec<f64>>,
}

impl CallGraph {
    /// An empty graph with `events` events.
    pub fn new(events: usize) -> Self {
        let mut g = CallGraph::default();
        g.ensure_events(events);
        g
    }

    /// Number of events.
    pub fn events(&self) -> usize {
        self.self_cost.len()
    }

    /// Makes room for at least `n` events (new events start with zero costs).
    pub fn ensure_events(&mut self, n: usize) {
        while self.self_cost.len() < n {
            self.self_cost.push(Vec::new());
            self.edge_cost.push(Vec::new());
            self.roots.push(Vec::new());
        }
    }

    /// Interns a string.
    pub fn intern(&mut self, s: &str) -> NameId {
        if let Some(&id) = self.name_index.get(s) {
            return id;
        }
        let id = NameId(self.names.len() as u32);
        self.names.push(s.to_string());
        self.name_index.insert(s.to_string(), id);
        id
    }

    /// The text of an interned string.
    pub fn name(&self, id: NameId) -> &str {
        self.names.get(id.0 as usize).map_or("", String::as_str)
    }

    /// The function `name` in `file` at `line`, added if new; `module` is recorded when the function
    /// has none yet.
    pub fn function(
        &mut self,
        name: NameId,
        file: Option<NameId>,
        line: u32,
        module: Option<NameId>,
    ) -> FnId {
        let key = FnKey { name, file, line };
        if let Some(&id) = self.fn_index.get(&key) {
            let f = &mut self.functions[id.0 as usize];
            if f.module.is_none() {
                f.module = module;
            }
            return id;
        }
        let id = FnId(self.functions.len() as u32);
        self.functions.push(Function {
            name,
            file,
            module,
            line,
        });
        self.fn_index.insert(key, id);
        id
    }

    /// All functions in first-seen order.
    pub fn functions(&self) -> &[Function] {
        &self.functions
    }

    /// All edges in first-seen order.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// Adds self cost to `f` for `event`.
    pub fn add_self(&mut self, f: FnId, event: usize, cost: f64) {
        self.ensure_events(event + 1);
        add_at(&mut self.self_cost[event], f.0 as usize, cost);
    }

    /// Adds `calls` calls from `caller` to `callee` (costs are added with [`CallGraph::add_call_cost`]).
    /// Returns the edge index.
    pub fn add_calls(&mut self, caller: FnId, callee: FnId, calls: u64) -> usize {
        let next = self.edges.len() as u32;
        let idx = *self.edge_index.entry((caller, callee)).or_insert(next);
        if idx == next {
            self.edges.push(Edge {
                caller,
                callee,
                calls: 0,
            });
        }
        let e = &mut self.edges[idx as usize];
        e.calls = e.calls.saturating_add(calls);
        idx as usize
    }

    /// Adds inclusive cost to an edge for `event`.
    pub fn add_call_cost(&mut self, edge: usize, event: usize, cost: f64) {
        self.ensure_events(event + 1);
        add_at(&mut self.edge_cost[event], edge, cost);
    }

    /// Sets the cost `f` had while nothing the file knows called it (e.g. cProfile's top-level
    /// `exec`). Once an importer sets one root for an event, only the roots it sets start trees;
    /// otherwise the expansion derives them from the costs (see [`expand()`]). Needed where the
    /// derivation fails: cProfile counts only the outermost call of each caller → callee pair, so
    /// under mutual recursion (`exec` → import → `exec`) a function's callers can claim more than
    /// its own cumulative time.
    pub fn set_root_cost(&mut self, f: FnId, event: usize, cost: f64) {
        self.ensure_events(event + 1);
        let row = &mut self.roots[event];
        let i = f.0 as usize;
        if row.len() <= i {
            row.resize(i + 1, f64::NAN);
        }
        row[i] = cost;
    }

    /// The roots set with [`CallGraph::set_root_cost`] for `event`, if any, in function order.
    pub fn given_roots(&self, event: usize) -> Option<Vec<(FnId, f64)>> {
        let row = self
            .roots
            .get(event)
            .filter(|r| r.iter().any(|c| !c.is_nan()))?;
        Some(
            row.iter()
                .enumerate()
                .filter(|(_, c)| !c.is_nan())
                .map(|(i, &c)| (FnId(i as u32), c))
                .collect(),
        )
    }

    /// Self cost of `f` for `event`.
    pub fn self_cost(&self, f: FnId, event: usize) -> f64 {
        get_at(self.self_cost.get(event), f.0 as usize)
    }

    /// Inclusive cost of edge `edge` for `event`.
    pub fn call_cost(&self, edge: usize, event: usize) -> f64 {
        get_at(self.edge_cost.get(event), edge)
    }

    /// Sum of all self costs of `event`: what the program spent, whatever the call structure.
    pub fn total_self(&self, event: usize) -> f64 {
        self.self_cost.get(event).map_or(0.0, |v| v.iter().sum())
    }
}

fn add_at(row: &mut Vec<f64>, i: usize, cost: f64) {
    if row.len() <= i {
        row.resize(i + 1, 0.0);
    }
    row[i] += cost;
}

fn get_at(row: Option<&Vec<f64>>, i: usize) -> f64 {
    row.and_then(|r| r.get(i)).copied().unwrap_or(0.0)
}

/// The user-visible note every call-graph import carries.
pub fn approximation_note(source: &str) -> String {
    format!(
        "the flame graph is approximated from a call graph: {source} records costs per function \
         and per caller→callee pair, not whole stacks, so each function's callees are split in the \
         same proportions under each of its callers; stacks that never happened may appear \
         (each function's self cost is kept)"
    )
}

/// The notes for an expansion: the approximation itself, then what had to be cut or could not add
/// up, per event (`reports` pairs an event name with its report).
pub fn expansion_notes(source: &str, reports: &[(String, ExpandReport)]) -> Vec<String> {
    let mut notes = vec![approximation_note(source)];
    let cut = reports
        .iter()
        .map(|(_, r)| r.recursive_edges_cut)
        .max()
        .unwrap_or(0);
    if cut > 0 {
        notes.push(format!(
            "recursion: {cut} call edge(s) lead back into a function already on the stack; \
             they are not drawn again, so the stacks below recursive functions are rougher \
             (each function's self cost is still its own)"
        ));
    }
    for (event, r) in reports {
        // Leaves under the first threshold (a millionth of the total) are below any drawable
        // detail; only a threshold raised by the node budget is worth a note.
        if r.pruned > 0 && r.coarsened {
            notes.push(format!(
                "{event}: the call graph expands to too many stacks; {} call(s) weighing less \
                 than {} of the total each are drawn as leaves (their callees' detail is folded \
                 into them)",
                r.pruned,
                percent(r.pruned_below)
            ));
        }
        if r.dangling > 0 {
            notes.push(format!(
                "{event}: {} call(s) go to functions with no cost of their own in the file; they \
                 are shown as leaves",
                r.dangling
            ));
        }
        // A few units of difference are normal (callgrind counts the cost of a call still running
        // at exit in its arc only); say so only when the difference is visible.
        let tol = 1e-3 * r.self_total.abs().max(1.0);
        if (r.tree_total - r.self_total).abs() > tol {
            notes.push(format!(
                "{event}: the call costs do not add up: the flame graph totals {} but the \
                 functions' self costs total {} (callers claim more than their callees cost)",
                r.tree_total, r.self_total
            ));
        }
    }
    notes
}

/// `1e-6` → `0.0001%`.
fn percent(fraction: f64) -> String {
    let p = fraction * 100.0;
    let digits = if p > 0.0 && p < 1.0 {
        let l = p.log10();
        let l = if (l - l.round()).abs() < 1e-9 {
            l.round()
        } else {
            l.floor()
        };
        (-l) as usize
    } else {
        0
    };
    format!("{p:.digits$}%")
}
