//! What one window frame shows: the flame chart from [`crate::scene::build_scene`], plus the
//! viewer's own chrome drawn with the same renderer — a status line, a hover tooltip, and the
//! centred "loading… N%" / error / "open a file" messages.
//!
//! Why no egui yet: the chrome is a few rects and labels, and the renderer already draws both,
//! so the first viewer needs no second UI stack. Flame labels are dropped where chrome covers
//! them, because the renderer draws every label above every rect.

use crate::app::state::view_name;
use crate::app::viewer::{Status, Viewer};
use crate::scene::{FlameScene, build_scene};
use bigflame_render::{Label, RectInstance, Scene, colors};

const CHROME_BG: u32 = colors::rgb(48, 48, 52);
const CHROME_TEXT: u32 = colors::rgb(240, 240, 240);
const TOOLTIP_BG: u32 = colors::rgb(255, 255, 225);

/// A text of the chrome (owned, unlike the flame labels which borrow frame names).
struct Text {
    x: f32,
    y: f32,
    max_w: f32,
    text: String,
    color: u32,
}

/// Reused per-frame buffers.
#[derive(Default)]
pub struct Frame {
    flame: FlameScene,
    texts: Vec<Text>,
    /// Areas (x0, y0, x1, y1) where flame labels must not be drawn.
    covered: Vec<[f32; 4]>,
}

impl Frame {
    /// Builds rects and chrome for the viewer's current state.
    pub fn build(&mut self, viewer: &Viewer) {
        let st = &viewer.state;
        let (w, h) = (st.viewport.0 as f32, st.viewport.1 as f32);
        let s = st.scale as f32;
        self.texts.clear();
        self.covered.clear();
        match viewer.view() {
            Some(view) if viewer.status == Status::Ready => {
                build_scene(view, &st.camera, &st.scene_options(), &mut self.flame);
            }
            _ => {
                self.flame = FlameScene {
                    viewport_px: st.viewport,
                    ..FlameScene::default()
                };
            }
        }
        let message = match &viewer.status {
            Status::Empty => {
                Some("Drop a profile file here, or press Ctrl+O to open one".to_string())
            }
            Status::Loading(Some(f)) => Some(format!("loading… {:.0}%", f * 100.0)),
            Status::Loading(None) => Some("loading…".to_string()),
            Status::Failed(e) => Some(format!("error: {e}")),
            Status::Ready if viewer.view().is_none_or(|v| v.depth_count() == 0) => {
                Some("no samples to show".to_string())
            }
            Status::Ready => None,
        };
        if let Some(text) = message {
            self.texts.push(Text {
                x: 20.0 * s,
                y: 0.5 * h - 8.0 * s,
                max_w: w - 40.0 * s,
                text,
                color: colors::LABEL_TEXT,
            });
        }
        // Status line.
        let bar_h = st.status_px() as f32;
        let bar_y = h - bar_h;
        self.rect(0.0, bar_y, w, bar_h, CHROME_BG);
        let text_y = bar_y + 0.5 * (bar_h - 15.0 * s);
        let right = match viewer.thread_label() {
            Some(t) => format!("{} · {t}  [1/2 view, n/p thread]", view_name(st.kind)),
            None => view_name(st.kind).to_string(),
        };
        let left = st
            .selection
            .as_ref()
            .and_then(|span| viewer.describe(span))
            .map(|d| format!("selected: {d}"))
            .unwrap_or_else(|| viewer.source.clone());
        self.texts.push(Text {
            x: 6.0 * s,
            y: text_y,
            max_w: 0.5 * w - 12.0 * s,
            text: left,
            color: CHROME_TEXT,
        });
        self.texts.push(Text {
            x: 0.5 * w,
            y: text_y,
            max_w: 0.5 * w - 6.0 * s,
            text: right,
            color: CHROME_TEXT,
        });
        self.tooltip(viewer, w, bar_y);
    }

    /// A box with the hovered span's name, weight and share, beside the pointer.
    fn tooltip(&mut self, viewer: &Viewer, w: f32, bottom: f32) {
        let st = &viewer.state;
        let (Some(span), Some((cx, cy))) = (st.hover.as_ref(), st.cursor) else {
            return;
        };
        let Some(text) = viewer.describe(span) else {
            return;
        };
        let s = st.scale as f32;
        // DejaVu Sans at 12 px averages about 7 px per glyph.
        let box_w = (text.chars().count() as f32 * 7.0 * s + 12.0 * s).min(w);
        let box_h = 22.0 * s;
        let mut x = cx as f32 + 14.0 * s;
        let mut y = cy as f32 + 18.0 * s;
        if x + box_w > w {
            x = (w - box_w).max(0.0);
        }
        if y + box_h > bottom {
            y = (cy as f32 - box_h - 6.0 * s).max(0.0);
        }
        self.rect(x - 1.0, y - 1.0, box_w + 2.0, box_h + 2.0, CHROME_BG);
        self.rect(x, y, box_w, box_h, TOOLTIP_BG);
        self.texts.push(Text {
            x: x + 6.0 * s,
            y: y + 0.5 * (box_h - 15.0 * s),
            max_w: box_w - 10.0 * s,
            text,
            color: colors::LABEL_TEXT,
        });
    }

    /// An opaque chrome rect (drawn after, so above, the flame rects).
    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: u32) {
        self.flame
            .rects
            .push(RectInstance::new(x, x + w, y, h, color, 0));
        self.covered.push([x, y, x + w, y + h]);
    }

    /// Flame labels (those not under chrome) and chrome texts, for [`Frame::scene`].
    pub fn labels<'a>(&'a self, viewer: &'a Viewer) -> Vec<Label<'a>> {
        let mut labels = Vec::with_capacity(self.flame.labels.len() + self.texts.len());
        if let Some(data) = &viewer.data
            && viewer.status == Status::Ready
        {
            let line_h = 15.0 * viewer.state.scale as f32;
            labels.extend(
                self.flame
                    .labels
                    .iter()
                    .filter(|l| {
                        !self.covered.iter().any(|c| {
                            l.x_px < c[2]
                                && l.x_px + l.max_width_px > c[0]
                                && l.y_px < c[3]
                                && l.y_px + line_h > c[1]
                        })
                    })
                    .map(|l| Label {
                        x_px: l.x_px,
                        y_px: l.y_px,
                        max_width_px: l.max_width_px,
                        text: data.profile.frame_name(l.frame),
                        color: l.color,
                    }),
            );
        }
        labels.extend(self.texts.iter().map(|t| Label {
            x_px: t.x,
            y_px: t.y,
            max_width_px: t.max_w,
            text: &t.text,
            color: t.color,
        }));
        labels
    }

    /// The renderer's scene: flame rects, chrome rects, and `labels` from [`Frame::labels`].
    pub fn scene<'a>(&'a self, labels: &'a [Label<'a>]) -> Scene<'a> {
        Scene {
            viewport_px: self.flame.viewport_px,
            clear: colors::BACKGROUND,
            rects: &self.flame.rects,
            labels,
        }
    }
}
