//! Java Flight Recorder (`.jfr`) importer: JDK 11 to 25 recordings and async-profiler output.
//!
//! Why this shape: JFR is a self-describing binary format. Each chunk carries its own metadata
//! (the layout of every class, `metadata.rs`) and constant pools (threads, stack traces, methods,
//! symbols, `chunk.rs`), so the importer decodes values generically from the metadata
//! (`value.rs`) and follows pool references lazily (`resolve.rs`) instead of hard-coding one JDK's
//! layout. Chunks are read one after the other; ids of pools are per chunk, while frames, stacks
//! and threads are interned into one builder, so a method or thread seen in two chunks is one.
//!
//! * Events: the stack-carrying event types of `events.rs` become model events with their units,
//!   CPU samples (`jdk.ExecutionSample`) first; a type absent from the recording is not created.
//!   Other event types (GC, settings, ...) are not samples: they are counted in a note.
//! * Threads: `sampledThread` / `eventThread`, named by `javaName`, else `osName`, with the OS
//!   thread id (else the Java one) as tid. The same (name, tid) in two chunks is one thread.
//! * Time: an event's `startTime` ticks become nanoseconds through its chunk's ticks per second,
//!   start ticks and start nanos, made relative to the earliest chunk's start, so 0 is the start
//!   of the recording. JFR writes events per thread buffer, not in global time order, so samples
//!   are sorted by time (stable) before they enter the model, as the model requires per thread.
//! * Stacks: leaf first in JFR, root first in the model; see `resolve.rs` for frame identity.
//!
//! Bad input: a file whose first chunk header or metadata cannot be read is an error naming the
//! byte offset and chunk. Later problems keep what was read: an event whose size does not fit its
//! chunk ends that chunk's walk (`Truncated`), an event or checkpoint that does not decode is
//! skipped (`MalformedSample`), references to missing pool entries drop the frame and are counted,
//! a chunk that claims more bytes than the file holds is read as far as it goes. Nothing is
//! allocated from a size the file claims beyond the bytes that remain.

mod chunk;
mod events;
mod metadata;
mod reader;
mod resolve;
mod value;

use crate::driver::ImportOptions;
use crate::error::ImportError;
use bigflame_model::{
    EventId, FastMap, Profile, ProfileBuilder, ProfileMeta, SkipReason, Skipped, StackId, ThreadKey,
};
use chunk::{EventAt, HEADER_SIZE, Header};
use events::{SPECS, Spec, Weight};
use reader::{JfrError, Reader};
use resolve::{Resolver, ThreadInfo};
use value::{Value, read_field};

/// One imported event, before time ordering.
struct Rec {
    time: u64,
    thread: u32,
    spec: u8,
    stack: StackId,
    weight: f64,
}

/// Everything gathered over the chunks.
#[derive(Default)]
struct State {
    b: ProfileBuilder,
    recs: Vec<Rec>,
    threads: Vec<ThreadInfo>,
    thread_index: FastMap<ThreadInfo, u32>,
    skipped: Skipped,
    /// Events of types that are not imported, by type name.
    other: FastMap<String, u64>,
    dangling: u64,
    truncated_stacks: u64,
    /// Earliest chunk start (epoch nanos): time 0 of the profile.
    base: i64,
}

impl State {
    fn thread(&mut self, info: ThreadInfo) -> u32 {
        if let Some(&i) = self.thread_index.get(&info) {
            return i;
        }
        let i = self.threads.len() as u32;
        self.threads.push(info.clone());
        self.thread_index.insert(info, i);
        i
    }

    fn skip(&mut self, reason: SkipReason, e: &JfrError) {
        self.skipped.add(
            reason,
            || format!("byte {}", e.offset),
            e.message.as_bytes(),
        );
    }
}

/// The chunk headers of a recording, in file order. The first must be readable; a later header
/// that is not stops the list (counted as truncated).
fn read_headers(data: &[u8], name: &str, st: &mut State) -> Result<Vec<Header>, ImportError> {
    let mut headers: Vec<Header> = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        match chunk::read_header(data, pos) {
            Ok(h) => {
                pos = h.end;
                let truncated = h.truncated;
                headers.push(h);
                if truncated {
                    break;
                }
            }
            Err(e) if headers.is_empty() => {
                return Err(ImportError::at_byte(
                    name,
                    e.offset,
                    format!("not a readable JFR recording: chunk 1: {}", e.message),
                ));
            }
            Err(e) => {
                st.skip(SkipReason::Truncated, &e);
                break;
            }
        }
    }
    Ok(headers)
}

