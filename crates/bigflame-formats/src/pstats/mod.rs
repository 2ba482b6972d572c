//! Python cProfile / pstats files (`python -m cProfile -o out.prof`, `Stats.dump_stats`).
//!
//! Why a call graph importer: a pstats file is `marshal.dump` of a dict
//! `{(file, line, function): (cc, nc, tt, ct, callers)}` where `tt` is the time spent in the
//! function itself, `ct` its cumulative time, and `callers` maps each calling function to
//! `(nc, cc, tt, ct)`: that caller's share of the calls and times. That is a call graph with
//! inclusive cost per caller → callee pair, the same information as callgrind's, so it becomes a
//! [`CallGraph`] (self = `tt`, edge = the caller's `ct`) and is expanded into the same
//! best-effort flame graph (the workflow flameprof and snakeviz serve), with a note saying so.
//!
//! Roots: cProfile counts only the outermost call of each caller → callee pair, so under mutual
//! recursion (`exec` → import machinery → `exec`) callers can claim more than a function's own
//! `ct`, and roots cannot be derived from the arcs as for callgrind. A function is a root, with its
//! `ct`, when some of its calls came from no profiled caller (its call count exceeds its callers'),
//! which for `python -m cProfile` is the top-level `exec` (and the profiler's `disable`).
//!
//! Files written by the pure-Python `profile` module give only call counts per caller; there, a
//! caller's share of the callee's cumulative time is estimated from its share of the calls, and a
//! note says that too. Times are seconds (floats) and become nanoseconds. Names stay Python's:
//! built-ins have the file `~` (no file) and line 0.

pub mod marshal;
#[cfg(test)]
mod tests;

use crate::callgraph::{self, CallGraph, EventTarget, ExpandLimits, FnId};
use crate::driver::ImportOptions;
use crate::error::ImportError;
use bigflame_model::{Profile, ProfileBuilder, ProfileMeta, SkipReason, Skipped, ThreadKey};
use marshal::{Marshal, Val, ValId};
use std::path::Path;

/// True when `head` starts like a marshalled pstats dict: a dict (`{`, possibly with FLAG_REF)
/// whose first key is a 3-tuple starting with a string.
pub fn looks_like_pstats(head: &[u8]) -> bool {
    let Some(&first) = head.first() else {
        return false;
    };
    if first & 0x7f != b'{' {
        return false;
    }
    let (n, rest) = match head.get(1).map(|b| b & 0x7f) {
        Some(b')') => (head.get(2).map(|&n| i64::from(n)), head.get(3..)),
        Some(b'(') => (
            head.get(2..6)
                .map(|b| i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))),
            head.get(6..),
        ),
        _ => return false,
    };
    let string_next = rest
        .and_then(|r| r.first())
        .is_some_and(|t| matches!(t & 0x7f, b'z' | b'Z' | b'a' | b'A' | b'u' | b't' | b's'));
    n == Some(3) && string_next
}

/// Imports a whole pstats file.
pub fn import(data: &[u8], name: &str, _opts: &ImportOptions) -> Result<Profile, ImportError> {
    let (m, root) =
        marshal::read(data).map_err(|e| ImportError::at_byte(name, e.offset, e.message))?;
    let mut reader = StatsReader {
        m: &m,
        name,
        graph: CallGraph::new(1),
        skipped: Skipped::default(),
        negative: 0,
    };
    let counts_only = reader.read(root)?;
    let StatsReader {
        graph,
        skipped,
        negative,
        ..
    } = reader;
    let mut b = ProfileBuilder::new();
    let thread_name = b.intern(&thread_name(name));
    let thread = b.thread(ThreadKey {
        pid: None,
        tid: None,
        name: thread_name,
    });
    let event = b.event("time", bigflame_model::WeightUnit::Nanoseconds);
    let target = EventTarget {
        graph_event: 0,
        event,
        scale: 1e9,
    };
    let reports = callgraph::expand(&graph, &[target], &mut b, thread, ExpandLimits::default());
    let named: Vec<(String, callgraph::ExpandReport)> = reports
        .into_iter()
        .map(|r| ("time".to_string(), r))
        .collect();
    let mut notes = callgraph::expansion_notes("cProfile", &named);
    if counts_only > 0 {
        notes.push(format!(
            "{counts_only} function(s) list their callers with call counts only (the `profile` \
             module): each caller's share of their cumulative time is estimated from its share of \
             the calls"
        ));
    }
    if negative > 0 {
        notes.push(format!(
            "{negative} negative time(s) (timer calibration) were counted as 0"
        ));
    }
    Ok(b.finish(ProfileMeta {
        notes,
        skipped,
        ..ProfileMeta::default()
    }))
}

/// The profile's single thread: the file's stem (`out` for `out.prof`), `python` for stdin.
fn thread_name(source: &str) -> String {
    match Path::new(source).file_stem().and_then(|s| s.to_str()) {
        Some(stem) if source != "-" && !stem.is_empty() => stem.to_string(),
        _ => "python".to_string(),
    }
}

struct StatsReader<'m, 'a> {
    m: &'m Marshal<'a>,
    name: &'m str,
    graph: CallGraph,
    skipped: Skipped,
    negative: usize,
}

impl StatsReader<'_, '_> {
    fn fail<T>(&self, at: ValId, message: String) -> Result<T, ImportError> {
        Err(ImportError::at_byte(self.name, self.m.offset(at), message))
    }

