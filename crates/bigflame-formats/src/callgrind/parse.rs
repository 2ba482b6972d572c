//! The callgrind line grammar (valgrind's "Callgrind Format Specification", version 1) into a
//! [`CallGraph`].
//!
//! State that runs through the file, and why each rule:
//!
//! * `ob=`, `fl=`, `fi=`/`fe=`, `fn=` set the current object, file and function. A function is
//!   identified by the file current when its `fn=` line is read and its name (callgrind_annotate's
//!   `file:function`); `fi=`/`fe=` (inlined code) change the current file but not the function,
//!   as in KCachegrind.
//! * `cob=`, `cfi=`/`cfl=` name the object and file of the *next* `cfn=` only: callgrind writes
//!   them only when they differ from the current ones, and callgrind_annotate forgets them once a
//!   `cfn=` has used them (speedscope's "cfn reset" sample relies on this).
//! * `calls=COUNT TARGET` must be followed by a cost line whose costs are the inclusive cost of
//!   those calls from the current function to the last `cfn=`; any other cost line is self cost.
//! * Name compression: `(id) name` defines an alias per kind (objects, files, functions), `(id)`
//!   uses it; an alias used before its definition is an error.
//! * Subposition compression: a position may be `+N`, `-N` (relative to the same column of the
//!   previous cost line) or `*` (the same); numbers may be hexadecimal (`0x..`). Costs are read the
//!   same way (speedscope's sample files rely on it; callgrind itself only writes plain numbers).
//!   Missing trailing costs are 0.
//! * Each part may have its own `events:` line; columns are mapped to events by name, so parts with
//!   different event lists add up correctly. `totals:` is kept for a consistency note.
//!
//! A line that fits none of the forms is skipped and counted with its line number; text that is not
//! UTF-8 is kept lossily and counted.

use crate::callgraph::{CallGraph, FnId, NameId};
use crate::error::ImportError;
use bigflame_model::{FastMap, SkipReason, Skipped};

/// What the parser extracted.
#[derive(Debug, Default)]
pub(super) struct Parsed {
    pub graph: CallGraph,
    /// Event names (as written) in first-seen order; graph event `i` is `events[i]`.
    pub events: Vec<String>,
    /// `totals:` per event, summed over parts, when the file has them (`summary:` is not used: the
    /// specification allows it to exceed the sum of the cost lines, and callgrind's does).
    pub totals: Option<Vec<f64>>,
    pub pid: Option<u32>,
    pub thread: Option<u32>,
    pub cmd: Option<String>,
    pub skipped: Skipped,
    /// Lines read as cost lines (self or call).
    pub cost_lines: u64,
}

#[derive(Default)]
struct State {
    out: Parsed,
    /// Graph event of each cost column of the current part.
    columns: Vec<usize>,
    positions: usize,
    last_pos: Vec<i128>,
    last_cost: Vec<i128>,
    files: FastMap<u64, NameId>,
    fns: FastMap<u64, NameId>,
    objs: FastMap<u64, NameId>,
    cur_obj: Option<NameId>,
    cur_file: Option<NameId>,
    cur_fn: Option<FnId>,
    callee_obj: Option<NameId>,
    callee_file: Option<NameId>,
    callee: Option<FnId>,
    /// `calls=` count waiting for its cost line.
    pending_calls: Option<u64>,
    totals: Option<Vec<f64>>,
    costs: Vec<f64>,
}

#[derive(Clone, Copy)]
enum Kind {
    Obj,
    File,
    Fn,
}

