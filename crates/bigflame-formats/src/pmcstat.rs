//! FreeBSD `pmcstat -G` callgraph text.
//!
//! Why this shape: `pmcstat -R out.pmc -G out.txt` prints, per event (`@ EVENT [N samples]`), one
//! block per sampled leaf function, its callers indented one space deeper per level:
//!
//! ```text
//! 14.44%  [5156]     fletcher_2_native @ /boot/kernel/zfs.ko
//!  50.62%  [2610]      arc_cksum_verify
//!   66.02%  [1723]       arc_buf_thaw
//! ```
//!
//! `[N]` is the number of samples through that path. As in speedscope, each path from a leaf to the
//! end of its deepest caller chain becomes one stack weighing the count of its deepest line (where
//! callers split, each branch keeps its own count). `@ MODULE` names the module and carries over to
//! the lines after it until the next `@`. Lines of any other shape (comments, blank lines, garbage)
//! are skipped and counted.

use crate::driver::ImportOptions;
use crate::error::ImportError;
use bigflame_model::{
    EventId, Frame, FrameId, Profile, ProfileBuilder, ProfileMeta, SkipReason, StackId, ThreadId,
    ThreadKey, WeightUnit,
};

/// One parsed callgraph line.
#[derive(Debug, PartialEq)]
pub(crate) struct CallLine<'a> {
    /// Leading spaces: the caller depth (0 = the sampled leaf).
    pub indent: usize,
    /// Samples through this path.
    pub count: u64,
    /// Function name.
    pub name: &'a str,
    /// Module after `@`, if any.
    pub module: Option<&'a str>,
}

/// Parses `<spaces>PCT%  [COUNT]<spaces>NAME[ @ MODULE]`.
pub(crate) fn parse_line(line: &str) -> Option<CallLine<'_>> {
    let body = line.trim_start_matches(' ');
    let indent = line.len() - body.len();
    let pct_end = body.find('%')?;
    let pct = &body[..pct_end];
    if pct.is_empty() || !pct.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let rest = body[pct_end + 1..].strip_prefix("  [")?;
    let close = rest.find(']')?;
    let count: u64 = rest[..close].parse().ok()?;
    let rest = rest[close + 1..].trim_start();
    let (name, module) = match rest.split_once(" @ ") {
        Some((n, m)) => (n, Some(m)),
        None => (rest, None),
    };
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    Some(CallLine {
        indent,
        count,
        name,
        module,
    })
}

/// True when `line` looks like a `pmcstat -G` callgraph line or event header (for sniffing).
pub(crate) fn is_callgraph_line(line: &str) -> bool {
    parse_line(line).is_some() || (line.starts_with("@ ") && line.ends_with(" samples]"))
}

struct State {
    thread: ThreadId,
    event: Option<EventId>,
    /// Frames by depth of the current block.
    path: Vec<FrameId>,
    /// Depth and count of the previous line, once there was one.
    prev: Option<(usize, u64)>,
}

impl State {
    /// Emits the path `0..=depth` of the previous line (leaf = depth 0, so the root is `depth`).
    fn flush(&mut self, b: &mut ProfileBuilder) {
        let Some((depth, count)) = self.prev.take() else {
            return;
        };
        let event = match self.event {
            Some(e) => e,
            None => {
                let e = b.event("samples", WeightUnit::Samples);
                self.event = Some(e);
                e
            }
        };
        let mut stack = StackId::EMPTY;
        for &f in self.path[..=depth.min(self.path.len().saturating_sub(1))]
            .iter()
            .rev()
        {
            stack = b.stack(stack, f);
        }
        b.sample(self.thread, event, None, stack, count as f64);
    }
}

