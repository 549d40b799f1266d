//! The command line: the top-level parser and its subcommands.

use clap::builder::Resettable;
use clap::error::{ContextKind, ContextValue};
use clap::{ArgMatches, Args, CommandFactory as _, FromArgMatches, Parser, Subcommand};

use crate::cli::cmd::generation::{CompletionsArgs, ManArgs};
#[cfg(feature = "listen")]
use crate::cli::cmd::listen::ListenArgs;
#[cfg(feature = "sandbox")]
use crate::cli::cmd::sandbox::SandboxArgs;
use crate::cli::cmd::{
    conversation::ConversationArgs, events::EventsArgs, icons::IconsArgs, oauth::OauthArgs,
    oauth_url::OauthUrlArgs, scope::ScopeArgs, send::SendArgs, trigger::TriggerArgs,
};
use crate::cli::report::Verbosity;
use kenar_chat::visible;

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

/// clap's error with the user's text it quotes (a value, an unknown argument) cut to its
/// start and end: a 100 KB value must not make a 100 KB error.
fn bounded(mut err: clap::Error) -> clap::Error {
    for kind in [
        ContextKind::InvalidValue,
        ContextKind::InvalidArg,
        ContextKind::InvalidSubcommand,
    ] {
        if let Some(ContextValue::String(text)) = err.get(kind) {
            let short = visible::shorten(text);
            err.insert(kind, ContextValue::String(short));
        }
    }
    err
}

impl Cli {
    /// The process's command line, parsed; with clap's matches, which know where each
    /// value came from.
    pub fn parse_args() -> Result<(Self, ArgMatches), clap::Error> {
        let matches = Cli::command().try_get_matches().map_err(bounded)?;
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
    OauthUrl(Deferred<OauthUrlArgs>),
    /// Exchange codes for tokens, log in from the terminal, and manage stored tokens
    Oauth(OauthArgs),
    /// Send a TEXT message, with optional buttons, and print the answer
    Send(Deferred<Box<SendArgs>>),
    /// Read a conversation of the current platform: its text messages, oldest first
    Conversation(ConversationArgs),
    /// List Divar's icon names, which current-platform buttons take
    Icons(Deferred<IconsArgs>),
    /// Print shell completions (bash, zsh, fish, powershell, elvish)
    Completions(Deferred<CompletionsArgs>),
    /// Print the manual: one roff page documenting every command and flag
    Man(Deferred<ManArgs>),
    /// Run a local Divar (API, OAuth, chat view) to develop and test against, offline
    #[cfg(feature = "sandbox")]
    Sandbox(Deferred<SandboxArgs>),
    /// Receive what Divar sends the app, record it, and forward it to the app under development
    #[cfg(feature = "listen")]
    Listen(Deferred<Box<ListenArgs>>),
    /// Send the app a sample of what Divar sends (an event, a server-link or dynamic-action call)
    Trigger(Deferred<Box<TriggerArgs>>),
    /// Send what `listen` recorded to the app again
    Events(EventsArgs),
}

/// A subcommand's arguments, added to the command tree only when that subcommand is the
/// one being parsed (or when the whole tree is built, for help, completions and the
/// manual): a run builds the flags of one command, not of all of them. Only commands
/// without subcommands of their own are deferred, since clap's `help` subcommand copies
/// the tree of subcommands as it stands when the top level is built.
#[derive(Debug)]
pub struct Deferred<T>(pub T);

impl<T: FromArgMatches> FromArgMatches for Deferred<T> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Self)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
}

impl<T: Args> Args for Deferred<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| keeping_about(cmd, T::augment_args))
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| keeping_about(cmd, T::augment_args_for_update))
    }
}

/// Adds the arguments with `augment`, keeping the about texts the subcommand's variant set:
/// without deferral they are applied after the arguments, and so win.
fn keeping_about(cmd: clap::Command, augment: fn(clap::Command) -> clap::Command) -> clap::Command {
    let about = cmd.get_about().cloned();
    let long_about = cmd.get_long_about().cloned();
    let cmd = augment(cmd);
    let cmd = match about {
        Some(text) => cmd.about(text),
        None => cmd.about(Resettable::Reset),
    };
    match long_about {
        Some(text) => cmd.long_about(text),
        None => cmd.long_about(Resettable::Reset),
    }
}

#[cfg(test)]
mod tests {
    use clap_complete::Shell;

