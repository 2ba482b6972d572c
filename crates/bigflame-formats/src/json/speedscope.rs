//! speedscope's own JSON format (`https://www.speedscope.app/file-format-schema.json`).
//!
//! Why it matters: py-spy, rbspy, Austin, pyinstrument, dotnet-trace and async-profiler all export
//! it. One file holds shared frames and several profiles, each `sampled` (stacks of frame indices
//! plus weights) or `evented` (open/close events at values). Each profile becomes one bigflame thread
//! named after it, with one event per unit (time units are converted to nanoseconds).
//!
//! Rules followed, as speedscope's importer applies them:
//! * sampled: a sample weighing 0 is dropped (it has no effect and speedscope creates no frame for
//!   it); a sample's time is `startValue` plus the weights before it when the unit is a time;
//! * evented: closing a frame that is not the innermost open one, or ending a profile with frames
//!   still open, makes the file invalid: speedscope rejects such files, and so do we, with the
//!   profile, event index and frame names in the message (an importer that guessed would draw a
//!   picture the recording never showed);
//! * frames are deduplicated by name, file, line and column (speedscope keys them by their index in
//!   `shared.frames`, so two identical entries stay two frames there; real exporters never write
//!   duplicates).

mod fast;
mod local;
mod sampled;
mod scan;
mod sinks;
#[cfg(test)]
mod tests;

use super::{Val, file_name, with_document};
use crate::driver::ImportOptions;
use crate::error::ImportError;
use crate::evented::{EventedStack, EventedTarget};
use bigflame_model::{Frame, FrameId, Profile, ProfileBuilder, ProfileMeta, ThreadKey, WeightUnit};

/// Imports a speedscope JSON document.
pub(crate) fn import(
    data: &[u8],
    path: &str,
    opts: &ImportOptions,
) -> Result<Profile, ImportError> {
    if let Some(profile) = fast::import_fast(data, path, opts) {
        return Ok(profile);
    }
    import_plain(data, path)
}

/// The plain path: the whole document on one simd-json tape.
pub(crate) fn import_plain(data: &[u8], path: &str) -> Result<Profile, ImportError> {
    with_document(data, path, |root| build(root, path, None))
}

/// How a profile's values map onto bigflame's model.
struct Unit {
    event: &'static str,
    unit: WeightUnit,
    /// Multiplier from the file's values to weights (and to ns for time units).
    factor: f64,
    is_time: bool,
}

fn unit_of(name: &str) -> Option<Unit> {
    let time = |factor| Unit {
        event: "time",
        unit: WeightUnit::Nanoseconds,
        factor,
        is_time: true,
    };
    Some(match name {
        "none" => Unit {
            event: "samples",
            unit: WeightUnit::Samples,
            factor: 1.0,
            is_time: false,
        },
        "bytes" => Unit {
            event: "bytes",
            unit: WeightUnit::Bytes,
            factor: 1.0,
            is_time: false,
        },
        "nanoseconds" => time(1.0),
        "microseconds" => time(1e3),
        "milliseconds" => time(1e6),
        "seconds" => time(1e9),
        _ => return None,
    })
}

/// Reads a parsed document; `scanned` holds the arrays the fast path read from the bytes.
fn build(
    root: Val<'_, '_>,
    path: &str,
    scanned: Option<&fast::Scanned<'_>>,
) -> Result<Profile, ImportError> {
    let bad = |msg: String| ImportError::invalid(path, msg);
    if !root.is_object() {
        return Err(bad(format!(
            "a speedscope file is a JSON object, found {}",
            root.kind()
        )));
    }
    let mut b = ProfileBuilder::new();
    let frames = shared_frames(&mut b, root, path)?;
    let profiles = root
        .get("profiles")
        .filter(Val::is_array)
        .ok_or_else(|| bad("no \"profiles\" array".into()))?;
    let items: Vec<Val<'_, '_>> = profiles.items().collect();
    let mut names_seen: Vec<String> = Vec::new();
    // Adds profile `p` to the builder; `local` is its samples when they were built apart.
    let mut add = |p: usize, local: Option<local::Local>| -> Result<(), ImportError> {
        let profile = items[p];
        let name = profile
            .get("name")
            .and_then(|v| v.str())
            .map_or_else(|| file_name(path).to_string(), str::to_string);
        // Two profiles with one name stay two threads.
        let repeats = names_seen.iter().filter(|n| **n == name).count();
        names_seen.push(name.clone());
        let shown = if repeats > 0 {
            format!("{name} ({})", repeats + 1)
        } else {
            name
        };
        let unit_name = profile.get("unit").and_then(|v| v.str()).unwrap_or("none");
        let unit = unit_of(unit_name)
            .ok_or_else(|| bad(format!("profile {p}: unknown unit {unit_name:?}")))?;
        let start = profile
            .get("startValue")
            .and_then(|v| v.f64())
            .unwrap_or(0.0);
        let thread_name = b.intern(&shown);
        let thread = b.thread(ThreadKey {
            pid: None,
            tid: None,
            name: thread_name,
        });
        let event = b.event(unit.event, unit.unit);
        let target = EventedTarget {
            thread,
            event,
            to_ns: unit.factor,
            to_weight: unit.factor,
        };
        match (profile.get("type").and_then(|v| v.str()), local) {
            (Some("sampled"), Some(local)) => local::merge(&mut b, thread, event, local, &frames),
            (Some("sampled"), None) => {
                let src = sampled::Source {
                    profile,
                    scanned,
                    frames: &frames,
                };
                sampled::sampled(&mut b, &target, &unit, start, &src, p, path)?;
            }
            (Some("evented"), _) => evented(&mut b, &target, start, profile, &frames, p, path)?,
            (Some(other), _) => return Err(bad(format!("profile {p}: unknown type {other:?}"))),
            (None, _) => return Err(bad(format!("profile {p}: no \"type\""))),
        }
        Ok(())
    };
    let Some(scanned) = scanned else {
        for p in 0..items.len() {
            add(p, None)?;
        }
        return Ok(b.finish(ProfileMeta::default()));
    };
    // Sampled profiles whose arrays were read from the bytes are built on all cores, and each is
    // added as soon as those before it are, beside the builds still running. No window: every
    // built profile's columns end up in the profile anyway.
    crate::ordered::in_order(
        items.len(),
        rayon::current_num_threads(),
        usize::MAX,
        |p| sampled::prebuild(items[p], scanned, &frames),
        add,
    )?;
    Ok(b.finish(ProfileMeta::default()))
}

