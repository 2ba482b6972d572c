//! Loading a profile for a command, with a progress bar and one report of skipped records.
//!
//! Why here and not in the formats crate: a progress bar and stderr are the binary's business. The
//! importer reports progress through a callback; this module turns it into an indicatif bar, shown
//! only when stderr is a terminal and only once a load has taken more than half a second, so scripts
//! and short loads print nothing.

use anyhow::{Context, Result};
use bigflame_formats::{Format, ImportOptions, Progress, ProgressFn, import_path};
use bigflame_model::Profile;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::cli::LoadArgs;

/// Loads with a terminal progress bar when appropriate.
pub fn load(path: &Path, args: &LoadArgs, opts: ImportOptions) -> Result<Profile> {
    load_reporting(path, args, opts, None)
}

/// The one load path of every command and the viewer: `args` (threads, forced format) applied
/// to `opts`, progress to `progress` when given (the viewer's window) or else to a terminal bar
/// that appears after half a second, and the skipped-record report ([`warnings`]) on stderr.
/// Errors name the file and the cause.
pub fn load_reporting(
    path: &Path,
    args: &LoadArgs,
    mut opts: ImportOptions,
    progress: Option<ProgressFn>,
) -> Result<Profile> {
    opts.threads = args.threads;
    if let Some(name) = &args.format {
        let format = Format::from_name(name)
            .with_context(|| format!("unknown format {name:?} (try perf-script or folded)"))?;
        opts.format = Some(format);
    }
    let bar = match progress {
        Some(cb) => {
            opts.progress = Some(cb);
            None
        }
        None => {
            let bar = LazyBar::new(std::io::stderr().is_terminal());
            let progress_bar = Arc::clone(&bar);
            opts.progress = Some(Arc::new(move |p: Progress| {
                LazyBar::update(&progress_bar, p)
            }));
            Some(bar)
        }
    };
    let result = import_path(path, &opts);
    if let Some(bar) = &bar {
        LazyBar::finish(bar);
    }
    let profile = result?;
    for line in warnings(&profile) {
        eprintln!("bigflame: warning: {}: {line}", profile.meta.source);
    }
    Ok(profile)
}

/// What a user should know about a loaded profile, one line per kind of skipped record (never
/// one per record). The importer's own notes, when it wrote any, describe the skipped records in
/// the peers' words and come instead. Shared by stderr and the viewer's window.
pub fn warnings(profile: &Profile) -> Vec<String> {
    if !profile.meta.notes.is_empty() {
        return profile.meta.notes.clone();
    }
    let mut out = Vec::new();
    for (reason, count, location, excerpt) in &profile.meta.skipped.entries {
        if *reason == bigflame_model::SkipReason::OtherEvent {
            continue; // a selection, not a problem; `info` lists every event
        }
        out.push(format!(
            "skipped {count} {} (first at {location}: {excerpt:?})",
            reason.as_str(),
        ));
    }
    out
}

/// A progress bar that appears only after half a second.
struct LazyBar {
    enabled: bool,
    started: Instant,
    bar: Option<ProgressBar>,
}

impl LazyBar {
    fn new(enabled: bool) -> Arc<Mutex<LazyBar>> {
        Arc::new(Mutex::new(LazyBar {
            enabled,
            started: Instant::now(),
            bar: None,
        }))
    }

    fn update(this: &Mutex<LazyBar>, p: Progress) {
        let Ok(mut me) = this.lock() else { return };
        if !me.enabled || me.started.elapsed() < Duration::from_millis(500) {
            return;
        }
        let bar = me.bar.get_or_insert_with(|| {
            let bar = match p.bytes_total {
                Some(total) => ProgressBar::new(total),
                None => ProgressBar::new_spinner(),
            };
            bar.set_draw_target(ProgressDrawTarget::stderr());
            let template = if p.bytes_total.is_some() {
                "{spinner} loading [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta}) {msg}"
            } else {
                "{spinner} loading {bytes} ({bytes_per_sec}) {msg}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        bar.set_position(p.bytes_done);
        bar.set_message(format!("{} samples", p.samples_so_far));
    }

    fn finish(this: &Mutex<LazyBar>) {
        if let Ok(mut me) = this.lock()
            && let Some(bar) = me.bar.take()
        {
            bar.finish_and_clear();
        }
    }
}
