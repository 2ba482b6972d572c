//! V8 CPU profiles: `.cpuprofile` files from `node --cpu-prof` and Chrome, and the same data embedded
//! in DevTools traces (see [`super::timeline`]).
//!
//! Why these rules: bigflame must show what speedscope and DevTools show for the same file. A
//! profile is a node tree (`nodes`, each with a `callFrame` and `children` or `parent`), the node hit
//! by each sample (`samples`) and the time from the previous sample (`timeDeltas`, µs; the first is
//! relative to `startTime`). As in speedscope:
//!
//! * consecutive samples of one node are one sample, starting at the first; each sample lasts until
//!   the next one starts, the last one lasts 0 (its frames still exist); a negative delta never
//!   moves time backwards;
//! * `(root)`, `(idle)` and frames from `native dummy.js` are not frames: a stack stops below them,
//!   so an `(idle)` sample is idle time (an empty stack);
//! * `(garbage collector)` and `(program)` are drawn on top of the previous sample's stack (V8 gives
//!   them no caller);
//! * a frame is its function name (or `(anonymous FILE:LINE)`), URL, line and column; V8 counts lines
//!   and columns from 0, bigflame from 1.
//!
//! Node 10's older layout (`head` tree, `timestamps`, `startTime` in seconds) is converted to the
//! same parts without recursion. Big profiles take the parallel fast path of [`super::cpu_fast`].

use super::cpu_fast::import_fast;
use super::v8::{Class, NodeIndex};
use super::v8::{HasId, frame_of};
use super::{Val, file_name, with_document};
use crate::driver::ImportOptions;
use crate::error::ImportError;
use crate::round::round_ns;
use bigflame_model::{
    EventId, FrameId, Profile, ProfileBuilder, ProfileMeta, SampleColumns, StackId, ThreadId,
    ThreadKey, WeightUnit,
};

/// Imports a `.cpuprofile` document.
pub(crate) fn import(
    data: &[u8],
    path: &str,
    opts: &ImportOptions,
) -> Result<Profile, ImportError> {
    if let Some(profile) = import_fast(data, path, opts) {
        return Ok(profile);
    }
    import_plain(data, path)
}

/// The plain path: the whole document on one simd-json tape.
pub(crate) fn import_plain(data: &[u8], path: &str) -> Result<Profile, ImportError> {
    with_document(data, path, |root| {
        let (b, parts) = read_document(root, path)?;
        Ok(finish(b, &parts, path))
    })
}

/// Reads a parsed `.cpuprofile` (either layout) into a builder and its parts.
pub(crate) fn read_document(
    root: Val<'_, '_>,
    path: &str,
) -> Result<(ProfileBuilder, CpuParts), ImportError> {
    if !root.is_object() {
        return Err(ImportError::invalid(
            path,
            format!("a .cpuprofile is a JSON object, found {}", root.kind()),
        ));
    }
    let mut b = ProfileBuilder::new();
    let mut parts = CpuParts::default();
    if let Some(nodes) = root.get("nodes") {
        parts.read_nodes(&mut b, nodes, path)?;
        parts.read_samples(root.get("samples"), root.get("timeDeltas"), path)?;
        parts.start_time = root.get("startTime").and_then(|v| v.f64()).unwrap_or(0.0);
    } else if let Some(head) = root.get("head") {
        parts.read_head_tree(&mut b, head, path)?;
        let start_s = root.get("startTime").and_then(|v| v.f64()).unwrap_or(0.0);
        parts.read_timestamps(root.get("samples"), root.get("timestamps"), start_s, path)?;
    } else {
        return Err(ImportError::invalid(
            path,
            "a .cpuprofile needs \"nodes\" (or Node 10's \"head\")",
        ));
    }
    Ok((b, parts))
}

/// One thread named after the file, one `time` event in nanoseconds.
pub(crate) fn target(b: &mut ProfileBuilder, path: &str) -> (ThreadId, EventId) {
    let name = b.intern(file_name(path));
    let thread = b.thread(ThreadKey {
        pid: None,
        tid: None,
        name,
    });
    (thread, b.event("time", WeightUnit::Nanoseconds))
}

fn finish(mut b: ProfileBuilder, parts: &CpuParts, path: &str) -> Profile {
    let (thread, event) = target(&mut b, path);
    parts.emit(&mut b, thread, event);
    b.finish(ProfileMeta::default())
}

/// The sample column of `thread` x `event`, moved out of the builder (put it back when done).
fn take_column(b: &mut ProfileBuilder, thread: ThreadId, event: EventId) -> SampleColumns {
    let samples = &mut b.threads[thread.index()].samples;
    if samples.len() <= event.index() {
        samples.resize_with(event.index() + 1, SampleColumns::default);
    }
    std::mem::take(&mut samples[event.index()])
}

/// A run of equal consecutive samples: the node id, and the elapsed time at its first sample (µs
/// from `startTime`: the sum of the deltas up to and including that sample's).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Run {
    pub(crate) id: i64,
    pub(crate) at: f64,
}