/// `shared.frames`, interned in order (index in the file -> frame id).
fn shared_frames(
    b: &mut ProfileBuilder,
    root: Val<'_, '_>,
    path: &str,
) -> Result<Vec<FrameId>, ImportError> {
    let Some(list) = root.get("shared").and_then(|s| s.get("frames")) else {
        return Err(ImportError::invalid(path, "no \"shared.frames\" array"));
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, f) in list.items().enumerate() {
        let name = f.get("name").and_then(|v| v.str()).ok_or_else(|| {
            ImportError::invalid(path, format!("shared.frames[{i}]: no \"name\" string"))
        })?;
        let name = b.intern(name);
        let file = f.get("file").and_then(|v| v.str()).map(|s| b.intern(s));
        let num = |key: &str| {
            f.get(key)
                .and_then(|v| v.f64())
                .map_or(0, |v| v.clamp(0.0, f64::from(u32::MAX)) as u32)
        };
        out.push(b.frame(Frame {
            file,
            line: num("line"),
            column: num("col"),
            ..Frame::named(name)
        }));
    }
    Ok(out)
}

pub(crate) fn frame_at(frames: &[FrameId], v: Val<'_, '_>) -> Option<FrameId> {
    let i = v.i64()?;
    frames.get(usize::try_from(i).ok()?).copied()
}

fn evented(
    b: &mut ProfileBuilder,
    to: &EventedTarget,
    start: f64,
    profile: Val<'_, '_>,
    frames: &[FrameId],
    p: usize,
    path: &str,
) -> Result<(), ImportError> {
    let bad = |msg: String| ImportError::invalid(path, format!("profile {p}: {msg}"));
    let events = profile
        .get("events")
        .filter(Val::is_array)
        .ok_or_else(|| bad("no \"events\" array".into()))?;
    let name_of = |b: &ProfileBuilder, f: FrameId| b.strings.get(b.frames.get(f).name).to_string();
    let mut open = EventedStack::new();
    let mut last = start;
    for (i, ev) in events.items().enumerate() {
        let at = ev
            .get("at")
            .and_then(|v| v.f64())
            .ok_or_else(|| bad(format!("events[{i}] has no numeric \"at\"")))?;
        let frame = ev
            .get("frame")
            .and_then(|v| frame_at(frames, v))
            .ok_or_else(|| bad(format!("events[{i}] names no valid frame")))?;
        let rel = at - start;
        last = at;
        match ev.get("type").and_then(|v| v.str()) {
            Some("O") => open.open(b, to, rel, frame),
            Some("C") => {
                let top = open.frames().next_back();
                if top != Some(frame) {
                    let top = top.map_or_else(|| "nothing".to_string(), |t| name_of(b, t));
                    return Err(bad(format!(
                        "events[{i}] at {at} closes frame {:?} while {top:?} is the innermost \
                         open frame",
                        name_of(b, frame)
                    )));
                }
                open.close(b, to, rel);
            }
            other => {
                return Err(bad(format!(
                    "events[{i}] has type {other:?}, expected \"O\" or \"C\""
                )));
            }
        }
    }
    if open.depth() > 0 {
        let names: Vec<String> = open.frames().map(|f| name_of(b, f)).collect();
        return Err(bad(format!(
            "frames still open at the end of the profile: {}",
            names.join(" > ")
        )));
    }
    open.finish(b, to, last - start);
    Ok(())
}
