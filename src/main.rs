//! The `kenar-chat` command: parse the command line, run the subcommand, and turn any
//! error into one message on stderr and a documented exit code.

mod cli;

use std::io::Write as _;
use std::process::ExitCode;

use crate::cli::output::{self, Unreported};

fn main() -> ExitCode {
    let (cli, matches) = match cli::args::Cli::parse_args() {
        Ok(parsed) => parsed,
        Err(err) => return ExitCode::from(usage(&err)),
    };
    match cli::dispatch::run(cli, &matches) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            output::note(&format!("error: {err:#}"));
            ExitCode::from(exit_code(&err))
        }
    }
}

/// Prints what clap has to say (help and the version on stdout, usage errors on stderr),
/// and gives its exit code: clap's own, or 1 when the help or version could not be written.
fn usage(err: &clap::Error) -> u8 {
    let printed = err.print().and_then(|()| std::io::stdout().flush());
    let code = u8::try_from(err.exit_code()).unwrap_or(1);
    if err.use_stderr() {
        return code;
    }
    match output::written(printed) {
        Ok(()) => code,
        Err(unwritten) => {
            output::note(&format!("error: {unwritten:#}"));
            1
        }
    }
}

/// The exit code of the first library error in the chain; 1 for anything else.
fn exit_code(err: &anyhow::Error) -> u8 {
    if err.downcast_ref::<Unreported>().is_some() {
        return Unreported::EXIT_CODE;
    }
    err.chain()
        .find_map(|cause| cause.downcast_ref::<kenar_chat::Error>())
        .map_or(1, kenar_chat::Error::exit_code)
}
