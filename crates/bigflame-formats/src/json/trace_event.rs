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
//! Duration events follow speedscope's documented rules, because real traces break nesting in ways
//! a viewer must settle the same way for both tools to agree: begins are taken in time order
//! (file order on ties), `X` events become a begin and an end (longer first on equal start); at
//! equal times an end that matches the innermost open frame (by name and args, then by name) goes
//! first, and a begin goes before an end only when they are the same event (zero duration); an end
//! whose name differs from the innermost open frame is ignored, one with the same name but other
//! args closes it; frames still open at the end close at the last timestamp. A frame is
//! `name + " " + JSON.stringify(args)`, or for Hermes traces the name with the file, line and column
//! from `args`. Timestamps are microseconds.

use super::stringify::stringify;
use super::truncated::complete_truncated;
use super::{Val, timeline, trace_sampled, with_document};
use crate::driver::ImportOptions;
use crate::error::ImportError;
use crate::evented::{EventedStack, EventedTarget};
use bigflame_model::{
    FastMap, Frame, FrameId, Profile, ProfileBuilder, ProfileMeta, ThreadKey, WeightUnit,
};

/// Imports a Trace Event document (array or object form, possibly truncated).
pub(crate) fn import(
    data: &[u8],
    path: &str,
    _opts: &ImportOptions,
) -> Result<Profile, ImportError> {
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
    let is_cpu_profile_event = |e: Val<'_, '_>| {
        matches!(
            e.get("name").and_then(|v| v.str()),
            Some("Profile" | "ProfileChunk" | "CpuProfile")
        )
    };
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
fn is_hermes_args(args: Val<'_, '_>) -> bool {
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
        };
        let mut tdur = None;
        for (k, x) in v.entries() {
            match k {
                "ph" => ev.ph = x.str().and_then(|s| s.bytes().next()).unwrap_or(0),
                "pid" => ev.pid = x.number_like().map_or(0, |n| n as i64),
                "tid" => ev.tid = x.number_like().map_or(0, |n| n as i64),
                "ts" => ev.ts = x.number_like(),
                "name" => ev.name = x.str(),
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

/// The B/E/X events of each pid/tid, threads sorted by (pid, tid) as speedscope lists them.
pub(crate) fn partition<'t, 'i>(
    events: Val<'t, 'i>,
    names: &mut Names,
) -> Vec<((i64, i64), Vec<Ev<'t, 'i>>)> {
    let mut index: FastMap<(i64, i64), usize> = FastMap::default();
    let mut threads: Vec<((i64, i64), Vec<Ev<'t, 'i>>)> = Vec::new();
    for v in events.items() {
        let ev = Ev::read(v);
        names.record(&ev);
        if !matches!(ev.ph, b'B' | b'E' | b'X') || ev.ts.is_none() {
            continue;
        }
        let key = (ev.pid, ev.tid);
        let k = *index.entry(key).or_insert_with(|| {
            threads.push((key, Vec::new()));
            threads.len() - 1
        });
        threads[k].1.push(ev);
    }
    threads.sort_by_key(|(key, _)| *key);
    threads
}

/// A begin or end in one of the two queues: time, frame key id, and the event's raw name.
#[derive(Clone, Copy, Debug)]
struct Edge<'i> {
    ts: f64,
    key: u32,
    name: Option<&'i str>,
}

/// Interns frame keys (`name + " " + JSON.stringify(args)`) and their frames.
struct Keys {
    ids: FastMap<String, u32>,
    frames: Vec<FrameId>,
    buf: String,
    hermes: bool,
}

impl Keys {
    fn id(&mut self, b: &mut ProfileBuilder, ev: &Ev<'_, '_>) -> u32 {
        let name = ev.name.unwrap_or("(unnamed)");
        self.buf.clear();
        self.buf.push_str(name);
        if let Some(args) = ev.args.filter(|a| a.truthy()) {
            self.buf.push(' ');
            stringify(args, &mut self.buf);
        }
        if let Some(&id) = self.ids.get(self.buf.as_str()) {
            return id;
        }
        let frame = if self.hermes {
            let args = ev.args;
            let file = args
                .and_then(|a| a.get("url"))
                .and_then(|v| v.str())
                .map(|s| b.intern(s));
            let num = |k: &str| {
                args.and_then(|a| a.get(k))
                    .and_then(|v| v.number_like())
                    .map_or(0, |v| v.clamp(0.0, f64::from(u32::MAX)) as u32)
            };
            let name = b.intern(name);
            Frame {
                file,
                line: num("line"),
                column: num("column"),
                ..Frame::named(name)
            }
        } else {
            Frame::named(b.intern(&self.buf))
        };
        let id = self.frames.len() as u32;
        self.frames.push(b.frame(frame));
        self.ids.insert(self.buf.clone(), id);
        id
    }
}

fn durations(events: Val<'_, '_>, hermes: bool) -> Result<Profile, ImportError> {
    let mut names = Names::default();
    let threads = partition(events, &mut names);
    let origin = threads
        .iter()
        .flat_map(|(_, evs)| evs.iter().filter_map(|e| e.ts))
        .fold(f64::INFINITY, f64::min);
    let mut b = ProfileBuilder::new();
    let event = b.event("time", WeightUnit::Nanoseconds);
    let mut keys = Keys {
        ids: FastMap::default(),
        frames: Vec::new(),
        buf: String::new(),
        hermes,
    };
    for ((pid, tid), evs) in &threads {
        let key = names.thread(&mut b, *pid, *tid);
        let thread = b.thread(key);
        let to = EventedTarget {
            thread,
            event,
            to_ns: 1e3,
            to_weight: 1e3,
        };
        let (begins, ends) = queues(&mut b, &mut keys, evs, origin);
        replay(&mut b, &to, &keys.frames, &begins, ends);
    }
    Ok(b.finish(ProfileMeta::default()))
}

/// The begin and end queues of one thread, each sorted by time (stable).
fn queues<'i>(
    b: &mut ProfileBuilder,
    keys: &mut Keys,
    evs: &[Ev<'_, 'i>],
    origin: f64,
) -> (Vec<Edge<'i>>, Vec<Edge<'i>>) {
    let mut begins = Vec::new();
    let mut ends = Vec::new();
    let mut xs = Vec::new();
    for ev in evs {
        let ts = ev.ts.unwrap_or(0.0) - origin;
        let edge = |keys: &mut Keys, b: &mut ProfileBuilder, ts| Edge {
            ts,
            key: keys.id(b, ev),
            name: ev.name,
        };
        match ev.ph {
            b'B' => begins.push(edge(keys, b, ts)),
            b'E' => ends.push(edge(keys, b, ts)),
            _ => xs.push((ts, ev.dur.unwrap_or(0.0), edge(keys, b, ts))),
        }
    }
    // Equal starts: the longer one first (a longer event cannot nest in a shorter one).
    xs.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
    for (ts, dur, edge) in xs {
        begins.push(edge);
        ends.push(Edge {
            ts: ts + dur,
            ..edge
        });
    }
    begins.sort_by(|a, b| a.ts.total_cmp(&b.ts));
    ends.sort_by(|a, b| a.ts.total_cmp(&b.ts));
    (begins, ends)
}

/// Replays the two queues of one thread into evented samples.
fn replay(
    b: &mut ProfileBuilder,
    to: &EventedTarget,
    frames: &[FrameId],
    begins: &[Edge<'_>],
    mut ends: Vec<Edge<'_>>,
) {
    let mut open = EventedStack::new();
    let mut stack: Vec<Edge<'_>> = Vec::new();
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
            open.open(b, to, edge.ts, frames[edge.key as usize]);
            stack.push(edge);
            continue;
        }
        if let Some(top) = stack.last() {
            let front = ends[ei].ts;
            let same_time = |e: &&Edge<'_>| e.ts <= front;
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
