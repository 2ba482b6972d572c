//! Background loading: the window appears at once, shows progress (bytes, %, samples) while a
//! worker thread imports the profile, and — for big files — shows what is parsed so far
//! (progressive display) before the import ends.
//!
//! Why this shape: the import goes through the one shared load path ([`crate::load`]: options,
//! progress, skipped-record report on stderr), with the window's progress callback instead of
//! the terminal bar. Progressive display uses the importer's snapshot hook
//! (`ImportOptions::snapshot`, called on the merging thread with the profile merged so far):
//! the hook only clones the profile when a snapshot is due and the snapshot thread is idle, and
//! that thread prepares it for display ([`Loaded::new`], the first Time Order index) so neither
//! the parser nor the UI waits. Snapshots start after [`LoadConfig::first_snapshot`] (small
//! files never take one) and are spaced by at least four times what the last one cost, so
//! their total cost stays a fraction of the import. Progress is throttled to whole percents.

use crate::app::viewer::Loaded;
use crate::cli::LoadArgs;
use bigflame_formats::{ImportOptions, Progress};
use bigflame_model::Profile;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the worker reports.
pub enum LoadEvent {
    /// Bytes read so far, the total when known, samples so far.
    Progress(Progress),
    /// What is parsed so far, prepared for display (progressive display).
    Partial(Box<Loaded>),
    /// Finished: the profile with its first view built, or a message.
    Done(Result<Box<Loaded>, String>),
}

/// How to load.
#[derive(Clone)]
pub struct LoadConfig {
    /// `--threads`, `--format`.
    pub args: LoadArgs,
    /// Import options to start from (tests use small chunks).
    pub opts: ImportOptions,
    /// No snapshot before this much time into the load.
    pub first_snapshot: Duration,
    /// At least this long between snapshots.
    pub min_interval: Duration,
}

impl LoadConfig {
    /// The window's defaults: first snapshot after 0.4 s, then at most every 0.5 s.
    pub fn new(args: LoadArgs) -> Self {
        Self {
            args,
            opts: ImportOptions::default(),
            first_snapshot: Duration::from_millis(400),
            min_interval: Duration::from_millis(500),
        }
    }
}

/// Imports `path` (`-` = stdin) on a new thread, sending events to `sink`. No `Partial` comes
/// after `Done`.
pub fn spawn(
    path: PathBuf,
    config: LoadConfig,
    sink: impl Fn(LoadEvent) + Send + Sync + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("bigflame-load".into())
        .spawn(move || {
            let sink: Arc<dyn Fn(LoadEvent) + Send + Sync> = Arc::new(sink);
            let (snapshots, builder) = Snapshots::start(&config, sink.clone());
            let result = load(&path, &config, Some(sink.clone()), snapshots.clone());
            // Stop taking snapshots and let the last one finish before `Done`.
            if let Some(s) = &snapshots {
                s.close();
            }
            drop(snapshots);
            if let Some(b) = builder {
                let _ = b.join();
            }
            sink(LoadEvent::Done(result.map(|p| Box::new(Loaded::new(p)))));
        })
}

/// Imports synchronously through the shared load path; progress (throttled) goes to `sink`
/// when given, snapshots to `snapshots`. Errors are formatted for people (file name and cause)
/// and also printed to stderr, like the skipped-record warnings.
pub fn load(
    path: &Path,
    config: &LoadConfig,
    sink: Option<Arc<dyn Fn(LoadEvent) + Send + Sync>>,
    snapshots: Option<Arc<Snapshots>>,
) -> Result<Profile, String> {
    let mut opts = config.opts.clone();
    if let Some(s) = snapshots {
        opts.snapshot = Some(Arc::new(move |p: &Profile| s.offer(p)));
    }
    let progress = sink.map(|sink| {
        let last = AtomicU64::new(u64::MAX);
        let cb: bigflame_formats::ProgressFn = Arc::new(move |p: Progress| {
            let key = match p.bytes_total.filter(|&t| t > 0) {
                Some(t) => (p.bytes_done as f64 / t as f64 * 100.0) as u64,
                None => p.bytes_done >> 24,
            };
            if last.swap(key, Ordering::Relaxed) != key {
                sink(LoadEvent::Progress(p));
            }
        });
        cb
    });
    let result = crate::load::load_reporting(path, &config.args, opts, progress)
        .map_err(|e| format!("{e:#}"));
    if let Err(msg) = &result {
        eprintln!("bigflame: error: {msg}");
    }
    result
}

