//! Ctrl+O / Ctrl+S: native file dialogs through `rfd` (the XDG desktop portal over D-Bus, with
//! rfd's own `zenity` fallback), then `kdialog`, run on their own thread (a dialog blocks until
//! the user answers; the window keeps drawing meanwhile).
//!
//! Why rfd with only `xdg-portal`: it talks D-Bus through `libdbus-1` loaded at run time, so the
//! build needs no system libraries or GTK (seconds to compile, nothing to install in CI), and the
//! portal gives the desktop's own dialog on GNOME, KDE and sandboxes. rfd cannot tell "cancelled"
//! from "no dialog available" (both are `None`), so it is only used where a dialog can exist: a
//! session bus is set, or `zenity` is installed; otherwise `kdialog`, else an error (open) or
//! the default path next to the input (save). `BIGFLAME_FILE_DIALOG` / `BIGFLAME_SAVE_DIALOG`
//! name a helper command that prints a path instead (tests use `echo PATH`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Asks the user for a profile: `Ok(None)` when cancelled, `Err` when no dialog is available.
pub fn pick_file() -> Result<Option<PathBuf>, String> {
    if let Some(answer) = custom_helper("BIGFLAME_FILE_DIALOG") {
        return Ok(answer);
    }
    if rfd_usable() {
        return Ok(rfd::FileDialog::new()
            .set_title("Open a profile")
            .pick_file());
    }
    let kdialog = ["kdialog", "--getopenfilename", "."];
    run_helper(&kdialog).ok_or_else(|| {
        "no file dialog available (no desktop portal, zenity or kdialog): drop a file on the \
         window or pass it on the command line"
            .to_string()
    })
}

/// Asks where to save, suggesting `suggested`: `Ok(None)` when cancelled; with no dialog
/// available, `suggested` itself (the caller says where it went).
pub fn pick_save_path(suggested: &Path) -> Result<Option<PathBuf>, String> {
    if let Some(answer) = custom_helper("BIGFLAME_SAVE_DIALOG") {
        return Ok(answer);
    }
    if rfd_usable() {
        let mut d = rfd::FileDialog::new()
            .set_title("Save as speedscope JSON")
            .add_filter("speedscope JSON", &["json"]);
        if let Some(name) = suggested.file_name().and_then(|n| n.to_str()) {
            d = d.set_file_name(name);
        }
        if let Some(dir) = suggested.parent().filter(|p| !p.as_os_str().is_empty()) {
            d = d.set_directory(dir);
        }
        return Ok(d.save_file());
    }
    let path = suggested.to_string_lossy();
    let kdialog = ["kdialog", "--getsavefilename", &path];
    Ok(run_helper(&kdialog).unwrap_or_else(|| Some(suggested.to_path_buf())))
}

/// Whether rfd can show anything: a session bus (for the portal) or zenity (its fallback).
fn rfd_usable() -> bool {
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty()) || on_path("zenity")
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// The answer of the helper named by `var`, when it is set: `Some(None)` when it printed nothing.
fn custom_helper(var: &str) -> Option<Option<PathBuf>> {
    let cmd = std::env::var(var).ok().filter(|c| !c.trim().is_empty())?;
    let words: Vec<&str> = cmd.split_whitespace().collect();
    Some(run_helper(&words).flatten())
}

/// Runs a helper that prints a path: `None` when it cannot be started, `Some(None)` when it
/// printed nothing or failed (cancelled).
fn run_helper(words: &[&str]) -> Option<Option<PathBuf>> {
    let (program, args) = words.split_first()?;
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let path = text.trim_end_matches(['\n', '\r']);
    Some((output.status.success() && !path.is_empty()).then(|| PathBuf::from(path)))
}
