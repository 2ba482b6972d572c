//! Every sample profile of `../shared/conformance/formats` against the summary its peer importer
//! (speedscope, or inferno for folded files) produced: profile count, frames, total weight, unit.
//!
//! How a speedscope "profile" maps onto bigflame's model: speedscope makes one profile per thread
//! (or per event type, for callgrind and GHC's time/allocation pair); bigflame keeps threads and
//! event types as two axes of one profile. So the profiles compared here are the (thread, event)
//! pairs that have samples, threads in first-seen order, events in file order within a thread. For
//! each we count the distinct frames its samples reach (leaf and every caller) and sum the weights
//! of samples whose stack is not empty (speedscope's `getTotalNonIdleWeight`). Time units are
//! converted to bigflame's nanoseconds.
//!
//! Where bigflame's documented weighting differs on purpose, the rule we follow is stated and checked
//! against an independently computed value instead of speedscope's number:
//!
//! * **linux-perf**: speedscope weights each sample by the time to its neighbours; bigflame, like
//!   FlameGraph and inferno, counts samples (or sums periods). The total sample count must equal the
//!   number of records with a stack, counted here with a plain scan of the text.
//! * **pprof**: speedscope imports one sample type, the default (`default_sample_type`, else the
//!   last); bigflame keeps every sample type as an event, the default one first, so only the default
//!   event's profiles are compared.
//! * **java-flight-recorder**: speedscope merges all threads and shows two profiles, "Without native
//!   calls" (`jdk.ExecutionSample`) and "With native calls" (`jdk.ExecutionSample` and
//!   `jdk.NativeMethodSample` together); bigflame keeps threads and event types apart. So our
//!   threads are merged, profile 0 is compared with our `jdk.ExecutionSample` event and profile 1
//!   with the union of both events (frames counted once over both, weights summed).
//! * **instruments-deep-copy**: speedscope truncates values to whole units (`4.93 s` is 4 s to it)
//!   and shows CPU cycles as milliseconds; bigflame keeps decimals and units, so the total must equal
//!   the sum of the top-level rows in the file's own unit, added up here with a plain scan.
//! * **instruments-trace**: bigflame's default event, `weight`, is Instruments' own per-sample
//!   weight (the sampling interval: what Instruments' call tree sums); its second, `interval`,
//!   weighs a sample by the time since the previous sample of its thread, as speedscope does, so a
//!   thread's first sample weighs 0. speedscope's `appendSampleWithWeight` drops zero-weight
//!   samples, frames and all; bigflame keeps them (with their timestamps, for the Time Order view).
//!   So the `interval` event is compared with frames counted over samples of non-zero weight; its
//!   total compares directly (the manifest's is the non-idle weight, last minus first timestamp;
//!   the idle lead-in speedscope adds before the first sample, `idle_weight_approx`, is not in it).
//!   The `weight` event must hold the same samples, each weighing the Time Profiler's default
//!   1 ms interval these traces were recorded with.
//!
//! Files the peer itself rejects (`import_fails`) must not panic; bigflame may import what is valid.

use crate::support::conformance_dir;
use bigflame_formats::{ImportOptions, import_path};
use bigflame_model::{EventId, FrameId, Profile, SampleColumns, StackId, WeightUnit};
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;

/// Formats of the conformance folder that bigflame does not import yet, with the reason. Each must
/// still be refused with a clear message (never a panic, never a wrong picture). Remove a format
/// from this list in the same change that adds its importer.
const NOT_YET: &[(&str, &str)] = &[];

/// One (thread, event) pair with samples, summarised like speedscope's profiles.
#[derive(Debug)]
struct Summary {
    event: EventId,
    frames: usize,
    names: usize,
    total: f64,
    unit: WeightUnit,
    samples: usize,
}

