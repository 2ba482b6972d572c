//! Firefox profiles: the DevTools performance panel export (Firefox 59-63: `{label, duration,
//! profile: {threads, libs, meta}}`) and the raw Gecko profile it embeds (`{meta, libs, threads,
//! processes}`, also what `about:profiling`'s "save raw profile" and the Gecko profiler API write).
//!
//! Why these rules: each thread has a `stringTable`, a `frameTable` (its `location` column names a
//! string like `render (https://x/app.js:12:5)`), a `stackTable` (prefix + frame: a prefix tree) and
//! `samples` (stack + time in ms), each table as `{schema: {column: index}, data: [rows]}`. As in
//! speedscope:
//!
//! * only frames whose location reads `NAME (FILE[:LINE[:COL]])` are kept; C++ pseudo-frames
//!   (`XRE_InitChildProcess`, `(root)`) and Firefox's own JavaScript (`resource:` URLs and
//!   `self-hosted`) are dropped, and the stack closes over the gap;
//! * a sample's stack lasts from its time to the next sample's time (speedscope's call-tree
//!   replay), so the weight is time in nanoseconds, and a sample whose frames are all dropped is
//!   idle time;
//! * the last sample's stack has no end, so it counts zero (its frames still exist).
//!
//! Every thread is imported (speedscope keeps only `GeckoMain` when there are several); processes
//! nested in `processes` are walked with an explicit stack.

use crate::driver::ImportOptions;
use crate::error::ImportError;
use crate::evented::{EventedStack, EventedTarget};
use crate::json::{Val, with_document};
use bigflame_model::{
    EventId, FastMap, Frame, FrameId, Profile, ProfileBuilder, ProfileMeta, SkipReason, ThreadKey,
    WeightUnit,
};

/// A parsed location: name, file, line, column.
#[derive(Debug, PartialEq)]
pub(crate) struct Location<'a> {
    pub name: &'a str,
    pub file: &'a str,
    pub line: u32,
    pub column: u32,
}

/// Parses `NAME (FILE[:LINE[:COL]])`; `None` for other shapes and for Firefox's own code.
pub(crate) fn parse_location(text: &str) -> Option<Location<'_>> {
    let body = text.strip_suffix(')')?;
    // The last "(" preceded by whitespace opens the file part (names may contain parentheses).
    let open = body
        .char_indices()
        .rev()
        .find(|&(i, c)| c == '(' && body[..i].ends_with(char::is_whitespace))
        .map(|(i, _)| i)?;
    let name_end = body[..open]
        .char_indices()
        .next_back()
        .map_or(0, |(i, _)| i);
    let name = &body[..name_end];
    let inner = &body[open + 1..];
    // FILE:LINE:COL, FILE:LINE or FILE.
    let mut file = inner;
    let mut nums = Vec::new();
    for _ in 0..2 {
        match file.rsplit_once(':') {
            Some((f, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                nums.push(n.parse::<u32>().unwrap_or(0));
                file = f;
            }
            _ => break,
        }
    }
    let (line, column) = match nums.as_slice() {
        [col, line] => (*line, *col),
        [line] => (*line, 0),
        _ => (0, 0),
    };
    if file.starts_with("resource:") || file == "self-hosted" {
        return None;
    }
    Some(Location {
        name,
        file,
        line,
        column,
    })
}

/// A `{schema, data}` table: the column index of `name`.
fn column(table: Val<'_, '_>, name: &str) -> Option<usize> {
    table
        .get("schema")?
        .get(name)?
        .i64()
        .and_then(|i| usize::try_from(i).ok())
}

fn cell<'t, 'i>(row: Val<'t, 'i>, col: usize) -> Option<Val<'t, 'i>> {
    row.items().nth(col)
}

fn index(v: Option<Val<'_, '_>>) -> Option<usize> {
    v.and_then(|v| v.i64())
        .and_then(|i| usize::try_from(i).ok())
}

