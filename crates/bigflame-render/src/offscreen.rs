//! Offscreen rendering: draw a [`Scene`] into a texture and read it back as tightly packed
//! RGBA8, or write a PNG. Used by tests (pixel checks on lavapipe), screenshots and the
//! render-latency benchmark.
//!
//! Read-back rows are padded to wgpu's 256-byte `COPY_BYTES_PER_ROW_ALIGNMENT` and unpadded on
//! the CPU. Sizes are clamped to ≥ 1 (wgpu rejects 0-size textures) and to the device limit.

use std::path::Path;

use crate::context::GpuContext;
use crate::error::RenderError;
use crate::renderer::{Renderer, Scene};

/// The default offscreen format: bytes out equal the packed colours in (no sRGB encoding).
pub const OFFSCREEN_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// A reusable render target plus renderer (pipelines, glyph cache and buffers persist, as in
/// the app).
pub struct Offscreen {
    renderer: Renderer,
    texture: wgpu::Texture,
    view: wgpu::TextureView,
    readback: wgpu::Buffer,
    size: (u32, u32),
    padded_row: u32,
}

fn padded_row_bytes(width: u32) -> u32 {
    let align = wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
    (width * 4).div_ceil(align) * align
}

impl Offscreen {
    /// A `width × height` target in [`OFFSCREEN_FORMAT`].
    pub fn new(ctx: &GpuContext, width: u32, height: u32) -> Self {
        Self::with_format(ctx, width, height, OFFSCREEN_FORMAT)
    }

    /// A target in `format`, which must be `Rgba8Unorm` or `Rgba8UnormSrgb` for read-back.
    pub fn with_format(
        ctx: &GpuContext,
        width: u32,
        height: u32,
        format: wgpu::TextureFormat,
    ) -> Self {
        let renderer = Renderer::new(&ctx.device, &ctx.queue, format);
        let (texture, view, readback, size, padded_row) =
            Self::target(&ctx.device, width, height, format);
        Self {
            renderer,
            texture,
            view,
            readback,
            size,
            padded_row,
        }
    }

    fn target(
        device: &wgpu::Device,
        width: u32,
        height: u32,
        format: wgpu::TextureFormat,
    ) -> (
        wgpu::Texture,
        wgpu::TextureView,
        wgpu::Buffer,
        (u32, u32),
        u32,
    ) {
        let max = device.limits().max_texture_dimension_2d.max(1);
        let (w, h) = (width.clamp(1, max), height.clamp(1, max));
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("bigflame offscreen"),
            size: wgpu::Extent3d {
                width: w,
                height: h,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        let padded_row = padded_row_bytes(w);
        let readback = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("bigflame offscreen readback"),
            size: u64::from(padded_row) * u64::from(h),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        (texture, view, readback, (w, h), padded_row)
    }

    /// Actual target size after clamping.
    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    /// Resizes the target (no-op when unchanged).
    pub fn resize(&mut self, ctx: &GpuContext, width: u32, height: u32) {
        if (width.max(1), height.max(1)) != self.size {
            let (t, v, r, s, p) = Self::target(&ctx.device, width, height, self.renderer.format());
            (
                self.texture,
                self.view,
                self.readback,
                self.size,
                self.padded_row,
            ) = (t, v, r, s, p);
        }
    }

    /// The renderer (label style, GPU time).
    pub fn renderer(&self) -> &Renderer {
        &self.renderer
    }

    /// Mutable renderer.
    pub fn renderer_mut(&mut self) -> &mut Renderer {
        &mut self.renderer
    }

    fn sized<'a>(&self, scene: &Scene<'a>) -> Scene<'a> {
        Scene {
            viewport_px: self.size,
            ..*scene
        }
    }

    /// Renders and waits for the GPU, without read-back (for timing). The scene's viewport is
    /// replaced by the target size. Updates [`Renderer::last_gpu_time_ms`].
    pub fn draw(&mut self, ctx: &GpuContext, scene: &Scene<'_>) -> Result<(), RenderError> {
        let scene = self.sized(scene);
        let index = self
            .renderer
            .render_to_view(&ctx.device, &ctx.queue, &self.view, &scene)?;
        ctx.device.poll(wgpu::PollType::Wait {
            submission_index: Some(index),
            timeout: None,
        })?;
        self.renderer.poll_gpu_time(&ctx.device);
        Ok(())
    }

    /// Renders and reads back tightly packed RGBA8 rows, top row first.
    pub fn render(&mut self, ctx: &GpuContext, scene: &Scene<'_>) -> Result<Vec<u8>, RenderError> {
        let scene = self.sized(scene);
        let (w, h) = self.size;
        let mut encoder = self
            .renderer
            .encode(&ctx.device, &ctx.queue, &self.view, &scene)?;
        self.renderer.resolve_timestamps(&mut encoder);
        encoder.copy_texture_to_buffer(
            self.texture.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer: &self.readback,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(self.padded_row),
                    rows_per_image: Some(h),
                },
            },
            wgpu::Extent3d {
                width: w,
                height: h,
                depth_or_array_layers: 1,
            },
        );
        let index = ctx.queue.submit(Some(encoder.finish()));
        self.renderer.after_submit();
        let (tx, rx) = std::sync::mpsc::channel();
        self.readback.map_async(wgpu::MapMode::Read, .., move |r| {
            let _ = tx.send(r);
        });
        ctx.device.poll(wgpu::PollType::Wait {
            submission_index: Some(index),
            timeout: None,
        })?;
        rx.recv()
            .map_err(|e| RenderError::Map(e.to_string()))?
            .map_err(|e| RenderError::Map(e.to_string()))?;
        let mut out = Vec::with_capacity((w * h * 4) as usize);
        {
            let view = self
                .readback
                .get_mapped_range(..)
                .map_err(|e| RenderError::Map(e.to_string()))?;
            for row in view.chunks_exact(self.padded_row as usize) {
                out.extend_from_slice(&row[..(w * 4) as usize]);
            }
        }
        self.readback.unmap();
        self.renderer.poll_gpu_time(&ctx.device);
        Ok(out)
    }
}

/// One-shot: renders `scene` at `width × height` (≥ 1) and returns RGBA8 rows, top first.
pub fn render_to_rgba(
    ctx: &GpuContext,
    scene: &Scene<'_>,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, RenderError> {
    Offscreen::new(ctx, width, height).render(ctx, scene)
}

/// One-shot: renders `scene` and writes it as an RGBA PNG to `path`.
pub fn render_to_png(
    ctx: &GpuContext,
    scene: &Scene<'_>,
    width: u32,
    height: u32,
    path: &Path,
) -> Result<(), RenderError> {
    let mut off = Offscreen::new(ctx, width, height);
    let rgba = off.render(ctx, scene)?;
    let (w, h) = off.size();
    write_png(path, w, h, &rgba)
}

/// Writes tightly packed RGBA8 rows as a PNG.
pub fn write_png(path: &Path, width: u32, height: u32, rgba: &[u8]) -> Result<(), RenderError> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut enc = png::Encoder::new(file, width, height);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header()?;
    writer.write_image_data(rgba)?;
    writer.finish()?;
    Ok(())
}
