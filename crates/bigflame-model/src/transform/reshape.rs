//! Transforms that change what a frame is, or the direction of the stacks.
//!
//! * **Collapse a module** (a library into one frame, like the Firefox Profiler's "collapse
//!   library"): every frame of the module becomes one frame named after the module, and a run of
//!   consecutive frames of the module becomes one frame; callees outside the module stay below it.
//! * **Granularity**: frames are regrouped by function (name + module: lines, columns and files
//!   merge), by function + file (lines and columns merge) or by module (each module becomes one
//!   frame named after it and consecutive frames of one module merge; frames without a module keep
//!   their function name). New frame table, so frame ids change.
//! * **Invert** (bottom-up, FlameGraph's `--reverse`, speedscope's inverted call tree): every stack
//!   is reversed, the leaf becomes the root. The inverted prefix tree is a different tree, so each
//!   *used* stack walks its own path once: O(sum of the depths of the stacks samples use).

use super::rewrite::{parent_of, rebuild};
use crate::FastMap;
use crate::frames::{Frame, FrameTable};
use crate::ids::{FrameId, StackId, StringId};
use crate::profile::Profile;
use crate::stacks::StackTable;

/// How finely frames are told apart (see the module docs).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum Granularity {
    /// One frame per function name and module.
    #[default]
    Function,
    /// One frame per function name, module and source file.
    FunctionFile,
    /// One frame per module.
    Module,
}

/// `profile` with each frame replaced by `frame_map[frame]` (new ids into `frames`), consecutive
/// identical frames merged when `merge_runs`.
fn regroup(
    profile: &Profile,
    frames: FrameTable,
    frame_map: &[FrameId],
    merge_runs: &dyn Fn(FrameId) -> bool,
) -> Profile {
    let mut out = StackTable::new();
    let mut map = Vec::with_capacity(profile.stacks.len());
    for (&parent, &frame) in profile.stacks.parents().iter().zip(profile.stacks.frames()) {
        let new_parent = parent_of(&map, parent, StackId::EMPTY);
        let new_frame = frame_map.get(frame.index()).copied().unwrap_or(frame);
        let same = !new_parent.is_empty() && out.frame(new_parent) == new_frame;
        map.push(if same && merge_runs(new_frame) {
            new_parent
        } else {
            out.intern(new_parent, new_frame)
        });
    }
    rebuild(
        profile,
        Some((profile.strings.clone(), frames)),
        out,
        &map,
        StackId::EMPTY,
    )
}

/// Frames of the modules flagged in `modules` (indexed by string id) replaced by one frame per
/// module; `None` when no frame belongs to a flagged module.
pub(super) fn collapse_module(
    profile: &Profile,
    is_module: &dyn Fn(StringId) -> bool,
) -> Option<Profile> {
    let mut frames = profile.frames.clone();
    let mut frame_map: Vec<FrameId> = Vec::with_capacity(profile.frames.len());
    let mut module_frames = Vec::new();
    for (i, f) in profile.frames.as_slice().iter().enumerate() {
        frame_map.push(match f.module {
            Some(m) if is_module(m) => {
                let id = frames.intern(module_frame(m, f));
                module_frames.push(id);
                id
            }
            _ => FrameId::from_index(i),
        });
    }
    if module_frames.is_empty() {
        return None;
    }
    let merge = |f: FrameId| module_frames.contains(&f);
    Some(regroup(profile, frames, &frame_map, &merge))
}

/// The frame that stands for a whole module.
fn module_frame(module: StringId, like: &Frame) -> Frame {
    Frame {
        module: Some(module),
        kind: like.kind,
        ..Frame::named(module)
    }
}

/// `profile` at another granularity (see the module docs).
pub(super) fn granularity(profile: &Profile, g: Granularity) -> Profile {
    let mut frames = FrameTable::new();
    // Keyed by (name, module, file) with the unused parts `None`, so the first frame of a group
    // decides its kind.
    let mut groups: FastMap<(StringId, Option<StringId>, Option<StringId>), FrameId> =
        FastMap::default();
    let mut frame_map = Vec::with_capacity(profile.frames.len());
    for f in profile.frames.as_slice() {
        let key = match (g, f.module) {
            (Granularity::Module, Some(m)) => (m, Some(m), None),
            (Granularity::FunctionFile, _) => (f.name, f.module, f.file),
            _ => (f.name, f.module, None),
        };
        let id = *groups.entry(key).or_insert_with(|| {
            frames.intern(Frame {
                name: key.0,
                module: key.1,
                file: key.2,
                line: 0,
                column: 0,
                kind: f.kind,
            })
        });
        frame_map.push(id);
    }
    let merge = |_: FrameId| g == Granularity::Module;
    regroup(profile, frames, &frame_map, &merge)
}

/// `profile` with every stack reversed (leaf first).
pub(super) fn invert(profile: &Profile) -> Profile {
    let n = profile.stacks.len();
    let mut used = vec![false; n];
    for thread in &profile.threads {
        for cols in &thread.samples {
            for &s in &cols.stack {
                if let Some(u) = used.get_mut(s.index()) {
                    *u = true;
                }
            }
        }
    }
    let mut out = StackTable::new();
    let mut map = vec![StackId::EMPTY; n];
    for (i, _) in used.iter().enumerate().filter(|(_, u)| **u) {
        // Walking up from the leaf visits the frames leaf first: the inverted path's order.
        let mut new = StackId::EMPTY;
        let mut cur = StackId::from_index(i);
        while !cur.is_empty() {
            new = out.intern(new, profile.stacks.frame(cur));
            cur = profile.stacks.parent(cur);
        }
        map[i] = new;
    }
    rebuild(profile, None, out, &map, StackId::EMPTY)
}
