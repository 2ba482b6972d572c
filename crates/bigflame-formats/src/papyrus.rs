//! Skyrim / Fallout 4 Papyrus script profiler logs (`StartScriptProfiling`, `StartStackProfiling`).
//!
//! Why these rules: a log is a sequence of `TIME:EVENT:STACK:DEPTH:FORM:FUNCTION` lines (times in
//! milliseconds). Papyrus runs one stack per script at a time, and the log interleaves stacks, so the
//! same reconstruction as speedscope is used (its users compare the two pictures):
//!
//! * `PUSH` opens the function on top of a `STACK n` frame: when the innermost `STACK` frame is a
//!   different stack, a new `STACK n` frame is opened first, and if the old one is alone at the
//!   bottom it is closed at the previous event's time (the stack was idle in between);
//! * `POP` closes the function when it is on top; a `POP` of a function never entered while nothing
//!   else has happened yet (profiling started inside it) opens it at time 0 first; other unmatched
//!   `POP`s are ignored and counted. A `POP` with the same time, stack and name as a `PUSH` is
//!   matched with it even when other lines of that millisecond come in between;
//! * closing a function whose caller is a nested `STACK` frame closes that frame too;
//! * `QUEUE_PUSH`, `QUEUE_POP`, `START`, `STOP` are not frames (speedscope's queue frames are
//!   disabled by its own code, so none appear there either);
//! * everything still open closes at the last line's time.
//!
//! The `FORM` field (the object a method runs on) is left out, as in speedscope, so one function is
//! one frame whatever object it ran on.

use crate::driver::ImportOptions;
use crate::error::ImportError;
use crate::evented::{EventedStack, EventedTarget};
use bigflame_model::{
    FastMap, Frame, FrameId, Profile, ProfileBuilder, ProfileMeta, SkipReason, ThreadKey,
    WeightUnit,
};
use std::collections::VecDeque;

/// One log line.
#[derive(Clone, Debug, PartialEq)]
struct Line<'a> {
    at: i64,
    event: &'a str,
    stack: i64,
    name: Option<&'a str>,
}

/// JavaScript `parseInt` on a field: leading blanks and sign, then digits.
fn int_prefix(field: &str) -> Option<i64> {
    let f = field.trim_start();
    let (neg, digits) = match f.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, f.strip_prefix('+').unwrap_or(f)),
    };
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    let v: i64 = digits[..end].parse().ok()?;
    Some(if neg { -v } else { v })
}

fn parse(line: &str) -> Option<Line<'_>> {
    let parts: Vec<&str> = line.split(':').collect();
    if parts.len() < 3 {
        return None;
    }
    Some(Line {
        at: int_prefix(parts[0])?,
        event: parts[1],
        stack: int_prefix(parts[2])?,
        name: parts.get(5).copied(),
    })
}

/// A frame on the reconstructed stack.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Open {
    Stack(i64),
    Function(FrameId),
}

struct Rebuild<'b> {
    b: &'b mut ProfileBuilder,
    to: EventedTarget,
    ev: EventedStack,
    /// The open frames, outermost first, each with the innermost `STACK` at or below it (so
    /// finding it costs O(1), not a scan of the open frames).
    open: Vec<(Open, Option<i64>)>,
    names: FastMap<String, FrameId>,
    last_event_at: i64,
}

impl Rebuild<'_> {
    fn frame(&mut self, name: &str) -> FrameId {
        if let Some(&f) = self.names.get(name) {
            return f;
        }
        let id = self.b.intern(name);
        let f = self.b.frame(Frame::named(id));
        self.names.insert(name.to_string(), f);
        f
    }

    fn push(&mut self, at: i64, open: Open, frame: FrameId) {
        self.ev.open(self.b, &self.to, at as f64, frame);
        let innermost = match open {
            Open::Stack(s) => Some(s),
            Open::Function(_) => self.innermost_stack(),
        };
        self.open.push((open, innermost));
        self.last_event_at = at;
    }

    fn innermost_stack(&self) -> Option<i64> {
        self.open.last().and_then(|&(_, s)| s)
    }

    fn enter(&mut self, stack: i64, at: i64, name: &str) {
        let innermost = self.innermost_stack();
        if innermost != Some(stack) {
            if self.open.len() == 1 {
                self.leave(self.last_event_at);
            }
            let f = self.frame(&format!("STACK {stack}"));
            self.push(at, Open::Stack(stack), f);
        }
        let f = self.frame(name);
        self.push(at, Open::Function(f), f);
    }

    fn leave(&mut self, at: i64) {
        if self.open.pop().is_none() {
            return;
        }
        self.ev.close(self.b, &self.to, at as f64);
        // A nested STACK frame under the closed function closes with it.
        if self.open.len() > 1 && matches!(self.open.last(), Some((Open::Stack(_), _))) {
            self.open.pop();
            self.ev.close(self.b, &self.to, at as f64);
        }
        self.last_event_at = at;
    }

    /// Returns false when the POP was ignored.
    fn try_leave(&mut self, stack: i64, at: i64, name: &str) -> bool {
        let f = self.frame(name);
        if self.open.last().map(|&(o, _)| o) == Some(Open::Function(f)) {
            self.leave(at);
            true
        } else if self.last_event_at == 0 {
            self.enter(stack, 0, name);
            self.leave(at);
            true
        } else {
            false
        }
    }
}

