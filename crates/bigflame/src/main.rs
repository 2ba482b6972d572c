//! `bigflame`: open huge profiles as interactive flame charts, and the command-line tools around them.
//!
//! Why one binary with subcommands: users reach for `bigflame FILE` to look, and for `collapse`,
//! `info`, `top`, `render` and `bench` in scripts and CI. They share the importer, the model and the
//! renderer, so they live in one executable, like `perf` itself.

mod app;
mod cli;
mod cmd;
mod load;
mod scene;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`bigflame collapse big.txt | head`) is not an error worth reporting.
            if is_broken_pipe(&err) {
                return std::process::ExitCode::SUCCESS;
            }
            eprintln!("bigflame: error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
