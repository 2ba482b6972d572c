//! Call graph → weighted stacks.
//!
//! The rules, per event:
//!
//! * a function's **total** is its self cost plus the inclusive cost of all its outgoing calls;
//!   its **root weight** is its total minus the inclusive cost of all calls into it: what it cost
//!   while nothing the file knows called it (`main`'s caller, a thread start). With callgrind's
//!   arcs, which count nested recursive calls again, the root weights add up to the self costs.
//!   An importer may give the root weights instead ([`CallGraph::set_root_cost`]: pstats, whose
//!   arcs count only the outermost call per pair). Functions with a positive root weight start a
//!   tree, in first-seen order;
//! * a node of function `f` with weight `w` gives `w / total(f)` of each of `f`'s call edges to the
//!   callee (a callee reached from several callers thus gets its own subtree per caller, scaled by
//!   that caller's share), and the same share of `f`'s self cost to itself;
//! * **recursion**: a call into a function already on the path is not expanded, so the walk always
//!   terminates (a path never repeats a function). Its cost is left out of the node's share
//!   instead: both callgrind and cProfile already count what recursive activations spend in the
//!   function's self cost and in its other calls, so the node's weight is split over its self cost
//!   and its other calls only (with only direct recursion this is exact);
//! * **small subtrees**: a call whose weight is below a threshold (at first a millionth of the
//!   total, raised tenfold until the tree fits in [`ExpandLimits::max_nodes`]) becomes a leaf of
//!   the callee carrying its whole weight, so nothing is lost, only detail. This bounds the output,
//!   which could otherwise grow exponentially with the graph (a cached function called from 1,000
//!   places copies its whole subtree 1,000 times);
//! * a call into a function with no recorded cost of its own (inconsistent input) is a leaf too;
//! * when recursion was cut, the self weights of the functions in or below recursion are finally
//!   rescaled to their self costs in the graph ([`super::recursion::renormalise`]): the split is a guess there, the
//!   self costs are measurements.
//!
//! So without recursion each node emits exactly its weight, the tree's total is the sum of the
//! root weights (for a consistent graph, the sum of all self costs) and every function's self cost
//! summed over its nodes is its self cost in the file; with recursion, the rescaling keeps the
//! latter two.
//!
//! The walk uses an explicit stack (a path can be as long as there are functions).

use super::{CallGraph, FnId};
use bigflame_model::{EventId, Frame, FrameId, ProfileBuilder, StackId, ThreadId};

/// Bounds on the expanded tree.
#[derive(Clone, Copy, Debug)]
pub struct ExpandLimits {
    /// Most tree nodes per event; the pruning threshold is raised until the tree fits.
    pub max_nodes: usize,
    /// The first pruning threshold, as a fraction of the event's total.
    pub min_fraction: f64,
}

impl Default for ExpandLimits {
    fn default() -> Self {
        ExpandLimits {
            max_nodes: 1 << 20,
            min_fraction: 1e-6,
        }
    }
}

/// What the expansion of one event did, for notes and tests.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExpandReport {
    /// Tree nodes emitted.
    pub nodes: usize,
    /// Distinct call edges cut because the callee was already on the path (recursion).
    pub recursive_edges_cut: usize,
    /// Calls turned into leaves because their weight was below the threshold.
    pub pruned: usize,
    /// The threshold used, as a fraction of the total.
    pub pruned_below: f64,
    /// True when the node budget forced a threshold above [`ExpandLimits::min_fraction`].
    pub coarsened: bool,
    /// Calls into functions without cost of their own (inconsistent input), emitted as leaves.
    pub dangling: usize,
    /// Total weight of the tree (before the unit scale).
    pub tree_total: f64,
    /// Sum of the self costs in the graph (before the unit scale).
    pub self_total: f64,
}

/// One event to expand: its index in the graph, its id in the builder and the factor from graph
/// costs to the event's unit (e.g. 1e9 for seconds to nanoseconds).
#[derive(Clone, Copy, Debug)]
pub struct EventTarget {
    /// Event index in the [`CallGraph`].
    pub graph_event: usize,
    /// Event in the builder.
    pub event: EventId,
    /// Multiplier applied to every emitted weight.
    pub scale: f64,
}

