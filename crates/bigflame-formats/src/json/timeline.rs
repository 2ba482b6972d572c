//! DevTools Performance-panel exports: V8 CPU samples embedded in Trace Event JSON.
//!
//! Why a separate importer: such a trace holds thousands of unrelated events (layout, paint, GC
//! marks), but what a flame graph shows is the CPU profile V8 streamed into it: a `Profile` event
//! (or one `CpuProfile` event in older Chrome) that opens a profile, then `ProfileChunk` events
//! appending `cpuProfile.nodes`, `cpuProfile.samples` and `timeDeltas`, matched by `id` (or by
//! pid:tid without one). As in speedscope, events are taken in timestamp order, chunks of an
//! undeclared profile are ignored, and each profile is then imported like a `.cpuprofile`
//! ([`super::cpuprofile`]). Each profile is one thread, named after its `thread_name` metadata;
//! a profile without any non-idle sample is left out (speedscope shows it as an empty profile).

use super::cpuprofile::CpuParts;
use super::{Val, file_name};
use crate::error::ImportError;
use bigflame_model::{
    FastMap, Profile, ProfileBuilder, ProfileMeta, ThreadKey, WeightUnit, merge_builders,
};

/// One profile being assembled: its own builder (the parts refer to its frames).
struct Assembling {
    pid: i64,
    tid: i64,
    builder: ProfileBuilder,
    parts: CpuParts,
}

/// Imports the CPU profiles of a DevTools trace (`events` is the event array).
pub(crate) fn import_events(events: Val<'_, '_>, path: &str) -> Result<Profile, ImportError> {
    let mut relevant: Vec<(f64, Val<'_, '_>)> = Vec::new();
    let mut thread_names: FastMap<(i64, i64), String> = FastMap::default();
    for e in events.items() {
        match e.get("name").and_then(|v| v.str()) {
            Some("Profile" | "ProfileChunk" | "CpuProfile") => {
                let ts = e.get("ts").and_then(|v| v.number_like());
                relevant.push((ts.unwrap_or(f64::NEG_INFINITY), e));
            }
            Some("thread_name") => {
                if let Some(name) = e
                    .get("args")
                    .and_then(|a| a.get("name"))
                    .and_then(|v| v.str())
                {
                    thread_names.insert(pid_tid(e), name.to_string());
                }
            }
            _ => {}
        }
    }
    // Stable: chunks with equal timestamps keep file order.
    relevant.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut order: Vec<String> = Vec::new();
    let mut profiles: FastMap<String, Assembling> = FastMap::default();
    let mut orphan_chunks = 0usize;
    for (_, e) in relevant {
        let (pid, tid) = pid_tid(e);
        let id = e
            .get("id")
            .filter(|v| v.truthy())
            .map(|v| {
                v.str()
                    .map_or_else(|| v.f64().unwrap_or(0.0).to_string(), str::to_string)
            })
            .unwrap_or_else(|| format!("{pid}:{tid}"));
        let data = e.get("args").and_then(|a| a.get("data"));
        match e.get("name").and_then(|v| v.str()) {
            Some(kind @ ("CpuProfile" | "Profile")) => {
                let mut a = Assembling {
                    pid,
                    tid,
                    builder: ProfileBuilder::new(),
                    parts: CpuParts::default(),
                };
                let profile = if kind == "CpuProfile" {
                    data.and_then(|d| d.get("cpuProfile"))
                } else {
                    data
                };
                if let Some(p) = profile {
                    read_into(&mut a, p, p.get("timeDeltas"), path)?;
                }
                if !profiles.contains_key(&id) {
                    order.push(id.clone());
                }
                profiles.insert(id, a);
            }
            _ => {
                let Some(a) = profiles.get_mut(&id) else {
                    orphan_chunks += 1;
                    continue;
                };
                if let Some(d) = data {
                    let cpu = d.get("cpuProfile");
                    match cpu {
                        Some(c) => read_into(a, c, d.get("timeDeltas"), path)?,
                        None => a.parts.read_samples(None, d.get("timeDeltas"), path)?,
                    }
                    if let Some(t) = d.get("startTime").and_then(|v| v.f64()) {
                        a.parts.start_time = t;
                    }
                }
            }
        }
    }
    if order.is_empty() {
        return Err(ImportError::invalid(
            path,
            "the trace has ProfileChunk events but no Profile event to attach them to",
        ));
    }
    let several = order.len() > 1;
    let file = file_name(path);
    let mut kept = Vec::new();
    let mut used: Vec<(i64, i64, String)> = Vec::new();
    for id in &order {
        let Some(mut a) = profiles.remove(id) else {
            continue;
        };
        let label = match thread_names.get(&(a.pid, a.tid)) {
            Some(t) if several => format!("{file} - {t}"),
            _ => file.to_string(),
        };
        // Two profiles of one thread stay two bigflame threads.
        let mut shown = label.clone();
        let mut n = 1;
        while used
            .iter()
            .any(|u| (u.0, u.1, u.2.as_str()) == (a.pid, a.tid, shown.as_str()))
        {
            n += 1;
            shown = format!("{label} ({n})");
        }
        let key = ThreadKey {
            pid: u32::try_from(a.pid).ok(),
            tid: u32::try_from(a.tid).ok(),
            name: a.builder.intern(&shown),
        };
        let thread = a.builder.thread(key);
        let event = a.builder.event("time", WeightUnit::Nanoseconds);
        if a.parts.emit(&mut a.builder, thread, event) > 0 {
            used.push((a.pid, a.tid, shown));
            kept.push(a.builder);
        }
    }
    let mut meta = ProfileMeta::default();
    if orphan_chunks > 0 {
        meta.notes.push(format!(
            "{orphan_chunks} ProfileChunk events belong to no Profile event and were ignored"
        ));
    }
    Ok(merge_builders(kept, meta))
}

/// Reads `nodes` and `samples` of a (partial) cpuProfile object, and `deltas`.
fn read_into(
    a: &mut Assembling,
    p: Val<'_, '_>,
    deltas: Option<Val<'_, '_>>,
    path: &str,
) -> Result<(), ImportError> {
    if let Some(nodes) = p.get("nodes") {
        a.parts.read_nodes(&mut a.builder, nodes, path)?;
    }
    a.parts.read_samples(p.get("samples"), deltas, path)?;
    if let Some(t) = p.get("startTime").and_then(|v| v.f64()) {
        a.parts.start_time = t;
    }
    Ok(())
}

fn pid_tid(e: Val<'_, '_>) -> (i64, i64) {
    let num = |k: &str| {
        e.get(k)
            .and_then(|v| v.number_like())
            .map_or(0, |v| v as i64)
    };
    (num("pid"), num("tid"))
}
