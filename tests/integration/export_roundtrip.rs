//! Round trips through the writers: `import(export(p)) == p` for speedscope JSON and folded stacks.
//!
//! What "equal" means is stated per format, from what the format can hold (not from what our code
//! happens to do):
//!
//! * speedscope: one profile per (thread, event) in profile order, named after the thread (and
//!   the event, `label [event]`, when the profile has several); the same samples in the same
//!   order, each with the same stack read as (name, file, line, column) from the root, and the
//!   same weight; the unit is kept for time and bytes, counts become `samples` (speedscope's
//!   `none`). speedscope drops zero-weight samples (documented by its importer), so a profile left
//!   without samples vanishes; sampled profiles carry no timestamps, so times are not compared.
//! * folded: the same set of `stack count` lines (a folded file has no threads, order or units).
//!
//! Inputs: a profile built here by hand (two threads, file/line/column, a fractional weight, an
//! idle sample, a zero weight, three units), the real perf recording
//! `corpus/mixed-workload.perf.txt`, and every conformance profile bigflame imports.

use bigflame_formats::collapse::{CollapseOptions, RootFrame, folded_lines, write_folded};
use bigflame_formats::export::{SpeedscopeOptions, write_speedscope};
use bigflame_formats::{Format, ImportOptions, import_bytes, import_path};
use bigflame_model::{
    EventId, Frame, FrameKind, Profile, ProfileBuilder, ProfileMeta, StackId, ThreadId, ThreadKey,
    WeightUnit,
};
use std::path::Path;

/// A frame as speedscope can carry it.
type Loc = (String, Option<String>, u32, u32);

fn path_of(p: &Profile, stack: StackId) -> Vec<Loc> {
    let mut out = Vec::new();
    let mut cur = stack;
    while !cur.is_empty() {
        let f = p.frames.get(p.stacks.frame(cur));
        out.push((
            p.strings.get(f.name).to_string(),
            f.file.map(|s| p.strings.get(s).to_string()),
            f.line,
            f.column,
        ));
        cur = p.stacks.parent(cur);
    }
    out.reverse();
    out
}

/// One speedscope profile's worth of a bigflame profile: label, unit, samples (path, weight).
type Column = (String, WeightUnit, Vec<(Vec<Loc>, f64)>);

/// The (thread, event) columns with samples, as the speedscope writer orders them; with
/// `event_suffix` labels end in ` [event]`, as the writer names profiles of multi-event profiles.
fn columns(p: &Profile, event_suffix: bool) -> Vec<Column> {
    let mut out = Vec::new();
    for t in 0..p.threads.len() {
        let t = ThreadId::from_index(t);
        for e in 0..p.events.len() {
            let cols = p.thread(t).samples(EventId::from_index(e));
            if cols.is_empty() {
                continue;
            }
            let samples = cols
                .stack
                .iter()
                .zip(&cols.weight)
                .map(|(&s, &w)| (path_of(p, s), w))
                .collect();
            let mut label = p.thread_label(t);
            if event_suffix {
                label = format!("{label} [{}]", p.events[e].name);
            }
            out.push((label, p.events[e].unit, samples));
        }
    }
    out
}

fn speedscope_round_trip(original: &Profile) {
    let mut json = Vec::new();
    let opts = SpeedscopeOptions {
        name: "roundtrip".into(),
        ..Default::default()
    };
    write_speedscope(original, &opts, &mut json).expect("write");
    let back = import_bytes(&json, "roundtrip.json", &ImportOptions::default())
        .unwrap_or_else(|e| panic!("re-import failed: {e}"));
    assert_eq!(back.meta.format, Format::SpeedscopeJson.name());
    // speedscope drops zero-weight samples, and so a profile left with none.
    let want: Vec<Column> = columns(original, original.events.len() > 1)
        .into_iter()
        .map(|(l, u, samples)| (l, u, samples.into_iter().filter(|s| s.1 != 0.0).collect()))
        .filter(|c: &Column| !c.2.is_empty())
        .collect();
    let got = columns(&back, false);
    assert_eq!(got.len(), want.len(), "one profile per (thread, event)");
    for ((wl, wu, ws), (gl, gu, gs)) in want.iter().zip(&got) {
        let unit = match wu {
            WeightUnit::Events => WeightUnit::Samples,
            u => *u,
        };
        assert_eq!(gl, wl, "thread label");
        assert_eq!(*gu, unit, "{wl}: unit");
        assert_eq!(gs.len(), ws.len(), "{wl}: sample count");
        for (i, (g, w)) in gs.iter().zip(ws).enumerate() {
            assert_eq!(g.0, w.0, "{wl}: sample {i} stack");
            assert_eq!(g.1, w.1, "{wl}: sample {i} weight");
        }
    }
}

