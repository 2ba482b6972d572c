//! The parallel core shared by the in-memory and streaming paths: chunk splitting, parallel parsing
//! with progress, and the in-order merge.
//!
//! Why merge incrementally: holding every chunk's builder until the end would cost one local copy of
//! the frame and stack tables per chunk (hundreds of chunks for a multi-gigabyte file). Merging
//! into one global builder as soon as chunks are parsed bounds memory by the model plus the chunks
//! in flight: streams merge block by block in waves (`stream.rs`), in-memory inputs chunk by chunk
//! without barriers (`pipeline.rs`).

use super::{ChunkFormat, ImportOptions, Progress, ProgressFn, SnapshotFn};
use crate::error::count_newlines;
use bigflame_model::{Profile, ProfileBuilder, ProfileMeta, ThreadKey};
use rayon::prelude::*;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Runs `f` on a pool of `threads` threads (0 = all cores); falls back to the global pool.
///
/// Pools are built once per thread count and kept: building one per import started and stopped
/// threads on every call (a cost for many small imports, such as the viewer re-reading a file),
/// and threads exiting after the import returned made leak checkers report their last
/// allocations.
pub(crate) fn with_pool<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    static POOLS: Mutex<Vec<(usize, Arc<rayon::ThreadPool>)>> = Mutex::new(Vec::new());
    let pool = {
        let mut pools = POOLS.lock().unwrap_or_else(PoisonError::into_inner);
        match pools.iter().find(|(n, _)| *n == threads) {
            Some((_, pool)) => Some(Arc::clone(pool)),
            None => match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
                Ok(pool) => {
                    let pool = Arc::new(pool);
                    pools.push((threads, Arc::clone(&pool)));
                    Some(pool)
                }
                Err(_) => None,
            },
        }
    };
    match pool {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

/// Splits `data[start..]` into record-aligned chunk ranges.
pub(crate) fn split(
    data: &[u8],
    start: usize,
    boundary: fn(&[u8], usize) -> usize,
    chunk_bytes: usize,
    threads: usize,
) -> Vec<Range<usize>> {
    let len = data.len().saturating_sub(start);
    let mut n = len.div_ceil(chunk_bytes.max(1)).max(1);
    if len >= threads * (256 << 10) {
        n = n.max(4 * threads);
    }
    let step = len.div_ceil(n).max(1);
    let mut ranges = Vec::with_capacity(n);
    let mut prev = start;
    while prev < data.len() {
        let target = (prev + step).min(data.len());
        let cut = boundary(data, target).clamp(target, data.len());
        ranges.push(prev..cut);
        prev = cut;
    }
    ranges
}

/// Called with a chunk's range of the input just before it is parsed (see `import_slice`).
pub(crate) type PrepareFn<'p> = dyn Fn(Range<usize>) + Sync + 'p;

/// Parses chunks and reports progress.
pub(crate) struct Engine<'f, 'a> {
    fmt: &'f ChunkFormat<'a>,
    prepare: Option<&'f PrepareFn<'f>>,
    progress: Option<ProgressFn>,
    bytes_total: Option<u64>,
    /// For streams: the raw bytes read, reported instead of parsed bytes.
    raw_read: Option<Arc<AtomicU64>>,
    bytes_done: AtomicU64,
    samples: AtomicU64,
}

impl<'f, 'a> Engine<'f, 'a> {
    pub(crate) fn new(
        fmt: &'f ChunkFormat<'a>,
        opts: &ImportOptions,
        bytes_total: Option<u64>,
        raw_read: Option<Arc<AtomicU64>>,
    ) -> Self {
        Engine {
            fmt,
            prepare: None,
            progress: opts.progress.clone(),
            bytes_total,
            raw_read,
            bytes_done: AtomicU64::new(0),
            samples: AtomicU64::new(0),
        }
    }

    /// Calls `prepare` with each chunk's range before parsing it.
    pub(crate) fn preparing(mut self, prepare: Option<&'f PrepareFn<'f>>) -> Self {
        self.prepare = prepare;
        self
    }

    /// Parses `ranges` of `data` (whose first byte is at input offset `base`) in parallel, in order.
    pub(crate) fn parse_all(
        &self,
        data: &[u8],
        base: u64,
        ranges: &[Range<usize>],
    ) -> Vec<ProfileBuilder> {
        ranges
            .par_iter()
            .map(|r| self.parse_one(data, base, r.clone()))
            .collect()
    }

    /// Parses one chunk `data[r]` (input offset `base + r.start`) and reports progress.
    pub(crate) fn parse_one(&self, data: &[u8], base: u64, r: Range<usize>) -> ProfileBuilder {
        if let Some(prepare) = self.prepare {
            prepare(r.clone());
        }
        let len = r.len() as u64;
        let b = (self.fmt.parse_chunk)(&data[r.clone()], base + r.start as u64);
        let done = self.bytes_done.fetch_add(len, Ordering::Relaxed) + len;
        let n = samples_in(&b);
        let samples = self.samples.fetch_add(n, Ordering::Relaxed) + n;
        if let Some(cb) = &self.progress {
            let bytes_done = match &self.raw_read {
                Some(raw) => raw.load(Ordering::Relaxed),
                None => done,
            };
            cb(Progress {
                bytes_done,
                bytes_total: self.bytes_total,
                samples_so_far: samples,
            });
        }
        b
    }

    /// The final progress report.
    pub(crate) fn report(&self, bytes_done: u64, profile: &Profile) {
        if let Some(cb) = &self.progress {
            let samples = (0..profile.events.len())
                .map(|e| profile.sample_count(bigflame_model::EventId::from_index(e)) as u64)
                .sum();
            cb(Progress {
                bytes_done: self.bytes_total.unwrap_or(bytes_done),
                bytes_total: self.bytes_total,
                samples_so_far: samples,
            });
        }
    }
}

fn samples_in(b: &ProfileBuilder) -> u64 {
    b.threads
        .iter()
        .flat_map(|t| t.samples.iter())
        .map(|c| c.len() as u64)
        .sum()
}

/// Merges chunk builders in input order and turns skip offsets into line numbers.
#[derive(Default)]
pub(crate) struct Merger {
    global: Option<ProfileBuilder>,
    /// Newlines counted in the input before absolute offset `counted_upto`.
    pub(super) lines: u64,
    counted_upto: u64,
    /// [`ImportOptions::snapshot`], shown each merged profile before it is reopened.
    pub(crate) snapshot: Option<SnapshotFn>,
}

impl Merger {
    /// A merger for an input whose first byte is at offset `base` (3 after a UTF-8 BOM).
    pub(crate) fn starting_at(base: u64) -> Self {
        Merger {
            counted_upto: base,
            ..Merger::default()
        }
    }

    /// Merges the builders parsed from `data` (input offset `base`). With `advance`, counts the lines
    /// of the whole of `data` afterwards (streams, whose blocks are dropped after merging).
    pub(crate) fn merge(
        &mut self,
        builders: Option<Vec<ProfileBuilder>>,
        data: &[u8],
        base: u64,
        advance: bool,
    ) {
        let Some(mut builders) = builders else { return };
        for b in &mut builders {
            for entry in &mut b.skipped.entries {
                let known = self
                    .global
                    .as_ref()
                    .is_some_and(|g| g.skipped.entries.iter().any(|e| e.0 == entry.0));
                if known {
                    continue;
                }
                let offset = entry
                    .2
                    .strip_prefix("byte ")
                    .and_then(|n| n.parse::<u64>().ok());
                if let Some(line) = offset.and_then(|o| self.line_at(data, base, o)) {
                    entry.2 = format!("line {line}");
                }
            }
        }
        let all: Vec<ProfileBuilder> = self.global.take().into_iter().chain(builders).collect();
        let merged = bigflame_model::merge_builders(all, ProfileMeta::default());
        if let Some(hook) = &self.snapshot {
            hook(&merged);
        }
        self.global = Some(reopen(merged));
        if advance {
            let end = base + data.len() as u64;
            if self.counted_upto >= base && self.counted_upto < end {
                self.lines += count_newlines(&data[(self.counted_upto - base) as usize..]);
                self.counted_upto = end;
            }
        }
    }

    /// The 1-based line of absolute offset `at`, which lies in `data` (at input offset `base`).
    fn line_at(&mut self, data: &[u8], base: u64, at: u64) -> Option<u64> {
        let end = base + data.len() as u64;
        if at < base || at > end || self.counted_upto < base || self.counted_upto > end {
            return None;
        }
        let rel = |o: u64| (o - base) as usize;
        if at >= self.counted_upto {
            self.lines += count_newlines(&data[rel(self.counted_upto)..rel(at)]);
            self.counted_upto = at;
            Some(self.lines + 1)
        } else {
            Some(self.lines - count_newlines(&data[rel(at)..rel(self.counted_upto)]) + 1)
        }
    }

    /// The merged profile, with the format's notes about its skipped records.
    pub(crate) fn finish(
        self,
        meta: ProfileMeta,
        warnings: fn(&bigflame_model::Skipped) -> Vec<String>,
    ) -> Profile {
        let mut profile = self.global.unwrap_or_default().finish(meta);
        let notes = warnings(&profile.meta.skipped);
        profile.meta.notes.extend(notes);
        profile
    }
}

/// Turns a merged profile back into a builder so that later chunks can be merged into it.
fn reopen(p: Profile) -> ProfileBuilder {
    let mut b = ProfileBuilder::new();
    b.strings = p.strings;
    b.frames = p.frames;
    b.stacks = p.stacks;
    b.events = p.events;
    b.skipped = p.meta.skipped;
    for t in p.threads {
        let id = b.thread(ThreadKey {
            pid: t.pid,
            tid: t.tid,
            name: t.name,
        });
        b.threads[id.index()].samples = t.samples;
    }
    b
}

#[cfg(test)]
mod snapshot_tests {
    use crate::{ImportOptions, import_bytes, import_reader};
    use bigflame_model::{EventId, Profile};
    use std::sync::{Arc, Mutex};

    /// 40 folded lines `main;fN 1`: 40 samples of weight 1, in input order.
    fn input() -> String {
        (0..40).map(|i| format!("main;f{i} 1\n")).collect()
    }

    fn counts(snaps: &Mutex<Vec<(usize, usize)>>) -> Vec<(usize, usize)> {
        snaps.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// Options with 1 thread and tiny chunks/blocks, recording (samples, frames) per snapshot.
    fn opts(snaps: &Arc<Mutex<Vec<(usize, usize)>>>) -> ImportOptions {
        let sink = Arc::clone(snaps);
        ImportOptions {
            threads: 1,
            chunk_bytes: 40,
            block_bytes: 60,
            snapshot: Some(Arc::new(move |p: &Profile| {
                let samples = if p.events.is_empty() {
                    0
                } else {
                    p.sample_count(EventId::from_index(0))
                };
                if let Ok(mut v) = sink.lock() {
                    v.push((samples, p.frames.len()));
                }
            })),
            ..ImportOptions::default()
        }
    }

    /// Each snapshot is a growing prefix of the input (1 frame `main` + one per sample), and
    /// the last one is smaller than the whole (the final merge is not snapshotted).
    fn check(snaps: &[(usize, usize)], what: &str) {
        assert!(snaps.len() >= 2, "{what}: several snapshots: {snaps:?}");
        for w in snaps.windows(2) {
            assert!(w[0].0 < w[1].0, "{what}: growing: {snaps:?}");
        }
        for &(samples, frames) in snaps {
            assert!(samples > 0 && samples < 40, "{what}: partial: {snaps:?}");
            assert_eq!(frames, samples + 1, "{what}: a prefix of the input");
        }
    }

    #[test]
    fn in_memory_imports_show_the_merged_prefix_after_each_wave() {
        let snaps = Arc::new(Mutex::new(Vec::new()));
        let p = import_bytes(input().as_bytes(), "s.folded", &opts(&snaps)).expect("parses");
        assert_eq!(p.sample_count(EventId::from_index(0)), 40);
        check(&counts(&snaps), "in memory");
    }

    #[test]
    fn streams_show_the_merged_prefix_after_each_block() {
        // More than the 64 KiB read for sniffing, in 16 KiB blocks.
        let text: String = (0..8000).map(|i| format!("main;f{i} 1\n")).collect();
        let snaps = Arc::new(Mutex::new(Vec::new()));
        let mut o = opts(&snaps);
        o.block_bytes = 16 << 10;
        o.chunk_bytes = 4 << 10;
        let reader = Box::new(std::io::Cursor::new(text.into_bytes()));
        let p = import_reader(reader, "s.folded", &o).expect("parses");
        assert_eq!(p.sample_count(EventId::from_index(0)), 8000);
        let snaps = counts(&snaps);
        // Streams snapshot every merged block, the last included (its merge ends the loop).
        assert!(snaps.len() >= 2, "several snapshots: {snaps:?}");
        assert!(snaps.windows(2).all(|w| w[0].0 <= w[1].0), "{snaps:?}");
        assert!(
            snaps.iter().all(|&(s, f)| f == s + 1 && s <= 8000),
            "{snaps:?}"
        );
    }
}