    use super::*;
    use crate::cli::cmd::generation::{script, whole_manual, with_usage};

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// A deferred subcommand is described by its variant's text once built, as it is
    /// before: the flags are deferred, not the description.
    #[test]
    fn deferred_subcommands_keep_their_descriptions() {
        let mut command = Cli::command();
        let before = command
            .find_subcommand("send")
            .and_then(|s| s.get_about())
            .map(ToString::to_string);
        command.build();
        let send = command.find_subcommand("send").expect("send");
        assert_eq!(
            before.as_deref(),
            Some("Send a TEXT message, with optional buttons, and print the answer")
        );
        assert_eq!(send.get_about().map(ToString::to_string), before);
        assert!(send.get_arguments().any(|arg| arg.get_id() == "message"));
    }

    /// An authorization code is opaque and may begin with a hyphen (the sandbox's codes
    /// are random base64url): `--code` takes it as its value, not as a flag.
    #[test]
    fn a_code_that_begins_with_a_hyphen_is_the_codes_value() {
        let matches = Cli::command()
            .try_get_matches_from([
                "kenar-chat",
                "oauth",
                "token",
                "--code",
                "-GcUub",
                "--chat",
                "u:p:q",
            ])
            .expect("parsed");
        let (_, oauth) = matches.subcommand().expect("oauth");
        let (_, token) = oauth.subcommand().expect("token");
        assert_eq!(
            token.get_one::<String>("code").map(String::as_str),
            Some("-GcUub")
        );
    }

    /// A media token the upload host made may begin with a hyphen, as a code may.
    #[test]
    fn a_media_token_that_begins_with_a_hyphen_is_the_tokens_value() {
        let matches = Cli::command()
            .try_get_matches_from([
                "kenar-chat",
                "send",
                "--conversation-id",
                "c-1",
                "--media-token",
                "-xQ2b",
            ])
            .expect("parsed");
        let (_, send) = matches.subcommand().expect("send");
        assert_eq!(
            send.get_one::<String>("media_token").map(String::as_str),
            Some("-xQ2b")
        );
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
        // Built, as for `--help`, so that deferred subcommands have their texts.
        let mut command = Cli::command();
        command.build();
        check(&command, "kenar-chat");
    }

    /// A synopsis shows the value each flag takes, as `--help` does, on one line.
    #[test]
    fn synopses_show_the_values_of_flags() {
        let mut command = Cli::command().disable_help_subcommand(true);
        command.build();
        let page = String::from_utf8(whole_manual(&with_usage(command)).unwrap()).unwrap();
        let section = &page[page.find("\n.SH \"KENAR-CHAT SCOPE CHAT\"\n").unwrap()..];
        let synopsis = section.lines().skip_while(|l| *l != ".SS SYNOPSIS").nth(1);
        assert_eq!(
            synopsis,
            Some(
                "\\fBkenar\\-chat scope chat\\fR [OPTIONS] \\-\\-user\\-id <USER_ID> \\-\\-post\\-token \
                 <POST_TOKEN> \\-\\-peer\\-id <PEER_ID>"
            )
        );
        // Examples are set as typed.
        let examples = &section[section.find(".SS EXTRA\n").unwrap()..];
        assert!(
            examples.starts_with(".SS EXTRA\n.nf\nExamples:\n"),
            "{examples}"
        );
    }

    /// The whole manual has a section for every command, and each section documents every
    /// flag of its command.
    #[test]
    fn the_whole_manual_documents_every_flag_of_every_command() {
        fn check(command: &clap::Command, page: &str) {
            for sub in command.get_subcommands() {
                let name = sub.get_bin_name().unwrap().to_uppercase();
                let heading = format!("\n.SH \"{name}\"\n");
                let start = page
                    .find(&heading)
                    .unwrap_or_else(|| panic!("no {heading}"));
                let section = &page[start + heading.len()..];
                let section = &section[..section.find("\n.SH ").unwrap_or(section.len())];
                for flag in sub.get_arguments().filter_map(clap::Arg::get_long) {
                    let flag = format!("\\-\\-{}", flag.replace('-', "\\-"));
                    assert!(section.contains(&flag), "{name} lacks {flag}");
                }
                check(sub, page);
            }
        }
        let mut command = Cli::command().disable_help_subcommand(true);
        command.build();
        let page = String::from_utf8(whole_manual(&command).unwrap()).unwrap();
        assert!(page.contains(".TH kenar-chat 1"), "{page}");
        check(&command, &page);
    }

    /// Every state the bash script's dispatch loop sets has an arm that matches it.
    #[test]
    fn bash_script_matches_every_state_it_sets() {
        let text = String::from_utf8(script(Shell::Bash, &mut Cli::command())).unwrap();
        let states: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("cmd=\""))
            .filter_map(|l| l.strip_suffix('"'))
            .filter(|state| !state.is_empty())
            .collect();
        assert!(states.contains(&"kenar__chat__subcmd__send"), "{states:?}");
        for state in states {
            assert!(
                text.contains(&format!("\n        {state})\n")),
                "no arm for {state}"
            );
        }
    }
}
