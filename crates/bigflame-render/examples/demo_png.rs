//! Writes a small demo flame graph (labels, truncation, selection, search highlight, dimmed
//! and folded spans) to a PNG, for eyeballing the renderer:
//! `cargo run -p bigflame-render --example demo_png -- out.png`.

use bigflame_render::{
    FLAG_DIMMED, FLAG_FOLDED, FLAG_HIGHLIGHT, FLAG_SELECTED, GpuContext, Label, RectInstance,
    Scene, colors, render_to_png,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "demo.png".to_string());
    let ctx = GpuContext::new_headless()?;
    println!("adapter: {}", ctx.describe());
    let (w, h) = (800u32, 200u32);
    let row = 20.0;
    let spans: [(f32, f32, usize, &str, u32); 11] = [
        (0.0, 800.0, 0, "main", 0),
        (0.0, 500.0, 1, "app::run", 0),
        (
            500.0,
            800.0,
            1,
            "std::rt::lang_start_internal::{{closure}}",
            FLAG_SELECTED,
        ),
        (0.0, 260.0, 2, "parse_profile", FLAG_HIGHLIGHT),
        (260.0, 500.0, 2, "layout::visible_spans", FLAG_DIMMED),
        (
            500.0,
            560.0,
            2,
            "a_very_long_function_name_that_must_be_truncated",
            0,
        ),
        (560.0, 575.0, 2, "tiny", 0),
        (575.0, 800.0, 2, "[12 merged]", FLAG_FOLDED),
        (0.0, 120.0, 3, "memchr::memchr", FLAG_HIGHLIGHT),
        (120.0, 260.0, 3, "hashbrown::map::HashMap<K,V,S>::insert", 0),
        (260.0, 300.0, 3, "alloc", FLAG_DIMMED),
    ];
    let rects: Vec<RectInstance> = spans
        .iter()
        .map(|&(x0, x1, depth, name, flags)| {
            RectInstance::new(
                x0,
                x1,
                depth as f32 * row,
                row,
                colors::for_name(name),
                flags,
            )
        })
        .collect();
    let labels: Vec<Label> = spans
        .iter()
        .map(|&(x0, x1, depth, name, _)| Label {
            x_px: x0 + 3.0,
            y_px: depth as f32 * row + 2.0,
            max_width_px: x1 - x0 - 6.0,
            text: name,
            color: colors::LABEL_TEXT,
        })
        .collect();
    let scene = Scene {
        viewport_px: (w, h),
        clear: colors::BACKGROUND,
        rects: &rects,
        labels: &labels,
    };
    render_to_png(&ctx, &scene, w, h, std::path::Path::new(&path))?;
    println!("wrote {path}");
    Ok(())
}
