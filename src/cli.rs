//! The command line: the top-level parser and its subcommands.

use clap::{Parser, Subcommand};

use crate::cmd::{oauth_url::OauthUrlArgs, scope::ScopeArgs, send::SendArgs};

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
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute or decode the resource ID and OAuth scope a message needs
    Scope(ScopeArgs),
    /// Build the authorization URL that asks a user for scopes
    OauthUrl(OauthUrlArgs),
    /// Send a TEXT message, with optional buttons, and print the answer
    Send(Box<SendArgs>),
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
