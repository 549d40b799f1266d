//! Runs the subcommand the command line names. It sits above both the parser
//! (`args.rs`, which names each command's arguments) and the commands, so that neither
//! imports the other back.

use clap::{ArgMatches, CommandFactory as _};

use crate::cli::args::{Cli, Command, Deferred};
#[cfg(feature = "listen")]
use crate::cli::cmd::listen;
#[cfg(feature = "sandbox")]
use crate::cli::cmd::sandbox;
use crate::cli::cmd::{
    conversation, events, generation, icons, oauth, oauth_url, scope, send, trigger,
};
use crate::cli::settings::Settings;
use crate::cli::shared::worded::worded_chain;

/// Runs the command `cli` says, with the settings its `matches` give.
pub fn run(cli: Cli, matches: &ArgMatches) -> anyhow::Result<()> {
    let verbosity = cli.verbosity();
    let settings = Settings::new(matches);
    let ran = match cli.command {
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
        #[cfg(feature = "listen")]
        Command::Listen(Deferred(args)) => listen::run(*args, &settings, verbosity),
        Command::Trigger(Deferred(args)) => trigger::run(*args, verbosity),
        Command::Events(args) => events::run(args, &settings, verbosity),
    };
    ran.map_err(worded_chain)
}
