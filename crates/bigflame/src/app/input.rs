//! Input → action mapping: keys, wheel, pinch and mouse buttons become [`Action`]s.
//!
//! Why its own input type instead of winit's: the window translates winit events into [`Input`]
//! in one small function, and the `--script` mode builds the same [`Input`]s from text, so both
//! go through [`InputMapper`] and the tests cover the real mapping. Zoom steps are fixed factors
//! per wheel line (Xvfb delivers every `xdotool click 4/5` as two `LineDelta` events, so one
//! notch must be a modest, deterministic step); pixel deltas (trackpads) map smoothly.

use crate::app::state::ViewKind;
use crate::app::transforms::TransformKey;

/// Physical px panned per wheel line.
pub const LINE_PAN_PX: f64 = 48.0;
/// Zoom factor per wheel line with Ctrl (two events per Xvfb click: 1.2² ≈ 1.44 per notch).
pub const LINE_ZOOM: f64 = 1.2;
/// Zoom exponent per pixel of a trackpad scroll with Ctrl.
pub const PIXEL_ZOOM: f64 = 0.005;
/// Zoom factor of `+`/`-`/`w`/`s`.
pub const KEY_ZOOM: f64 = 1.5;
/// Fraction of the width panned by `a`/`d` and the arrows.
pub const KEY_PAN_FRACTION: f64 = 0.2;
/// Two presses closer than this (ms) and within [`DOUBLE_CLICK_PX`] are a double click.
pub const DOUBLE_CLICK_MS: f64 = 400.0;
/// See [`DOUBLE_CLICK_MS`].
pub const DOUBLE_CLICK_PX: f64 = 4.0;
/// Movement (px) after which a press becomes a drag, not a click.
pub const DRAG_PX: f64 = 3.0;

/// A wheel delta, as winit reports it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Wheel {
    /// Mouse wheel notches (positive y = away from the user = up).
    Lines(f64, f64),
    /// Trackpad pixels (positive y = content moves down).
    Pixels(f64, f64),
}

/// Named keys the viewer uses; characters come as [`Key::Char`].
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    /// A printable character (lower-cased by the caller when it has no Ctrl meaning).
    Char(String),
    /// Arrow left.
    Left,
    /// Arrow right.
    Right,
    /// Arrow up.
    Up,
    /// Arrow down.
    Down,
    /// Escape.
    Escape,
    /// Return; `back` with Shift held.
    Enter { back: bool },
    /// Backspace.
    Backspace,
}

/// One input event, independent of the windowing library.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// A key press (releases are ignored), with Ctrl (or Cmd) held or not.
    Key { key: Key, ctrl: bool },
    /// Wheel or trackpad scroll; `ctrl` zooms instead of panning, `shift` swaps the axes.
    Wheel {
        delta: Wheel,
        ctrl: bool,
        shift: bool,
    },
    /// Pinch gesture (`delta` > 0 = zoom in), as winit's `PinchGesture`.
    Pinch(f64),
    /// The pointer moved to `(x, y)` physical px.
    Cursor(f64, f64),
    /// The pointer left the window.
    CursorLeft,
    /// Primary button pressed (`true`) or released, at time `ms`.
    Button { pressed: bool, ms: f64 },
    /// The drawable was resized (physical px) or its scale factor changed.
    Resize { width: f64, height: f64, scale: f64 },
}

/// What the viewer does.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Show a view.
    SetView(ViewKind),
    /// Zoom by `factor` (> 1 = in) around x (physical px).
    ZoomAt { x_px: f64, factor: f64 },
    /// Zoom by `factor` around the centre.
    ZoomCentre(f64),
    /// Move the content (see `ViewState::pan_px`).
    Pan { dx: f64, dy: f64 },
    /// Pan by a fraction of the width (keys).
    PanFraction(f64),
    /// Fit everything.
    Reset,
    /// Clear the selection.
    ClearSelection,
    /// Next (`1`) or previous (`-1`) thread.
    CycleThread(isize),
    /// The pointer is at `(x, y)`: update the hover.
    Hover(f64, f64),
    /// The pointer left.
    HoverNone,
    /// Select the span at `(x, y)`.
    Select(f64, f64),
    /// Select and zoom to the span at `(x, y)`.
    ZoomToSpan(f64, f64),
    /// New drawable size / scale.
    Resize { width: f64, height: f64, scale: f64 },
    /// Open a file (Ctrl+O).
    Open,
    /// Open (focus) the search field (Ctrl+F).
    SearchOpen,
    /// Append text to the search field.
    SearchInput(String),
    /// Delete the last character of the search field.
    SearchBackspace,
    /// Select and zoom to the next (`1`) or previous (`-1`) match (Enter / Shift+Enter).
    SearchStep(isize),
    /// Close the search field and clear its highlight (Esc while searching).
    SearchClose,
    /// Cycle the sandwich table's sort column (self → total → name).
    CycleSort,
    /// Open the thread picker (`t`).
    ThreadsOpen,
    /// ↑/↓ while typing: move in the thread picker (else scroll rows).
    ListMove(isize),
    /// The primary button went down at `(x, y)` (the minimap grabs it).
    Press(f64, f64),
    /// The primary button went up after a drag.
    Release,
    /// A transform step, undo or redo (`transforms.rs`).
    Transform(crate::app::transforms::TransformKey),
    /// Show or hide the key help (`?`).
    ToggleHelp,
    /// Next colouring: name, module, other palettes (`c`).
    CycleColors,
    /// Stack the heaviest threads in lanes on one timeline, or back (`m`).
    ToggleLanes,
    /// Save the profile as speedscope JSON (Ctrl+S).
    Save,
    /// Export the current view as SVG, folded, PNG or speedscope (Ctrl+Shift+S, `e`).
    Export,
    /// Shift+drag in progress from x0 to x1 (physical px): the range to be selected.
    RangeDrag(f64, f64),
    /// Shift+drag released: keep only the time range between these x (physical px).
    RangeSelect(f64, f64),
}

