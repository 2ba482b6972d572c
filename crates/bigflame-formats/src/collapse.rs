//! Folded-stacks output ("collapse"): a [`Profile`] → `root;...;leaf COUNT` lines.
//!
//! Why it is written from the model rather than by the perf parser: every importer fills the same
//! model, so `bigflame collapse` works for every format, and the folded importer can round-trip. The
//! output follows FlameGraph/inferno byte for byte:
//!
//! * one line per distinct stack string, frames root first joined with `;`, a space, the summed
//!   weight (an integer without decimals when it is whole, else the shortest exact decimal), `\n`;
//! * lines sorted bytewise; stacks that print the same (same names, different modules) are summed;
//! * with [`RootFrame::Process`] the first frame is the thread's process name (`comm`, spaces → `_`),
//!   `comm-PID` with `include_pid`, `comm-PID/TID` with `include_tid`, `?` for an unknown PID; a
//!   sample with an empty stack prints only that frame;
//! * only one event is written: the named one, or the first event of the profile;
//! * `skip_after` (inferno `--skip-after`): the deepest frame whose name is listed becomes the first
//!   frame, and everything above it, the process name included, is dropped.

use bigflame_model::{EventId, FastMap, FrameId, Profile, StackId};
use std::io::{self, Write};

/// What goes in front of each stack.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum RootFrame {
    /// The thread's process name (perf's `comm`), as FlameGraph and inferno print it.
    #[default]
    Process,
    /// Nothing: the stack alone (formats without threads, e.g. folded input).
    None,
}

impl RootFrame {
    /// The root FlameGraph's collapsers write for `profile`: the process name for perf script
    /// recordings (also `perf.data`, read as perf script), whose threads are named by `comm`;
    /// nothing for formats whose stacks already start at their own root (folded, JSON, ...).
    /// The one place `collapse`, `export --to folded` and `diff` decide it.
    pub fn for_profile(profile: &Profile) -> RootFrame {
        if is_perf_script(profile) {
            RootFrame::Process
        } else {
            RootFrame::None
        }
    }
}

/// True when `profile` was read from perf script text (directly or through `perf script`).
pub fn is_perf_script(profile: &Profile) -> bool {
    profile.meta.format == crate::Format::PerfScript.name()
}

/// Options of [`write_folded`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CollapseOptions {
    /// The root frame.
    pub root: RootFrame,
    /// `comm-PID` as the root frame.
    pub include_pid: bool,
    /// `comm-PID/TID` as the root frame (wins over `include_pid`).
    pub include_tid: bool,
    /// The event to write (`None`: the first event of the profile).
    pub event: Option<String>,
    /// Frame names after which the callers are dropped (see the module docs).
    pub skip_after: Vec<String>,
    /// Write samples without any frame as the root frame alone (`comm 1`), as stackcollapse-perf.pl
    /// does; inferno-collapse-perf drops them (the default).
    pub keep_empty: bool,
}

/// Picks the event to write: exact name, else the name without perf modifiers (`cycles:u` → `cycles`).
fn select_event(profile: &Profile, wanted: Option<&str>) -> Option<EventId> {
    match wanted {
        None => (!profile.events.is_empty()).then(|| profile.default_event()),
        Some(name) => profile.event_by_name(name).or_else(|| {
            let base = name.split_once(':').map_or(name, |(b, _)| b);
            profile.event_by_name(base)
        }),
    }
}

/// The root frame text of every thread (`None` without a root frame).
fn root_names(profile: &Profile, opts: &CollapseOptions) -> Vec<Option<String>> {
    profile
        .threads
        .iter()
        .map(|t| {
            if opts.root == RootFrame::None {
                return None;
            }
            let comm = profile.strings.get(t.name);
            let pid = t.pid.map_or_else(|| "?".to_string(), |p| p.to_string());
            let tid = t.tid.map_or_else(|| "?".to_string(), |p| p.to_string());
            let name = if opts.include_tid {
                format!("{comm}-{pid}/{tid}")
            } else if opts.include_pid {
                format!("{comm}-{pid}")
            } else {
                comm.to_string()
            };
            Some(name.replace(' ', "_"))
        })
        .collect()
}

/// Formats a weight: whole numbers without decimals, others as the shortest exact decimal.
pub fn format_weight(weight: f64) -> String {
    if weight.fract() == 0.0 && weight.abs() < 9.0e15 {
        format!("{}", weight as i64)
    } else {
        format!("{weight}")
    }
}

