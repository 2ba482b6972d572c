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
    /// The span under the pointer.
    pub hover: Option<Span>,
    /// Last pointer position, physical px.
    pub cursor: Option<(f64, f64)>,
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
            hover: None,
            cursor: None,
        }
    }

    /// The scene options for this viewport and scale (row height, label sizes).
    pub fn scene_options(&self) -> SceneOptions<'static> {
        let mut opts = SceneOptions::new(self.viewport, self.scale as f32);
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

    fn width(&self) -> u32 {
        self.viewport.0
    }

    /// The row under y (physical px), if any.
    pub fn depth_at(&self, y_px: f64) -> Option<u32> {
        if !(y_px >= 0.0 && y_px < f64::from(self.viewport.1) - self.status_px()) {
            return None;
        }
        let row = ((y_px + self.camera.y_scroll_px) / self.row_px()).floor();
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
    pub fn pan_px(&mut self, dx: f64, dy: f64) {
        self.camera
            .pan_px(dx, dy, self.width(), self.extent.clone());
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
        let rows_h = f64::from(self.depth_count) * self.row_px();
        let visible_h = f64::from(self.viewport.1) - self.status_px();
        self.camera.clamp_y(rows_h, visible_h);
    }

    /// The unmerged span under a pointer position, if any.
    pub fn pick(&self, index: &SpanIndex, x_px: f64, y_px: f64) -> Option<Span> {
        let depth = self.depth_at(y_px)?;
        index.hit(self.camera.x_at(x_px, self.width()), depth)
    }

    /// Selects the span at a pointer position; clicking empty space clears the selection.
    pub fn select_at(&mut self, index: &SpanIndex, x_px: f64, y_px: f64) {
        self.selection = self.pick(index, x_px, y_px);
    }

    /// Double click: selects the span and zooms to fit it.
    pub fn zoom_to_span_at(&mut self, index: &SpanIndex, x_px: f64, y_px: f64) {
        if let Some(span) = self.pick(index, x_px, y_px) {
            self.selection = Some(span);
            self.fit_range(span.x0, span.x1);
        }
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
