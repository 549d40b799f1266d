//! Writing to standard output and standard error. Nothing here panics: a closed pipe
//! (`kenar-chat ... | head -1`) ends the output quietly, any other failure to write the
//! output is an [`Unwritten`] error with its own exit code, and a note that stderr cannot
//! take is dropped. Text from elsewhere (a server, a scope, a file) may hold characters
//! that rewrite the terminal, so everything shows them escaped.

use std::io::{ErrorKind, Write};

use clap::ValueEnum;
use kenar_chat::visible;

/// Text for people, JSON for scripts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// The output could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write to standard output: {0}")]
pub struct Unwritten(std::io::Error);

/// A command that had done its work (sent a message, stored a token) could not say so. Its
/// exit code must not let a script that retries on failure think the work was not done.
#[derive(Debug, thiserror::Error)]
#[error("{0}, but saying so failed")]
pub struct Unreported(pub &'static str);

impl Unreported {
    /// The exit code documented in the README.
    pub const EXIT_CODE: u8 = 7;
}

/// The report of work already done (`done` says what): a failure to write it is an
/// [`Unreported`].
pub fn report_of(done: &'static str, report: anyhow::Result<()>) -> anyhow::Result<()> {
    report.map_err(|e| e.context(Unreported(done)))
}

/// Writes `text` and a newline to standard output.
pub fn line(text: &str) -> anyhow::Result<()> {
    bytes(format!("{}\n", visible::escaped(text, true)).as_bytes())
}

/// Writes `text`, whose own invisible characters the caller has escaped, as it is: its
/// bidi isolates keep right-to-left text in its place.
pub fn isolated(text: &str) -> anyhow::Result<()> {
    bytes(text.as_bytes())
}

/// Writes `data` to standard output as it is.
pub fn bytes(data: &[u8]) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    written(stdout.write_all(data).and_then(|()| stdout.flush()))
}

/// Writes a JSON value on one line.
pub fn json(value: &serde_json::Value) -> anyhow::Result<()> {
    bytes(format!("{}\n", visible::escaped_json(&value.to_string())).as_bytes())
}

/// The outcome of writing standard output: a closed pipe is no error, since its reader
/// has all it wanted.
pub fn written(result: std::io::Result<()>) -> anyhow::Result<()> {
    match result {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => Err(Unwritten(e).into()),
        _ => Ok(()),
    }
}

/// Writes `text` and a newline to standard error.
pub fn note(text: &str) {
    stderr(&format!("{text}\n"));
}

/// Writes `text` to standard error as far as it can. Notes, warnings and errors are for a
/// person watching; when stderr cannot take them (full, closed) the command goes on, and
/// its exit code still says how it ended.
pub fn stderr(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_all(visible::escaped(text, true).as_bytes())
        .and_then(|()| stderr.flush());
}
