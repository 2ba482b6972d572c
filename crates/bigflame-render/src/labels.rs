//! Labels: glyphon with ONE embedded font (DejaVu Sans), truncation with `…`, and a bounded
//! cache of shaped buffers so panning does not reshape every frame.
//!
//! Why embedded-only: system fonts differ between machines, which would make image tests and
//! screenshots non-deterministic; DejaVu Sans renders identically everywhere (licence in
//! `assets/DejaVuSans-LICENSE` allows redistribution).
//!
//! Caching: each distinct text is shaped once at full width and its glyph right edges are
//! kept. A label that fits uses that buffer whatever its width; a label that does not fit is
//! cut at a width bucket of [`BUCKET_PX`] (so a span growing by a pixel while zooming does not
//! reshape), the prefix + `…` shaped once per (text, bucket). Entries unused for longest are
//! evicted once there are more than [`MAX_TEXTS`].

use std::collections::HashMap;

use glyphon::{
    Attrs, Buffer, Cache, Color, Family, FontSystem, Metrics, Resolution, Shaping, SwashCache,
    TextArea, TextAtlas, TextBounds, TextRenderer, Viewport, fontdb,
};

use crate::error::RenderError;

/// The only font the renderer loads.
pub const FONT_BYTES: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
const FAMILY: &str = "DejaVu Sans";
const ELLIPSIS: &str = "…";
/// Width quantum for truncated labels, px.
pub const BUCKET_PX: f32 = 4.0;
/// Most distinct texts kept shaped (a 1600 px wide frame shows a few hundred labels).
pub const MAX_TEXTS: usize = 4096;
/// Most truncation widths kept per text.
const MAX_BUCKETS_PER_TEXT: usize = 8;

/// One text label: drawn from `(x_px, y_px)` (top-left of its line), clipped to `max_width_px`
/// horizontally and one line height vertically, truncated with `…` when it does not fit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Label<'a> {
    /// Left edge, view-relative px.
    pub x_px: f32,
    /// Top of the text line, px. Centre in a row with [`LabelStyle::line_height_px`].
    pub y_px: f32,
    /// Available width, px; labels narrower than [`LabelStyle::min_width_px`] are skipped.
    pub max_width_px: f32,
    /// The text.
    pub text: &'a str,
    /// Packed sRGB RGBA8, red in the lowest byte.
    pub color: u32,
}

/// Font metrics for labels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelStyle {
    /// Font size, px.
    pub font_size_px: f32,
    /// Line height, px (the vertical clip).
    pub line_height_px: f32,
}

impl Default for LabelStyle {
    fn default() -> Self {
        Self {
            font_size_px: 12.0,
            line_height_px: 15.0,
        }
    }
}

impl LabelStyle {
    /// Narrowest label drawn: room for about three glyphs.
    pub fn min_width_px(&self) -> f32 {
        self.font_size_px * 1.8
    }
}

struct TextEntry {
    full: Buffer,
    full_width: f32,
    /// (byte end of the prefix, right edge px) per glyph, left to right.
    ends: Vec<(usize, f32)>,
    /// Truncated variants: (width bucket, frame last used, buffer — `None` when not even one
    /// glyph fits).
    truncated: Vec<(u32, u64, Option<Buffer>)>,
    last_used: u64,
}

#[derive(Clone, Copy)]
enum Variant {
    Full,
    Bucket(u32),
}

/// glyphon state plus the shaped-buffer cache.
pub struct LabelRenderer {
    font_system: FontSystem,
    swash: SwashCache,
    viewport: Viewport,
    atlas: TextAtlas,
    renderer: TextRenderer,
    style: LabelStyle,
    ellipsis_width: f32,
    entries: HashMap<String, TextEntry>,
    frame: u64,
    plan: Vec<(usize, Variant)>,
}

fn new_font_system() -> FontSystem {
    let mut db = fontdb::Database::new();
    db.load_font_data(FONT_BYTES.to_vec());
    db.set_sans_serif_family(FAMILY);
    FontSystem::new_with_locale_and_db("en-US".to_string(), db)
}