/// Imports a decoded (gunzipped) JFR recording.
pub fn import(data: &[u8], name: &str, _opts: &ImportOptions) -> Result<Profile, ImportError> {
    let mut st = State::default();
    let headers = read_headers(data, name, &mut st)?;
    st.base = headers.iter().map(|h| h.start_nanos).min().unwrap_or(0);
    let mut read_any = false;
    let mut notes = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if h.truncated {
            st.skip(
                SkipReason::Truncated,
                &JfrError::new(
                    h.start,
                    format!("chunk {} is cut off at the end of the data", i + 1),
                ),
            );
        }
        match read_chunk(data, h, &mut st) {
            Ok(()) => read_any = true,
            Err(e) if !read_any => {
                return Err(ImportError::at_byte(
                    name,
                    e.offset,
                    format!("chunk {} (at byte {}): {}", i + 1, h.start, e.message),
                ));
            }
            Err(e) => {
                notes.push(format!(
                    "chunk {} (at byte {}) was skipped: {e}",
                    i + 1,
                    h.start
                ));
                st.skip(SkipReason::MalformedSample, &e);
            }
        }
    }
    Ok(finish(st, notes))
}

/// Reads one chunk: metadata, then one walk over its events indexing the constant pools and
/// keeping the imported events, then those events decoded and resolved.
fn read_chunk(data: &[u8], h: &Header, st: &mut State) -> Result<(), JfrError> {
    let types = metadata::parse(Reader::new(data, h.metadata, h.end, h.compressed))?;
    let wanted: FastMap<u64, u8> = SPECS
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((types.id(s.name)?, i as u8)))
        .collect();
    let mut pools = chunk::PoolIndex::default();
    let mut keep: Vec<(EventAt, u8)> = Vec::new();
    let mut other: FastMap<u64, u64> = FastMap::default();
    let mut pos = h.start + HEADER_SIZE;
    while pos < h.end {
        let ev = match chunk::event_at(data, h, pos) {
            Ok(ev) => ev,
            Err(e) => {
                st.skip(SkipReason::Truncated, &e);
                break;
            }
        };
        pos = ev.end;
        match ev.type_id {
            0 => {}
            1 => {
                if let Err(e) = chunk::index_pools(data, h, &ev, &types, &mut pools) {
                    st.skip(SkipReason::MalformedSample, &e);
                }
            }
            t => match wanted.get(&t) {
                Some(&spec) => keep.push((ev, spec)),
                None if types.get(t).is_none() => st.skip(
                    SkipReason::MalformedSample,
                    &JfrError::new(ev.start, format!("an event of undeclared type id {t}")),
                ),
                None => *other.entry(t).or_insert(0) += 1,
            },
        }
    }
    for (t, n) in other {
        if let Some(c) = types.get(t) {
            *st.other.entry(c.name.clone()).or_insert(0) += n;
        }
    }
    let mut res = Resolver::new(data, h.end, h.compressed, &types, &pools);
    for (ev, spec) in keep {
        if let Err(e) = read_event(data, h, &types, &mut res, &ev, spec, st) {
            st.skip(SkipReason::MalformedSample, &e);
        }
    }
    st.dangling += res.dangling;
    st.truncated_stacks += res.truncated;
    Ok(())
}

