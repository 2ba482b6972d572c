//! GPU time of the render pass via timestamp queries (`Features::TIMESTAMP_QUERY`; lavapipe has
//! it), so benchmarks can report GPU time per frame separately from CPU time.
//!
//! Non-blocking: the pass writes two timestamps, [`GpuTimer::resolve`] copies them into a
//! read-back buffer (only when that buffer is free), [`GpuTimer::after_submit`] maps it, and a
//! later [`GpuTimer::harvest`] (called from `prepare`) reads the result once the map completed.
//! An interactive app therefore gets the time of a frame one or two frames later; offscreen
//! rendering waits and gets it at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

const IDLE: u8 = 0;
const COPIED: u8 = 1;
const MAPPING: u8 = 2;
const MAPPED: u8 = 3;
const FAILED: u8 = 4;

/// Two timestamps around one render pass, resolved without stalling.
pub struct GpuTimer {
    query_set: wgpu::QuerySet,
    resolve_buf: wgpu::Buffer,
    readback: wgpu::Buffer,
    state: Arc<AtomicU8>,
    period_ns: f64,
    last_ms: Option<f64>,
}

impl GpuTimer {
    /// `None` when the device lacks `TIMESTAMP_QUERY`.
    pub fn new(device: &wgpu::Device, queue: &wgpu::Queue) -> Option<Self> {
        if !device.features().contains(wgpu::Features::TIMESTAMP_QUERY) {
            return None;
        }
        let query_set = device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("bigflame pass timestamps"),
            ty: wgpu::QueryType::Timestamp,
            count: 2,
        });
        let size = 2 * std::mem::size_of::<u64>() as u64;
        let resolve_buf = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("bigflame timestamp resolve"),
            size,
            usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let readback = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("bigflame timestamp readback"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Some(Self {
            query_set,
            resolve_buf,
            readback,
            state: Arc::new(AtomicU8::new(IDLE)),
            period_ns: f64::from(queue.get_timestamp_period()),
            last_ms: None,
        })
    }

    /// Goes into the app's `RenderPassDescriptor::timestamp_writes`.
    pub fn pass_writes(&self) -> wgpu::RenderPassTimestampWrites<'_> {
        wgpu::RenderPassTimestampWrites {
            query_set: &self.query_set,
            beginning_of_pass_write_index: Some(0),
            end_of_pass_write_index: Some(1),
        }
    }

    /// After the pass ended, before `finish()`: resolve and copy when the read-back is free.
    pub fn resolve(&self, encoder: &mut wgpu::CommandEncoder) {
        if self.state.load(Ordering::Acquire) != IDLE {
            return;
        }
        encoder.resolve_query_set(&self.query_set, 0..2, &self.resolve_buf, 0);
        encoder.copy_buffer_to_buffer(&self.resolve_buf, 0, &self.readback, 0, None);
        self.state.store(COPIED, Ordering::Release);
    }

    /// After `queue.submit`: start mapping what `resolve` copied.
    pub fn after_submit(&self) {
        if self.state.load(Ordering::Acquire) != COPIED {
            return;
        }
        self.state.store(MAPPING, Ordering::Release);
        let state = Arc::clone(&self.state);
        self.readback.map_async(wgpu::MapMode::Read, .., move |r| {
            state.store(if r.is_ok() { MAPPED } else { FAILED }, Ordering::Release);
        });
    }

    /// Reads a completed mapping, if any. Call with the device polled (any `submit` or
    /// `device.poll` drives the callback).
    pub fn harvest(&mut self) {
        match self.state.load(Ordering::Acquire) {
            MAPPED => {
                if let Ok(view) = self.readback.get_mapped_range(..)
                    && view.len() >= 16
                {
                    let [t0, t1]: [u64; 2] = bytemuck::pod_read_unaligned(&view[..16]);
                    if t1 >= t0 {
                        self.last_ms = Some((t1 - t0) as f64 * self.period_ns / 1.0e6);
                    }
                }
                self.readback.unmap();
                self.state.store(IDLE, Ordering::Release);
            }
            FAILED => self.state.store(IDLE, Ordering::Release),
            _ => {}
        }
    }

    /// GPU time of the most recently read-back pass, milliseconds.
    pub fn last_ms(&self) -> Option<f64> {
        self.last_ms
    }
}
