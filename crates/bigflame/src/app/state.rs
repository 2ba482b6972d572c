//! The viewer's view state: which view and thread, the camera, the selection and the hover.
//!
//! Why pure: every navigation rule (zoom around the cursor, pan clamping, fit on view switch,
//! thread cycling) lives here, free of winit and the GPU, so unit tests and the `--script` mode
//! exercise exactly the code the window runs. The camera is f64 in view units (nanoseconds or
//! weight) so deep zooms into long recordings do not jitter; only the renderer converts to f32.

use crate::scene::{Camera, SceneOptions};
use bigflame_layout::{Span, SpanIndex};
use std::ops::Range;

pub use crate::scene::ViewKind;

/// Stable name of a view for JSON and the status line.
pub fn view_name(kind: ViewKind) -> &'static str {
    match kind {
        ViewKind::TimeOrder => "time-order",
        ViewKind::LeftHeavy => "left-heavy",
        ViewKind::Sandwich => "sandwich",
    }
}

/// Everything the viewer shows, except the data itself.
#[derive(Clone, Debug)]
pub struct ViewState {
    /// The current view.
    pub kind: ViewKind,
    /// Position of the shown thread in the viewer's thread order (0 = heaviest).
    pub thread: usize,
    /// Number of threads (0 while nothing is loaded).
    pub thread_count: usize,
    /// The camera (x in view units, vertical scroll in physical px).
    pub camera: Camera,
    /// `[start, end)` of the current view's data, in view units.
    pub extent: Range<f64>,
    /// Rows of the current view.
    pub depth_count: u32,
    /// Drawable size in physical px (each ≥ 1).
    pub viewport: (u32, u32),
    /// Window scale factor (HiDPI).
    pub scale: f64,
    /// The selected span (outlined).
    pub selection: Option<Span>,
    /// In the Sandwich view: the selection lies in the callers' half (else the callees').
    pub selection_in_callers: bool,
    /// Sandwich view: rows of the callers' and of the callees' tree.
    pub sandwich_depths: (u32, u32),
    /// Sandwich view: px the callers' half is scrolled up (its deeper callers are further up);
    /// the callees' half scrolls with `camera.y_scroll_px`.
    pub callers_scroll_px: f64,
    /// The span under the pointer.
    pub hover: Option<Span>,
    /// Last pointer position, physical px.
    pub cursor: Option<(f64, f64)>,
    /// While the minimap's viewport box (or one of its sides) is grabbed (see `minimap.rs`).
    pub minimap_grab: Option<crate::app::minimap::Grab>,
    /// Threads are stacked in lanes (`m`, see `lanes.rs`): no minimap, rows are the lanes'.
    pub lanes: bool,
}

impl Default for ViewState {
    fn default() -> Self {
        Self::new(800, 600, 1.0)
    }
}

impl ViewState {
    /// Nothing loaded, a `width × height` px viewport.
    pub fn new(width: u32, height: u32, scale: f64) -> Self {
        Self {
            kind: ViewKind::TimeOrder,
            thread: 0,
            thread_count: 0,
            camera: Camera::fit(0.0..1.0),
            extent: 0.0..1.0,
            depth_count: 0,
            viewport: (width.max(1), height.max(1)),
            scale: if scale > 0.0 && scale.is_finite() {
                scale
            } else {
                1.0
            },
            selection: None,
            selection_in_callers: false,
            sandwich_depths: (0, 0),
            callers_scroll_px: 0.0,
            hover: None,
            cursor: None,
            minimap_grab: None,
            lanes: false,
        }
    }