/// The snapshot side of a load: decides when the merged-so-far profile is worth a clone, and
/// hands it to its own thread, which prepares it for display.
pub struct Snapshots {
    started: Instant,
    min_interval: Duration,
    /// No snapshot before this (time since `started`).
    next_at: Mutex<Duration>,
    /// The snapshot thread is preparing one.
    busy: Arc<AtomicBool>,
    /// How long the last one took to prepare, µs.
    last_cost_us: Arc<AtomicU64>,
    tx: Mutex<Option<SyncSender<Profile>>>,
}

impl Snapshots {
    /// Starts the snapshot thread (none when it cannot be started: the load goes on without).
    fn start(
        config: &LoadConfig,
        sink: Arc<dyn Fn(LoadEvent) + Send + Sync>,
    ) -> (Option<Arc<Self>>, Option<std::thread::JoinHandle<()>>) {
        let (tx, rx) = sync_channel::<Profile>(1);
        let busy = Arc::new(AtomicBool::new(false));
        let cost = Arc::new(AtomicU64::new(0));
        let (b, c) = (busy.clone(), cost.clone());
        let handle = std::thread::Builder::new()
            .name("bigflame-snapshot".into())
            .spawn(move || {
                for profile in rx {
                    let t0 = Instant::now();
                    let loaded = Loaded::new(profile);
                    sink(LoadEvent::Partial(Box::new(loaded)));
                    c.store(t0.elapsed().as_micros() as u64, Ordering::Relaxed);
                    b.store(false, Ordering::Release);
                }
            });
        let Ok(handle) = handle else {
            return (None, None);
        };
        let me = Self {
            started: Instant::now(),
            min_interval: config.min_interval,
            next_at: Mutex::new(config.first_snapshot),
            busy,
            last_cost_us: cost,
            tx: Mutex::new(Some(tx)),
        };
        (Some(Arc::new(me)), Some(handle))
    }

    /// The importer's hook: clones `p` when a snapshot is due and the thread is idle.
    fn offer(&self, p: &Profile) {
        let now = self.started.elapsed();
        let Ok(mut next_at) = self.next_at.lock() else {
            return;
        };
        if now < *next_at || self.busy.load(Ordering::Acquire) {
            return;
        }
        let Ok(tx) = self.tx.lock() else { return };
        let Some(tx) = tx.as_ref() else { return };
        let t0 = Instant::now();
        let copy = p.clone();
        let clone_cost = t0.elapsed();
        self.busy.store(true, Ordering::Release);
        match tx.try_send(copy) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.busy.store(false, Ordering::Release);
                return;
            }
        }
        let last = Duration::from_micros(self.last_cost_us.load(Ordering::Relaxed));
        *next_at = now + self.min_interval.max(4 * (clone_cost + last));
    }

    /// No more snapshots (the import is over).
    fn close(&self) {
        if let Ok(mut tx) = self.tx.lock() {
            *tx = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bigflame_model::EventId;
    use std::sync::mpsc::channel;

    #[test]
    fn a_big_load_shows_partial_profiles_then_the_whole() {
        let dir = std::env::temp_dir().join(format!("bigflame-loader-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("many.folded");
        let text: String = (0..3000).map(|i| format!("main;f{} 1\n", i % 50)).collect();
        std::fs::write(&path, text).expect("write");
        let mut config = LoadConfig::new(LoadArgs::default());
        config.args.threads = 1;
        config.opts.chunk_bytes = 512;
        config.first_snapshot = Duration::ZERO;
        config.min_interval = Duration::ZERO;
        let (tx, rx) = channel();
        let tx = Mutex::new(tx);
        let handle = spawn(path, config, move |ev| {
            if let Ok(tx) = tx.lock() {
                let _ = tx.send(ev);
            }
        })
        .expect("spawned");
        let _ = handle.join();
        let _ = std::fs::remove_dir_all(&dir);
        let samples = |l: &Loaded| l.profile.sample_count(EventId::from_index(0));
        let mut partial = Vec::new();
        let mut done = None;
        let mut progress = 0;
        for ev in rx.try_iter() {
            match ev {
                LoadEvent::Progress(_) => progress += 1,
                LoadEvent::Partial(l) => {
                    assert!(done.is_none(), "no partial after done");
                    partial.push(samples(&l));
                }
                LoadEvent::Done(r) => done = Some(samples(&r.expect("loads"))),
            }
        }
        assert!(progress > 0);
        assert_eq!(done, Some(3000));
        assert!(!partial.is_empty(), "at least one partial profile");
        assert!(partial.iter().all(|&n| n > 0 && n < 3000), "{partial:?}");
        assert!(partial.windows(2).all(|w| w[0] < w[1]), "{partial:?}");
    }
}
