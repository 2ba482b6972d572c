//! Compact JSON text of a value, as JavaScript's `JSON.stringify` writes it.
//!
//! Why: speedscope names a trace event's frame `name + " " + JSON.stringify(args)`, and two events
//! are the same frame exactly when those strings are equal. Writing the same text keeps frame counts
//! and names identical to the peer's. Keys stay in file order (the tape keeps it), integers print
//! without a fraction, strings escape `"`, `\` and control characters only. The walk is a loop over
//! the tape with an explicit stack, so deep `args` cannot overflow the call stack.

use super::Val;
use simd_json::{Node, StaticNode};
use std::fmt::Write as _;

/// Appends the compact JSON text of `v` to `out`.
pub(crate) fn stringify(v: Val<'_, '_>, out: &mut String) {
    let tape = v.tape();
    let end = (v.index() + v.span()).min(tape.len());
    // Open containers: (is_object, members left, first member still to come).
    let mut open: Vec<(bool, usize, bool)> = Vec::new();
    let mut i = v.index();
    while i < end {
        if let Some(top) = open.last_mut() {
            if !top.2 {
                out.push(',');
            }
            top.2 = false;
            top.1 = top.1.saturating_sub(1);
            if top.0 {
                if let Node::String(key) = tape[i] {
                    write_str(key, out);
                }
                out.push(':');
                i += 1;
                if i >= end {
                    break;
                }
            }
        }
        match tape[i] {
            Node::Object { len, .. } => {
                out.push('{');
                open.push((true, len, true));
            }
            Node::Array { len, .. } => {
                out.push('[');
                open.push((false, len, true));
            }
            Node::String(s) => write_str(s, out),
            Node::Static(s) => write_static(s, out),
        }
        i += 1;
        while let Some(&(is_object, left, _)) = open.last() {
            if left > 0 {
                break;
            }
            out.push(if is_object { '}' } else { ']' });
            open.pop();
        }
    }
}

fn write_static(s: StaticNode, out: &mut String) {
    // Writing to a String cannot fail.
    let _ = match s {
        StaticNode::I64(v) => write!(out, "{v}"),
        StaticNode::U64(v) => write!(out, "{v}"),
        StaticNode::F64(v) if v.fract() == 0.0 && v.abs() < 1e21 => write!(out, "{v:.0}"),
        StaticNode::F64(v) => write!(out, "{v}"),
        StaticNode::Bool(b) => write!(out, "{b}"),
        StaticNode::Null => write!(out, "null"),
    };
}

/// A JSON string literal, escaped like `JSON.stringify`.
pub(crate) fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
