//! pprof (`profile.proto`) importer: Go, gperftools, pprof-rs, async-profiler's pprof output.
//!
//! Why this shape: a pprof file carries several sample types at once (`samples`/`cpu`, or the four
//! `alloc_objects`/`alloc_space`/`inuse_objects`/`inuse_space` of a heap profile). Each becomes a
//! model event with its unit (time units converted to nanoseconds, `bytes` kept as bytes, `count`
//! as samples or events), so `--event alloc_space` picks one. The event pprof shows by default
//! (`default_sample_type`, else the last sample type, as `go tool pprof` and speedscope do) is
//! registered first, because the model's default event is the first; the others follow in file
//! order.
//!
//! * Frames are functions (name, file, start line; the module is the location's mapping file), the
//!   granularity of `go tool pprof`'s default view and of speedscope. A location with several lines
//!   is inlined code: the last line is the physical function, the ones before it were inlined into
//!   it and get [`FrameKind::Inlined`]. A location without lines (not symbolised) shows its address.
//! * Samples carry no timestamps in pprof, so they have no time. Labels `thread`/`thread_name`,
//!   `thread_id`/`tid` and `pid` split samples into threads when present.
//! * Zero values are left out of an event (a heap sample alloced but freed is not in `inuse_space`);
//!   negative values (a `-diff_base` profile) are left out and counted in a note.
//!
//! Bad input: wire-format and decode errors name the byte offset (in the decompressed data) of the
//! top-level field they occur in; dangling ids (a location or function that does not exist) drop the
//! frame and are counted as skipped. Nothing is sized from counts the file claims.

mod proto;
pub mod wire;

use crate::driver::ImportOptions;
use crate::error::ImportError;
use bigflame_model::{
    EventId, FastMap, Frame, FrameId, FrameKind, Profile, ProfileBuilder, ProfileMeta, SkipReason,
    StackId, ThreadId, ThreadKey, WeightUnit,
};
use prost::Message;
use proto::{Function, Location, Mapping, Sample, ValueType};
use std::path::Path;
use wire::{Value, fields};

/// True when the first bytes of an input read as a pprof profile (see [`wire::looks_like_profile`]).
pub fn looks_like_pprof(head: &[u8]) -> bool {
    wire::looks_like_profile(head)
}

/// The tables of a profile, with samples kept as undecoded slices.
#[derive(Default)]
struct Tables<'a> {
    sample_types: Vec<ValueType>,
    samples: Vec<(usize, &'a [u8])>,
    mappings: FastMap<u64, i64>,
    locations: FastMap<u64, Location>,
    functions: FastMap<u64, Function>,
    strings: Vec<&'a [u8]>,
    default_sample_type: i64,
}

fn decode<M: Message + Default>(
    name: &str,
    offset: usize,
    what: &str,
    bytes: &[u8],
) -> Result<M, ImportError> {
    M::decode(bytes).map_err(|e| ImportError::at_byte(name, offset, format!("bad {what}: {e}")))
}

fn read_tables<'a>(data: &'a [u8], name: &str) -> Result<Tables<'a>, ImportError> {
    let mut t = Tables::default();
    for field in fields(data) {
        let field = field.map_err(|e| {
            ImportError::at_byte(
                name,
                e.offset,
                format!("not a valid pprof profile: {}", e.message),
            )
        })?;
        let (n, at) = (field.number, field.offset);
        let wire_ok = match (wire::expected_wire(n), field.value) {
            (None, _) => true,
            (Some(2), Value::Bytes(_)) | (Some(0), Value::Varint(_)) => true,
            _ => n == 13,
        };
        if !wire_ok {
            return Err(ImportError::at_byte(
                name,
                at,
                format!("not a valid pprof profile: field {n} has the wrong wire type"),
            ));
        }
        match (n, field.value) {
            (1, Value::Bytes(b)) => t.sample_types.push(decode(name, at, "sample type", b)?),
            (2, Value::Bytes(b)) => t.samples.push((at, b)),
            (3, Value::Bytes(b)) => {
                let m: Mapping = decode(name, at, "mapping", b)?;
                t.mappings.insert(m.id, m.filename);
            }
            (4, Value::Bytes(b)) => {
                let l: Location = decode(name, at, "location", b)?;
                t.locations.insert(l.id, l);
            }
            (5, Value::Bytes(b)) => {
                let f: Function = decode(name, at, "function", b)?;
                t.functions.insert(f.id, f);
            }
            (6, Value::Bytes(b)) => t.strings.push(b),
            (14, Value::Varint(v)) => t.default_sample_type = v as i64,
            _ => {}
        }
    }
    Ok(t)
}

