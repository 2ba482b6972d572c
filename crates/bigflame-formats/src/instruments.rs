//! Xcode Instruments call trees copied as text ("Deep Copy", ⇧⌘C on the call tree).
//!
//! Why this shape: the copy is a tab-separated table whose header names the columns, e.g.
//! `Weight\tSelf Weight\tSymbol Name` (Instruments 13+, `Symbol Names` in 16), `Running Time\tSelf
//! (ms)\t\tSymbol Name` (7.x time profiles) or `Bytes Used\tCount\t\tSymbol Name` (allocations).
//! Each row is a call-tree node: its total (`4.93 s  100.0%`, `797.00 ms  16.1%`, `429.93 MB
//! 100.0%`, `96.08 Gc  100.0%`) and its name indented by one space per depth (relative to the first
//! row, whose indentation differs between versions).
//!
//! As in speedscope, the tree is replayed as nested intervals: a node starts where its previous
//! sibling ended (or at its parent's start) and lasts its total. Unlike speedscope:
//!
//! * the decimals are kept (`4.93 s` is 4930 ms; speedscope reads 4000) and so are the units:
//!   times in nanoseconds (`min` is 60 s), memory in bytes (`KB` = 1024), CPU cycle counts
//!   (`Kc`/`Mc`/`Gc`) as an event count (speedscope shows them as milliseconds);
//! * totals are rounded to a few digits, so children can add up to slightly more than their parent;
//!   a child is cut at its parent's end, so every node weighs exactly the total Instruments printed
//!   for it and the profile's total is the sum of the top-level rows.

use crate::driver::ImportOptions;
use crate::error::ImportError;
use crate::evented::{EventedStack, EventedTarget};
use bigflame_model::{
    Frame, Profile, ProfileBuilder, ProfileMeta, SkipReason, ThreadKey, WeightUnit,
};

/// True when `line` is the header of a deep copy (for sniffing).
pub(crate) fn is_header(line: &str) -> bool {
    let cols: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
    cols.iter().any(|c| c.starts_with("Symbol Name"))
        && cols
            .iter()
            .any(|c| matches!(*c, "Weight" | "Running Time" | "Bytes Used"))
}

/// What a weight cell measures.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Time,
    Memory,
    Cycles,
}

/// Parses a weight cell (`4.93 s  100.0%`, `4273.0ms   99.9%`, ` 429.93 MB     100.0%`) into its
/// kind and its value in nanoseconds, bytes or cycles.
fn parse_weight(cell: &str) -> Option<(Kind, f64)> {
    let s = cell.trim_start();
    let num_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let value: f64 = s[..num_end].parse().ok()?;
    let rest = &s[num_end..];
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let unit_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let (kind, factor) = match &rest[..unit_end] {
        "ns" => (Kind::Time, 1.0),
        "µs" | "us" => (Kind::Time, 1e3),
        "ms" => (Kind::Time, 1e6),
        "s" => (Kind::Time, 1e9),
        "min" => (Kind::Time, 60e9),
        "Bytes" | "B" => (Kind::Memory, 1.0),
        "KB" => (Kind::Memory, 1024.0),
        "MB" => (Kind::Memory, 1024.0 * 1024.0),
        "GB" => (Kind::Memory, 1024.0 * 1024.0 * 1024.0),
        "TB" => (Kind::Memory, 1024f64.powi(4)),
        "cycles" | "c" => (Kind::Cycles, 1.0),
        "Kc" => (Kind::Cycles, 1e3),
        "Mc" => (Kind::Cycles, 1e6),
        "Gc" => (Kind::Cycles, 1e9),
        "Tc" => (Kind::Cycles, 1e12),
        _ => return None,
    };
    Some((kind, value * factor))
}