    /// The scene options for this viewport and scale (row height, label sizes).
    pub fn scene_options(&self) -> SceneOptions<'static> {
        let mut opts = SceneOptions::new(self.viewport, self.scale as f32);
        opts.origin_y_px = self.minimap_px() as f32;
        opts.selected = self.selection.map(|s| crate::scene::Selection {
            depth: s.depth,
            node: s.node,
        });
        opts
    }

    /// Height of one row, physical px.
    pub fn row_px(&self) -> f64 {
        f64::from(self.scene_options().row_height_px.max(1.0))
    }

    /// Height of the status line at the bottom, physical px (not covered by rows).
    pub fn status_px(&self) -> f64 {
        (22.0 * self.scale).round()
    }

    /// Width of the Sandwich view's function table at the right (0 in other views).
    pub fn table_px(&self) -> u32 {
        if self.kind != ViewKind::Sandwich {
            return 0;
        }
        let w = f64::from(self.viewport.0);
        (420.0 * self.scale).min(0.45 * w).round().max(0.0) as u32
    }

    /// Width of the flame canvas (the viewport less the Sandwich table), at least 1 px.
    pub fn canvas_w(&self) -> u32 {
        self.viewport.0.saturating_sub(self.table_px()).max(1)
    }

    /// Sandwich view: height of the callers' half (the callees' half starts below it).
    pub fn half_px(&self) -> f64 {
        ((f64::from(self.viewport.1) - self.status_px()) * 0.5)
            .floor()
            .max(0.0)
    }

    /// Sandwich view: the half (`true` = callers) and row under a pointer on the canvas.
    pub fn sandwich_row_at(&self, x_px: f64, y_px: f64) -> Option<(bool, u32)> {
        let bottom = f64::from(self.viewport.1) - self.status_px();
        if !(x_px >= 0.0 && x_px < f64::from(self.canvas_w()) && y_px >= 0.0 && y_px < bottom) {
            return None;
        }
        let (half, row) = (self.half_px(), self.row_px());
        Some(if y_px < half {
            (
                true,
                ((half - y_px + self.callers_scroll_px) / row).floor() as u32,
            )
        } else {
            (
                false,
                ((y_px - half + self.camera.y_scroll_px) / row).floor() as u32,
            )
        })
    }

    fn width(&self) -> u32 {
        self.canvas_w()
    }

    /// The row under y (physical px), if any.
    pub fn depth_at(&self, y_px: f64) -> Option<u32> {
        let top = self.minimap_px();
        if !(y_px >= top && y_px < f64::from(self.viewport.1) - self.status_px()) {
            return None;
        }
        let row = ((y_px - top + self.camera.y_scroll_px) / self.row_px()).floor();
        (row >= 0.0 && row < f64::from(self.depth_count)).then_some(row as u32)
    }

    /// Switches to a view of new data (view or thread changed, data loaded): fits it.
    pub fn set_data(&mut self, extent: Range<f64>, depth_count: u32) {
        let fit = Camera::fit(extent);
        self.extent = fit.x_start..fit.x_end;
        self.depth_count = depth_count;
        self.selection = None;
        self.hover = None;
        self.reset();
    }

    /// Fits the whole extent, scrolled to the top.
    pub fn reset(&mut self) {
        self.camera = Camera::fit(self.extent.clone());
        self.callers_scroll_px = 0.0;
    }

    /// Changes the drawable size (never below 1 px) and the scale factor.
    pub fn resize(&mut self, width: u32, height: u32, scale: f64) {
        self.viewport = (width.max(1), height.max(1));
        if scale > 0.0 && scale.is_finite() {
            self.scale = scale;
        }
        self.clamp();
    }

    /// Zooms by `factor` (> 1 = in) keeping the unit under `x_px` where it is.
    pub fn zoom_at(&mut self, x_px: f64, factor: f64) {
        let x = self.camera.x_at(x_px, self.width());
        self.camera.zoom_at(x, factor, self.extent.clone());
    }

    /// Moves the content by `(dx, dy)` physical px: positive dx shows what is further right,
    /// positive dy what is further down.
    /// In the Sandwich view, dy scrolls the half under the pointer (the callers' half the other
    /// way round, since it grows upwards).
    pub fn pan_px(&mut self, dx: f64, dy: f64) {
        let in_callers =
            self.kind == ViewKind::Sandwich && self.cursor.is_some_and(|(_, y)| y < self.half_px());
        let cam_dy = if in_callers {
            self.callers_scroll_px -= dy;
            0.0
        } else {
            dy
        };
        self.camera
            .pan_px(dx, cam_dy, self.width(), self.extent.clone());
        self.clamp();
    }

    /// Zooms so `[x0, x1)` fills the width (e.g. a double-clicked span).
    pub fn fit_range(&mut self, x0: f64, x1: f64) {
        if x1 > x0 {
            self.camera.x_start = x0;
            self.camera.x_end = x1;
            self.clamp();
        }
    }

    /// Keeps the camera inside the data: never wider than the extent, never past its ends,
    /// never scrolled below the last row.
    pub fn clamp(&mut self) {
        self.camera.clamp_x(self.extent.clone());
        if self.kind == ViewKind::Sandwich {
            // Both halves are anchored at the middle and scroll away from it.
            let row = self.row_px();
            let half = self.half_px();
            let below = f64::from(self.viewport.1) - self.status_px() - half;
            let (callers, callees) = self.sandwich_depths;
            let callers_max = (f64::from(callers) * row - half).max(0.0);
            self.callers_scroll_px = self.callers_scroll_px.clamp(0.0, callers_max);
            self.camera.clamp_y(f64::from(callees) * row, below);
            return;
        }
        let rows_h = f64::from(self.depth_count) * self.row_px();
        let visible_h = f64::from(self.viewport.1) - self.status_px() - self.minimap_px();
        self.camera.clamp_y(rows_h, visible_h);
    }

    /// The view unit under pixel column `x_px` of the canvas.
    pub fn x_at(&self, x_px: f64) -> f64 {
        self.camera.x_at(x_px, self.width())
    }

    /// The unmerged span under a pointer position, if any.
    pub fn pick(&self, index: &SpanIndex, x_px: f64, y_px: f64) -> Option<Span> {
        let depth = self.depth_at(y_px)?;
        index.hit(self.camera.x_at(x_px, self.width()), depth)
    }

    /// Scrolls vertically so row `depth` is on screen (Enter on a search match).
    pub fn reveal_row(&mut self, depth: u32) {
        let row = self.row_px();
        let mut visible = f64::from(self.viewport.1) - self.status_px() - self.minimap_px();
        if self.kind == ViewKind::Sandwich {
            visible -= self.half_px(); // the callees' half
        }
        let top = f64::from(depth) * row;
        if top < self.camera.y_scroll_px || top + row > self.camera.y_scroll_px + visible {
            self.camera.y_scroll_px = (top - 0.5 * visible).max(0.0);
        }
        self.clamp();
    }

    /// Cycles the thread forward (`+1`) or backward (`-1`); false when nothing changed.
    pub fn cycle_thread(&mut self, step: isize) -> bool {
        if self.thread_count < 2 {
            return false;
        }
        let n = self.thread_count as isize;
        self.thread = (self.thread as isize + step).rem_euclid(n) as usize;
        true
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
