//! Trace Event Format JSON (chrome://tracing, Perfetto's JSON export, Hermes, DevTools exports).
//!
//! Why one entry point for three layouts: all of them are "a list of events", either the whole
//! document (`[...]`) or `traceEvents` of an object, and sniffing cannot tell them apart cheaply.
//! The content decides, in speedscope's order:
//!
//! 1. events named `Profile`, `ProfileChunk` or `CpuProfile` carry V8 CPU samples (a DevTools
//!    Performance-panel export): [`super::timeline`] imports them and ignores the rest;
//! 2. an object with `samples` and `stackFrames` (Hermes) is sampled: `super::trace_sampled`;
//! 3. otherwise `B`/`E`/`X` duration events become evented samples, one thread per pid/tid, here.
//!
//! A trace cut off mid-array imports what is complete (see [`super::truncated`]) with a note.
//!
//! Big traces are parsed in pieces on all cores ([`super::trace_split`]) and read into compact
//! per-piece tables ([`super::trace_piece`]); the whole-document parse reads its list as one piece,
//! so both give the same profile, merged and replayed here.
//!
//! Duration events follow speedscope's documented rules, because real traces break nesting in ways
//! a viewer must settle the same way for both tools to agree: begins are taken in time order
//! (file order on ties), `X` events become a begin and an end (longer first on equal start); at
//! equal times an end that matches the innermost open frame (by name and args, then by name) goes
//! first, and a begin goes before an end only when they are the same event (zero duration); an end
//! whose name differs from the innermost open frame is ignored, one with the same name but other
//! args closes it; frames still open at the end close at the last timestamp. A frame is
//! `name + " " + JSON.stringify(args)`, or for Hermes traces the name with the file, line and column
//! from `args`. Timestamps are microseconds.

use super::trace_piece::{
    Compact, KeyInfo, Meta, NO_NAME, NameInfo, Piece, intern_by_hash, is_cpu_profile_name,
    read_events,
};
use super::truncated::complete_truncated;
use super::{Val, timeline, trace_sampled, trace_split, with_document};
use crate::driver::ImportOptions;
use crate::error::ImportError;
use crate::evented::{EventedStack, EventedTarget};
use bigflame_model::{
    FastMap, Frame, FrameId, Profile, ProfileBuilder, ProfileMeta, ThreadKey, WeightUnit,
};
use hashbrown::HashTable;
use rayon::prelude::*;

/// Imports a Trace Event document (array or object form, possibly truncated).
pub(crate) fn import(
    data: &[u8],
    path: &str,
    opts: &ImportOptions,
) -> Result<Profile, ImportError> {
    if let Some(profile) = trace_split::import_parallel(data, opts) {
        return Ok(profile);
    }
    import_whole(data, path)
}

/// The whole document on one tape: every layout, errors with their line, truncated traces.
pub(crate) fn import_whole(data: &[u8], path: &str) -> Result<Profile, ImportError> {
    match with_document(data, path, |root| build(root, path)) {
        Err(err @ ImportError::Parse { .. }) => {
            let Some(fixed) = complete_truncated(data) else {
                return Err(err);
            };
            let Ok(mut profile) = with_document(&fixed, path, |root| build(root, path)) else {
                return Err(err);
            };
            profile.meta.notes.push(format!(
                "the trace is cut off (the Trace Event format allows it); imported the events \
                 complete before the cut ({err})"
            ));
            Ok(profile)
        }
        other => other,
    }
}

fn build(root: Val<'_, '_>, path: &str) -> Result<Profile, ImportError> {
    let events = if root.is_array() {
        root
    } else if let Some(list) = root.get("traceEvents").filter(Val::is_array) {
        list
    } else {
        return Err(ImportError::invalid(
            path,
            format!(
                "a trace is an array of events or an object with \"traceEvents\", found {}",
                root.kind()
            ),
        ));
    };
    let is_cpu_profile_event =
        |e: Val<'_, '_>| is_cpu_profile_name(e.get("name").and_then(|v| v.str()));
    if events.items().any(is_cpu_profile_event) {
        return timeline::import_events(events, path);
    }
    if root.is_object() && root.get("samples").is_some() && root.get("stackFrames").is_some() {
        return trace_sampled::import(root, events, path);
    }
    let hermes = root.is_array()
        && events
            .items()
            .next()
            .and_then(|e| e.get("args"))
            .is_some_and(is_hermes_args);
    durations(events, hermes)
}

