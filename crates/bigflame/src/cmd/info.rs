//! `bigflame info`: what is in a profile, as text or one JSON object.
//!
//! Why: before opening a 4 GB recording users want to know what it holds (events, threads, span) and
//! whether anything was skipped; scripts want the same facts as JSON.

use anyhow::Result;
use bigflame_formats::ImportOptions;
use bigflame_model::{EventId, Profile};
use serde_json::json;
use std::process::ExitCode;

use crate::cli::{InfoArgs, LoadArgs};
use crate::load::load;

pub fn run(args: &InfoArgs, load_args: &LoadArgs) -> Result<ExitCode> {
    let profile = load(&args.file, load_args, ImportOptions::default())?;
    let profile = super::transform_args::apply_transform_args(profile, &args.transform)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&info_json(&profile))?);
    } else {
        print!("{}", info_text(&profile));
    }
    Ok(ExitCode::SUCCESS)
}

fn processes(profile: &Profile) -> usize {
    let mut pids: Vec<u32> = profile.threads.iter().filter_map(|t| t.pid).collect();
    pids.sort_unstable();
    pids.dedup();
    pids.len()
}

/// The JSON summary; the keys `format unit threads samples total_weight frames unique_stacks skipped`
/// describe the default event and are a stable interface.
pub fn info_json(profile: &Profile) -> serde_json::Value {
    let ev = profile.default_event();
    let events: Vec<_> = (0..profile.events.len())
        .map(|i| {
            let e = EventId::from_index(i);
            json!({
                "name": profile.events[i].name,
                "unit": profile.events[i].unit.as_str(),
                "samples": profile.sample_count(e),
                "total_weight": profile.total_weight(e),
            })
        })
        .collect();
    let span = profile.time_span_ns(ev);
    let skipped: Vec<_> = profile
        .meta
        .skipped
        .entries
        .iter()
        .map(|(reason, count, location, excerpt)| {
            json!({"reason": reason.as_str(), "count": count, "first_location": location, "first_text": excerpt})
        })
        .collect();
    json!({
        "source": profile.meta.source,
        "format": profile.meta.format,
        "event": profile.events.get(ev.index()).map(|e| e.name.clone()),
        "events": events,
        "unit": profile.events.get(ev.index()).map_or("samples", |e| e.unit.as_str()),
        "threads": profile.threads.len(),
        "processes": processes(profile),
        "samples": profile.sample_count(ev),
        "total_weight": profile.total_weight(ev),
        "frames": profile.frames.len(),
        "unique_stacks": profile.stacks.len(),
        "time_span_ns": span.map(|(a, b)| json!({"start": a, "end": b, "duration": b - a})),
        "skipped": {"total": profile.meta.skipped.total(), "reasons": skipped},
        "notes": profile.meta.notes,
    })
}

fn info_text(profile: &Profile) -> String {
    use std::fmt::Write;
    let ev = profile.default_event();
    let mut s = String::new();
    let _ = writeln!(s, "file:          {}", profile.meta.source);
    let _ = writeln!(s, "format:        {}", profile.meta.format);
    for (i, e) in profile.events.iter().enumerate() {
        let id = EventId::from_index(i);
        let mark = if id == ev { " (shown)" } else { "" };
        let _ = writeln!(
            s,
            "event:         {}{mark}: {} samples, {}",
            e.name,
            group(profile.sample_count(id) as u64),
            e.unit.format(profile.total_weight(id))
        );
    }
    let unit = profile
        .events
        .get(ev.index())
        .map(|e| e.unit)
        .unwrap_or_default();
    let _ = writeln!(s, "unit:          {}", unit.as_str());
    let _ = writeln!(
        s,
        "samples:       {}",
        group(profile.sample_count(ev) as u64)
    );
    let _ = writeln!(
        s,
        "total weight:  {}",
        unit.format(profile.total_weight(ev))
    );
    let procs = processes(profile);
    let _ = if procs > 0 {
        writeln!(
            s,
            "threads:       {} in {} processes",
            group(profile.threads.len() as u64),
            group(procs as u64)
        )
    } else {
        // perf's default output has only the TID: no process grouping is known.
        writeln!(s, "threads:       {}", group(profile.threads.len() as u64))
    };
    let _ = writeln!(s, "frames:        {}", group(profile.frames.len() as u64));
    let _ = writeln!(s, "unique stacks: {}", group(profile.stacks.len() as u64));
    match profile.time_span_ns(ev) {
        Some((a, b)) => {
            let _ = writeln!(
                s,
                "time span:     {:.6} s ({:.6} .. {:.6})",
                (b - a) as f64 / 1e9,
                a as f64 / 1e9,
                b as f64 / 1e9
            );
        }
        None => {
            let _ = writeln!(s, "time span:     (no timestamps)");
        }
    }
    if profile.meta.skipped.entries.is_empty() {
        let _ = writeln!(s, "skipped:       none");
    }
    for (reason, count, location, excerpt) in &profile.meta.skipped.entries {
        let _ = writeln!(
            s,
            "skipped:       {} {} (first at {location}: {excerpt:?})",
            group(*count),
            reason.as_str()
        );
    }
    for note in &profile.meta.notes {
        let _ = writeln!(s, "note:          {note}");
    }
    s
}

/// `1234567` → `1,234,567`.
pub fn group(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}