/// Pointer state needed to tell clicks, double clicks and drags apart.
#[derive(Clone, Debug, Default)]
pub struct InputMapper {
    /// The search field has the keyboard: characters are typed into it (set by the caller from
    /// the viewer's state before each input).
    pub text_mode: bool,
    /// Shift is held (set by the caller before each input, like `text_mode`): a drag selects a
    /// time range instead of panning.
    pub shift: bool,
    /// The drag in progress started with Shift held.
    range_drag: bool,
    cursor: Option<(f64, f64)>,
    /// Where the button went down and whether it has moved far enough to be a drag.
    press: Option<((f64, f64), bool)>,
    /// Time and place of the last click.
    last_click: Option<(f64, (f64, f64))>,
}

impl InputMapper {
    /// Maps one input to zero or more actions.
    pub fn map(&mut self, input: Input) -> Vec<Action> {
        match input {
            Input::Key { key, ctrl } if self.text_mode => {
                text_key_action(&key, ctrl).into_iter().collect()
            }
            Input::Key { key, ctrl } => key_action(&key, ctrl).into_iter().collect(),
            Input::Wheel { delta, ctrl, shift } => self.wheel(delta, ctrl, shift),
            Input::Pinch(delta) => {
                let x = self.cursor.map_or(f64::NAN, |c| c.0);
                vec![zoom_at_or_centre(x, 1.0 + delta.clamp(-0.9, 10.0))]
            }
            Input::Cursor(x, y) => self.cursor_moved(x, y),
            Input::CursorLeft => {
                self.cursor = None;
                self.press = None;
                vec![Action::HoverNone]
            }
            Input::Button { pressed, ms } => self.button(pressed, ms),
            Input::Resize {
                width,
                height,
                scale,
            } => vec![Action::Resize {
                width,
                height,
                scale,
            }],
        }
    }

    fn wheel(&mut self, delta: Wheel, ctrl: bool, shift: bool) -> Vec<Action> {
        let x = self.cursor.map_or(f64::NAN, |c| c.0);
        if ctrl {
            let factor = match delta {
                Wheel::Lines(_, y) => LINE_ZOOM.powf(y),
                Wheel::Pixels(_, y) => (y * PIXEL_ZOOM).exp(),
            };
            return vec![zoom_at_or_centre(x, factor)];
        }
        let (dx, dy) = match delta {
            Wheel::Lines(x, y) => (-x * LINE_PAN_PX, -y * LINE_PAN_PX),
            Wheel::Pixels(x, y) => (-x, -y),
        };
        let (dx, dy) = if shift { (dy, dx) } else { (dx, dy) };
        vec![Action::Pan { dx, dy }]
    }

    fn cursor_moved(&mut self, x: f64, y: f64) -> Vec<Action> {
        let prev = self.cursor.replace((x, y));
        let mut out = Vec::new();
        if let Some((start, dragging)) = &mut self.press {
            if !*dragging && (x - start.0).hypot(y - start.1) >= DRAG_PX {
                *dragging = true;
            }
            if *dragging && self.range_drag {
                out.push(Action::RangeDrag(start.0, x));
            } else if *dragging && let Some((px, py)) = prev {
                out.push(Action::Pan {
                    dx: px - x,
                    dy: py - y,
                });
            }
        }
        out.push(Action::Hover(x, y));
        out
    }

