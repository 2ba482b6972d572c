//! Colour helpers: packed RGBA8 (red in the lowest byte, the order `unpack4x8unorm` reads) and
//! stable flame-graph colours.
//!
//! Stability matters: the same function must get the same colour on every run and machine, so
//! people can recognise it across screenshots. We hash with FNV-1a (fixed, no random seed,
//! endianness-independent) and map into FlameGraph's warm palette (red 200–255, green 50–230,
//! blue 0–55).

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

fn lerp_u8(lo: u8, hi: u8, t: u64) -> u8 {
    // t in 0..=255
    (u64::from(lo) + (u64::from(hi) - u64::from(lo)) * t / 255) as u8
}

/// Warm FlameGraph-like colour for a function name: red 200–255, green 50–230, blue 0–55.
pub fn for_name(name: &str) -> u32 {
    let h = fnv1a(name.as_bytes());
    // Green carries most of the variation (like FlameGraph's "hot" palette); independent bytes
    // of the hash drive each channel so similar names still differ.
    let r = lerp_u8(200, 255, h & 0xff);
    let g = lerp_u8(50, 230, (h >> 8) & 0xff);
    let b = lerp_u8(0, 55, (h >> 16) & 0xff);
    rgb(r, g, b)
}

/// Distinct hues per module/library (a colour per DSO or package), still stable; the name's
/// hash varies lightness a little inside the module's hue so neighbours stay distinguishable.
pub fn for_module(module: &str, name: &str) -> u32 {
    const PALETTE: [[u8; 3]; 8] = [
        [222, 120, 60],  // orange
        [90, 160, 220],  // blue
        [120, 190, 100], // green
        [200, 120, 200], // purple
        [230, 190, 70],  // yellow
        [90, 190, 180],  // teal
        [220, 100, 110], // rose
        [160, 140, 110], // taupe
    ];
    let base = PALETTE[(fnv1a(module.as_bytes()) % PALETTE.len() as u64) as usize];
    let shift = (fnv1a(name.as_bytes()) % 41) as i16 - 20; // -20..=20
    let ch = |c: u8| (i16::from(c) + shift).clamp(0, 255) as u8;
    rgb(ch(base[0]), ch(base[1]), ch(base[2]))
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
}
