//! One module per subcommand: its arguments and what it does.

pub mod batch;
pub mod oauth;
pub mod oauth_url;
pub mod profile;
pub mod sandbox;
pub mod scope;
pub mod send;

use anyhow::Context as _;

use crate::cli::{Cli, Command};
use crate::generation;

/// The runtime requests are sent on: one thread, since the tool waits on one thing at a time.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let verbosity = cli.verbosity();
    match cli.command {
        Command::Scope(args) => scope::run(args),
        Command::OauthUrl(args) => oauth_url::run(args),
        Command::Oauth(args) => oauth::run(args, verbosity),
        Command::Send(args) => send::run(*args, verbosity),
        Command::Completions(args) => generation::completions(args),
        Command::Man(args) => generation::man(args),
        Command::Sandbox(args) => sandbox::run(args),
    }
}
