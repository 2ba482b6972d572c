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
//!
//! A window frame (the app owns the surface and the pass, and may draw egui into it):
//!
//! ```no_run
//! # use bigflame_render::wgpu;
//! # fn frame(
//! #     ctx: &bigflame_render::GpuContext,
//! #     renderer: &mut bigflame_render::Renderer,
//! #     surface: &wgpu::Surface<'_>,
//! #     (w, h): (u32, u32),
//! # ) -> Result<(), bigflame_render::RenderError> {
//! use bigflame_render::{Label, RectInstance, Scene, ViewTransform, colors};
//! // Camera in f64 (e.g. ns); the renderer only sees view-relative px.
//! let view = ViewTransform::from_range(1.0e12, 1.0e12 + 5_000.0, f64::from(w));
//! let rects = [view.rect(1.0e12 + 100.0, 1.0e12 + 900.0, 0.0, 18.0, colors::for_name("main"), 0)];
//! let labels = [Label { x_px: rects[0].x0 + 3.0, y_px: 1.5, max_width_px: rects[0].x1 - rects[0].x0 - 6.0,
//!                       text: "main", color: colors::LABEL_TEXT }];
//! let scene = Scene { viewport_px: (w, h), clear: colors::BACKGROUND, rects: &rects, labels: &labels };
//! renderer.prepare(&ctx.device, &ctx.queue, &scene)?;
//! let wgpu::CurrentSurfaceTexture::Success(frame) = surface.get_current_texture() else { return Ok(()) };
//! let view = frame.texture.create_view(&Default::default());
//! let mut encoder = ctx.device.create_command_encoder(&Default::default());
//! {
//!     let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
//!         label: None,
//!         color_attachments: &[Some(wgpu::RenderPassColorAttachment {
//!             view: &view, depth_slice: None, resolve_target: None,
//!             ops: wgpu::Operations {
//!                 load: wgpu::LoadOp::Clear(renderer.clear_color()),
//!                 store: wgpu::StoreOp::Store,
//!             },
//!         })],
//!         depth_stencil_attachment: None,
//!         timestamp_writes: renderer.timestamp_writes(),
//!         occlusion_query_set: None,
//!         multiview_mask: None,
//!     });
//!     renderer.render(&mut pass);
//!     // ... egui_wgpu renderer.render(&mut pass, ...) here ...
//! }
//! renderer.resolve_timestamps(&mut encoder);
//! ctx.queue.submit(Some(encoder.finish()));
//! renderer.after_submit();
//! ctx.queue.present(frame);
//! # Ok(()) }
//! ```

pub mod colors;
mod context;
mod error;
mod instance;
mod labels;
mod offscreen;
mod rects;
mod renderer;
mod timing;

pub use context::{BACKEND_ENV, GpuContext, backends_from_env, preferred_surface_format};
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
