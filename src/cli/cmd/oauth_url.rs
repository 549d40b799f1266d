//! `kenar-chat oauth-url`: the authorization URL that asks a user for scopes.

use anyhow::Result;
use clap::Args;
use kenar_chat::authorize::{self, AuthorizationRequest};
use kenar_chat::platform::Platform;
use kenar_chat::scope::{Chat, OFFLINE_ACCESS, Scope};
use kenar_chat::{Error, error};
use serde_json::json;
use url::Url;

use crate::cli::output::{self, Format};
use crate::cli::platform::PlatformArgs;
use crate::cli::profile::ProfileArgs;
use crate::cli::prompt;
use crate::cli::settings::{AUTH_URL, CLIENT_ID, REDIRECT_URI, Settings};

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat oauth-url --client-id my-app --redirect-uri https://my-app.example/callback \\
      --chat e9ba8a81-9583-4f7c-af54-b07df089d971:AZf3Uqr3:1697004f-e902-44c2-bbbe-bf8e20d54bff
  kenar-chat oauth-url --client-id my-app --redirect-uri https://my-app.example/callback \\
      --post-chats AZf3Uqr3 --scope USER_PHONE --state my-state -o json
  kenar-chat oauth-url --platform current --client-id my-app \\
      --redirect-uri https://my-app.example/callback --conversation CONVERSATION_ID --offline
  kenar-chat oauth-url --interactive --client-id my-app")]
pub struct OauthUrlArgs {
    /// The app's slug from the Kenar panel
    #[arg(long, env = "KENAR_CLIENT_ID")]
    pub client_id: Option<String>,
    /// Where Divar sends the user back: absolute http(s), registered, no query string
    #[arg(long, env = "KENAR_REDIRECT_URI")]
    pub redirect_uri: Option<String>,
    #[command(flatten)]
    pub scopes: ScopeFlags,
    /// The state echoed back on return; a random 128-bit value when not given
    #[arg(long)]
    pub state: Option<String>,
    /// The authorization endpoint [default: https://open-platform-redirect.divar.ir/oauth,
    /// or https://oauth.divar.ir/oauth2/auth on the current platform]
    #[arg(long, env = "KENAR_OAUTH_URL")]
    pub auth_url: Option<String>,
    #[command(flatten)]
    pub platform: PlatformArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Print the URL alone (text) or {"url", "state", "scopes"} (json)
    #[arg(short, long, value_enum, default_value_t)]
    pub output: Format,
    /// Ask at the terminal for the client ID and redirect URI when missing, and (on the legacy
    /// platform) for the scopes when no scope flag is given
    #[arg(short, long)]
    pub interactive: bool,
}

/// The scopes asked for, granted, or stored; which flags apply depends on the platform.
#[derive(Debug, Args)]
pub struct ScopeFlags {
    /// Sending in one chat, given as USER_ID:POST_TOKEN:PEER_ID (legacy; repeatable)
    #[arg(long = "chat", value_name = "USER:POST:PEER")]
    pub chats: Vec<String>,
    /// Sending in one conversation (current; repeatable)
    #[arg(long = "conversation", value_name = "CONVERSATION_ID")]
    pub conversations: Vec<String>,
    /// Sending in every chat of a post, as its owner on the current platform (repeatable)
    #[arg(long = "post-chats", value_name = "POST_TOKEN")]
    pub post_chats: Vec<String>,
    /// Sending in every conversation where the user is the seller (current)
    #[arg(long)]
    pub supplier_chats: bool,
    /// A scope as written, such as USER_PHONE (repeatable)
    #[arg(long = "scope", value_name = "SCOPE")]
    pub raw_scopes: Vec<String>,
    /// Also ask for a refresh token (offline_access), so that the token can be refreshed
    /// (current)
    #[arg(long)]
    pub offline: bool,
}

pub fn run(args: OauthUrlArgs, settings: &Settings) -> Result<()> {
    if args.interactive {
        prompt::start("--interactive")?;
    }
    let platform = args.platform.resolve(settings)?;
    let mut scopes = args.scopes.collect(platform)?;
    let client_id = settings.or_config(args.client_id, |c| c.client_id)?;
    let client_id = match client_id {
        None if args.interactive => Some(prompt::client_id()?),
        given => given,
    };
    let redirect_uri = settings.or_config(args.redirect_uri, |c| c.redirect_uri)?;
    let redirect_uri = match redirect_uri {
        None if args.interactive => Some(prompt::redirect_uri()?),
        given => given,
    };
    if args.interactive && scopes.is_empty() {
        scopes = prompt::scopes(platform)?;
    }
    let generated = args.state.is_none();
    let (request, url) = authorization(
        settings,
        platform,
        client_id,
        redirect_uri,
        args.auth_url,
        scopes,
        args.state,
    )?;
    match args.output {
        Format::Json => output::json(&json!({
            "url": url.as_str(),
            "state": request.state,
            "scopes": request.scopes.iter().map(Scope::to_string).collect::<Vec<_>>(),
        })),
        Format::Text => {
            if generated {
                output::note(&format!(
                    "state: {} (check that the redirect carries it back)",
                    request.state
                ));
            }
            output::line(url.as_str())
        }
    }
}

