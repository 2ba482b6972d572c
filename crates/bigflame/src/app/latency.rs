//! `BIGFLAME_LATENCY_LOG=PATH`: input-to-frame latency of the real window, one JSON line per
//! frame drawn after input, and a p50/p99 summary per view on stderr at exit.
//!
//! Why measured inside the process: the latency a user feels runs from the input event reaching
//! the application to the frame that shows its effect being done on the GPU; an outside poller
//! would add its own delays. The clock starts when winit hands over the first input event not
//! yet shown (later events coalesced into the same frame keep the earliest start), and stops
//! after the frame is presented *and* the GPU has finished it (with the log on, the window waits
//! for the GPU after each present — on lavapipe "the GPU" is CPU threads, so this is where its
//! cost shows). Each line splits the time: waiting for the event loop to draw (`queue_ms`), scene
//! building on the CPU (`cpu_ms`), renderer upload (`prepare_ms`), surface acquire, encode +
//! submit + present (`submit_ms`, of which `present_ms` the present) and the GPU wait (`gpu_ms`), so a slow frame says where its
//! time went. Unset, this costs one `Instant::now()` per input event.

use std::io::Write;
use std::time::Instant;

/// One frame's timings, ms.
#[derive(Clone, Copy, Debug, Default)]
pub struct FrameTimes {
    /// Scene building (layout query, rects, labels, chrome).
    pub cpu_ms: f64,
    /// Renderer prepare (buffer uploads, text shaping).
    pub prepare_ms: f64,
    /// Surface texture acquire.
    pub acquire_ms: f64,
    /// Encode, submit and present.
    pub submit_ms: f64,
    /// Of `submit_ms`: the present alone.
    pub present_ms: f64,
    /// Waiting for the GPU to finish the frame.
    pub gpu_ms: f64,
    /// Rect instances drawn.
    pub rects: usize,
}

/// The latency log (inactive unless `BIGFLAME_LATENCY_LOG` is set).
pub struct Latency {
    out: Option<std::io::BufWriter<std::fs::File>>,
    /// Arrival of the earliest input not yet on screen.
    pending: Option<Instant>,
    /// Input events folded into the pending frame.
    events: u32,
    /// Total latencies per view name, ms.
    per_view: Vec<(String, Vec<f64>)>,
}

impl Latency {
    /// Opens the log named by `BIGFLAME_LATENCY_LOG`, if set.
    pub fn from_env() -> Self {
        let out = std::env::var_os("BIGFLAME_LATENCY_LOG").and_then(|path| {
            match std::fs::File::create(&path) {
                Ok(f) => Some(std::io::BufWriter::new(f)),
                Err(e) => {
                    eprintln!("bigflame: cannot write the latency log {path:?}: {e}");
                    None
                }
            }
        });
        Self {
            out,
            pending: None,
            events: 0,
            per_view: Vec::new(),
        }
    }

    /// Whether latencies are recorded (the window then waits for the GPU after each frame).
    pub fn active(&self) -> bool {
        self.out.is_some()
    }

    /// An input event arrived at `at` and asked for a redraw.
    pub fn input(&mut self, at: Instant) {
        if self.active() {
            self.pending.get_or_insert(at);
            self.events += 1;
        }
    }

    /// A frame is done (presented and finished on the GPU) at `done`, drawing started at
    /// `draw_start`; records it if input was waiting for it.
    pub fn frame(&mut self, view: &str, draw_start: Instant, done: Instant, t: FrameTimes) {
        let Some(start) = self.pending.take() else {
            return;
        };
        let events = std::mem::take(&mut self.events);
        let Some(out) = &mut self.out else { return };
        let ms = |a: Instant, b: Instant| b.saturating_duration_since(a).as_secs_f64() * 1e3;
        let total = ms(start, done);
        let _ = writeln!(
            out,
            "{{\"view\":\"{view}\",\"input_to_frame_ms\":{total:.3},\"queue_ms\":{:.3},\"cpu_ms\":{:.3},\"prepare_ms\":{:.3},\"acquire_ms\":{:.3},\"submit_ms\":{:.3},\"present_ms\":{:.3},\"gpu_ms\":{:.3},\"rects\":{},\"events\":{events}}}",
            ms(start, draw_start),
            t.cpu_ms,
            t.prepare_ms,
            t.acquire_ms,
            t.submit_ms,
            t.present_ms,
            t.gpu_ms,
            t.rects,
        );
        let _ = out.flush();
        match self.per_view.iter_mut().find(|(v, _)| v == view) {
            Some((_, v)) => v.push(total),
            None => self.per_view.push((view.to_string(), vec![total])),
        }
    }

    /// `view: n frames, p50 … ms, p99 … ms` per view.
    pub fn summary(&self) -> Vec<String> {
        self.per_view
            .iter()
            .map(|(view, v)| {
                let mut v = v.clone();
                v.sort_by(f64::total_cmp);
                format!(
                    "{view}: {} frames after input, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                    v.len(),
                    percentile(&v, 0.50),
                    percentile(&v, 0.99),
                    v.last().copied().unwrap_or(0.0)
                )
            })
            .collect()
    }
}

/// The `q` quantile of sorted `v` (nearest rank); 0 when empty.
pub fn percentile(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let rank = (q * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 50.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&v, 1.0), 100.0);
        assert_eq!(percentile(&[7.0], 0.99), 7.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