/// The summary of some sample columns of `p` taken together, under `event`: the distinct frames
/// their stacks reach, their total weight (empty stacks left out, and with `skip_zero_weight`
/// samples of weight 0, as speedscope's sampled profiles do; see instruments-trace above).
fn summarise<'p>(
    p: &'p Profile,
    event: EventId,
    columns: impl IntoIterator<Item = &'p SampleColumns>,
    skip_zero_weight: bool,
) -> Summary {
    let mut seen_stacks: HashSet<StackId> = HashSet::new();
    let mut frames: HashSet<FrameId> = HashSet::new();
    let (mut total, mut samples) = (0.0, 0);
    for cols in columns {
        samples += cols.len();
        for (&s, &w) in cols.stack.iter().zip(&cols.weight) {
            if s.is_empty() || (skip_zero_weight && w == 0.0) {
                continue;
            }
            total += w;
            let mut cur = s;
            while !cur.is_empty() && seen_stacks.insert(cur) {
                frames.insert(p.stacks.frame(cur));
                cur = p.stacks.parent(cur);
            }
        }
    }
    let names: HashSet<&str> = frames.iter().map(|&f| p.frame_name(f)).collect();
    Summary {
        event,
        frames: frames.len(),
        names: names.len(),
        total,
        unit: p
            .events
            .get(event.index())
            .map_or(WeightUnit::Samples, |e| e.unit),
        samples,
    }
}

/// Every (thread, event) pair with samples, threads in order, events in file order.
fn summaries(p: &Profile, skip_zero_weight: bool) -> Vec<Summary> {
    let mut out = Vec::new();
    for t in &p.threads {
        for e in (0..p.events.len()).map(EventId::from_index) {
            let cols = t.samples(e);
            if !cols.is_empty() {
                out.push(summarise(p, e, [cols], skip_zero_weight));
            }
        }
    }
    out
}

/// JFR as speedscope shows it (see the module doc): all threads merged, CPU samples alone, then
/// CPU and native samples together.
fn jfr_summaries(p: &Profile) -> Vec<Summary> {
    let cpu = p.event_by_name("jdk.ExecutionSample");
    let native = p.event_by_name("jdk.NativeMethodSample");
    [vec![cpu], vec![cpu, native]]
        .into_iter()
        .map(|events| {
            let events: Vec<EventId> = events.into_iter().flatten().collect();
            let columns = p
                .threads
                .iter()
                .flat_map(|t| events.iter().map(|&e| t.samples(e)));
            summarise(
                p,
                events.first().copied().unwrap_or_default(),
                columns,
                false,
            )
        })
        .collect()
}

/// speedscope's unit name to bigflame's unit and the factor from speedscope's values to ours.
fn unit_of(name: &str) -> Option<(Vec<WeightUnit>, f64)> {
    Some(match name {
        "none" => (vec![WeightUnit::Samples, WeightUnit::Events], 1.0),
        "bytes" => (vec![WeightUnit::Bytes], 1.0),
        "nanoseconds" => (vec![WeightUnit::Nanoseconds], 1.0),
        "microseconds" => (vec![WeightUnit::Nanoseconds], 1e3),
        "milliseconds" => (vec![WeightUnit::Nanoseconds], 1e6),
        "seconds" => (vec![WeightUnit::Nanoseconds], 1e9),
        _ => return None,
    })
}

/// Records of a perf script text that have at least one stack line (a plain scan, independent of
/// the importer).
fn perf_records_with_stacks(text: &str) -> usize {
    let mut n = 0;
    let mut in_record = false;
    let mut has_stack = false;
    for line in text.lines() {
        if line.trim().is_empty() {
            if in_record && has_stack {
                n += 1;
            }
            in_record = false;
            has_stack = false;
        } else if line.starts_with('#') && !in_record {
        } else if line.starts_with([' ', '\t']) {
            has_stack |= in_record;
        } else {
            if in_record && has_stack {
                n += 1;
            }
            in_record = true;
            has_stack = false;
        }
    }
    n + usize::from(in_record && has_stack)
}

