//! Xcode Instruments `.trace` bundles recorded with the Time Profiler (Instruments 8.3 – 10).
//!
//! What a bundle is: a directory (`NAME.trace/`) that macOS shows as one document, often shared
//! zipped. The importer reads it through [`bundle::Bundle`] (a zip in memory, a directory on disk,
//! or an in-memory map in tests) and stays sans-IO itself. From the bundle it reads only:
//!
//! 1. `form.template` ([`template`], an NSKeyedArchiver archive decoded by [`archive`]): the
//!    instrument type, the runs, the selected run, and per run the symbol of every address;
//! 2. per run, `corespace/runN/core/stores/*/schema.xml` to find the `time-profile` store, its
//!    `bulkstore` (fixed-size sample records) and the `uniquing/arrayUniquer` backtrace arrays
//!    ([`store`]); files may be zlib-compressed (Instruments 9+);
//! 3. nothing else: `instrument_data/*/run_data/N.run.zip` (nested zips of the instrument's UI
//!    state) and the other stores are not needed for the samples, as in speedscope.
//!
//! Runs: Instruments shows one run at a time, but keeping the others costs nothing, so every run
//! with samples is imported, the selected run (`_selectedRunNumber`, else the first listed) first;
//! with several runs, thread names say which run (`run 2 thread 4`). Threads, stacks and weights
//! are built by [`build`]: two events, Instruments' own per-sample weights (the default) and
//! speedscope's time-since-previous-sample (`interval`); see there.
//!
//! Bounds: everything read is charged to a budget proportional to the input ([`bundle::Budget`]);
//! the zip reader, plist decoder, store readers and backtrace expansion never allocate from sizes
//! the file claims and never recurse on data.

pub mod archive;
pub mod bplist;
mod build;
pub mod bundle;
pub mod dir;
mod le;
pub mod store;
pub mod template;
#[cfg(test)]
mod test_writers;
#[cfg(test)]
mod tests;
pub mod zip;

use crate::driver::ImportOptions;
use crate::error::ImportError;
use crate::format::Format;
use bigflame_model::{Profile, ProfileBuilder, ProfileMeta, SkipReason, WeightUnit};
use bundle::{Bundle, BundleError, ZipBundle};
use std::collections::BTreeMap;
use std::path::Path;

/// Imports a zipped `.trace` bundle.
pub fn import(data: &[u8], name: &str, _opts: &ImportOptions) -> Result<Profile, ImportError> {
    let bundle = ZipBundle::new(data).map_err(|e| bundle_error(name, e))?;
    import_bundle(&bundle, name)
}

/// Imports a `.trace` directory (what Instruments writes on macOS).
pub fn import_dir(path: &Path, _opts: &ImportOptions) -> Result<Profile, ImportError> {
    let name = path.display().to_string();
    let bundle = dir::DirBundle::open(path).map_err(|e| ImportError::io(path, e))?;
    if !bundle.paths().iter().any(|p| p == "form.template") {
        return Err(ImportError::unknown(
            path,
            "a directory that is not an Instruments .trace bundle (no form.template in it)",
        ));
    }
    let mut profile = import_bundle(&bundle, &name)?;
    profile.meta.format = Format::InstrumentsTrace.name().to_string();
    profile.meta.source = name;
    Ok(profile)
}

/// An error about a bundle member, as an [`ImportError`] naming the input.
fn bundle_error(name: &str, e: BundleError) -> ImportError {
    match e.offset {
        Some(offset) if e.member == "(zip)" => ImportError::Binary {
            path: name.into(),
            offset,
            message: e.message,
        },
        _ => ImportError::invalid(name, e.to_string()),
    }
}

