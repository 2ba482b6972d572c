//! The window's surface and renderer.
//!
//! Why the care: wgpu panics when a surface is configured with a zero dimension (a minimised
//! window reports 0×0), surfaces get `Outdated` on resize and `Lost` on some compositors, and GL
//! (the fallback when there is no Vulkan) offers only Fifo. So the configuration comes from the
//! surface's capabilities with [`preferred_surface_format`], a zero size only marks the surface
//! as unusable until the next non-zero resize, and lost/outdated surfaces are reconfigured (or
//! recreated) and the frame retried once.

use anyhow::{Context, Result, anyhow};
use bigflame_render::{GpuContext, Renderer, Scene, preferred_surface_format, wgpu};
use std::sync::Arc;
use winit::window::Window;

/// The present mode: `BIGFLAME_PRESENT_MODE` (`fifo`, `mailbox`, `immediate`) when the surface
/// offers it, else Fifo, which every surface supports (the only mode on GL) and which caps redraw
/// cost at vsync. The viewer draws only on change, so no mode spins when idle.
fn present_mode(offered: &[wgpu::PresentMode], fallback: wgpu::PresentMode) -> wgpu::PresentMode {
    let wanted = match std::env::var("BIGFLAME_PRESENT_MODE").ok().as_deref() {
        Some("mailbox") => Some(wgpu::PresentMode::Mailbox),
        Some("immediate") => Some(wgpu::PresentMode::Immediate),
        _ => None,
    };
    [wanted, Some(wgpu::PresentMode::Fifo)]
        .into_iter()
        .flatten()
        .find(|m| offered.contains(m))
        .or_else(|| offered.first().copied())
        .unwrap_or(fallback)
}

/// Surface + device + renderer for one window.
pub struct Gpu {
    window: Arc<Window>,
    ctx: GpuContext,
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    /// False while the window has a zero dimension (minimised): nothing is configured or drawn.
    usable: bool,
    renderer: Renderer,
    /// Timings of the last frame (prepare, acquire, submit; see `latency.rs`).
    pub times: crate::app::latency::FrameTimes,
}

/// What happened to a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drawn {
    /// Presented.
    Yes,
    /// Skipped (minimised, occluded, timed out); draw again when asked.
    Skipped,
}

impl Gpu {
    /// Creates the surface for `window`, picks an adapter that can present to it, configures it.
    pub fn new(window: Arc<Window>, instance: wgpu::Instance) -> Result<Self> {
        let surface = instance
            .create_surface(window.clone())
            .context("cannot create a surface for the window")?;
        let ctx = GpuContext::new_with_surface_compat(instance, &surface)
            .context("no GPU adapter can present to this window")?;
        let size = window.inner_size();
        let config = Self::configuration(&ctx, &surface, size.width, size.height)?;
        let renderer = Renderer::new(&ctx.device, &ctx.queue, config.format);
        let mut gpu = Self {
            window,
            ctx,
            surface,
            config,
            usable: false,
            renderer,
            times: Default::default(),
        };
        gpu.resize(size.width, size.height);
        Ok(gpu)
    }

    /// One line naming the adapter (for stderr at start-up).
    pub fn describe(&self) -> String {
        format!(
            "{}, present mode {:?}",
            self.ctx.describe(),
            self.config.present_mode
        )
    }

    fn configuration(
        ctx: &GpuContext,
        surface: &wgpu::Surface<'_>,
        width: u32,
        height: u32,
    ) -> Result<wgpu::SurfaceConfiguration> {
        let caps = surface.get_capabilities(&ctx.adapter);
        let format = preferred_surface_format(&caps.formats)
            .ok_or_else(|| anyhow!("the window surface offers no texture format"))?;
        let mut config = surface
            .get_default_config(&ctx.adapter, width.max(1), height.max(1))
            .ok_or_else(|| anyhow!("the adapter cannot present to the window surface"))?;
        config.format = format;
        config.present_mode = present_mode(&caps.present_modes, config.present_mode);
        config.desired_maximum_frame_latency = 2;
        Ok(config)
    }

