//! Input → action mapping.

use super::*;

fn ctrl_wheel(y: f64) -> Input {
    Input::Wheel {
        delta: Wheel::Lines(0.0, y),
        ctrl: true,
        shift: false,
    }
}

#[test]
fn ctrl_wheel_zooms_around_the_cursor_in_fixed_steps() {
    let mut m = InputMapper::default();
    assert_eq!(m.map(ctrl_wheel(1.0)), vec![Action::ZoomCentre(LINE_ZOOM)]);
    m.map(Input::Cursor(100.0, 50.0));
    assert_eq!(
        m.map(ctrl_wheel(-1.0)),
        vec![Action::ZoomAt {
            x_px: 100.0,
            factor: 1.0 / LINE_ZOOM
        }]
    );
}

#[test]
fn wheel_pans_and_shift_swaps_axes() {
    let mut m = InputMapper::default();
    let plain = m.map(Input::Wheel {
        delta: Wheel::Lines(0.0, -2.0),
        ctrl: false,
        shift: false,
    });
    assert_eq!(
        plain,
        vec![Action::Pan {
            dx: 0.0,
            dy: 2.0 * LINE_PAN_PX
        }]
    );
    let shifted = m.map(Input::Wheel {
        delta: Wheel::Lines(0.0, -1.0),
        ctrl: false,
        shift: true,
    });
    assert_eq!(
        shifted,
        vec![Action::Pan {
            dx: LINE_PAN_PX,
            dy: 0.0
        }]
    );
    let pixels = m.map(Input::Wheel {
        delta: Wheel::Pixels(3.0, -4.5),
        ctrl: false,
        shift: false,
    });
    assert_eq!(pixels, vec![Action::Pan { dx: -3.0, dy: 4.5 }]);
}

#[test]
fn keys() {
    let k = |c: &str| key_action(&Key::Char(c.into()), false);
    assert_eq!(k("1"), Some(Action::SetView(ViewKind::TimeOrder)));
    assert_eq!(k("2"), Some(Action::SetView(ViewKind::LeftHeavy)));
    assert_eq!(k("+"), k("="));
    assert_eq!(key_action(&Key::Char("=".into()), true), k("+"));
    assert_eq!(k("-"), Some(Action::ZoomCentre(1.0 / KEY_ZOOM)));
    assert_eq!(k("0"), Some(Action::Reset));
    assert_eq!(k("N"), Some(Action::CycleThread(1)));
    assert_eq!(k("p"), Some(Action::CycleThread(-1)));
    assert_eq!(k("r"), Some(Action::Transform(TransformKey::Recursion)));
    assert_eq!(
        key_action(&Key::Escape, false),
        Some(Action::ClearSelection)
    );
    assert_eq!(key_action(&Key::Char("o".into()), true), Some(Action::Open));
    assert_eq!(k("x"), Some(Action::Transform(TransformKey::Merge)));
    assert_eq!(k("k"), None);
}

#[test]
fn transform_keys_tell_shift_and_ctrl_apart() {
    let k = |c: &str, ctrl: bool| key_action(&Key::Char(c.into()), ctrl);
    let t = |key| Some(Action::Transform(key));
    assert_eq!(k("f", false), t(TransformKey::FocusFunction));
    assert_eq!(k("F", false), t(TransformKey::FocusSubtree));
    assert_eq!(k("f", true), Some(Action::SearchOpen));
    assert_eq!(k("u", false), t(TransformKey::Undo));
    assert_eq!(k("z", true), t(TransformKey::Undo));
    assert_eq!(k("U", false), t(TransformKey::Redo));
    assert_eq!(k("Z", true), t(TransformKey::Redo));
    assert_eq!(k("y", true), t(TransformKey::Redo));
    assert_eq!(k("s", true), Some(Action::Save));
    assert_eq!(k("S", true), Some(Action::Export));
    assert_eq!(k("e", false), Some(Action::Export));
    // While searching, `h` is typed and Ctrl+H hides the matches.
    let mut m = InputMapper {
        text_mode: true,
        ..InputMapper::default()
    };
    let key = |c: &str, ctrl| Input::Key {
        key: Key::Char(c.into()),
        ctrl,
    };
    assert_eq!(
        m.map(key("h", false)),
        vec![Action::SearchInput("h".into())]
    );
    assert_eq!(
        m.map(key("h", true)),
        vec![Action::Transform(TransformKey::DropMatching)]
    );
}

