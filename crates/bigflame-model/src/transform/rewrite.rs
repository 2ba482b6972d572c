//! The machinery every stack transform shares: a map from old stack ids to new ones, applied to the
//! sample columns in one pass.
//!
//! Why map stacks and not samples: a profile has millions of samples but a few hundred thousand
//! unique stacks, and every transform here is a function of the call path alone. So a transform
//! walks the stack prefix tree once (parents before children, O(stacks)), decides the new stack of
//! each old stack, and the samples are then remapped with one lookup each, never per sample × depth.
//!
//! A map entry is a new [`StackId`], [`StackId::EMPTY`] (the sample keeps its weight but no frame is
//! left, like an idle sample), or [`DROP`] (the sample leaves the profile: focus transforms).

use crate::frames::FrameTable;
use crate::ids::{FrameId, StackId};
use crate::profile::{Profile, SampleColumns, Thread};
use crate::stacks::StackTable;
use crate::strings::StringTable;

/// Map value: samples on this stack are removed.
pub(super) const DROP: StackId = StackId(u32::MAX - 1);

/// Where an old stack goes: `map[old]`, with the empty stack mapped to `empty`.
#[inline]
pub(super) fn lookup(map: &[StackId], empty: StackId, s: StackId) -> StackId {
    if s.is_empty() {
        empty
    } else {
        map.get(s.index()).copied().unwrap_or(DROP)
    }
}

/// The parent's new stack, or `root` for a root-level frame.
#[inline]
pub(super) fn parent_of(map: &[StackId], parent: StackId, root: StackId) -> StackId {
    if parent.is_empty() {
        root
    } else {
        map.get(parent.index()).copied().unwrap_or(DROP)
    }
}

/// A copy of `profile` with new tables and every sample's stack sent through `map` (see the
/// module docs); samples mapped to [`DROP`] are removed, the others keep their order, time and
/// weight. `tables` replaces strings and frames when the transform made new frames.
pub(super) fn rebuild(
    profile: &Profile,
    tables: Option<(StringTable, FrameTable)>,
    stacks: StackTable,
    map: &[StackId],
    empty: StackId,
) -> Profile {
    let (strings, frames) =
        tables.unwrap_or_else(|| (profile.strings.clone(), profile.frames.clone()));
    let mut threads = profile.threads.clone();
    remap_threads(&mut threads, map, empty);
    Profile {
        meta: profile.meta.clone(),
        strings,
        frames,
        stacks,
        events: profile.events.clone(),
        threads,
    }
}

/// Sends every sample's stack of `threads` through `map`, in place (see [`rebuild`]).
pub(super) fn remap_threads(threads: &mut [Thread], map: &[StackId], empty: StackId) {
    for thread in threads {
        for cols in &mut thread.samples {
            remap_columns(cols, map, empty);
        }
    }
}

fn remap_columns(cols: &mut SampleColumns, map: &[StackId], empty: StackId) {
    let timed = cols.has_time();
    let mut keep = 0;
    for i in 0..cols.stack.len() {
        let s = lookup(map, empty, cols.stack[i]);
        if s == DROP {
            continue;
        }
        cols.stack[keep] = s;
        let w = cols.weight[i];
        cols.weight.set(keep, w);
        if timed {
            cols.time_ns[keep] = cols.time_ns[i];
        }
        keep += 1;
    }
    cols.stack.truncate(keep);
    cols.weight.truncate(keep);
    if timed {
        cols.time_ns.truncate(keep);
    } else {
        cols.time_ns.clear();
    }
}

/// The stack table restricted to stacks that samples use (and their ancestors), with the map from
/// old ids; O(samples + stacks). Used after transforms that only remove samples, so `info` and the
/// views do not count stacks nothing points at.
pub(super) fn compact(stacks: &StackTable, threads: &[Thread]) -> (StackTable, Vec<StackId>) {
    let n = stacks.len();
    let mut used = vec![false; n];
    for thread in threads {
        for cols in &thread.samples {
            for &s in &cols.stack {
                if let Some(u) = used.get_mut(s.index()) {
                    *u = true;
                }
            }
        }
    }
    // Children have larger ids: a backward pass marks every ancestor of a used stack.
    for i in (0..n).rev() {
        let parent = stacks.parents()[i];
        if used[i] && !parent.is_empty() {
            used[parent.index()] = true;
        }
    }
    let mut out = StackTable::new();
    let mut map = vec![DROP; n];
    for i in 0..n {
        if used[i] {
            let parent = parent_of(&map, stacks.parents()[i], StackId::EMPTY);
            map[i] = out.intern(parent, stacks.frames()[i]);
        }
    }
    (out, map)
}

/// Which frames a predicate selects, once per frame (not per stack).
pub(super) fn frame_flags(profile: &Profile, mut pred: impl FnMut(FrameId) -> bool) -> Vec<bool> {
    (0..profile.frames.len())
        .map(|i| pred(FrameId::from_index(i)))
        .collect()
}

/// Removes every frame flagged in `remove`; its callees attach to its caller and samples whose
/// whole stack is removed keep their weight on the empty stack. One forward pass.
pub(super) fn remove_frames(profile: &Profile, remove: &[bool]) -> Profile {
    let mut out = StackTable::new();
    let mut map = Vec::with_capacity(profile.stacks.len());
    for (&parent, &frame) in profile.stacks.parents().iter().zip(profile.stacks.frames()) {
        let new_parent = parent_of(&map, parent, StackId::EMPTY);
        map.push(if remove.get(frame.index()).copied().unwrap_or(false) {
            new_parent
        } else {
            out.intern(new_parent, frame)
        });
    }
    rebuild(profile, None, out, &map, StackId::EMPTY)
}