/// The runs of `samples` (speedscope keeps only a run's first sample) and the elapsed time at the
/// last sample. A missing delta counts as 0, extra deltas are ignored; the sum is taken in file
/// order, one `f64` addition per sample, which the fast path reproduces exactly.
fn runs_of(samples: &[i64], deltas: &[f64]) -> (Vec<Run>, f64) {
    let mut runs: Vec<Run> = Vec::new();
    let mut elapsed = deltas.first().copied().unwrap_or(0.0);
    for (i, &id) in samples.iter().enumerate() {
        if i > 0 {
            elapsed += deltas.get(i).copied().unwrap_or(0.0);
        }
        if runs.last().is_none_or(|r| r.id != id) {
            runs.push(Run { id, at: elapsed });
        }
    }
    (runs, elapsed)
}

#[derive(Clone, Copy, Debug)]
struct CpuNode {
    id: i64,
    parent: Option<i64>,
    frame: FrameId,
    class: Class,
}

/// A CPU profile gathered from one document or from a `Profile` event and its `ProfileChunk`s.
#[derive(Default, Debug)]
pub(crate) struct CpuParts {
    nodes: Vec<CpuNode>,
    /// (parent id, child id) from `children` lists, applied after all nodes are known.
    children: Vec<(i64, i64)>,
    samples: Vec<i64>,
    deltas: Vec<f64>,
    /// `startTime` in µs.
    pub(crate) start_time: f64,
}

impl CpuParts {
    /// Reads a `nodes` array (appending, for `ProfileChunk`s).
    pub(crate) fn read_nodes(
        &mut self,
        b: &mut ProfileBuilder,
        nodes: Val<'_, '_>,
        path: &str,
    ) -> Result<(), ImportError> {
        if !nodes.is_array() {
            return Err(ImportError::invalid(
                path,
                format!("\"nodes\" is {}, not an array", nodes.kind()),
            ));
        }
        self.nodes.reserve(nodes.len());
        for (i, node) in nodes.items().enumerate() {
            let id = node.get("id").and_then(|v| v.i64()).ok_or_else(|| {
                ImportError::invalid(path, format!("nodes[{i}] has no integer \"id\""))
            })?;
            let call_frame = node.get("callFrame").unwrap_or(node);
            let (frame, class) = frame_of(b, call_frame, 1);
            let parent = node.get("parent").and_then(|v| v.i64());
            if let Some(children) = node.get("children") {
                self.children
                    .extend(children.items().filter_map(|c| c.i64()).map(|c| (id, c)));
            }
            self.nodes.push(CpuNode {
                id,
                parent,
                frame,
                class,
            });
        }
        Ok(())
    }

    /// Reads Node 10's nested `head` tree with an explicit stack.
    fn read_head_tree(
        &mut self,
        b: &mut ProfileBuilder,
        head: Val<'_, '_>,
        path: &str,
    ) -> Result<(), ImportError> {
        let mut todo = vec![(head, None)];
        while let Some((node, parent)) = todo.pop() {
            let id = node.get("id").and_then(|v| v.i64()).ok_or_else(|| {
                ImportError::invalid(path, "a node of \"head\" has no integer \"id\"")
            })?;
            // The converter speedscope uses sets the missing column to 0 (1-based: 1).
            let (frame, class) = frame_of(b, node, 1);
            self.nodes.push(CpuNode {
                id,
                parent,
                frame,
                class,
            });
            if let Some(children) = node.get("children") {
                let kids: Vec<_> = children.items().filter(Val::is_object).collect();
                todo.extend(kids.into_iter().rev().map(|c| (c, Some(id))));
            }
        }
        Ok(())
    }

    /// Appends `samples` and `timeDeltas` arrays.
    pub(crate) fn read_samples(
        &mut self,
        samples: Option<Val<'_, '_>>,
        deltas: Option<Val<'_, '_>>,
        path: &str,
    ) -> Result<(), ImportError> {
        if let Some(s) = samples {
            self.samples.reserve(s.len());
            for (i, v) in s.items().enumerate() {
                let id = v.i64().ok_or_else(|| {
                    ImportError::invalid(
                        path,
                        format!("samples[{i}] is {}, not a node id", v.kind()),
                    )
                })?;
                self.samples.push(id);
            }
        }
        if let Some(d) = deltas {
            self.deltas.reserve(d.len());
            for (i, v) in d.items().enumerate() {
                let t = v.f64().ok_or_else(|| {
                    ImportError::invalid(
                        path,
                        format!("timeDeltas[{i}] is {}, not a number", v.kind()),
                    )
                })?;
                self.deltas.push(t);
            }
        }
        Ok(())
    }

