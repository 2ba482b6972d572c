//! The `?` overlay: every key and gesture of the viewer in one box over the chart.
//!
//! Why an overlay and not only the README: the status line has room for a few hints only, and a
//! viewer opened on a huge recording should be usable without leaving it. The list is data
//! ([`KEYS`]), so a test can check that every key the input mapper knows is listed.

use crate::app::draw::{CHROME_BG, CHROME_TEXT, Frame, Text};
use crate::app::viewer::Viewer;

/// `(input, what it does)`, in the order shown.
pub const KEYS: &[(&str, &str)] = &[
    ("1 / 2 / 3", "Time Order / Left Heavy / Sandwich"),
    ("wheel, Shift+wheel", "scroll rows / pan sideways"),
    ("Ctrl+wheel, pinch", "zoom around the pointer"),
    ("drag", "pan"),
    ("+ = w / - s / 0", "zoom in / out / reset"),
    ("a d ← → / ↑ ↓", "pan sideways / scroll rows"),
    ("n / p / t", "next / previous thread / thread picker"),
    (
        "click, double-click",
        "select (detail panel) / zoom to the frame",
    ),
    ("Esc", "clear the selection, close this help"),
    (
        "Ctrl+F, Enter, Shift+Enter",
        "search / next match / previous match",
    ),
    (
        "minimap (Time Order)",
        "click: centre there; drag the box / a side",
    ),
    ("f / F", "focus on the selected function / its subtree"),
    ("x / l", "merge the selected function / collapse its module"),
    (
        "Ctrl+F text, Ctrl+H, h",
        "hide the frames matching the text (regex)",
    ),
    ("r / i", "collapse recursion / invert (again: undo)"),
    ("g", "granularity: function → +file → module"),
    ("v, Shift+drag", "keep only this time range (Time Order)"),
    (
        "u Ctrl+Z / U Ctrl+Y",
        "undo / redo a transform (Esc keeps them)",
    ),
    ("m", "stack the heaviest threads on one timeline"),
    ("c", "colours (in a diff: absolute / normalised)"),
    ("o", "Sandwich table: next sort column"),
    ("Ctrl+O, drop a file", "open a profile"),
    ("Ctrl+S", "save as speedscope JSON"),
    (
        "e, Ctrl+Shift+S",
        "export the view: .svg .folded .png .json",
    ),
    ("?", "this help"),
];

impl Frame {
    /// Draws the help box centred on the canvas when it is open.
    pub(super) fn help(&mut self, viewer: &Viewer) {
        if !viewer.help_open {
            return;
        }
        let st = &viewer.state;
        let s = st.scale as f32;
        let (w, h) = (st.viewport.0 as f32, st.viewport.1 as f32);
        let line_h = 18.0 * s;
        let key_w = 200.0 * s;
        let box_w = (560.0 * s).min(w - 16.0 * s).max(1.0);
        let box_h = (KEYS.len() as f32 + 1.5) * line_h + 12.0 * s;
        let x = ((w - box_w) * 0.5).max(0.0);
        let y = ((h - box_h) * 0.5).max(0.0);
        self.rect(x, y, box_w, box_h, CHROME_BG);
        self.texts.push(Text {
            x: x + 10.0 * s,
            y: y + 6.0 * s,
            max_w: box_w - 20.0 * s,
            text: "Keys (press ? or Esc to close)".to_string(),
            color: CHROME_TEXT,
        });
        for (i, (key, what)) in KEYS.iter().enumerate() {
            let ty = y + 6.0 * s + (i as f32 + 1.5) * line_h;
            self.texts.push(Text {
                x: x + 10.0 * s,
                y: ty,
                max_w: key_w - 14.0 * s,
                text: (*key).to_string(),
                color: CHROME_TEXT,
            });
            self.texts.push(Text {
                x: x + key_w,
                y: ty,
                max_w: (box_w - key_w - 10.0 * s).max(1.0),
                text: (*what).to_string(),
                color: CHROME_TEXT,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::KEYS;
    use crate::app::input::{Action, Key, key_action};

    #[test]
    fn every_single_key_command_is_listed() {
        let listed = |k: &str| {
            KEYS.iter()
                .any(|(keys, _)| keys.split([' ', ',', '/']).any(|w| w == k))
        };
        for c in "123+=w-s0adnptro?cmfFxlhrigvuUe".chars() {
            let k = c.to_string();
            assert!(
                key_action(&Key::Char(k.clone()), false).is_some(),
                "{k} does something"
            );
            assert!(listed(&k), "{k} is in the help");
        }
        assert_eq!(
            key_action(&Key::Char("?".into()), false),
            Some(Action::ToggleHelp)
        );
    }
}