impl Tables<'_> {
    /// A string by index; out-of-range indexes read as empty, as missing fields do.
    fn str(&self, index: i64) -> String {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.strings.get(i))
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .unwrap_or_default()
    }
}

/// The model unit and the factor from pprof values to it, from a pprof unit name.
fn unit_of(sample_type: &str, unit: &str) -> (WeightUnit, f64) {
    match unit {
        "nanoseconds" => (WeightUnit::Nanoseconds, 1.0),
        "microseconds" => (WeightUnit::Nanoseconds, 1e3),
        "milliseconds" => (WeightUnit::Nanoseconds, 1e6),
        "seconds" => (WeightUnit::Nanoseconds, 1e9),
        "bytes" => (WeightUnit::Bytes, 1.0),
        "kilobytes" => (WeightUnit::Bytes, 1024.0),
        "megabytes" => (WeightUnit::Bytes, 1024.0 * 1024.0),
        _ if matches!(sample_type, "samples" | "sample") => (WeightUnit::Samples, 1.0),
        _ => (WeightUnit::Events, 1.0),
    }
}

/// Frames of locations and functions, interned once each.
struct FrameCache {
    /// Per location id: a range of `frames` (outermost first).
    locations: FastMap<u64, (usize, usize)>,
    frames: Vec<FrameId>,
    /// Per location id: whether it is missing or names a missing function.
    broken: FastMap<u64, bool>,
}

impl FrameCache {
    fn frames_of(&mut self, b: &mut ProfileBuilder, t: &Tables<'_>, id: u64) -> &[FrameId] {
        let range = match self.locations.get(&id) {
            Some(&r) => r,
            None => {
                let start = self.frames.len();
                if let Some(loc) = t.locations.get(&id) {
                    let module = t
                        .mappings
                        .get(&loc.mapping_id)
                        .map(|&f| t.str(f))
                        .filter(|m| !m.is_empty())
                        .map(|m| b.intern(&m));
                    if loc.line.is_empty() {
                        let name = b.intern(&format!("0x{:x}", loc.address));
                        let frame = Frame {
                            module,
                            kind: FrameKind::Unknown,
                            ..Frame::named(name)
                        };
                        self.frames.push(b.frame(frame));
                    }
                    // The last line is the physical function: outermost first.
                    for (i, line) in loc.line.iter().enumerate().rev() {
                        let Some(f) = t.functions.get(&line.function_id) else {
                            continue;
                        };
                        let mut fname = t.str(f.name);
                        if fname.is_empty() {
                            fname = t.str(f.system_name);
                        }
                        if fname.is_empty() {
                            fname = "(unknown)".into();
                        }
                        let file = t.str(f.filename);
                        let frame = Frame {
                            name: b.intern(&fname),
                            module,
                            file: (!file.is_empty()).then(|| b.intern(&file)),
                            line: u32::try_from(f.start_line).unwrap_or(0),
                            column: 0,
                            kind: if i + 1 < loc.line.len() {
                                FrameKind::Inlined
                            } else {
                                FrameKind::User
                            },
                        };
                        self.frames.push(b.frame(frame));
                    }
                }
                let r = (start, self.frames.len());
                self.locations.insert(id, r);
                r
            }
        };
        &self.frames[range.0..range.1]
    }

    /// True when location `id` is not in the profile or names a function that is not.
    fn is_broken(&mut self, t: &Tables<'_>, id: u64) -> bool {
        *self
            .broken
            .entry(id)
            .or_insert_with(|| match t.locations.get(&id) {
                None => true,
                Some(loc) => loc
                    .line
                    .iter()
                    .any(|l| !t.functions.contains_key(&l.function_id)),
            })
    }
}

/// The thread of a sample from its labels, if it has any thread label.
fn thread_of(
    b: &mut ProfileBuilder,
    t: &Tables<'_>,
    sample: &Sample,
    fallback: ThreadId,
) -> ThreadId {
    let (mut name, mut tid, mut pid) = (None, None, None);
    for label in &sample.label {
        match t.str(label.key).as_str() {
            "thread" | "thread_name" => name = Some(t.str(label.str)),
            "thread_id" | "tid" => tid = u32::try_from(label.num).ok(),
            "pid" => pid = u32::try_from(label.num).ok(),
            _ => {}
        }
    }
    if name.is_none() && tid.is_none() && pid.is_none() {
        return fallback;
    }
    let label = match (&name, tid) {
        (Some(n), _) => n.clone(),
        (None, Some(tid)) => format!("thread {tid}"),
        (None, None) => "process".to_string(),
    };
    let name = b.intern(&label);
    b.thread(ThreadKey { pid, tid, name })
}