fn shape(fs: &mut FontSystem, style: &LabelStyle, text: &str) -> Buffer {
    let mut buffer = Buffer::new(fs, Metrics::new(style.font_size_px, style.line_height_px));
    buffer.set_wrap(glyphon::Wrap::None);
    buffer.set_size(None, Some(style.line_height_px));
    buffer.set_text(
        text,
        &Attrs::new().family(Family::Name(FAMILY)),
        Shaping::Basic,
        None,
    );
    buffer.shape_until_scroll(fs, false);
    buffer
}

fn measure(buffer: &Buffer) -> (f32, Vec<(usize, f32)>) {
    let mut width = 0.0f32;
    let mut ends = Vec::new();
    let mut byte_end = 0usize;
    if let Some(run) = buffer.layout_runs().next() {
        width = run.line_w;
        for g in run.glyphs {
            byte_end = byte_end.max(g.end);
            ends.push((byte_end, g.x + g.w));
        }
    }
    (width, ends)
}

fn to_color(rgba: u32) -> Color {
    let [r, g, b, a] = rgba.to_le_bytes();
    Color::rgba(r, g, b, a)
}

impl LabelRenderer {
    /// Creates glyphon state for colour target `format`.
    pub fn new(device: &wgpu::Device, queue: &wgpu::Queue, format: wgpu::TextureFormat) -> Self {
        let mut font_system = new_font_system();
        let cache = Cache::new(device);
        let viewport = Viewport::new(device, &cache);
        // Colours are sRGB bytes: let glyphon linearise them only for sRGB targets.
        let mode = if format.is_srgb() {
            glyphon::ColorMode::Accurate
        } else {
            glyphon::ColorMode::Web
        };
        let mut atlas = TextAtlas::with_color_mode(device, queue, &cache, format, mode);
        let renderer =
            TextRenderer::new(&mut atlas, device, wgpu::MultisampleState::default(), None);
        let style = LabelStyle::default();
        let ellipsis_width = measure(&shape(&mut font_system, &style, ELLIPSIS)).0;
        Self {
            font_system,
            swash: SwashCache::new(),
            viewport,
            atlas,
            renderer,
            style,
            ellipsis_width,
            entries: HashMap::new(),
            frame: 0,
            plan: Vec::new(),
        }
    }

    /// Current style.
    pub fn style(&self) -> LabelStyle {
        self.style
    }

    /// Changes font metrics; drops every cached shape.
    pub fn set_style(&mut self, style: LabelStyle) {
        if style != self.style {
            self.style = style;
            self.entries.clear();
            self.ellipsis_width = measure(&shape(&mut self.font_system, &style, ELLIPSIS)).0;
        }
    }

    /// Number of distinct texts currently shaped (for tests and diagnostics).
    pub fn cached_texts(&self) -> usize {
        self.entries.len()
    }

