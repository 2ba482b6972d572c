//! Which functions recursion can distort: members of a recursive strongly connected component
//! (several functions calling each other, or one calling itself) and everything they call.
//!
//! Why: the expansion is exact for a recursion-free graph; recursion makes the arcs count nested
//! activations again (callgrind) or only the outermost per pair (cProfile), so the proportional
//! split goes wrong in the recursive functions and below them, and only there are self weights
//! rescaled ([`renormalise`]). Tarjan's algorithm with an explicit stack: graphs from real
//! programs have paths thousands of functions deep.

use super::expand::{Adjacency, frame_of};
use super::{CallGraph, FnId};
use bigflame_model::{FrameId, ProfileBuilder, StackId};

/// `affected[f]`: `f` is in a recursive component of `event`'s graph (edges with a positive cost)
/// or reachable from one.
pub(super) fn affected(graph: &CallGraph, adj: &Adjacency, event: usize) -> Vec<bool> {
    let n = graph.functions().len();
    let callees = |f: usize| {
        adj.out(FnId(f as u32))
            .iter()
            .filter(|&&e| graph.call_cost(e, event) > 0.0)
            .map(|&e| graph.edges()[e].callee.0 as usize)
    };
    const NONE: usize = usize::MAX;
    let mut index = vec![NONE; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut recursive = vec![false; n];
    let mut next_index = 0;
    // (function, position in its callee list)
    let mut work: Vec<(usize, usize)> = Vec::new();
    for start in 0..n {
        if index[start] != NONE {
            continue;
        }
        work.push((start, 0));
        index[start] = next_index;
        low[start] = next_index;
        next_index += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(&(v, pos)) = work.last() {
            let out = adj.out(FnId(v as u32));
            let mut at = pos;
            let mut next = None;
            while at < out.len() {
                let e = out[at];
                at += 1;
                if graph.call_cost(e, event) > 0.0 {
                    next = Some(graph.edges()[e].callee.0 as usize);
                    break;
                }
            }
            if let Some(top) = work.last_mut() {
                top.1 = at;
            }
            if let Some(w) = next {
                if w == v {
                    recursive[v] = true;
                }
                if index[w] == NONE {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut members = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    members.push(w);
                    if w == v {
                        break;
                    }
                }
                if members.len() > 1 {
                    for m in members {
                        recursive[m] = true;
                    }
                }
            }
        }
    }
    // Everything reachable from a recursive function.
    let mut affected = recursive;
    let mut todo: Vec<usize> = (0..n).filter(|&f| affected[f]).collect();
    while let Some(f) = todo.pop() {
        for c in callees(f) {
            if !affected[c] {
                affected[c] = true;
                todo.push(c);
            }
        }
    }
    affected
}

/// After recursion was cut, scales the self weights of each function recursion can distort (in or
/// below a recursive component, see [`affected`]) so that they add up to its self cost in the
/// graph again, and gives such functions the walk never reached their self cost as a root-level
/// stack.
///
/// Why: under mutual recursion the graph counts nested activations in the outer ones' arcs too
/// (cProfile's `exec` → import → `exec`), so the proportional split under-weights everything
/// below the outermost call and over-weights the path that recursed. Which stacks exist is still
/// the expansion's guess; how much each function costs by itself is the file's measurement.
pub(super) fn renormalise(
    graph: &CallGraph,
    event: usize,
    affected: &[bool],
    pending: &mut Vec<(StackId, FnId, f64)>,
    builder: &mut ProfileBuilder,
    frames: &mut [Option<FrameId>],
) {
    let n = graph.functions().len();
    let mut emitted = vec![0.0; n];
    for &(_, f, w) in pending.iter() {
        emitted[f.0 as usize] += w;
    }
    let factor: Vec<f64> = (0..n)
        .map(|i| {
            let own = graph.self_cost(FnId(i as u32), event).max(0.0);
            match (affected.get(i), emitted[i] > 0.0) {
                (Some(true), true) => own / emitted[i],
                _ => 1.0,
            }
        })
        .collect();
    for p in pending.iter_mut() {
        p.2 *= factor[p.1.0 as usize];
    }
    for (i, &done) in emitted.iter().enumerate() {
        let f = FnId(i as u32);
        let own = graph.self_cost(f, event);
        if done == 0.0 && own > 0.0 && affected.get(i) == Some(&true) {
            let frame = frame_of(graph, builder, frames, f);
            let stack = builder.stack(StackId::EMPTY, frame);
            pending.push((stack, f, own));
        }
    }
}
