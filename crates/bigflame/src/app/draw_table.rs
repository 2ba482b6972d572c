//! The Sandwich view's function table, drawn as chrome at the right of the canvas: a header
//! (Function / Self / Total, the sort column marked ▼) and one line per function, the focused
//! function's line tinted.
//!
//! Why here and not in egui: it is rects and labels like the rest of the chrome, and its
//! geometry ([`crate::app::sandwich::TableLayout`]) is shared with the click handling, so what
//! is drawn is what is hit.

use crate::app::draw::{CHROME_BG, CHROME_TEXT, Frame, Text};
use crate::app::viewer::Viewer;
use bigflame_model::{FrameId, SortBy};
use bigflame_render::colors;

const TABLE_BG: u32 = colors::rgb(250, 250, 250);
const FOCUS_BG: u32 = colors::rgb(255, 236, 170);

impl Frame {
    /// Draws the table of the Sandwich view focused on `focus`.
    pub(super) fn table(&mut self, viewer: &Viewer, focus: FrameId) {
        let Some(data) = &viewer.data else { return };
        let Some(table) = &data.table else { return };
        let l = viewer.table_layout();
        let s = viewer.state.scale as f32;
        let (x0, x1, row) = (l.x0 as f32, l.x1 as f32, l.row as f32);
        let self_x = l.self_x() as f32;
        let total_x = (l.x1 - l.col) as f32;
        let pad = 4.0 * s;
        let text_dy = 0.5 * (row - 15.0 * s);
        self.rect(x0, 0.0, x1 - x0, l.bottom as f32, TABLE_BG);
        self.rect(x0, 0.0, x1 - x0, row, CHROME_BG);
        // A 1 px rule between the canvas and the table.
        self.rect(x0, 0.0, s.max(1.0), l.bottom as f32, CHROME_BG);
        let mark = |by: SortBy| if table.sort == by { " ▼" } else { "" };
        let header = [
            (
                x0 + pad,
                self_x - x0 - 2.0 * pad,
                format!("Function{}", mark(SortBy::Name)),
            ),
            (
                self_x,
                l.col as f32 - pad,
                format!("Self{}", mark(SortBy::SelfWeight)),
            ),
            (
                total_x,
                l.col as f32 - pad,
                format!("Total{}", mark(SortBy::TotalWeight)),
            ),
        ];
        for (x, max_w, text) in header {
            self.texts.push(Text {
                x,
                y: text_dy,
                max_w,
                text,
                color: CHROME_TEXT,
            });
        }
        let unit = viewer.unit();
        for (i, r) in table
            .rows
            .iter()
            .skip(table.scroll)
            .take(l.visible_rows())
            .enumerate()
        {
            let y = (i + 1) as f32 * row;
            if r.frame == focus {
                self.rect(x0 + s, y, x1 - x0 - s, row, FOCUS_BG);
            }
            let cells = [
                (
                    x0 + pad,
                    self_x - x0 - 2.0 * pad,
                    data.profile.frame_name(r.frame).to_string(),
                ),
                (self_x, l.col as f32 - pad, unit.format(r.self_weight)),
                (total_x, l.col as f32 - pad, unit.format(r.total_weight)),
            ];
            for (x, max_w, text) in cells {
                self.texts.push(Text {
                    x,
                    y: y + text_dy,
                    max_w,
                    text,
                    color: colors::LABEL_TEXT,
                });
            }
        }
        if table.rows.is_empty() {
            self.texts.push(Text {
                x: x0 + pad,
                y: row + text_dy,
                max_w: x1 - x0 - 2.0 * pad,
                text: "no function matches the search".into(),
                color: colors::LABEL_TEXT,
            });
        }
    }
}
