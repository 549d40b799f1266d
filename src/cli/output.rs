//! Writing results to standard output. A closed pipe (`kenar-chat ... | head -1`) ends the
//! output quietly instead of failing.

use std::io::{ErrorKind, Write as _};

use clap::ValueEnum;

/// Text for people, JSON for scripts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// Writes `text` and a newline to standard output.
pub fn line(text: &str) -> anyhow::Result<()> {
    bytes(format!("{text}\n").as_bytes())
}

/// Writes `data` to standard output as it is.
pub fn bytes(data: &[u8]) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(data).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("cannot write to standard output"))
        }
        _ => Ok(()),
    }
}

/// Writes a JSON value on one line.
pub fn json(value: &serde_json::Value) -> anyhow::Result<()> {
    line(&value.to_string())
}
