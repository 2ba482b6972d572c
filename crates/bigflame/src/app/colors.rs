//! `c`: how spans are coloured — by function name (FlameGraph's warm palette, the default), by
//! module (one hue per shared object, so time per library stands out), then FlameGraph's other
//! palettes (`mem`, `io`, `java`, `js`, `perl`, single hues) as `bigflame render --palette`
//! draws them.
//!
//! Why a per-frame table computed once per (data, mode): colours are a pure function of the
//! frame, so the scene and the minimap look them up by `FrameId` instead of hashing per span;
//! the name mode is the views' own table, so the default costs nothing.

use crate::app::viewer::{Effect, Viewer};
use crate::scene::{ColorBy, frame_colors_by, frame_colors_with};
use bigflame_model::Profile;
use bigflame_render::colors::Palette;

/// The colouring shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorMode {
    /// By function name (the views' own colours, [`Palette::Hot`]).
    #[default]
    Name,
    /// By module.
    Module,
    /// Another FlameGraph palette (never `Hot`, which is `Name`).
    Palette(Palette),
}

impl ColorMode {
    /// The next mode: name → module → every other palette → name.
    pub fn next(self) -> Self {
        let others: Vec<Palette> = Palette::ALL
            .into_iter()
            .filter(|&p| p != Palette::Hot)
            .collect();
        match self {
            ColorMode::Name => ColorMode::Module,
            ColorMode::Module => others
                .first()
                .map_or(ColorMode::Name, |&p| ColorMode::Palette(p)),
            ColorMode::Palette(p) => match others.iter().position(|&o| o == p) {
                Some(i) if i + 1 < others.len() => ColorMode::Palette(others[i + 1]),
                _ => ColorMode::Name,
            },
        }
    }

    /// Stable name, for the status line and JSON.
    pub fn name(self) -> &'static str {
        match self {
            ColorMode::Name => "name",
            ColorMode::Module => "module",
            ColorMode::Palette(p) => p.name(),
        }
    }

    /// The colour of every frame of `profile` (`None` for [`ColorMode::Name`]: the views' own).
    pub fn table(self, profile: &Profile) -> Option<Vec<u32>> {
        match self {
            ColorMode::Name => None,
            ColorMode::Module => Some(frame_colors_by(profile, ColorBy::Module)),
            ColorMode::Palette(p) => Some(frame_colors_with(profile, p, ColorBy::Name)),
        }
    }
}

/// The frame colour table of the current (data, mode), cached by the drawing side.
#[derive(Default)]
pub struct ColorCache {
    key: Option<(u64, ColorMode)>,
    table: Option<Vec<u32>>,
}

impl ColorCache {
    /// The table for the viewer's data and mode (`None` = use the views' own colours).
    pub fn get(&mut self, viewer: &Viewer) -> Option<&[u32]> {
        let key = (viewer.data_gen, viewer.colors);
        if self.key != Some(key) {
            self.key = Some(key);
            self.table = viewer
                .data
                .as_ref()
                .and_then(|d| viewer.colors.table(&d.profile));
        }
        self.table.as_deref()
    }
}

impl Viewer {
    /// `c`: the next colouring.
    pub(crate) fn cycle_colors(&mut self) -> Effect {
        self.colors = self.colors.next();
        Effect::Redraw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_cycles_name_module_every_other_palette_and_back() {
        let mut m = ColorMode::Name;
        let mut seen = vec![m.name()];
        for _ in 0..Palette::ALL.len() + 1 {
            m = m.next();
            seen.push(m.name());
        }
        assert_eq!(seen[1], "module");
        assert_eq!(seen[2], "mem");
        assert_eq!(seen.last(), Some(&"name"), "{seen:?}");
        assert_eq!(seen.len(), Palette::ALL.len() + 2);
        let distinct: std::collections::HashSet<_> = seen[..seen.len() - 1].iter().collect();
        assert_eq!(distinct.len(), seen.len() - 1, "no palette twice: {seen:?}");
    }
}