/// The distinct frame paths of a thread's stack table, one node per path (hash-consed by parent and
/// frame, so two stacks with the same kept frames share a node).
///
/// Why: a sample's stack is a chain of prefixes as deep as the stack table is long. Walking it per
/// sample and comparing it with the open frames costs O(samples x depth) for an input of
/// O(samples + depth) (a 180 KB chain of 8,000 stacks sampled 8,000 times took 8 s in the fuzz
/// build); with nodes, an unchanged stack costs nothing and a change costs the frames it closes
/// and opens.
#[derive(Default)]
struct StackPaths {
    /// Per node: parent node, frame, depth (number of frames).
    nodes: Vec<(Option<u32>, FrameId, u32)>,
    ids: FastMap<(Option<u32>, FrameId), u32>,
}

impl StackPaths {
    /// The node of `parent`'s path plus `frame`.
    fn child(&mut self, parent: Option<u32>, frame: FrameId) -> u32 {
        let next = self.nodes.len() as u32;
        let depth = self.depth(parent) + 1;
        let nodes = &mut self.nodes;
        *self.ids.entry((parent, frame)).or_insert_with(|| {
            nodes.push((parent, frame, depth));
            next
        })
    }

    fn depth(&self, node: Option<u32>) -> u32 {
        node.map_or(0, |n| self.nodes[n as usize].2)
    }

    fn up(&self, node: Option<u32>) -> Option<u32> {
        node.and_then(|n| self.nodes[n as usize].0)
    }

    /// Going from path `from` to path `to`: returns how many frames close (innermost first) and
    /// sets `opening` to the frames that then open, innermost first. O(frames closed + opened).
    fn change(&self, from: Option<u32>, to: Option<u32>, opening: &mut Vec<FrameId>) -> usize {
        opening.clear();
        let (mut a, mut b) = (from, to);
        let mut closes = 0;
        while self.depth(a) > self.depth(b) {
            a = self.up(a);
            closes += 1;
        }
        while a != b {
            if self.depth(b) > self.depth(a) {
                if let Some(n) = b {
                    opening.push(self.nodes[n as usize].1);
                }
                b = self.up(b);
            } else {
                a = self.up(a);
                closes += 1;
                if let Some(n) = b {
                    opening.push(self.nodes[n as usize].1);
                }
                b = self.up(b);
            }
        }
        closes
    }
}