    fn button(&mut self, pressed: bool, ms: f64) -> Vec<Action> {
        let Some(at) = self.cursor else {
            return Vec::new();
        };
        if pressed {
            self.press = Some((at, false));
            self.range_drag = self.shift;
            return vec![Action::Press(at.0, at.1)];
        }
        let Some((start, dragged)) = self.press.take() else {
            return Vec::new();
        };
        if dragged && std::mem::take(&mut self.range_drag) {
            self.last_click = None;
            return vec![Action::RangeSelect(start.0, at.0), Action::Release];
        }
        if dragged {
            self.last_click = None;
            return vec![Action::Release];
        }
        let double = self.last_click.is_some_and(|(t, p)| {
            ms - t <= DOUBLE_CLICK_MS && (at.0 - p.0).hypot(at.1 - p.1) <= DOUBLE_CLICK_PX
        });
        if double {
            self.last_click = None;
            vec![Action::ZoomToSpan(at.0, at.1)]
        } else {
            self.last_click = Some((ms, at));
            vec![Action::Select(at.0, at.1)]
        }
    }
}

fn zoom_at_or_centre(x: f64, factor: f64) -> Action {
    if x.is_finite() {
        Action::ZoomAt { x_px: x, factor }
    } else {
        Action::ZoomCentre(factor)
    }
}

/// The action of a key press.
pub fn key_action(key: &Key, ctrl: bool) -> Option<Action> {
    let c = match key {
        Key::Left => return Some(Action::PanFraction(-KEY_PAN_FRACTION)),
        Key::Right => return Some(Action::PanFraction(KEY_PAN_FRACTION)),
        Key::Up => {
            return Some(Action::Pan {
                dx: 0.0,
                dy: -LINE_PAN_PX,
            });
        }
        Key::Down => {
            return Some(Action::Pan {
                dx: 0.0,
                dy: LINE_PAN_PX,
            });
        }
        Key::Escape => return Some(Action::ClearSelection),
        Key::Enter { back } => return Some(Action::SearchStep(if *back { -1 } else { 1 })),
        Key::Backspace => return None,
        Key::Char(c) => c,
    };
    // Upper case = Shift held (the window upper-cases letters typed with Shift).
    use TransformKey as T;
    match (c.as_str(), ctrl) {
        ("F", false) => return Some(Action::Transform(T::FocusSubtree)),
        ("U", false) | ("Z" | "y" | "Y", true) => return Some(Action::Transform(T::Redo)),
        ("S", true) => return Some(Action::Export),
        _ => {}
    }
    let c = c.to_lowercase();
    Some(match (c.as_str(), ctrl) {
        ("z", true) => Action::Transform(T::Undo),
        // Ctrl+H works while the search field has the keyboard (where `h` is typed).
        ("h", _) => Action::Transform(T::DropMatching),
        ("o", true) => Action::Open,
        ("s", true) => Action::Save,
        ("f", true) => Action::SearchOpen,
        ("1", _) => Action::SetView(ViewKind::TimeOrder),
        ("2", _) => Action::SetView(ViewKind::LeftHeavy),
        ("3", _) => Action::SetView(ViewKind::Sandwich),
        ("o", false) => Action::CycleSort,
        ("t", false) => Action::ThreadsOpen,
        // `ctrl+plus` arrives as "+" (with Shift) or "=": accept both, with or without Ctrl.
        ("+" | "=" | "w", _) => Action::ZoomCentre(KEY_ZOOM),
        ("-" | "_" | "s", _) => Action::ZoomCentre(1.0 / KEY_ZOOM),
        ("0", _) => Action::Reset,
        ("a", false) => Action::PanFraction(-KEY_PAN_FRACTION),
        ("d", false) => Action::PanFraction(KEY_PAN_FRACTION),
        ("n", false) => Action::CycleThread(1),
        ("p", false) => Action::CycleThread(-1),
        ("r", false) => Action::Transform(T::Recursion),
        ("f", false) => Action::Transform(T::FocusFunction),
        ("x", false) => Action::Transform(T::Merge),
        ("l", false) => Action::Transform(T::CollapseModule),
        ("i", false) => Action::Transform(T::Invert),
        ("g", false) => Action::Transform(T::Granularity),
        ("v", false) => Action::Transform(T::TimeRange),
        ("u", false) => Action::Transform(T::Undo),
        ("e", false) => Action::Export,
        ("?", _) => Action::ToggleHelp,
        ("c", false) => Action::CycleColors,
        ("m", false) => Action::ToggleLanes,
        _ => return None,
    })
}

/// The action of a key press while the search field has the keyboard: characters are typed,
/// Backspace deletes, Enter / Shift+Enter step through matches, Esc closes the field, ↑/↓ move
/// in the thread picker; Ctrl shortcuts and ←/→ keep their meaning. (The viewer routes these
/// actions to the thread picker while it is open.)
pub fn text_key_action(key: &Key, ctrl: bool) -> Option<Action> {
    match key {
        Key::Char(c) if !ctrl => Some(Action::SearchInput(c.clone())),
        Key::Backspace => Some(Action::SearchBackspace),
        Key::Escape => Some(Action::SearchClose),
        Key::Up => Some(Action::ListMove(-1)),
        Key::Down => Some(Action::ListMove(1)),
        _ => key_action(key, ctrl),
    }
}

#[cfg(test)]
#[path = "input_tests.rs"]
mod tests;
