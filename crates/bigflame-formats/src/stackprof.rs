//! Ruby stackprof JSON (`StackProf.run(mode: ..., raw: true)` then `stackprof --json`).
//!
//! Why these rules: the samples are in `raw`, a flat array of records `[N, frame ids × N (root
//! first), COUNT]`, where COUNT consecutive samples had that stack; `frames` maps each id to its
//! name, file and line. Weights follow the mode, as in speedscope:
//!
//! * `wall` (and unknown modes): the sum of the COUNT next `raw_timestamp_deltas` (µs), so a stack
//!   weighs the time that passed while it was sampled;
//! * `cpu`: COUNT × `interval` (µs);
//! * `object`: COUNT allocations (an event count).
//!
//! Frames are one per id and line (`raw_lines`, when present, gives the line per raw entry). A stack
//! of only `(garbage collection)` is drawn on top of the previous stack, as stackprof's GC samples
//! belong to whatever was running. Wall and cpu samples get times from the deltas, so Time Order
//! shows them in sequence.

use crate::driver::ImportOptions;
use crate::error::ImportError;
use crate::json::{Val, file_name, with_document};
use bigflame_model::{
    FastMap, Frame, FrameId, Profile, ProfileBuilder, ProfileMeta, SkipReason, StackId, ThreadKey,
    WeightUnit,
};

/// An id or count from `raw`: a non-negative integer.
fn uint(v: Val<'_, '_>) -> Option<u64> {
    v.i64().and_then(|i| u64::try_from(i).ok()).or_else(|| {
        v.f64()
            .filter(|f| *f >= 0.0 && f.fract() == 0.0)
            .map(|f| f as u64)
    })
}

