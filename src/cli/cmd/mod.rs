//! One module per subcommand: its arguments and what it does.

pub mod conversation;
pub mod generation;
pub mod icons;
pub mod oauth;
pub mod oauth_url;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod scope;
pub mod send;

use clap::{ArgMatches, CommandFactory as _};

use crate::cli::args::{Cli, Command, Deferred};
use crate::cli::settings::Settings;

/// Runs the command `cli` says, with the settings its `matches` give.
pub fn run(cli: Cli, matches: &ArgMatches) -> anyhow::Result<()> {
    let verbosity = cli.verbosity();
    let settings = Settings::new(matches);
    match cli.command {
        Command::Scope(args) => scope::run(args, &settings, verbosity),
        Command::OauthUrl(Deferred(args)) => oauth_url::run(args, &settings),
        Command::Oauth(args) => oauth::run(args, &settings, verbosity),
        Command::Send(Deferred(args)) => send::run(*args, &settings, verbosity),
        Command::Conversation(args) => conversation::run(args, &settings, verbosity),
        Command::Icons(Deferred(args)) => icons::run(&args),
        Command::Completions(Deferred(args)) => generation::completions(args, Cli::command()),
        Command::Man(Deferred(args)) => generation::man(args, Cli::command()),
        #[cfg(feature = "sandbox")]
        Command::Sandbox(Deferred(args)) => sandbox::run(args),
    }
}