/// speedscope's test for Hermes `args` (they carry the source position of the frame).
pub(crate) fn is_hermes_args(args: Val<'_, '_>) -> bool {
    [
        "line",
        "column",
        "name",
        "category",
        "url",
        "params",
        "allocatedCategory",
        "allocatedName",
    ]
    .iter()
    .all(|k| args.get(k).is_some())
}

/// The fields of one event that matter here.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ev<'t, 'i> {
    pub(crate) ph: u8,
    pub(crate) pid: i64,
    pub(crate) tid: i64,
    pub(crate) ts: Option<f64>,
    pub(crate) name: Option<&'i str>,
    pub(crate) args: Option<Val<'t, 'i>>,
    pub(crate) dur: Option<f64>,
    /// The first `name` if it is a string (what a lookup by key sees; `name` is the last).
    pub(crate) first_name: Option<&'i str>,
}

impl<'t, 'i> Ev<'t, 'i> {
    /// Reads an event in one pass over its keys.
    pub(crate) fn read(v: Val<'t, 'i>) -> Self {
        let mut ev = Ev {
            ph: 0,
            pid: 0,
            tid: 0,
            ts: None,
            name: None,
            args: None,
            dur: None,
            first_name: None,
        };
        let mut tdur = None;
        let mut named = false;
        for (k, x) in v.entries() {
            match k {
                "ph" => ev.ph = x.str().and_then(|s| s.bytes().next()).unwrap_or(0),
                "pid" => ev.pid = x.number_like().map_or(0, |n| n as i64),
                "tid" => ev.tid = x.number_like().map_or(0, |n| n as i64),
                "ts" => ev.ts = x.number_like(),
                "name" => {
                    ev.name = x.str();
                    if !named {
                        ev.first_name = ev.name;
                        named = true;
                    }
                }
                "args" => ev.args = Some(x),
                "dur" => ev.dur = x.number_like(),
                "tdur" => tdur = x.number_like(),
                _ => {}
            }
        }
        ev.dur = ev.dur.or(tdur);
        ev
    }
}

/// Process and thread names from `M` metadata events.
#[derive(Default, Debug)]
pub(crate) struct Names {
    process: FastMap<i64, String>,
    thread: FastMap<(i64, i64), String>,
}

impl Names {
    pub(crate) fn record(&mut self, ev: &Ev<'_, '_>) {
        if ev.ph != b'M' {
            return;
        }
        let Some(name) = ev.args.and_then(|a| a.get("name")).filter(|n| n.truthy()) else {
            return;
        };
        let name = name.str().map_or_else(|| "?".to_string(), str::to_string);
        match ev.name {
            Some("process_name") => {
                self.process.insert(ev.pid, name);
            }
            Some("thread_name") => {
                self.thread.insert((ev.pid, ev.tid), name);
            }
            _ => {}
        }
    }

    /// Applies a metadata record read by [`super::trace_piece`].
    pub(crate) fn apply(&mut self, meta: &Meta) {
        match meta {
            Meta::Process(pid, name) => {
                self.process.insert(*pid, name.clone());
            }
            Meta::Thread(pid, tid, name) => {
                self.thread.insert((*pid, *tid), name.clone());
            }
        }
    }

    /// The bigflame thread of a pid/tid pair, named after its thread and process names.
    pub(crate) fn thread(&self, b: &mut ProfileBuilder, pid: i64, tid: i64) -> ThreadKey {
        let name = match (self.process.get(&pid), self.thread.get(&(pid, tid))) {
            (Some(p), Some(t)) => format!("{t} ({p})"),
            (Some(p), None) => p.clone(),
            (None, Some(t)) => t.clone(),
            (None, None) => "thread".to_string(),
        };
        ThreadKey {
            pid: u32::try_from(pid).ok(),
            tid: u32::try_from(tid).ok(),
            name: b.intern(&name),
        }
    }
}