/// The default thread's name: the file stem (`cpu` for `cpu.pb.gz`), `all` for stdin.
fn stem(name: &str) -> String {
    let name = name.strip_suffix(".gz").unwrap_or(name);
    match Path::new(name).file_stem().and_then(|s| s.to_str()) {
        Some(s) if name != "-" && !s.is_empty() => s.to_string(),
        _ => "all".to_string(),
    }
}

/// Imports a decoded (gunzipped) pprof profile.
pub fn import(data: &[u8], name: &str, _opts: &ImportOptions) -> Result<Profile, ImportError> {
    let t = read_tables(data, name)?;
    if t.sample_types.is_empty() && !t.samples.is_empty() {
        return Err(ImportError::at_byte(
            name,
            0,
            "pprof profile has samples but no sample types",
        ));
    }
    let mut b = ProfileBuilder::new();
    // Event order: the default sample type first, then the others in file order.
    let types: Vec<(String, String)> = t
        .sample_types
        .iter()
        .map(|st| (t.str(st.r#type), t.str(st.unit)))
        .collect();
    let default_name = t.str(t.default_sample_type);
    let default = types
        .iter()
        .position(|(ty, _)| t.default_sample_type != 0 && *ty == default_name)
        .unwrap_or(types.len().saturating_sub(1));
    let order = std::iter::once(default).chain((0..types.len()).filter(|&i| i != default));
    let mut events: Vec<(EventId, f64)> = vec![(EventId(0), 1.0); types.len()];
    for i in order.take(types.len()) {
        let (ty, unit) = &types[i];
        let mut event_name = if ty.is_empty() {
            "samples".into()
        } else {
            ty.clone()
        };
        if b.events.iter().any(|e| e.name == event_name) {
            event_name = format!("{event_name}#{i}");
        }
        let (unit, factor) = unit_of(ty, unit);
        events[i] = (b.event(&event_name, unit), factor);
    }
    let fallback = {
        let n = b.intern(&stem(name));
        b.thread(ThreadKey {
            pid: None,
            tid: None,
            name: n,
        })
    };
    let mut cache = FrameCache {
        locations: FastMap::default(),
        frames: Vec::new(),
        broken: FastMap::default(),
    };
    let mut negative = 0u64;
    // The stack of a location on top of a stack: samples repeat call stacks and share prefixes (one
    // per label set, or per timestamp in some producers), and a location may carry many inlined
    // frames, so each (stack, location) step is taken once. Re-walking a location's frames per
    // sample cost O(samples x lines) for an O(samples + lines) input (a 220 KB file of 16,000
    // lines x 16,000 samples took 110 s in the fuzz build).
    let mut steps: FastMap<(StackId, u64), StackId> = FastMap::default();
    let mut skipped = bigflame_model::Skipped::default();
    for &(at, bytes) in &t.samples {
        let sample: Sample = decode(name, at, "sample", bytes)?;
        if sample.value.len() != types.len() {
            skipped.add(
                SkipReason::MalformedSample,
                || format!("byte {at}"),
                format!(
                    "{} values for {} sample types",
                    sample.value.len(),
                    types.len()
                )
                .as_bytes(),
            );
            continue;
        }
        let mut stack = StackId::EMPTY;
        let mut broken = false;
        for &loc in sample.location_id.iter().rev() {
            broken |= cache.is_broken(&t, loc);
            stack = match steps.get(&(stack, loc)) {
                Some(&next) => next,
                None => {
                    let mut next = stack;
                    for &f in cache.frames_of(&mut b, &t, loc) {
                        next = b.stack(next, f);
                    }
                    steps.insert((stack, loc), next);
                    next
                }
            };
        }
        if broken {
            skipped.add(
                SkipReason::MalformedSample,
                || format!("byte {at}"),
                b"a location or function id that is not in the profile",
            );
        }
        let thread = thread_of(&mut b, &t, &sample, fallback);
        for (&value, &(event, factor)) in sample.value.iter().zip(&events) {
            if value > 0 {
                b.sample(thread, event, None, stack, value as f64 * factor);
            } else if value < 0 {
                negative += 1;
            }
        }
    }
    let mut meta = ProfileMeta {
        skipped,
        ..ProfileMeta::default()
    };
    if negative > 0 {
        meta.notes.push(format!(
            "{negative} negative sample values (a diff profile?) were left out"
        ));
    }
    let mut profile = b.finish(meta);
    // The fallback thread stays only if it received samples.
    if profile.threads.len() > 1 && profile.threads[0].samples.iter().all(|c| c.is_empty()) {
        profile.threads.remove(0);
    }
    Ok(profile)
}

#[cfg(test)]
mod tests;
