//! Flame-graph palettes: a frame's name, kind and module → one `0xRRGGBB` colour.
//!
//! Why here: the renderer (GPU rectangles) and the SVG writer (in the formats crate, which must not
//! depend on the renderer) have to agree on every colour, so the palette is pure code next to the
//! model that both already depend on. It knows no GPU and no file format: only names and
//! [`FrameKind`].
//!
//! Stability: a colour depends only on the frame's name (and kind or module), through a fixed
//! FNV-1a hash (no random seed, endianness-independent), so a function has the same colour on every
//! run, machine and profile, and colours can be compared across screenshots and exports.
//!
//! The palettes follow the *idea* of FlameGraph's `--colors`: `hot` (warm, the default), `mem`
//! (greens and blues), `io` (blue-greys), single-hue palettes (`red`, `green`, `blue`, `aqua`,
//! `yellow`, `purple`, `orange`) whose lightness varies with the name's hash, and language palettes
//! (`java`, `js`, `perl`) that pick a hue by the kind of code — kernel orange, JIT/interpreted source
//! green, inlined or builtin aqua, C++ yellow, other native code red — then vary it by the hash.

use crate::frames::FrameKind;

/// 64-bit FNV-1a of `bytes`.
pub const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h
}

/// A colour palette for flame graphs (see the module docs).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum Palette {
    /// Warm reds, oranges and yellows (FlameGraph's default).
    #[default]
    Hot,
    /// Greens to blues, for memory profiles.
    Mem,
    /// Blue-greys, for I/O and off-CPU profiles.
    Io,
    /// By kind for JVM profiles: JIT/Java green, inlined aqua, kernel orange, C++ yellow, native red.
    Java,
    /// By kind for JavaScript: source green, builtins aqua, kernel orange, C++ yellow, native red.
    Js,
    /// By kind for Perl: Perl code green, XS/C++ yellow, kernel orange, native red.
    Perl,
    /// Reds.
    Red,
    /// Greens.
    Green,
    /// Blues.
    Blue,
    /// Blue-greens.
    Aqua,
    /// Yellows.
    Yellow,
    /// Purples.
    Purple,
    /// Oranges.
    Orange,
}

/// The single-hue palettes the language palettes pick from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Hue {
    Red,
    Green,
    Blue,
    Aqua,
    Yellow,
    Purple,
    Orange,
}

impl Palette {
    /// Every palette, in the order the CLI lists them.
    pub const ALL: [Palette; 13] = [
        Palette::Hot,
        Palette::Mem,
        Palette::Io,
        Palette::Java,
        Palette::Js,
        Palette::Perl,
        Palette::Red,
        Palette::Green,
        Palette::Blue,
        Palette::Aqua,
        Palette::Yellow,
        Palette::Purple,
        Palette::Orange,
    ];

    /// The lowercase name used on the command line (`--palette java`).
    pub fn name(self) -> &'static str {
        match self {
            Palette::Hot => "hot",
            Palette::Mem => "mem",
            Palette::Io => "io",
            Palette::Java => "java",
            Palette::Js => "js",
            Palette::Perl => "perl",
            Palette::Red => "red",
            Palette::Green => "green",
            Palette::Blue => "blue",
            Palette::Aqua => "aqua",
            Palette::Yellow => "yellow",
            Palette::Purple => "purple",
            Palette::Orange => "orange",
        }
    }

    /// The palette called `name` (case-insensitive), if any.
    pub fn from_name(name: &str) -> Option<Palette> {
        Palette::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The colour of a frame as `0xRRGGBB`. `module` is the frame's module (shared object, JIT map,
    /// package) when known; the language palettes use it as a hint.
    pub fn color(self, name: &str, kind: FrameKind, module: Option<&str>) -> u32 {
        let h = fnv1a(name.as_bytes());
        match self {
            Palette::Hot => hot(h),
            Palette::Mem => {
                let (v1, v2) = (h & 0xff, (h >> 8) & 0xff);
                pack(0, lerp(190, 240, v2), lerp(0, 210, v1))
            }
            Palette::Io => {
                let (v1, v2) = (h & 0xff, (h >> 8) & 0xff);
                let grey = lerp(80, 140, v1);
                pack(grey, grey, lerp(190, 245, v2))
            }
            Palette::Java => hue(java_hue(name, kind, module), h),
            Palette::Js => hue(js_hue(name, kind, module), h),
            Palette::Perl => hue(perl_hue(name, kind, module), h),
            Palette::Red => hue(Hue::Red, h),
            Palette::Green => hue(Hue::Green, h),
            Palette::Blue => hue(Hue::Blue, h),
            Palette::Aqua => hue(Hue::Aqua, h),
            Palette::Yellow => hue(Hue::Yellow, h),
            Palette::Purple => hue(Hue::Purple, h),
            Palette::Orange => hue(Hue::Orange, h),
        }
    }
}

/// `0xRRGGBB`.
const fn pack(r: u8, g: u8, b: u8) -> u32 {
    ((r as u32) << 16) | ((g as u32) << 8) | b as u32
}

/// `lo + (hi - lo) · t / 255` for `t` in `0..=255`.
fn lerp(lo: u8, hi: u8, t: u64) -> u8 {
    (u64::from(lo) + (u64::from(hi) - u64::from(lo)) * (t & 0xff) / 255) as u8
}