/// Parses a whole callgrind file.
pub(super) fn parse(data: &[u8], name: &str) -> Result<Parsed, ImportError> {
    let mut st = State {
        positions: 1,
        last_pos: vec![0],
        ..State::default()
    };
    let mut offset = 0usize;
    let mut line_no = 0u64;
    for raw in data.split(|&b| b == b'\n') {
        let start = offset;
        offset += raw.len() + 1;
        line_no += 1;
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let trimmed = line.trim_ascii_start();
        if trimmed.is_empty() || trimmed[0] == b'#' {
            continue;
        }
        let fail = |msg: String| ImportError::parse_at(name, data, start, msg);
        let skip = |st: &mut State, reason: SkipReason| {
            st.out
                .skipped
                .add(reason, || format!("line {line_no}"), line);
        };
        let first = line[0];
        let is_cost = first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'*');
        if st.pending_calls.is_some() && !is_cost {
            // `calls=` MUST be followed by a cost line: drop the call, keep reading.
            st.pending_calls = None;
            skip(&mut st, SkipReason::MalformedLine);
        }
        if is_cost {
            match st.cost_line(line) {
                Ok(()) => {}
                Err(CostError::Skip) => skip(&mut st, SkipReason::MalformedLine),
                Err(CostError::Fatal(msg)) => return Err(fail(msg)),
            }
            continue;
        }
        if !first.is_ascii_alphabetic() {
            skip(&mut st, SkipReason::MalformedLine);
            continue;
        }
        let eq = memchr::memchr(b'=', line);
        let colon = memchr::memchr(b':', line);
        let (key, value, assignment) = match (eq, colon) {
            (Some(e), c) if c.is_none_or(|c| e < c) => (&line[..e], &line[e + 1..], true),
            (_, Some(c)) => (&line[..c], &line[c + 1..], false),
            _ => {
                skip(&mut st, SkipReason::MalformedLine);
                continue;
            }
        };
        let value = match std::str::from_utf8(value) {
            Ok(v) => std::borrow::Cow::Borrowed(v),
            Err(_) => {
                skip(&mut st, SkipReason::InvalidUtf8);
                String::from_utf8_lossy(value)
            }
        };
        let result = if assignment {
            st.assignment(key, &value)
        } else {
            st.header(key, value.trim())
        };
        match result {
            Ok(true) => {}
            Ok(false) => skip(&mut st, SkipReason::MalformedLine),
            Err(msg) => return Err(fail(msg)),
        }
    }
    if st.pending_calls.is_some() {
        st.out.skipped.add(
            SkipReason::Truncated,
            || format!("line {line_no}"),
            b"calls=",
        );
    }
    st.out.totals = st.totals;
    Ok(st.out)
}

enum CostError {
    Skip,
    Fatal(String),
}

impl State {
    fn header(&mut self, key: &[u8], value: &str) -> Result<bool, String> {
        match key {
            b"events" => {
                self.columns.clear();
                for ev in value.split_ascii_whitespace() {
                    let idx = match self.out.events.iter().position(|e| e == ev) {
                        Some(i) => i,
                        None => {
                            self.out.events.push(ev.to_string());
                            self.out.events.len() - 1
                        }
                    };
                    self.columns.push(idx);
                }
                if self.columns.is_empty() {
                    return Err("`events:` names no event".into());
                }
                self.out.graph.ensure_events(self.out.events.len());
                self.last_cost = vec![0; self.columns.len()];
            }
            b"positions" => {
                let n = value.split_ascii_whitespace().count();
                if n == 0 || n > 3 {
                    return Err(format!(
                        "`positions: {value}`: expected 1 to 3 of instr, bb, line"
                    ));
                }
                self.positions = n;
                self.last_pos = vec![0; n];
            }
            b"totals" => {
                let costs = self.header_costs(value)?;
                let sums = self.totals.get_or_insert_with(Vec::new);
                for (i, c) in costs.into_iter().enumerate() {
                    if sums.len() <= i {
                        sums.resize(i + 1, 0.0);
                    }
                    sums[i] += c;
                }
            }
            b"pid" => self.out.pid = value.parse().ok(),
            b"thread" => self.out.thread = value.parse().ok(),
            b"cmd" => self.out.cmd = Some(value.to_string()),
            // version, creator, part, desc, event (derived events), timeframe, ...: not needed.
            _ => {}
        }
        Ok(true)
    }

    /// A `totals:` value: one plain number per event of the current part, mapped to the
    /// graph's events.
    fn header_costs(&self, value: &str) -> Result<Vec<f64>, String> {
        let mut out = vec![0.0; self.out.events.len()];
        for (i, tok) in value.split_ascii_whitespace().enumerate() {
            let v = parse_number(tok.as_bytes()).ok_or_else(|| format!("bad cost {tok:?}"))?;
            let col = *self.columns.get(i).ok_or("more costs than events")?;
            out[col] = v as f64;
        }
        Ok(out)
    }

    fn name(&mut self, kind: Kind, value: &str) -> Result<NameId, String> {
        let map = match kind {
            Kind::Obj => &mut self.objs,
            Kind::File => &mut self.files,
            Kind::Fn => &mut self.fns,
        };
        let v = value.trim_end();
        if let Some(rest) = v.strip_prefix('(')
            && let Some(close) = rest.find(')')
            && close > 0
            && rest[..close].bytes().all(|b| b.is_ascii_digit())
        {
            let id: u64 = rest[..close]
                .parse()
                .map_err(|_| format!("compressed name id {:?} is too large", &rest[..close]))?;
            let text = rest[close + 1..].trim_start();
            if text.is_empty() {
                return map
                    .get(&id)
                    .copied()
                    .ok_or_else(|| format!("compressed name ({id}) is used before it is defined"));
            }
            let nid = self.out.graph.intern(text);
            map.insert(id, nid);
            return Ok(nid);
        }
        Ok(self.out.graph.intern(v))
    }

