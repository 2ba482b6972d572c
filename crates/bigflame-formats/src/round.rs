//! Exact rounding of a value in nanoseconds to an integer timestamp, without libm.
//!
//! Why: every sample of a `.cpuprofile` run, a speedscope profile or a replayed begin/end event
//! gets a timestamp `x.max(0.0).round() as u64`, and the default x86-64 target has no rounding
//! instruction, so `round` is a call into libm per sample; it showed in profiles. For
//! `0 <= x < 2^52` the truncation and the fraction are exact, above it every `f64` is an integer.

/// `x.max(0.0).round() as u64` (NaN gives 0, like the cast).
#[inline]
pub(crate) fn round_ns(x: f64) -> u64 {
    let x = x.max(0.0);
    if x < 4_503_599_627_370_496.0 {
        let t = x as u64;
        t + u64::from(x - t as f64 >= 0.5)
    } else {
        x as u64
    }
}

#[cfg(test)]
#[test]
fn round_ns_rounds_like_f64_round() {
    for x in [
        0.0,
        0.4,
        0.5,
        0.49999999999999994,
        1.0,
        1.5,
        2.5,
        3.5,
        2.499_999,
        -3.0,
        f64::NAN,
        1e6,
        1e15 + 0.5,
        1.5e9 + 0.5,
        4_503_599_627_370_495.5,
        4_503_599_627_370_497.0,
        4e18,
        9.0e18,
        1.0e19,
        2e19,
        1e30,
        f64::INFINITY,
    ] {
        assert_eq!(round_ns(x), x.max(0.0).round() as u64, "{x}");
    }
}