/// Imports `pmcstat -G` output.
pub fn import(data: &[u8], name: &str, _opts: &ImportOptions) -> Result<Profile, ImportError> {
    let text = String::from_utf8_lossy(data);
    let mut b = ProfileBuilder::new();
    let tname = b.intern(crate::json::file_name(name));
    let mut st = State {
        thread: b.thread(ThreadKey {
            pid: None,
            tid: None,
            name: tname,
        }),
        event: None,
        path: Vec::new(),
        prev: None,
    };
    let mut module: Option<String> = None;
    let mut offset = 0usize;
    for raw in text.split('\n') {
        let at = offset;
        offset += raw.len() + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(header) = line.strip_prefix("@ ") {
            // `@ EVENT [N samples]`: a new event section.
            st.flush(&mut b);
            let event = header.split(" [").next().unwrap_or(header).trim();
            st.event = Some(b.event(event, WeightUnit::Samples));
            continue;
        }
        let Some(call) = parse_line(line) else {
            if !line.trim().is_empty() {
                b.skipped.add(
                    SkipReason::MalformedLine,
                    || format!("byte {at}"),
                    line.as_bytes(),
                );
            }
            continue;
        };
        if st.prev.is_some_and(|(depth, _)| call.indent <= depth) {
            st.flush(&mut b);
        }
        if call.indent > st.path.len() {
            // A caller more than one level deeper than the previous line: no frame in between.
            b.skipped.add(
                SkipReason::MalformedLine,
                || format!("byte {at}"),
                line.as_bytes(),
            );
            continue;
        }
        if let Some(m) = call.module {
            module = Some(m.to_string());
        }
        let frame = Frame {
            module: module.as_deref().map(|m| b.intern(m)),
            ..Frame::named(b.intern(call.name))
        };
        let frame = b.frame(frame);
        st.path.truncate(call.indent);
        st.path.push(frame);
        st.prev = Some((call.indent, call.count));
    }
    st.flush(&mut b);
    let mut profile = b.finish(ProfileMeta::default());
    let lines = crate::error::line_of_offset;
    for entry in &mut profile.meta.skipped.entries {
        if let Some(off) = entry.2.strip_prefix("byte ").and_then(|o| o.parse().ok()) {
            entry.2 = format!("line {}", lines(data, off));
        }
    }
    Ok(profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_like_pmcstat_prints_them() {
        let l = parse_line("14.44%  [5156]     fletcher_2_native @ /boot/kernel/zfs.ko").unwrap();
        assert_eq!(
            l,
            CallLine {
                indent: 0,
                count: 5156,
                name: "fletcher_2_native",
                module: Some("/boot/kernel/zfs.ko")
            }
        );
        let l = parse_line("  66.02%  [1723]       arc_buf_thaw").unwrap();
        assert_eq!((l.indent, l.count, l.module), (2, 1723, None));
        assert!(parse_line("invalid line").is_none());
        assert!(parse_line("# comment").is_none());
        assert!(parse_line("1%  [x] f").is_none());
        assert!(parse_line("1% [3] f").is_none());
    }

    #[test]
    fn each_branch_is_a_stack_weighing_its_deepest_count() {
        // Worked out by hand: leaf f called from g (7 samples: g <- main 5, g <- init 2), leaf h 3.
        let text = "@ cycles [12 samples]\n\n\
                    80.00%  [9]  f @ /bin/app\n \
                    77.78%  [7]   g\n  \
                    71.43%  [5]    main\n  \
                    28.57%  [2]    init @ /lib/libc.so\n\
                    20.00%  [3]  h\n\
                    garbage here\n";
        let p = import(text.as_bytes(), "x.txt", &ImportOptions::default()).unwrap();
        assert_eq!(p.events[0].name, "cycles");
        assert_eq!(p.events[0].unit, WeightUnit::Samples);
        let c = p.threads[0].samples(EventId(0));
        assert_eq!(c.weight, vec![5.0, 2.0, 3.0]);
        let names = |s: StackId| -> Vec<String> {
            p.stacks
                .path(s)
                .iter()
                .map(|&f| p.frame_name(f).to_string())
                .collect()
        };
        assert_eq!(names(c.stack[0]), ["main", "g", "f"]);
        assert_eq!(names(c.stack[1]), ["init", "g", "f"]);
        assert_eq!(names(c.stack[2]), ["h"]);
        // `@ module` carries over: h is still in libc's module, as the text implies.
        let h = p.frames.get(p.stacks.frame(c.stack[2]));
        assert_eq!(p.strings.get(h.module.unwrap()), "/lib/libc.so");
        assert_eq!(p.meta.skipped.total(), 1);
        assert_eq!(p.meta.skipped.entries[0].2, "line 8");
    }

    #[test]
    fn bad_input_is_skipped_not_fatal() {
        let p = import(
            b"\x00\xff\n   5%  [1]    deep\n",
            "b",
            &ImportOptions::default(),
        )
        .unwrap();
        assert_eq!(p.meta.skipped.total(), 2);
        assert_eq!(p.sample_count(EventId(0)), 0);
        let p = import(b"", "e", &ImportOptions::default()).unwrap();
        assert!(p.events.is_empty());
    }
}