/// Imports a deep copy.
pub fn import(data: &[u8], name: &str, _opts: &ImportOptions) -> Result<Profile, ImportError> {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n').enumerate();
    let header = lines.find(|(_, l)| !l.trim().is_empty());
    let mut b = ProfileBuilder::new();
    let Some((_, header)) = header else {
        return Ok(b.finish(ProfileMeta::default()));
    };
    let cols: Vec<&str> = header.trim_end_matches('\r').split('\t').collect();
    let find = |pred: &dyn Fn(&str) -> bool| cols.iter().position(|c| pred(c));
    let (Some(weight_col), Some(symbol_col)) = (
        find(&|c| matches!(c, "Weight" | "Running Time" | "Bytes Used")),
        find(&|c| c.starts_with("Symbol Name")),
    ) else {
        return Err(ImportError::parse_at(
            name,
            data,
            0,
            "not an Instruments deep copy: the header needs a weight column (Weight, Running \
             Time or Bytes Used) and a Symbol Name column",
        ));
    };
    let source_col = find(&|c| c == "Source Path");
    let tname = b.intern(crate::json::file_name(name));
    let thread = b.thread(ThreadKey {
        pid: None,
        tid: None,
        name: tname,
    });
    let mut target: Option<(EventedTarget, Kind)> = None;
    let mut ev = EventedStack::new();
    let mut ends: Vec<f64> = Vec::new();
    let mut cum = 0.0f64;
    let mut base_indent: Option<usize> = None;
    let mut skipped = bigflame_model::Skipped::default();
    for (i, raw) in lines {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let cells: Vec<&str> = line.split('\t').collect();
        let Some(symbol) = cells.get(symbol_col).filter(|s| !s.trim().is_empty()) else {
            if !line.trim().is_empty() {
                skipped.add(
                    SkipReason::MalformedLine,
                    || format!("line {}", i + 1),
                    line.as_bytes(),
                );
            }
            continue;
        };
        let fname = symbol.trim_start_matches(' ').trim_end();
        let indent = symbol.len() - symbol.trim_start_matches(' ').len();
        let base = *base_indent.get_or_insert(indent);
        let weight = cells.get(weight_col).and_then(|c| parse_weight(c));
        let (depth, (kind, value)) = match (indent.checked_sub(base), weight) {
            (Some(d), Some(w)) if d <= ends.len() => (d, w),
            _ => {
                skipped.add(
                    SkipReason::MalformedLine,
                    || format!("line {}", i + 1),
                    line.as_bytes(),
                );
                continue;
            }
        };
        let (to, first_kind) = *target.get_or_insert_with(|| {
            let (event, to_ns) = match kind {
                Kind::Time => (b.event("time", WeightUnit::Nanoseconds), 1.0),
                Kind::Memory => (b.event("bytes used", WeightUnit::Bytes), 1.0),
                Kind::Cycles => (b.event("cycles", WeightUnit::Events), 1.0),
            };
            let to = EventedTarget {
                thread,
                event,
                to_ns,
                to_weight: 1.0,
            };
            (to, kind)
        });
        if kind != first_kind {
            skipped.add(
                SkipReason::MalformedLine,
                || format!("line {}", i + 1),
                line.as_bytes(),
            );
            continue;
        }
        while ends.len() > depth {
            if let Some(end) = ends.pop() {
                cum = cum.max(end);
                ev.close(&mut b, &to, cum);
            }
        }
        let file = source_col
            .and_then(|c| cells.get(c))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty());
        let frame = Frame {
            file: file.map(|f| b.intern(f)),
            ..Frame::named(b.intern(fname))
        };
        let frame = b.frame(frame);
        // A child cannot outlast its parent: totals are rounded, so children may add up to more.
        let parent_end = ends.last().copied().unwrap_or(f64::INFINITY);
        let start = cum.min(parent_end);
        ev.open(&mut b, &to, start, frame);
        ends.push((start + value).min(parent_end));
    }
    if let Some((to, _)) = target {
        while let Some(end) = ends.pop() {
            cum = cum.max(end);
            ev.close(&mut b, &to, cum);
        }
    }
    Ok(b.finish(ProfileMeta {
        skipped,
        ..ProfileMeta::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bigflame_model::{EventId, StackId};

    #[test]
    fn weights_keep_decimals_and_units() {
        assert_eq!(parse_weight("4.93 s  100.0%"), Some((Kind::Time, 4.93e9)));
        assert_eq!(
            parse_weight("4273.0ms   99.9%"),
            Some((Kind::Time, 4.273e9))
        );
        assert_eq!(
            parse_weight("797.00 ms  \u{2007}0.0%"),
            Some((Kind::Time, 797e6))
        );
        assert_eq!(
            parse_weight(" 73.35 MB      17.0%"),
            Some((Kind::Memory, 73.35 * 1024.0 * 1024.0))
        );
        assert_eq!(
            parse_weight("96.08 Gc  100.0%"),
            Some((Kind::Cycles, 96.08e9))
        );
        assert_eq!(parse_weight("1 min  1%"), Some((Kind::Time, 60e9)));
        assert_eq!(parse_weight("-"), None);
        assert_eq!(parse_weight("3 parsecs 1%"), None);
    }

    #[test]
    fn the_tree_becomes_nested_intervals() {
        // start (10 ms) -> main (10 ms) -> { a (6 ms), b (3 ms) }: main's self time is 1 ms; then
        // a second root r (2 ms). Indentation starts at 3 spaces, as Instruments 16 writes it.
        let text = "Weight\tSelf Weight\tSymbol Names\n\
                    10.00 ms  100.0%\t0 s\t   start\n\
                    10.00 ms  100.0%\t1.00 ms\t    main\n\
                    6.00 ms  60.0%\t6.00 ms\t     a\n\
                    3.00 ms  30.0%\t3.00 ms\t     b\n\
                    2.00 ms  20.0%\t2.00 ms\t   r\n";
        assert!(is_header(text.lines().next().unwrap()));
        let p = import(text.as_bytes(), "t.txt", &ImportOptions::default()).unwrap();
        assert_eq!(p.events[0].unit, WeightUnit::Nanoseconds);
        let c = p.threads[0].samples(EventId(0));
        let leaf = |s: StackId| p.frame_name(p.stacks.frame(s)).to_string();
        let got: Vec<(u64, f64, String)> = (0..c.len())
            .filter(|&i| c.weight[i] > 0.0)
            .map(|i| {
                (
                    c.time_ns[i] / 1_000_000,
                    c.weight[i] / 1e6,
                    leaf(c.stack[i]),
                )
            })
            .collect();
        let want = [
            (0, 6.0, "a"),
            (6, 3.0, "b"),
            (9, 1.0, "main"),
            (10, 2.0, "r"),
        ];
        let want: Vec<(u64, f64, String)> = want
            .iter()
            .map(|&(t, w, n)| (t, w, n.to_string()))
            .collect();
        assert_eq!(got, want);
        assert_eq!(p.total_weight(EventId(0)), 12e6);
    }

    #[test]
    fn rounded_children_are_cut_at_their_parent() {
        // 10 ms root whose children were rounded up to 6 + 6 ms: the second is cut to 4 ms.
        let text = "Weight\tSelf Weight\tSymbol Name\n\
                    10 ms  100%\t0\troot\n\
                    6 ms  60%\t6\t a\n\
                    6 ms  60%\t6\t b\n\
                    1 ms  10%\t1\tnext\n";
        let p = import(text.as_bytes(), "r.txt", &ImportOptions::default()).unwrap();
        let c = p.threads[0].samples(EventId(0));
        let got: Vec<(u64, f64)> = (0..c.len())
            .filter(|&i| c.weight[i] > 0.0)
            .map(|i| (c.time_ns[i] / 1_000_000, c.weight[i] / 1e6))
            .collect();
        assert_eq!(got, vec![(0, 6.0), (6, 4.0), (10, 1.0)]);
        assert_eq!(p.total_weight(EventId(0)), 11e6);
    }

    #[test]
    fn bad_rows_are_skipped_and_bad_headers_refused() {
        let text = "Bytes Used\tCount\tSymbol Name\n\
                    1 KB  100%\t1\tmain\n\
                    garbage\n\
                    1 KB  100%\t1\t     too_deep\n\
                    2 Bytes  1%\t1\t f\n";
        let p = import(text.as_bytes(), "a.txt", &ImportOptions::default()).unwrap();
        assert_eq!(p.events[0].unit, WeightUnit::Bytes);
        assert_eq!(p.meta.skipped.total(), 2);
        assert_eq!(p.meta.skipped.entries[0].2, "line 3");
        assert_eq!(p.total_weight(EventId(0)), 1024.0);
        let e = import(b"Name\tValue\nx\t1\n", "n.txt", &ImportOptions::default()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("n.txt:1:1: not an Instruments deep copy"),
            "{e}"
        );
    }
}
