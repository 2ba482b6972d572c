//! Profile transforms: collapse recursion (no I/O).
//!
//! Why a transform and not a view option: every view (Time Order, Left Heavy, Sandwich, the
//! function table) reads stacks, so rewriting the stacks once gives all of them the same picture
//! and keeps the layout code unaware of it.
//!
//! **Collapse recursion** follows speedscope's "collapse recursion" (`CallTreeProfileBuilder`'s
//! recursion folding): a frame whose caller (after collapsing) is the *same function* is dropped,
//! so `a;a;a;b` becomes `a;b` and `a;b;b;c` becomes `a;b;c`. Only *direct* recursion collapses:
//! `a;b;a` stays as it is, because removing the inner `a` would attribute `b`'s callees to the
//! wrong caller. "Same function" means the same name and module; the line is ignored, since a
//! recursive call from another line of the function is still the same function. The outermost
//! frame of a recursive run is the one kept. Samples keep their order, times and weights; only
//! their stack ids change, so totals per thread and per event are preserved exactly.
//!
//! **Indirect recursion** (opt-in, like the Firefox Profiler's "collapse recursion" as opposed to
//! its "collapse direct recursion only"): a frame whose function is *anywhere* on its collapsed
//! caller path goes back to the outermost occurrence, and the frames in between are dropped for
//! its subtree: `a;x;b;x;c` becomes `a;x;c`. Cost: each stack walks its new caller path, whose
//! functions are all distinct after collapsing, so O(stacks × distinct functions on a path).

use super::rewrite::{parent_of, rebuild};
use crate::ids::StackId;
use crate::profile::Profile;
use crate::stacks::StackTable;
use crate::{FrameId, FrameTable, StringId};

/// `profile` with direct recursion collapsed (see the module docs). Strings, frames, events and
/// threads are kept (frame ids stay valid); the stack table is rebuilt and sample stacks remapped.
pub fn collapse_direct_recursion(profile: &Profile) -> Profile {
    let (stacks, map) = collapse_stacks(&profile.stacks, &profile.frames);
    rebuild(profile, None, stacks, &map, StackId::EMPTY)
}

/// `profile` with direct and indirect recursion collapsed (see the module docs).
pub fn collapse_all_recursion(profile: &Profile) -> Profile {
    let (stacks, map) = collapse_indirect_stacks(&profile.stacks, &profile.frames);
    rebuild(profile, None, stacks, &map, StackId::EMPTY)
}

/// The function identity recursion is detected on: name and module.
fn key(frames: &FrameTable, f: FrameId) -> (StringId, Option<StringId>) {
    let frame = frames.get(f);
    (frame.name, frame.module)
}

/// The collapsed stack table and, per old stack id, its new stack id. One forward pass (parents
/// come before children), so no recursion and O(stacks).
pub fn collapse_stacks(stacks: &StackTable, frames: &FrameTable) -> (StackTable, Vec<StackId>) {
    let mut out = StackTable::new();
    let mut map: Vec<StackId> = Vec::with_capacity(stacks.len());
    for (&parent, &frame) in stacks.parents().iter().zip(stacks.frames()) {
        let new_parent = parent_of(&map, parent, StackId::EMPTY);
        let same =
            !new_parent.is_empty() && key(frames, out.frame(new_parent)) == key(frames, frame);
        map.push(if same {
            new_parent
        } else {
            out.intern(new_parent, frame)
        });
    }
    (out, map)
}