/// Imports a Papyrus profiling log.
pub fn import(data: &[u8], name: &str, _opts: &ImportOptions) -> Result<Profile, ImportError> {
    let text = String::from_utf8_lossy(data);
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut line_no = 0usize;
    for raw in text.split('\n') {
        line_no += 1;
        let l = raw.strip_suffix('\r').unwrap_or(raw);
        if !(l.is_empty() || l == "Log closed" || l.contains("log opened")) {
            lines.push((line_no, l));
        }
    }
    let parsed: Vec<Option<Line>> = lines.iter().map(|(_, l)| parse(l)).collect();
    let mut b = ProfileBuilder::new();
    let Some(start) = parsed.iter().flatten().next().map(|l| l.at) else {
        return Ok(b.finish(ProfileMeta::default()));
    };
    // Times count from the first line's time (saturating: a file may hold any i64).
    let end = parsed
        .iter()
        .flatten()
        .last()
        .map_or(0, |l| l.at.saturating_sub(start));
    let tname = b.intern(crate::json::file_name(name));
    let thread = b.thread(ThreadKey {
        pid: None,
        tid: None,
        name: tname,
    });
    let event = b.event("time", WeightUnit::Nanoseconds);
    let to = EventedTarget {
        thread,
        event,
        to_ns: 1e6,
        to_weight: 1e6,
    };
    let mut skipped = bigflame_model::Skipped::default();
    let mut r = Rebuild {
        b: &mut b,
        to,
        ev: EventedStack::new(),
        open: Vec::new(),
        names: FastMap::default(),
        last_event_at: 0,
    };
    let mut removed = vec![false; parsed.len()];
    // For the PUSH/POP matching below: where each line's run of parsed lines with its time ends,
    // and the POPs by (time, stack, name) in file order. Scanning the run per PUSH was
    // O(lines^2) for a run of many lines in one millisecond.
    let mut run_end = vec![parsed.len(); parsed.len()];
    for i in (0..parsed.len().saturating_sub(1)).rev() {
        run_end[i] = match (&parsed[i], &parsed[i + 1]) {
            (Some(a), Some(next)) if a.at == next.at => run_end[i + 1],
            _ => i + 1,
        };
    }
    let mut pops: FastMap<(i64, i64, &str), VecDeque<usize>> = FastMap::default();
    for (j, line) in parsed.iter().enumerate() {
        if let Some(Line {
            at,
            event: "POP",
            stack,
            name: Some(name),
        }) = line
        {
            pops.entry((*at, *stack, *name)).or_default().push_back(j);
        }
    }
    for i in 0..parsed.len() {
        let skip = |s: &mut bigflame_model::Skipped, reason| {
            s.add(
                reason,
                || format!("line {}", lines[i].0),
                lines[i].1.as_bytes(),
            );
        };
        if removed[i] {
            continue;
        }
        let Some(line) = &parsed[i] else {
            skip(&mut skipped, SkipReason::MalformedLine);
            continue;
        };
        let at = line.at.saturating_sub(start);
        match (line.event, line.name) {
            ("PUSH", Some(fname)) => {
                r.enter(line.stack, at, fname);
                // A POP of the same millisecond, stack and name closes it now, whatever comes
                // between (within the run of parsed lines of that millisecond). POPs already
                // passed or matched are dropped from the front of their queue: each goes once.
                if let Some(queue) = pops.get_mut(&(line.at, line.stack, fname)) {
                    while queue.front().is_some_and(|&j| j <= i || removed[j]) {
                        queue.pop_front();
                    }
                    if let Some(&j) = queue.front().filter(|&&j| j < run_end[i]) {
                        r.try_leave(line.stack, at, fname);
                        removed[j] = true;
                        queue.pop_front();
                    }
                }
            }
            ("POP", Some(fname)) if !r.try_leave(line.stack, at, fname) => {
                skip(&mut skipped, SkipReason::MalformedSample);
            }
            ("PUSH" | "POP", None) => skip(&mut skipped, SkipReason::MalformedLine),
            _ => {}
        }
    }
    while !r.open.is_empty() {
        r.leave(end);
    }
    let meta = ProfileMeta {
        skipped,
        ..ProfileMeta::default()
    };
    Ok(b.finish(meta))
}

