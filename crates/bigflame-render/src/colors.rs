//! Colour helpers: packed RGBA8 (red in the lowest byte, the order `unpack4x8unorm` reads) and
//! stable flame-graph colours.
//!
//! Stability matters: the same function must get the same colour on every run and machine, so
//! people can recognise it across screenshots. The palettes themselves live in
//! [`bigflame_model::palette`] (pure code, so the SVG writer in the formats crate draws the same
//! colours); this module packs them for the GPU. The default, [`for_name`], hashes the name with
//! FNV-1a (fixed, no random seed, endianness-independent) into FlameGraph's warm palette (red
//! 200–255, green 50–230, blue 0–55).

use bigflame_model::FrameKind;
use bigflame_model::palette;
pub use bigflame_model::palette::{Palette, fnv1a};

/// Packs sRGB bytes into the renderer's colour format.
pub const fn rgba(r: u8, g: u8, b: u8, a: u8) -> u32 {
    u32::from_le_bytes([r, g, b, a])
}

/// Opaque [`rgba`].
pub const fn rgb(r: u8, g: u8, b: u8) -> u32 {
    rgba(r, g, b, 255)
}

/// Unpacks into `[r, g, b, a]`.
pub const fn unpack(c: u32) -> [u8; 4] {
    c.to_le_bytes()
}

/// A `0xRRGGBB` palette colour packed for the renderer (opaque).
pub const fn from_rgb24(c: u32) -> u32 {
    rgb((c >> 16) as u8, (c >> 8) as u8, c as u8)
}

/// Warm FlameGraph-like colour for a function name: red 200–255, green 50–230, blue 0–55
/// ([`Palette::Hot`]).
pub fn for_name(name: &str) -> u32 {
    from_rgb24(Palette::Hot.color(name, FrameKind::User, None))
}

/// Distinct hues per module/library (a colour per DSO or package), still stable; the name's
/// hash varies lightness a little inside the module's hue so neighbours stay distinguishable.
pub fn for_module(module: &str, name: &str) -> u32 {
    from_rgb24(palette::by_module(module, name))
}

/// The colour of a frame in `palette` (see [`Palette::color`]).
pub fn for_frame(palette: Palette, name: &str, kind: FrameKind, module: Option<&str>) -> u32 {
    from_rgb24(palette.color(name, kind, module))
}

/// Washed-out variant (CPU-side equivalent of `FLAG_DIMMED`), e.g. for legends.
pub fn dim(c: u32) -> u32 {
    let [r, g, b, a] = unpack(c);
    let grey = (0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b)) / 255.0;
    let v = |_: u8| ((grey * 0.4 + 0.92 * 0.6) * 255.0).round() as u8;
    rgba(v(r), v(g), v(b), a)
}

/// Brighter variant for hover: moves each channel 30 % towards white.
pub fn highlight(c: u32) -> u32 {
    let [r, g, b, a] = unpack(c);
    let up = |x: u8| x + ((255 - u16::from(x)) * 3 / 10) as u8;
    rgba(up(r), up(g), up(b), a)
}

/// Search-match colour (magenta, as in FlameGraph).
pub const SEARCH_MATCH: u32 = rgb(230, 0, 230);

/// Default label text colour on warm rects.
pub const LABEL_TEXT: u32 = rgb(0, 0, 0);

/// Default background.
pub const BACKGROUND: u32 = rgb(250, 250, 250);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_warm() {
        // Fixed value: must never change across runs or machines.
        assert_eq!(fnv1a(b"main"), 0x1f59_62a2_ce98_03c8);
        for name in ["main", "malloc", "std::vec::Vec<T>::push", "", "ñ"] {
            let [r, g, b, a] = unpack(for_name(name));
            assert!((200..=255).contains(&r), "{name}: r={r}");
            assert!((50..=230).contains(&g), "{name}: g={g}");
            assert!(b <= 55, "{name}: b={b}");
            assert_eq!(a, 255);
            assert_eq!(for_name(name), for_name(name));
        }
        assert_ne!(for_name("main"), for_name("mainx"));
    }

    #[test]
    fn variants() {
        let c = rgb(255, 100, 0);
        assert_eq!(unpack(highlight(c))[3], 255);
        assert!(unpack(highlight(c))[1] > 100);
        let [r, g, b, _] = unpack(dim(c));
        assert!(r == g && g == b && r > 150);
        assert_eq!(for_module("libc", "a"), for_module("libc", "a"));
    }

    #[test]
    fn palettes_pack_red_first() {
        // Hot "main" is (243, 52, 32) (worked out in the model's palette tests).
        assert_eq!(unpack(for_name("main")), [243, 52, 32, 255]);
        assert_eq!(
            for_frame(Palette::Hot, "main", FrameKind::Kernel, None),
            for_name("main")
        );
        let [r, g, b, a] = unpack(for_frame(Palette::Java, "x", FrameKind::Kernel, None));
        assert!(r >= 190 && (90..=155).contains(&g) && b == 0 && a == 255);
    }
}
