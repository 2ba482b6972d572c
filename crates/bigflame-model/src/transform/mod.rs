//! Profile transforms: pure functions from one [`Profile`] to another, combinable and undoable.
//!
//! Why whole-profile transforms: every view (Time Order, Left Heavy, Sandwich, the function table)
//! and every command (`top`, `collapse`, exports) reads the same tables, so a transform that
//! returns a new `Profile` of the same type changes all of them at once and none of them needs to
//! know about it. Each transform maps every old `StackId` to a new one in one pass over the stack
//! prefix tree (O(stacks)), then remaps the sample columns with one lookup per sample; nothing
//! walks a stack per sample (see `rewrite.rs`). Invert is the exception that is inherent to it: the
//! reversed tree costs the summed depth of the used stacks.
//!
//! Semantics (worked examples in `tests.rs`):
//! * [`Transform::FocusSubtree`], [`Transform::FocusFunction`]: `focus.rs`;
//! * [`Transform::Merge`] (speedscope's "merge function": the frame is removed, its callees attach
//!   to its caller, its self time goes to the caller) and [`Transform::DropMatching`] (the same for
//!   every frame whose name matches a regex); a sample whose every frame is removed keeps its
//!   weight on the empty stack, so totals never change;
//! * [`Transform::CollapseRecursion`]: `recursion.rs`; [`Transform::CollapseModule`],
//!   [`Transform::Invert`], [`Transform::Granularity`]: `reshape.rs`;
//! * [`Transform::TimeRange`]: `time_range.rs` (with or without timestamps).
//!
//! A function named by [`FuncRef::Name`] is every frame with that name (any module, file, line);
//! [`FuncRef::Frame`] is every frame with that frame's name *and* module, and its id refers to the
//! profile the transform is applied to (the output of the previous step in a [`TransformStack`]).
//!
//! Undo: a [`TransformStack`] keeps the steps, not the profiles; undo re-applies the remaining
//! steps to the base profile, each linear, so memory stays one profile whatever the depth.

mod focus;
mod recursion;
mod reshape;
mod rewrite;
mod roots;
mod time_range;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_scale;

pub use recursion::{
    collapse_all_recursion, collapse_direct_recursion, collapse_indirect_stacks, collapse_stacks,
};
pub use reshape::Granularity;
pub use roots::with_thread_roots;

use crate::ids::{FrameId, StringId};
use crate::profile::Profile;
use regex::Regex;
use std::borrow::Cow;

/// A function to act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FuncRef {
    /// Every frame with this name.
    Name(String),
    /// Every frame with this frame's name and module (id in the transform's input profile).
    Frame(FrameId),
}

impl std::fmt::Display for FuncRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FuncRef::Name(n) => f.write_str(n),
            FuncRef::Frame(id) => write!(f, "frame #{}", id.0),
        }
    }
}

/// One step of a [`TransformStack`] (see the module docs for the semantics).
#[derive(Clone, Debug)]
pub enum Transform {
    /// Keep the subtree under this root path and make its last element the root.
    FocusSubtree(Vec<FuncRef>),
    /// Keep the samples through this function, cut to start at its outermost occurrence.
    FocusFunction(FuncRef),
    /// Remove the function's frames; callees attach to the caller.
    Merge(FuncRef),
    /// Remove every frame whose name matches.
    DropMatching(Regex),
    /// Collapse direct recursion, and with `indirect` also recursion through other functions.
    CollapseRecursion {
        /// Also `a;x;b;x;c` → `a;x;c`.
        indirect: bool,
    },
    /// Every frame of the module (full path or file name) becomes one frame named after it.
    CollapseModule(String),
    /// Bottom-up: leaf first.
    Invert,
    /// Regroup frames by function, function + file, or module.
    Granularity(Granularity),
    /// Only samples in `start_ns..end_ns` (cumulative weight for columns without timestamps).
    TimeRange {
        /// First instant kept (profile clock, ns).
        start_ns: u64,
        /// First instant no longer kept.
        end_ns: u64,
    },
}

/// Why a transform could not be applied.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TransformError {
    /// A named function is not in the profile.
    #[error("no function named {0:?} in the profile")]
    NoSuchFunction(String),
    /// A frame id is out of range.
    #[error("frame #{0} is not in the profile")]
    NoSuchFrame(u32),
    /// No stack starts with the focus path.
    #[error("no stack starts with {0:?}")]
    NoSuchPath(String),
    /// No frame belongs to the module.
    #[error("no frame belongs to a module named {0:?}")]
    NoSuchModule(String),
    /// A time range that selects nothing by construction.
    #[error("empty time range {0}..{1}: the start must be before the end")]
    EmptyRange(u64, u64),
}

impl Transform {
    /// A short description for menus and the undo list (`merge foo`, `focus a;b`...).
    pub fn label(&self) -> String {
        match self {
            Transform::FocusSubtree(path) => {
                let names: Vec<String> = path.iter().map(ToString::to_string).collect();
                format!("focus subtree {}", names.join(";"))
            }
            Transform::FocusFunction(f) => format!("focus function {f}"),
            Transform::Merge(f) => format!("merge {f}"),
            Transform::DropMatching(re) => format!("drop /{}/", re.as_str()),
            Transform::CollapseRecursion { indirect: false } => "collapse recursion".into(),
            Transform::CollapseRecursion { indirect: true } => {
                "collapse recursion (indirect)".into()
            }
            Transform::CollapseModule(m) => format!("collapse module {m}"),
            Transform::Invert => "invert".into(),
            Transform::Granularity(g) => format!("granularity {g:?}").to_lowercase(),
            Transform::TimeRange { start_ns, end_ns } => format!("range {start_ns}..{end_ns}"),
        }
    }

