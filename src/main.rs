//! The `kenar-chat` command: parse the command line, run the subcommand, and turn any
//! error into one message on stderr and a documented exit code. The command runs on a
//! thread of its own, so that a signal that ends it while it cannot be reached is still
//! turned into its exit code here.

mod cli;

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::mpsc;
use std::{panic, thread};

use crate::cli::output::{self, Unreported};

/// How the run ended: the command returned, or a signal ended it while the command's
/// thread could not be reached (a terminal read, a request given up on).
enum Ending {
    Returned(anyhow::Result<()>),
    Signalled(kenar_chat::batch::Signal),
    Panicked,
}

/// The command's thread gets the stack the main thread would have had.
const STACK_BYTES: usize = 8 << 20;

fn main() -> ExitCode {
    let (cli, matches) = match cli::args::Cli::parse_args() {
        Ok(parsed) => parsed,
        Err(err) => return ExitCode::from(usage(&err)),
    };
    let (ended, ending) = mpsc::channel();
    let signalled = ended.clone();
    cli::shared::signals::report_endings_to(move |signal| {
        let _ = signalled.send(Ending::Signalled(signal));
    });
    let run = move || {
        let returned = panic::catch_unwind(panic::AssertUnwindSafe(|| {
            cli::dispatch::run(cli, &matches)
        }));
        let _ = ended.send(returned.map_or(Ending::Panicked, Ending::Returned));
    };
    if let Err(err) = thread::Builder::new().stack_size(STACK_BYTES).spawn(run) {
        output::note(&format!("error: cannot start the command's thread: {err}"));
        return ExitCode::FAILURE;
    }
    // The first ending wins; returning ends the process, the command's thread with it.
    match ending.recv() {
        Ok(Ending::Returned(Ok(()))) => ExitCode::SUCCESS,
        Ok(Ending::Returned(Err(err))) => {
            output::note(&format!("error: {err:#}"));
            ExitCode::from(exit_code(&err))
        }
        Ok(Ending::Signalled(signal)) => ExitCode::from(signal.exit_code()),
        // The panic has been reported by the panic hook, as Rust reports one in `main`.
        Ok(Ending::Panicked) | Err(_) => ExitCode::from(101),
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
