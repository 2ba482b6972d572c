//! A run of trace events read into a compact, owned [`Piece`]: what the duration replay needs, with
//! frame keys and names interned per piece.
//!
//! Why: a big trace is read in pieces on every core ([`super::trace_split`]), each piece scanned
//! from its bytes ([`super::trace_scan`]) or parsed on its own reused simd-json tape, so nothing
//! may borrow a tape once the piece is read. The expensive per-event work (reading the keys of each
//! event object, `JSON.stringify(args)` for the frame key, hashing it) happens in parallel; keys
//! and names keep their hash, so [`super::trace_event`] merges the small per-piece tables in file
//! order without hashing a text again, then replays. The serial path (one piece: the whole list)
//! uses the same code, so both give the same profile.

use super::Val;
use super::stringify::stringify;
use super::trace_event::Ev;
use bigflame_model::{FastHasher, FastMap};
use hashbrown::HashTable;
use std::hash::BuildHasher;

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

/// A frame key (`name + " " + JSON.stringify(args)`), its [`text_hash`], and, for Hermes
/// traces, the frame's parts taken from `args` (name, url, line, column).
#[derive(Clone, Debug)]
pub(crate) struct KeyInfo {
    pub(crate) text: String,
    pub(crate) hash: u64,
    pub(crate) hermes: Option<(String, Option<String>, u32, u32)>,
}

/// An event name and its [`text_hash`].
#[derive(Clone, Debug)]
pub(crate) struct NameInfo {
    pub(crate) text: String,
    pub(crate) hash: u64,
}

/// The id of the item of `items` whose text is `text` (of hash `hash`), looked up in `table`;
/// made by `make` (given the hash) and added if there is none. `parts` gives an item's text and
/// hash. One interning for a piece's keys and names and for their merge across pieces.
pub(crate) fn intern_by_hash<T>(
    table: &mut HashTable<u32>,
    items: &mut Vec<T>,
    text: &str,
    hash: u64,
    parts: impl Fn(&T) -> (&str, u64),
    make: impl FnOnce(u64) -> T,
) -> u32 {
    if let Some(&id) = table.find(hash, |&id| parts(&items[id as usize]).0 == text) {
        return id;
    }
    let id = items.len() as u32;
    items.push(make(hash));
    table.insert_unique(hash, id, |&id| parts(&items[id as usize]).1);
    id
}

/// The hash under which keys and names are looked up, in a piece and again when pieces merge
/// (each text is hashed once, on the piece's core).
pub(crate) fn text_hash(text: &str) -> u64 {
    FastHasher::default().hash_one(text)
}

/// The events of one piece of the event list.
#[derive(Default, Debug)]
pub(crate) struct Piece {
    /// Duration events per pid/tid, threads in first-occurrence order, events in file order.
    pub(crate) threads: Vec<((i64, i64), Vec<Compact>)>,
    thread_index: FastMap<(i64, i64), usize>,
    pub(crate) keys: Vec<KeyInfo>,
    /// Ids into `keys` by key hash.
    key_ids: HashTable<u32>,
    pub(crate) names: Vec<NameInfo>,
    /// Ids into `names` by name hash.
    name_ids: HashTable<u32>,
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
    let mut p = Piece::new();
    let mut buf = String::new();
    for v in events {
        let ev = Ev::read(v);
        if is_cpu_profile_name(ev.first_name) {
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
        if !is_duration(ev.ph) {
            continue;
        }
        let key = p.key_id(&ev, hermes, &mut buf);
        p.push_duration(
            &Duration {
                ph: ev.ph,
                pid: ev.pid,
                tid: ev.tid,
                ts,
                dur: ev.dur,
                name: ev.name,
            },
            key,
        );
    }
    p
}

/// An event name that marks a DevTools CPU profile (see [`Piece::cpu_profile`]).
pub(crate) fn is_cpu_profile_name(name: Option<&str>) -> bool {
    matches!(name, Some("Profile" | "ProfileChunk" | "CpuProfile"))
}

/// The phases replayed as durations.
pub(crate) fn is_duration(ph: u8) -> bool {
    matches!(ph, b'B' | b'E' | b'X')
}

/// The fields of a `B`, `E` or `X` event that a piece keeps besides its frame key.
pub(crate) struct Duration<'a> {
    pub(crate) ph: u8,
    pub(crate) pid: i64,
    pub(crate) tid: i64,
    pub(crate) ts: f64,
    pub(crate) dur: Option<f64>,
    pub(crate) name: Option<&'a str>,
}

impl Piece {
    /// An empty piece.
    pub(crate) fn new() -> Piece {
        Piece {
            min_ts: f64::INFINITY,
            ..Piece::default()
        }
    }

    /// Adds a duration event whose frame key has id `key`.
    pub(crate) fn push_duration(&mut self, ev: &Duration<'_>, key: u32) {
        self.min_ts = self.min_ts.min(ev.ts);
        let name = match ev.name {
            Some(n) => self.name_id(n),
            None => NO_NAME,
        };
        let compact = Compact {
            ts: ev.ts,
            dur: ev.dur.unwrap_or(0.0),
            key,
            name,
            ph: ev.ph,
        };
        let tid = (ev.pid, ev.tid);
        let threads = &mut self.threads;
        let k = *self.thread_index.entry(tid).or_insert_with(|| {
            threads.push((tid, Vec::new()));
            threads.len() - 1
        });
        threads[k].1.push(compact);
    }

    /// The id of a frame key given as text (the key of a non-Hermes event).
    pub(crate) fn text_key_id(&mut self, text: &str) -> u32 {
        self.key_id_with(text, |_| None)
    }

    /// The id of frame key `text`; `hermes` gives the frame's parts of a new key.
    fn key_id_with(
        &mut self,
        text: &str,
        hermes: impl FnOnce(&str) -> Option<(String, Option<String>, u32, u32)>,
    ) -> u32 {
        intern_by_hash(
            &mut self.key_ids,
            &mut self.keys,
            text,
            text_hash(text),
            |k| (&k.text, k.hash),
            |hash| KeyInfo {
                text: text.to_string(),
                hash,
                hermes: hermes(text),
            },
        )
    }

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
        intern_by_hash(
            &mut self.name_ids,
            &mut self.names,
            name,
            text_hash(name),
            |n| (&n.text, n.hash),
            |hash| NameInfo {
                text: name.to_string(),
                hash,
            },
        )
    }

    fn key_id(&mut self, ev: &Ev<'_, '_>, hermes: bool, buf: &mut String) -> u32 {
        let name = ev.name.unwrap_or("(unnamed)");
        buf.clear();
        buf.push_str(name);
        if let Some(args) = ev.args.filter(|a| a.truthy()) {
            buf.push(' ');
            stringify(args, buf);
        }
        if !hermes {
            return self.text_key_id(buf);
        }
        let args = ev.args;
        self.key_id_with(buf, |_| {
            let url = args
                .and_then(|a| a.get("url"))
                .and_then(|v| v.str())
                .map(str::to_string);
            let num = |k: &str| {
                args.and_then(|a| a.get(k))
                    .and_then(|v| v.number_like())
                    .map_or(0, |v| v.clamp(0.0, f64::from(u32::MAX)) as u32)
            };
            Some((name.to_string(), url, num("line"), num("column")))
        })
    }
}