/// Imports a stackprof JSON document.
pub fn import(data: &[u8], path: &str, _opts: &ImportOptions) -> Result<Profile, ImportError> {
    with_document(data, path, |root| {
        let raw = root.get("raw").filter(Val::is_array).ok_or_else(|| {
            ImportError::invalid(
                path,
                "a stackprof profile needs a \"raw\" array (record it with `raw: true`)",
            )
        })?;
        let frames = root.get("frames").filter(Val::is_object).ok_or_else(|| {
            ImportError::invalid(path, "a stackprof profile needs a \"frames\" object")
        })?;
        let mode = root.get("mode").and_then(|m| m.str()).unwrap_or("wall");
        let interval = root.get("interval").and_then(|v| v.f64()).unwrap_or(0.0);
        let mut deltas = root
            .get("raw_timestamp_deltas")
            .map(|d| d.items())
            .into_iter()
            .flatten();
        let mut raw_lines = root.get("raw_lines").map(|l| l.items());
        let by_id: FastMap<u64, Val> = frames
            .entries()
            .filter_map(|(k, v)| Some((k.parse::<u64>().ok()?, v)))
            .collect();

        let mut b = ProfileBuilder::new();
        let tname = b.intern(file_name(path));
        let thread = b.thread(ThreadKey {
            pid: None,
            tid: None,
            name: tname,
        });
        let (event, timed) = match mode {
            "object" => (b.event("allocations", WeightUnit::Events), false),
            "cpu" => (b.event("cpu", WeightUnit::Nanoseconds), true),
            other => (b.event(other, WeightUnit::Nanoseconds), true),
        };
        let mut frame_ids: FastMap<(u64, u32), FrameId> = FastMap::default();
        let mut frame_of =
            |b: &mut ProfileBuilder, id: u64, line: Option<u32>| -> Option<FrameId> {
                let f = by_id.get(&id)?;
                let line = line
                    .or_else(|| {
                        f.get("line")
                            .and_then(|l| l.i64())
                            .and_then(|l| u32::try_from(l).ok())
                    })
                    .unwrap_or(0);
                if let Some(&fid) = frame_ids.get(&(id, line)) {
                    return Some(fid);
                }
                let name = f.get("name").and_then(|n| n.str()).unwrap_or("(unknown)");
                let file = f.get("file").and_then(|n| n.str());
                let frame = Frame {
                    file: file.map(|s| b.intern(s)),
                    line,
                    ..Frame::named(b.intern(name))
                };
                let fid = b.frame(frame);
                frame_ids.insert((id, line), fid);
                Some(fid)
            };
        let gc = b.intern("(garbage collection)");

        let mut items = raw.items();
        let mut record = 0usize;
        let mut prev = StackId::EMPTY;
        let mut clock_us = 0.0f64;
        let mut missing_deltas = false;
        let mut skipped = bigflame_model::Skipped::default();
        // The next raw value and, with `raw_lines`, the line recorded at the same position.
        let mut next = || {
            let v = items.next();
            let line = raw_lines.as_mut().and_then(|l| l.next());
            let line = line
                .and_then(|l| l.i64())
                .and_then(|l| u32::try_from(l).ok());
            v.map(|v| (v, line))
        };
        while let Some((height, _)) = next() {
            record += 1;
            let Some(height) = uint(height) else {
                return Err(ImportError::invalid(
                    path,
                    format!(
                        "\"raw\" record {record}: the stack height is {}, not a count",
                        height.kind()
                    ),
                ));
            };
            let mut stack = StackId::EMPTY;
            let mut only_gc = height == 1;
            let mut bad = false;
            for _ in 0..height {
                let Some((id, line)) = next() else {
                    return Err(ImportError::invalid(
                        path,
                        format!("\"raw\" record {record}: the array ends inside the stack"),
                    ));
                };
                match uint(id).and_then(|id| frame_of(&mut b, id, line)) {
                    Some(f) => {
                        only_gc &= b.frames.get(f).name == gc;
                        stack = b.stack(stack, f);
                    }
                    None => {
                        only_gc = false;
                        bad = true;
                    }
                }
            }
            let count = next().and_then(|(c, _)| uint(c)).ok_or_else(|| {
                ImportError::invalid(
                    path,
                    format!("\"raw\" record {record}: no sample count after the stack"),
                )
            })?;
            if only_gc && !prev.is_empty() {
                let gc_frame = b.stacks.frame(stack);
                stack = b.stack(prev, gc_frame);
            }
            let start_us = clock_us;
            // The clock advances by these samples' deltas; a count larger than the deltas left
            // (a claim of the file) costs one step per delta that exists, not per claimed sample.
            let mut taken = 0u64;
            if mode != "object" {
                while taken < count {
                    let Some(d) = deltas.next() else { break };
                    clock_us += d.f64().unwrap_or(interval);
                    taken += 1;
                }
                if taken < count {
                    missing_deltas |= mode != "cpu";
                    clock_us += (count - taken) as f64 * interval;
                }
            }
            let weight = match mode {
                "object" => count as f64,
                "cpu" => count as f64 * interval * 1e3,
                _ => (clock_us - start_us) * 1e3,
            };
            if bad {
                skipped.add(
                    SkipReason::MalformedSample,
                    || format!("raw record {record}"),
                    b"a frame id that is not in \"frames\"",
                );
            }
            let time = timed.then(|| (start_us * 1e3).max(0.0).round() as u64);
            b.sample(thread, event, time, stack, weight);
            prev = stack;
        }
        let mut meta = ProfileMeta {
            skipped,
            ..ProfileMeta::default()
        };
        if missing_deltas {
            meta.notes.push(
                "raw_timestamp_deltas is shorter than the samples; the rest count one interval each"
                    .into(),
            );
        }
        Ok(b.finish(meta))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bigflame_model::EventId;

    const FRAMES: &str = r#""frames": {
        "1": {"name": "<main>", "file": "a.rb", "line": 1},
        "2": {"name": "Object#f", "file": "a.rb", "line": 5},
        "3": {"name": "(garbage collection)"},
        "4": {"file": "<cfunc>"}}"#;

    fn doc(mode: &str, raw: &str, extra: &str) -> Vec<u8> {
        format!(r#"{{"mode": "{mode}", "interval": 1000, {FRAMES}, "raw": {raw}{extra}}}"#)
            .into_bytes()
    }

    fn leafs(p: &Profile) -> Vec<(Option<u64>, f64, u32)> {
        let c = p.threads[0].samples(EventId(0));
        (0..c.len())
            .map(|i| {
                (
                    c.time_ns.get(i).copied(),
                    c.weight[i],
                    p.stacks.depth(c.stack[i]) + 1,
                )
            })
            .collect()
    }

    #[test]
    fn weights_follow_the_mode() {
        let raw = "[2, 1, 2, 3, 1, 3, 1, 1, 4, 2]";
        // wall: record 1 = deltas 10+20+30 µs, the GC record sits on top of main;f (depth 3).
        let wall = doc(
            "wall",
            raw,
            r#", "raw_timestamp_deltas": [10, 20, 30, 40, 50, 60]"#,
        );
        let p = import(&wall, "w.json", &ImportOptions::default()).unwrap();
        assert_eq!(p.events[0].unit, WeightUnit::Nanoseconds);
        assert_eq!(
            leafs(&p),
            vec![
                (Some(0), 60e3, 2),
                (Some(60_000), 40e3, 3),
                (Some(100_000), 110e3, 1)
            ]
        );
        // The nameless frame is "(unknown)".
        let c = p.threads[0].samples(EventId(0));
        assert_eq!(p.frame_name(p.stacks.frame(c.stack[2])), "(unknown)");
        // cpu: count × interval.
        let p = import(&doc("cpu", raw, ""), "c.json", &ImportOptions::default()).unwrap();
        let w: Vec<f64> = p.threads[0].samples(EventId(0)).weight.to_vec();
        assert_eq!(w, vec![3e6, 1e6, 2e6]);
        // object: counts, no time.
        let p = import(&doc("object", raw, ""), "o.json", &ImportOptions::default()).unwrap();
        assert_eq!(p.events[0].unit, WeightUnit::Events);
        assert_eq!(p.total_weight(EventId(0)), 6.0);
        assert!(!p.threads[0].samples(EventId(0)).has_time());
    }

    #[test]
    fn raw_lines_split_frames_by_line() {
        let raw = "[1, 2, 1, 1, 2, 1]";
        let d = doc("object", raw, r#", "raw_lines": [0, 7, 0, 0, 9, 0]"#);
        let p = import(&d, "l.json", &ImportOptions::default()).unwrap();
        let c = p.threads[0].samples(EventId(0));
        let lines: Vec<u32> = c
            .stack
            .iter()
            .map(|&s| p.frames.get(p.stacks.frame(s)).line)
            .collect();
        assert_eq!(lines, vec![7, 9]);
    }

    #[test]
    fn claimed_counts_cost_no_time_and_unknown_frames_do_not_panic() {
        // 10^15 samples claimed, two deltas recorded: 1 + 2 µs, then one 1000 µs interval each.
        let d = doc(
            "wall",
            "[1, 1, 1000000000000000]",
            r#", "raw_timestamp_deltas": [1, 2]"#,
        );
        let p = import(&d, "h.json", &ImportOptions::default()).unwrap();
        let want = (3.0 + (1e15 - 2.0) * 1000.0) * 1e3;
        assert_eq!(p.total_weight(EventId(0)), want);
        assert_eq!(p.meta.notes.len(), 1);
        // A lone unknown frame after a stack is not a GC frame: skipped, no panic.
        let p = import(
            &doc("object", "[1, 1, 1, 1, 99, 1]", ""),
            "g.json",
            &ImportOptions::default(),
        )
        .unwrap();
        assert_eq!(p.meta.skipped.total(), 1);
    }

    #[test]
    fn bad_input_is_an_error_or_skipped() {
        let e = import(
            &doc("wall", "[3, 1, 2]", ""),
            "t.json",
            &ImportOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("record 1"), "{e}");
        let e = import(br#"{"mode": "cpu"}"#, "n.json", &ImportOptions::default()).unwrap_err();
        assert!(e.to_string().contains("\"raw\""), "{e}");
        let e = import(b"{\"raw\": [1, 2", "x.json", &ImportOptions::default()).unwrap_err();
        assert!(e.to_string().starts_with("x.json:1:"), "{e}");
        let p = import(
            &doc("object", "[1, 99, 1]", ""),
            "u.json",
            &ImportOptions::default(),
        )
        .unwrap();
        assert_eq!(p.meta.skipped.total(), 1);
    }
}
