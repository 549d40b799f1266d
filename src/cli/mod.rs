//! The binary's side: the command line (flags, prompts, output) over the library. Nothing
//! here is reachable from `kenar_chat`.

pub mod args;
pub mod cmd;
pub mod dispatch;
pub mod output;
pub mod prompt;
pub mod report;
pub mod settings;
pub mod shared;

use anyhow::Context as _;

/// Runs `future` to its end on the runtime requests are sent on: one thread, since the tool
/// waits on one thing at a time. What still runs on the runtime's blocking threads then is
/// left behind: a name lookup that outlived its connect timeout must not keep the process
/// alive.
pub fn block_on<F: std::future::Future>(future: F) -> anyhow::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let output = runtime.block_on(future);
    runtime.shutdown_background();
    Ok(output)
}
