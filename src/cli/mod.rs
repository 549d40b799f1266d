//! The binary's side: the command line (flags, prompts, output) over the library. Nothing
//! here is reachable from `kenar_chat`.

pub mod args;
pub mod cmd;
pub mod connection;
pub mod credentials;
pub mod generation;
pub mod output;
pub mod profile;
pub mod prompt;
pub mod report;

use anyhow::Context as _;

/// The runtime requests are sent on: one thread, since the tool waits on one thing at a time.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}
