//! The rect pipeline: every flame-graph span is one instance of a unit quad, drawn with ONE
//! instanced call (`shaders/rect.wgsl`).
//!
//! Choices driven by the frame budget on lavapipe (~0.6 µs per instance at 1080p): blending is
//! off (opaque rects; blending costs 1.7×), no MSAA (2.2–2.5×), no index buffer (triangle strip
//! from `vertex_index`), and the instance buffer is reused across frames and grown
//! geometrically so steady-state frames only `write_buffer` the instances.

use crate::instance::{Globals, RectInstance};

const SHADER: &str = include_str!("../../../shaders/rect.wgsl");
const MIN_CAPACITY: u64 = 1024;

/// Gap between neighbouring rects in px.
pub const GAP_PX: f32 = 1.0;

/// GPU state for drawing [`RectInstance`]s.
pub struct RectPipeline {
    pipeline: wgpu::RenderPipeline,
    globals_buf: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    instances: wgpu::Buffer,
    capacity: u64,
    count: u32,
}

impl RectPipeline {
    /// Builds the pipeline for colour target `format` (sRGB formats get linear output).
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("rect.wgsl"),
            source: wgpu::ShaderSource::Wgsl(SHADER.into()),
        });
        let bgl = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("rect globals layout"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: false,
                    min_binding_size: wgpu::BufferSize::new(size_of::<Globals>() as u64),
                },
                count: None,
            }],
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("rect pipeline layout"),
            bind_group_layouts: &[Some(&bgl)],
            immediate_size: 0,
        });
        let attributes = wgpu::vertex_attr_array![
            0 => Float32, 1 => Float32, 2 => Float32, 3 => Float32, 4 => Uint32, 5 => Uint32
        ];
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("rect pipeline"),
            layout: Some(&layout),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[Some(wgpu::VertexBufferLayout {
                    array_stride: size_of::<RectInstance>() as u64,
                    step_mode: wgpu::VertexStepMode::Instance,
                    attributes: &attributes,
                })],
            },
            primitive: wgpu::PrimitiveState {
                topology: wgpu::PrimitiveTopology::TriangleStrip,
                cull_mode: None,
                ..Default::default()
            },
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format,
                    blend: None,
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });
        let globals_buf = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("rect globals"),
            size: size_of::<Globals>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("rect globals"),
            layout: &bgl,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: globals_buf.as_entire_binding(),
            }],
        });
        let instances = Self::instance_buffer(device, MIN_CAPACITY);
        Self {
            pipeline,
            globals_buf,
            bind_group,
            instances,
            capacity: MIN_CAPACITY,
            count: 0,
        }
    }

    fn instance_buffer(device: &wgpu::Device, capacity: u64) -> wgpu::Buffer {
        device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("rect instances"),
            size: capacity * size_of::<RectInstance>() as u64,
            usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// Uploads the uniform and the instances, growing the buffer (×2) when needed.
    pub fn prepare(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        globals: &Globals,
        rects: &[RectInstance],
    ) {
        queue.write_buffer(&self.globals_buf, 0, bytemuck::bytes_of(globals));
        let needed = rects.len() as u64;
        if needed > self.capacity {
            let mut cap = self.capacity.max(MIN_CAPACITY);
            while cap < needed {
                cap *= 2;
            }
            self.instances = Self::instance_buffer(device, cap);
            self.capacity = cap;
        }
        if !rects.is_empty() {
            queue.write_buffer(&self.instances, 0, bytemuck::cast_slice(rects));
        }
        self.count = u32::try_from(rects.len()).unwrap_or(u32::MAX);
    }

    /// Records the single instanced draw.
    pub fn render(&self, pass: &mut wgpu::RenderPass<'_>) {
        if self.count == 0 {
            return;
        }
        let bytes = u64::from(self.count) * size_of::<RectInstance>() as u64;
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &self.bind_group, &[]);
        pass.set_vertex_buffer(0, self.instances.slice(..bytes));
        pass.draw(0..4, 0..self.count);
    }

    /// Current instance-buffer capacity (instances), for tests and diagnostics.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }
}