    /// Reads the stats dict into the graph; returns how many functions had count-only callers.
    fn read(&mut self, root: ValId) -> Result<usize, ImportError> {
        let Val::Dict(entries) = self.m.get(root) else {
            return self.fail(
                root,
                format!(
                    "expected the pstats dict, found a {}",
                    self.m.get(root).type_name()
                ),
            );
        };
        let mut counts_only = 0;
        let mut seen_callers = std::collections::HashSet::new();
        for &(key, value) in entries {
            let callee = self.function(key)?;
            let fields = self.tuple(value, 5, "a (cc, nc, tt, ct, callers) tuple")?;
            let tt = self.time(fields[2])?;
            let ct = self.time(fields[3])?;
            let calls = self.m.number(fields[1]).unwrap_or(0.0);
            self.graph.add_self(callee, 0, tt);
            let Val::Dict(callers) = self.m.get(fields[4]) else {
                return self.fail(
                    fields[4],
                    format!(
                        "expected a callers dict, found a {}",
                        self.m.get(fields[4]).type_name()
                    ),
                );
            };
            // pstats gives every function its own callers dict; a file that shares one through a
            // marshal reference could make reading it quadratic, so it is refused.
            if !seen_callers.insert(fields[4]) {
                return self.fail(
                    fields[4],
                    "a callers dict shared by several functions (not written by pstats)".into(),
                );
            }
            let mut by_count: Vec<(FnId, f64)> = Vec::new();
            let mut called = 0.0;
            for &(ck, cv) in callers {
                let caller = self.function(ck)?;
                if matches!(self.m.get(cv), Val::Seq(_)) {
                    let parts = self.tuple(cv, 4, "a (nc, cc, tt, ct) caller tuple")?;
                    let n = self.m.number(parts[0]).unwrap_or(0.0).max(0.0);
                    called += n;
                    let edge_ct = self.time(parts[3])?;
                    let edge = self.graph.add_calls(caller, callee, n as u64);
                    self.graph.add_call_cost(edge, 0, edge_ct);
                } else if let Some(n) = self.m.number(cv) {
                    called += n.max(0.0);
                    by_count.push((caller, n.max(0.0)));
                } else {
                    return self.fail(
                        cv,
                        format!(
                            "expected a caller's (nc, cc, tt, ct) tuple or call count, found a {}",
                            self.m.get(cv).type_name()
                        ),
                    );
                }
            }
            // Calls no profiled function made (the top-level `exec` of `python -m cProfile`, the
            // first function after `Profile.enable()`): the function is a root with its `ct`.
            if callers.is_empty() || calls > called {
                self.graph.set_root_cost(callee, 0, ct);
            }
            let calls: f64 = by_count.iter().map(|c| c.1).sum();
            if !by_count.is_empty() {
                counts_only += 1;
            }
            for (caller, n) in by_count {
                let edge = self.graph.add_calls(caller, callee, n as u64);
                if calls > 0.0 {
                    self.graph.add_call_cost(edge, 0, ct * n / calls);
                }
            }
        }
        Ok(counts_only)
    }

    /// The items of a tuple of at least `n` items.
    fn tuple(&self, id: ValId, n: usize, what: &str) -> Result<Vec<ValId>, ImportError> {
        match self.m.get(id) {
            Val::Seq(items) if items.len() >= n => Ok(items[..n].to_vec()),
            other => self.fail(id, format!("expected {what}, found a {}", describe(other))),
        }
    }

    /// A time in seconds: finite; negative values (timer calibration) count as 0.
    fn time(&mut self, id: ValId) -> Result<f64, ImportError> {
        match self.m.number(id) {
            Some(t) if t.is_finite() && t >= 0.0 => Ok(t),
            Some(t) if t.is_finite() => {
                self.negative += 1;
                Ok(0.0)
            }
            Some(t) => self.fail(id, format!("a time that is not a finite number ({t})")),
            None => self.fail(
                id,
                format!(
                    "expected a time (a number), found a {}",
                    self.m.get(id).type_name()
                ),
            ),
        }
    }

    /// The function of a `(file, line, name)` key.
    fn function(&mut self, key: ValId) -> Result<FnId, ImportError> {
        let parts = self.tuple(key, 3, "a (file, line, function) key")?;
        let file = self.text(parts[0])?;
        let line = match self.m.number(parts[1]) {
            Some(l) if l >= 0.0 => l.min(f64::from(u32::MAX)) as u32,
            _ => {
                return self.fail(
                    parts[1],
                    format!(
                        "expected a line number, found a {}",
                        self.m.get(parts[1]).type_name()
                    ),
                );
            }
        };
        let func = self.text(parts[2])?;
        let name = self.graph.intern(&func);
        let file = (file != "~").then(|| self.graph.intern(&file));
        Ok(self.graph.function(name, file, line, None))
    }

    fn text(&mut self, id: ValId) -> Result<String, ImportError> {
        let Some(bytes) = self.m.bytes(id) else {
            return self.fail(
                id,
                format!("expected a string, found a {}", self.m.get(id).type_name()),
            );
        };
        Ok(match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => {
                let at = self.m.offset(id);
                self.skipped
                    .add(SkipReason::InvalidUtf8, || format!("byte {at}"), bytes);
                String::from_utf8_lossy(bytes).into_owned()
            }
        })
    }
}

fn describe(v: &Val) -> String {
    match v {
        Val::Seq(items) => format!("tuple of {} items", items.len()),
        other => other.type_name().to_string(),
    }
}