#[test]
fn click_double_click_and_drag() {
    let mut m = InputMapper::default();
    m.map(Input::Cursor(10.0, 10.0));
    assert_eq!(
        m.map(Input::Button {
            pressed: true,
            ms: 0.0
        }),
        vec![Action::Press(10.0, 10.0)]
    );
    assert_eq!(
        m.map(Input::Button {
            pressed: false,
            ms: 5.0
        }),
        vec![Action::Select(10.0, 10.0)]
    );
    m.map(Input::Button {
        pressed: true,
        ms: 100.0,
    });
    assert_eq!(
        m.map(Input::Button {
            pressed: false,
            ms: 110.0
        }),
        vec![Action::ZoomToSpan(10.0, 10.0)]
    );
    // A slow second click is a click again.
    m.map(Input::Button {
        pressed: true,
        ms: 2000.0,
    });
    assert_eq!(
        m.map(Input::Button {
            pressed: false,
            ms: 2010.0
        }),
        vec![Action::Select(10.0, 10.0)]
    );
    // Drag: moves pan by the pointer delta and the release selects nothing.
    m.map(Input::Button {
        pressed: true,
        ms: 5000.0,
    });
    let moved = m.map(Input::Cursor(30.0, 10.0));
    assert_eq!(
        moved,
        vec![
            Action::Pan { dx: -20.0, dy: 0.0 },
            Action::Hover(30.0, 10.0)
        ]
    );
    assert_eq!(
        m.map(Input::Button {
            pressed: false,
            ms: 5010.0
        }),
        vec![Action::Release]
    );
}

#[test]
fn pinch_zooms_at_the_cursor() {
    let mut m = InputMapper::default();
    m.map(Input::Cursor(40.0, 0.0));
    assert_eq!(
        m.map(Input::Pinch(0.25)),
        vec![Action::ZoomAt {
            x_px: 40.0,
            factor: 1.25
        }]
    );
}

#[test]
fn the_search_field_takes_characters_but_not_shortcuts() {
    let mut m = InputMapper::default();
    let key = |c: &str, ctrl: bool| Input::Key {
        key: Key::Char(c.into()),
        ctrl,
    };
    assert_eq!(m.map(key("f", true)), vec![Action::SearchOpen]);
    assert_eq!(
        m.map(key("2", false)),
        vec![Action::SetView(ViewKind::LeftHeavy)]
    );
    m.text_mode = true;
    assert_eq!(
        m.map(key("2", false)),
        vec![Action::SearchInput("2".into())]
    );
    assert_eq!(
        m.map(key("A", false)),
        vec![Action::SearchInput("A".into())]
    );
    assert_eq!(m.map(key("o", true)), vec![Action::Open]);
    let named = |key: Key| Input::Key { key, ctrl: false };
    assert_eq!(m.map(named(Key::Backspace)), vec![Action::SearchBackspace]);
    assert_eq!(m.map(named(Key::Escape)), vec![Action::SearchClose]);
    assert_eq!(
        m.map(named(Key::Enter { back: true })),
        vec![Action::SearchStep(-1)]
    );
    assert_eq!(
        m.map(named(Key::Left)),
        vec![Action::PanFraction(-KEY_PAN_FRACTION)]
    );
    assert_eq!(m.map(named(Key::Down)), vec![Action::ListMove(1)]);
    m.text_mode = false;
    assert_eq!(m.map(named(Key::Escape)), vec![Action::ClearSelection]);
    assert_eq!(
        m.map(named(Key::Enter { back: false })),
        vec![Action::SearchStep(1)]
    );
    assert_eq!(
        m.map(key("3", false)),
        vec![Action::SetView(ViewKind::Sandwich)]
    );
    assert_eq!(m.map(key("t", false)), vec![Action::ThreadsOpen]);
}

#[test]
fn shift_drag_selects_a_range_plain_drag_pans() {
    let mut m = InputMapper {
        shift: true,
        ..InputMapper::default()
    };
    m.map(Input::Cursor(100.0, 50.0));
    m.map(Input::Button {
        pressed: true,
        ms: 0.0,
    });
    m.shift = false; // released mid-drag: the drag keeps its kind
    assert_eq!(
        m.map(Input::Cursor(150.0, 52.0)),
        vec![Action::RangeDrag(100.0, 150.0), Action::Hover(150.0, 52.0)]
    );
    assert_eq!(
        m.map(Input::Button {
            pressed: false,
            ms: 50.0
        }),
        vec![Action::RangeSelect(100.0, 150.0), Action::Release]
    );
    m.map(Input::Button {
        pressed: true,
        ms: 100.0,
    });
    assert_eq!(
        m.map(Input::Cursor(140.0, 52.0)),
        vec![
            Action::Pan { dx: 10.0, dy: 0.0 },
            Action::Hover(140.0, 52.0)
        ]
    );
}
