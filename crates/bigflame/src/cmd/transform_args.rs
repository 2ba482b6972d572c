//! The transform flags shared by every command that aggregates (`collapse`, `top`, `render`,
//! `info`, `diff`, `export`): `#[command(flatten)] transform: TransformArgs`, then
//! [`apply_transform_args`] on the loaded profile.
//!
//! Why one fixed order rather than the order on the command line: clap does not keep the order
//! between different flags, and a fixed pipeline is easier to explain. The order is the one in
//! which each step still sees the names the user typed: time range (on the original clock), drop,
//! merge, collapse module, group by, collapse recursion, focus on a subtree, focus on a function,
//! invert (last, so paths given to `--focus` are top-down).

use anyhow::{Result, anyhow, bail};
use bigflame_model::{FuncRef, Granularity, Profile, Transform, TransformStack};
use clap::{Args, ValueEnum};
use regex::Regex;

/// Transform flags (see the module docs for the order they apply in).
#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Transforms (applied in this order)")]
pub struct TransformArgs {
    /// Only samples in START..END: seconds since the first sample (e.g. 1.5..2.25); for profiles
    /// without timestamps, cumulative weight in the event's unit (samples partly inside count in
    /// part).
    #[arg(long, value_name = "START..END", allow_hyphen_values = true)]
    pub time_range: Option<String>,
    /// Remove every frame whose name matches REGEX (its callees attach to its caller); repeatable.
    #[arg(long, value_name = "REGEX")]
    pub drop: Vec<String>,
    /// Merge FUNCTION into its callers (its frames removed, its time goes to the caller);
    /// repeatable.
    #[arg(long, value_name = "FUNCTION")]
    pub merge: Vec<String>,
    /// Collapse every frame of MODULE (full path or file name, e.g. libc.so.6) into one frame
    /// named after it; repeatable.
    #[arg(long, value_name = "MODULE")]
    pub collapse_module: Vec<String>,
    /// Granularity of frames: function (name + module), file (name + module + source file) or
    /// module (one frame per library).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub group_by: Option<GroupByArg>,
    /// Collapse direct recursion (`a;a;b` → `a;b`), like speedscope.
    #[arg(long)]
    pub collapse_recursion: bool,
    /// Also collapse indirect recursion (`a;x;b;x;c` → `a;x;c`).
    #[arg(long)]
    pub collapse_indirect_recursion: bool,
    /// Keep only the subtree under the root path PATH (`a;b;c`), with `c` as the root (for perf
    /// input the path starts below the process name that `collapse` prints first).
    #[arg(long, value_name = "PATH")]
    pub focus: Option<String>,
    /// Keep only samples through FUNCTION, each cut to start at its outermost call.
    #[arg(long, value_name = "FUNCTION")]
    pub focus_function: Option<String>,
    /// Bottom-up: every stack reversed, leaf functions at the root (FlameGraph's --reverse).
    #[arg(long)]
    pub invert: bool,
}

/// `--group-by` values.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupByArg {
    /// One frame per function (lines and files merge).
    Function,
    /// One frame per function and source file.
    File,
    /// One frame per module.
    Module,
}

impl TransformArgs {
    /// The steps these flags ask for, in the documented order.
    pub fn transforms(&self, profile: &Profile) -> Result<Vec<Transform>> {
        let mut out = Vec::new();
        if let Some(text) = &self.time_range {
            out.push(time_range(profile, text)?);
        }
        for re in &self.drop {
            let re = Regex::new(re).map_err(|e| anyhow!("--drop {re:?}: {e}"))?;
            out.push(Transform::DropMatching(re));
        }
        for name in &self.merge {
            out.push(Transform::Merge(FuncRef::Name(name.clone())));
        }
        for m in &self.collapse_module {
            out.push(Transform::CollapseModule(m.clone()));
        }
        if let Some(g) = self.group_by {
            out.push(Transform::Granularity(match g {
                GroupByArg::Function => Granularity::Function,
                GroupByArg::File => Granularity::FunctionFile,
                GroupByArg::Module => Granularity::Module,
            }));
        }
        if self.collapse_recursion || self.collapse_indirect_recursion {
            out.push(Transform::CollapseRecursion {
                indirect: self.collapse_indirect_recursion,
            });
        }
        if let Some(path) = &self.focus {
            let names: Vec<FuncRef> = path
                .split(';')
                .filter(|s| !s.is_empty())
                .map(|s| FuncRef::Name(s.to_string()))
                .collect();
            if names.is_empty() {
                bail!("--focus {path:?}: expected a path like main;parse");
            }
            out.push(Transform::FocusSubtree(names));
        }
        if let Some(name) = &self.focus_function {
            out.push(Transform::FocusFunction(FuncRef::Name(name.clone())));
        }
        if self.invert {
            out.push(Transform::Invert);
        }
        Ok(out)
    }
}

