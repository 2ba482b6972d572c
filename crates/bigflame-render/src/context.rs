//! Device selection: hardware first, then a software adapter (lavapipe/llvmpipe), with a clear
//! error when there is none.
//!
//! We enumerate adapters ourselves instead of `request_adapter` so the order is explicit and
//! the same everywhere: discrete > integrated > virtual > other > CPU, and Vulkan before GL at
//! equal rank (Vulkan and GL differ in a few hundred pixels per frame, so image tests pin
//! Vulkan with `BIGFLAME_BACKEND=vulkan`). The app creates its window surface from
//! [`GpuContext::create_instance`] and passes it as `compatible_surface`.

use crate::error::RenderError;

/// Environment variable pinning the backend: `vulkan`, `gl`, `metal` or `dx12`.
pub const BACKEND_ENV: &str = "BIGFLAME_BACKEND";

/// Instance, adapter, device and queue, plus what was chosen.
pub struct GpuContext {
    /// The wgpu instance (create surfaces from it).
    pub instance: wgpu::Instance,
    /// The chosen adapter.
    pub adapter: wgpu::Adapter,
    /// The device.
    pub device: wgpu::Device,
    /// The queue.
    pub queue: wgpu::Queue,
    /// Adapter name, backend, device type, driver.
    pub info: wgpu::AdapterInfo,
}

impl std::fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuContext")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// Backends to search: `BIGFLAME_BACKEND` when set, else all primary backends plus GL.
pub fn backends_from_env() -> Result<wgpu::Backends, RenderError> {
    match std::env::var(BACKEND_ENV) {
        Ok(v) if !v.trim().is_empty() => parse_backend(&v),
        _ => Ok(wgpu::Backends::PRIMARY | wgpu::Backends::GL),
    }
}

fn parse_backend(v: &str) -> Result<wgpu::Backends, RenderError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "vulkan" | "vk" => Ok(wgpu::Backends::VULKAN),
        "gl" | "gles" | "opengl" => Ok(wgpu::Backends::GL),
        "metal" => Ok(wgpu::Backends::METAL),
        "dx12" | "d3d12" => Ok(wgpu::Backends::DX12),
        _ => Err(RenderError::BadBackend(v.to_string())),
    }
}

fn device_rank(t: wgpu::DeviceType) -> u8 {
    match t {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Other => 3,
        wgpu::DeviceType::Cpu => 4,
    }
}

fn backend_rank(b: wgpu::Backend) -> u8 {
    match b {
        wgpu::Backend::Vulkan | wgpu::Backend::Metal | wgpu::Backend::Dx12 => 0,
        wgpu::Backend::Gl => 1,
        _ => 2,
    }
}

impl GpuContext {
    /// An instance over the backends from [`backends_from_env`]. Pass a display handle (winit's
    /// `OwnedDisplayHandle`) when a window will be created; GL on Wayland needs it.
    pub fn create_instance(
        display: Option<Box<dyn wgpu::wgt::WgpuHasDisplayHandle>>,
    ) -> Result<wgpu::Instance, RenderError> {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = backends_from_env()?;
        desc.display = display;
        Ok(wgpu::Instance::new(desc))
    }

    /// Headless: no surface. Used by offscreen rendering, tests and benchmarks.
    pub fn new_headless() -> Result<Self, RenderError> {
        Self::new_headless_with(backends_from_env()?)
    }

    /// Headless on exactly `backends` (ignores `BIGFLAME_BACKEND`), e.g. image tests pinning
    /// Vulkan without touching the process environment.
    pub fn new_headless_with(backends: wgpu::Backends) -> Result<Self, RenderError> {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = backends;
        let instance = wgpu::Instance::new(desc);
        pollster::block_on(Self::pick(instance, backends, None))
    }

    /// Blocking form of [`Self::from_instance`] for an app that already created its surface.
    pub fn new_with_surface_compat(
        instance: wgpu::Instance,
        surface: &wgpu::Surface<'_>,
    ) -> Result<Self, RenderError> {
        pollster::block_on(Self::from_instance(instance, Some(surface)))
    }