/// Expands every event of `targets` into samples (no timestamps) of `thread` in `builder`.
pub fn expand(
    graph: &CallGraph,
    targets: &[EventTarget],
    builder: &mut ProfileBuilder,
    thread: ThreadId,
    limits: ExpandLimits,
) -> Vec<ExpandReport> {
    let adj = Adjacency::new(graph);
    let mut frames: Vec<Option<FrameId>> = vec![None; graph.functions().len()];
    let mut out = Vec::with_capacity(targets.len());
    for t in targets {
        let costs = EventCosts::new(graph, &adj, t.graph_event);
        let grand: f64 = costs.roots.iter().map(|&(_, w)| w).sum();
        let mut threshold = limits.min_fraction * grand;
        let mut fraction = limits.min_fraction;
        // Raise the threshold until the tree fits (counting stops as soon as it does not).
        while fraction < 1.0 {
            let mut count = Walk::count(limits.max_nodes);
            if walk(graph, &adj, &costs, threshold, &mut count) {
                break;
            }
            threshold *= 10.0;
            fraction *= 10.0;
        }
        let mut pending: Vec<(StackId, FnId, f64)> = Vec::new();
        let mut emit = Walk::Emit {
            builder: &mut *builder,
            frames: &mut frames,
            pending: &mut pending,
            hard_cap: limits.max_nodes,
        };
        let mut report = ExpandReport {
            pruned_below: fraction,
            coarsened: fraction > limits.min_fraction * 1.5,
            tree_total: grand,
            self_total: graph.total_self(t.graph_event),
            ..ExpandReport::default()
        };
        walk_report(graph, &adj, &costs, threshold, &mut emit, &mut report);
        if report.recursive_edges_cut > 0 {
            let affected = super::recursion::affected(graph, &adj, t.graph_event);
            super::recursion::renormalise(
                graph,
                t.graph_event,
                &affected,
                &mut pending,
                builder,
                &mut frames,
            );
            report.tree_total = pending.iter().map(|p| p.2).sum();
        }
        for (stack, _, w) in pending {
            if w > 0.0 {
                builder.sample(thread, t.event, None, stack, w * t.scale);
            }
        }
        out.push(report);
    }
    out
}

/// Outgoing edges per function (CSR, edges in first-seen order).
pub(super) struct Adjacency {
    start: Vec<usize>,
    edges: Vec<usize>,
}

impl Adjacency {
    fn new(graph: &CallGraph) -> Self {
        let n = graph.functions().len();
        let mut start = vec![0usize; n + 1];
        for e in graph.edges() {
            start[e.caller.0 as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut edges = vec![0usize; graph.edges().len()];
        for (i, e) in graph.edges().iter().enumerate() {
            let slot = &mut fill[e.caller.0 as usize];
            edges[*slot] = i;
            *slot += 1;
        }
        Adjacency { start, edges }
    }

    pub(super) fn out(&self, f: FnId) -> &[usize] {
        let i = f.0 as usize;
        &self.edges[self.start[i]..self.start[i + 1]]
    }
}

/// Per-event totals and roots.
struct EventCosts {
    event: usize,
    total: Vec<f64>,
    roots: Vec<(FnId, f64)>,
}

impl EventCosts {
    fn new(graph: &CallGraph, adj: &Adjacency, event: usize) -> Self {
        let n = graph.functions().len();
        let mut total = vec![0.0; n];
        let mut inbound = vec![0.0; n];
        let mut magnitude = 0.0;
        for (i, t) in total.iter_mut().enumerate() {
            let f = FnId(i as u32);
            *t = graph.self_cost(f, event).max(0.0);
            for &e in adj.out(f) {
                let c = graph.call_cost(e, event).max(0.0);
                *t += c;
                inbound[graph.edges()[e].callee.0 as usize] += c;
            }
            magnitude += *t;
        }
        // Rounding residue of float inputs (pstats) must not create roots.
        let eps = magnitude * 1e-12;
        let roots = match graph.given_roots(event) {
            Some(given) => given.into_iter().filter(|&(_, w)| w > 0.0).collect(),
            None => (0..n)
                .map(|i| (FnId(i as u32), total[i] - inbound[i]))
                .filter(|&(_, w)| w > eps)
                .collect(),
        };
        EventCosts {
            event,
            total,
            roots,
        }
    }
}

/// What the walk does with nodes: count them (up to a cap) or emit them as samples.
enum Walk<'a> {
    Count {
        nodes: usize,
        cap: usize,
    },
    Emit {
        builder: &'a mut ProfileBuilder,
        frames: &'a mut Vec<Option<FrameId>>,
        /// `(stack, function, self weight)` per node, pushed to the builder after the walk.
        pending: &'a mut Vec<(StackId, FnId, f64)>,
        hard_cap: usize,
    },
}

impl Walk<'_> {
    fn count(cap: usize) -> Self {
        Walk::Count { nodes: 0, cap }
    }

    /// The stack `parent;f` (a placeholder when counting).
    fn node(&mut self, graph: &CallGraph, parent: StackId, f: FnId) -> StackId {
        match self {
            Walk::Count { nodes, .. } => {
                *nodes += 1;
                parent
            }
            Walk::Emit {
                builder, frames, ..
            } => {
                let frame = frame_of(graph, builder, frames, f);
                builder.stack(parent, frame)
            }
        }
    }

    fn weight(&mut self, stack: StackId, f: FnId, w: f64) {
        if let Walk::Emit { pending, .. } = self
            && w > 0.0
        {
            pending.push((stack, f, w));
        }
    }

