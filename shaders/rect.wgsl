// Instanced flame-graph rectangles: one draw call, one unit quad (triangle strip of 4 vertices)
// expanded per instance. Coordinates arrive in *view-relative* pixels: the CPU keeps the camera in
// f64 and subtracts the view origin before converting to f32, so there is no jitter at deep zoom.
//
// Keep in sync with crates/bigflame-render/src/instance.rs (RectInstance, Globals, FLAG_*).

struct Globals {
    // Size of the render target in physical pixels.
    viewport_px: vec2<f32>,
    // 1 when the target format is *Srgb (the GPU encodes, so we output linear colour).
    srgb_output: u32,
    // Background gap left on the right and bottom edge of every rect wide/tall enough (px).
    gap_px: f32,
};

struct RectInstance {
    @location(0) x0: f32,
    @location(1) x1: f32,
    @location(2) y: f32,
    @location(3) height: f32,
    // Packed RGBA8, red in the lowest byte (unpack4x8unorm order), sRGB-encoded.
    @location(4) color: u32,
    @location(5) flags: u32,
};

const FLAG_HIGHLIGHT: u32 = 1u;
const FLAG_DIMMED: u32 = 2u;
const FLAG_SELECTED: u32 = 4u;
const FLAG_FOLDED: u32 = 8u;

const OUTLINE_PX: f32 = 2.0;
const OUTLINE_RGB: vec3<f32> = vec3<f32>(0.06, 0.06, 0.08);
const HIGHLIGHT_RGB: vec3<f32> = vec3<f32>(0.90, 0.0, 0.90);

@group(0) @binding(0) var<uniform> globals: Globals;

struct VsOut {
    @builtin(position) position: vec4<f32>,
    // Final fill in output space: flags and the sRGB conversion are applied per vertex, so the
    // per-pixel work (the cost on lavapipe) is a flat colour unless outlined or hatched.
    @location(0) @interpolate(flat) fill: vec4<f32>,
    // Offset of this fragment from the rect's top-left corner, in px.
    @location(1) local_px: vec2<f32>,
    @location(2) @interpolate(flat) size_px: vec2<f32>,
    @location(3) @interpolate(flat) flags: u32,
};

fn srgb_to_linear(c: vec3<f32>) -> vec3<f32> {
    let lo = c / 12.92;
    let hi = pow((c + vec3<f32>(0.055)) / 1.055, vec3<f32>(2.4));
    return select(hi, lo, c <= vec3<f32>(0.04045));
}

fn to_output(rgb: vec3<f32>) -> vec4<f32> {
    if (globals.srgb_output != 0u) {
        return vec4<f32>(srgb_to_linear(rgb), 1.0);
    }
    return vec4<f32>(rgb, 1.0);
}

@vertex
fn vs_main(@builtin(vertex_index) vertex_index: u32, inst: RectInstance) -> VsOut {
    let vp = max(globals.viewport_px, vec2<f32>(1.0, 1.0));
    // Clamp just outside the viewport: spans that extend far off-screen keep their off-screen edge
    // off-screen, and the rasteriser never sees huge coordinates.
    let x0 = clamp(inst.x0, -4.0, vp.x + 4.0);
    var x1 = clamp(inst.x1, -4.0, vp.x + 4.0);
    // A visible span never vanishes between pixel centres.
    x1 = max(x1, x0 + 1.0);
    var size = vec2<f32>(x1 - x0, max(inst.height, 1.0));
    // 1 px of background between neighbours, only where the rect stays at least 2 px after it.
    let gap = globals.gap_px;
    if (size.x >= 2.0 + gap) {
        size.x = size.x - gap;
    }
    if (size.y >= 2.0 + gap) {
        size.y = size.y - gap;
    }
    let corner = vec2<f32>(f32(vertex_index & 1u), f32(vertex_index >> 1u));
    let local = corner * size;
    let px = vec2<f32>(x0, inst.y) + local;
    let ndc = vec2<f32>(px.x / vp.x * 2.0 - 1.0, 1.0 - px.y / vp.y * 2.0);

    var rgb = unpack4x8unorm(inst.color).rgb;
    if ((inst.flags & FLAG_HIGHLIGHT) != 0u) {
        rgb = mix(rgb, HIGHLIGHT_RGB, 0.75);
    }
    if ((inst.flags & FLAG_DIMMED) != 0u) {
        let grey = dot(rgb, vec3<f32>(0.299, 0.587, 0.114));
        rgb = mix(vec3<f32>(grey), vec3<f32>(0.92), 0.6);
    }

    var out: VsOut;
    out.position = vec4<f32>(ndc, 0.0, 1.0);
    out.fill = to_output(rgb);
    out.local_px = local;
    out.size_px = size;
    out.flags = inst.flags;
    return out;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    if ((in.flags & (FLAG_SELECTED | FLAG_FOLDED)) == 0u) {
        return in.fill;
    }
    if ((in.flags & FLAG_SELECTED) != 0u) {
        let edge = min(min(in.local_px.x, in.local_px.y),
                       min(in.size_px.x - in.local_px.x, in.size_px.y - in.local_px.y));
        if (edge < OUTLINE_PX) {
            return to_output(OUTLINE_RGB);
        }
    }
    if ((in.flags & FLAG_FOLDED) != 0u) {
        // Hatching: lighter diagonal stripes (screen-space) mark spans that merge several
        // sub-pixel frames.
        let d = in.position.x + in.position.y;
        if (fract(d / 6.0) < 0.5) {
            return vec4<f32>(mix(in.fill.rgb, vec3<f32>(1.0), 0.35), 1.0);
        }
    }
    return in.fill;
}
