//! What one window frame shows: the flame chart from [`crate::scene::build_scene`], plus the
//! viewer's own chrome drawn with the same renderer — a status line, a hover tooltip, and the
//! centred "loading… N%" / error / "open a file" messages.
//!
//! The Sandwich view draws two flame scenes (callers inverted above the middle, callees below)
//! and the function table at the right (`draw_table.rs`); the search field lives in the status
//! line, and its matches are the scene's highlight. In Time Order the minimap strip
//! (`minimap.rs`) sits above the chart; `?` draws the key help over everything (`help.rs`).
//!
//! Why no egui yet: the chrome is a few rects and labels, and the renderer already draws both,
//! so the viewer needs no second UI stack. Flame labels are dropped where chrome covers them,
//! because the renderer draws every label above every rect.

use crate::app::colors::ColorCache;
use crate::app::minimap::Minimap;
use crate::app::state::{ViewKind, view_name};
use crate::app::viewer::{Status, Viewer};
use crate::scene::{FlameScene, build_scene};
use bigflame_render::{Label, RectInstance, Scene, colors};

pub(super) const CHROME_BG: u32 = colors::rgb(48, 48, 52);
pub(super) const CHROME_TEXT: u32 = colors::rgb(240, 240, 240);
const TOOLTIP_BG: u32 = colors::rgb(255, 255, 225);
const DETAIL_BG: u32 = colors::rgb(236, 240, 247);

/// A text of the chrome (owned, unlike the flame labels which borrow frame names).
pub(super) struct Text {
    pub(super) x: f32,
    pub(super) y: f32,
    pub(super) max_w: f32,
    pub(super) text: String,
    pub(super) color: u32,
}

/// `loading… 45% · 0.9 of 2.0 GB · 1.2 M samples`.
fn loading_text(p: &bigflame_formats::Progress) -> String {
    let gb = |b: u64| b as f64 / 1e9;
    let samples = if p.samples_so_far >= 1_000_000 {
        format!("{:.1} M samples", p.samples_so_far as f64 / 1e6)
    } else {
        format!("{} samples", p.samples_so_far)
    };
    match p.bytes_total.filter(|&t| t > 0) {
        Some(t) => format!(
            "loading… {:.0}% · {:.2} of {:.2} GB · {samples}",
            100.0 * p.bytes_done as f64 / t as f64,
            gb(p.bytes_done),
            gb(t)
        ),
        None => format!("loading… {:.2} GB · {samples}", gb(p.bytes_done)),
    }
}

/// The status line's left side when nothing is selected or searched: a notice ("saved …"),
/// the load's progress while a partial profile is shown, else the file and its warnings
/// (skipped records, importer notes; all of them are on stderr).
fn status_left(viewer: &Viewer) -> String {
    if let Some(n) = &viewer.notice {
        return n.clone();
    }
    if let (Status::Loading(p), Some(_)) = (&viewer.status, &viewer.data) {
        return format!("{} (partial: still loading)", loading_text(p));
    }
    let warnings = viewer.data.as_ref().map_or(&[][..], |d| &d.warnings[..]);
    match warnings {
        [] => viewer.source.clone(),
        [one] => format!("{} · ⚠ {one}", viewer.source),
        [first, rest @ ..] => format!(
            "{} · ⚠ {first} (+{} more on stderr)",
            viewer.source,
            rest.len()
        ),
    }
}

/// Reused per-frame buffers.
#[derive(Default)]
pub struct Frame {
    pub(super) flame: FlameScene,
    /// The Sandwich callers' half (merged into `flame` after building).
    callers: FlameScene,
    pub(super) texts: Vec<Text>,
    /// The background colour (the diff's grey while it is shown; 0 = the usual one).
    clear: u32,
    /// Areas (x0, y0, x1, y1) where flame labels must not be drawn.
    covered: Vec<[f32; 4]>,
    /// The Time Order minimap strip and its cached spans.
    minimap: Minimap,
    /// The frame colours of the `c` mode.
    colors: ColorCache,
    /// One lane's scene, before it joins `flame`.
    scratch: FlameScene,
}