/// The warm palette: red 200–255, green 50–230, blue 0–55, from independent bytes of the hash so
/// that similar names still differ. These exact values are bigflame's default colours (pinned by
/// tests): never change them.
fn hot(h: u64) -> u32 {
    let r = lerp(200, 255, h & 0xff);
    let g = lerp(50, 230, (h >> 8) & 0xff);
    let b = lerp(0, 55, (h >> 16) & 0xff);
    pack(r, g, b)
}

/// One hue, its lightness varied by one byte of the hash.
fn hue(which: Hue, h: u64) -> u32 {
    let v = h & 0xff;
    match which {
        Hue::Red => {
            let gb = lerp(50, 130, v);
            pack(lerp(200, 255, v), gb, gb)
        }
        Hue::Green => {
            let rb = lerp(50, 110, v);
            pack(rb, lerp(200, 255, v), rb)
        }
        Hue::Blue => {
            let rg = lerp(80, 140, v);
            pack(rg, rg, lerp(205, 255, v))
        }
        Hue::Aqua => {
            let gb = lerp(165, 220, v);
            pack(lerp(50, 110, v), gb, gb)
        }
        Hue::Yellow => {
            let rg = lerp(175, 230, v);
            pack(rg, rg, lerp(50, 70, v))
        }
        Hue::Purple => {
            let rb = lerp(190, 255, v);
            pack(rb, lerp(80, 140, v), rb)
        }
        Hue::Orange => pack(lerp(190, 255, v), lerp(90, 155, v), 0),
    }
}

/// The kind a name's FlameGraph annotation (`_[k]`, `_[j]`, `_[i]`) states, else `kind`.
fn annotated(name: &str, kind: FrameKind) -> FrameKind {
    if name.ends_with("_[k]") {
        FrameKind::Kernel
    } else if name.ends_with("_[j]") {
        FrameKind::Jit
    } else if name.ends_with("_[i]") {
        FrameKind::Inlined
    } else {
        kind
    }
}

/// True for a JVM class path or package (`java/lang/Thread.run`, `Lorg/foo;`, `com.example.A.b`).
fn is_jvm_name(name: &str) -> bool {
    let name = name.strip_prefix('L').unwrap_or(name);
    [
        "java", "javax", "jdk", "sun", "com", "org", "net", "io", "kotlin", "scala",
    ]
    .iter()
    .any(|p| {
        name.strip_prefix(p)
            .is_some_and(|rest| rest.starts_with('/') || rest.starts_with('.'))
    })
}

fn java_hue(name: &str, kind: FrameKind, module: Option<&str>) -> Hue {
    match annotated(name, kind) {
        FrameKind::Kernel => Hue::Orange,
        FrameKind::Jit => Hue::Green,
        FrameKind::Inlined => Hue::Aqua,
        _ if is_jvm_name(name) || module.is_some_and(|m| m.ends_with(".jar")) => Hue::Green,
        _ if name.contains("::") => Hue::Yellow,
        _ => Hue::Red,
    }
}

/// True for a JavaScript source location in a name or module (`foo /app/x.js:12`, `bar.ts`).
fn is_js_source(text: &str) -> bool {
    [".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx"]
        .iter()
        .any(|ext| text.contains(ext))
}

fn js_hue(name: &str, kind: FrameKind, module: Option<&str>) -> Hue {
    let source = |s: &str| is_js_source(s) || s.contains('/');
    match annotated(name, kind) {
        FrameKind::Kernel => Hue::Orange,
        FrameKind::Jit | FrameKind::Inlined => {
            if source(name) || module.is_some_and(source) {
                Hue::Green
            } else {
                Hue::Aqua
            }
        }
        _ if name.contains("::") => Hue::Yellow,
        _ if is_js_source(name) || module.is_some_and(is_js_source) => Hue::Green,
        // V8 builtins and runtime stubs print as `Builtin: X`, `Stub:X`, `(program)`.
        _ if name.contains(':') || name.starts_with('(') => Hue::Aqua,
        _ => Hue::Red,
    }
}

fn perl_hue(name: &str, kind: FrameKind, module: Option<&str>) -> Hue {
    match annotated(name, kind) {
        FrameKind::Kernel => Hue::Orange,
        _ if name.contains("Perl")
            || name.contains(".pl")
            || module.is_some_and(|m| m.ends_with(".pm")) =>
        {
            Hue::Green
        }
        _ if name.contains("::") => Hue::Yellow,
        _ => Hue::Red,
    }
}

/// One hue per module (shared object, executable, JIT map, package), varied slightly by the
/// function's name so neighbours stay distinguishable. `0xRRGGBB`.
pub fn by_module(module: &str, name: &str) -> u32 {
    const BASE: [[u8; 3]; 8] = [
        [222, 120, 60],  // orange
        [90, 160, 220],  // blue
        [120, 190, 100], // green
        [200, 120, 200], // purple
        [230, 190, 70],  // yellow
        [90, 190, 180],  // teal
        [220, 100, 110], // rose
        [160, 140, 110], // taupe
    ];
    let base = BASE[(fnv1a(module.as_bytes()) % BASE.len() as u64) as usize];
    let shift = (fnv1a(name.as_bytes()) % 41) as i16 - 20; // -20..=20
    let ch = |c: u8| (i16::from(c) + shift).clamp(0, 255) as u8;
    pack(ch(base[0]), ch(base[1]), ch(base[2]))
}

/// `[r, g, b]` of a `0xRRGGBB` colour.
pub const fn channels(rgb: u32) -> [u8; 3] {
    [(rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8]
}

#[cfg(test)]
#[path = "palette_tests.rs"]
mod tests;
