//! Opening inputs: mmap for regular files, `read()` for everything else, gzip by content.
//!
//! Why mmap: a multi-gigabyte `perf script` file parsed by all cores should not be copied into the
//! heap first; the page cache *is* the buffer, and chunks are plain `&[u8]` slices of it. Why a
//! fallback: pipes, FIFOs, `/proc` files (which report a size of 0) and empty files cannot be mapped,
//! and stdin is a pipe most of the time (`perf script | bigflame -`). Those are streamed in blocks by
//! the driver, so memory stays bounded by the model rather than the input.
//!
//! Why gzip by content: `.gz` names lie both ways (a renamed file, or `perf script | gzip` on stdin),
//! so the gzip magic bytes `1f 8b` decide, never the extension. A gzipped input is always a stream
//! (decompression is sequential), decoded with `MultiGzDecoder` so concatenated members
//! (`cat a.gz b.gz`) read as one file.

use crate::error::ImportError;
use flate2::read::MultiGzDecoder;
use memmap2::Mmap;
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The bytes of an input.
pub enum Source {
    /// A memory-mapped regular file.
    Mapped(Mmap),
    /// Bytes already in memory (a file that could not be mapped but was small enough to read, or
    /// bytes handed to [`crate::import_bytes`]).
    Owned(Vec<u8>),
    /// A reader consumed once, front to back (stdin, pipes, special files, gzip).
    Stream(Box<dyn Read + Send>),
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Mapped(m) => write!(f, "Mapped({} bytes)", m.len()),
            Source::Owned(v) => write!(f, "Owned({} bytes)", v.len()),
            Source::Stream(_) => write!(f, "Stream"),
        }
    }
}

/// An opened input.
#[derive(Debug)]
pub struct Input {
    /// The name used in messages and `ProfileMeta::source`: the path as given, `-` for stdin.
    pub name: String,
    /// The bytes.
    pub source: Source,
    /// True when the data is gzip-compressed (then `source` is a decoding stream).
    pub gzip: bool,
    /// Size of the underlying file in bytes (the compressed size for gzip), when known.
    pub bytes_total: Option<u64>,
    /// Raw bytes consumed so far from the underlying file or pipe (compressed bytes for gzip); the
    /// driver reports it as progress for streams.
    pub bytes_read: Arc<AtomicU64>,
}

impl Input {
    /// An in-memory input (gzip is detected and decoded like for files).
    pub fn from_vec(name: &str, data: Vec<u8>) -> Input {
        let total = data.len() as u64;
        Input::plain(name, Source::Owned(data), Some(total)).gunzip_if_needed()
    }

    /// A stream input; peeks at the first bytes to detect gzip.
    pub fn from_reader(
        name: &str,
        reader: Box<dyn Read + Send>,
        bytes_total: Option<u64>,
    ) -> Result<Input, ImportError> {
        let counter = Arc::new(AtomicU64::new(0));
        let counted = Counting {
            inner: reader,
            n: Arc::clone(&counter),
        };
        let (head, rest) = peek(Box::new(counted), 2).map_err(|e| ImportError::io(name, e))?;
        let gzip = is_gzip(&head);
        let stream: Box<dyn Read + Send> = Box::new(Cursor::new(head).chain(rest));
        let stream: Box<dyn Read + Send> = if gzip {
            Box::new(MultiGzDecoder::new(stream))
        } else {
            stream
        };
        Ok(Input {
            name: name.to_string(),
            source: Source::Stream(stream),
            gzip,
            bytes_total,
            bytes_read: counter,
        })
    }

