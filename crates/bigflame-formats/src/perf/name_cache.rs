//! A per-thread memo of frame names, kept across the chunks a worker parses.
//!
//! Why: each chunk parser names every distinct `symbol (module)` of its chunk once (see
//! `stack_cache.rs`), but a new chunk starts with empty caches, so a 1 GB recording cut into 64
//! chunks named the same few thousand symbols 64 times; naming (demangling, FlameGraph's tidying
//! rules, kernel/JIT annotations) cost ~3,000 instructions a symbol, ~5% of the whole parse of a
//! real `perf record -a -g` capture. Names are a pure function of the line's symbol, module (and
//! address with `--addrs`), the thread's java flag and the naming options, so a worker thread can
//! keep them across chunks without changing any result; chunk-local ids stay chunk-local.
//!
//! The memo lives in a thread-local of the import's worker threads (the driver builds a pool per
//! import, so it goes away with them) and is bounded: it is emptied when it reaches
//! [`MAX_ENTRIES`] or when the naming options change.

use super::frame_line::FrameLine;
use super::names::frame_names;
use super::{Flavour, PerfOptions};
use bigflame_model::{FastMap, FrameKind};
use std::cell::RefCell;

/// Most names kept per thread.
const MAX_ENTRIES: usize = 1 << 16;

/// The options that change names.
type NamingOptions = (Flavour, bool, bool, bool);

/// The names of one frame line (several when inlined frames are joined with `->`).
type Names = Box<[(Box<str>, FrameKind)]>;

#[derive(Default)]
struct NameMemo {
    options: Option<NamingOptions>,
    names: FastMap<Box<[u8]>, Names>,
    key: Vec<u8>,
}

thread_local! {
    static MEMO: RefCell<NameMemo> = RefCell::new(NameMemo::default());
}

/// [`frame_names`], remembered per thread: appends the names of `line`'s frames to `out`.
pub(super) fn cached_frame_names(
    line: &FrameLine<'_>,
    java: bool,
    opts: &PerfOptions,
    out: &mut Vec<(String, FrameKind)>,
) {
    MEMO.with(|memo| {
        let Ok(mut memo) = memo.try_borrow_mut() else {
            frame_names(line, java, opts, out);
            return;
        };
        let options = (
            opts.flavour,
            opts.annotate_kernel,
            opts.annotate_jit,
            opts.include_addrs,
        );
        if memo.options != Some(options) || memo.names.len() >= MAX_ENTRIES {
            memo.names.clear();
            memo.options = Some(options);
        }
        let mut key = std::mem::take(&mut memo.key);
        key.clear();
        let pc: &[u8] = if opts.include_addrs { line.pc } else { b"" };
        for part in [line.symbol, line.module, pc] {
            key.extend_from_slice(&(part.len() as u64).to_le_bytes());
            key.extend_from_slice(part);
        }
        key.push(u8::from(java));
        match memo.names.get(&key[..]) {
            Some(names) => out.extend(names.iter().map(|(n, k)| (n.to_string(), *k))),
            None => {
                let start = out.len();
                frame_names(line, java, opts, out);
                let names = out[start..]
                    .iter()
                    .map(|(n, k)| (n.as_str().into(), *k))
                    .collect();
                memo.names.insert(key.as_slice().into(), names);
            }
        }
        memo.key = key;
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::perf::Line;
    use crate::perf::parse_frame_line;

    fn names(line: &[u8], java: bool, opts: &PerfOptions) -> Vec<(String, FrameKind)> {
        let Line::Frame(f) = parse_frame_line(line) else {
            panic!("not a frame: {line:?}");
        };
        let mut out = Vec::new();
        cached_frame_names(&f, java, opts, &mut out);
        out
    }

    #[test]
    fn remembered_names_equal_fresh_ones_for_every_option_set() {
        let lines: [&[u8]; 5] = [
            b"ffffffff81000130 entry_SYSCALL_64+0x76 ([kernel.kallsyms])",
            b"7f01 [unknown] ([unknown])",
            b"7f02 Ljava/lang/Thread;::run (/tmp/perf-20.map)",
            b"55aa _ZN4core3fmt5write17h0123456789abcdefE+0x10 (/bin/app)",
            b"55ab inlined_fn (inlined)",
        ];
        for flavour in [Flavour::Inferno, Flavour::FlameGraph] {
            for bits in 0..8u8 {
                let opts = PerfOptions {
                    flavour,
                    annotate_kernel: bits & 1 != 0,
                    annotate_jit: bits & 2 != 0,
                    include_addrs: bits & 4 != 0,
                    ..PerfOptions::default()
                };
                for line in lines {
                    for java in [false, true] {
                        let Line::Frame(f) = parse_frame_line(line) else {
                            panic!("{line:?}");
                        };
                        let mut fresh = Vec::new();
                        frame_names(&f, java, &opts, &mut fresh);
                        // First call fills the memo, the second reads it.
                        assert_eq!(names(line, java, &opts), fresh, "{line:?} {opts:?}");
                        assert_eq!(names(line, java, &opts), fresh, "{line:?} {opts:?}");
                    }
                }
            }
        }
        // The address only matters with --addrs.
        let addrs = PerfOptions {
            include_addrs: true,
            ..PerfOptions::default()
        };
        assert_ne!(
            names(b"7f01 [unknown] ([unknown])", false, &addrs),
            names(b"7f99 [unknown] ([unknown])", false, &addrs)
        );
    }
}