    /// Shapes what is missing and uploads glyphs for this frame's labels.
    pub fn prepare(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        viewport_px: (u32, u32),
        labels: &[Label<'_>],
    ) -> Result<(), RenderError> {
        self.frame += 1;
        self.atlas.trim();
        self.viewport.update(
            queue,
            Resolution {
                width: viewport_px.0,
                height: viewport_px.1,
            },
        );
        self.plan_labels(labels);
        let Self {
            font_system,
            swash,
            viewport,
            atlas,
            renderer,
            style,
            entries,
            plan,
            ..
        } = self;
        let areas = plan.iter().filter_map(|&(i, variant)| {
            let label = &labels[i];
            let entry = entries.get(label.text)?;
            let buffer = match variant {
                Variant::Full => &entry.full,
                Variant::Bucket(b) => entry
                    .truncated
                    .iter()
                    .find(|(bucket, _, _)| *bucket == b)?
                    .2
                    .as_ref()?,
            };
            // Clip to exactly the pixels whose centres lie inside the label box.
            let left = (label.x_px - 0.5).ceil();
            let right = (label.x_px + label.max_width_px - 0.5).ceil();
            let top = (label.y_px - 0.5).ceil();
            let bottom = (label.y_px + style.line_height_px - 0.5).ceil();
            Some(TextArea {
                buffer,
                left: label.x_px,
                top: label.y_px,
                scale: 1.0,
                bounds: TextBounds {
                    left: left as i32,
                    top: top as i32,
                    right: right as i32,
                    bottom: bottom as i32,
                },
                default_color: to_color(label.color),
                custom_glyphs: &[],
            })
        });
        renderer.prepare(device, queue, font_system, atlas, viewport, areas, swash)?;
        self.evict();
        Ok(())
    }

    /// Decides full/truncated per label, shaping what the cache lacks.
    fn plan_labels(&mut self, labels: &[Label<'_>]) {
        self.plan.clear();
        let min_width = self.style.min_width_px();
        for (i, label) in labels.iter().enumerate() {
            let w = label.max_width_px;
            if w.is_nan() || w < min_width || label.text.is_empty() || label.color >> 24 == 0 {
                continue;
            }
            if !self.entries.contains_key(label.text) {
                let full = shape(&mut self.font_system, &self.style, label.text);
                let (full_width, ends) = measure(&full);
                self.entries.insert(
                    label.text.to_string(),
                    TextEntry {
                        full,
                        full_width,
                        ends,
                        truncated: Vec::new(),
                        last_used: 0,
                    },
                );
            }
            let Some(entry) = self.entries.get_mut(label.text) else {
                continue;
            };
            entry.last_used = self.frame;
            if entry.full_width <= w {
                self.plan.push((i, Variant::Full));
                continue;
            }
            let bucket = (w / BUCKET_PX).floor() as u32;
            if let Some(t) = entry.truncated.iter_mut().find(|(b, _, _)| *b == bucket) {
                t.1 = self.frame;
            } else {
                let fit = bucket as f32 * BUCKET_PX - self.ellipsis_width;
                let cut = entry
                    .ends
                    .iter()
                    .take_while(|(_, right)| *right <= fit)
                    .last()
                    .map(|(end, _)| *end);
                let prefix = cut
                    .and_then(|end| label.text.get(..end))
                    .map(str::trim_end)
                    .filter(|p| !p.is_empty());
                let shaped = prefix.map(|p| {
                    shape(
                        &mut self.font_system,
                        &self.style,
                        &format!("{p}{ELLIPSIS}"),
                    )
                });
                // Bounded per text, but never drop a width this frame still uses.
                if entry.truncated.len() >= MAX_BUCKETS_PER_TEXT
                    && let Some(oldest) = (0..entry.truncated.len())
                        .filter(|&k| entry.truncated[k].1 < self.frame)
                        .min_by_key(|&k| entry.truncated[k].1)
                {
                    entry.truncated.swap_remove(oldest);
                }
                entry.truncated.push((bucket, self.frame, shaped));
            }
            self.plan.push((i, Variant::Bucket(bucket)));
        }
    }

    /// Drops the least recently used half once over [`MAX_TEXTS`] (never this frame's).
    fn evict(&mut self) {
        if self.entries.len() <= MAX_TEXTS {
            return;
        }
        let mut ages: Vec<u64> = self.entries.values().map(|e| e.last_used).collect();
        let mid = ages.len() / 2;
        let (_, median, _) = ages.select_nth_unstable(mid);
        let threshold = (*median).min(self.frame.saturating_sub(1));
        self.entries.retain(|_, e| e.last_used > threshold);
    }

    /// Records the glyph draw.
    pub fn render(&self, pass: &mut wgpu::RenderPass<'_>) {
        // Only fails when prepare was not called; nothing to draw then.
        let _ = self.renderer.render(&self.atlas, &self.viewport, pass);
    }
}