    fn plain(name: &str, source: Source, bytes_total: Option<u64>) -> Input {
        Input {
            name: name.to_string(),
            source,
            gzip: false,
            bytes_total,
            bytes_read: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Turns an in-memory gzip input into a decoding stream.
    fn gunzip_if_needed(self) -> Input {
        let bytes: &[u8] = match &self.source {
            Source::Mapped(m) => m,
            Source::Owned(v) => v,
            Source::Stream(_) => return self,
        };
        if !is_gzip(bytes) {
            return self;
        }
        let raw: Box<dyn Read + Send> = match self.source {
            Source::Mapped(m) => Box::new(Cursor::new(m)),
            Source::Owned(v) => Box::new(Cursor::new(v)),
            Source::Stream(s) => s,
        };
        let counted = Counting {
            inner: raw,
            n: Arc::clone(&self.bytes_read),
        };
        Input {
            source: Source::Stream(Box::new(MultiGzDecoder::new(counted))),
            gzip: true,
            ..self
        }
    }
}

/// True when `head` starts with the gzip magic bytes.
pub fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// Opens `path` (`-` = stdin). With `use_mmap` false, regular files are streamed with `read()` too.
pub fn open(path: &Path, use_mmap: bool) -> Result<Input, ImportError> {
    let name = path.display().to_string();
    if path.as_os_str() == "-" {
        return Input::from_reader("-", Box::new(io::stdin()), None);
    }
    let file = File::open(path).map_err(|e| ImportError::io(path, e))?;
    let meta = file.metadata().map_err(|e| ImportError::io(path, e))?;
    if meta.is_dir() {
        let e = io::Error::new(io::ErrorKind::InvalidInput, "is a directory");
        return Err(ImportError::io(path, e));
    }
    // Regular files with a size are mapped; everything else (FIFOs, character devices, `/proc` files
    // that report 0 bytes, empty files, a failed mapping) is read as a stream.
    if use_mmap
        && meta.is_file()
        && meta.len() > 0
        && let Ok(map) = map_file(&file)
    {
        let input = Input::plain(&name, Source::Mapped(map), Some(meta.len()));
        return Ok(input.gunzip_if_needed());
    }
    let total = (meta.is_file() && meta.len() > 0).then_some(meta.len());
    Input::from_reader(&name, Box::new(file), total)
}

/// Maps a file read-only.
///
/// The project's only `unsafe` code.
#[allow(unsafe_code)]
fn map_file(file: &File) -> io::Result<Mmap> {
    // SAFETY: `Mmap::map` is unsafe because the mapped bytes can change under us if another process
    // writes to (or truncates) the file while it is mapped, which Rust's `&[u8]` aliasing rules do not
    // allow for. What we do about it:
    // * the mapping is read-only and private to this process; we never write through it;
    // * every parser treats the bytes as untrusted input: it bounds-checks every index, validates
    //   UTF-8 before making a `&str` (copying into the model's own tables), and never assumes that a
    //   byte read twice has the same value, so bytes changing under a parser yield, at worst, a
    //   garbage profile or skipped records, never an out-of-bounds access in safe code;
    // * profiles are files written once by a profiler and then read; the common concurrent case (a
    //   profiler still appending) is harmless because we only look at the length mapped at open time;
    // * truncating the file while it is mapped makes the kernel raise SIGBUS on access to the lost
    //   pages, which kills the process: a crash, not a silent corruption. Users who read files that
    //   are being rewritten can turn mmap off (`ImportOptions::mmap = false`) and use `read()`.
    // This is the same contract ripgrep and other tools accept for mmap-based reading.
    unsafe { Mmap::map(file) }
}

/// Reads up to `n` bytes from the front of `reader` (fewer only at end of input), returning them and
/// the rest of the reader.
fn peek(mut reader: Box<dyn Read + Send>, n: usize) -> io::Result<(Vec<u8>, Box<dyn Read + Send>)> {
    let mut head = vec![0u8; n];
    let mut got = 0;
    while got < n {
        match reader.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    head.truncate(got);
    Ok((head, reader))
}

/// Counts the bytes read through it (for progress on streams).
struct Counting<R> {
    inner: R,
    n: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n.fetch_add(k as u64, Ordering::Relaxed);
        Ok(k)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn read_all(input: Input) -> Vec<u8> {
        match input.source {
            Source::Mapped(m) => m.to_vec(),
            Source::Owned(v) => v,
            Source::Stream(mut s) => {
                let mut v = Vec::new();
                s.read_to_end(&mut v).ok();
                v
            }
        }
    }

    pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(data).ok();
        enc.finish().unwrap_or_default()
    }

    #[test]
    fn regular_files_are_mapped_and_gzip_is_detected_by_content() {
        let dir = std::env::temp_dir().join(format!("bigflame-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let plain = dir.join("a.txt");
        std::fs::write(&plain, b"a;b 1\n").unwrap();
        let input = open(&plain, true).unwrap();
        assert!(matches!(input.source, Source::Mapped(_)));
        assert_eq!(read_all(input), b"a;b 1\n");

        // Gzip without a .gz name, and a .gz name without gzip.
        let hidden = dir.join("b.txt");
        std::fs::write(&hidden, gzip(b"x;y 2\n")).unwrap();
        let input = open(&hidden, true).unwrap();
        assert!(input.gzip);
        assert_eq!(read_all(input), b"x;y 2\n");
        let liar = dir.join("c.gz");
        std::fs::write(&liar, b"x;y 2\n").unwrap();
        let input = open(&liar, false).unwrap();
        assert!(!input.gzip && matches!(input.source, Source::Stream(_)));
        assert_eq!(read_all(input), b"x;y 2\n");

        // Empty files are streamed (mapping 0 bytes fails on some platforms).
        let empty = dir.join("empty.txt");
        std::fs::write(&empty, b"").unwrap();
        let input = open(&empty, true).unwrap();
        assert!(matches!(input.source, Source::Stream(_)));
        assert!(read_all(input).is_empty());

        let missing = open(&dir.join("nope.txt"), true).unwrap_err();
        assert!(missing.to_string().contains("nope.txt"), "{missing}");
        let isdir = open(&dir, true).unwrap_err();
        assert!(isdir.to_string().contains("directory"), "{isdir}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn readers_that_return_one_byte_at_a_time_are_peeked_correctly() {
        struct Trickle(Vec<u8>, usize);
        impl Read for Trickle {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.1 >= self.0.len() || buf.is_empty() {
                    return Ok(0);
                }
                buf[0] = self.0[self.1];
                self.1 += 1;
                Ok(1)
            }
        }
        let data = gzip(b"hello\n");
        let input = Input::from_reader("-", Box::new(Trickle(data.clone(), 0)), None).unwrap();
        assert!(input.gzip);
        let counter = Arc::clone(&input.bytes_read);
        assert_eq!(read_all(input), b"hello\n");
        assert_eq!(counter.load(Ordering::Relaxed), data.len() as u64);
        let input = Input::from_reader("-", Box::new(Trickle(b"x".to_vec(), 0)), None).unwrap();
        assert_eq!(read_all(input), b"x");
    }

    #[cfg(unix)]
    #[test]
    fn pipes_and_special_files_use_read() {
        // A /proc file reports a size of 0 but has content.
        let input = open(Path::new("/proc/self/status"), true).unwrap();
        assert!(matches!(input.source, Source::Stream(_)));
        assert!(String::from_utf8_lossy(&read_all(input)).contains("Name:"));
    }
}