/// Imports any bundle; `name` is the input's name for messages.
pub fn import_bundle(bundle: &dyn Bundle, name: &str) -> Result<Profile, ImportError> {
    let err = |e: BundleError| bundle_error(name, e);
    let form = bundle.read("form.template").map_err(|e| {
        let mut e = e;
        if e.message.starts_with("missing") {
            e.message.push_str(" (is this an Instruments .trace?)");
        }
        err(e)
    })?;
    let archive = archive::Archive::from_bytes(&form)
        .map_err(|e| err(BundleError::at("form.template", e.offset as u64, e.message)))?;
    let tmpl = template::read(&archive).map_err(|m| err(BundleError::new("form.template", m)))?;
    if let Some(inst) = tmpl
        .instrument
        .as_deref()
        .filter(|&i| i != template::TIME_PROFILER)
    {
        return Err(ImportError::unknown(
            name,
            format!(
                "this .trace was recorded with {inst}; only Time Profiler traces \
                 ({}) can be imported",
                template::TIME_PROFILER
            ),
        ));
    }
    let mut order: Vec<&template::RunInfo> = tmpl.runs.iter().collect();
    if let Some(sel) = order
        .iter()
        .position(|r| Some(r.number) == tmpl.selected_run)
    {
        let run = order.remove(sel);
        order.insert(0, run);
    }
    let paths = bundle.paths();
    let schemas = schemas_by_core(&paths);
    let mut b = ProfileBuilder::new();
    // Instruments' own weights first (the default view), then speedscope's time-since-previous.
    let events = build::Events {
        weight: b.event("weight", WeightUnit::Nanoseconds),
        interval: b.event("interval", WeightUnit::Nanoseconds),
    };
    let mut notes = Vec::new();
    let mut work_left = 1_000_000u64.saturating_add(bundle.budget().remaining());
    let several = order.len() > 1;
    let mut imported_runs = 0;
    let mut first_error = None;
    for run in order {
        let core = format!("corespace/run{}/core/", run.number);
        let store = schemas
            .get(core.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let Some(bulk) = time_profile_store(bundle, store) else {
            notes.push(format!("run {} has no time-profile samples", run.number));
            continue;
        };
        let prefix = if several {
            format!("run {} ", run.number)
        } else {
            String::new()
        };
        let mut ctx = RunContext {
            bundle,
            builder: &mut b,
            events,
            work_left: &mut work_left,
        };
        match import_run(&mut ctx, run, &core, &bulk, prefix) {
            Ok(weighted) => {
                imported_runs += 1;
                if !weighted {
                    notes.push(format!(
                        "run {}: no usable per-sample weights; see the \"interval\" event",
                        run.number
                    ));
                }
            }
            // A broken run does not spoil the others; alone, it is the error.
            Err(e) => {
                notes.push(format!("run {} skipped: {e}", run.number));
                first_error.get_or_insert(e);
            }
        }
    }
    if imported_runs == 0
        && let Some(e) = first_error
    {
        return Err(err(e));
    }
    if imported_runs == 0 {
        return Err(ImportError::invalid(
            name,
            "no Time Profiler samples: no run has a store with schema \"time-profile\" \
             (corespace/runN/core/stores/*/schema.xml)",
        ));
    }
    if several {
        notes.push(format!(
            "{} runs; thread names start with their run, the selected run first",
            tmpl.runs.len()
        ));
    }
    Ok(b.finish(ProfileMeta {
        format: Format::InstrumentsTrace.name().to_string(),
        source: name.to_string(),
        notes,
        ..ProfileMeta::default()
    }))
}

/// What one run's import writes into.
struct RunContext<'a, 'b> {
    bundle: &'a dyn Bundle,
    builder: &'b mut ProfileBuilder,
    events: build::Events,
    work_left: &'b mut u64,
}

/// Reads one run's samples (from `bulk`) and backtrace arrays and adds its threads; false when its
/// weight column was unusable (see [`build::RunBuilder::add`]).
fn import_run(
    ctx: &mut RunContext<'_, '_>,
    run: &template::RunInfo,
    core: &str,
    bulk: &str,
    prefix: String,
) -> Result<bool, BundleError> {
    let data = ctx.bundle.read(bulk)?;
    let table = store::read_samples(&data, bulk)?;
    drop(data);
    let index_path = format!("{core}uniquing/arrayUniquer/integeruniquer.index");
    let data_path = format!("{core}uniquing/arrayUniquer/integeruniquer.data");
    let index = ctx.bundle.read(&index_path)?;
    let arrays = store::Arrays::read(&index, ctx.bundle.read(&data_path)?);
    let b = &mut *ctx.builder;
    if let Some(at) = table.truncated_at {
        b.skipped
            .add(SkipReason::Truncated, || format!("{bulk} byte {at}"), b"");
    }
    if arrays.bad_entries > 0 {
        b.skipped.add_many(
            SkipReason::MalformedSample,
            arrays.bad_entries,
            || index_path.clone(),
            b"array index entry outside integeruniquer.data",
        );
    }
    let mut rb = build::RunBuilder {
        run,
        arrays: &arrays,
        prefix,
        member: bulk,
        work_left: ctx.work_left,
    };
    Ok(rb.add(b, ctx.events, &table.samples))
}

/// Every store schema of the bundle by its run's core folder (`corespace/runN/core/`), in numeric
/// store order, collected in one pass over the paths.
fn schemas_by_core(paths: &[String]) -> BTreeMap<&str, Vec<(u64, &str)>> {
    let mut out: BTreeMap<&str, Vec<(u64, &str)>> = BTreeMap::new();
    for p in paths {
        let Some(at) = p.find("/core/stores/") else {
            continue;
        };
        let (core, rest) = (&p[..at + 6], &p[at + 13..]);
        let Some(dir) = rest.strip_suffix("/schema.xml") else {
            continue;
        };
        let n = dir
            .rsplit('-')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(u64::MAX);
        out.entry(core).or_default().push((n, p.as_str()));
    }
    for v in out.values_mut() {
        v.sort_unstable();
    }
    out
}

/// The bulkstore of the first store whose schema is `time-profile`.
fn time_profile_store(bundle: &dyn Bundle, schemas: &[(u64, &str)]) -> Option<String> {
    for &(_, schema) in schemas {
        // An unreadable schema is some other store's problem; only the time profile matters.
        let Ok(text) = bundle.read(schema) else {
            continue;
        };
        if memchr::memmem::find(&text, b"name=\"time-profile\"").is_some() {
            let dir = schema.strip_suffix("schema.xml").unwrap_or(schema);
            return Some(format!("{dir}bulkstore"));
        }
    }
    None
}
