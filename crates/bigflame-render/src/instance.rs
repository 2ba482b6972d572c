//! GPU mirror structs for `shaders/rect.wgsl` and the f64 → f32 view transform.
//!
//! Why view-relative coordinates: a 15-minute recording in nanoseconds is ~9e11 units; at 1e6×
//! zoom one pixel is a few hundred units, far below f32's resolution at that magnitude (~6e4).
//! So the camera stays in f64 on the CPU, [`ViewTransform::x_px`] subtracts the view origin in
//! f64, scales to pixels, and only then converts to f32. The GPU only ever sees pixel offsets
//! within (roughly) the viewport; the shader additionally clamps to just outside it.

use bytemuck::{Pod, Zeroable};

/// Search-match highlight (magenta tint).
pub const FLAG_HIGHLIGHT: u32 = 1;
/// Dimmed (e.g. not matching the search): washed-out grey.
pub const FLAG_DIMMED: u32 = 2;
/// Selected: 2 px dark outline inside the rect.
pub const FLAG_SELECTED: u32 = 4;
/// Folded/merged span (several sub-pixel frames): hatched lighter stripes.
pub const FLAG_FOLDED: u32 = 8;

/// One rectangle of the flame graph, in view-relative physical pixels.
///
/// `x0..x1` horizontally (relative to the left edge of the viewport, may be negative or beyond
/// the width: the shader clamps), `y..y + height` vertically (top-down). A 1 px background gap is
/// left on the right and bottom edges of rects at least 3 px wide/tall; rects narrower than 1 px
/// are widened to 1 px.
// Keep in sync with shaders/rect.wgsl
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct RectInstance {
    /// Left edge, px relative to the viewport's left edge.
    pub x0: f32,
    /// Right edge, px relative to the viewport's left edge.
    pub x1: f32,
    /// Top edge, px from the top of the viewport.
    pub y: f32,
    /// Height in px (the row height; the gap is taken out of it).
    pub height: f32,
    /// Packed sRGB RGBA8, red in the lowest byte: see [`crate::colors::rgba`].
    pub color: u32,
    /// `FLAG_*` bits.
    pub flags: u32,
}

impl RectInstance {
    /// A rect from already view-relative pixel coordinates.
    pub fn new(x0: f32, x1: f32, y: f32, height: f32, color: u32, flags: u32) -> Self {
        Self {
            x0,
            x1,
            y,
            height,
            color,
            flags,
        }
    }
}

/// Per-frame uniform.
// Keep in sync with shaders/rect.wgsl
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct Globals {
    /// Render target size in physical px.
    pub viewport_px: [f32; 2],
    /// 1 when the target format is sRGB-encoding (shader outputs linear colour).
    pub srgb_output: u32,
    /// Gap between neighbouring rects, px.
    pub gap_px: f32,
}

/// Maps a horizontal camera in f64 units (e.g. nanoseconds) to view-relative f32 pixels.
///
/// `origin` is the unit value shown at the left edge of the viewport, `px_per_unit` the zoom.
/// Both stay f64; only the final pixel offset is rounded to f32.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ViewTransform {
    /// Unit value at the left edge of the viewport.
    pub origin: f64,
    /// Pixels per unit.
    pub px_per_unit: f64,
}

impl ViewTransform {
    /// Largest magnitude sent to the GPU; the shader clamps to the viewport anyway, this only
    /// keeps the f32 finite for spans that extend absurdly far off-screen.
    const LIMIT_PX: f64 = 1.0e7;

    /// A view showing `[start, end)` units across `width_px` pixels.
    pub fn from_range(start: f64, end: f64, width_px: f64) -> Self {
        let span = (end - start).max(f64::MIN_POSITIVE);
        Self {
            origin: start,
            px_per_unit: width_px.max(1.0) / span,
        }
    }

    /// View-relative pixel x of unit value `x`: `((x - origin) * px_per_unit) as f32`, computed
    /// in f64 and clamped to ±1e7 px.
    pub fn x_px(&self, x: f64) -> f32 {
        ((x - self.origin) * self.px_per_unit).clamp(-Self::LIMIT_PX, Self::LIMIT_PX) as f32
    }

    /// A rect covering units `[start, end)` on the row `y..y + height` px.
    pub fn rect(
        &self,
        start: f64,
        end: f64,
        y: f32,
        height: f32,
        color: u32,
        flags: u32,
    ) -> RectInstance {
        RectInstance::new(self.x_px(start), self.x_px(end), y, height, color, flags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_stable() {
        assert_eq!(std::mem::size_of::<RectInstance>(), 24);
        assert_eq!(std::mem::size_of::<Globals>(), 16);
    }

    #[test]
    fn deep_zoom_keeps_sub_pixel_precision() {
        // 1e9 units from zero, 1e6 px per unit: f32 alone could not tell 1e9 from 1e9 + 0.5.
        let v = ViewTransform {
            origin: 1.0e9,
            px_per_unit: 100.0,
        };
        assert_eq!(v.x_px(1.0e9 + 0.5), 50.0);
        assert_eq!(v.x_px(1.0e9), 0.0);
        assert_eq!(v.x_px(-1.0e30), -1.0e7);
    }
}
