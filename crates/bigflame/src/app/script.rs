//! `--script FILE`: deterministic, headless input for tests.
//!
//! Why: navigation logic deserves ordinary tests, without a display or a GPU. A script is a list
//! of synthetic inputs, parsed into the same [`Input`]s the window produces from winit events and
//! fed through the same [`InputMapper`] and [`Viewer::apply`]; the viewer state is printed as one
//! JSON object per `dump` line and once at the end (the last line of stdout).
//!
//! Syntax, one input per line (`#` starts a comment; coordinates in physical px):
//! `key K` (K = a character, `left right up down escape enter backspace space`, `ctrl+K`, or
//! `shift+enter`), `type TEXT` (each character of the rest of the line, spaces kept), `move X Y`,
//! `wheel DY [DX]`, `ctrl-wheel DY`, `shift-wheel DY` (wheel lines), `pixels DX DY`,
//! `ctrl-pixels DX DY` (trackpad), `pinch D`, `click X Y`, `dblclick X Y`, `drag X0 Y0 X1 Y1`, `shift-drag X0 Y0 X1 Y1`,
//! `resize W H [SCALE]`, `leave`, `dump`, `export EXT` (the current view to `<input>.view.EXT`).

use crate::app::input::{Input, InputMapper, Key, Wheel};
use crate::app::viewer::{Effect, Viewer};
use anyhow::{Context, Result, bail};

/// One script step.
enum Step {
    Inputs(Vec<Input>),
    /// Inputs with Shift held (`shift-drag`).
    Shifted(Vec<Input>),
    Dump,
    /// `export EXT`: the current view to `<input>.view.EXT`, as the window's export without a
    /// dialog.
    Export(String),
}

/// Runs `script` against `viewer`, returning the JSON lines to print.
pub fn run(viewer: &mut Viewer, script: &str) -> Result<Vec<String>> {
    let mut mapper = InputMapper::default();
    let mut out = Vec::new();
    let mut clock_ms = 0.0;
    for (n, raw) in script.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        clock_ms += 1000.0;
        let step =
            parse(line, clock_ms).with_context(|| format!("script line {}: {raw:?}", n + 1))?;
        let shifted = matches!(step, Step::Shifted(_));
        match step {
            Step::Dump => out.push(viewer.to_json().to_string()),
            Step::Export(ext) => export_without_dialog(viewer, &ext),
            Step::Inputs(inputs) | Step::Shifted(inputs) => {
                mapper.shift = shifted;
                viewer.now_ms = clock_ms;
                for input in inputs {
                    // As the window does: the open search field takes the keyboard.
                    mapper.text_mode = viewer.text_mode();
                    for action in mapper.map(input) {
                        match viewer.apply(&action) {
                            Effect::Save => save_without_dialog(viewer),
                            Effect::Export => export_without_dialog(viewer, "svg"),
                            _ => {}
                        }
                    }
                }
            }
        }
    }
    out.push(viewer.to_json().to_string());
    Ok(out)
}

/// Ctrl+S headless: no dialog, the file goes to `<input>.speedscope.json` (the window's
/// fallback when no dialog is available); the outcome is the viewer's notice.
fn save_without_dialog(viewer: &mut Viewer) {
    let Some(data) = &viewer.data else { return };
    let profile = data.loaded_profile();
    let path = crate::app::save::default_path(&viewer.source);
    viewer.notice = Some(match crate::app::save::write(profile, &path) {
        Ok(()) => format!("saved {}", path.display()),
        Err(e) => e,
    });
}

/// Ctrl+Shift+S / `e` headless: to `<input>.view.EXT`; the outcome is the viewer's notice.
fn export_without_dialog(viewer: &mut Viewer, ext: &str) {
    let outcome = crate::app::export_view::export_to_default(viewer, ext);
    viewer.notice = Some(match outcome {
        Ok(path) => format!("exported {}", path.display()),
        Err(e) => e,
    });
}

fn nums(args: &[&str], want: usize) -> Result<Vec<f64>> {
    if args.len() < want {
        bail!("expected {want} numbers");
    }
    args.iter()
        .map(|a| {
            a.parse::<f64>()
                .with_context(|| format!("not a number: {a:?}"))
        })
        .collect()
}

fn click(x: f64, y: f64, ms: f64) -> Vec<Input> {
    vec![
        Input::Cursor(x, y),
        Input::Button { pressed: true, ms },
        Input::Button {
            pressed: false,
            ms: ms + 10.0,
        },
    ]
}

