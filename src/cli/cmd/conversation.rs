//! `kenar-chat conversation show`: read one conversation of the current platform, oldest
//! message first. Divar returns its text messages only.

use anyhow::Result;
use clap::{Args, Subcommand};
use kenar_chat::http::request::PreparedRequest;
use kenar_chat::message::received::ConversationRead;
use kenar_chat::platform::Platform;
use kenar_chat::scope::{self, Recipient};
use kenar_chat::{Error, error};

use crate::cli::output::{self, Format};
use crate::cli::report::Verbosity;
use crate::cli::settings::Settings;
use crate::cli::shared::connection::ConnectionArgs;
use crate::cli::shared::credentials::{AccessTokenArgs, ApiKeyArgs};
use crate::cli::shared::profile::ProfileArgs;
use crate::cli::shared::tokens;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat conversation show 3f1c9a2e-7b44-4d0e-9a51-0c2b8e6d7f10
  kenar-chat conversation show 3f1c9a2e-7b44-4d0e-9a51-0c2b8e6d7f10 -o json")]
pub struct ConversationArgs {
    #[command(subcommand)]
    pub command: ConversationCommand,
}

#[derive(Debug, Subcommand)]
pub enum ConversationCommand {
    /// Print a conversation's text messages, oldest first: when, who, what. Divar returns
    /// text messages only; pictures, voice notes, files and other kinds are left out. Needs
    /// the scope CHAT_CONVERSATION_READ.ID and the key permission CHAT_READ_CONVERSATION
    #[command(after_help = "Examples:
  kenar-chat conversation show 3f1c9a2e-7b44-4d0e-9a51-0c2b8e6d7f10
  kenar-chat conversation show 3f1c9a2e-7b44-4d0e-9a51-0c2b8e6d7f10 -o json | jq '.messages[].text'")]
    Show(ShowArgs),
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The conversation's ID
    #[arg(value_name = "ID")]
    pub conversation_id: String,
    #[command(flatten)]
    pub key: ApiKeyArgs,
    #[command(flatten)]
    pub token: AccessTokenArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// The messages as lines for people (text), or the API's answer (json)
    #[arg(short, long, value_enum, default_value_t)]
    pub output: Format,
}

pub fn run(args: ConversationArgs, settings: &Settings, verbosity: Verbosity) -> Result<()> {
    let ConversationCommand::Show(args) = args.command;
    show(args, settings, verbosity)
}

fn show(args: ShowArgs, settings: &Settings, verbosity: Verbosity) -> Result<()> {
    let connection = args.connection.check(settings)?;
    let id = args.conversation_id;
    let mut problems = Vec::new();
    if let Err(problem) = scope::check_path_id("ID", &id) {
        problems.push(problem);
    }
    let stored = |to: &Recipient| tokens::stored(settings, &connection, to, verbosity, false);
    let to = Recipient::Reading(id.clone());
    let credentials =
        tokens::credentials(&args.key, &args.token, Some(&to), stored, &mut problems)?;
    let Some((credentials, _)) = credentials else {
        return Err(Error::Invalid(problems).into());
    };
    error::valid((), problems)?;
    let base = connection.api.url(Platform::Current);
    let request = PreparedRequest::read_conversation(&base, &id, &credentials);
    let answer = connection.execute(&request, verbosity)?;
    let conversation = ConversationRead::from_answer(&answer)?;
    match args.output {
        Format::Json => output::json(&serde_json::to_value(&conversation)?),
        Format::Text => {
            output::note(
                "Divar returns a conversation's text messages only: pictures, voice notes, \
                 files and other kinds are left out.",
            );
            output::isolated(&conversation.to_text())
        }
    }
}