/// `profile` with the flags' transforms applied (unchanged without any); the steps are listed in
/// the profile's notes, so `info` says what was done.
pub fn apply_transform_args(profile: Profile, args: &TransformArgs) -> Result<Profile> {
    let steps = args.transforms(&profile)?;
    if steps.is_empty() {
        return Ok(profile);
    }
    let mut stack = TransformStack::new();
    let mut current = profile;
    for t in steps {
        let label = t.label();
        current = stack
            .push(&current, t)
            .map_err(|e| anyhow!("{}: {label}: {e}", current.meta.source))?;
    }
    let labels: Vec<String> = stack.steps().iter().map(Transform::label).collect();
    current
        .meta
        .notes
        .push(format!("transforms: {}", labels.join(", ")));
    Ok(current)
}

/// `--time-range START..END` as a transform: seconds after the earliest timestamp of any event,
/// or cumulative weight when no sample has a timestamp.
fn time_range(profile: &Profile, text: &str) -> Result<Transform> {
    let (a, b) = super::render::parse_range(text).map_err(|_| {
        anyhow!("--time-range {text:?}: expected START..END with START < END, e.g. 1.5..2.25")
    })?;
    let origin = (0..profile.events.len())
        .filter_map(|e| profile.time_span_ns(bigflame_model::EventId::from_index(e)))
        .map(|(lo, _)| lo)
        .min();
    let (start_ns, end_ns) = match origin {
        Some(origin) => {
            let at = |s: f64| origin.saturating_add((s.max(0.0) * 1e9).round() as u64);
            (at(a), at(b))
        }
        None => (a.max(0.0).round() as u64, b.max(0.0).round() as u64),
    };
    Ok(Transform::TimeRange { start_ns, end_ns })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bigflame_model::{Frame, ProfileBuilder, ProfileMeta, StackId, ThreadKey, WeightUnit};

    fn profile(timed: bool) -> Profile {
        let mut b = ProfileBuilder::new();
        let ev = b.event("cpu", WeightUnit::Samples);
        let name = b.intern("t");
        let th = b.thread(ThreadKey {
            pid: None,
            tid: None,
            name,
        });
        let a = b.intern("a");
        let a = b.frame(Frame::named(a));
        let s = b.stack(StackId::EMPTY, a);
        for i in 0..4u64 {
            b.sample(
                th,
                ev,
                timed.then_some(5_000_000_000 + i * 500_000_000),
                s,
                1.0,
            );
        }
        b.finish(ProfileMeta::default())
    }

    #[test]
    fn time_range_is_seconds_after_the_first_sample_or_weight() {
        let t = time_range(&profile(true), "0.5..1.25").unwrap();
        assert!(matches!(
            t,
            Transform::TimeRange {
                start_ns: 5_500_000_000,
                end_ns: 6_250_000_000
            }
        ));
        let t = time_range(&profile(false), "1..3").unwrap();
        assert!(matches!(
            t,
            Transform::TimeRange {
                start_ns: 1,
                end_ns: 3
            }
        ));
        assert!(time_range(&profile(false), "3..1").is_err());
    }

    #[test]
    fn flags_apply_in_the_documented_order() {
        let args = TransformArgs {
            invert: true,
            merge: vec!["m".into()],
            time_range: Some("0..1".into()),
            focus_function: Some("f".into()),
            group_by: Some(GroupByArg::Module),
            ..TransformArgs::default()
        };
        let labels: Vec<String> = args
            .transforms(&profile(true))
            .unwrap()
            .iter()
            .map(Transform::label)
            .collect();
        assert_eq!(
            labels,
            [
                "range 5000000000..6000000000",
                "merge m",
                "granularity module",
                "focus function f",
                "invert"
            ]
        );
        let bad = TransformArgs {
            drop: vec!["(".into()],
            ..TransformArgs::default()
        };
        assert!(bad.transforms(&profile(true)).is_err());
    }
}