/// Like [`collapse_stacks`], for direct and indirect recursion: a frame whose function is on its
/// new caller path maps to the outermost such caller.
pub fn collapse_indirect_stacks(
    stacks: &StackTable,
    frames: &FrameTable,
) -> (StackTable, Vec<StackId>) {
    let mut out = StackTable::new();
    let mut map: Vec<StackId> = Vec::with_capacity(stacks.len());
    for (&parent, &frame) in stacks.parents().iter().zip(stacks.frames()) {
        let new_parent = parent_of(&map, parent, StackId::EMPTY);
        let k = key(frames, frame);
        let mut outermost = None;
        let mut cur = new_parent;
        while !cur.is_empty() {
            if key(frames, out.frame(cur)) == k {
                outermost = Some(cur);
            }
            cur = out.parent(cur);
        }
        map.push(match outermost {
            Some(s) => s,
            None => out.intern(new_parent, frame),
        });
    }
    (out, map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Frame;

    /// A one-thread profile from `(time, "a;b;c", weight)` samples.
    fn profile(samples: &[(u64, &str, f64)]) -> Profile {
        let mut p = Profile::default();
        p.events.push(crate::EventType {
            name: "cpu".into(),
            unit: crate::WeightUnit::Samples,
            intervals: false,
        });
        let name = p.strings.intern("main");
        let mut thread = crate::Thread {
            pid: Some(1),
            tid: Some(1),
            name,
            samples: vec![crate::SampleColumns::default()],
        };
        for &(t, stack, w) in samples {
            let frames: Vec<_> = stack
                .split(';')
                .map(|f| {
                    let s = p.strings.intern(f);
                    p.frames.intern(Frame::named(s))
                })
                .collect();
            let id = p.stacks.intern_path(frames);
            thread.samples[0].push(Some(t), id, w);
        }
        p.threads.push(thread);
        p
    }

    fn stacks_of(p: &Profile) -> Vec<String> {
        p.threads[0].samples[0]
            .stack
            .iter()
            .map(|&s| {
                p.stacks
                    .path(s)
                    .into_iter()
                    .map(|f| p.frame_name(f).to_string())
                    .collect::<Vec<_>>()
                    .join(";")
            })
            .collect()
    }

    #[test]
    fn direct_recursion_collapses_to_the_outermost_frame() {
        let p = profile(&[(10, "a;a;a;b", 1.0), (20, "a;b;b;c", 2.0), (30, "a", 3.0)]);
        let c = collapse_direct_recursion(&p);
        assert_eq!(stacks_of(&c), ["a;b", "a;b;c", "a"]);
        // a, a;b, a;b;c
        assert_eq!(c.stacks.len(), 3);
    }

    #[test]
    fn indirect_recursion_is_kept() {
        let p = profile(&[(1, "a;b;a", 1.0), (2, "a;b;a;b", 1.0)]);
        let c = collapse_direct_recursion(&p);
        assert_eq!(stacks_of(&c), ["a;b;a", "a;b;a;b"]);
        assert_eq!(c.stacks.len(), p.stacks.len());
    }

    #[test]
    fn weights_counts_and_time_order_are_preserved() {
        let p = profile(&[
            (5, "x;x;y", 1.5),
            (7, "x;y;y;y", 2.5),
            (9, "z", 4.0),
            (11, "x;x", 1.0),
        ]);
        let c = collapse_direct_recursion(&p);
        let (a, b) = (&p.threads[0].samples[0], &c.threads[0].samples[0]);
        assert_eq!(a.len(), b.len());
        assert_eq!(a.time_ns, b.time_ns);
        assert_eq!(a.weight, b.weight);
        assert_eq!(c.total_weight(crate::EventId(0)), 9.0);
        assert_eq!(stacks_of(&c), ["x;y", "x;y", "z", "x"]);
        // Parents still come before children.
        for (i, parent) in c.stacks.parents().iter().enumerate() {
            assert!(parent.is_empty() || parent.index() < i);
        }
        // Frames are shared, so frame ids (and search, colours) stay valid.
        assert_eq!(c.frames.len(), p.frames.len());
    }

    #[test]
    fn an_empty_profile_stays_empty() {
        let c = collapse_direct_recursion(&Profile::default());
        assert!(c.stacks.is_empty());
        assert!(c.threads.is_empty());
    }
}
