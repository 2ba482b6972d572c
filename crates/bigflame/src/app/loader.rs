//! Background loading: the window appears at once and shows progress while a worker thread
//! imports the profile.
//!
//! Why a plain thread and a callback sink: the importer is synchronous (it parallelises inside
//! with rayon) and reports progress through a callback; the window turns [`LoadEvent`]s into
//! winit user events, the script mode just waits. Progress is throttled to whole percents so a
//! multi-gigabyte load wakes the UI at most ~100 times.

use crate::app::viewer::Loaded;
use crate::cli::LoadArgs;
use bigflame_formats::{Format, ImportOptions, Progress, import_path};
use bigflame_model::Profile;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// What the worker reports.
pub enum LoadEvent {
    /// Fraction done (0..=1) when the size is known, else `None` with bytes read so far.
    Progress(Option<f64>),
    /// Finished: the profile with its first view built, or a message.
    Done(Result<Box<Loaded>, String>),
}

/// Imports `path` (`-` = stdin) on a new thread, sending events to `sink`.
pub fn spawn(
    path: PathBuf,
    args: LoadArgs,
    sink: impl Fn(LoadEvent) + Send + Sync + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("bigflame-load".into())
        .spawn(move || {
            let sink = Arc::new(sink);
            let result = load(&path, &args, Some(sink.clone()));
            sink(LoadEvent::Done(result.map(|p| Box::new(Loaded::new(p)))));
        })
}

/// Imports synchronously; progress (throttled) goes to `sink` when given. Errors are formatted
/// for people (file name and cause) and also printed to stderr.
pub fn load(
    path: &Path,
    args: &LoadArgs,
    sink: Option<Arc<impl Fn(LoadEvent) + Send + Sync + 'static>>,
) -> Result<Profile, String> {
    let mut opts = ImportOptions::default();
    if let Some(sink) = sink {
        let last = AtomicU64::new(u64::MAX);
        opts.progress = Some(Arc::new(move |p: Progress| {
            let frac = p
                .bytes_total
                .filter(|&t| t > 0)
                .map(|t| (p.bytes_done as f64 / t as f64).clamp(0.0, 1.0));
            let key = frac.map_or(p.bytes_done >> 24, |f| (f * 100.0) as u64);
            if last.swap(key, Ordering::Relaxed) != key {
                sink(LoadEvent::Progress(frac));
            }
        }));
    }
    opts.threads = args.threads;
    if let Some(name) = &args.format {
        opts.format = Some(
            Format::from_name(name)
                .ok_or_else(|| format!("unknown format {name:?} (try perf-script or folded)"))?,
        );
    }
    // Not `crate::load::load`: it installs its own terminal progress bar as the callback.
    let result = import_path(path, &opts).map_err(|e| e.to_string());
    if let Err(msg) = &result {
        eprintln!("bigflame: error: {msg}");
    }
    result
}