    /// The transformed profile (a new one; `profile` is untouched).
    pub fn apply(&self, profile: &Profile) -> Result<Profile, TransformError> {
        Ok(match self {
            Transform::FocusSubtree(path) => {
                let steps = path
                    .iter()
                    .map(|f| func_flags(profile, f))
                    .collect::<Result<Vec<_>, _>>()?;
                focus::focus_subtree(profile, &steps).ok_or_else(|| {
                    let names: Vec<String> = path.iter().map(ToString::to_string).collect();
                    TransformError::NoSuchPath(names.join(";"))
                })?
            }
            Transform::FocusFunction(f) => focus::focus_function(profile, &func_flags(profile, f)?),
            Transform::Merge(f) => rewrite::remove_frames(profile, &func_flags(profile, f)?),
            Transform::DropMatching(re) => {
                // Once per distinct name, not per frame: many frames share a name.
                let names: Vec<bool> = (0..profile.strings.len())
                    .map(|i| re.is_match(profile.strings.get(StringId::from_index(i))))
                    .collect();
                let flags =
                    rewrite::frame_flags(profile, |f| names[profile.frames.get(f).name.index()]);
                rewrite::remove_frames(profile, &flags)
            }
            Transform::CollapseRecursion { indirect: false } => {
                recursion::collapse_direct_recursion(profile)
            }
            Transform::CollapseRecursion { indirect: true } => {
                recursion::collapse_all_recursion(profile)
            }
            Transform::CollapseModule(m) => {
                let is_module = |s: StringId| module_matches(profile.strings.get(s), m);
                reshape::collapse_module(profile, &is_module)
                    .ok_or_else(|| TransformError::NoSuchModule(m.clone()))?
            }
            Transform::Invert => reshape::invert(profile),
            Transform::Granularity(g) => reshape::granularity(profile, *g),
            &Transform::TimeRange { start_ns, end_ns } => {
                if start_ns >= end_ns {
                    return Err(TransformError::EmptyRange(start_ns, end_ns));
                }
                time_range::time_range(profile, start_ns, end_ns)
            }
        })
    }
}

/// Whether a frame's module is `wanted`: the same text, or the same file name (`libc.so.6` for
/// `/usr/lib/x86_64-linux-gnu/libc.so.6`).
fn module_matches(module: &str, wanted: &str) -> bool {
    module == wanted || module.rsplit('/').next() == Some(wanted)
}

/// One flag per frame: does it belong to the function?
fn func_flags(profile: &Profile, f: &FuncRef) -> Result<Vec<bool>, TransformError> {
    match f {
        FuncRef::Name(name) => {
            let id = profile
                .strings
                .lookup(name)
                .filter(|&id| profile.frames.as_slice().iter().any(|fr| fr.name == id))
                .ok_or_else(|| TransformError::NoSuchFunction(name.clone()))?;
            Ok(rewrite::frame_flags(profile, |fr| {
                profile.frames.get(fr).name == id
            }))
        }
        FuncRef::Frame(id) => {
            let target = *profile
                .frames
                .as_slice()
                .get(id.index())
                .ok_or(TransformError::NoSuchFrame(id.0))?;
            Ok(rewrite::frame_flags(profile, |fr| {
                let frame = profile.frames.get(fr);
                frame.name == target.name && frame.module == target.module
            }))
        }
    }
}

/// An ordered list of transforms with undo and redo.
#[derive(Clone, Debug, Default)]
pub struct TransformStack {
    steps: Vec<Transform>,
    undone: Vec<Transform>,
}

impl TransformStack {
    /// No transform.
    pub fn new() -> Self {
        Self::default()
    }

    /// The active steps, first applied first.
    pub fn steps(&self) -> &[Transform] {
        &self.steps
    }

    /// Number of active steps.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// True when no step is active.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Applies `t` to `current` (the output of the active steps) and, when it succeeds, pushes it
    /// and forgets the redo list. On error the stack is unchanged.
    pub fn push(&mut self, current: &Profile, t: Transform) -> Result<Profile, TransformError> {
        let out = t.apply(current)?;
        self.steps.push(t);
        self.undone.clear();
        Ok(out)
    }

    /// Removes the last step (kept for [`TransformStack::redo`]); re-apply with
    /// [`TransformStack::apply`]. `None` when there is nothing to undo.
    pub fn undo(&mut self) -> Option<&Transform> {
        let t = self.steps.pop()?;
        self.undone.push(t);
        self.undone.last()
    }

    /// Re-activates the last undone step; `None` when there is nothing to redo.
    pub fn redo(&mut self) -> Option<&Transform> {
        let t = self.undone.pop()?;
        self.steps.push(t);
        self.steps.last()
    }

    /// All active steps applied in order to `base` (borrowed back when there is none).
    pub fn apply<'a>(&self, base: &'a Profile) -> Result<Cow<'a, Profile>, TransformError> {
        let mut cur = Cow::Borrowed(base);
        for t in &self.steps {
            cur = Cow::Owned(t.apply(&cur)?);
        }
        Ok(cur)
    }
}
