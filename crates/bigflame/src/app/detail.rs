//! The detail panel of the selection: which function it is (name, module, file:line) and what
//! it costs on the shown thread — self and total weight in the event's unit, as a share of the
//! thread and of the whole profile, and the sample counts.
//!
//! Why per function and not per span: a span is one occurrence (one call in Time Order, one
//! call path in Left Heavy; its width is in the tooltip), while the question "how expensive is
//! this function" needs the thread-wide [`bigflame_model::FunctionStats`] row, counted once per
//! sample under recursion. The table is built with the view, so this is a lookup.

use crate::app::viewer::Viewer;
use bigflame_model::{FrameId, WeightUnit};

impl Viewer {
    /// The event's weight unit (the function statistics' unit, also in Time Order).
    pub fn event_unit(&self) -> WeightUnit {
        self.data
            .as_ref()
            .and_then(|d| d.profile.events.get(d.event.index()))
            .map_or(WeightUnit::Samples, |e| e.unit)
    }

    /// Lines of the detail panel for `frame` on the shown thread.
    pub fn detail(&self, frame: FrameId) -> Option<Vec<String>> {
        let data = self.data.as_ref()?;
        let profile = &data.profile;
        let f = profile.frames.as_slice().get(frame.index())?;
        let mut lines = vec![profile.frame_name(frame).to_string()];
        let mut place = Vec::new();
        if let Some(m) = f.module {
            place.push(profile.strings.get(m).to_string());
        }
        if let Some(file) = f.file {
            let file = profile.strings.get(file);
            place.push(if f.line > 0 {
                format!("{file}:{}", f.line)
            } else {
                file.to_string()
            });
        }
        if !place.is_empty() {
            lines.push(place.join(" · "));
        }
        let table = data.table.as_ref()?;
        // Totals come from the per-thread weights summed once at load: this runs on every redraw
        // while something is selected, and summing the sample columns would be a pass over them all.
        let thread_total = data
            .threads
            .iter()
            .position(|&t| t == table.thread)
            .map_or(0.0, |i| data.thread_weights[i]);
        let profile_total: f64 = data.thread_weights.iter().sum();
        let unit = self.event_unit();
        let pct = |w: f64, of: f64| if of > 0.0 { 100.0 * w / of } else { 0.0 };
        let row = table.row_of(profile, frame);
        let (self_w, total_w) = row.map_or((0.0, 0.0), |r| (r.self_weight, r.total_weight));
        for (what, w) in [("self", self_w), ("total", total_w)] {
            lines.push(format!(
                "{what} {} · {:.1}% of thread · {:.1}% of profile",
                unit.format(w),
                pct(w, thread_total),
                pct(w, profile_total)
            ));
        }
        let (ss, ts) = row.map_or((0, 0), |r| (r.self_samples, r.total_samples));
        lines.push(format!("samples: {ss} self · {ts} total"));
        Some(lines)
    }

    /// Lines of the detail panel for the selection, if any.
    pub fn selection_detail(&self) -> Option<Vec<String>> {
        self.detail(self.state.selection?.frame)
    }
}
