//! bigflame-render: the GPU renderer. It knows rectangles, colours and glyph runs — nothing
//! about profiles or file formats — so the layout crate and the app can evolve independently.
//!
//! - [`GpuContext`]: adapter selection (hardware first, then software such as lavapipe; pin
//!   with `BIGFLAME_BACKEND=vulkan|gl`), headless or surface-compatible.
//! - [`Renderer`]: `prepare(device, queue, &Scene)` then `render(&mut RenderPass)`, so the app
//!   can draw egui into the same pass. Rects are ONE instanced draw of [`RectInstance`]
//!   (`shaders/rect.wgsl`); labels are glyphon with one embedded font.
//! - [`Offscreen`], [`render_to_rgba`], [`render_to_png`]: headless frames for tests,
//!   screenshots and benchmarks.
//! - [`colors`]: stable FlameGraph-like colours.
//!
//! Coordinates are view-relative physical pixels: keep the camera in f64 and convert with
//! [`ViewTransform::x_px`] (see `instance.rs` for why).

pub mod colors;
mod context;
mod error;
mod instance;
mod labels;
mod offscreen;
mod rects;
mod renderer;
mod timing;

pub use context::{BACKEND_ENV, GpuContext, backends_from_env};
pub use error::RenderError;
pub use instance::{
    FLAG_DIMMED, FLAG_FOLDED, FLAG_HIGHLIGHT, FLAG_SELECTED, Globals, RectInstance, ViewTransform,
};
pub use labels::{BUCKET_PX, FONT_BYTES, Label, LabelStyle, MAX_TEXTS};
pub use offscreen::{OFFSCREEN_FORMAT, Offscreen, render_to_png, render_to_rgba, write_png};
pub use rects::GAP_PX;
pub use renderer::{Renderer, Scene};

/// The rect shader source (also validated by the naga test).
pub const RECT_WGSL: &str = include_str!("../../../shaders/rect.wgsl");

/// Re-exported so callers use the same wgpu version.
pub use wgpu;
