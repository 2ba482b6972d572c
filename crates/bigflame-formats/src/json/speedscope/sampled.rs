//! Sampled speedscope profiles: stacks of frame indices plus weights.
//!
//! Why a file of its own: a profile's `samples` and `weights` come either from the tape or, when
//! the fast path read them from the bytes ([`super::scan`]), as stacks and a vector. Those read
//! whole from the bytes are built apart on all cores ([`prebuild`], [`super::local`]); the others
//! take the general loop ([`sampled`]), which follows speedscope's rules sample by sample (on
//! samples read from the bytes again when they were).

use super::{Unit, fast, frame_at, local, scan, unit_of};
use crate::error::ImportError;
use crate::evented::EventedTarget;
use crate::json::Val;
use bigflame_model::{FrameId, ProfileBuilder, StackId};

/// A sampled profile whose samples (and weights, if any) were read from the bytes, built on its
/// own ([`local`]): its columns on the stacks its samples were read into, or, when a sample is
/// dropped (a weight of 0), from its samples read again; `None` for any other profile or any
/// error (the sequential pass then reads it and reports the error).
pub(super) fn prebuild<'a>(
    profile: Val<'_, '_>,
    scanned: &'a fast::Scanned<'_>,
    frames: &'a [FrameId],
) -> Option<local::Local<'a>> {
    if profile.get("type")?.str()? != "sampled" {
        return None;
    }
    let unit = unit_of(profile.get("unit").and_then(|v| v.str()).unwrap_or("none"))?;
    let start = profile
        .get("startValue")
        .and_then(|v| v.f64())
        .unwrap_or(0.0);
    let src = Source {
        profile,
        scanned: Some(scanned),
        frames,
    };
    let Some((_, Some(scan::Body::Stacks(stacks)))) = src.entry("samples") else {
        return None;
    };
    let weights = match src.entry("weights") {
        Some((_, Some(scan::Body::Weights(w)))) => Some(w.as_slice()),
        Some((v, None)) if v.is_array() => return None,
        _ => None,
    };
    if let Some(local) = local::from_stacks(&unit, start, stacks, weights, frames) {
        return Some(local);
    }
    let samples = src.samples_read()?;
    if weights.is_some_and(|w| w.len() != samples.len()) {
        return None;
    }
    local::build(&unit, start, &samples, weights, frames).ok()
}

/// Where a sampled profile's arrays come from: its tape object, and the arrays the fast path read
/// from the bytes (their tape values are then empty arrays).
pub(super) struct Source<'a, 't, 'i> {
    pub(super) profile: Val<'t, 'i>,
    pub(super) scanned: Option<&'a fast::Scanned<'a>>,
    pub(super) frames: &'a [FrameId],
}

impl<'a, 't, 'i> Source<'a, 't, 'i> {
    /// The first value of `key` (as [`Val::get`]) and what the fast path read for that very key.
    fn entry(&self, key: &str) -> Option<(Val<'t, 'i>, Option<&'a scan::Body>)> {
        let (k, v) = self.profile.entries().find(|(k, _)| *k == key)?;
        Some((v, self.scanned.and_then(|s| s.get(k))))
    }
}

impl Source<'_, '_, '_> {
    /// The samples the fast path read for this profile's `samples` key, read again as
    /// [`scan::Samples`] for the paths that follow speedscope's rules sample by sample.
    fn samples_read(&self) -> Option<scan::Samples> {
        let (k, _) = self.profile.entries().find(|(k, _)| *k == "samples")?;
        self.scanned?.samples(k)
    }
}

/// A profile's `samples`: on the tape or read from the bytes.
enum SampleList<'t, 'i> {
    Tape(Val<'t, 'i>),
    Read(scan::Samples),
}

/// A profile's `weights`: absent (1 each), on the tape or read from the bytes.
enum WeightList<'a, 't, 'i> {
    None,
    Tape(Val<'t, 'i>),
    Read(&'a [i64]),
}