    fn assignment(&mut self, key: &[u8], value: &str) -> Result<bool, String> {
        match key {
            b"ob" => self.cur_obj = Some(self.name(Kind::Obj, value)?),
            b"fl" => {
                self.cur_file = Some(self.name(Kind::File, value)?);
                self.callee_file = None;
            }
            b"fi" | b"fe" => self.cur_file = Some(self.name(Kind::File, value)?),
            b"fn" => {
                let n = self.name(Kind::Fn, value)?;
                self.cur_fn = Some(self.out.graph.function(n, self.cur_file, 0, self.cur_obj));
            }
            b"cob" => self.callee_obj = Some(self.name(Kind::Obj, value)?),
            b"cfi" | b"cfl" => self.callee_file = Some(self.name(Kind::File, value)?),
            b"cfn" => {
                let n = self.name(Kind::Fn, value)?;
                let file = self.callee_file.take().or(self.cur_file);
                let obj = self.callee_obj.take().or(self.cur_obj);
                self.callee = Some(self.out.graph.function(n, file, 0, obj));
            }
            b"calls" => {
                let count = value
                    .split_ascii_whitespace()
                    .next()
                    .and_then(|t| parse_number(t.as_bytes()));
                match count {
                    Some(c) => self.pending_calls = Some(c),
                    None => return Ok(false),
                }
            }
            // Jumps carry no cost; `jfi=`/`jfn=` may define compressed names used later.
            b"jump" | b"jcnd" => {}
            b"jfi" => {
                self.name(Kind::File, value)?;
            }
            b"jfn" => {
                self.name(Kind::Fn, value)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn cost_line(&mut self, line: &[u8]) -> Result<(), CostError> {
        if self.columns.is_empty() {
            return Err(CostError::Fatal(
                "cost line before the `events:` header".into(),
            ));
        }
        let mut toks = line
            .split(|b| b.is_ascii_whitespace())
            .filter(|t| !t.is_empty());
        for i in 0..self.positions {
            // A line may give fewer positions only if it gives no costs either (a jump's source).
            let Some(tok) = toks.next() else { break };
            let v = relative(tok, self.last_pos[i]).ok_or(CostError::Skip)?;
            self.last_pos[i] = v;
        }
        self.costs.clear();
        self.costs.resize(self.out.events.len(), 0.0);
        for (i, tok) in toks.enumerate() {
            let col = *self.columns.get(i).ok_or(CostError::Skip)?;
            let v = relative(tok, self.last_cost[i]).ok_or(CostError::Skip)?;
            if v < 0 {
                return Err(CostError::Skip);
            }
            self.last_cost[i] = v;
            self.costs[col] = v as f64;
        }
        self.out.cost_lines += 1;
        let caller = match self.cur_fn {
            Some(f) => f,
            None => {
                let n = self.out.graph.intern("(unknown)");
                let f = self.out.graph.function(n, self.cur_file, 0, self.cur_obj);
                self.cur_fn = Some(f);
                f
            }
        };
        if let Some(calls) = self.pending_calls.take() {
            let Some(callee) = self.callee else {
                return Err(CostError::Skip);
            };
            let edge = self.out.graph.add_calls(caller, callee, calls);
            for (e, &c) in self.costs.iter().enumerate() {
                if c != 0.0 {
                    self.out.graph.add_call_cost(edge, e, c);
                }
            }
        } else {
            for (e, &c) in self.costs.iter().enumerate() {
                if c != 0.0 {
                    self.out.graph.add_self(caller, e, c);
                }
            }
        }
        Ok(())
    }
}

/// A plain number: decimal or `0x` hexadecimal.
fn parse_number(tok: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(tok).ok()?;
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// A subposition: `*` (same as `prev`), `+N`/`-N` (relative to `prev`) or a plain number.
fn relative(tok: &[u8], prev: i128) -> Option<i128> {
    match tok.first()? {
        b'*' if tok.len() == 1 => Some(prev),
        b'+' => Some(prev + i128::from(parse_number(&tok[1..])?)),
        b'-' => Some(prev - i128::from(parse_number(&tok[1..])?)),
        _ => parse_number(tok).map(i128::from),
    }
}
