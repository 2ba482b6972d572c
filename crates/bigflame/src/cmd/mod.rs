//! Subcommand dispatch.

mod bench;
mod collapse;
mod info;
mod render;
mod top;

use crate::cli::{Cli, Command};
use anyhow::Result;
use std::process::ExitCode;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Some(Command::Collapse(args)) => collapse::run(&args, &cli.load),
        Some(Command::Info(args)) => info::run(&args, &cli.load),
        Some(Command::Top(args)) => top::run(&args, &cli.load),
        Some(Command::Render(args)) => render::run(&args, &cli.load),
        Some(Command::Bench(args)) => bench::run(&args, &cli.load),
        None => crate::app::run(&cli.viewer, &cli.load),
    }
}
