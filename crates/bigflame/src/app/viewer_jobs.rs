//! The viewer's side of the off-thread work (`jobs.rs`): asking for what the shown view needs,
//! installing what comes back, the search debounce, and replacing the data under a running
//! view (a progressive load's next snapshot, the final profile, `r`) without moving the camera.
//!
//! State machine, per shown view: `show_current` looks the view up; when something is missing
//! it asks for it (once: requests in flight are remembered), marks the viewer `building`
//! (drawn as "building…", input keeps working) and returns. Each [`Done`] is installed if it
//! belongs to the current data generation; while `building`, `show_current` runs again, and the
//! camera is fitted — or carried over ([`KeepCamera`]) when data was replaced under the user.

use crate::app::jobs::{Built, Done, Job, Want};
use crate::app::state::ViewKind;
use crate::app::viewer::{KeepCamera, Loaded, Status, Viewer};
use bigflame_model::FrameId;

impl Viewer {
    /// Makes `loaded` the data (new generation; nothing in flight belongs to it).
    pub(crate) fn install_data(&mut self, loaded: Loaded) {
        self.data_gen += 1;
        self.data = Some(loaded);
        self.building = false;
        self.pending_focus = None;
        self.inflight.retain(|(g, _)| *g == self.data_gen);
        self.outbox.clear();
        // A transform of the replaced data will not be installed: do not wait for it.
        self.transform_pending = false;
        self.pending_transform = None;
    }

    /// Shows a profile that replaces the one on screen (a progressive load's next snapshot, or
    /// the final profile after snapshots): same view, same thread (by id), the camera kept.
    /// Without data on screen it is shown like a new load.
    pub fn replace_data(&mut self, loaded: Loaded) {
        let Some(old) = &self.data else {
            let loading = matches!(self.status, Status::Loading(_)).then(|| self.status.clone());
            self.set_loaded(loaded);
            if let Some(status) = loading {
                self.status = status;
            }
            return;
        };
        let tid = old.threads.get(self.state.thread).copied();
        self.keep_camera = Some(KeepCamera {
            camera: self.state.camera,
            extent: self.state.extent.clone(),
        });
        let selection = self.state.selection;
        self.state.thread = tid
            .and_then(|t| loaded.threads.iter().position(|&x| x == t))
            .unwrap_or(0);
        let focus = old.sandwich.as_ref().map(|s| s.frame);
        self.install_data(loaded);
        self.show_current(focus);
        // Ids are assigned in first-occurrence order, so a span of the prefix keeps its ids.
        self.state.selection = selection;
        self.settle_if_inline();
    }

    /// Builds (if needed) the current view and fits the camera to it; `focus` is the Sandwich
    /// view's function (else it keeps its own). Asks for what is missing and marks the viewer
    /// `building` until it is there.
    pub(crate) fn show_current(&mut self, focus: Option<FrameId>) {
        self.generation += 1;
        self.state.minimap_grab = None;
        self.state.lanes = self.lanes_on();
        let count = self.data.as_ref().map_or(0, |d| d.threads.len());
        self.state.thread_count = count;
        let kind = self.state.kind;
        let missing = match (&self.data, self.shown_thread()) {
            (Some(d), Some(tid)) => {
                let mut m = d.missing(kind, tid, focus);
                if self.lanes_on() {
                    m.extend(self.lanes_missing());
                }
                m
            }
            _ => Vec::new(),
        };
        let view_missing = match (&self.data, self.shown_thread()) {
            (Some(d), Some(tid)) => d.view_of(kind, tid, focus).is_none(),
            _ => false,
        };
        for want in missing {
            self.request(want);
        }
        if view_missing && !self.lanes_on() {
            self.building = true;
            self.pending_focus = focus.or(self.pending_focus);
            self.state.set_data(0.0..1.0, 0);
            return;
        }
        self.building = false;
        self.pending_focus = None;
        let (extent, depth) = if self.lanes_on() {
            self.lanes_extent()
        } else {
            match (&self.data, kind) {
                (Some(d), ViewKind::Sandwich) => match &d.sandwich {
                    Some(s) => {
                        self.state.sandwich_depths =
                            (s.callers.depth_count(), s.callees.depth_count());
                        (s.extent(), s.depth_count())
                    }
                    None => (0.0..1.0, 0),
                },
                _ => match self.view() {
                    Some(v) => (v.extent(), v.depth_count()),
                    None => (0.0..1.0, 0),
                },
            }
        };
        let y_scroll = self.state.camera.y_scroll_px;
        self.state.set_data(extent, depth);
        if let Some(keep) = self.keep_camera.take() {
            let fitted =
                keep.camera.x_start <= keep.extent.start && keep.camera.x_end >= keep.extent.end;
            if !fitted {
                self.state.camera.x_start = keep.camera.x_start;
                self.state.camera.x_end = keep.camera.x_end;
            }
            self.state.camera.y_scroll_px = y_scroll.max(keep.camera.y_scroll_px);
            self.state.clamp();
        }
        self.refresh_search();
        self.refresh_hover();
    }