/// The folded lines of a profile, sorted bytewise, each stack once with its summed weight.
pub fn folded_lines(profile: &Profile, opts: &CollapseOptions) -> Vec<(String, f64)> {
    let Some(event) = select_event(profile, opts.event.as_deref()) else {
        return Vec::new();
    };
    let roots = root_names(profile, opts);
    // Threads that print the same root share an index, so their stacks are summed before rendering.
    let mut root_index: FastMap<Option<&str>, u32> = FastMap::default();
    let mut totals: FastMap<(u32, StackId), f64> = FastMap::default();
    let mut order: Vec<(u32, StackId)> = Vec::new();
    for (thread, root) in profile.threads.iter().zip(&roots) {
        let next = root_index.len() as u32;
        let r = *root_index.entry(root.as_deref()).or_insert(next);
        let cols = thread.samples(event);
        for (&stack, &weight) in cols.stack.iter().zip(&cols.weight) {
            let slot = totals.entry((r, stack)).or_insert_with(|| {
                order.push((r, stack));
                0.0
            });
            *slot += weight;
        }
    }
    let mut root_text: Vec<Option<&str>> = vec![None; root_index.len()];
    for (text, &i) in &root_index {
        root_text[i as usize] = *text;
    }
    let mut path: Vec<FrameId> = Vec::new();
    let mut lines: Vec<(String, f64)> = Vec::with_capacity(order.len());
    for key in order {
        let weight = totals.get(&key).copied().unwrap_or(0.0);
        if let Some(line) = render(profile, opts, root_text[key.0 as usize], key.1, &mut path) {
            lines.push((line, weight));
        }
    }
    lines.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut merged: Vec<(String, f64)> = Vec::with_capacity(lines.len());
    for (line, weight) in lines {
        match merged.last_mut() {
            Some(last) if last.0 == line => last.1 += weight,
            _ => merged.push((line, weight)),
        }
    }
    merged
}

/// One stack as text, or `None` when nothing would be printed.
fn render(
    profile: &Profile,
    opts: &CollapseOptions,
    root: Option<&str>,
    stack: StackId,
    path: &mut Vec<FrameId>,
) -> Option<String> {
    path.clear();
    let mut cur = stack;
    while !cur.is_empty() {
        path.push(profile.stacks.frame(cur));
        cur = profile.stacks.parent(cur);
    }
    // `path` is leaf first: the first listed name found from the leaf is the deepest one.
    let mut root = root;
    if !opts.skip_after.is_empty() {
        let hit = path
            .iter()
            .position(|f| opts.skip_after.iter().any(|s| s == profile.frame_name(*f)));
        if let Some(i) = hit {
            path.truncate(i + 1);
            root = None;
        }
    }
    if path.is_empty() && (root.is_none() || !opts.keep_empty) {
        return None;
    }
    let mut line = String::with_capacity(root.map_or(0, str::len) + path.len() * 24);
    if let Some(root) = root {
        line.push_str(root);
    }
    for (i, frame) in path.iter().rev().enumerate() {
        if i > 0 || root.is_some() {
            line.push(';');
        }
        line.push_str(profile.frame_name(*frame));
    }
    Some(line)
}