    /// False once a count exceeds its cap (the walk stops).
    fn within_cap(&self) -> bool {
        match self {
            Walk::Count { nodes, cap } => nodes <= cap,
            Walk::Emit { .. } => true,
        }
    }

    /// True when an emitting walk has reached its hard node cap (further calls become leaves).
    fn full(&self, nodes: usize) -> bool {
        matches!(self, Walk::Emit { hard_cap, .. } if nodes >= *hard_cap)
    }
}

pub(super) fn frame_of(
    graph: &CallGraph,
    builder: &mut ProfileBuilder,
    frames: &mut [Option<FrameId>],
    f: FnId,
) -> FrameId {
    if let Some(Some(id)) = frames.get(f.0 as usize) {
        return *id;
    }
    let func = graph.functions()[f.0 as usize];
    let frame = Frame {
        name: builder.intern(graph.name(func.name)),
        module: func.module.map(|m| builder.intern(graph.name(m))),
        file: func.file.map(|m| builder.intern(graph.name(m))),
        line: func.line,
        column: 0,
        kind: bigflame_model::FrameKind::User,
    };
    let id = builder.frame(frame);
    if let Some(slot) = frames.get_mut(f.0 as usize) {
        *slot = Some(id);
    }
    id
}

/// Counting walk: true when the tree fits in the cap.
fn walk(
    graph: &CallGraph,
    adj: &Adjacency,
    costs: &EventCosts,
    threshold: f64,
    sink: &mut Walk<'_>,
) -> bool {
    let mut report = ExpandReport::default();
    walk_report(graph, adj, costs, threshold, sink, &mut report);
    sink.within_cap()
}

struct Open {
    f: FnId,
    ratio: f64,
    stack: StackId,
    next: usize,
    self_acc: f64,
}

fn walk_report(
    graph: &CallGraph,
    adj: &Adjacency,
    costs: &EventCosts,
    threshold: f64,
    sink: &mut Walk<'_>,
    report: &mut ExpandReport,
) {
    let n = graph.functions().len();
    let mut on_path = vec![false; n];
    let mut cut_edges = vec![false; graph.edges().len()];
    let mut path: Vec<Open> = Vec::new();
    let event = costs.event;
    // Opens a node of `f` with weight `w`: calls back into the path are left out of the share.
    let open = |f: FnId,
                w: f64,
                parent: StackId,
                sink: &mut Walk<'_>,
                on_path: &mut [bool],
                cut_edges: &mut [bool],
                report: &mut ExpandReport| {
        let stack = sink.node(graph, parent, f);
        on_path[f.0 as usize] = true;
        let mut cut = 0.0;
        for &e in adj.out(f) {
            let cost = graph.call_cost(e, event);
            if cost > 0.0 && on_path[graph.edges()[e].callee.0 as usize] {
                cut += cost;
                if !cut_edges[e] {
                    cut_edges[e] = true;
                    report.recursive_edges_cut += 1;
                }
            }
        }
        let share = costs.total[f.0 as usize] - cut;
        let (ratio, self_acc) = if share > 0.0 {
            (w / share, graph.self_cost(f, event).max(0.0) * (w / share))
        } else {
            (0.0, w)
        };
        Open {
            f,
            ratio,
            stack,
            next: 0,
            self_acc,
        }
    };
    for &(root, w) in &costs.roots {
        path.push(open(
            root,
            w,
            StackId::EMPTY,
            sink,
            &mut on_path,
            &mut cut_edges,
            report,
        ));
        report.nodes += 1;
        while let Some(top) = path.last_mut() {
            if !sink.within_cap() {
                return;
            }
            let out = adj.out(top.f);
            if top.next < out.len() {
                let e = out[top.next];
                top.next += 1;
                let cost = graph.call_cost(e, event);
                if cost <= 0.0 {
                    continue;
                }
                let callee = graph.edges()[e].callee;
                let cw = cost * top.ratio;
                if on_path[callee.0 as usize] {
                    continue; // left out of the share when the node was opened
                }
                let parent = top.stack;
                let no_cost = costs.total[callee.0 as usize] <= 0.0;
                if no_cost || cw < threshold || sink.full(report.nodes) {
                    if no_cost {
                        report.dangling += 1;
                    } else {
                        report.pruned += 1;
                    }
                    let leaf = sink.node(graph, parent, callee);
                    report.nodes += 1;
                    sink.weight(leaf, callee, cw);
                    continue;
                }
                let child = open(
                    callee,
                    cw,
                    parent,
                    sink,
                    &mut on_path,
                    &mut cut_edges,
                    report,
                );
                report.nodes += 1;
                path.push(child);
            } else {
                sink.weight(top.stack, top.f, top.self_acc);
                on_path[top.f.0 as usize] = false;
                path.pop();
            }
        }
    }
}
