//! Frame-time measurement for the report and for tuning the LOD instance budget:
//! `cargo run -p bigflame-render --example frame_time [-- WIDTH HEIGHT FRAMES]`.
//!
//! Builds a synthetic flame graph (rows of 18 px, span widths drawn from a skewed distribution
//! so a few spans are wide enough for labels), then renders 10k and 15k instances with and
//! without labels. Each frame pans by 3 px (labels hit the shaping cache, as when panning in
//! the app). Reports CPU wall time per frame (prepare + submit + wait) and GPU pass time from
//! timestamp queries, median and p95.

use std::time::Instant;

use bigflame_render::{
    GpuContext, Label, Offscreen, RectInstance, Scene, ViewTransform, colors, wgpu,
};

const ROW_PX: f32 = 18.0;

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Span {
    start: f64,
    end: f64,
    row: usize,
    name: String,
    color: u32,
}

fn synth(count: usize, width_px: f64, height_px: f64) -> Vec<Span> {
    let rows = ((height_px / f64::from(ROW_PX)) as usize).max(1);
    let per_row = count / rows;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut spans = Vec::with_capacity(count);
    for row in 0..rows {
        let n = if row + 1 == rows {
            count - per_row * row
        } else {
            per_row
        };
        let weights: Vec<f64> = (0..n).map(|_| rng.next().powi(6) + 0.02).collect();
        let total: f64 = weights.iter().sum();
        let mut x = 0.0;
        for (i, w) in weights.iter().enumerate() {
            let end = x + w / total * width_px;
            let name = format!(
                "crate_{}::module::function_{}",
                i % 37,
                (row * 131 + i) % 997
            );
            // Colours are the layout's job (cached per frame id), not the renderer's: precompute.
            let color = colors::for_name(&name);
            spans.push(Span {
                start: x,
                end,
                row,
                name,
                color,
            });
            x = end;
        }
    }
    spans
}

/// (min, median, p95).
fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.0), at(0.5), at(0.95))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<u32> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (w, h, frames) = (
        *args.first().unwrap_or(&1600),
        *args.get(1).unwrap_or(&900),
        *args.get(2).unwrap_or(&30),
    );
    let ctx = GpuContext::new_headless()?;
    println!("adapter: {}", ctx.describe());
    for format in [
        wgpu::TextureFormat::Bgra8Unorm,
        wgpu::TextureFormat::Bgra8UnormSrgb,
    ] {
        println!("target format {format:?}");
        run(&ctx, format, w, h, frames)?;
    }
    Ok(())
}

fn run(
    ctx: &GpuContext,
    format: wgpu::TextureFormat,
    w: u32,
    h: u32,
    frames: u32,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut off = Offscreen::with_format(ctx, w, h, format);
    for count in [0usize, 10_000, 15_000] {
        let spans = synth(count, f64::from(w), f64::from(h));
        for with_labels in [false, true] {
            let mut cpu = Vec::new();
            let mut gpu = Vec::new();
            let mut first_ms = 0.0;
            let mut n_labels = 0;
            for frame in 0..=frames {
                let view = ViewTransform {
                    origin: -3.0 * f64::from(frame),
                    px_per_unit: 1.0,
                };
                let t0 = Instant::now();
                let rects: Vec<RectInstance> = spans
                    .iter()
                    .map(|s| {
                        let y = s.row as f32 * ROW_PX;
                        view.rect(s.start, s.end, y, ROW_PX, s.color, 0)
                    })
                    .collect();
                let labels: Vec<Label> = if with_labels {
                    rects
                        .iter()
                        .zip(&spans)
                        .filter(|(r, _)| r.x1 - r.x0 >= 24.0)
                        .map(|(r, s)| Label {
                            x_px: r.x0 + 3.0,
                            y_px: r.y + 1.5,
                            max_width_px: r.x1 - r.x0 - 6.0,
                            text: &s.name,
                            color: colors::LABEL_TEXT,
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                n_labels = labels.len();
                let scene = Scene {
                    viewport_px: (w, h),
                    clear: colors::BACKGROUND,
                    rects: &rects,
                    labels: &labels,
                };
                off.draw(ctx, &scene)?;
                let ms = t0.elapsed().as_secs_f64() * 1e3;
                if frame == 0 {
                    first_ms = ms; // cold: shaping every label
                } else {
                    cpu.push(ms);
                    if let Some(g) = off.renderer().last_gpu_time_ms() {
                        gpu.push(g);
                    }
                }
            }
            let (cn, cm, cp) = stats(cpu);
            let gpu_s = if gpu.is_empty() {
                "n/a".to_string()
            } else {
                let (gn, gm, gp) = stats(gpu);
                format!("min {gn:6.2} median {gm:6.2} p95 {gp:6.2} ms")
            };
            println!(
                "{w}x{h} {count:>6} rects {n_labels:>5} labels: first {first_ms:7.1} ms | \
                 cpu+wait min {cn:6.2} median {cm:6.2} p95 {cp:6.2} ms | gpu {gpu_s}"
            );
        }
    }
    Ok(())
}
