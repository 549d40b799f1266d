//! One module per subcommand: its arguments and what it does.

pub mod batch;
pub mod oauth_url;
pub mod sandbox;
pub mod scope;
pub mod send;

use crate::cli::{Cli, Command};
use crate::generation;

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let verbosity = cli.verbosity();
    match cli.command {
        Command::Scope(args) => scope::run(args),
        Command::OauthUrl(args) => oauth_url::run(args),
        Command::Send(args) => send::run(*args, verbosity),
        Command::Completions(args) => generation::completions(args),
        Command::Man(args) => generation::man(args),
        Command::Sandbox(args) => sandbox::run(args),
    }
}