/// Imports one thread's tables into `b`.
fn import_thread(
    b: &mut ProfileBuilder,
    event: EventId,
    thread: Val<'_, '_>,
    path: &str,
    skipped: &mut bigflame_model::Skipped,
) -> Result<(), ImportError> {
    let tname = thread.get("name").and_then(|v| v.str()).unwrap_or("thread");
    let bad = |what: &str| ImportError::invalid(path, format!("thread {tname:?}: {what}"));
    let strings: Vec<&str> = thread
        .get("stringTable")
        .ok_or_else(|| bad("no \"stringTable\""))?
        .items()
        .map(|s| s.str().unwrap_or(""))
        .collect();
    let (Some(samples), Some(stacks), Some(frames)) = (
        thread.get("samples"),
        thread.get("stackTable"),
        thread.get("frameTable"),
    ) else {
        return Err(bad("needs \"samples\", \"stackTable\" and \"frameTable\""));
    };
    let loc_col = column(frames, "location").ok_or_else(|| bad("frameTable has no location"))?;
    let (Some(prefix_col), Some(frame_col)) = (column(stacks, "prefix"), column(stacks, "frame"))
    else {
        return Err(bad("stackTable needs prefix and frame columns"));
    };
    let (Some(stack_col), Some(time_col)) = (column(samples, "stack"), column(samples, "time"))
    else {
        return Err(bad("samples need stack and time columns"));
    };
    // Frame index -> model frame (None: dropped).
    let mut frame_ids: Vec<Option<FrameId>> = Vec::new();
    for row in frames.get("data").into_iter().flat_map(|d| d.items()) {
        let loc = index(cell(row, loc_col)).and_then(|i| strings.get(i).copied());
        let id = loc.and_then(parse_location).map(|l| {
            let frame = Frame {
                file: (!l.file.is_empty()).then(|| b.intern(l.file)),
                line: l.line,
                column: l.column,
                ..Frame::named(b.intern(l.name))
            };
            b.frame(frame)
        });
        frame_ids.push(id);
    }
    // Stack index -> node of its kept frames (a prefix must come before its stack, so chains end).
    let mut paths = StackPaths::default();
    let mut stack_nodes: Vec<Option<u32>> = Vec::new();
    for (i, row) in stacks
        .get("data")
        .into_iter()
        .flat_map(|d| d.items())
        .enumerate()
    {
        let prefix = index(cell(row, prefix_col))
            .filter(|&p| p < i)
            .and_then(|p| stack_nodes.get(p).copied().flatten());
        let frame = index(cell(row, frame_col)).and_then(|f| frame_ids.get(f).copied().flatten());
        stack_nodes.push(match frame {
            Some(f) => Some(paths.child(prefix, f)),
            None => prefix,
        });
    }
    let key = ThreadKey {
        pid: index(thread.get("pid")).and_then(|p| u32::try_from(p).ok()),
        tid: index(thread.get("tid")).and_then(|p| u32::try_from(p).ok()),
        name: b.intern(tname),
    };
    let to = EventedTarget {
        thread: b.thread(key),
        event,
        to_ns: 1e6,
        to_weight: 1e6,
    };
    let mut ev = EventedStack::new();
    let mut open: Option<u32> = None;
    let mut opening: Vec<FrameId> = Vec::new();
    let mut last = None;
    for (i, row) in samples
        .get("data")
        .into_iter()
        .flat_map(|d| d.items())
        .enumerate()
    {
        let Some(time) = cell(row, time_col).and_then(|t| t.f64()) else {
            skipped.add(
                SkipReason::MalformedSample,
                || format!("{tname} sample {i}"),
                b"no time",
            );
            continue;
        };
        let target = match index(cell(row, stack_col)) {
            None => None,
            Some(s) => match stack_nodes.get(s) {
                Some(&node) => node,
                None => {
                    skipped.add(
                        SkipReason::MalformedSample,
                        || format!("{tname} sample {i}"),
                        b"a stack index past the stackTable",
                    );
                    None
                }
            },
        };
        if target != open {
            let closes = paths.change(open, target, &mut opening);
            for _ in 0..closes {
                ev.close(b, &to, time);
            }
            for &f in opening.iter().rev() {
                ev.open(b, &to, time, f);
            }
            open = target;
        }
        last = Some(time);
    }
    if let Some(t) = last {
        ev.finish(b, &to, t);
    }
    Ok(())
}

/// Imports a Firefox profile (DevTools export or raw Gecko profile).
pub fn import(data: &[u8], path: &str, _opts: &ImportOptions) -> Result<Profile, ImportError> {
    with_document(data, path, |root| {
        let top = match root.get("profile").filter(Val::is_object) {
            Some(p) => p,
            None if root.get("threads").is_some() => root,
            None => {
                return Err(ImportError::invalid(
                    path,
                    "a Firefox profile needs \"threads\" (or a DevTools export's \"profile\")",
                ));
            }
        };
        let mut b = ProfileBuilder::new();
        let event = b.event("time", WeightUnit::Nanoseconds);
        let mut skipped = bigflame_model::Skipped::default();
        let mut todo = vec![top];
        while let Some(profile) = todo.pop() {
            for thread in profile.get("threads").into_iter().flat_map(|t| t.items()) {
                import_thread(&mut b, event, thread, path, &mut skipped)?;
            }
            let subs: Vec<Val> = profile
                .get("processes")
                .into_iter()
                .flat_map(|p| p.items())
                .filter(Val::is_object)
                .collect();
            todo.extend(subs.into_iter().rev());
        }
        Ok(b.finish(ProfileMeta {
            skipped,
            ..ProfileMeta::default()
        }))
    })
}

#[cfg(test)]
#[path = "firefox_tests.rs"]
mod tests;