/// The authorization request and its URL on `platform`, each value from its flag, its
/// environment variable or the profile's config; the state is random unless given.
pub fn authorization(
    settings: &Settings,
    platform: Platform,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    auth_url: Option<String>,
    scopes: Vec<Scope>,
    state: Option<String>,
) -> Result<(AuthorizationRequest, Url)> {
    let (endpoint, _) =
        settings.endpoint(&AUTH_URL, auth_url, |c| c.auth_url, platform.auth_url())?;
    let client_id = settings
        .or_config(client_id, |c| c.client_id)?
        .ok_or_else(|| settings.missing(&CLIENT_ID))?;
    let given = redirect_uri.is_some();
    let redirect_uri = settings
        .or_config(redirect_uri, |c| c.redirect_uri)?
        .ok_or_else(|| settings.missing(&REDIRECT_URI))?;
    let state = match state {
        Some(state) => state,
        None => authorize::random_state()?,
    };
    let request =
        AuthorizationRequest::new(client_id, redirect_uri, scopes, state).map_err(|e| match e {
            // The redirect URI's problems name the field; say where its value came from.
            Error::Invalid(problems) => Error::Invalid(
                problems
                    .into_iter()
                    .map(|p| match p.strip_prefix("redirect_uri: ") {
                        Some(problem) => {
                            format!("{}: {problem}", settings.source(&REDIRECT_URI, given))
                        }
                        None => p,
                    })
                    .collect(),
            ),
            other => other,
        })?;
    let url = request.url(&endpoint);
    Ok((request, url))
}

impl ScopeFlags {
    /// Every requested scope on `platform`, or every problem with them at once. A flag of
    /// the other platform is refused, saying why.
    pub fn collect(&self, platform: Platform) -> Result<Vec<Scope>, Error> {
        let mut problems = self.foreign_flags(platform);
        let chats = self
            .chats
            .iter()
            .map(|chat| parse_chat(chat).map(Scope::Chat));
        let conversations = self
            .conversations
            .iter()
            .map(|id| Scope::conversation(id.as_str()).map_err(|e| e.prefixed("--conversation: ")));
        let posts = self
            .post_chats
            .iter()
            .map(|post| Scope::post(platform, post.as_str()));
        let supplier = self
            .supplier_chats
            .then_some(Ok(Scope::SupplierConversations));
        let raw = self.raw_scopes.iter().map(|raw| Scope::raw(raw));
        let offline = self.offline.then(|| Scope::raw(OFFLINE_ACCESS));
        let mut scopes = Vec::new();
        for result in chats
            .chain(conversations)
            .chain(posts)
            .chain(supplier)
            .chain(raw)
            .chain(offline)
        {
            scopes.extend(error::gather(result, &mut problems)?);
        }
        error::valid(scopes, problems)
    }

    /// A problem for each flag given that `platform` has no scope for.
    fn foreign_flags(&self, platform: Platform) -> Vec<String> {
        let given = |flag: &str, present: bool| present.then(|| flag.to_owned());
        let foreign = match platform {
            Platform::Legacy => vec![
                given("--conversation", !self.conversations.is_empty()),
                given("--supplier-chats", self.supplier_chats),
                given("--offline", self.offline),
            ],
            Platform::Current => vec![given("--chat", !self.chats.is_empty())],
        };
        let why = match platform {
            Platform::Legacy => {
                "asks for a scope of the current platform, which the legacy platform does not \
                 have (give --platform current)"
            }
            Platform::Current => {
                "names a chat of the legacy platform, which has no scope on the current platform \
                 (name conversations with --conversation)"
            }
        };
        foreign
            .into_iter()
            .flatten()
            .map(|flag| format!("{flag}: {why}"))
            .collect()
    }
}

fn parse_chat(value: &str) -> Result<Chat, Error> {
    let parts: Vec<&str> = value.split(':').collect();
    match parts[..] {
        [user, post, peer] => {
            Chat::new(user, post, peer).map_err(|e| e.prefixed(&format!("--chat {value:?}: ")))
        }
        _ => Err(Error::invalid(format!(
            "--chat {value:?}: must be USER_ID:POST_TOKEN:PEER_ID (three IDs separated by ':')"
        ))),
    }
}
