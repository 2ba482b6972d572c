//! Ctrl+O: an open-file dialog through the desktop's own helper (`zenity`, then `kdialog`).
//!
//! Why not a toolkit crate (rfd): on Linux it pulls in a D-Bus/portal or GTK stack that costs
//! minutes of build time on small machines, while every GNOME/KDE desktop already ships one of
//! these helpers. Runs on its own thread (the helper blocks until the user answers); the window
//! keeps drawing meanwhile. `BIGFLAME_FILE_DIALOG` names another helper that prints a path.

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Asks the user for a profile: `Ok(None)` when cancelled, `Err` when no helper is installed.
pub fn pick_file() -> Result<Option<PathBuf>, String> {
    let custom = std::env::var("BIGFLAME_FILE_DIALOG").ok();
    let mut helpers: Vec<Vec<String>> = Vec::new();
    if let Some(cmd) = custom.filter(|c| !c.trim().is_empty()) {
        helpers.push(cmd.split_whitespace().map(str::to_string).collect());
    }
    helpers.push(vec![
        "zenity".into(),
        "--file-selection".into(),
        "--title=Open a profile".into(),
    ]);
    helpers.push(vec![
        "kdialog".into(),
        "--getopenfilename".into(),
        ".".into(),
    ]);
    for helper in &helpers {
        let Some((program, args)) = helper.split_first() else {
            continue;
        };
        let output = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output();
        let Ok(output) = output else {
            continue; // not installed: try the next one
        };
        let text = String::from_utf8_lossy(&output.stdout);
        let path = text.trim_end_matches(['\n', '\r']);
        return Ok((output.status.success() && !path.is_empty()).then(|| PathBuf::from(path)));
    }
    Err(
        "no file dialog helper found (install zenity or kdialog, or drop a file on the window)"
            .into(),
    )
}