/// Writes folded stacks: one `root;...;leaf COUNT\n` line per distinct stack, sorted bytewise.
pub fn write_folded(
    profile: &Profile,
    opts: &CollapseOptions,
    out: &mut impl Write,
) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 16, out);
    for (line, weight) in folded_lines(profile, opts) {
        w.write_all(line.as_bytes())?;
        w.write_all(b" ")?;
        w.write_all(format_weight(weight).as_bytes())?;
        w.write_all(b"\n")?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bigflame_model::{Frame, ProfileBuilder, ProfileMeta, ThreadKey, WeightUnit};

    fn profile() -> Profile {
        let mut b = ProfileBuilder::new();
        let e = b.event("cycles", WeightUnit::Events);
        let e2 = b.event("instructions", WeightUnit::Events);
        let stack_of = |b: &mut ProfileBuilder, names: &[&str]| {
            let mut s = StackId::EMPTY;
            for n in names {
                let id = b.intern(n);
                let f = b.frame(Frame::named(id));
                s = b.stack(s, f);
            }
            s
        };
        let ab = stack_of(&mut b, &["main", "a", "b"]);
        let a = stack_of(&mut b, &["main", "a"]);
        let name = b.intern("my app");
        let t1 = b.thread(ThreadKey {
            pid: Some(7),
            tid: Some(8),
            name,
        });
        let t2 = b.thread(ThreadKey {
            pid: None,
            tid: Some(9),
            name,
        });
        b.sample(t1, e, Some(1), ab, 2.0);
        b.sample(t2, e, Some(2), ab, 3.0);
        b.sample(t1, e, Some(3), a, 1.5);
        b.sample(t1, e, Some(4), StackId::EMPTY, 1.0);
        b.sample(t1, e2, Some(5), a, 100.0);
        b.finish(ProfileMeta::default())
    }

    fn folded(p: &Profile, opts: &CollapseOptions) -> String {
        let mut out = Vec::new();
        write_folded(p, opts, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn roots_sums_and_sorting() {
        let p = profile();
        // The frameless sample is dropped (inferno) or printed as the root alone (FlameGraph).
        assert_eq!(
            folded(&p, &CollapseOptions::default()),
            "my_app;main;a 1.5\nmy_app;main;a;b 5\n"
        );
        let keep = CollapseOptions {
            keep_empty: true,
            ..Default::default()
        };
        assert_eq!(
            folded(&p, &keep),
            "my_app 1\nmy_app;main;a 1.5\nmy_app;main;a;b 5\n"
        );
        let pid = CollapseOptions {
            include_pid: true,
            keep_empty: true,
            ..Default::default()
        };
        assert_eq!(
            folded(&p, &pid),
            "my_app-7 1\nmy_app-7;main;a 1.5\nmy_app-7;main;a;b 2\nmy_app-?;main;a;b 3\n"
        );
        let tid = CollapseOptions {
            include_tid: true,
            ..Default::default()
        };
        assert!(folded(&p, &tid).contains("my_app-?/9;main;a;b 3\n"));
        let none = CollapseOptions {
            root: RootFrame::None,
            ..Default::default()
        };
        assert_eq!(folded(&p, &none), "main;a 1.5\nmain;a;b 5\n");
    }

    #[test]
    fn event_selection_and_skip_after() {
        let p = profile();
        let ins = CollapseOptions {
            event: Some("instructions".into()),
            ..Default::default()
        };
        assert_eq!(folded(&p, &ins), "my_app;main;a 100\n");
        let missing = CollapseOptions {
            event: Some("nope".into()),
            ..Default::default()
        };
        assert_eq!(folded(&p, &missing), "");
        let skip = CollapseOptions {
            skip_after: vec!["a".into()],
            keep_empty: true,
            ..Default::default()
        };
        assert_eq!(folded(&p, &skip), "a 1.5\na;b 5\nmy_app 1\n");
    }

    #[test]
    fn weights_print_minimally() {
        assert_eq!(format_weight(250000.0), "250000");
        assert_eq!(format_weight(0.5), "0.5");
        assert_eq!(format_weight(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(format_weight(-3.0), "-3");
        assert_eq!(format_weight(1e20), "100000000000000000000");
    }

    #[test]
    fn empty_profile_prints_nothing() {
        let p = ProfileBuilder::new().finish(ProfileMeta::default());
        assert_eq!(folded(&p, &CollapseOptions::default()), "");
    }

    /// A sample whose record has no stack lines: inferno-collapse-perf 0.12 prints only
    /// `head;main 1` for this input (run here), stackcollapse-perf.pl also prints `head 1` (it puts
    /// the process name on the empty stack and then keeps any non-empty stack).
    #[test]
    fn samples_without_frames_follow_the_flavour() {
        use crate::perf::{Flavour, PerfOptions};
        let text = b"head 123 1.000: 1 cpu-clock:\n\nhead 123 2.000: 1 cpu-clock:\n\t1 main (/bin/head)\n\n";
        for (flavour, want) in [
            (Flavour::Inferno, "head;main 1\n"),
            (Flavour::FlameGraph, "head 1\nhead;main 1\n"),
        ] {
            let perf = PerfOptions {
                flavour,
                ..PerfOptions::default()
            };
            let opts = crate::ImportOptions {
                perf: perf.clone(),
                ..crate::ImportOptions::default()
            };
            let p = crate::import_bytes(text, "x.txt", &opts).unwrap();
            let mut out = Vec::new();
            write_folded(&p, &perf.collapse_options(), &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), want, "{flavour:?}");
        }
    }
}
