//! Transforms in the viewer (issue 6): focus, merge, drop, collapse recursion / module, invert,
//! granularity and time range, combinable and undoable, each one key on the selected frame.
//!
//! Why jobs: a transform rewrites every stack of the profile (`bigflame_model::transform`), which
//! takes seconds on a big profile, so it runs off the UI thread like a view build
//! (`jobs.rs`): the viewer asks for a [`TransformJob`] (the step, and the [`TransformStack`] it
//! applies to) and installs the [`Transformed`] result; views are then rebuilt on demand from the
//! new profile. The loaded profile is kept (`Loaded::original`), so undo and redo re-apply the
//! remaining steps to it (`TransformStack::apply`, linear per step) and memory stays two profiles
//! whatever the depth. One transform is in flight at a time: a step depends on the previous one's
//! output (frame ids), so keys pressed meanwhile are refused with a notice, not queued.
//!
//! Keys (see `input.rs`): `f` focus on the selected function (every occurrence), `F` focus on the
//! selected node's subtree (its root path), `x` merge the selected function into its callers,
//! Ctrl+H (while searching) or `h` hide (drop) the frames matching the search text as a regex, `r` collapse recursion (again:
//! undo it), `l` collapse the selected frame's module (library) into one frame, `i` invert
//! (again: undo it), `g` cycle granularity (function → function+file → module), `v` keep only
//! the time range shown in Time Order (or Shift+drag across it); `u` / Ctrl+Z undo, `U` / Ctrl+Shift+Z / Ctrl+Y redo.

use crate::app::jobs::Want;
use crate::app::state::ViewKind;
use crate::app::viewer::{Effect, KeepCamera, Viewer};
use crate::scene::XUnit;
use bigflame_model::Profile;
use bigflame_model::{FuncRef, Granularity, Transform, TransformStack};
use std::sync::Arc;

/// What a transform job does to the stack.
#[derive(Clone, Debug)]
pub enum Op {
    /// Apply one more step to the current profile.
    Push(Transform),
    /// Undo the last step, then apply this one (granularity cycling replaces its own step).
    Replace(Transform),
    /// Drop the last step (kept for redo).
    Undo,
    /// Re-activate the last undone step.
    Redo,
}

/// A transform request, with everything it needs to run on another thread.
#[derive(Clone, Debug)]
pub struct TransformJob {
    /// The stack as it is now (the job returns the new one).
    pub stack: TransformStack,
    /// The profile as loaded (what undo re-applies the steps to).
    pub original: Arc<Profile>,
    /// What to do.
    pub op: Op,
}

/// A finished transform: the new stack and the profile it gives.
#[derive(Clone, Debug)]
pub struct Transformed {
    /// The new stack.
    pub stack: TransformStack,
    /// `stack` applied to the loaded profile.
    pub profile: Arc<Profile>,
    /// For the status line ("merge foo", "undone: focus function bar").
    pub message: String,
}

impl TransformJob {
    /// Runs the job; `current` is the profile shown (the output of `stack`).
    pub fn run(self, current: &Arc<Profile>) -> Result<Transformed, String> {
        let mut stack = self.stack;
        let (profile, message) = match self.op {
            Op::Push(t) => {
                let label = t.label();
                let p = stack
                    .push(current, t)
                    .map_err(|e| format!("{label}: {e}"))?;
                (Arc::new(p), label)
            }
            Op::Replace(t) => {
                let label = t.label();
                stack.undo();
                let base = stack.apply(&self.original).map_err(|e| e.to_string())?;
                let p = stack.push(&base, t).map_err(|e| format!("{label}: {e}"))?;
                (Arc::new(p), label)
            }
            Op::Undo | Op::Redo => {
                let undo = matches!(self.op, Op::Undo);
                let step = if undo { stack.undo() } else { stack.redo() };
                let label = match step {
                    Some(t) => t.label(),
                    None if undo => return Err("nothing to undo".into()),
                    None => return Err("nothing to redo".into()),
                };
                let p = if stack.is_empty() {
                    Arc::clone(&self.original)
                } else {
                    let p = stack.apply(&self.original).map_err(|e| e.to_string())?;
                    Arc::new(p.into_owned())
                };
                let verb = if undo { "undone" } else { "redone" };
                (p, format!("{verb}: {label} (u undo, ctrl+y redo)"))
            }
        };
        Ok(Transformed {
            stack,
            profile,
            message,
        })
    }
}

/// Which transform a key asks for (resolved against the selection by [`Viewer::transform`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransformKey {
    /// `f`.
    FocusFunction,
    /// `F`.
    FocusSubtree,
    /// `x`.
    Merge,
    /// `h`: frames matching the search text.
    DropMatching,
    /// `r` (toggles).
    Recursion,
    /// `l`.
    CollapseModule,
    /// `i` (toggles).
    Invert,
    /// `g`.
    Granularity,
    /// `v`.
    TimeRange,
    /// `u`, Ctrl+Z.
    Undo,
    /// `U`, Ctrl+Shift+Z, Ctrl+Y.
    Redo,
}