fn hand_profile() -> Profile {
    let mut b = ProfileBuilder::new();
    let time = b.event("cpu-clock", WeightUnit::Nanoseconds);
    let mem = b.event("alloc", WeightUnit::Bytes);
    let n = |b: &mut ProfileBuilder, name: &str, file: Option<&str>, line, column| {
        let name = b.intern(name);
        let file = file.map(|f| b.intern(f));
        b.frame(Frame {
            name,
            module: None,
            file,
            line,
            column,
            kind: FrameKind::User,
        })
    };
    let main = n(&mut b, "main", Some("src/main.rs"), 10, 5);
    let parse = n(&mut b, "parse \"quoted\" <T>", Some("src/parse.rs"), 42, 0);
    let anon1 = n(&mut b, "(anonymous)", Some("app.js"), 3, 14);
    let anon2 = n(&mut b, "(anonymous)", Some("app.js"), 3, 40);
    let s_main = b.stack(StackId::EMPTY, main);
    let s_parse = b.stack(s_main, parse);
    let s_a1 = b.stack(s_parse, anon1);
    let s_a2 = b.stack(s_main, anon2);
    let (worker, ui) = (b.intern("worker"), b.intern("ui thread"));
    let t1 = b.thread(ThreadKey {
        pid: Some(100),
        tid: Some(101),
        name: worker,
    });
    let t2 = b.thread(ThreadKey {
        pid: Some(100),
        tid: Some(100),
        name: ui,
    });
    b.sample(t1, time, Some(1_000), s_a1, 1_000_000.0);
    b.sample(t1, time, Some(2_000), s_parse, 250.5);
    b.sample(t1, time, Some(3_000), s_a1, 1_000_000.0);
    b.sample(t2, time, Some(1_500), s_a2, 3.0);
    b.sample(t2, time, Some(1_600), StackId::EMPTY, 7.0);
    b.sample(t2, time, Some(1_700), s_main, 0.0);
    b.sample(t2, mem, None, s_parse, 4096.0);
    b.sample(t1, mem, None, s_a2, 16.0);
    b.finish(ProfileMeta::default())
}

#[test]
fn speedscope_hand_profile() {
    speedscope_round_trip(&hand_profile());
}

fn corpus_perf() -> Profile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/mixed-workload.perf.txt");
    import_path(&path, &ImportOptions::default()).expect("corpus recording imports")
}

#[test]
fn speedscope_real_perf_recording() {
    let p = corpus_perf();
    assert!(p.threads.len() > 1 && p.sample_count(p.default_event()) > 100);
    speedscope_round_trip(&p);
}

/// Folded text written by `write_folded`, re-imported, gives the same lines.
fn folded_round_trip(original: &Profile, root: RootFrame) {
    let opts = CollapseOptions {
        root,
        ..Default::default()
    };
    let mut text = Vec::new();
    write_folded(original, &opts, &mut text).expect("write");
    let back = import_bytes(&text, "roundtrip.folded", &ImportOptions::default())
        .unwrap_or_else(|e| panic!("re-import failed: {e}"));
    assert_eq!(back.meta.format, Format::Folded.name());
    let none = CollapseOptions {
        root: RootFrame::None,
        ..Default::default()
    };
    let want = folded_lines(original, &opts);
    assert!(!want.is_empty());
    assert_eq!(folded_lines(&back, &none), want);
}

#[test]
fn folded_real_perf_recording() {
    folded_round_trip(&corpus_perf(), RootFrame::Process);
}

#[test]
fn folded_hand_profile() {
    // The idle sample has no stack and the zero-weight one adds nothing: both vanish in folded
    // form, on both sides, since `folded_lines` writes only what the format can hold.
    folded_round_trip(&hand_profile(), RootFrame::None);
}

/// Every conformance profile bigflame imports (every format, every tool that made them) survives
/// speedscope export and re-import: the writer copes with whatever the importers produce.
#[test]
fn speedscope_every_conformance_profile() {
    let Some(dir) = crate::support::conformance_dir() else {
        return;
    };
    let mut pending = vec![dir.join("formats")];
    let mut checked = 0;
    while let Some(d) = pending.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)
            .expect("conformance folder")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let Ok(p) = import_path(&path, &ImportOptions::default()) else {
                continue; // invalid inputs and formats without an importer yet
            };
            if p.threads.is_empty() {
                continue;
            }
            eprintln!("round trip: {}", path.display());
            speedscope_round_trip(&p);
            checked += 1;
        }
    }
    assert!(
        checked >= 10,
        "only {checked} conformance profiles imported"
    );
}
