//! `bigflame top`: the heaviest functions by self or total weight, like `perf report --no-children`.
//!
//! Why by function name: the same symbol can appear as several frames (different modules, lines);
//! users asking "where does the time go" want one row per function.

use anyhow::Result;
use bigflame_formats::ImportOptions;
use bigflame_model::{FunctionStats, GroupBy, SortBy};
use std::fmt::Write as _;
use std::process::ExitCode;

use super::{pick_event, select_threads};
use crate::cli::{LoadArgs, TopArgs, TopBy};
use crate::load::load;

pub fn run(args: &TopArgs, load_args: &LoadArgs) -> Result<ExitCode> {
    let profile = load(&args.file, load_args, ImportOptions::default())?;
    let profile = super::transform_args::apply_transform_args(profile, &args.transform)?;
    let event = pick_event(&profile, args.event.as_deref())?;
    let threads = select_threads(&profile, &args.thread)?;
    let stats = FunctionStats::build_grouped(&profile, event, &threads, GroupBy::Name);
    let by = match args.by {
        TopBy::SelfWeight => SortBy::SelfWeight,
        TopBy::Total => SortBy::TotalWeight,
    };
    let unit = profile
        .events
        .get(event.index())
        .map(|e| e.unit)
        .unwrap_or_default();
    let total = stats.total_weight();
    let pct = |w: f64| if total > 0.0 { 100.0 * w / total } else { 0.0 };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>8} {:>8} {:>18} {:>18}  function",
        "self%", "total%", "self", "total"
    );
    for row in stats.top(&profile, args.count, by) {
        let _ = writeln!(
            out,
            "{:>7.2}% {:>7.2}% {:>18} {:>18}  {}",
            pct(row.self_weight),
            pct(row.total_weight),
            unit.format(row.self_weight),
            unit.format(row.total_weight),
            profile.frame_name(row.frame)
        );
    }
    let _ = writeln!(
        out,
        "total: {} in {} threads",
        unit.format(total),
        threads.len()
    );
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}
