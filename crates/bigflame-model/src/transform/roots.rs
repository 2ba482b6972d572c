//! Thread roots: each thread's name as the root frame of its stacks, the way FlameGraph's
//! `stackcollapse-perf.pl` (and `bigflame collapse` on perf input) prints `comm;main;...`.
//!
//! Why: a folded file made from a `perf script` starts every stack with the process name, the
//! `perf script` itself does not. Comparing the two by call path (`bigflame diff`) needs both in
//! the same shape, so the perf side gets the roots the folded side already has.
//!
//! Threads share stack ids but get different roots, so the new stack of a sample depends on
//! (thread name, stack): each pair is resolved once, walking up only to the first pair already
//! resolved, so the cost is the size of the new prefix tree plus one hash lookup per sample.

use crate::FastMap;
use crate::frames::Frame;
use crate::ids::{FrameId, StackId};
use crate::profile::Profile;
use crate::stacks::StackTable;

/// `profile` with every thread's name (spaces as `_`, as `stackcollapse-perf.pl` writes it) as
/// the root frame of each of its samples; an idle sample gets the root alone.
pub fn with_thread_roots(profile: &Profile) -> Profile {
    let mut out = profile.clone();
    let mut stacks = StackTable::new();
    let mut memo: FastMap<(FrameId, StackId), StackId> = FastMap::default();
    let mut chain: Vec<StackId> = Vec::new();
    for thread in &mut out.threads {
        let name = profile.strings.get(thread.name).replace(' ', "_");
        let frame = Frame::named(out.strings.intern(&name));
        let root_frame = out.frames.intern(frame);
        let root = stacks.intern(StackId::EMPTY, root_frame);
        for cols in &mut thread.samples {
            for s in &mut cols.stack {
                *s = resolve(
                    profile,
                    &mut stacks,
                    &mut memo,
                    &mut chain,
                    root_frame,
                    root,
                    *s,
                );
            }
        }
    }
    out.stacks = stacks;
    out
}

/// The new stack of old stack `s` under `root`.
fn resolve(
    profile: &Profile,
    stacks: &mut StackTable,
    memo: &mut FastMap<(FrameId, StackId), StackId>,
    chain: &mut Vec<StackId>,
    root_frame: FrameId,
    root: StackId,
    s: StackId,
) -> StackId {
    // Collect the unresolved stacks from `s` up to the first resolved one (or the root).
    chain.clear();
    let mut cur = s;
    let mut base = root;
    while !cur.is_empty() && cur.index() < profile.stacks.len() {
        if let Some(&hit) = memo.get(&(root_frame, cur)) {
            base = hit;
            break;
        }
        chain.push(cur);
        cur = profile.stacks.parent(cur);
    }
    for &old in chain.iter().rev() {
        base = stacks.intern(base, profile.stacks.frame(old));
        memo.insert((root_frame, old), base);
    }
    base
}
