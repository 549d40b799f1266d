//! The `kenar-chat` command: parse the command line, run the subcommand, and turn any
//! error into one message on stderr and a documented exit code.

mod cli;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = cli::args::Cli::parse();
    match cli::cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(exit_code(&err))
        }
    }
}

/// The exit code of the first library error in the chain; 1 for anything else.
fn exit_code(err: &anyhow::Error) -> u8 {
    err.chain()
        .find_map(|cause| cause.downcast_ref::<kenar_chat::Error>())
        .map_or(1, kenar_chat::Error::exit_code)
}
