//! A run of trace events read into a compact, owned [`Piece`]: what the duration replay needs, with
//! frame keys and names interned per piece.
//!
//! Why: a big trace is parsed in pieces on every core ([`super::trace_split`]), each piece on its
//! own reused simd-json tape, so nothing may borrow a tape once the piece is read. The expensive
//! per-event work (reading the keys of each event object, `JSON.stringify(args)` for the frame key,
//! hashing it) happens here, in parallel; [`super::trace_event`] only merges the small per-piece
//! tables in file order and replays. The serial path (one piece: the whole list) uses the same code,
//! so both give the same profile.

use super::Val;
use super::stringify::stringify;
use super::trace_event::Ev;
use bigflame_model::FastMap;

/// Name id of an event without a name.
pub(crate) const NO_NAME: u32 = u32::MAX;

/// A `B`, `E` or `X` event reduced to what the replay needs; `key` and `name` are ids in the
/// piece's tables (global ids once merged).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Compact {
    pub(crate) ts: f64,
    pub(crate) dur: f64,
    pub(crate) key: u32,
    pub(crate) name: u32,
    pub(crate) ph: u8,
}

/// An `M` event naming a process or a thread, kept in file order (a later one wins).
#[derive(Clone, Debug)]
pub(crate) enum Meta {
    Process(i64, String),
    Thread(i64, i64, String),
}

/// A frame key (`name + " " + JSON.stringify(args)`) and, for Hermes traces, the frame's parts
/// taken from `args` (name, url, line, column).
#[derive(Clone, Debug)]
pub(crate) struct KeyInfo {
    pub(crate) text: String,
    pub(crate) hermes: Option<(String, Option<String>, u32, u32)>,
}

/// The events of one piece of the event list.
#[derive(Default, Debug)]
pub(crate) struct Piece {
    /// Duration events per pid/tid, threads in first-occurrence order, events in file order.
    pub(crate) threads: Vec<((i64, i64), Vec<Compact>)>,
    thread_index: FastMap<(i64, i64), usize>,
    pub(crate) keys: Vec<KeyInfo>,
    key_ids: FastMap<String, u32>,
    pub(crate) names: Vec<String>,
    name_ids: FastMap<String, u32>,
    pub(crate) meta: Vec<Meta>,
    /// An event is named `Profile`, `ProfileChunk` or `CpuProfile` (a DevTools export: the
    /// timeline importer takes the whole list instead; reading stopped there).
    pub(crate) cpu_profile: bool,
    /// Earliest `ts` of a duration event.
    pub(crate) min_ts: f64,
}

/// Reads `events` (elements of the event list) into a piece. `hermes`: frames come from `args`.
pub(crate) fn read_events<'t, 'i: 't>(
    events: impl Iterator<Item = Val<'t, 'i>>,
    hermes: bool,
) -> Piece {
    let mut p = Piece {
        min_ts: f64::INFINITY,
        ..Piece::default()
    };
    let mut buf = String::new();
    for v in events {
        let ev = Ev::read(v);
        if matches!(
            ev.first_name,
            Some("Profile" | "ProfileChunk" | "CpuProfile")
        ) {
            p.cpu_profile = true;
            return p;
        }
        if ev.ph == b'M' {
            p.record_meta(&ev);
            continue;
        }
        let Some(ts) = ev.ts else {
            continue;
        };
        if !matches!(ev.ph, b'B' | b'E' | b'X') {
            continue;
        }
        p.min_ts = p.min_ts.min(ts);
        let key = p.key_id(&ev, hermes, &mut buf);
        let name = match ev.name {
            Some(n) => p.name_id(n),
            None => NO_NAME,
        };
        let compact = Compact {
            ts,
            dur: ev.dur.unwrap_or(0.0),
            key,
            name,
            ph: ev.ph,
        };
        let tid = (ev.pid, ev.tid);
        let threads = &mut p.threads;
        let k = *p.thread_index.entry(tid).or_insert_with(|| {
            threads.push((tid, Vec::new()));
            threads.len() - 1
        });
        threads[k].1.push(compact);
    }
    p
}

impl Piece {
    /// speedscope's reading of `process_name` / `thread_name` metadata.
    fn record_meta(&mut self, ev: &Ev<'_, '_>) {
        let Some(name) = ev.args.and_then(|a| a.get("name")).filter(|n| n.truthy()) else {
            return;
        };
        let name = name.str().map_or_else(|| "?".to_string(), str::to_string);
        match ev.name {
            Some("process_name") => self.meta.push(Meta::Process(ev.pid, name)),
            Some("thread_name") => self.meta.push(Meta::Thread(ev.pid, ev.tid, name)),
            _ => {}
        }
    }

    fn name_id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.name_ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.name_ids.insert(name.to_string(), id);
        id
    }

    fn key_id(&mut self, ev: &Ev<'_, '_>, hermes: bool, buf: &mut String) -> u32 {
        let name = ev.name.unwrap_or("(unnamed)");
        buf.clear();
        buf.push_str(name);
        if let Some(args) = ev.args.filter(|a| a.truthy()) {
            buf.push(' ');
            stringify(args, buf);
        }
        if let Some(&id) = self.key_ids.get(buf.as_str()) {
            return id;
        }
        let hermes = hermes.then(|| {
            let args = ev.args;
            let url = args
                .and_then(|a| a.get("url"))
                .and_then(|v| v.str())
                .map(str::to_string);
            let num = |k: &str| {
                args.and_then(|a| a.get(k))
                    .and_then(|v| v.number_like())
                    .map_or(0, |v| v.clamp(0.0, f64::from(u32::MAX)) as u32)
            };
            (name.to_string(), url, num("line"), num("column"))
        });
        let id = self.keys.len() as u32;
        self.keys.push(KeyInfo {
            text: buf.clone(),
            hermes,
        });
        self.key_ids.insert(buf.clone(), id);
        id
    }
}
