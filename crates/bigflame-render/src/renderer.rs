//! The frame API: [`Renderer::prepare`] uploads a [`Scene`] (rects + labels), and
//! [`Renderer::render`] records draws into a render pass the *caller* owns, so the app can draw
//! egui panels into the same pass and frame.
//!
//! Order inside the pass: opaque rects (one instanced draw, no blending), then glyphs (alpha
//! blended by glyphon). The pass must clear to [`Renderer::clear_color`] and, for GPU timing,
//! carry [`Renderer::timestamp_writes`]; see [`Renderer::render_to_view`] for the whole
//! sequence in one call.

use crate::error::RenderError;
use crate::instance::{Globals, RectInstance};
use crate::labels::{Label, LabelRenderer, LabelStyle};
use crate::rects::{GAP_PX, RectPipeline};
use crate::timing::GpuTimer;

/// Everything one frame shows. Coordinates are view-relative physical pixels.
#[derive(Clone, Copy, Debug)]
pub struct Scene<'a> {
    /// Target size in physical px (clamped to ≥ 1).
    pub viewport_px: (u32, u32),
    /// Background, packed sRGB RGBA8 (see [`crate::colors::rgb`]).
    pub clear: u32,
    /// Rectangles, drawn in order (later ones on top).
    pub rects: &'a [RectInstance],
    /// Labels, drawn after (on top of) all rects.
    pub labels: &'a [Label<'a>],
}

impl Default for Scene<'_> {
    fn default() -> Self {
        Self {
            viewport_px: (1, 1),
            clear: crate::colors::BACKGROUND,
            rects: &[],
            labels: &[],
        }
    }
}

/// Rect pipeline + labels + optional GPU timer for one colour-target format.
pub struct Renderer {
    format: wgpu::TextureFormat,
    rects: RectPipeline,
    labels: LabelRenderer,
    timer: Option<GpuTimer>,
    clear: u32,
}

