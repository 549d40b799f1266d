//! One module per subcommand: its arguments and what it does.

pub mod batch;
pub mod events;
pub mod icons;
pub mod listen;
pub mod oauth;
pub mod oauth_url;
pub mod sandbox;
pub mod scope;
pub mod send;
pub mod trigger;
pub mod upload;

use crate::cli::args::{Cli, Command};
use crate::cli::generation;

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let verbosity = cli.verbosity();
    match cli.command {
        Command::Scope(args) => scope::run(args),
        Command::OauthUrl(args) => oauth_url::run(args),
        Command::Oauth(args) => oauth::run(args, verbosity),
        Command::Send(args) => send::run(*args, verbosity),
        Command::Icons(args) => icons::run(&args),
        Command::Completions(args) => generation::completions(args),
        Command::Man(args) => generation::man(args),
        Command::Sandbox(args) => sandbox::run(args),
        Command::Listen(args) => listen::run(*args),
        Command::Trigger(args) => trigger::run(*args),
        Command::Events(args) => events::run(args),
    }
}
