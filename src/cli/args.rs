//! The command line: the top-level parser and its subcommands.

use clap::{ArgMatches, CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

use crate::cli::cmd::{
    icons::IconsArgs, oauth::OauthArgs, oauth_url::OauthUrlArgs, sandbox::SandboxArgs,
    scope::ScopeArgs, send::SendArgs,
};
use crate::cli::generation::{CompletionsArgs, ManArgs};
use crate::cli::report::Verbosity;

#[derive(Debug, Parser)]
#[command(
    name = "kenar-chat",
    version,
    about = "Send chat messages through Divar's open platform (Kenar Divar)",
    long_about = "Send chat messages through Divar's open platform (Kenar Divar): compute the \
                  OAuth scope a message needs, build the URL that asks a user for it, and send \
                  TEXT messages with optional buttons on the user's behalf.",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Say nothing on stderr but errors and warnings (no retry notices)
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Log each request on stderr: method, URL, headers (secrets as ***), status, timing
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

impl Cli {
    /// The process's command line, parsed; with clap's matches, which know where each
    /// value came from.
    pub fn parse_args() -> Result<(Self, ArgMatches), clap::Error> {
        let matches = Cli::command().try_get_matches()?;
        let cli = Cli::from_arg_matches(&matches)?;
        Ok((cli, matches))
    }

    pub fn verbosity(&self) -> Verbosity {
        match (self.quiet, self.verbose) {
            (true, _) => Verbosity::Quiet,
            (false, true) => Verbosity::Verbose,
            (false, false) => Verbosity::Normal,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute or decode the resource ID and OAuth scope a message needs
    Scope(ScopeArgs),
    /// Build the authorization URL that asks a user for scopes
    OauthUrl(OauthUrlArgs),
    /// Exchange codes for tokens, log in from the terminal, and manage stored tokens
    Oauth(OauthArgs),
    /// Send a TEXT message, with optional buttons, and print the answer
    Send(Box<SendArgs>),
    /// List Divar's icon names, which current-platform buttons take
    Icons(IconsArgs),
    /// Print shell completions (bash, zsh, fish, powershell, elvish)
    Completions(CompletionsArgs),
    /// Print the manual: one roff page documenting every command and flag
    Man(ManArgs),
    /// Run a local Divar (API, OAuth, chat view) to develop and test against, offline
    Sandbox(SandboxArgs),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every command's `--help` ends with at least two examples people can copy.
    #[test]
    fn every_subcommand_help_ends_with_examples() {
        fn check(command: &clap::Command, path: &str) {
            for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
                let path = format!("{path} {}", sub.get_name());
                let help = sub.get_after_help().map(ToString::to_string);
                let examples = help
                    .as_deref()
                    .and_then(|h| h.strip_prefix("Examples:\n"))
                    .unwrap_or_default();
                let runs = examples.matches("kenar-chat ").count();
                assert!(
                    runs >= 2,
                    "`{path} --help` needs two or more examples: {help:?}"
                );
                check(sub, &path);
            }
        }
        check(&Cli::command(), "kenar-chat");
    }
}
