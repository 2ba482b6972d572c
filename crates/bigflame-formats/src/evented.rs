//! Turning begin/end (open/close) events into samples.
//!
//! Why: bigflame's model is sample columns (time, stack, weight). Evented formats (speedscope's
//! evented profiles, Trace Event `B`/`E`/`X` events, Hermes, Firefox markers) describe the same
//! picture as a sequence of stack changes. Each change closes the interval since the previous change
//! and emits it as one sample: the stack that was open, starting at the previous change, weighing the
//! interval's length. The Time Order view lays these samples out as intervals (`XAxis::Intervals`), so
//! the flame chart is exact, and Left Heavy, Sandwich and `top` sum the weights like for any sampled
//! profile.
//!
//! Intervals with nothing open become idle samples ([`StackId::EMPTY`]); a stack that opens and closes
//! at the same instant still gets a zero-weight sample, so its frames are part of the profile (as in
//! speedscope, which shows them in its tables).

use crate::round::round_ns;
use bigflame_model::{EventId, FrameId, ProfileBuilder, StackId, ThreadId};

/// Where a stack of open frames is recorded: the builder's thread and event, and how event values
/// convert to the model's nanoseconds (for the time column) and weight unit.
#[derive(Clone, Copy, Debug)]
pub struct EventedTarget {
    /// The thread the samples belong to.
    pub thread: ThreadId,
    /// The event (weight unit) they are recorded under.
    pub event: EventId,
    /// Multiplier from event values to timestamps in ns (1e3 for microseconds; 1.0 for unitless
    /// values, which are then laid out as if they were nanoseconds).
    pub to_ns: f64,
    /// Multiplier from event values to weights in the event's unit (1e3 for microseconds recorded as
    /// nanoseconds).
    pub to_weight: f64,
}

/// The open frames of one thread while its events are replayed in order.
#[derive(Clone, Debug, Default)]
pub struct EventedStack {
    /// Open stacks, outermost first; the last one is the current stack.
    open: Vec<(FrameId, StackId)>,
    /// Value of the previous change, once there was one.
    last: Option<f64>,
    /// The stack of the last emitted sample and whether it covered any time.
    emitted_current: bool,
}

impl EventedStack {
    /// An empty stack (nothing open).
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of open frames.
    pub fn depth(&self) -> usize {
        self.open.len()
    }

    /// The open frames, outermost first.
    pub fn frames(&self) -> impl DoubleEndedIterator<Item = FrameId> + '_ {
        self.open.iter().map(|&(f, _)| f)
    }

    /// The current stack ([`StackId::EMPTY`] when nothing is open).
    pub fn current(&self) -> StackId {
        self.open.last().map_or(StackId::EMPTY, |&(_, s)| s)
    }

    /// Emits the interval from the previous change to `at` (clamped: time never runs backwards).
    fn advance(&mut self, b: &mut ProfileBuilder, to: &EventedTarget, at: f64) {
        let at = if at.is_finite() {
            at
        } else {
            self.last.unwrap_or(0.0)
        };
        if let Some(last) = self.last {
            let at = at.max(last);
            let stack = self.current();
            let len = at - last;
            if len > 0.0 || (!stack.is_empty() && !self.emitted_current) {
                if let Some(e) = b.events.get_mut(to.event.index()) {
                    e.intervals = true;
                }
                let time = round_ns(last * to.to_ns);
                b.sample(to.thread, to.event, Some(time), stack, len * to.to_weight);
                self.emitted_current = true;
            }
            self.last = Some(at);
        } else {
            self.last = Some(at);
        }
    }

    /// Opens `frame` at `at` on top of the current stack.
    pub fn open(&mut self, b: &mut ProfileBuilder, to: &EventedTarget, at: f64, frame: FrameId) {
        self.advance(b, to, at);
        let stack = b.stack(self.current(), frame);
        self.open.push((frame, stack));
        self.emitted_current = false;
    }

    /// Closes the innermost open frame at `at`, returning it (`None` when nothing was open).
    pub fn close(
        &mut self,
        b: &mut ProfileBuilder,
        to: &EventedTarget,
        at: f64,
    ) -> Option<FrameId> {
        if self.open.is_empty() {
            return None;
        }
        self.advance(b, to, at);
        let closed = self.open.pop().map(|(f, _)| f);
        self.emitted_current = true;
        closed
    }

    /// Closes every open frame at `at` (the end of the profile): unbalanced begins end there.
    pub fn finish(&mut self, b: &mut ProfileBuilder, to: &EventedTarget, at: f64) {
        if !self.open.is_empty() {
            self.advance(b, to, at);
            self.open.clear();
            self.emitted_current = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bigflame_model::{Frame, ProfileMeta, ThreadKey, WeightUnit};

    fn setup() -> (ProfileBuilder, EventedTarget, FrameId, FrameId) {
        let mut b = ProfileBuilder::new();
        let name = b.intern("t");
        let thread = b.thread(ThreadKey {
            pid: None,
            tid: None,
            name,
        });
        let event = b.event("time", WeightUnit::Nanoseconds);
        let (na, nb) = (b.intern("a"), b.intern("b"));
        let fa = b.frame(Frame::named(na));
        let fb = b.frame(Frame::named(nb));
        let to = EventedTarget {
            thread,
            event,
            to_ns: 1e3,
            to_weight: 1e3,
        };
        (b, to, fa, fb)
    }

    #[test]
    fn nested_events_become_intervals() {
        // a [0, 10) µs with b [2, 5) inside, then idle until a second a at [12, 13).
        let (mut b, to, fa, fb) = setup();
        let mut s = EventedStack::new();
        s.open(&mut b, &to, 0.0, fa);
        s.open(&mut b, &to, 2.0, fb);
        assert_eq!(s.close(&mut b, &to, 5.0), Some(fb));
        assert_eq!(s.close(&mut b, &to, 10.0), Some(fa));
        s.open(&mut b, &to, 12.0, fa);
        s.finish(&mut b, &to, 13.0);
        let p = b.finish(ProfileMeta::default());
        let c = p.threads[0].samples(EventId(0));
        assert_eq!(c.time_ns, vec![0, 2000, 5000, 10_000, 12_000]);
        assert_eq!(c.weight, vec![2000.0, 3000.0, 5000.0, 2000.0, 1000.0]);
        let depths: Vec<u32> = c
            .stack
            .iter()
            .map(|&s| {
                if s.is_empty() {
                    0
                } else {
                    p.stacks.depth(s) + 1
                }
            })
            .collect();
        assert_eq!(depths, vec![1, 2, 1, 0, 1]);
    }

    #[test]
    fn zero_length_calls_are_kept_and_time_never_runs_backwards() {
        let (mut b, to, fa, fb) = setup();
        let mut s = EventedStack::new();
        s.open(&mut b, &to, 1.0, fa);
        s.open(&mut b, &to, 1.0, fb);
        s.close(&mut b, &to, 1.0);
        s.close(&mut b, &to, 0.5); // earlier than the previous change: clamped
        assert_eq!(s.close(&mut b, &to, 9.0), None);
        let p = b.finish(ProfileMeta::default());
        let c = p.threads[0].samples(EventId(0));
        assert_eq!(c.weight, vec![0.0, 0.0]);
        assert_eq!(c.time_ns, vec![1000, 1000]);
    }
}
