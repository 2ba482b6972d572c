//! Error types. The renderer fails loudly and specifically: "no adapter" must be
//! distinguishable from a bad env var or a PNG write failure, because CI treats the first as a
//! hard failure while developer machines skip.

/// Errors from device selection, rendering and read-back.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// No GPU adapter (hardware or software) was found.
    #[error(
        "no GPU adapter found for backends {backends} (install a Vulkan driver such as \
         mesa-vulkan-drivers/lavapipe, or set BIGFLAME_BACKEND=gl)"
    )]
    NoAdapter {
        /// The backends that were searched, as text.
        backends: String,
    },
    /// `BIGFLAME_BACKEND` holds a value we do not understand.
    #[error("BIGFLAME_BACKEND={0:?} is not one of vulkan, gl, metal, dx12")]
    BadBackend(String),
    /// The adapter refused to create a device.
    #[error("requesting a device failed: {0}")]
    RequestDevice(#[from] wgpu::RequestDeviceError),
    /// Mapping a read-back buffer failed.
    #[error("mapping a read-back buffer failed: {0}")]
    Map(String),
    /// The GPU did not finish in time / device lost while waiting.
    #[error("waiting for the GPU failed: {0}")]
    Poll(#[from] wgpu::PollError),
    /// glyphon could not prepare text (atlas full).
    #[error("preparing text failed: {0}")]
    Text(#[from] glyphon::PrepareError),
    /// Writing a PNG failed.
    #[error("encoding PNG failed: {0}")]
    Png(#[from] png::EncodingError),
    /// File I/O failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}