impl Viewer {
    /// The active transforms, first applied first.
    pub fn transform_labels(&self) -> Vec<String> {
        let Some(d) = &self.data else {
            return Vec::new();
        };
        // Time ranges read best in seconds from the loaded profile's first sample.
        let origin = earliest_ns(d.loaded_profile());
        d.transforms
            .steps()
            .iter()
            .map(|t| match (t, origin) {
                (&Transform::TimeRange { start_ns, end_ns }, Some(o)) => {
                    let s = |ns: u64| ns.saturating_sub(o) as f64 / 1e9;
                    format!("range {:.3}s–{:.3}s", s(start_ns), s(end_ns))
                }
                _ => t.label(),
            })
            .collect()
    }

    /// Handles a transform key: asks for the job, or says in the notice why not.
    pub(crate) fn transform(&mut self, key: TransformKey) -> Effect {
        if self.data.is_none() {
            return Effect::None;
        }
        if self.transform_pending {
            self.notice = Some("a transform is still running".into());
            return Effect::Redraw;
        }
        match self.transform_op(key) {
            Ok(op) => {
                if key == TransformKey::DropMatching {
                    // The matches are what goes away: the field has done its job.
                    self.search.close();
                }
                self.request_transform(op);
            }
            Err(why) => self.notice = Some(why),
        }
        Effect::Redraw
    }

    fn transform_op(&self, key: TransformKey) -> Result<Op, String> {
        let Some(data) = &self.data else {
            return Err("no profile".into());
        };
        let last = data.transforms.steps().last();
        let selected = || {
            self.state
                .selection
                .map(|s| s.frame)
                .ok_or_else(|| "select a frame first (click it)".to_string())
        };
        let name = |f| FuncRef::Name(data.profile.frame_name(f).to_string());
        Ok(match key {
            TransformKey::FocusFunction => Op::Push(Transform::FocusFunction(name(selected()?))),
            TransformKey::Merge => Op::Push(Transform::Merge(name(selected()?))),
            TransformKey::FocusSubtree => Op::Push(Transform::FocusSubtree(self.selected_path()?)),
            TransformKey::DropMatching => {
                let text = self.search.text.trim();
                if text.is_empty() {
                    return Err("ctrl+f, type a regex, then ctrl+h hides what matches".into());
                }
                let re = regex::Regex::new(text).map_err(|e| format!("bad regex: {e}"))?;
                Op::Push(Transform::DropMatching(re))
            }
            TransformKey::Recursion => match last {
                Some(Transform::CollapseRecursion { .. }) => Op::Undo,
                _ => Op::Push(Transform::CollapseRecursion { indirect: false }),
            },
            TransformKey::Invert => match last {
                Some(Transform::Invert) => Op::Undo,
                _ => Op::Push(Transform::Invert),
            },
            TransformKey::CollapseModule => {
                let frame = data.profile.frames.get(selected()?);
                let module = frame
                    .module
                    .map(|m| data.profile.strings.get(m).to_string())
                    .ok_or_else(|| "the selected frame has no module".to_string())?;
                Op::Push(Transform::CollapseModule(module))
            }
            TransformKey::Granularity => match last {
                Some(Transform::Granularity(Granularity::Function)) | None => {
                    Op::Push(Transform::Granularity(Granularity::FunctionFile))
                }
                Some(Transform::Granularity(Granularity::FunctionFile)) => {
                    Op::Replace(Transform::Granularity(Granularity::Module))
                }
                Some(Transform::Granularity(Granularity::Module)) => Op::Undo,
                Some(_) => Op::Push(Transform::Granularity(Granularity::FunctionFile)),
            },
            TransformKey::TimeRange => Op::Push(self.visible_range()?),
            TransformKey::Undo if data.transforms.is_empty() => {
                return Err("nothing to undo".into());
            }
            TransformKey::Undo => Op::Undo,
            TransformKey::Redo => Op::Redo,
        })
    }

    /// The selected node's path from its root, by name (Time Order and Left Heavy): the
    /// ancestors are the spans above it that cover its middle.
    fn selected_path(&self) -> Result<Vec<FuncRef>, String> {
        let span = self
            .state
            .selection
            .ok_or_else(|| "select a frame first (click it)".to_string())?;
        let (Some(data), Some(view)) = (&self.data, self.view()) else {
            return Err("no view".into());
        };
        if self.state.kind == ViewKind::Sandwich || self.lanes_on() {
            return Err("focus on a subtree from Time Order or Left Heavy (1 or 2)".into());
        }
        let mid = 0.5 * (span.x0 + span.x1);
        let mut path = Vec::with_capacity(span.depth as usize + 1);
        for depth in 0..span.depth {
            let above = view
                .index
                .hit(mid, depth)
                .ok_or_else(|| "the selected frame's callers are not in the view".to_string())?;
            path.push(FuncRef::Name(
                data.profile.frame_name(above.frame).to_string(),
            ));
        }
        path.push(FuncRef::Name(
            data.profile.frame_name(span.frame).to_string(),
        ));
        Ok(path)
    }

