//! The f64 camera of a flame view: which x range (view units) and which vertical scroll (px) is shown.
//!
//! Why f64 and view units: a 15-minute recording is ~9e11 ns wide, and at 10⁶× zoom a pixel is
//! a few hundred ns — far below f32 resolution at that magnitude. The camera never leaves f64; only
//! [`Camera::transform`] hands the renderer a [`ViewTransform`] that subtracts the origin in f64 before
//! anything becomes f32. The helpers are the gestures every front end needs (fit, zoom around the
//! cursor, pan by pixels), shared by the window, `bigflame render` and `bigflame bench`.

use bigflame_render::ViewTransform;
use std::ops::Range;

/// Deepest zoom relative to the whole extent (10⁹×): beyond it f64 spacing of ns-scale
/// coordinates (~1e-4 ns at 9e11) would still be fine, but nothing useful is left to see.
pub const MAX_ZOOM: f64 = 1.0e9;

/// What is visible: `x_start..x_end` in view units across the viewport width, and the vertical
/// scroll in physical px (0 = the root row at the top; the chart grows downwards).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Camera {
    /// View units at the left edge.
    pub x_start: f64,
    /// View units at the right edge (exclusive).
    pub x_end: f64,
    /// Physical px scrolled down from the root row.
    pub y_scroll_px: f64,
}

impl Camera {
    /// Shows all of `extent`, scrolled to the top. An empty extent becomes `0..1`.
    pub fn fit(extent: Range<f64>) -> Self {
        let (a, b) =
            if extent.start < extent.end && extent.start.is_finite() && extent.end.is_finite() {
                (extent.start, extent.end)
            } else {
                (0.0, 1.0)
            };
        Self {
            x_start: a,
            x_end: b,
            y_scroll_px: 0.0,
        }
    }

    /// Visible width in view units.
    pub fn width(&self) -> f64 {
        self.x_end - self.x_start
    }

    /// View units per physical pixel at a viewport `width_px` wide.
    pub fn units_per_px(&self, width_px: u32) -> f64 {
        self.width() / f64::from(width_px.max(1))
    }

    /// The view-unit x under pixel column `px` (0 = left edge; fractional px allowed).
    pub fn x_at(&self, px: f64, width_px: u32) -> f64 {
        self.x_start + px * self.units_per_px(width_px)
    }

    /// The f64 → view-relative f32 transform the renderer wants.
    pub fn transform(&self, width_px: u32) -> ViewTransform {
        ViewTransform::from_range(self.x_start, self.x_end, f64::from(width_px.max(1)))
    }

    /// Zooms by `factor` (> 1 zooms in) keeping view-unit `x` at the same screen column, then
    /// clamps to `extent` (never wider than it, never narrower than its width / [`MAX_ZOOM`]).
    pub fn zoom_at(&mut self, x: f64, factor: f64, extent: Range<f64>) {
        if !(factor.is_finite() && factor > 0.0 && x.is_finite()) {
            return;
        }
        let w = self.width();
        let t = if w > 0.0 {
            ((x - self.x_start) / w).clamp(0.0, 1.0)
        } else {
            0.5
        };
        let new_w = w / factor;
        self.x_start = x - t * new_w;
        self.x_end = self.x_start + new_w;
        self.clamp_x(extent);
    }

    /// Pans by `dx_px` (positive: the view moves right, content moves left) and `dy_px`
    /// (positive: scrolls down towards deeper frames); x stays within `extent`.
    pub fn pan_px(&mut self, dx_px: f64, dy_px: f64, width_px: u32, extent: Range<f64>) {
        let du = dx_px * self.units_per_px(width_px);
        if du.is_finite() {
            self.x_start += du;
            self.x_end += du;
        }
        if dy_px.is_finite() {
            self.y_scroll_px = (self.y_scroll_px + dy_px).max(0.0);
        }
        self.clamp_x(extent);
    }

    /// Limits the vertical scroll so the last row (of `content_height_px`) can reach the bottom of a
    /// `viewport_height_px` viewport but no further.
    pub fn clamp_y(&mut self, content_height_px: f64, viewport_height_px: f64) {
        let max = (content_height_px - viewport_height_px).max(0.0);
        self.y_scroll_px = self.y_scroll_px.clamp(0.0, max);
    }

    /// Keeps the width within `[extent / MAX_ZOOM, extent]` and the range inside `extent`.
    pub fn clamp_x(&mut self, extent: Range<f64>) {
        let full = Self::fit(extent);
        let (lo, hi) = (full.x_start, full.x_end);
        let min_w = (hi - lo) / MAX_ZOOM;
        let mut w = self.width();
        if !(w.is_finite() && w >= min_w) {
            let c = self.x_start + 0.5 * w;
            let c = if c.is_finite() { c } else { 0.5 * (lo + hi) };
            w = min_w;
            self.x_start = c - 0.5 * w;
        }
        if w >= hi - lo {
            (self.x_start, self.x_end) = (lo, hi);
            return;
        }
        self.x_start = self.x_start.clamp(lo, hi - w);
        self.x_end = self.x_start + w;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_keeps_the_point_under_the_cursor() {
        let mut c = Camera::fit(0.0..1000.0);
        c.zoom_at(250.0, 10.0, 0.0..1000.0);
        assert!((c.width() - 100.0).abs() < 1e-9);
        // 250 was at 25 % of the view and still is.
        assert!(((250.0 - c.x_start) / c.width() - 0.25).abs() < 1e-12);
        c.zoom_at(250.0, 0.001, 0.0..1000.0);
        assert_eq!(c, Camera::fit(0.0..1000.0));
    }

    #[test]
    fn deep_zoom_and_pan_stay_inside() {
        let extent = 0.0..9.0e11;
        let mut c = Camera::fit(extent.clone());
        for _ in 0..60 {
            c.zoom_at(4.5e11 + 3.0, 1.0e6f64.powf(1.0 / 60.0), extent.clone());
        }
        assert!((c.width() / 9.0e5 - 1.0).abs() < 1e-6, "{}", c.width());
        c.pan_px(-1.0e12, 0.0, 1600, extent.clone());
        assert_eq!(c.x_start, 0.0);
        c.pan_px(1.0e12, -5.0, 1600, extent.clone());
        assert_eq!(c.x_end, 9.0e11);
        assert_eq!(c.y_scroll_px, 0.0);
        c.zoom_at(1.0, 1.0e30, extent);
        assert!(c.width() >= 9.0e11 / MAX_ZOOM * 0.999);
    }

    #[test]
    fn vertical_clamp() {
        let mut c = Camera::fit(0.0..1.0);
        c.pan_px(0.0, 500.0, 100, 0.0..1.0);
        c.clamp_y(300.0, 200.0);
        assert_eq!(c.y_scroll_px, 100.0);
        c.clamp_y(100.0, 200.0);
        assert_eq!(c.y_scroll_px, 0.0);
    }
}
