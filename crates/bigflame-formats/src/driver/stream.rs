//! The streaming path of the driver: stdin, pipes, special files and gzip.
//!
//! Why a reader thread: decompression and `read()` are sequential, parsing is parallel. A dedicated
//! thread fills the next block while the pool parses the current one and merges the previous one, and a
//! rendezvous channel keeps three blocks in flight; merged blocks go back to the reader for reuse (at
//! most two wait there), which avoids page-faulting fresh memory for every block. Each block is cut at its last record boundary
//! (searched backwards in growing windows, so a 10 MB record only grows the block that holds it) and the
//! remainder is carried into the next block, so chunks never split a record.
//!
//! UTF-16 input (rare, small: Windows tools) is read whole and transcoded before parsing.

use super::{
    Engine, ImportOptions, Merger, Plan, chunk_format, empty_profile, import_slice, meta, plan,
    split, with_pool,
};
use crate::error::ImportError;
use crate::sniff::{self, Encoding};
use bigflame_model::{Profile, ProfileBuilder, SkipReason};
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// A stream to import.
pub(crate) struct StreamInput<'n> {
    pub(crate) reader: Box<dyn Read + Send>,
    pub(crate) name: &'n str,
    pub(crate) gzip: bool,
    pub(crate) bytes_total: Option<u64>,
    pub(crate) bytes_read: Arc<AtomicU64>,
}

/// Where a truncated gzip stream ended.
#[derive(Clone, Copy, Debug)]
struct Truncation {
    decoded: u64,
    compressed: u64,
}

/// A record-aligned block of decoded input.
struct Block {
    data: Vec<u8>,
    /// Offset of `data[0]` in the decoded input.
    base: u64,
}

enum Msg {
    Block(Block),
    Truncated(Truncation),
    Failed(ImportError),
}

/// Reads errors: a truncated gzip stream is a warning, anything else an error.
struct ErrorContext<'n> {
    name: &'n str,
    gzip: bool,
    bytes_read: Arc<AtomicU64>,
}

impl ErrorContext<'_> {
    fn classify(&self, e: io::Error, decoded: u64) -> Result<Truncation, ImportError> {
        let compressed = self.bytes_read.load(Ordering::Relaxed);
        if !self.gzip {
            Err(ImportError::io(self.name, e))
        } else if e.kind() == io::ErrorKind::UnexpectedEof {
            Ok(Truncation {
                decoded,
                compressed,
            })
        } else {
            Err(ImportError::Decompress {
                path: self.name.into(),
                offset: compressed,
                source: e,
            })
        }
    }
}

/// Appends up to `want - buf.len()` bytes; returns true at end of input.
fn fill(reader: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    let need = want.saturating_sub(buf.len());
    if need == 0 {
        return Ok(false);
    }
    buf.reserve(need);
    let got = reader.take(need as u64).read_to_end(buf)?;
    Ok(got < need)
}

/// The last record start in `buf` after position 0, if any.
fn last_boundary(buf: &[u8], boundary: fn(&[u8], usize) -> usize) -> Option<usize> {
    let mut window = 64 << 10;
    loop {
        let from = buf.len().saturating_sub(window).max(1);
        let cut = boundary(buf, from);
        if cut > 0 && cut < buf.len() {
            return Some(cut);
        }
        if from == 1 {
            return None;
        }
        window *= 4;
    }
}