/// A begin or end in one of the two queues: time, frame key id, and the event's name id.
#[derive(Clone, Copy, Debug)]
struct Edge {
    ts: f64,
    key: u32,
    name: u32,
}

/// The duration events of one document read whole (one piece).
fn durations(events: Val<'_, '_>, hermes: bool) -> Result<Profile, ImportError> {
    Ok(durations_of(vec![read_events(events.items(), hermes)]))
}

/// Replays the duration events of `pieces` (consecutive parts of one event list, in order): their
/// tables are merged into global key and name ids, threads are sorted by (pid, tid) as speedscope
/// lists them, frames are made on first use in that order.
pub(crate) fn durations_of(pieces: Vec<Piece>) -> Profile {
    let mut names = Names::default();
    for m in pieces.iter().flat_map(|p| &p.meta) {
        names.apply(m);
    }
    let origin = pieces
        .iter()
        .map(|p| p.min_ts)
        .fold(f64::INFINITY, f64::min);
    // Global ids: keys and names by text, in piece order (looked up by the pieces' hashes).
    let mut key_ids: HashTable<u32> = HashTable::new();
    let mut keys: Vec<&KeyInfo> = Vec::new();
    let mut name_ids: HashTable<u32> = HashTable::new();
    let mut names_seen: Vec<&NameInfo> = Vec::new();
    let mut thread_index: FastMap<(i64, i64), usize> = FastMap::default();
    let mut threads: Vec<((i64, i64), Vec<Compact>)> = Vec::new();
    for p in &pieces {
        let key_map: Vec<u32> = p
            .keys
            .iter()
            .map(|k| intern_by_hash(&mut key_ids, &mut keys, &k.text, k.hash, key_parts, |_| k))
            .collect();
        let name_map: Vec<u32> = p
            .names
            .iter()
            .map(|n| {
                intern_by_hash(
                    &mut name_ids,
                    &mut names_seen,
                    &n.text,
                    n.hash,
                    name_parts,
                    |_| n,
                )
            })
            .collect();
        for (tid, evs) in &p.threads {
            let k = *thread_index.entry(*tid).or_insert_with(|| {
                threads.push((*tid, Vec::new()));
                threads.len() - 1
            });
            threads[k].1.extend(evs.iter().map(|e| Compact {
                key: key_map[e.key as usize],
                name: if e.name == NO_NAME {
                    NO_NAME
                } else {
                    name_map[e.name as usize]
                },
                ..*e
            }));
        }
    }
    threads.sort_by_key(|(key, _)| *key);
    let mut b = ProfileBuilder::new();
    let event = b.event("time", WeightUnit::Nanoseconds);
    // The begin and end queues of the threads are sorted on the pool while this thread makes the
    // threads and their frames (in file order within a thread, as the events are met).
    let (queued, (targets, frames)) = rayon::join(
        || {
            threads
                .par_iter()
                .map(|(_, evs)| queues(evs, origin))
                .collect::<Vec<_>>()
        },
        || {
            let mut frames: Vec<Option<FrameId>> = vec![None; keys.len()];
            let targets: Vec<EventedTarget> = threads
                .iter()
                .map(|((pid, tid), evs)| {
                    let key = names.thread(&mut b, *pid, *tid);
                    let thread = b.thread(key);
                    for e in evs {
                        let (slot, key) = (&mut frames[e.key as usize], keys[e.key as usize]);
                        if slot.is_none() {
                            *slot = Some(make_frame(&mut b, key));
                        }
                    }
                    EventedTarget {
                        thread,
                        event,
                        to_ns: 1e3,
                        to_weight: 1e3,
                    }
                })
                .collect();
            (targets, frames)
        },
    );
    for (to, (begins, ends)) in targets.iter().zip(queued) {
        replay(&mut b, to, &frames, &begins, ends);
    }
    b.finish(ProfileMeta::default())
}

