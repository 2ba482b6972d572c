//! Subcommand dispatch.

mod bench;
mod collapse;
mod diff;
mod diff_folded;
mod export;
mod info;
mod render;
mod top;
pub mod transform_args;

use crate::cli::{Cli, Command};
use anyhow::{Context, Result, bail};
use bigflame_model::{EventId, Profile, ThreadId};
use std::process::ExitCode;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Some(Command::Collapse(args)) => collapse::run(&args, &cli.load),
        Some(Command::Info(args)) => info::run(&args, &cli.load),
        Some(Command::Top(args)) => top::run(&args, &cli.load),
        Some(Command::Render(args)) => render::run(&args, &cli.load),
        Some(Command::Bench(args)) => bench::run(&args, &cli.load),
        Some(Command::Diff(args)) => diff::run(&args, &cli.load),
        Some(Command::Export(args)) => export::run(&args, &cli.load),
        None => crate::app::run(&cli.viewer, &cli.load),
    }
}

/// `--event NAME` or the profile's default event.
pub(crate) fn pick_event(profile: &Profile, name: Option<&str>) -> Result<EventId> {
    let Some(name) = name else {
        return Ok(profile.default_event());
    };
    profile.event_by_name(name).with_context(|| {
        let names: Vec<&str> = profile.events.iter().map(|e| e.name.as_str()).collect();
        format!(
            "{}: no event named {name:?} (events: {})",
            profile.meta.source,
            names.join(", ")
        )
    })
}

/// The threads named by `--thread` selectors (see [`crate::scene::match_threads`]), or every
/// thread without selectors; an error when selectors match nothing.
pub(crate) fn select_threads(profile: &Profile, selectors: &[String]) -> Result<Vec<ThreadId>> {
    if selectors.is_empty() {
        return Ok(bigflame_model::all_threads(profile));
    }
    let picked = crate::scene::match_threads(profile, selectors);
    if picked.is_empty() {
        bail!(
            "{}: no thread matches {:?} ({} threads; `bigflame info` lists them)",
            profile.meta.source,
            selectors,
            profile.threads.len()
        );
    }
    Ok(picked)
}
