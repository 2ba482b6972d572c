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
//! same parts without recursion. Big profiles take the fast path of [`super::bulk`].

use super::bulk::{IntIter, find_key_array};
use super::v8::{Class, NodeIndex};
use super::v8::{HasId, frame_of};
use super::{Val, file_name, with_document, with_document_blanked};
use crate::driver::ImportOptions;
use crate::error::ImportError;
use bigflame_model::{
    EventId, FrameId, Profile, ProfileBuilder, ProfileMeta, StackId, ThreadId, ThreadKey,
    WeightUnit,
};
use std::cell::Cell;

/// Imports a `.cpuprofile` document.
pub(crate) fn import(
    data: &[u8],
    path: &str,
    _opts: &ImportOptions,
) -> Result<Profile, ImportError> {
    if let Some(profile) = import_fast(data, path) {
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

/// The fast path ([`super::bulk`]): simd-json parses the document without the `samples` and
/// `timeDeltas` bodies, which the integer loop reads straight from the input in parallel. `None`
/// means "take the plain path" (which also reports any error with its line).
fn import_fast(data: &[u8], path: &str) -> Option<Profile> {
    let s = find_key_array(data, "samples")?;
    let d = find_key_array(data, "timeDeltas")?;
    if s.1 >= d.0 && d.1 >= s.0 {
        return None;
    }
    // Two cores: the document (nodes) and the run-length encoded samples on one, the deltas on the
    // other. Runs are ~5x fewer than samples in real recordings, so they are cheap to keep.
    let ((doc, runs), deltas) = rayon::join(
        || {
            let doc = with_document_blanked(data, &[s, d], path, |root| {
                let blanked = |k: &str| root.get(k).is_some_and(|v| v.is_array() && v.len() == 0);
                if !blanked("samples") || !blanked("timeDeltas") {
                    return Err(ImportError::invalid(path, "fast path not applicable"));
                }
                read_document(root, path)
            });
            (doc, sample_runs(&data[s.0 + 1..s.1]))
        },
        || {
            let body = &data[d.0 + 1..d.1];
            let valid = Cell::new(true);
            let mut deltas = Vec::with_capacity(body.len() / 3);
            deltas.extend(IntIter::<f64>::new(body, &valid));
            valid.get().then_some(deltas)
        },
    );
    let (mut b, parts) = doc.ok()?;
    let (runs, deltas) = (runs?, deltas?);
    let (thread, event) = target(&mut b, path);
    let samples = runs
        .iter()
        .flat_map(|&(id, n)| std::iter::repeat_n(id, n as usize));
    parts.emit_from(&mut b, thread, event, samples, deltas.iter().copied());
    Some(b.finish(ProfileMeta::default()))
}

/// The samples as (node id, repeat count) runs, or `None` when the array is not plain integers
/// (the plain path then reports the problem with its line).
fn sample_runs(body: &[u8]) -> Option<Vec<(i64, u32)>> {
    let valid = Cell::new(true);
    let mut runs: Vec<(i64, u32)> = Vec::new();
    for id in IntIter::<i64>::new(body, &valid) {
        match runs.last_mut() {
            Some((last, n)) if *last == id && *n < u32::MAX => *n += 1,
            _ => runs.push((id, 1)),
        }
    }
    valid.get().then_some(runs)
}

/// Reads a parsed `.cpuprofile` (either layout) into a builder and its parts.
fn read_document(root: Val<'_, '_>, path: &str) -> Result<(ProfileBuilder, CpuParts), ImportError> {
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
fn target(b: &mut ProfileBuilder, path: &str) -> (ThreadId, EventId) {
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
        let samples = self.samples.iter().copied();
        self.emit_from(b, thread, event, samples, self.deltas.iter().copied())
    }

    /// [`CpuParts::emit`] with the samples and deltas streamed from iterators (the fast path
    /// decodes them without the tape). Each run of one node becomes one sample, emitted once the
    /// next run starts and its length is known.
    pub(crate) fn emit_from(
        &self,
        b: &mut ProfileBuilder,
        thread: ThreadId,
        event: EventId,
        samples: impl Iterator<Item = i64>,
        mut deltas: impl Iterator<Item = f64>,
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
        let mut non_idle = 0;
        // The run being timed: its stack and start (µs from startTime).
        let mut pending: Option<(StackId, f64)> = None;
        let mut push = |b: &mut ProfileBuilder, (stack, at): (StackId, f64), next: f64| {
            let time = ((self.start_time + at) * 1e3).max(0.0).round() as u64;
            b.sample(thread, event, Some(time), stack, (next - at).max(0.0) * 1e3);
            non_idle += usize::from(!stack.is_empty());
        };
        let mut elapsed = deltas.next().unwrap_or(0.0);
        let mut last_valid = elapsed;
        let mut last_id = None;
        let mut samples = samples.peekable();
        while let Some(id) = samples.next() {
            if last_id != Some(id) {
                // Only the start of a run moves the clock forward (speedscope's rule).
                let at = elapsed.max(last_valid);
                last_valid = at;
                if let Some(k) = index.get(id) {
                    let node = self.nodes[k];
                    let stack = if node.class == Class::OnTop {
                        b.stack(pending.map_or(StackId::EMPTY, |p| p.0), node.frame)
                    } else {
                        self.stack_of(b, k, &parent, &mut memo)
                    };
                    if let Some(p) = pending {
                        push(b, p, at);
                    }
                    pending = Some((stack, at));
                }
            }
            if samples.peek().is_some() {
                elapsed += deltas.next().unwrap_or(0.0);
                last_id = Some(id);
            }
        }
        if let Some(p) = pending {
            push(b, p, elapsed.max(last_valid));
        }
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