pub(super) fn sampled(
    b: &mut ProfileBuilder,
    to: &EventedTarget,
    unit: &Unit,
    start: f64,
    src: &Source<'_, '_, '_>,
    p: usize,
    path: &str,
) -> Result<(), ImportError> {
    let bad = |msg: String| ImportError::invalid(path, format!("profile {p}: {msg}"));
    let samples = match src.entry("samples") {
        Some((_, Some(scan::Body::Stacks(_)))) => match src.samples_read() {
            Some(s) => SampleList::Read(s),
            None => return Err(bad("no \"samples\" array".into())),
        },
        Some((v, _)) if v.is_array() => SampleList::Tape(v),
        _ => return Err(bad("no \"samples\" array".into())),
    };
    let weights = match src.entry("weights") {
        Some((_, Some(scan::Body::Weights(w)))) => WeightList::Read(w),
        Some((v, _)) if v.is_array() => WeightList::Tape(v),
        _ => WeightList::None,
    };
    let n = match &samples {
        SampleList::Tape(v) => v.len(),
        SampleList::Read(s) => s.len(),
    };
    let n_weights = match &weights {
        WeightList::None => n,
        WeightList::Tape(v) => v.len(),
        WeightList::Read(w) => w.len(),
    };
    if n_weights != n {
        return Err(bad(format!("{n} samples but {n_weights} weights")));
    }
    if let (SampleList::Read(s), WeightList::None | WeightList::Read(_)) = (&samples, &weights) {
        let w = match &weights {
            WeightList::Read(w) => Some(*w),
            _ => None,
        };
        let local = local::build(unit, start, s, w, src.frames).map_err(bad)?;
        local::merge(b, to.thread, to.event, local, src.frames);
        return Ok(());
    }
    let mut tape_weights = match &weights {
        WeightList::Tape(v) => Some(v.items()),
        _ => None,
    };
    let mut tape_samples = match &samples {
        SampleList::Tape(v) => Some(v.items()),
        SampleList::Read(_) => None,
    };
    let no_frame = |i: usize, shown: String| {
        bad(format!(
            "samples[{i}] names frame {shown} but there are {} shared frames",
            src.frames.len()
        ))
    };
    let mut at = start;
    // The previous sample's frame indices with the stack of each prefix: consecutive samples
    // mostly share their callers, so only the part that differs is interned.
    let mut prev: Vec<(i64, StackId)> = Vec::new();
    // Read from the bytes: the current sample's indices, and the stacks of its first `valid`
    // prefixes (those it shares with the last kept sample).
    let mut cur: Vec<u32> = Vec::new();
    let mut stacks: Vec<StackId> = Vec::new();
    let mut valid = 0;
    for i in 0..n {
        let w = match &weights {
            WeightList::Read(w) => w.get(i).map_or(1.0, |&v| v as f64),
            _ => match tape_weights.as_mut().and_then(Iterator::next) {
                Some(v) => v
                    .f64()
                    .ok_or_else(|| bad(format!("weights[{i}] is {}, not a number", v.kind())))?,
                None => 1.0,
            },
        };
        if w < 0.0 {
            return Err(bad(format!("weights[{i}] is negative ({w})")));
        }
        let time = unit
            .is_time
            .then(|| (at * to.to_ns).max(0.0).round() as u64);
        at += w;
        let tape_sample = tape_samples.as_mut().and_then(Iterator::next);
        if let SampleList::Read(s) = &samples {
            let (shared, new) = s.get(i);
            cur.truncate(shared);
            cur.extend_from_slice(new);
            valid = valid.min(shared);
        }
        if w == 0.0 {
            continue;
        }
        let stack = match (&samples, tape_sample) {
            (SampleList::Read(_), _) => {
                stacks.truncate(valid);
                for &f in &cur[valid..] {
                    let parent = stacks.last().copied().unwrap_or(StackId::EMPTY);
                    let frame = src.frames.get(f as usize).copied();
                    let frame = frame.ok_or_else(|| no_frame(i, f.to_string()))?;
                    stacks.push(b.stack(parent, frame));
                }
                valid = cur.len();
                stacks.last().copied().unwrap_or(StackId::EMPTY)
            }
            (SampleList::Tape(_), Some(sample)) => {
                if !sample.is_array() {
                    return Err(bad(format!(
                        "samples[{i}] is {}, not an array",
                        sample.kind()
                    )));
                }
                let frame = |f: Val<'_, '_>| frame_at(src.frames, f);
                let name = |f: Val<'_, '_>| {
                    f.f64()
                        .map_or_else(|| f.kind().to_string(), |v| v.to_string())
                };
                stack_of(b, &mut prev, sample.items(), frame, name).map_err(|f| no_frame(i, f))?
            }
            (SampleList::Tape(_), None) => break,
        };
        b.sample(to.thread, to.event, time, stack, w * to.to_weight);
    }
    Ok(())
}

/// A frame index on the tape or read from the bytes.
trait IndexLike: Copy {
    /// The index as an integer, if it is one.
    fn index(self) -> Option<i64>;
}

impl IndexLike for i64 {
    #[inline]
    fn index(self) -> Option<i64> {
        Some(self)
    }
}

impl IndexLike for Val<'_, '_> {
    #[inline]
    fn index(self) -> Option<i64> {
        self.i64()
    }
}

/// The stack of one sample's frame indices, reusing the prefix it shares with the previous kept
/// sample (`prev`, updated). An index naming no frame is returned as `name` shows it.
fn stack_of<T: IndexLike>(
    b: &mut ProfileBuilder,
    prev: &mut Vec<(i64, StackId)>,
    items: impl Iterator<Item = T>,
    frame: impl Fn(T) -> Option<FrameId>,
    name: impl Fn(T) -> String,
) -> Result<StackId, String> {
    let mut stack = StackId::EMPTY;
    for (depth, f) in items.enumerate() {
        // The prefix shared with the previous sample is already interned.
        let index = f.index();
        if let Some(&(i, s)) = prev.get(depth)
            && index == Some(i)
        {
            stack = s;
            continue;
        }
        prev.truncate(depth);
        let id = frame(f).ok_or_else(|| name(f))?;
        stack = b.stack(stack, id);
        if let Some(i) = index {
            prev.push((i, stack));
        }
    }
    Ok(stack)
}
