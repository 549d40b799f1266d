//! `kenar-chat scope`: the resource ID and OAuth scope a message needs.

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use kenar_chat::Error;
use kenar_chat::scope::{Chat, Scope};
use serde_json::{Map, Value};

use crate::cli::output;
use crate::cli::platform::PlatformArgs;
use crate::cli::profile::ProfileArgs;
use crate::cli::prompt;
use crate::cli::settings::Settings;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat scope chat --user-id e9ba8a81-9583-4f7c-af54-b07df089d971 \\
      --post-token AZf3Uqr3 --peer-id 1697004f-e902-44c2-bbbe-bf8e20d54bff
  kenar-chat scope conversation --conversation-id 3f1c9a2e-7b44-4d0e-9a51-0c2b8e6d7f10
  kenar-chat scope post --post-token AZf3Uqr3 -o scope
  kenar-chat scope decode CHAT_SEND_MESSAGE_POST_CONVERSATIONS__AZf3Uqr3 -o json
  kenar-chat scope --interactive -o scope")]
pub struct ScopeArgs {
    #[command(subcommand)]
    pub kind: Option<ScopeKind>,
    /// What to print: labelled text, a JSON object, or just the scope or resource ID
    #[arg(short, long, value_enum, default_value_t, global = true)]
    pub output: ScopeFormat,
    /// Ask at the terminal which kind of scope to compute and its IDs (instead of a command)
    #[arg(short, long)]
    pub interactive: bool,
}

#[derive(Debug, Subcommand)]
pub enum ScopeKind {
    /// Permission to send in one chat: CHAT_SEND_MESSAGE_OAUTH__BASE64(user:post:peer)
    #[command(after_help = "Examples:
  kenar-chat scope chat --user-id e9ba8a81-9583-4f7c-af54-b07df089d971 \\
      --post-token AZf3Uqr3 --peer-id 1697004f-e902-44c2-bbbe-bf8e20d54bff
  kenar-chat scope chat --user-id U --post-token AZf3Uqr3 --peer-id P -o resource-id")]
    Chat {
        /// The user the message is sent as (the one who grants access)
        #[arg(long)]
        user_id: String,
        /// The post (ad) the chat is about
        #[arg(long)]
        post_token: String,
        /// The other side of the chat
        #[arg(long)]
        peer_id: String,
    },
    /// Permission to send in every chat of one post: CHAT_SEND_MESSAGE_POST_CONVERSATIONS__P,
    /// or CHAT_POST_CONVERSATIONS_MESSAGE_SEND.P on the current platform
    #[command(after_help = "Examples:
  kenar-chat scope post --post-token AZf3Uqr3
  kenar-chat scope post --post-token AZf3Uqr3 --platform current
  SCOPE=$(kenar-chat scope post --post-token AZf3Uqr3 -o scope)")]
    Post {
        /// The post (ad) whose chats the app may write in
        #[arg(long)]
        post_token: String,
        #[command(flatten)]
        platform: PlatformArgs,
        #[command(flatten)]
        profile: ProfileArgs,
    },
    /// Permission to send in one conversation (current platform):
    /// CONVERSATION_SEND_MESSAGE.ID
    #[command(after_help = "Examples:
  kenar-chat scope conversation --conversation-id 3f1c9a2e-7b44-4d0e-9a51-0c2b8e6d7f10
  SCOPE=$(kenar-chat scope conversation --conversation-id C -o scope)")]
    Conversation {
        /// The conversation the app may write in
        #[arg(long, value_name = "ID")]
        conversation_id: String,
    },
    /// Permission to send in every conversation where the user is the seller (current
    /// platform): CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND
    #[command(after_help = "Examples:
  kenar-chat scope supplier
  kenar-chat scope supplier -o json")]
    Supplier,
    /// Say what a scope string (either platform's syntax) or a bare resource ID grants
    #[command(after_help = "Examples:
  kenar-chat scope decode CHAT_SEND_MESSAGE_POST_CONVERSATIONS__AZf3Uqr3
  kenar-chat scope decode ZTliYThhODEtOTU4My00ZjdjLWFmNTQtYjA3ZGYwODlkOTcxOkFaZjNVcXIzOjE2OTcwMDRmLWU5MDItNDRjMi1iYmJlLWJmOGUyMGQ1NGJmZg== -o json")]
    Decode {
        /// A scope such as CONVERSATION_SEND_MESSAGE.ID or CHAT_SEND_MESSAGE_OAUTH__..., a
        /// resource ID, or a post token (read as the --platform's post scope)
        value: String,
        #[command(flatten)]
        platform: PlatformArgs,
        #[command(flatten)]
        profile: ProfileArgs,
    },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ScopeFormat {
    #[default]
    Text,
    Json,
    /// Only the scope string
    Scope,
    /// Only the resource ID
    ResourceId,
}

pub fn run(args: ScopeArgs, settings: &Settings) -> Result<()> {
    let scope = match (args.kind, args.interactive) {
        (
            Some(ScopeKind::Chat {
                user_id,
                post_token,
                peer_id,
            }),
            false,
        ) => Scope::Chat(Chat::new(user_id, post_token, peer_id)?),
        (
            Some(ScopeKind::Post {
                post_token,
                platform,
                profile: _,
            }),
            false,
        ) => Scope::post(platform.resolve(settings)?, post_token)?,
        (Some(ScopeKind::Conversation { conversation_id }), false) => {
            Scope::conversation(conversation_id)?
        }
        (Some(ScopeKind::Supplier), false) => Scope::SupplierConversations,
        (
            Some(ScopeKind::Decode {
                value,
                platform,
                profile: _,
            }),
            false,
        ) => Scope::decode_for(&value, platform.resolve(settings)?)?,
        (None, true) => {
            prompt::start("--interactive")?;
            prompt::scope()?
        }
        (Some(_), true) => {
            return Err(Error::invalid(
                "--interactive asks which scope to compute: give it without a kind of scope or decode",
            )
            .into());
        }
        (None, false) => {
            return Err(Error::invalid(
                "scope: say what to compute (chat, post, conversation, supplier or decode), or give \
                 --interactive to be asked",
            )
            .into());
        }
    };
    match args.output {
        ScopeFormat::Scope => output::line(&scope.to_string()),
        ScopeFormat::ResourceId => match scope.resource() {
            Some(resource) => output::line(&resource),
            None => Err(Error::invalid(format!("{scope} carries no resource ID")).into()),
        },
        ScopeFormat::Json => {
            let fields: Map<String, Value> = scope
                .describe()
                .into_iter()
                .map(|(name, value)| (name.to_owned(), Value::String(value)))
                .collect();
            output::json(&Value::Object(fields))
        }
        ScopeFormat::Text => {
            let fields = scope.describe();
            let width = fields.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
            let text: Vec<String> = fields
                .iter()
                .map(|(name, value)| format!("{name:width$}  {value}"))
                .collect();
            output::line(&text.join("\n"))
        }
    }
}