/// Decodes one imported event and records it.
fn read_event(
    data: &[u8],
    h: &Header,
    types: &metadata::Types,
    res: &mut Resolver<'_>,
    ev: &EventAt,
    spec_index: u8,
    st: &mut State,
) -> Result<(), JfrError> {
    let spec: &Spec = &SPECS[usize::from(spec_index)];
    let Some(class) = types.get(ev.type_id) else {
        return Err(JfrError::new(ev.start, "event of an undeclared type"));
    };
    let mut r = Reader::new(data, ev.body, ev.end, h.compressed);
    let mut fields = Vec::with_capacity(class.fields.len().min(r.remaining()));
    for f in &class.fields {
        fields.push(read_field(&mut r, types, f, 1)?);
    }
    let v = Value::Struct {
        class: ev.type_id,
        fields,
    };
    let int = |f: &str| res.field(&v, f).and_then(Value::as_i64);
    let missing = |f: &str| JfrError::new(ev.start, format!("{} without a {f}", spec.name));
    let ticks = int("startTime").ok_or_else(|| missing("startTime"))?;
    let weight = match spec.weight {
        Weight::One => 1.0,
        Weight::Field(f) => int(f).ok_or_else(|| missing(f))? as f64,
        Weight::Duration => {
            let d = int("duration").ok_or_else(|| missing("duration"))?;
            h.ticks_to_duration(i128::from(d)) as f64
        }
    };
    if weight < 0.0 {
        return Err(JfrError::new(
            ev.start,
            format!("{} with a negative weight", spec.name),
        ));
    }
    let time = (i128::from(h.ticks_to_nanos(ticks)) - i128::from(st.base)).max(0) as u64;
    let thread = match res.field(&v, spec.thread).cloned() {
        Some(t) => res.thread(&t),
        None => None,
    }
    .unwrap_or(ThreadInfo {
        name: "(unknown thread)".into(),
        tid: None,
    });
    let thread = st.thread(thread);
    let stack = match res.field(&v, "stackTrace").cloned() {
        Some(s) => res.stack(&mut st.b, &s),
        None => StackId::EMPTY,
    };
    st.recs.push(Rec {
        time,
        thread,
        spec: spec_index,
        stack,
        weight,
    });
    Ok(())
}

/// Orders the samples by time and builds the profile.
fn finish(mut st: State, mut notes: Vec<String>) -> Profile {
    st.recs.sort_by_key(|r| r.time);
    let mut present = [false; SPECS.len()];
    for r in &st.recs {
        present[usize::from(r.spec)] = true;
    }
    let mut event_of = [EventId(0); SPECS.len()];
    for (i, s) in SPECS.iter().enumerate() {
        if present[i] {
            event_of[i] = st.b.event(s.name, s.unit);
            if s.intervals() {
                st.b.events[event_of[i].index()].intervals = true;
            }
        }
    }
    let mut thread_ids = vec![None; st.threads.len()];
    for r in &st.recs {
        let slot = &mut thread_ids[r.thread as usize];
        let id = match *slot {
            Some(id) => id,
            None => {
                let info = &st.threads[r.thread as usize];
                let name = st.b.intern(&info.name);
                let id = st.b.thread(ThreadKey {
                    pid: None,
                    tid: info.tid,
                    name,
                });
                *slot = Some(id);
                id
            }
        };
        st.b.sample(
            id,
            event_of[usize::from(r.spec)],
            Some(r.time),
            r.stack,
            r.weight,
        );
    }
    if st.dangling > 0 {
        st.skipped.add_many(
            SkipReason::MalformedSample,
            st.dangling,
            || "a constant-pool reference".into(),
            b"references to constant-pool entries that do not exist (frames dropped)",
        );
    }
    if st.truncated_stacks > 0 {
        notes.push(format!(
            "{} stack traces were truncated by the recorder's stack depth; their frames sit under \
             \"{}\"",
            st.truncated_stacks,
            resolve::TRUNCATED
        ));
    }
    if !st.other.is_empty() {
        let mut other: Vec<(String, u64)> = st.other.into_iter().collect();
        other.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let total: u64 = other.iter().map(|o| o.1).sum();
        let top: Vec<String> = other
            .iter()
            .take(3)
            .map(|(n, c)| format!("{n} x{c}"))
            .collect();
        notes.push(format!(
            "{total} events of {} other types are not stack samples and were not imported ({}{})",
            other.len(),
            top.join(", "),
            if other.len() > 3 { ", ..." } else { "" }
        ));
    }
    let meta = ProfileMeta {
        skipped: std::mem::take(&mut st.skipped),
        notes,
        ..ProfileMeta::default()
    };
    st.b.finish(meta)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_bad;
#[cfg(test)]
mod writer;
