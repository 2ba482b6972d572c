//! `bigflame collapse`: folded stacks, byte-identical to stackcollapse-perf.pl / inferno-collapse-perf.
//!
//! Why through the full model: `collapse` accepts every format bigflame imports, and the perf importer
//! is fast enough (parallel, stack-block cache) that building the model costs less than the peers'
//! line-by-line collapsing.

use anyhow::Result;
use bigflame_formats::ImportOptions;
use bigflame_formats::collapse::{RootFrame, write_folded};
use bigflame_formats::perf::{Flavour as PerfFlavour, PerfOptions};
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use crate::cli::{CollapseArgs, Flavour, LoadArgs};
use crate::load::load;

pub fn run(args: &CollapseArgs, load_args: &LoadArgs) -> Result<ExitCode> {
    let perf = PerfOptions {
        include_pid: args.pid,
        include_tid: args.tid,
        annotate_kernel: args.kernel || args.all,
        annotate_jit: args.jit || args.all,
        include_addrs: args.addrs,
        event_filter: args.event_filter.clone(),
        skip_after: args.skip_after.clone(),
        flavour: match args.flavour {
            Flavour::Inferno => PerfFlavour::Inferno,
            Flavour::Flamegraph => PerfFlavour::FlameGraph,
        },
    };
    let mut collapse = perf.collapse_options();
    let opts = ImportOptions {
        perf,
        ..ImportOptions::default()
    };
    let profile = load(&args.file, load_args, opts)?;
    let profile = super::transform_args::apply_transform_args(profile, &args.transform)?;
    collapse.root = RootFrame::for_profile(&profile);
    if profile.events.len() > 1 && args.event_filter.is_none() {
        eprintln!(
            "Filtering for events of type: {}",
            profile.events[profile.default_event().index()].name
        );
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    write_folded(&profile, &collapse, &mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