    /// Reconfigures for a new physical size; a zero dimension suspends drawing instead.
    pub fn resize(&mut self, width: u32, height: u32) {
        if width == 0 || height == 0 {
            self.usable = false;
            return;
        }
        self.config.width = width;
        self.config.height = height;
        self.surface.configure(&self.ctx.device, &self.config);
        self.usable = true;
    }

    /// Whether a frame can be drawn now (false while minimised).
    pub fn usable(&self) -> bool {
        self.usable
    }

    /// Draws `scene` and presents it.
    pub fn draw(&mut self, scene: &Scene<'_>) -> Result<Drawn> {
        if !self.usable {
            return Ok(Drawn::Skipped);
        }
        let ms = |t: std::time::Instant| t.elapsed().as_secs_f64() * 1e3;
        let t0 = std::time::Instant::now();
        self.renderer
            .prepare(&self.ctx.device, &self.ctx.queue, scene)
            .context("preparing the frame")?;
        self.times.prepare_ms = ms(t0);
        self.times.rects = scene.rects.len();
        for attempt in 0..2 {
            let t1 = std::time::Instant::now();
            let acquired = self.surface.get_current_texture();
            self.times.acquire_ms = ms(t1);
            let frame = match acquired {
                wgpu::CurrentSurfaceTexture::Success(f) => f,
                wgpu::CurrentSurfaceTexture::Suboptimal(f) => {
                    // Draw this one; the next resize event reconfigures.
                    f
                }
                wgpu::CurrentSurfaceTexture::Timeout | wgpu::CurrentSurfaceTexture::Occluded => {
                    return Ok(Drawn::Skipped);
                }
                wgpu::CurrentSurfaceTexture::Outdated => {
                    self.reconfigure();
                    continue;
                }
                wgpu::CurrentSurfaceTexture::Lost => {
                    self.recreate()?;
                    continue;
                }
                wgpu::CurrentSurfaceTexture::Validation => {
                    return Err(anyhow!("surface validation error (attempt {attempt})"));
                }
            };
            let t2 = std::time::Instant::now();
            self.encode_and_present(frame);
            self.times.submit_ms = ms(t2);
            return Ok(Drawn::Yes);
        }
        Ok(Drawn::Skipped)
    }

    fn reconfigure(&mut self) {
        let size = self.window.inner_size();
        self.resize(size.width, size.height);
    }

    fn recreate(&mut self) -> Result<()> {
        self.surface = self
            .ctx
            .instance
            .create_surface(self.window.clone())
            .context("recreating the lost window surface")?;
        self.reconfigure();
        Ok(())
    }

    fn encode_and_present(&mut self, frame: wgpu::SurfaceTexture) {
        let view = frame
            .texture
            .create_view(&wgpu::TextureViewDescriptor::default());
        self.renderer
            .submit(&self.ctx.device, &self.ctx.queue, &view);
        let t = std::time::Instant::now();
        self.window.pre_present_notify();
        self.ctx.queue.present(frame);
        self.times.present_ms = t.elapsed().as_secs_f64() * 1e3;
    }

    /// Blocks until the GPU has finished everything submitted (latency measurement only).
    pub fn wait_done(&mut self) {
        let t0 = std::time::Instant::now();
        let _ = self.ctx.device.poll(wgpu::PollType::Wait {
            submission_index: None,
            timeout: Some(std::time::Duration::from_secs(2)),
        });
        self.times.gpu_ms = t0.elapsed().as_secs_f64() * 1e3;
    }

    /// Changes label font metrics for a new scale factor.
    pub fn set_scale(&mut self, scale: f64) {
        let base = bigflame_render::LabelStyle::default();
        let s = scale as f32;
        self.renderer.set_label_style(bigflame_render::LabelStyle {
            font_size_px: base.font_size_px * s,
            line_height_px: base.line_height_px * s,
        });
    }
}