    /// Picks the best adapter (see the module docs) that can present to `compatible_surface`
    /// when one is given, and creates a device with timestamp queries when available.
    pub async fn from_instance(
        instance: wgpu::Instance,
        compatible_surface: Option<&wgpu::Surface<'_>>,
    ) -> Result<Self, RenderError> {
        let backends = backends_from_env()?;
        Self::pick(instance, backends, compatible_surface).await
    }

    async fn pick(
        instance: wgpu::Instance,
        backends: wgpu::Backends,
        compatible_surface: Option<&wgpu::Surface<'_>>,
    ) -> Result<Self, RenderError> {
        let mut adapters: Vec<wgpu::Adapter> = instance
            .enumerate_adapters(backends)
            .await
            .into_iter()
            .filter(|a| compatible_surface.is_none_or(|s| a.is_surface_supported(s)))
            .collect();
        adapters.sort_by_key(|a| {
            let i = a.get_info();
            (device_rank(i.device_type), backend_rank(i.backend))
        });
        let Some(adapter) = adapters.into_iter().next() else {
            return Err(RenderError::NoAdapter {
                backends: format!("{backends:?}"),
            });
        };
        let info = adapter.get_info();
        let wanted = wgpu::Features::TIMESTAMP_QUERY;
        let required_features = adapter.features() & wanted;
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("bigflame device"),
                required_features,
                required_limits: adapter.limits(),
                ..Default::default()
            })
            .await?;
        Ok(Self {
            instance,
            adapter,
            device,
            queue,
            info,
        })
    }

    /// One line for logs and `--version`-style output, e.g.
    /// `llvmpipe (LLVM 15.0.6, 256 bits) [Vulkan, Cpu] driver llvmpipe`.
    pub fn describe(&self) -> String {
        let i = &self.info;
        format!(
            "{} [{:?}, {:?}] driver {} {}",
            i.name, i.backend, i.device_type, i.driver, i.driver_info
        )
    }

    /// Whether this is a software (CPU) adapter such as lavapipe.
    pub fn is_software(&self) -> bool {
        self.info.device_type == wgpu::DeviceType::Cpu
    }

    /// Whether GPU timestamp queries are enabled on the device.
    pub fn has_timestamps(&self) -> bool {
        self.device
            .features()
            .contains(wgpu::Features::TIMESTAMP_QUERY)
    }
}

/// Picks a surface format from `surface.get_capabilities(&adapter).formats`: a plain 8-bit
/// UNORM format first (egui-wgpu expects non-sRGB targets, and our colours are sRGB bytes, so
/// they pass through exactly), then the sRGB variants (the renderer linearises for them), then
/// whatever comes first. `None` only for an empty list.
pub fn preferred_surface_format(formats: &[wgpu::TextureFormat]) -> Option<wgpu::TextureFormat> {
    use wgpu::TextureFormat as F;
    [
        F::Bgra8Unorm,
        F::Rgba8Unorm,
        F::Bgra8UnormSrgb,
        F::Rgba8UnormSrgb,
    ]
    .into_iter()
    .find(|f| formats.contains(f))
    .or_else(|| formats.first().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_names() {
        assert_eq!(parse_backend("Vulkan").ok(), Some(wgpu::Backends::VULKAN));
        assert_eq!(parse_backend(" gl ").ok(), Some(wgpu::Backends::GL));
        assert!(matches!(
            parse_backend("cuda"),
            Err(RenderError::BadBackend(_))
        ));
    }

    #[test]
    fn surface_format_prefers_plain_unorm() {
        use wgpu::TextureFormat as F;
        let caps = [F::Bgra8UnormSrgb, F::Bgra8Unorm];
        assert_eq!(preferred_surface_format(&caps), Some(F::Bgra8Unorm));
        assert_eq!(
            preferred_surface_format(&[F::Rgba16Float]),
            Some(F::Rgba16Float)
        );
        assert_eq!(preferred_surface_format(&[]), None);
    }

    #[test]
    fn hardware_ranks_before_software() {
        assert!(device_rank(wgpu::DeviceType::IntegratedGpu) < device_rank(wgpu::DeviceType::Cpu));
        assert!(backend_rank(wgpu::Backend::Vulkan) < backend_rank(wgpu::Backend::Gl));
    }
}