pub(crate) fn import_stream(
    src: StreamInput<'_>,
    hint: Option<&Path>,
    opts: &ImportOptions,
) -> Result<Profile, ImportError> {
    let StreamInput {
        mut reader,
        name,
        gzip,
        bytes_total,
        bytes_read,
    } = src;
    let ctx = ErrorContext {
        name,
        gzip,
        bytes_read: Arc::clone(&bytes_read),
    };
    let mut head = Vec::new();
    let mut truncated = None;
    let mut eof = match fill(&mut reader, &mut head, sniff::SNIFF_BYTES) {
        Ok(eof) => eof,
        Err(e) => {
            truncated = Some(ctx.classify(e, head.len() as u64)?);
            true
        }
    };
    let format = match plan(&head, eof, name, hint, opts)? {
        Plan::Parse(f) => f,
        Plan::PerfData => {
            let rest = io::Cursor::new(head).chain(reader);
            let input = crate::perf_data::PerfInput::Stream(Box::new(rest));
            return crate::perf_data::import(input, name, opts);
        }
        Plan::Empty(f) => {
            return Ok(with_truncation(
                empty_profile(name, &f),
                truncated,
                name,
                None,
            ));
        }
    };
    let encoding = Encoding::detect(&head);
    // UTF-16 text (rare, small) and whole-document formats are read completely, then parsed in
    // memory.
    if encoding.is_utf16() || super::whole::parser(format).is_some() {
        if !eof && let Err(e) = reader.read_to_end(&mut head) {
            truncated = Some(ctx.classify(e, head.len() as u64)?);
        }
        let forced = ImportOptions {
            format: Some(format),
            ..opts.clone()
        };
        let p = import_slice(&head, name, hint, &forced, None)?;
        return Ok(with_truncation(p, truncated, name, None));
    }
    let base: u64 = if encoding == Encoding::Utf8Bom {
        head.drain(..3);
        3
    } else {
        0
    };
    if truncated.is_some() {
        eof = true;
    }

    let fmt = chunk_format(format, name, opts);
    let boundary = fmt.next_record_boundary;
    let engine = Engine::new(&fmt, opts, bytes_total, Some(Arc::clone(&bytes_read)));
    let mut merger = Merger::starting_at(base);
    merger.snapshot = opts.snapshot.clone();
    let block_bytes = opts.block_bytes.max(1);
    let outcome = std::thread::scope(|ts| {
        let (tx, rx) = sync_channel::<Msg>(0);
        // Merged blocks go back to the reader, which refills them: no page faults on fresh memory.
        let (recycle_tx, recycle_rx) = sync_channel::<Vec<u8>>(2);
        let ctx = &ctx;
        ts.spawn(move || {
            let end = if eof { Some(truncated) } else { None };
            let channels = (&tx, &recycle_rx);
            read_blocks(
                reader,
                head,
                base,
                end,
                block_bytes,
                boundary,
                ctx,
                channels,
            );
        });
        let merger = &mut merger;
        let engine = &engine;
        with_pool(opts.threads, move || {
            let threads = rayon::current_num_threads();
            let mut pending: Option<(Block, Vec<ProfileBuilder>)> = None;
            let mut outcome = Ok(None);
            for msg in rx {
                match msg {
                    Msg::Block(block) => {
                        let ranges = split(&block.data, 0, boundary, opts.chunk_bytes, threads);
                        let (_, parsed) = rayon::join(
                            || merge_block(merger, pending.take(), &recycle_tx),
                            || engine.parse_all(&block.data, block.base, &ranges),
                        );
                        pending = Some((block, parsed));
                    }
                    Msg::Truncated(t) => outcome = Ok(Some(t)),
                    Msg::Failed(e) => {
                        outcome = Err(e);
                        break;
                    }
                }
            }
            merge_block(merger, pending.take(), &recycle_tx);
            outcome
        })
    });
    let truncated = outcome?;
    let last_line = merger.lines + 1;
    let profile = merger.finish(meta(name, format), fmt.warnings);
    engine.report(bytes_read.load(Ordering::Relaxed), &profile);
    Ok(with_truncation(profile, truncated, name, Some(last_line)))
}

fn merge_block(
    merger: &mut Merger,
    pending: Option<(Block, Vec<ProfileBuilder>)>,
    recycle: &SyncSender<Vec<u8>>,
) {
    if let Some((block, builders)) = pending {
        merger.merge(Some(builders), &block.data, block.base, true);
        // The reader may have finished; then the buffer is simply dropped.
        let _ = recycle.try_send(block.data);
    }
}

/// Adds the truncation note and skip entry (`line`: the line where the decoded data ends, if known).
fn with_truncation(
    mut p: Profile,
    t: Option<Truncation>,
    name: &str,
    line: Option<u64>,
) -> Profile {
    if let Some(t) = t {
        let Truncation {
            decoded,
            compressed,
        } = t;
        p.meta.notes.push(format!(
            "{name}: the gzip stream ends unexpectedly at compressed byte {compressed}; the profile \
             holds the {decoded} bytes decoded before that point"
        ));
        p.meta.skipped.add(
            SkipReason::Truncated,
            || match line {
                Some(l) => {
                    format!("line {l} (decoded byte {decoded}, compressed byte {compressed})")
                }
                None => format!("decoded byte {decoded} (compressed byte {compressed})"),
            },
            b"",
        );
    }
    p
}

/// The reader thread: sends record-aligned blocks, then the truncation if any. `end` is `Some` when
/// the input already ended while reading the head.
#[allow(clippy::too_many_arguments)]
fn read_blocks(
    mut reader: Box<dyn Read + Send>,
    mut buf: Vec<u8>,
    mut base: u64,
    mut end: Option<Option<Truncation>>,
    block_bytes: usize,
    boundary: fn(&[u8], usize) -> usize,
    ctx: &ErrorContext<'_>,
    (tx, recycled): (&SyncSender<Msg>, &Receiver<Vec<u8>>),
) {
    let mut want = block_bytes;
    loop {
        if end.is_none() {
            match fill(&mut reader, &mut buf, want) {
                Ok(true) => end = Some(None),
                Ok(false) => {}
                Err(e) => match ctx.classify(e, base + buf.len() as u64) {
                    Ok(t) => end = Some(Some(t)),
                    Err(err) => {
                        let _ = tx.send(Msg::Failed(err));
                        return;
                    }
                },
            }
        }
        if let Some(truncated) = end {
            if !buf.is_empty() && tx.send(Msg::Block(Block { data: buf, base })).is_err() {
                return;
            }
            if let Some(t) = truncated {
                let _ = tx.send(Msg::Truncated(t));
            }
            return;
        }
        match last_boundary(&buf, boundary) {
            Some(cut) => {
                let mut next = recycled.try_recv().unwrap_or_default();
                next.clear();
                next.reserve(block_bytes.max(buf.len() - cut) + 1);
                next.extend_from_slice(&buf[cut..]);
                buf.truncate(cut);
                let block = Block { data: buf, base };
                if tx.send(Msg::Block(block)).is_err() {
                    return;
                }
                base += cut as u64;
                buf = next;
                want = block_bytes;
            }
            // One record is longer than the block: read more before cutting (geometrically, so that a
            // huge record is rescanned only a logarithmic number of times).
            None => want = (buf.len() + block_bytes).max(buf.len() * 2),
        }
    }
}
