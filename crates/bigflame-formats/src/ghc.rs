//! GHC profiler JSON (`+RTS -pj`, `PROGRAM.prof` in JSON).
//!
//! Why this shape: the file holds the cost-centre *tree* (`profile`: nested nodes with `id` of a cost
//! centre, `entries`, `ticks`, `alloc` and `children`) plus the cost centres themselves
//! (`cost_centres`: `module`, `label`, `src_loc`). Two measurements per node, so two events, as
//! speedscope makes two profiles: `time` (ticks × `tick_interval` µs, in nanoseconds) and
//! `allocation` (bytes).
//!
//! As in speedscope the tree is replayed as nested intervals (a node's children first, then its own
//! cost), nodes that did nothing at all (no ticks, entries, allocation or children) are left out,
//! and a frame is `MODULE.LABEL` with `src_loc` as its file unless it is a `<built-in>`-style
//! placeholder. The walk uses an explicit stack: GHC already collapses recursion, but a deep tree in
//! a hostile file must not overflow ours.

use crate::driver::ImportOptions;
use crate::error::ImportError;
use crate::evented::{EventedStack, EventedTarget};
use crate::json::{Val, with_document};
use bigflame_model::{
    FastMap, Frame, FrameId, Profile, ProfileBuilder, ProfileMeta, ThreadKey, WeightUnit,
};

fn num(v: Option<Val<'_, '_>>) -> f64 {
    v.and_then(|v| v.f64()).unwrap_or(0.0)
}

/// Replays the tree under `root` into one event; `attribute` picks the node's own cost.
fn replay(
    b: &mut ProfileBuilder,
    to: &EventedTarget,
    root: Val<'_, '_>,
    frames: &FastMap<i64, FrameId>,
    unknown: FrameId,
    attribute: &str,
) {
    let mut ev = EventedStack::new();
    let mut cur = 0.0f64;
    // (node, children already pushed?)
    let mut todo: Vec<(Val, bool)> = vec![(root, false)];
    while let Some((node, expanded)) = todo.pop() {
        if expanded {
            cur += num(node.get(attribute)).max(0.0);
            ev.close(b, to, cur);
            continue;
        }
        let children = node.get("children");
        let has_children = children.is_some_and(|c| c.len() > 0);
        let idle = ["ticks", "entries", "alloc"]
            .iter()
            .all(|k| num(node.get(k)) == 0.0);
        if idle && !has_children {
            continue;
        }
        let id = node.get("id").and_then(|v| v.i64()).unwrap_or(-1);
        let frame = frames.get(&id).copied().unwrap_or(unknown);
        ev.open(b, to, cur, frame);
        todo.push((node, true));
        if let Some(children) = children {
            let kids: Vec<Val> = children.items().filter(Val::is_object).collect();
            todo.extend(kids.into_iter().rev().map(|c| (c, false)));
        }
    }
    ev.finish(b, to, cur);
}