    /// Shift+drag released from `x0_px` to `x1_px` (Time Order): keeps that time range.
    pub(crate) fn select_range(&mut self, x0_px: f64, x1_px: f64) -> Effect {
        if self.state.kind != ViewKind::TimeOrder || self.lanes_on() {
            return Effect::Redraw;
        }
        let (a, b) = (self.state.x_at(x0_px), self.state.x_at(x1_px));
        let (a, b) = (a.min(b), a.max(b));
        if self.data.is_none() {
            return Effect::None;
        }
        if self.transform_pending {
            self.notice = Some("a transform is still running".into());
            return Effect::Redraw;
        }
        match self.range_of(a, b) {
            Ok(t) => self.request_transform(Op::Push(t)),
            Err(why) => self.notice = Some(why),
        }
        Effect::Redraw
    }

    /// The Time Order camera's x range as a [`Transform::TimeRange`].
    fn visible_range(&self) -> Result<Transform, String> {
        let cam = &self.state.camera;
        self.range_of(cam.x_start, cam.x_end)
    }

    /// Time Order x `x0..x1` (clipped to the extent) as a [`Transform::TimeRange`].
    fn range_of(&self, x0: f64, x1: f64) -> Result<Transform, String> {
        let view = match self.view() {
            Some(v) if self.state.kind == ViewKind::TimeOrder && !self.lanes_on() => v,
            _ => return Err("zoom to a range in Time Order (1), then press v".into()),
        };
        let x0 = x0.max(self.state.extent.start);
        let x1 = x1.min(self.state.extent.end);
        let (start_ns, end_ns) = match view.x_unit {
            XUnit::Nanoseconds { origin_ns } => (
                origin_ns.saturating_add(x0.max(0.0).floor() as u64),
                origin_ns.saturating_add(x1.max(0.0).ceil() as u64),
            ),
            XUnit::Weight => (x0.max(0.0).floor() as u64, x1.max(0.0).ceil() as u64),
        };
        if start_ns >= end_ns {
            return Err("the visible range is empty".into());
        }
        Ok(Transform::TimeRange { start_ns, end_ns })
    }

    fn request_transform(&mut self, op: Op) {
        let Some(data) = &self.data else { return };
        self.transform_seq += 1;
        self.transform_pending = true;
        self.notice = Some("transforming…".into());
        let job = TransformJob {
            stack: data.transforms.clone(),
            original: data
                .original
                .clone()
                .unwrap_or_else(|| Arc::clone(&data.profile)),
            op,
        };
        self.pending_transform = Some(job);
        self.request(Want::Transform(self.transform_seq));
    }

    /// Installs a finished transform (or shows why it failed): the views are rebuilt from the
    /// new profile, the selection is cleared (its frame may be gone), and the camera is kept
    /// when the transform keeps the x extent (recursion, merge, granularity) and fitted
    /// otherwise (the view is rebuilt, see `show_current`).
    pub(crate) fn finish_transform(&mut self, result: Result<Transformed, String>) {
        self.transform_pending = false;
        let done = match result {
            Ok(done) => done,
            Err(why) => {
                self.notice = Some(why);
                return;
            }
        };
        let Some(data) = &mut self.data else { return };
        let keeps_extent = done.stack.steps().last().is_some_and(|t| {
            matches!(
                t,
                Transform::CollapseRecursion { .. }
                    | Transform::Merge(_)
                    | Transform::DropMatching(_)
                    | Transform::Granularity(_)
                    | Transform::CollapseModule(_)
            )
        }) && done.stack.len() > data.transforms.len();
        let tid = data.threads.get(self.state.thread).copied();
        data.set_transformed(done.stack, done.profile);
        self.state.thread = tid
            .and_then(|t| data.threads.iter().position(|&x| x == t))
            .unwrap_or(0);
        self.state.selection = None;
        self.state.hover = None;
        self.notice = Some(done.message);
        self.keep_camera = keeps_extent.then(|| KeepCamera {
            camera: self.state.camera,
            extent: self.state.extent.clone(),
        });
        self.data_gen += 1; // results for the other profile are stale
        self.show_current(None);
        self.refresh_hover();
    }
}

/// The earliest timestamp of `profile` (columns are in time order), if it has any.
fn earliest_ns(profile: &Profile) -> Option<u64> {
    profile
        .threads
        .iter()
        .flat_map(|t| t.samples.iter())
        .filter_map(|c| c.time_ns.first().copied())
        .min()
}

#[cfg(test)]
#[path = "transforms_tests.rs"]
mod tests;
