//! One module per subcommand: its arguments and what it does.

pub mod batch;
pub mod icons;
pub mod oauth;
pub mod oauth_url;
pub mod sandbox;
pub mod scope;
pub mod send;
pub mod upload;

use clap::ArgMatches;

use crate::cli::args::{Cli, Command};
use crate::cli::generation;
use crate::cli::settings::Settings;

/// Runs the command `cli` says, with the settings its `matches` give.
pub fn run(cli: Cli, matches: &ArgMatches) -> anyhow::Result<()> {
    let verbosity = cli.verbosity();
    let settings = Settings::new(matches);
    match cli.command {
        Command::Scope(args) => scope::run(args, &settings),
        Command::OauthUrl(args) => oauth_url::run(args, &settings),
        Command::Oauth(args) => oauth::run(args, &settings, verbosity),
        Command::Send(args) => send::run(*args, &settings, verbosity),
        Command::Icons(args) => icons::run(&args),
        Command::Completions(args) => generation::completions(args),
        Command::Man(args) => generation::man(args),
        Command::Sandbox(args) => sandbox::run(args),
    }
}
