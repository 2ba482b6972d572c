//! `t`: the thread picker — a list of the threads with samples (`comm pid/tid`, weight and share
//! of the profile), heaviest first, filtered by typing; ↑/↓ move, Enter or a click shows the
//! thread, Esc closes.
//!
//! Why a list and not only `n`/`p`: recordings have hundreds of threads, and the interesting
//! one is found by name. It takes the keyboard like the search field (the same text-mode
//! actions, routed here while the picker is open), so the script mode drives it unchanged.

use crate::app::draw::{CHROME_BG, CHROME_TEXT, Frame, Text};
use crate::app::viewer::{Effect, Loaded, Viewer};
use bigflame_render::colors;

const LIST_BG: u32 = colors::rgb(250, 250, 250);
const CURSOR_BG: u32 = colors::rgb(255, 236, 170);

/// The picker's state.
#[derive(Clone, Debug, Default)]
pub struct ThreadPicker {
    /// Shown (and taking the keyboard).
    pub open: bool,
    /// Typed filter (case-insensitive substring of the label).
    pub filter: String,
    /// Highlighted row, an index into [`ThreadPicker::rows`].
    pub cursor: usize,
}

impl ThreadPicker {
    /// Positions (into `data.threads`) of the threads whose label matches the filter.
    pub fn rows(&self, data: &Loaded) -> Vec<usize> {
        let needle = self.filter.to_lowercase();
        (0..data.threads.len())
            .filter(|&i| {
                needle.is_empty()
                    || data
                        .profile
                        .thread_label(data.threads[i])
                        .to_lowercase()
                        .contains(&needle)
            })
            .collect()
    }
}

/// Geometry of the list, physical px.
struct Layout {
    x0: f32,
    y0: f32,
    w: f32,
    row: f32,
    visible: usize,
}

impl Viewer {
    fn picker_layout(&self) -> Layout {
        let st = &self.state;
        let s = st.scale as f32;
        let canvas = st.canvas_w() as f32;
        let w = (560.0 * s).min(0.9 * canvas);
        let row = st.row_px() as f32;
        let y0 = 30.0 * s;
        let bottom = st.viewport.1 as f32 - st.status_px() as f32 - 10.0 * s;
        let visible = (((bottom - y0) / row).floor() as usize).saturating_sub(1);
        Layout {
            x0: 0.5 * (canvas - w),
            y0,
            w,
            row,
            visible: visible.max(1),
        }
    }

    /// First row shown, so the cursor stays visible.
    fn picker_first(&self, visible: usize) -> usize {
        self.picker.cursor.saturating_sub(visible.saturating_sub(1))
    }

    /// `t`: opens the picker on the shown thread.
    pub(crate) fn open_picker(&mut self) -> Effect {
        if self.data.is_none() {
            return Effect::None;
        }
        self.search.open = false;
        self.picker = ThreadPicker {
            open: true,
            filter: String::new(),
            cursor: self.state.thread,
        };
        Effect::Redraw
    }

    /// Edits the filter (`None` = backspace); the cursor goes back to the first match.
    pub(crate) fn picker_type(&mut self, text: Option<&str>) -> Effect {
        match text {
            Some(t) => self.picker.filter.push_str(t),
            None => {
                if self.picker.filter.pop().is_none() {
                    return Effect::None;
                }
            }
        }
        self.picker.cursor = 0;
        Effect::Redraw
    }

    /// ↑/↓ in the picker.
    pub(crate) fn picker_move(&mut self, step: isize) -> Effect {
        let Some(data) = &self.data else {
            return Effect::None;
        };
        let n = self.picker.rows(data).len();
        let max = n.saturating_sub(1) as isize;
        self.picker.cursor = (self.picker.cursor as isize + step).clamp(0, max.max(0)) as usize;
        Effect::Redraw
    }