    /// Asks for `want` unless it is already on its way.
    pub(crate) fn request(&mut self, want: Want) {
        let key = (self.data_gen, want);
        if self.inflight.contains(&key) {
            return;
        }
        let Some(data) = &self.data else { return };
        let view = match &key.1 {
            Want::Search(..) => self.view_arc().cloned(),
            _ => None,
        };
        self.outbox.push(Job {
            data: key.0,
            want: key.1.clone(),
            profile: data.profile.clone(),
            event: data.event,
            view,
            transform: match &key.1 {
                Want::Transform(_) => self.pending_transform.take(),
                _ => None,
            },
        });
        self.inflight.push(key);
    }

    /// The jobs asked for since the last call (the window runs each on a thread).
    pub fn take_jobs(&mut self) -> Vec<Job> {
        std::mem::take(&mut self.outbox)
    }

    /// Whether work is asked for or running (the window shows "building…" or "searching…").
    pub fn busy(&self) -> bool {
        !self.inflight.is_empty() || !self.outbox.is_empty() || self.search.due_ms.is_some()
    }

    /// Installs a finished job; true when something visible may have changed.
    pub fn accept(&mut self, done: Done) -> bool {
        let key = (done.data, done.want);
        self.inflight.retain(|k| *k != key);
        if key.0 != self.data_gen || self.data.is_none() {
            return false; // for data no longer shown
        }
        match done.built {
            Built::Search(result) => {
                let current = matches!(&key.1, Want::Search(text, view_gen)
                    if *text == self.search.text && *view_gen == self.generation);
                if !current {
                    return false; // superseded by later typing or another view
                }
                self.search.install(result);
                self.refilter_table();
                return true;
            }
            Built::Transformed(result) => {
                self.finish_transform(result);
                return true;
            }
            built => {
                if let Some(d) = &mut self.data {
                    d.install(built);
                }
            }
        }
        if self.building || self.lanes_on() {
            let focus = self.pending_focus.take();
            let keep = self.keep_camera.take().or_else(|| {
                // Lanes arriving one by one must not refit what the user zoomed.
                (self.lanes_on() && !self.building).then(|| KeepCamera {
                    camera: self.state.camera,
                    extent: self.state.extent.clone(),
                })
            });
            self.keep_camera = keep;
            let selection = self.state.selection;
            self.show_current(focus);
            if self.lanes_on() {
                self.state.selection = selection;
            }
        } else {
            self.refilter_table();
        }
        true
    }

    /// Starts the search job when its debounce delay has passed at `now_ms`; true when the
    /// results changed at once (an empty text clears them without a job).
    pub fn poll(&mut self, now_ms: f64) -> bool {
        let Some(due) = self.search.due_ms else {
            return false;
        };
        if due > now_ms {
            return false;
        }
        self.search.due_ms = None;
        if self.search.text.is_empty() || self.data.is_none() {
            self.search.install(Default::default());
            self.refilter_table();
            return true;
        }
        self.search.running = true;
        self.request(Want::Search(self.search.text.clone(), self.generation));
        false
    }

    /// When (viewer clock, ms) [`Viewer::poll`] has work, if ever.
    pub fn next_deadline(&self) -> Option<f64> {
        self.search.due_ms
    }

    /// Runs every pending job here and now, until none is left (script mode, tests); true when
    /// anything was installed.
    pub fn settle(&mut self) -> bool {
        let mut changed = false;
        for _ in 0..64 {
            changed |= self.poll(f64::INFINITY);
            let jobs = self.take_jobs();
            if jobs.is_empty() {
                break;
            }
            for job in jobs {
                changed |= self.accept(job.run());
            }
        }
        changed
    }

    /// [`Viewer::settle`] in inline mode.
    pub(crate) fn settle_if_inline(&mut self) -> bool {
        self.inline && self.settle()
    }

    /// The search text changed: results are due after the debounce delay.
    pub(crate) fn search_typed(&mut self) {
        let spans = self.view().map_or(0, |v| v.index.span_count());
        self.search.touch(self.now_ms, spans);
    }

    /// The view changed: the search runs again on it (no debounce).
    pub(crate) fn refresh_search(&mut self) {
        if self.search.active() || self.search.highlight().is_some() {
            self.search.touch(self.now_ms, 0);
        }
        self.refilter_table();
    }

    /// Re-filters the Sandwich table by the search.
    pub(crate) fn refilter_table(&mut self) {
        let matcher = self.search.matcher();
        if let Some(data) = &mut self.data
            && let Some(table) = &mut data.table
        {
            table.refresh(&data.profile, matcher.as_ref());
        }
    }
}

#[cfg(test)]
#[path = "viewer_jobs_tests.rs"]
mod tests;