/// Imports a GHC `-pj` profile.
pub fn import(data: &[u8], path: &str, _opts: &ImportOptions) -> Result<Profile, ImportError> {
    with_document(data, path, |root| {
        let tree = root.get("profile").filter(Val::is_object).ok_or_else(|| {
            ImportError::invalid(path, "a GHC JSON profile needs a \"profile\" object")
        })?;
        let centres = root
            .get("cost_centres")
            .filter(Val::is_array)
            .ok_or_else(|| {
                ImportError::invalid(path, "a GHC JSON profile needs a \"cost_centres\" array")
            })?;
        let mut b = ProfileBuilder::new();
        let mut frames: FastMap<i64, FrameId> = FastMap::default();
        for (i, c) in centres.items().enumerate() {
            let id = c.get("id").and_then(|v| v.i64()).ok_or_else(|| {
                ImportError::invalid(path, format!("cost centre {i} has no numeric \"id\""))
            })?;
            let module = c.get("module").and_then(|v| v.str()).unwrap_or("");
            let label = c.get("label").and_then(|v| v.str()).unwrap_or("");
            let src = c
                .get("src_loc")
                .and_then(|v| v.str())
                .unwrap_or("<no location info>");
            let frame = Frame {
                file: (!src.starts_with('<')).then(|| b.intern(src)),
                ..Frame::named(b.intern(&format!("{module}.{label}")))
            };
            frames.insert(id, b.frame(frame));
        }
        let unknown = {
            let n = b.intern("(unknown cost centre)");
            b.frame(Frame::named(n))
        };
        let program = root
            .get("program")
            .and_then(|v| v.str())
            .unwrap_or("program");
        let tname = b.intern(program);
        let thread = b.thread(ThreadKey {
            pid: None,
            tid: None,
            name: tname,
        });
        let tick_us = root
            .get("tick_interval")
            .and_then(|v| v.f64())
            .filter(|t| *t > 0.0)
            .unwrap_or(1000.0);
        let time = b.event("time", WeightUnit::Nanoseconds);
        let alloc = b.event("allocation", WeightUnit::Bytes);
        let tick_ns = tick_us * 1e3;
        let t = EventedTarget {
            thread,
            event: time,
            to_ns: tick_ns,
            to_weight: tick_ns,
        };
        replay(&mut b, &t, tree, &frames, unknown, "ticks");
        let a = EventedTarget {
            thread,
            event: alloc,
            to_ns: 1.0,
            to_weight: 1.0,
        };
        replay(&mut b, &a, tree, &frames, unknown, "alloc");
        Ok(b.finish(ProfileMeta::default()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bigflame_model::EventId;

    const DOC: &str = r#"{"program": "p", "tick_interval": 1000,
      "cost_centres": [
        {"id": 1, "label": "main", "module": "Main", "src_loc": "Main.hs:3:1-20", "is_caf": false},
        {"id": 2, "label": "go", "module": "Main", "src_loc": "Main.hs:9:1", "is_caf": false},
        {"id": 3, "label": "CAF", "module": "GHC.IO", "src_loc": "<entire-module>", "is_caf": true}],
      "profile": {"id": 1, "entries": 1, "ticks": 2, "alloc": 100, "children": [
        {"id": 2, "entries": 5, "ticks": 7, "alloc": 900, "children": []},
        {"id": 3, "entries": 0, "ticks": 0, "alloc": 0, "children": []},
        {"id": 3, "entries": 1, "ticks": 0, "alloc": 0, "children": []}]}}"#;

    #[test]
    fn time_and_allocation_are_two_events() {
        let p = import(DOC.as_bytes(), "p.prof", &ImportOptions::default()).unwrap();
        assert_eq!(p.events[0].name, "time");
        assert_eq!(p.events[1].unit, WeightUnit::Bytes);
        // 2 + 7 ticks of 1 ms; 100 + 900 bytes.
        assert_eq!(p.total_weight(EventId(0)), 9e6);
        assert_eq!(p.total_weight(EventId(1)), 1000.0);
        let c = p.threads[0].samples(EventId(0));
        let named: Vec<(String, f64)> = c
            .stack
            .iter()
            .zip(&c.weight)
            .map(|(&s, &w)| (p.frame_name(p.stacks.frame(s)).to_string(), w / 1e6))
            .collect();
        // main opens (a zero-length sample records it), then its children (go 7 ms, the entered CAF
        // 0 ms), then main's own 2 ms; the CAF that did nothing is left out.
        let want = [
            ("Main.main", 0.0),
            ("Main.go", 7.0),
            ("GHC.IO.CAF", 0.0),
            ("Main.main", 2.0),
        ];
        let want: Vec<(String, f64)> = want.iter().map(|&(n, w)| (n.to_string(), w)).collect();
        assert_eq!(named, want);
        let caf = p
            .frames
            .as_slice()
            .iter()
            .find(|f| p.strings.get(f.name) == "GHC.IO.CAF");
        assert_eq!(caf.map(|f| f.file), Some(None));
    }

    #[test]
    fn bad_documents_are_refused_with_a_reason() {
        let e = import(
            br#"{"cost_centres": []}"#,
            "g.prof",
            &ImportOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("\"profile\""), "{e}");
        let e = import(
            br#"{"profile": {}, "cost_centres": [{}]}"#,
            "g.prof",
            &ImportOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("cost centre 0"), "{e}");
    }
}
