//! valgrind callgrind (and cachegrind, xdebug, ...) output: a call graph, expanded to a flame graph.
//!
//! Why a call graph importer: callgrind counts events (instructions `Ir`, cache misses, xdebug's
//! time and memory) per source position and per call arc, never per stack. [`parse`] reads the line
//! grammar into a [`CallGraph`](crate::callgraph::CallGraph); [`crate::callgraph::expand`] turns it into the best-effort tree
//! (callee costs split over callers in proportion), and the profile's notes say so.
//!
//! Every event of the `events:` line becomes a model event, so `--event Dr` (or the viewer's
//! event picker) chooses what the flame graph measures; the first event is the default. Units
//! follow the `_(unit)` suffix convention of xdebug and speedscope: `Time_(10ns)` becomes an event
//! `Time` in nanoseconds (values × 10), `Memory_(bytes)` an event `Memory` in bytes; any other name
//! (`Ir`, `Dr`, `D1mr`, `Bc`, ...) counts events.

mod parse;
#[cfg(test)]
mod tests;

use crate::callgraph::{self, EventTarget, ExpandLimits};
use crate::driver::ImportOptions;
use crate::error::ImportError;
use bigflame_model::{Profile, ProfileBuilder, ProfileMeta, ThreadKey, WeightUnit};
use std::path::Path;

/// Imports a whole callgrind file.
pub fn import(data: &[u8], name: &str, _opts: &ImportOptions) -> Result<Profile, ImportError> {
    let parsed = parse::parse(data, name)?;
    if parsed.events.is_empty() {
        return Err(ImportError::parse_at(
            name,
            data,
            0,
            "no `events:` header line: not a callgrind profile",
        ));
    }
    let mut b = ProfileBuilder::new();
    let thread_name = b.intern(&thread_name(parsed.cmd.as_deref(), name));
    let thread = b.thread(ThreadKey {
        pid: parsed.pid,
        tid: parsed.thread,
        name: thread_name,
    });
    let mut targets = Vec::new();
    let mut names = Vec::new();
    for (i, raw) in parsed.events.iter().enumerate() {
        let (mut display, unit, scale) = event_unit(raw);
        if parsed.events.iter().any(|other| other == &display) && display != *raw {
            display = raw.clone(); // `Time` and `Time_(10ns)` in one file: keep them apart
        }
        let event = b.event(&display, unit);
        targets.push(EventTarget {
            graph_event: i,
            event,
            scale,
        });
        names.push(display);
    }
    let reports = callgraph::expand(
        &parsed.graph,
        &targets,
        &mut b,
        thread,
        ExpandLimits::default(),
    );
    let named: Vec<(String, callgraph::ExpandReport)> =
        names.iter().cloned().zip(reports).collect();
    let mut notes = callgraph::expansion_notes("callgrind", &named);
    if let Some(totals) = &parsed.totals {
        for (i, display) in names.iter().enumerate() {
            let want = totals.get(i).copied().unwrap_or(0.0);
            let got = parsed.graph.total_self(i);
            if want != 0.0 && want != got {
                notes.push(format!(
                    "{display}: the file's totals say {want} but its cost lines add up to {got}"
                ));
            }
        }
    }
    let meta = ProfileMeta {
        notes,
        skipped: parsed.skipped,
        ..ProfileMeta::default()
    };
    Ok(b.finish(meta))
}

/// An event's display name, unit and the factor from file values to the unit.
pub(crate) fn event_unit(raw: &str) -> (String, WeightUnit, f64) {
    let plain = (raw.to_string(), WeightUnit::Events, 1.0);
    let Some(body) = raw.strip_suffix(')') else {
        return plain;
    };
    let Some(open) = body.rfind('(') else {
        return plain;
    };
    let name = body[..open].trim_end_matches(['_', ' ']);
    let spec = &body[open + 1..];
    let digits = spec.bytes().take_while(u8::is_ascii_digit).count();
    let factor: f64 = if digits == 0 {
        1.0
    } else {
        match spec[..digits].parse::<u32>() {
            Ok(n) if n > 0 => f64::from(n),
            _ => return plain,
        }
    };
    let (unit, per) = match spec[digits..].trim() {
        "ns" => (WeightUnit::Nanoseconds, 1.0),
        "us" | "µs" => (WeightUnit::Nanoseconds, 1e3),
        "ms" => (WeightUnit::Nanoseconds, 1e6),
        "s" => (WeightUnit::Nanoseconds, 1e9),
        "bytes" | "byte" | "B" => (WeightUnit::Bytes, 1.0),
        _ => return plain,
    };
    if name.is_empty() {
        return plain;
    }
    (name.to_string(), unit, factor * per)
}

/// The program's name from `cmd:` (its first word, without directories), else the file's stem.
fn thread_name(cmd: Option<&str>, source: &str) -> String {
    let from_cmd = cmd
        .and_then(|c| c.split_ascii_whitespace().next())
        .and_then(|p| Path::new(p).file_name())
        .and_then(|n| n.to_str())
        .filter(|n| !n.is_empty());
    if let Some(n) = from_cmd {
        return n.to_string();
    }
    match Path::new(source).file_name().and_then(|s| s.to_str()) {
        Some(stem) if source != "-" && !stem.is_empty() => stem.to_string(),
        _ => "callgrind".to_string(),
    }
}