    /// Enter in the picker: shows the highlighted thread and closes the picker.
    pub(crate) fn picker_pick(&mut self, row: Option<usize>) -> Effect {
        let Some(data) = &self.data else {
            return Effect::None;
        };
        let rows = self.picker.rows(data);
        let Some(&pos) = rows.get(row.unwrap_or(self.picker.cursor)) else {
            return Effect::None;
        };
        self.picker.open = false;
        if pos != self.state.thread || self.lanes_on() {
            self.state.thread = pos;
            self.show_current(None); // lanes follow the filter
        }
        Effect::Redraw
    }

    /// A click while the picker is open: a row picks its thread, anywhere else closes it.
    pub(crate) fn picker_click(&mut self, x: f64, y: f64) -> Effect {
        let l = self.picker_layout();
        let (x, y) = (x as f32, y as f32);
        let r = ((y - l.y0) / l.row).floor();
        if x >= l.x0 && x < l.x0 + l.w && r >= 1.0 && (r as usize) <= l.visible {
            let row = self.picker_first(l.visible) + r as usize - 1;
            return self.picker_pick(Some(row));
        }
        self.picker.open = false;
        Effect::Redraw
    }

    /// The picker's first rows as JSON strings (for `--script`).
    pub fn picker_json(&self) -> serde_json::Value {
        let rows: Vec<String> = self.data.as_ref().map_or_else(Vec::new, |d| {
            let rows = self.picker.rows(d);
            rows.iter()
                .take(10)
                .map(|&i| d.profile.thread_label(d.threads[i]))
                .collect()
        });
        serde_json::json!({
            "open": self.picker.open,
            "filter": self.picker.filter,
            "cursor": self.picker.cursor,
            "rows": rows,
        })
    }
}

impl Frame {
    /// Draws the picker over the canvas.
    pub(super) fn threads(&mut self, viewer: &Viewer) {
        let Some(data) = viewer.data.as_ref().filter(|_| viewer.picker.open) else {
            return;
        };
        let l = viewer.picker_layout();
        let s = viewer.state.scale as f32;
        let rows = viewer.picker.rows(data);
        let shown = rows.len().min(l.visible);
        let pad = 6.0 * s;
        let text_dy = 0.5 * (l.row - 15.0 * s);
        let h = (shown.max(1) + 1) as f32 * l.row;
        self.rect(l.x0 - 1.0, l.y0 - 1.0, l.w + 2.0, h + 2.0, CHROME_BG);
        self.rect(l.x0, l.y0 + l.row, l.w, h - l.row, LIST_BG);
        self.texts.push(Text {
            x: l.x0 + pad,
            y: l.y0 + text_dy,
            max_w: l.w - 2.0 * pad,
            text: format!(
                "thread: {}▏  ({} of {}; ↑↓ Enter, Esc)",
                viewer.picker.filter,
                rows.len(),
                data.threads.len()
            ),
            color: CHROME_TEXT,
        });
        let total: f64 = data.thread_weights.iter().sum();
        let unit = viewer.event_unit();
        let first = viewer.picker_first(l.visible);
        for (k, &pos) in rows.iter().enumerate().skip(first).take(l.visible) {
            let y = l.y0 + (k - first + 1) as f32 * l.row;
            if k == viewer.picker.cursor {
                self.rect(l.x0, y, l.w, l.row, CURSOR_BG);
            }
            let w = data.thread_weights.get(pos).copied().unwrap_or(0.0);
            let pct = if total > 0.0 { 100.0 * w / total } else { 0.0 };
            let weight = format!("{} · {pct:.1}%", unit.format(w));
            let col = 170.0 * s;
            self.texts.push(Text {
                x: l.x0 + pad,
                y: y + text_dy,
                max_w: l.w - col - 2.0 * pad,
                text: data.profile.thread_label(data.threads[pos]),
                color: colors::LABEL_TEXT,
            });
            self.texts.push(Text {
                x: l.x0 + l.w - col,
                y: y + text_dy,
                max_w: col - pad,
                text: weight,
                color: colors::LABEL_TEXT,
            });
        }
    }
}
