//! Completing a JSON document that was cut off, for Trace Event files.
//!
//! Why: the Trace Event spec allows a trace without its closing `]` (a tracer killed mid-write
//! leaves one), and speedscope imports what is complete. Only whole values are kept: the document
//! is cut right after the last `}` or `]` that closed a container (so never inside a string, a
//! number or a half-written event), trailing commas and whitespace are dropped, and the containers
//! still open at that point are closed. Two linear passes, no recursion; only used after a strict
//! parse failed.

/// The completed document, or `None` when no container ever closed (nothing to keep).
pub(crate) fn complete_truncated(data: &[u8]) -> Option<Vec<u8>> {
    let cut = last_close(data)?;
    let open = open_containers(&data[..cut]);
    if open.is_empty() {
        // The document was already complete up to here: the error is elsewhere.
        return None;
    }
    let mut out = Vec::with_capacity(cut + open.len());
    out.extend_from_slice(&data[..cut]);
    while matches!(out.last(), Some(b) if b.is_ascii_whitespace() || *b == b',') {
        out.pop();
    }
    out.extend(
        open.iter()
            .rev()
            .map(|&c| if c == b'{' { b'}' } else { b']' }),
    );
    Some(out)
}

/// The bytes outside JSON strings, with their positions (string contents and quotes skipped).
fn outside_strings(data: &[u8]) -> impl Iterator<Item = (usize, u8)> + '_ {
    let mut in_string = false;
    let mut escaped = false;
    data.iter().enumerate().filter_map(move |(i, &b)| {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            return None;
        }
        if b == b'"' {
            in_string = true;
            return None;
        }
        Some((i, b))
    })
}

/// Position just after the last `}` or `]` outside strings.
fn last_close(data: &[u8]) -> Option<usize> {
    outside_strings(data)
        .filter(|&(_, b)| matches!(b, b'}' | b']'))
        .last()
        .map(|(i, _)| i + 1)
}

/// The containers open at the end of `data` (outermost first), as their opening bytes.
fn open_containers(data: &[u8]) -> Vec<u8> {
    let mut open = Vec::new();
    for (_, b) in outside_strings(data) {
        match b {
            b'{' | b'[' => open.push(b),
            b'}' | b']' => {
                open.pop();
            }
            _ => {}
        }
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(s: &str) -> Option<String> {
        complete_truncated(s.as_bytes()).map(|v| String::from_utf8(v).unwrap())
    }

    #[test]
    fn cut_documents_keep_their_complete_values() {
        assert_eq!(
            fix("[{\"a\":1},{\"b\":2}").as_deref(),
            Some("[{\"a\":1},{\"b\":2}]")
        );
        assert_eq!(fix("[{\"a\":1},\n  \n").as_deref(), Some("[{\"a\":1}]"));
        assert_eq!(
            fix("[{\"a\":1},{\"b\":\"x}").as_deref(),
            Some("[{\"a\":1}]")
        );
        assert_eq!(
            fix("{\"traceEvents\":[{\"a\":\"]\"},{\"b").as_deref(),
            Some("{\"traceEvents\":[{\"a\":\"]\"}]}")
        );
        assert_eq!(fix("[1, 2"), None);
        assert_eq!(fix("[{}]"), None);
    }
}