impl Frame {
    /// Builds rects and chrome for the viewer's current state.
    pub fn build(&mut self, viewer: &Viewer) {
        let st = &viewer.state;
        let (w, h) = (st.viewport.0 as f32, st.viewport.1 as f32);
        let s = st.scale as f32;
        self.texts.clear();
        self.covered.clear();
        self.clear = 0;
        let mut colors = std::mem::take(&mut self.colors);
        let frame_colors = colors.get(viewer);
        let mut opts = st.scene_options();
        opts.highlight = viewer.search.highlight();
        opts.viewport_px = (st.canvas_w(), st.viewport.1);
        opts.colors = frame_colors;
        // A partial profile (progressive load) is browsable like a loaded one.
        let ready = viewer.data.is_some()
            && matches!(viewer.status, Status::Ready | Status::Loading(_))
            && !viewer.building;
        let sandwich = viewer.data.as_ref().and_then(|d| d.sandwich.as_ref());
        let view = viewer
            .view()
            .filter(|_| ready && st.kind != ViewKind::Sandwich && !viewer.lanes_on());
        let sandwich = sandwich.filter(|_| ready && st.kind == ViewKind::Sandwich);
        if ready && viewer.lanes_on() {
            self.flame.rects.clear();
            self.flame.labels.clear();
            self.flame.viewport_px = st.viewport;
            let mut scratch = std::mem::take(&mut self.scratch);
            self.lanes(viewer, &mut scratch, frame_colors);
            self.scratch = scratch;
        } else if let Some(view) = view {
            let diff = viewer.diff_shown();
            opts.node_colors = diff.map(|(d, norm)| &d.colors[usize::from(norm)][..]);
            self.clear = if diff.is_some() {
                crate::scene::diff::DIFF_BACKGROUND
            } else {
                colors::BACKGROUND
            };
            build_scene(view, &st.camera, &opts, &mut self.flame);
            self.flame.viewport_px = st.viewport;
            if let Some([x0, y0, x1, y1]) = st.minimap_rect() {
                // Drawn after the chart, so it covers rows scrolled up under it.
                self.covered
                    .push([x0 as f32, y0 as f32, x1 as f32, y1 as f32]);
                self.minimap
                    .draw(viewer, frame_colors, &mut self.flame.rects);
            }
        } else if let Some(sw) = sandwich {
            {
                let sel = opts.selected;
                let half = st.half_px() as f32;
                opts.origin_y_px = half;
                opts.selected = sel.filter(|_| !st.selection_in_callers);
                build_scene(&sw.callees, &st.camera, &opts, &mut self.flame);
                opts.inverted = true;
                opts.selected = sel.filter(|_| st.selection_in_callers);
                let mut camera = st.camera;
                camera.y_scroll_px = st.callers_scroll_px;
                build_scene(&sw.callers, &camera, &opts, &mut self.callers);
                // Each half keeps to its side of the middle when scrolled.
                self.flame.rects.retain(|r| r.y >= half - 0.5);
                self.flame.labels.retain(|l| l.y_px >= half);
                self.callers.rects.retain(|r| r.y + r.height <= half + 0.5);
                self.callers.labels.retain(|l| l.y_px < half);
                self.flame.rects.extend_from_slice(&self.callers.rects);
                self.flame.labels.extend_from_slice(&self.callers.labels);
                self.flame.viewport_px = st.viewport;
                // The seam between the halves (not chrome: labels next to it stay).
                self.flame.rects.push(RectInstance::new(
                    0.0,
                    st.canvas_w() as f32,
                    half - 0.5 * s,
                    s,
                    CHROME_BG,
                    0,
                ));
                self.table(viewer, sw.frame);
            }
        } else {
            self.flame = FlameScene {
                viewport_px: st.viewport,
                ..FlameScene::default()
            };
        }
        let message = match &viewer.status {
            Status::Empty => {
                Some("Drop a profile file here, or press Ctrl+O to open one".to_string())
            }
            Status::Loading(p) if viewer.data.is_none() => Some(loading_text(p)),
            Status::Failed(e) => Some(format!("error: {e}")),
            _ if viewer.building => Some(format!("building the {} view…", view_name(st.kind))),
            _ if viewer.lanes_on() => None,
            Status::Ready if viewer.view().is_none_or(|v| v.depth_count() == 0) => {
                Some("no samples to show".to_string())
            }
            _ => None,
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
        // The active transforms, first applied first ("focus function foo › merge bar").
        let labels = viewer.transform_labels();
        let collapsed = if labels.is_empty() {
            String::new()
        } else {
            format!(" · {} (u undo)", labels.join(" › "))
        };
        let mode = match (viewer.lanes_on(), viewer.colors) {
            (true, crate::app::colors::ColorMode::Name) => " · lanes".to_string(),
            (true, c) => format!(" · lanes · colour: {}", c.name()),
            (false, crate::app::colors::ColorMode::Name) => String::new(),
            (false, c) => format!(" · colour: {}", c.name()),
        };
        let right = match viewer.thread_label() {
            Some(t) => format!(
                "{}{collapsed}{mode} · {t}  [? keys, 1/2/3 view, t/n/p thread, m lanes, ctrl+f find]",
                view_name(st.kind)
            ),
            None => view_name(st.kind).to_string(),
        };
        let search = &viewer.search;
        let left = if search.open || search.active() {
            let caret = if search.open { "▏" } else { "" };
            let summary = if search.active() {
                format!(" — {}", search.summary(viewer.search_scope()))
            } else {
                String::new()
            };
            format!("find: {}{caret}{summary}", search.text)
        } else {
            st.selection
                .as_ref()
                .and_then(|span| viewer.describe(span))
                .map(|d| format!("selected: {d}"))
                .unwrap_or_else(|| status_left(viewer))
        };
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
        if ready {
            self.detail(viewer, bar_y);
            self.threads(viewer);
        }
        self.tooltip(viewer, w, bar_y);
        self.range_preview(viewer);
        self.diff_table(viewer);
        self.help(viewer);
        self.colors = colors;
    }

    /// The selection's detail panel, at the bottom right of the canvas.
    fn detail(&mut self, viewer: &Viewer, bottom: f32) {
        let Some(lines) = viewer.selection_detail() else {
            return;
        };
        let s = viewer.state.scale as f32;
        let canvas_w = viewer.state.canvas_w() as f32;
        let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let line_h = 17.0 * s;
        let box_w = (longest as f32 * 7.0 * s + 14.0 * s).min(0.6 * canvas_w);
        let box_h = lines.len() as f32 * line_h + 8.0 * s;
        let x = (canvas_w - box_w - 8.0 * s).max(0.0);
        let y = (bottom - box_h - 8.0 * s).max(0.0);
        self.rect(x - 1.0, y - 1.0, box_w + 2.0, box_h + 2.0, CHROME_BG);
        self.rect(x, y, box_w, box_h, DETAIL_BG);
        for (i, text) in lines.into_iter().enumerate() {
            self.texts.push(Text {
                x: x + 7.0 * s,
                y: y + 4.0 * s + i as f32 * line_h,
                max_w: box_w - 12.0 * s,
                text,
                color: colors::LABEL_TEXT,
            });
        }
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
    /// The Shift+drag range being chosen (Time Order): its two edges and a band along the top
    /// of the chart, opaque (so nothing depends on blending).
    fn range_preview(&mut self, viewer: &Viewer) {
        let st = &viewer.state;
        let Some((a, b)) = viewer
            .range_preview
            .filter(|_| st.kind == ViewKind::TimeOrder)
        else {
            return;
        };
        let s = st.scale as f32;
        let (x0, x1) = (a.min(b) as f32, a.max(b) as f32);
        let top = st.minimap_px() as f32;
        let bottom = st.viewport.1 as f32 - st.status_px() as f32;
        let edge = (2.0 * s).max(1.0);
        let color = colors::rgb(40, 110, 230);
        self.rect(x0, top, edge, (bottom - top).max(0.0), color);
        self.rect(x1 - edge, top, edge, (bottom - top).max(0.0), color);
        self.rect(x0, top, (x1 - x0).max(edge), 4.0 * s, color);
    }

    pub(super) fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: u32) {
        self.flame
            .rects
            .push(RectInstance::new(x, x + w, y, h, color, 0));
        self.covered.push([x, y, x + w, y + h]);
    }

    /// Flame labels (those not under chrome) and chrome texts, for [`Frame::scene`].
    pub fn labels<'a>(&'a self, viewer: &'a Viewer) -> Vec<Label<'a>> {
        let mut labels = Vec::with_capacity(self.flame.labels.len() + self.texts.len());
        if let Some(data) = &viewer.data {
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

    /// Colours of the rects built (tests).
    #[cfg(test)]
    pub fn rect_colors(&self) -> Vec<u32> {
        self.flame.rects.iter().map(|r| r.color).collect()
    }

    /// The chrome texts built, one per line (tests).
    #[cfg(test)]
    pub fn chrome_text(&self) -> String {
        self.texts
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The renderer's scene: flame rects, chrome rects, and `labels` from [`Frame::labels`].
    pub fn scene<'a>(&'a self, labels: &'a [Label<'a>]) -> Scene<'a> {
        Scene {
            viewport_px: self.flame.viewport_px,
            clear: if self.clear == 0 {
                colors::BACKGROUND
            } else {
                self.clear
            },
            rects: &self.flame.rects,
            labels,
        }
    }
}
