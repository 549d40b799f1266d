//! `kenar-chat scope`: the resource ID and OAuth scope a message needs.

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use kenar_chat::Error;
use kenar_chat::platform::Platform;
use kenar_chat::scope::{Chat, Scope};
use kenar_chat::scope_catalogue::{self, Endpoint, LiveScope, Resource, SCOPES, ScopeInfo};
use serde_json::{Map, Value, json};

use crate::cli::output;
use crate::cli::prompt;
use crate::cli::report::Verbosity;
use crate::cli::settings::Settings;
use crate::cli::shared::connection::ConnectionArgs;
use crate::cli::shared::credentials::ApiKeyArgs;
use crate::cli::shared::platform::PlatformArgs;
use crate::cli::shared::profile::ProfileArgs;
use crate::cli::shared::scope_names;
use crate::cli::shared::subscription::WatchArgs;

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
    /// Permission to send as the app's chatbot (current platform): CHAT_BOT_USER_MESSAGE_SEND
    #[command(after_help = "Examples:
  kenar-chat scope bot
  kenar-chat oauth-url --client-id my-app --redirect-uri https://app.example/cb --bot")]
    Bot,
    /// Permission to read one conversation's text messages (current platform):
    /// CHAT_CONVERSATION_READ.ID
    #[command(after_help = "Examples:
  kenar-chat scope read --conversation-id 3f1c9a2e-7b44-4d0e-9a51-0c2b8e6d7f10
  SCOPE=$(kenar-chat scope read --conversation-id C -o scope)")]
    Read {
        /// The conversation the app may read
        #[arg(long, value_name = "ID")]
        conversation_id: String,
    },
    /// Permission to subscribe to events (current platform): CHAT_POST_CONVERSATIONS_READ.P
    /// for one post's new messages, CHAT_SUPPLIER_ALL_CONVERSATIONS_READ for those of all
    /// the user's posts, USER_POSTS_GET for post updates
    #[command(after_help = "Examples:
  kenar-chat scope subscription --post-token gZd7omnS
  kenar-chat scope subscription --all-posts --type POST_UPDATE -o scope")]
    Subscription {
        #[command(flatten)]
        watch: WatchArgs,
    },
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
    /// List every scope Divar defines: what it allows, the resource it takes, the
    /// endpoints it serves
    #[command(after_help = "Examples:
  kenar-chat scope list
  kenar-chat scope list -o json
  KENAR_API_KEY=... kenar-chat scope list --live")]
    List {
        /// Also ask Divar's live catalogue (needs the API key) for each scope's lifecycle
        /// state, and list the scopes it has that kenar-chat does not know
        #[arg(long)]
        live: bool,
        #[command(flatten)]
        key: ApiKeyArgs,
        #[command(flatten)]
        connection: ConnectionArgs,
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

pub fn run(args: ScopeArgs, settings: &Settings, verbosity: Verbosity) -> Result<()> {
    // Only a decoded scope, and a subscription's (Divar's, not modelled by kenar-chat), say
    // what they allow: the others were computed for one purpose.
    let decoded = matches!(
        args.kind,
        Some(ScopeKind::Decode { .. } | ScopeKind::Subscription { .. })
    );
    let scope = match (args.kind, args.interactive) {
        (
            Some(ScopeKind::List {
                live,
                key,
                connection,
                profile: _,
            }),
            false,
        ) => {
            let live = if live {
                Some(live_catalogue(&key, &connection, settings, verbosity)?)
            } else {
                None
            };
            return list(args.output, live.as_deref());
        }
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
        (Some(ScopeKind::Bot), false) => Scope::Bot,
        (Some(ScopeKind::Read { conversation_id }), false) => Scope::read(conversation_id)?,
        (Some(ScopeKind::Subscription { watch }), false) => watch.watched()?.own_scope(),
        (
            Some(ScopeKind::Decode {
                value,
                platform,
                profile: _,
            }),
            false,
        ) => match Scope::decode_for(&value, platform.resolve(settings)?)? {
            Scope::Other(raw) => scope_names::typed(&raw, "scope decode")?,
            scope => scope,
        },
        (None, true) => {
            prompt::start("--interactive")?;
            prompt::scopes::scope()?
        }
        (Some(_), true) => {
            return Err(Error::invalid(
                "--interactive asks which scope to compute: give it without a kind of scope or decode",
            )
            .into());
        }
        (None, false) => {
            return Err(Error::invalid(
                "scope: say what to compute (chat, post, conversation, supplier, bot, read, \
                 subscription or decode), or give --interactive to be asked",
            )
            .into());
        }
    };
    let catalogued = decoded
        .then(|| scope_catalogue::info(&scope.to_string()))
        .flatten();
    match args.output {
        ScopeFormat::Scope => output::line(&scope.to_string()),
        ScopeFormat::ResourceId => match scope.resource() {
            Some(resource) => output::line(&resource),
            None => Err(Error::invalid(format!("{scope} carries no resource ID")).into()),
        },
        ScopeFormat::Json => {
            let mut fields: Map<String, Value> = scope
                .describe()
                .into_iter()
                .map(|(name, value)| (name.to_owned(), Value::String(value)))
                .collect();
            if let Some(info) = catalogued {
                fields.insert("allows".into(), info.allows.into());
                fields.insert("endpoints".into(), endpoints(info).into());
            }
            output::json(&Value::Object(fields))
        }
        ScopeFormat::Text => {
            let mut fields = scope.describe();
            if let Some(info) = catalogued {
                fields.push(("allows", info.allows.to_owned()));
                let served = endpoints(info);
                if !served.is_empty() {
                    fields.push(("endpoints", served.join(", ")));
                }
            }
            let width = fields.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
            let text: Vec<String> = fields
                .iter()
                .map(|(name, value)| format!("{name:width$}  {value}"))
                .collect();
            output::line(&text.join("\n"))
        }
    }
}

/// The endpoints a scope serves, as `METHOD /path`.
fn endpoints(info: &ScopeInfo) -> Vec<String> {
    info.endpoints().map(Endpoint::label).collect()
}

/// Divar's live catalogue of scopes, asked with the app's API key.
fn live_catalogue(
    key: &ApiKeyArgs,
    connection: &ConnectionArgs,
    settings: &Settings,
    verbosity: Verbosity,
) -> Result<Vec<LiveScope>> {
    let api_key = key
        .read()?
        .ok_or_else(|| Error::invalid(format!("--live: {}", ApiKeyArgs::MISSING)))?;
    let connection = connection.check(settings)?;
    let request = scope_catalogue::live_request(&connection.api.url(Platform::Current), &api_key);
    let answer = connection.execute(&request, verbosity)?;
    Ok(scope_catalogue::read_live(&answer)?)
}

/// Prints the catalogue; with `live`, each scope's lifecycle state there (a warning for a
/// deprecated one), and the scopes Divar lists that the tool does not know.
fn list(format: ScopeFormat, live: Option<&[LiveScope]>) -> Result<()> {
    let state = |info: &ScopeInfo| {
        live.map(|live| {
            live.iter()
                .find(|l| l.info() == Some(info))
                .map_or("(not in Divar's live catalogue)", |l| {
                    l.lifecycle_state.as_str()
                })
        })
    };
    let unknown: Vec<&LiveScope> = live
        .unwrap_or_default()
        .iter()
        .filter(|l| l.info().is_none())
        .collect();
    for scope in live.unwrap_or_default() {
        if scope_catalogue::is_deprecated(&scope.lifecycle_state) {
            output::note(&format!(
                "warning: Divar's catalogue says {} is {}: ask for it no longer",
                scope.slug, scope.lifecycle_state
            ));
        }
    }
    match format {
        ScopeFormat::Json => {
            let known = SCOPES.iter().map(|info| {
                let mut entry = json!({
                    "scope": info.pattern(),
                    "name": info.name,
                    "resource": (info.resource != Resource::None).then(|| info.resource.name()),
                    "allows": info.allows,
                    "endpoints": endpoints(info),
                });
                if let Some(state) = state(info) {
                    entry["lifecycle_state"] = state.into();
                }
                entry
            });
            let others = unknown.iter().map(|l| {
                json!({
                    "scope": l.slug,
                    "name": l.slug,
                    "resource": null,
                    "allows": l.description,
                    "endpoints": [],
                    "lifecycle_state": l.lifecycle_state,
                })
            });
            output::json(&Value::Array(known.chain(others).collect()))
        }
        ScopeFormat::Text => {
            let rows: Vec<(String, String, Option<&str>)> = SCOPES
                .iter()
                .map(|info| (info.pattern(), info.allows.to_owned(), state(info)))
                .chain(unknown.iter().map(|l| {
                    (
                        l.slug.clone(),
                        format!("{} (not in kenar-chat's catalogue)", l.description),
                        Some(l.lifecycle_state.as_str()),
                    )
                }))
                .collect();
            let width = rows.iter().map(|(s, _, _)| s.len()).max().unwrap_or(0);
            let lines: Vec<String> = rows
                .iter()
                .map(|(scope, allows, state)| match state {
                    Some(state) => format!("{scope:width$}  {state:16}  {allows}"),
                    None => format!("{scope:width$}  {allows}"),
                })
                .collect();
            output::line(&lines.join("\n"))
        }
        ScopeFormat::Scope | ScopeFormat::ResourceId => {
            Err(Error::invalid("-o: scope list prints text or json").into())
        }
    }
}