/// True when `line` looks like a Papyrus log line (`123:PUSH:...`) or its header (for sniffing).
pub(crate) fn is_log_line(line: &str) -> bool {
    if line.ends_with(" log opened (PC)") || line.contains(" log opened (") {
        return true;
    }
    match parse(line) {
        Some(l) => {
            matches!(
                l.event,
                "PUSH" | "POP" | "QUEUE_PUSH" | "QUEUE_POP" | "START" | "STOP"
            ) && line.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bigflame_model::{EventId, StackId};

    fn flat(p: &Profile) -> Vec<(u64, f64, Vec<String>)> {
        let c = p.threads[0].samples(EventId(0));
        (0..c.len())
            .map(|i| {
                let names = |s: StackId| -> Vec<String> {
                    p.stacks
                        .path(s)
                        .iter()
                        .map(|&f| p.frame_name(f).to_string())
                        .collect()
                };
                (
                    c.time_ns[i] / 1_000_000,
                    c.weight[i] / 1e6,
                    names(c.stack[i]),
                )
            })
            .collect()
    }

    #[test]
    fn stacks_interleave_and_idle_gaps_show() {
        // Worked out by hand from the rules in the module docs.
        let log = "S log opened (PC)\n\
                   100:PUSH:1:1:None:a..f\n\
                   110:POP:1:1:None:a..f\n\
                   130:PUSH:2:1:None:a..g\n\
                   130:PUSH:1:1:None:a..h\n\
                   130:POP:2:1:None:a..g\n\
                   140:POP:1:1:None:a..h\n\
                   150:POP:1:1:None:a..never\n\
                   160:QUEUE_PUSH:1:1:None:a..x\n\
                   Log closed\n";
        let p = import(log.as_bytes(), "script.log", &ImportOptions::default()).unwrap();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            flat(&p),
            vec![
                (0, 0.0, s(&["STACK 1"])),
                (0, 10.0, s(&["STACK 1", "a..f"])),
                // STACK 1 was alone, so it closed at 10; idle until 30.
                (10, 20.0, vec![]),
                (30, 0.0, s(&["STACK 2"])),
                (30, 0.0, s(&["STACK 2", "a..g"])),
                (30, 0.0, s(&["STACK 1"])),
                (30, 10.0, s(&["STACK 1", "a..h"])),
                (40, 20.0, s(&["STACK 1"])),
            ]
        );
        assert_eq!(p.meta.skipped.total(), 1);
        assert_eq!(p.meta.skipped.entries[0].2, "line 8");
    }

    #[test]
    fn many_lines_in_one_millisecond_cost_linear_time() {
        // Fuzzing regression: each PUSH looked for its POP through every later line of the same
        // millisecond, and each PUSH searched the open frames for the innermost STACK frame:
        // O(lines^2) for 30,000 nested PUSHes in one millisecond (seconds). Now O(lines).
        let n = 30_000;
        let mut log = String::new();
        for i in 0..n {
            log.push_str(&format!("5:PUSH:1:1:None:f{i}\n"));
        }
        log.push_str(&format!("5:POP:1:1:None:f{}\n6:START:1:1:None:x\n", n - 1));
        // (No timing assertion: the old code took tens of seconds on this input, which shows in the
        // test run; speed itself is measured in benches.)
        let p = import(log.as_bytes(), "deep.log", &ImportOptions::default()).unwrap();
        // STACK 1, then f0..f(n-1) nested; the last one closes in its millisecond (matched by
        // the POP), the others close at the end, 1 ms later.
        let c = p.threads[0].samples(EventId(0));
        let last = c.stack[c.len() - 1];
        assert_eq!(p.stacks.path(last).len(), n);
        assert_eq!(c.weight.iter().sum::<f64>(), 1e6);
        assert_eq!(p.meta.skipped.total(), 0);
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        // Fuzzing regression: times are differences from the first line's time, which overflowed
        // i64 (a panic in debug builds) for times of opposite signs near the limits.
        let log = "-9223372036854775807:PUSH:1:1:None:f\n9223372036854775807:POP:1:1:None:f\n";
        let p = import(log.as_bytes(), "x.log", &ImportOptions::default()).unwrap();
        let c = p.threads[0].samples(EventId(0));
        assert!(c.weight.iter().all(|w| w.is_finite() && *w >= 0.0));
        assert_eq!(p.frames.len(), 2);
    }

    #[test]
    fn bad_lines_are_skipped() {
        let p = import(b"x\n1:PUSH\n2:PUSH:1\n", "b.log", &ImportOptions::default()).unwrap();
        assert_eq!(p.meta.skipped.total(), 3);
        let p = import(b"", "e.log", &ImportOptions::default()).unwrap();
        assert!(p.events.is_empty());
        assert!(is_log_line("500:PUSH:3053:1:abc (1):a..f"));
        assert!(!is_log_line("a;b;c 12"));
    }
}