fn check_file(dir: &Path, file: &Value) -> Result<String, String> {
    let rel = file["path"].as_str().unwrap_or_default();
    let format = file["format"].as_str().unwrap_or_default();
    let path = dir.join(rel);
    let expected = &file["expected"];
    let imported = import_path(&path, &ImportOptions::default());
    if let Some((_, why)) = NOT_YET.iter().find(|(f, _)| *f == format) {
        return match imported {
            Err(e) => Ok(format!("not yet ({why}): {e}")),
            Ok(_) => Err(format!(
                "{rel}: imports now; remove {format:?} from NOT_YET and check it"
            )),
        };
    }
    if expected["import_fails"].as_bool() == Some(true) {
        return Ok(match imported {
            Ok(p) => format!("peer rejects it; imported {} threads", p.threads.len()),
            Err(e) => format!("peer rejects it; so do we: {e}"),
        });
    }
    let profile = imported.map_err(|e| format!("{rel}: import failed: {e}"))?;
    let Some(want) = expected["profiles"].as_array() else {
        return Ok("no expected summary; imported".into());
    };
    let want: Vec<&Value> = want
        .iter()
        .filter(|p| p["frame_count"].as_u64().unwrap_or(0) > 0)
        .collect();
    let mut got = summaries(&profile, format == "instruments-trace");
    if format == "java-flight-recorder" {
        got = jfr_summaries(&profile);
    }
    if format == "pprof" {
        got.retain(|s| s.event == profile.default_event());
    }
    if format == "instruments-trace" {
        let interval = profile.event_by_name("interval");
        let weight = profile.event_by_name("weight");
        let count = |e| got.iter().filter(|s| Some(s.event) == e).count();
        for w in got.iter().filter(|s| Some(s.event) == weight) {
            if (w.total - 1e6 * w.samples as f64).abs() > 1e-3 {
                return Err(format!(
                    "{rel}: weight event: {} ns over {} samples, expected 1 ms each",
                    w.total, w.samples
                ));
            }
        }
        if count(weight) != count(interval) {
            return Err(format!(
                "{rel}: the weight and interval events differ in threads"
            ));
        }
        got.retain(|s| Some(s.event) == interval);
    }
    let mut errors = Vec::new();
    if expected["profile_count"].is_null() {
        // Only the profile speedscope shows first was recorded: it must be one of ours.
    } else if got.len() != want.len() {
        errors.push(format!("{} profiles, expected {}", got.len(), want.len()));
    }
    if format == "linux-perf" {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned();
        let records = perf_records_with_stacks(&text);
        let samples: usize = got.iter().map(|s| s.samples).sum();
        if samples != records {
            errors.push(format!("{samples} samples, {records} records with a stack"));
        }
    }
    for (i, w) in want.iter().enumerate() {
        let candidates: Vec<&Summary> = if expected["profile_count"].is_null() {
            got.iter().collect()
        } else {
            got.get(i).into_iter().collect()
        };
        let frames = w["frame_count"].as_u64().unwrap_or(0) as usize;
        let names = w["distinct_frame_names"].as_u64().unwrap_or(0) as usize;
        let total = w["total_weight"].as_f64().unwrap_or(0.0);
        let unit = w["weight_unit"].as_str().unwrap_or("none");
        let matches = |s: &Summary| -> Result<(), String> {
            if s.frames != frames || s.names != names {
                return Err(format!(
                    "profile {i}: {} frames / {} names, expected {frames} / {names}",
                    s.frames, s.names
                ));
            }
            if format == "linux-perf" {
                return Ok(());
            }
            if format == "instruments-deep-copy" {
                return deep_copy_matches(&path, s).map_err(|e| format!("profile {i}: {e}"));
            }
            let Some((units, factor)) = unit_of(unit) else {
                return Err(format!("profile {i}: unknown expected unit {unit}"));
            };
            // A peer profile without weighted samples has no readable unit (`null`): only its
            // total (0) is compared.
            if !w["weight_unit"].is_null() && !units.contains(&s.unit) {
                return Err(format!("profile {i}: unit {:?}, expected {unit}", s.unit));
            }
            let want_total = total * factor;
            let tol = 1e-6 * want_total.abs().max(1.0);
            if (s.total - want_total).abs() > tol {
                return Err(format!(
                    "profile {i}: total {} {:?}, expected {want_total} ({total} {unit})",
                    s.total, s.unit
                ));
            }
            Ok(())
        };
        let results: Vec<Result<(), String>> = candidates.iter().map(|s| matches(s)).collect();
        if !results.iter().any(Result::is_ok) {
            match results.into_iter().find_map(Result::err) {
                Some(e) => errors.push(e),
                None => errors.push(format!("profile {i}: missing")),
            }
        }
    }
    if errors.is_empty() {
        Ok(format!("{} profiles match", got.len()))
    } else {
        Err(format!("{rel}: {}", errors.join("; ")))
    }
}

