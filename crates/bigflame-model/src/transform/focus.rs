//! Focus transforms: keep one part of the call tree and make it the root.
//!
//! * **Focus on a subtree** (a path `a;b;c` from the root, like the Firefox Profiler's "focus on
//!   subtree only"): samples whose stack starts with the path are kept with the path's ancestors cut
//!   off, so `c` becomes the root; every other sample leaves the profile, and so does a sample that
//!   stops above `c` (`a;b`).
//! * **Focus on a function** (speedscope's "focus on function", i.e. its callees profile): every
//!   sample with the function anywhere on its stack is kept, cut to start at the function's
//!   *outermost* occurrence, so recursion is not counted twice; the other samples leave.
//!
//! Both are one forward pass over the stack prefix tree: a stack's fate is a function of its
//! parent's fate and its own frame.

use super::rewrite::{DROP, parent_of, rebuild};
use crate::ids::StackId;
use crate::profile::Profile;
use crate::stacks::StackTable;

/// Keeps the subtree under the root path whose frames satisfy `steps[0]`, `steps[1]`, ... (one
/// flag vector per path element, indexed by frame id); `None` when no stack has that path.
pub(super) fn focus_subtree(profile: &Profile, steps: &[Vec<bool>]) -> Option<Profile> {
    let last = steps.len().checked_sub(1)?;
    let stacks = &profile.stacks;
    let mut out = StackTable::new();
    let mut map = vec![DROP; stacks.len()];
    // `on_path[s]`: the stack is a proper prefix of the focus path (its samples leave, but its
    // children may still match the next path element).
    let mut on_path = vec![false; stacks.len()];
    let mut found = false;
    for i in 0..stacks.len() {
        let parent = stacks.parents()[i];
        let frame = stacks.frames()[i];
        let depth = stacks.depths()[i] as usize;
        let parent_on_path = parent.is_empty() || on_path[parent.index()];
        if depth <= last && parent_on_path {
            let hit = steps[depth].get(frame.index()).copied().unwrap_or(false);
            if hit && depth == last {
                map[i] = out.intern(StackId::EMPTY, frame);
                found = true;
            } else if hit {
                on_path[i] = true;
            }
        } else if !parent.is_empty() {
            let new_parent = parent_of(&map, parent, DROP);
            if new_parent != DROP {
                map[i] = out.intern(new_parent, frame);
            }
        }
    }
    found.then(|| rebuild(profile, None, out, &map, DROP))
}

/// Keeps the samples that have a frame flagged in `focus`, cut to start at the outermost one.
pub(super) fn focus_function(profile: &Profile, focus: &[bool]) -> Profile {
    let stacks = &profile.stacks;
    let mut out = StackTable::new();
    let mut map: Vec<StackId> = Vec::with_capacity(stacks.len());
    for (&parent, &frame) in stacks.parents().iter().zip(stacks.frames()) {
        let new_parent = parent_of(&map, parent, DROP);
        map.push(if new_parent != DROP {
            out.intern(new_parent, frame)
        } else if focus.get(frame.index()).copied().unwrap_or(false) {
            out.intern(StackId::EMPTY, frame)
        } else {
            DROP
        });
    }
    rebuild(profile, None, out, &map, DROP)
}
