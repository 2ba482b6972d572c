//! `BIGFLAME_FRAME_LOG=PATH`: one JSON line per drawn window frame, for the benchmark harness.
//!
//! Why: time to first frame and per-frame latency of the real window can only be seen from
//! inside the process (a screenshot poller would add its own latency). Each line carries the
//! wall clock (`unix_ms`, comparable with the harness's launch time), how long the frame took
//! from scene building to present (`draw_ms`), whether a flame graph was on screen (`shown`: a
//! progressive load's partial data counts), whether it was the whole loaded profile (`ready`)
//! and whether the surface accepted the frame (`presented`). Unset, this costs one lookup per
//! frame.

use std::io::Write;
use std::sync::{Mutex, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

static LOG: OnceLock<Option<Mutex<std::fs::File>>> = OnceLock::new();

fn open() -> Option<Mutex<std::fs::File>> {
    let path = std::env::var_os("BIGFLAME_FRAME_LOG")?;
    match std::fs::File::create(&path) {
        Ok(f) => Some(Mutex::new(f)),
        Err(e) => {
            eprintln!("bigflame: cannot write the frame log {path:?}: {e}");
            None
        }
    }
}

/// Appends one line for a frame that started at `t0`.
pub fn record(t0: Instant, shown: bool, ready: bool, presented: bool) {
    let Some(log) = LOG.get_or_init(open) else {
        return;
    };
    let draw_ms = t0.elapsed().as_secs_f64() * 1.0e3;
    let unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1.0e3);
    if let Ok(mut f) = log.lock() {
        // A full disk only loses benchmark lines; the viewer carries on.
        let _ = writeln!(
            f,
            "{{\"unix_ms\":{unix_ms:.3},\"draw_ms\":{draw_ms:.3},\"shown\":{shown},\"ready\":{ready},\"presented\":{presented}}}"
        );
    }
}