    /// Node 10: absolute `timestamps` (µs) and `startTime` in seconds, turned into deltas.
    fn read_timestamps(
        &mut self,
        samples: Option<Val<'_, '_>>,
        stamps: Option<Val<'_, '_>>,
        start_s: f64,
        path: &str,
    ) -> Result<(), ImportError> {
        self.read_samples(samples, None, path)?;
        self.start_time = start_s * 1e6;
        let mut prev = self.start_time;
        for (i, v) in stamps.iter().flat_map(|s| s.items()).enumerate() {
            let t = v.f64().ok_or_else(|| {
                ImportError::invalid(
                    path,
                    format!("timestamps[{i}] is {}, not a number", v.kind()),
                )
            })?;
            self.deltas.push(t - prev);
            prev = t;
        }
        Ok(())
    }

    /// Emits the samples into `thread`/`event`; returns how many have a non-empty stack.
    pub(crate) fn emit(&self, b: &mut ProfileBuilder, thread: ThreadId, event: EventId) -> usize {
        let (runs, end) = runs_of(&self.samples, &self.deltas);
        let n = runs.len();
        self.emit_runs(b, thread, event, runs.into_iter(), n, end)
    }

    /// Emits runs of equal samples (the fast path computes them without a per-sample vector):
    /// each run of one node becomes one sample, emitted once the next run starts and its length is
    /// known; `at_most` bounds the number of runs (for sizing); `end` is the elapsed time at the
    /// last sample, where the last run ends. Only the stacks are worked out in order; times and
    /// weights are computed on all cores and the columns moved into the builder whole.
    pub(crate) fn emit_runs(
        &self,
        b: &mut ProfileBuilder,
        thread: ThreadId,
        event: EventId,
        runs: impl Iterator<Item = Run>,
        at_most: usize,
        end: f64,
    ) -> usize {
        let index = NodeIndex::new(&self.nodes);
        let mut parent: Vec<Option<usize>> = self
            .nodes
            .iter()
            .map(|n| n.parent.and_then(|p| index.get(p)))
            .collect();
        for &(p, c) in &self.children {
            if let (Some(pk), Some(ck)) = (index.get(p), index.get(c)) {
                parent[ck] = Some(pk);
            }
        }
        let mut memo: Vec<Option<StackId>> = vec![None; self.nodes.len()];
        // One pass: the stacks (ids are given in first-use order, and a GC or `(program)` run goes
        // on top of the previous stack), each run's time, and the weight of the run before (it
        // lasts until this one starts). Written straight into the columns: a big profile has
        // millions of runs, and every extra pass over fresh memory costs its page faults.
        let mut stacks: Vec<StackId> = Vec::with_capacity(at_most);
        let mut times: Vec<u64> = Vec::with_capacity(at_most);
        let mut weights: Vec<f64> = Vec::with_capacity(at_most);
        let start_time = self.start_time;
        let mut previous: Option<f64> = None;
        // Time never moves backwards (speedscope's rule): a run starts no earlier than the last.
        let mut last_valid: Option<f64> = None;
        for run in runs {
            let at = last_valid.map_or(run.at, |l| run.at.max(l));
            last_valid = Some(at);
            if let Some(k) = index.get(run.id) {
                let node = self.nodes[k];
                let stack = if node.class == Class::OnTop {
                    b.stack(stacks.last().copied().unwrap_or(StackId::EMPTY), node.frame)
                } else if let Some(s) = memo[k] {
                    s
                } else {
                    self.stack_of(b, k, &parent, &mut memo)
                };
                if let Some(p) = previous {
                    weights.push((at - p).max(0.0) * 1e3);
                }
                previous = Some(at);
                stacks.push(stack);
                times.push(round_ns((start_time + at) * 1e3));
            }
        }
        let end = last_valid.map_or(end, |l| end.max(l));
        if let Some(p) = previous {
            weights.push((end - p).max(0.0) * 1e3);
        }
        let non_idle = stacks.iter().filter(|s| !s.is_empty()).count();
        let mut cols = take_column(b, thread, event);
        if cols.is_empty() {
            cols = SampleColumns {
                time_ns: times,
                stack: stacks,
                weight: weights.into(),
            };
        } else {
            for ((t, s), w) in times.into_iter().zip(stacks).zip(weights) {
                cols.push(Some(t), s, w);
            }
        }
        b.threads[thread.index()].samples[event.index()] = cols;
        non_idle
    }

    /// The stack of node `k`, memoised; walks callers with a loop (bounded, so a parent cycle in a
    /// corrupt file ends).
    fn stack_of(
        &self,
        b: &mut ProfileBuilder,
        k: usize,
        parent: &[Option<usize>],
        memo: &mut [Option<StackId>],
    ) -> StackId {
        let mut chain = Vec::new();
        let mut cur = Some(k);
        let mut base = StackId::EMPTY;
        while let Some(c) = cur {
            if let Some(s) = memo[c] {
                base = s;
                break;
            }
            if self.nodes[c].class == Class::Ignored || chain.len() > self.nodes.len() {
                break;
            }
            chain.push(c);
            cur = parent[c];
        }
        let mut stack = base;
        for &c in chain.iter().rev() {
            stack = b.stack(stack, self.nodes[c].frame);
            memo[c] = Some(stack);
        }
        stack
    }
}

impl HasId for CpuNode {
    fn id(&self) -> i64 {
        self.id
    }
}
