//! `perf.data` recordings, read through `perf script`.
//!
//! Why delegate to perf: `perf.data` is only half a profile. Symbolising it needs the build ids,
//! `/proc/kallsyms`, the DSOs and debug info of the machine that recorded it, which `perf script`
//! knows how to find (and `perf archive` how to bundle). Reimplementing that would be a second,
//! worse perf. So bigflame runs `perf script` and streams its standard output straight into the
//! perf script importer, block by block and in parallel, with no temporary file: memory stays that
//! of the streaming importer, whatever the size of the recording.
//!
//! A file path is given to perf as `-i PATH` (perf seeks in file-mode recordings); bytes from stdin
//! or memory go to perf's standard input (`-i -`), which perf accepts for pipe-mode recordings
//! (`perf record -o -`). perf's own error messages are passed on when it fails.

use crate::driver::ImportOptions;
use crate::error::ImportError;
use crate::format::Format;
use bigflame_model::Profile;
use std::io::{self, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// The `perf` executable: `$BIGFLAME_PERF` when set (tests, unusual installs), else `perf` on PATH.
fn perf_program() -> std::ffi::OsString {
    std::env::var_os("BIGFLAME_PERF").unwrap_or_else(|| "perf".into())
}

/// What feeds `perf script`.
pub(crate) enum PerfInput<'a> {
    /// A file perf opens itself.
    File(&'a Path),
    /// Bytes written to perf's standard input.
    Stream(Box<dyn Read + Send + 'a>),
}

/// Imports a perf.data recording by running `perf script` on it.
pub(crate) fn import(
    input: PerfInput<'_>,
    name: &str,
    opts: &ImportOptions,
) -> Result<Profile, ImportError> {
    let from_stream = matches!(input, PerfInput::Stream(_));
    let mut cmd = Command::new(perf_program());
    cmd.arg("script");
    match &input {
        PerfInput::File(path) => cmd.arg("-i").arg(path),
        PerfInput::Stream(_) => cmd.arg("-i").arg("-"),
    };
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.stdin(match input {
        PerfInput::File(_) => Stdio::null(),
        PerfInput::Stream(_) => Stdio::piped(),
    });
    let mut child = cmd.spawn().map_err(|e| {
        let detail = if e.kind() == io::ErrorKind::NotFound {
            format!(
                "this is a perf.data recording; reading it needs `perf`, which is not installed \
                 (Debian/Ubuntu: `apt-get install linux-perf`), or convert it where perf is: \
                 `perf script -i {name} > {name}.txt`"
            )
        } else {
            format!("this is a perf.data recording; cannot run `perf script`: {e}")
        };
        ImportError::unknown(name, detail)
    })?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let stdin = child.stdin.take();
    let script_opts = ImportOptions {
        format: Some(Format::PerfScript),
        ..opts.clone()
    };
    let (result, err_text) = std::thread::scope(|s| {
        if let (Some(mut to_perf), PerfInput::Stream(mut from)) = (stdin, input) {
            s.spawn(move || {
                // perf stops reading early on a bad recording: a broken pipe is its error to report.
                let _ = io::copy(&mut from, &mut to_perf);
                let _ = to_perf.flush();
            });
        }
        let err_reader = s.spawn(move || {
            let mut text = String::new();
            if let Some(mut e) = stderr {
                let mut buf = Vec::new();
                let _ = e.read_to_end(&mut buf);
                // Keep the end: perf's last lines say what went wrong.
                let tail = &buf[buf.len().saturating_sub(4096)..];
                text = String::from_utf8_lossy(tail).trim().to_string();
            }
            text
        });
        let result = match stdout {
            Some(out) => crate::driver::import_reader(Box::new(out), name, &script_opts),
            None => Err(ImportError::unknown(
                name,
                "perf script produced no output pipe",
            )),
        };
        (result, err_reader.join().unwrap_or_default())
    });
    let status = child.wait().map_err(|e| ImportError::io(name, e))?;
    let samples = |p: &Profile| {
        p.threads
            .iter()
            .any(|t| t.samples.iter().any(|c| !c.is_empty()))
    };
    match result {
        Ok(mut p) if status.success() || samples(&p) => {
            p.meta.notes.push(read_through_note(name));
            if !status.success() {
                p.meta.notes.push(format!(
                    "`perf script` exited with {status}; the profile holds what it printed before: {}",
                    last_line(&err_text)
                ));
            }
            Ok(p)
        }
        Ok(_) | Err(_) if !status.success() => {
            let hint = if from_stream {
                "; perf reads a recording from a pipe only in pipe mode (`perf record -o -`): \
                 open the perf.data file by its path instead"
            } else {
                ""
            };
            Err(ImportError::unknown(
                name,
                format!(
                    "`perf script` failed ({status}): {}{hint}",
                    last_line(&err_text)
                ),
            ))
        }
        other => other.map(|mut p| {
            p.meta.notes.push(read_through_note(name));
            p
        }),
    }
}

/// The profile keeps the `perf-script` format (it *is* perf script output, and commands such as
/// `collapse` name processes in the root frame for it); this note says where it came from.
fn read_through_note(name: &str) -> String {
    format!("{name} is a perf.data recording, read through `perf script`")
}

fn last_line(text: &str) -> &str {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no message")
}