fn srgb_to_linear(c: u8) -> f64 {
    let c = f64::from(c) / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

impl Renderer {
    /// Builds pipelines for colour target `format` (a surface format or an offscreen one).
    /// Timestamps are used when the device has `TIMESTAMP_QUERY`.
    pub fn new(device: &wgpu::Device, queue: &wgpu::Queue, format: wgpu::TextureFormat) -> Self {
        Self {
            format,
            rects: RectPipeline::new(device, format),
            labels: LabelRenderer::new(device, queue, format),
            timer: GpuTimer::new(device, queue),
            clear: crate::colors::BACKGROUND,
        }
    }

    /// The colour-target format this renderer draws into.
    pub fn format(&self) -> wgpu::TextureFormat {
        self.format
    }

    /// Label font metrics.
    pub fn label_style(&self) -> LabelStyle {
        self.labels.style()
    }

    /// Changes label font metrics (drops the shaping cache).
    pub fn set_label_style(&mut self, style: LabelStyle) {
        self.labels.set_style(style);
    }

    /// Instance-buffer capacity in rects (grows ×2, never shrinks).
    pub fn instance_capacity(&self) -> u64 {
        self.rects.capacity()
    }

    /// Distinct label texts currently shaped and cached.
    pub fn cached_label_texts(&self) -> usize {
        self.labels.cached_texts()
    }

    /// Uploads the scene: uniform, instances (buffer reused, grown ×2), shaped labels. Also
    /// collects a finished GPU timing, if any.
    pub fn prepare(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        scene: &Scene<'_>,
    ) -> Result<(), RenderError> {
        if let Some(timer) = &mut self.timer {
            // Non-blocking: drives a pending map callback; a failure only loses one timing.
            let _ = device.poll(wgpu::PollType::Poll);
            timer.harvest();
        }
        let (w, h) = (scene.viewport_px.0.max(1), scene.viewport_px.1.max(1));
        let globals = Globals {
            viewport_px: [w as f32, h as f32],
            srgb_output: u32::from(self.format.is_srgb()),
            gap_px: GAP_PX,
        };
        self.rects.prepare(device, queue, &globals, scene.rects);
        self.labels.prepare(device, queue, (w, h), scene.labels)?;
        self.clear = scene.clear;
        Ok(())
    }

    /// Records the rect draw and the label draw into `pass`.
    pub fn render(&self, pass: &mut wgpu::RenderPass<'_>) {
        self.rects.render(pass);
        self.labels.render(pass);
    }

    /// The prepared scene's background as a `LoadOp::Clear` value for this target format.
    pub fn clear_color(&self) -> wgpu::Color {
        let [r, g, b, a] = self.clear.to_le_bytes();
        let conv = |c: u8| {
            if self.format.is_srgb() {
                srgb_to_linear(c)
            } else {
                f64::from(c) / 255.0
            }
        };
        wgpu::Color {
            r: conv(r),
            g: conv(g),
            b: conv(b),
            a: f64::from(a) / 255.0,
        }
    }

    /// Put into the pass descriptor to time the pass on the GPU (`None` without timestamps).
    pub fn timestamp_writes(&self) -> Option<wgpu::RenderPassTimestampWrites<'_>> {
        self.timer.as_ref().map(GpuTimer::pass_writes)
    }

    /// After the pass ended, before `encoder.finish()`.
    pub fn resolve_timestamps(&self, encoder: &mut wgpu::CommandEncoder) {
        if let Some(t) = &self.timer {
            t.resolve(encoder);
        }
    }

    /// After `queue.submit(...)`.
    pub fn after_submit(&self) {
        if let Some(t) = &self.timer {
            t.after_submit();
        }
    }

    /// GPU time of the last timed pass in ms (one or two frames late in an interactive loop;
    /// current after [`crate::Offscreen::render`]). `None` without timestamp support.
    pub fn last_gpu_time_ms(&self) -> Option<f64> {
        self.timer.as_ref().and_then(GpuTimer::last_ms)
    }

    /// Collects a finished timing without preparing a new frame (e.g. after waiting).
    pub fn poll_gpu_time(&mut self, device: &wgpu::Device) -> Option<f64> {
        let timer = self.timer.as_mut()?;
        let _ = device.poll(wgpu::PollType::Poll);
        timer.harvest();
        timer.last_ms()
    }

    /// The whole frame: prepare, one pass clearing `view`, draws, timestamps, submit.
    pub fn render_to_view(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        view: &wgpu::TextureView,
        scene: &Scene<'_>,
    ) -> Result<wgpu::SubmissionIndex, RenderError> {
        self.prepare(device, queue, scene)?;
        Ok(self.submit(device, queue, view))
    }

    /// The frame after [`Renderer::prepare`]: one pass clearing `view`, draws, timestamps, submit.
    /// For callers that time or schedule `prepare` themselves (the window, the benchmark).
    pub fn submit(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        view: &wgpu::TextureView,
    ) -> wgpu::SubmissionIndex {
        let mut encoder = self.encode_pass(device, view);
        self.resolve_timestamps(&mut encoder);
        let index = queue.submit(Some(encoder.finish()));
        self.after_submit();
        index
    }

    /// Prepare + the pass, returning the encoder so callers can append copies.
    pub(crate) fn encode(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        view: &wgpu::TextureView,
        scene: &Scene<'_>,
    ) -> Result<wgpu::CommandEncoder, RenderError> {
        self.prepare(device, queue, scene)?;
        Ok(self.encode_pass(device, view))
    }

    /// The pass over already prepared buffers.
    fn encode_pass(&self, device: &wgpu::Device, view: &wgpu::TextureView) -> wgpu::CommandEncoder {
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("bigflame frame"),
        });
        {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("bigflame flame graph"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(self.clear_color()),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: None,
                timestamp_writes: self.timestamp_writes(),
                occlusion_query_set: None,
                multiview_mask: None,
            });
            self.render(&mut pass);
        }
        encoder
    }
}