/// A merged key's text and hash, for [`intern_by_hash`].
fn key_parts<'b>(k: &'b &KeyInfo) -> (&'b str, u64) {
    (&k.text, k.hash)
}

/// A merged name's text and hash, for [`intern_by_hash`].
fn name_parts<'b>(n: &'b &NameInfo) -> (&'b str, u64) {
    (&n.text, n.hash)
}

/// The frame of a key: named after the key, or for Hermes traces after the event's name with the
/// source position from `args`.
fn make_frame(b: &mut ProfileBuilder, key: &KeyInfo) -> FrameId {
    let frame = match &key.hermes {
        Some((name, url, line, column)) => {
            let file = url.as_deref().map(|s| b.intern(s));
            Frame {
                file,
                line: *line,
                column: *column,
                ..Frame::named(b.intern(name))
            }
        }
        None => Frame::named(b.intern(&key.text)),
    };
    b.frame(frame)
}

/// The begin and end queues of one thread, each sorted by time (stable).
fn queues(evs: &[Compact], origin: f64) -> (Vec<Edge>, Vec<Edge>) {
    let mut begins = Vec::new();
    let mut ends = Vec::new();
    let mut xs = Vec::new();
    for ev in evs {
        let edge = Edge {
            ts: ev.ts - origin,
            key: ev.key,
            name: ev.name,
        };
        match ev.ph {
            b'B' => begins.push(edge),
            b'E' => ends.push(edge),
            _ => xs.push((edge.ts, ev.dur, edge)),
        }
    }
    // Equal starts: the longer one first (a longer event cannot nest in a shorter one).
    xs.par_sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
    for (ts, dur, edge) in xs {
        begins.push(edge);
        ends.push(Edge {
            ts: ts + dur,
            ..edge
        });
    }
    rayon::join(
        || begins.par_sort_by(|a, b| a.ts.total_cmp(&b.ts)),
        || ends.par_sort_by(|a, b| a.ts.total_cmp(&b.ts)),
    );
    (begins, ends)
}

/// Replays the two queues of one thread into evented samples.
fn replay(
    b: &mut ProfileBuilder,
    to: &EventedTarget,
    frames: &[Option<FrameId>],
    begins: &[Edge],
    mut ends: Vec<Edge>,
) {
    let mut open = EventedStack::new();
    let mut stack: Vec<Edge> = Vec::new();
    let (mut bi, mut ei) = (0, 0);
    let mut last = 0.0;
    while bi < begins.len() || ei < ends.len() {
        let take_begin = match (begins.get(bi), ends.get(ei)) {
            (Some(_), None) => true,
            (None, _) => false,
            (Some(bf), Some(ef)) => bf.ts < ef.ts || (bf.ts == ef.ts && bf.key == ef.key),
        };
        if take_begin {
            let edge = begins[bi];
            bi += 1;
            last = edge.ts;
            // Every key of the thread has its frame (made before the replay).
            if let Some(frame) = frames[edge.key as usize] {
                open.open(b, to, edge.ts, frame);
            }
            stack.push(edge);
            continue;
        }
        if let Some(top) = stack.last() {
            let front = ends[ei].ts;
            let same_time = |e: &&Edge| e.ts <= front;
            let rest = ends[ei + 1..].iter().take_while(same_time);
            let pick = rest
                .clone()
                .position(|e| e.key == top.key)
                .or_else(|| rest.clone().position(|e| e.name == top.name));
            if let Some(p) = pick {
                ends.swap(ei, ei + 1 + p);
            }
        }
        let edge = ends[ei];
        ei += 1;
        // An end whose name differs from the innermost frame is ignored (so is one with nothing
        // open); the same name with other args closes the innermost frame.
        if stack.last().is_some_and(|top| top.name == edge.name) {
            stack.pop();
            last = edge.ts;
            open.close(b, to, edge.ts);
        }
    }
    open.finish(b, to, last);
}
