//! `bigflame diff --folded`: FlameGraph's `difffolded.pl` output from two profiles' folded lines.
//!
//! The rules, those of `difffolded.pl` and `inferno-diff-folded` (checked against the latter on
//! real inputs in `tests/integration/diff_cli.rs`):
//! * each side's folded lines (`bigflame collapse`'s output) are read as `stack count`; counts are
//!   whole numbers (a fractional part is dropped, as inferno does); identical stack texts sum;
//! * `--strip-hex` replaces every `0x` followed by hex digits with `0x...` *before* summing, so
//!   stacks that differ only by addresses merge;
//! * every stack of either side is printed once as `stack BEFORE AFTER`, 0 for the side without it;
//! * `--normalize` (when the totals differ) scales BEFORE to AFTER's total:
//!   `floor(before × total_after / total_before)`, computed in f64;
//! * order: `difffolded.pl` prints in Perl's hash order (random per run) and inferno in its hash
//!   map's order, neither meaningful; bigflame sorts bytewise, so output is deterministic and equals
//!   `inferno-diff-folded A B | LC_ALL=C sort` byte for byte.

use bigflame_model::FastMap;
use std::io::{self, Write};

/// `--normalize` and `--strip-hex`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FoldedDiffOptions {
    /// Scale BEFORE counts to AFTER's total.
    pub normalize: bool,
    /// Replace hex addresses by `0x...`.
    pub strip_hex: bool,
}

/// `(stack, before, after)` lines, sorted bytewise by stack (see the module docs).
pub fn diff_folded(
    before: &[(String, f64)],
    after: &[(String, f64)],
    opts: FoldedDiffOptions,
) -> Vec<(String, u64, u64)> {
    let mut index: FastMap<String, usize> = FastMap::default();
    let mut rows: Vec<(String, u64, u64)> = Vec::new();
    let mut totals = [0u64; 2];
    for (k, lines) in [before, after].into_iter().enumerate() {
        for (stack, weight) in lines {
            // inferno splits at the last space and trims the stack's end.
            let stack = stack.trim_end();
            let key = if opts.strip_hex {
                strip_hex(stack)
            } else {
                stack.to_string()
            };
            let count = whole(*weight);
            let i = *index.entry(key).or_insert_with_key(|key| {
                rows.push((key.clone(), 0, 0));
                rows.len() - 1
            });
            if k == 0 {
                rows[i].1 += count;
            } else {
                rows[i].2 += count;
            }
            totals[k] += count;
        }
    }
    if opts.normalize && totals[0] != totals[1] {
        let scale = totals[1] as f64 / totals[0] as f64;
        for row in &mut rows {
            // A saturating cast: NaN (nothing before) is 0, as in inferno.
            row.1 = (row.1 as f64 * scale) as u64;
        }
    }
    rows.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    rows
}

/// The whole part of a folded count (negative or not a number: 0).
fn whole(w: f64) -> u64 {
    if w.is_finite() && w > 0.0 {
        w.trunc() as u64
    } else {
        0
    }
}

/// Every `0x` followed by at least one hex digit becomes `0x...`.
fn strip_hex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("0x") {
        out.push_str(&rest[..i + 2]);
        let after = &rest[i + 2..];
        let digits = after.bytes().take_while(u8::is_ascii_hexdigit).count();
        if digits > 0 {
            out.push_str("...");
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// Writes `stack before after` lines.
pub fn write_diff_folded(rows: &[(String, u64, u64)], out: &mut impl Write) -> io::Result<()> {
    for (stack, a, b) in rows {
        writeln!(out, "{stack} {a} {b}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &[(&str, f64)]) -> Vec<(String, f64)> {
        v.iter().map(|&(s, w)| (s.to_string(), w)).collect()
    }

    fn text(rows: &[(String, u64, u64)]) -> String {
        let mut out = Vec::new();
        write_diff_folded(rows, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Worked by hand from difffolded.pl's rules; inferno-diff-folded on the same two files
    /// prints these lines (in another order).
    #[test]
    fn hand_worked_pair() {
        let a = lines(&[("a;b", 3.0), ("a;c", 2.0), ("x;0x1f2", 1.0), ("z", 5.0)]);
        let b = lines(&[("a;b", 1.0), ("a;c", 4.0), ("q", 2.0)]);
        let plain = diff_folded(&a, &b, FoldedDiffOptions::default());
        assert_eq!(
            text(&plain),
            "a;b 3 1\na;c 2 4\nq 0 2\nx;0x1f2 1 0\nz 5 0\n"
        );
        // Totals 11 and 7: before × 7/11 floored: 3 → 1, 2 → 1, 1 → 0, 5 → 3.
        let both = diff_folded(
            &a,
            &b,
            FoldedDiffOptions {
                normalize: true,
                strip_hex: true,
            },
        );
        assert_eq!(text(&both), "a;b 1 1\na;c 1 4\nq 0 2\nx;0x... 0 0\nz 3 0\n");
    }

    #[test]
    fn strip_hex_merges_addresses_and_keeps_bare_prefixes() {
        assert_eq!(strip_hex("f;0xdeadBEEF;g 0x;0xg"), "f;0x...;g 0x;0xg");
        let a = lines(&[("m;0x10", 1.0), ("m;0x20", 2.0)]);
        let rows = diff_folded(
            &a,
            &[],
            FoldedDiffOptions {
                normalize: false,
                strip_hex: true,
            },
        );
        assert_eq!(text(&rows), "m;0x... 3 0\n");
    }

    #[test]
    fn fractions_drop_and_an_empty_before_normalises_to_zero() {
        let a = lines(&[("s", 2.75)]);
        assert_eq!(
            text(&diff_folded(&a, &a, FoldedDiffOptions::default())),
            "s 2 2\n"
        );
        let b = lines(&[("s", 4.0)]);
        let n = FoldedDiffOptions {
            normalize: true,
            strip_hex: false,
        };
        assert_eq!(text(&diff_folded(&[], &b, n)), "s 0 4\n");
    }
}
