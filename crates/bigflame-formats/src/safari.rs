//! Safari Web Inspector timeline recordings (Timelines tab → Export, `*-recording.json`).
//!
//! Why this shape: the JavaScript samples are two parallel arrays of the recording,
//! `sampleStackTraces` (each with a `timestamp` in seconds and `stackFrames`, innermost first) and
//! `sampleDurations` (seconds). As in speedscope each sample weighs its duration; a frame is its
//! name (`(anonymous)` when empty), URL, line and column. Samples keep their timestamps (relative to
//! the recording's `startTime`) so Time Order shows them where they happened. The other timeline
//! records (layout, network, markers) are not profiles and are ignored.

use crate::driver::ImportOptions;
use crate::error::ImportError;
use crate::json::{Val, with_document};
use bigflame_model::{
    Frame, Profile, ProfileBuilder, ProfileMeta, SkipReason, StackId, ThreadKey, WeightUnit,
};

/// Imports a Safari timeline recording.
pub fn import(data: &[u8], path: &str, _opts: &ImportOptions) -> Result<Profile, ImportError> {
    with_document(data, path, |root| {
        let rec = root
            .get("recording")
            .filter(Val::is_object)
            .ok_or_else(|| {
                ImportError::invalid(path, "a Safari recording needs a \"recording\" object")
            })?;
        let traces = rec.get("sampleStackTraces").filter(Val::is_array);
        let durations = rec.get("sampleDurations").filter(Val::is_array);
        let (Some(traces), Some(durations)) = (traces, durations) else {
            return Err(ImportError::invalid(
                path,
                "the recording has no \"sampleStackTraces\"/\"sampleDurations\" (was the JavaScript \
                 & Events timeline recorded?)",
            ));
        };
        let mut b = ProfileBuilder::new();
        let display = rec
            .get("displayName")
            .and_then(|v| v.str())
            .unwrap_or_else(|| crate::json::file_name(path));
        let tname = b.intern(display);
        let thread = b.thread(ThreadKey {
            pid: None,
            tid: None,
            name: tname,
        });
        let event = b.event("time", WeightUnit::Nanoseconds);
        let start = rec.get("startTime").and_then(|v| v.f64()).unwrap_or(0.0);
        let mut skipped = bigflame_model::Skipped::default();
        let mut durations = durations.items();
        let mut frames: Vec<Val> = Vec::new();
        for (i, sample) in traces.items().enumerate() {
            let Some(duration) = durations.next().and_then(|d| d.f64()) else {
                skipped.add(
                    SkipReason::MalformedSample,
                    || format!("sample {i}"),
                    b"no matching entry in sampleDurations",
                );
                continue;
            };
            frames.clear();
            frames.extend(
                sample
                    .get("stackFrames")
                    .into_iter()
                    .flat_map(|f| f.items()),
            );
            let mut stack = StackId::EMPTY;
            for f in frames.iter().rev() {
                let name = f
                    .get("name")
                    .and_then(|v| v.str())
                    .filter(|n| !n.is_empty());
                let url = f.get("url").and_then(|v| v.str()).filter(|u| !u.is_empty());
                let int = |k: &str| {
                    f.get(k)
                        .and_then(|v| v.i64())
                        .and_then(|v| u32::try_from(v).ok())
                };
                let frame = Frame {
                    file: url.map(|u| b.intern(u)),
                    line: int("line").unwrap_or(0),
                    column: int("column").unwrap_or(0),
                    ..Frame::named(b.intern(name.unwrap_or("(anonymous)")))
                };
                let frame = b.frame(frame);
                stack = b.stack(stack, frame);
            }
            let at = sample
                .get("timestamp")
                .and_then(|v| v.f64())
                .unwrap_or(start);
            let time = ((at - start) * 1e9).max(0.0).round() as u64;
            b.sample(thread, event, Some(time), stack, duration.max(0.0) * 1e9);
        }
        Ok(b.finish(ProfileMeta {
            skipped,
            ..ProfileMeta::default()
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bigflame_model::EventId;

    #[test]
    fn samples_weigh_their_durations() {
        let doc = br#"{"version": 1, "recording": {"displayName": "Rec 1", "startTime": 10,
          "sampleStackTraces": [
            {"timestamp": 10.5, "stackFrames": [
              {"name": "", "url": "a.js", "line": 2, "column": 10},
              {"name": "main", "url": "a.js", "line": 9, "column": 1}]},
            {"timestamp": 10.75, "stackFrames": []},
            {"timestamp": 11, "stackFrames": []}],
          "sampleDurations": [0.25, 0.5]}}"#;
        let p = import(doc, "r.json", &ImportOptions::default()).unwrap();
        assert_eq!(
            p.thread_label(bigflame_model::ThreadId::from_index(0)),
            "Rec 1"
        );
        let c = p.threads[0].samples(EventId(0));
        assert_eq!(c.time_ns, vec![500_000_000, 750_000_000]);
        assert_eq!(c.weight, vec![0.25e9, 0.5e9]);
        assert!(c.stack[1].is_empty());
        let leaf = p.frames.get(p.stacks.frame(c.stack[0]));
        assert_eq!(p.strings.get(leaf.name), "(anonymous)");
        assert_eq!((leaf.line, leaf.column), (2, 10));
        assert_eq!(
            p.frame_name(p.stacks.frame(p.stacks.parent(c.stack[0]))),
            "main"
        );
        assert_eq!(p.meta.skipped.total(), 1);
    }

    #[test]
    fn recordings_without_samples_are_refused() {
        let e = import(
            br#"{"recording": {"displayName": "x"}}"#,
            "s.json",
            &ImportOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("sampleStackTraces"), "{e}");
        let e = import(br#"{"version": 1}"#, "s.json", &ImportOptions::default()).unwrap_err();
        assert!(e.to_string().contains("\"recording\""), "{e}");
    }
}