/// An Instruments deep copy's total in bigflame's units: the sum of its top-level rows (the rows
/// indented like the first one), each `VALUE UNIT  PCT%` read with its decimals.
fn deep_copy_total(text: &str) -> Result<(WeightUnit, f64), String> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |f: &dyn Fn(&str) -> bool| header.iter().position(|h| f(h));
    let weight = col(&|h| matches!(h, "Weight" | "Running Time" | "Bytes Used"))
        .ok_or("no weight column")?;
    let symbol = col(&|h| h.starts_with("Symbol Name")).ok_or("no symbol column")?;
    let (mut unit, mut total, mut top_indent) = (None, 0.0, None);
    for line in lines {
        let cells: Vec<&str> = line.split('\t').collect();
        let (Some(w), Some(sym)) = (cells.get(weight), cells.get(symbol)) else {
            continue;
        };
        let indent = sym.len() - sym.trim_start_matches(' ').len();
        if *top_indent.get_or_insert(indent) != indent {
            continue;
        }
        let mut parts = w.split_whitespace();
        let first = parts.next().unwrap_or_default();
        let split = first
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(first.len());
        let value: f64 = first[..split]
            .parse()
            .map_err(|_| format!("bad weight {w:?}"))?;
        let unit_text = if split < first.len() {
            &first[split..]
        } else {
            parts.next().unwrap_or_default()
        };
        let (u, factor) = match unit_text {
            "ms" => (WeightUnit::Nanoseconds, 1e6),
            "s" => (WeightUnit::Nanoseconds, 1e9),
            "min" => (WeightUnit::Nanoseconds, 60e9),
            "Bytes" => (WeightUnit::Bytes, 1.0),
            "KB" => (WeightUnit::Bytes, 1024.0),
            "MB" => (WeightUnit::Bytes, 1024.0 * 1024.0),
            "GB" => (WeightUnit::Bytes, 1024.0 * 1024.0 * 1024.0),
            "cycles" => (WeightUnit::Events, 1.0),
            "Kc" => (WeightUnit::Events, 1e3),
            "Mc" => (WeightUnit::Events, 1e6),
            "Gc" => (WeightUnit::Events, 1e9),
            other => return Err(format!("unknown unit {other:?}")),
        };
        unit = Some(u);
        total += value * factor;
    }
    Ok((unit.ok_or("no rows")?, total))
}

fn deep_copy_matches(path: &Path, s: &Summary) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let (unit, total) = deep_copy_total(&text)?;
    if s.unit != unit || (s.total - total).abs() > 1e-6 * total.max(1.0) {
        return Err(format!(
            "total {} {:?}, expected the top-level rows' {total} {unit:?}",
            s.total, s.unit
        ));
    }
    Ok(())
}

#[test]
fn deep_copy_scan_reads_decimals_and_units() {
    let text = "Weight\tSelf Weight\tSymbol Name\n1.50 s  90%\t0\t  a\n3.00 ms  5%\t0\t   b\n\
                2.5ms  5%\t0\t  c\n";
    assert_eq!(
        deep_copy_total(text),
        Ok((WeightUnit::Nanoseconds, 1.5025e9))
    );
}

#[test]
fn every_format_sample_matches_its_peer_summary() {
    let Some(dir) = conformance_dir() else {
        return;
    };
    let manifest: Value = match std::fs::read(dir.join("manifest.json"))
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => panic!("manifest.json: {e}"),
    };
    let files = manifest["formats"]["files"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        files.len() >= 100,
        "the manifest lists {} files",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let rel = file["path"].as_str().unwrap_or_default();
        let outcome = std::panic::catch_unwind(|| check_file(&dir, file));
        match outcome {
            Ok(Ok(msg)) => eprintln!("ok   {rel}: {msg}"),
            Ok(Err(msg)) => {
                eprintln!("FAIL {msg}");
                failures.push(msg);
            }
            Err(_) => failures.push(format!("{rel}: panicked")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} files failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn perf_record_scan_counts_records_with_stacks() {
    let text = "# header\ncat 1 1.0: 1 cpu-clock:\n\t1 main (/bin/cat)\n\nsleep 2 2.0: 1 cpu-clock:\n\ncat 1 3.0: 1 cpu-clock:\n\t1 f (/x)\n\t2 main (/x)";
    assert_eq!(perf_records_with_stacks(text), 2);
}
