//! Reading perf's numeric header fields eight bytes at a time.
//!
//! Why: the timestamp, period and padding of every sample header were read one byte at a time,
//! ~15% of the instructions of a whole parse. A `u64` of eight input bytes tells in a few
//! operations how many leading bytes are digits or spaces, and up to eight digits convert with
//! three multiplications. Every function here gives the result of the obvious byte loop (see the
//! tests); they only read within the slice they are given.

use super::header::is_space;

/// Index of the first non-blank byte of `s` at or after `i` (`s.len()` if none). Runs of spaces
/// (perf pads its columns with them) are skipped eight bytes at a time.
#[inline(always)]
pub(super) fn skip_blanks(s: &[u8], mut i: usize) -> usize {
    const ONES: u64 = u64::MAX / 255;
    const LOW7: u64 = ONES * 0x7f;
    const HIGH: u64 = ONES * 0x80;
    while let Some(chunk) = s.get(i..i + 8) {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        // High bit of each byte that is not a space (exact per byte: no carry crosses bytes).
        let x = u64::from_le_bytes(bytes) ^ (ONES * u64::from(b' '));
        let not_space = (((x & LOW7) + LOW7) | x) & HIGH;
        if not_space == 0 {
            i += 8;
            continue;
        }
        i += (not_space.trailing_zeros() / 8) as usize;
        break;
    }
    // Tabs and CRs, and the last bytes of the input.
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    i
}

/// The value and count of the (at most `max`) ASCII digits at `line[at..]`; `None` when there is
/// none. Counts more than `max` digits only as `max`, so callers that need the exact count check
/// the byte after. Eight bytes at a time where the line is long enough.
#[inline(always)]
pub(super) fn leading_digits(line: &[u8], at: usize, max: usize) -> Option<(u64, usize)> {
    let mut value = 0u64;
    let mut n = 0;
    while n < max {
        let Some(chunk) = line.get(at + n..at + n + 8) else {
            break;
        };
        let w = u64::from_le_bytes(chunk.try_into().ok()?);
        let k = digit_run(w).min(max - n);
        if k == 0 {
            break;
        }
        value = value * POW10[k] + digits_value(w, k);
        n += k;
        if k < 8 {
            return Some((value, n));
        }
    }
    // Near the end of the input, fewer than 8 bytes remain.
    while n < max
        && let Some(&b) = line.get(at + n)
        && b.is_ascii_digit()
    {
        value = value * 10 + u64::from(b - b'0');
        n += 1;
    }
    (n > 0).then_some((value, n))
}

/// Powers of ten up to 10⁹.
pub(super) const POW10: [u64; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// The value of the first `k` (1 to 8) bytes of `w`, which are ASCII digits (first digit in the
/// lowest byte): they are shifted to the top and the bottom is filled with `'0'`s, so that
/// [`eight_digits`] reads them with leading zeros.
#[inline(always)]
fn digits_value(w: u64, k: usize) -> u64 {
    if k >= 8 {
        return eight_digits(w);
    }
    let shift = 8 * (8 - k) as u32;
    let zeros = 0x3030_3030_3030_3030u64 >> (64 - shift);
    eight_digits((w << shift) | zeros)
}

/// How many of the 8 bytes of `w` (little-endian, first byte lowest) are ASCII digits before the
/// first byte that is not one.
#[inline(always)]
fn digit_run(w: u64) -> usize {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES * 0x80;
    const LOW7: u64 = ONES * 0x7f;
    // High bit of each byte above '9', then of each byte below '0' (exact per byte: adding at
    // most 0x50 to a 7-bit value never carries into the next byte).
    let above = ((w & LOW7).wrapping_add(ONES * (0x7f - u64::from(b'9'))) | w) & HIGH;
    let below = !((w & LOW7).wrapping_add(ONES * (0x80 - u64::from(b'0'))) | w) & HIGH;
    let bad = below | above;
    (bad.trailing_zeros() / 8) as usize
}

/// The value of 8 ASCII digits (first digit in the lowest byte) in three multiplications.
#[inline(always)]
fn eight_digits(w: u64) -> u64 {
    let d = w.wrapping_sub(0x3030_3030_3030_3030);
    let d = (d.wrapping_mul(10).wrapping_add(d >> 8)) & 0x00ff_00ff_00ff_00ff;
    let d = (d.wrapping_mul(100).wrapping_add(d >> 16)) & 0x0000_ffff_0000_ffff;
    (d.wrapping_mul(10_000).wrapping_add(d >> 32)) & 0xffff_ffff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_digits_agree_with_a_byte_loop() {
        let cases: [&[u8]; 13] = [
            b"12345678",
            b"1234567x",
            b"0",
            b"",
            b"x123",
            b"98765432109876543210",
            b"/:09",
            b"\x80123",
            b"00000000001.5",
            b"1259.721525:      25000 cpu-clock: ",
            b"123456789012 xxxxxxxx",
            b"1234567 yyyyyyyy",
            b"12345678 zzzzzzzzz",
        ];
        for case in cases {
            for max in [1, 8, 9, 10, 19] {
                let n = case
                    .iter()
                    .take(max)
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                let want = (n > 0).then(|| {
                    case[..n]
                        .iter()
                        .fold(0u64, |v, b| v * 10 + u64::from(b - b'0'))
                });
                let got = leading_digits(case, 0, max);
                assert_eq!(got.map(|g| g.0), want, "{case:?} max {max}");
                assert_eq!(got.map_or(0, |g| g.1), n, "{case:?} max {max}");
            }
        }
        for (k, want) in [(1, 1), (2, 12), (5, 12345), (8, 12345678)] {
            assert_eq!(digits_value(u64::from_le_bytes(*b"12345678"), k), want);
        }
        let line = b"x   \t  \r y         z";
        for i in 0..line.len() {
            let want = (i..line.len())
                .find(|&j| !is_space(line[j]))
                .unwrap_or(line.len());
            assert_eq!(skip_blanks(line, i), want, "from {i}");
        }
        for b in 0..=255u8 {
            let w = u64::from_le_bytes([b'1', b'2', b, b'3', b'4', b'5', b'6', b'7']);
            assert_eq!(
                digit_run(w),
                if b.is_ascii_digit() { 8 } else { 2 },
                "byte {b}"
            );
        }
    }
}