fn parse(line: &str, ms: f64) -> Result<Step> {
    if let Some(text) = line.strip_prefix("type ") {
        let keys = text.chars().map(|c| Input::Key {
            key: Key::Char(c.to_string()),
            ctrl: false,
        });
        return Ok(Step::Inputs(keys.collect()));
    }
    let mut words = line.split_whitespace();
    let cmd = words.next().unwrap_or("");
    let args: Vec<&str> = words.collect();
    let lines = |ctrl: bool, shift: bool| -> Result<Step> {
        let v = nums(&args, 1)?;
        let dx = v.get(1).copied().unwrap_or(0.0);
        Ok(Step::Inputs(vec![Input::Wheel {
            delta: Wheel::Lines(dx, v[0]),
            ctrl,
            shift,
        }]))
    };
    let pixels = |ctrl: bool| -> Result<Step> {
        let v = nums(&args, 2)?;
        Ok(Step::Inputs(vec![Input::Wheel {
            delta: Wheel::Pixels(v[0], v[1]),
            ctrl,
            shift: false,
        }]))
    };
    Ok(match cmd {
        "dump" => Step::Dump,
        "export" => Step::Export(args.first().unwrap_or(&"svg").to_string()),
        "key" => {
            let spec = args.first().context("key needs a name")?;
            let (ctrl, name) = match spec.strip_prefix("ctrl+") {
                Some(rest) if !rest.is_empty() => (true, rest),
                _ => (false, *spec),
            };
            let (shift, name) = match name.strip_prefix("shift+") {
                Some(rest) if !rest.is_empty() => (true, rest),
                _ => (false, name),
            };
            let key = match name.to_ascii_lowercase().as_str() {
                "left" => Key::Left,
                "right" => Key::Right,
                "up" => Key::Up,
                "down" => Key::Down,
                "escape" | "esc" => Key::Escape,
                "enter" | "return" => Key::Enter { back: shift },
                "backspace" => Key::Backspace,
                "space" => Key::Char(" ".into()),
                "plus" => Key::Char("+".into()),
                "minus" => Key::Char("-".into()),
                // `shift+x`: the character Shift types, as the window reports it.
                _ if shift => Key::Char(name.to_uppercase()),
                _ => Key::Char(name.to_string()),
            };
            Step::Inputs(vec![Input::Key { key, ctrl }])
        }
        "move" => {
            let v = nums(&args, 2)?;
            Step::Inputs(vec![Input::Cursor(v[0], v[1])])
        }
        "leave" => Step::Inputs(vec![Input::CursorLeft]),
        "wheel" => lines(false, false)?,
        "ctrl-wheel" => lines(true, false)?,
        "shift-wheel" => lines(false, true)?,
        "pixels" => pixels(false)?,
        "ctrl-pixels" => pixels(true)?,
        "pinch" => Step::Inputs(vec![Input::Pinch(nums(&args, 1)?[0])]),
        "click" => {
            let v = nums(&args, 2)?;
            Step::Inputs(click(v[0], v[1], ms))
        }
        "dblclick" => {
            let v = nums(&args, 2)?;
            let mut inputs = click(v[0], v[1], ms);
            inputs.extend(click(v[0], v[1], ms + 100.0));
            Step::Inputs(inputs)
        }
        "drag" | "shift-drag" => {
            let v = nums(&args, 4)?;
            let mut inputs = vec![
                Input::Cursor(v[0], v[1]),
                Input::Button { pressed: true, ms },
            ];
            for i in 1..=8 {
                let t = f64::from(i) / 8.0;
                inputs.push(Input::Cursor(
                    v[0] + t * (v[2] - v[0]),
                    v[1] + t * (v[3] - v[1]),
                ));
            }
            inputs.push(Input::Button {
                pressed: false,
                ms: ms + 50.0,
            });
            if cmd == "shift-drag" {
                Step::Shifted(inputs)
            } else {
                Step::Inputs(inputs)
            }
        }
        "resize" => {
            let v = nums(&args, 2)?;
            Step::Inputs(vec![Input::Resize {
                width: v[0],
                height: v[1],
                scale: v.get(2).copied().unwrap_or(0.0),
            }])
        }
        other => bail!("unknown script command {other:?}"),
    })
}
