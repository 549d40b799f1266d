//! `kenar-chat oauth-url`: the authorization URL that asks a user for scopes.

use anyhow::Result;
use clap::Args;
use kenar_chat::Error;
use kenar_chat::authorize::{self, AuthorizationRequest, DEFAULT_AUTH_URL};
use kenar_chat::scope::{Chat, Scope};
use serde_json::json;

use crate::output::{self, Format};
use crate::prompt;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat oauth-url --client-id my-app --redirect-uri https://my-app.example/callback \\
      --chat e9ba8a81-9583-4f7c-af54-b07df089d971:AZf3Uqr3:1697004f-e902-44c2-bbbe-bf8e20d54bff
  kenar-chat oauth-url --client-id my-app --redirect-uri https://my-app.example/callback \\
      --post-chats AZf3Uqr3 --scope USER_PHONE --state my-state -o json
  kenar-chat oauth-url --interactive --client-id my-app")]
pub struct OauthUrlArgs {
    /// The app's slug from the Kenar panel
    #[arg(long, env = "KENAR_CLIENT_ID", required_unless_present = "interactive")]
    pub client_id: Option<String>,
    /// Where Divar sends the user back: absolute http(s), registered, no query string
    #[arg(
        long,
        env = "KENAR_REDIRECT_URI",
        required_unless_present = "interactive"
    )]
    pub redirect_uri: Option<String>,
    /// Ask to send in one chat, given as USER_ID:POST_TOKEN:PEER_ID (repeatable)
    #[arg(long = "chat", value_name = "USER:POST:PEER")]
    pub chats: Vec<String>,
    /// Ask to send in every chat of a post (repeatable)
    #[arg(long = "post-chats", value_name = "POST_TOKEN")]
    pub post_chats: Vec<String>,
    /// Ask for a scope as written, such as USER_PHONE (repeatable)
    #[arg(long = "scope", value_name = "SCOPE")]
    pub raw_scopes: Vec<String>,
    /// The state echoed back on return; a random 128-bit value when not given
    #[arg(long)]
    pub state: Option<String>,
    /// The authorization endpoint
    #[arg(long, env = "KENAR_OAUTH_URL", default_value = DEFAULT_AUTH_URL)]
    pub auth_url: String,
    /// Print the URL alone (text) or {"url", "state", "scopes"} (json)
    #[arg(short, long, value_enum, default_value_t)]
    pub output: Format,
    /// Ask at the terminal for the client ID and redirect URI when missing, and for the scopes
    /// when no --chat, --post-chats or --scope is given
    #[arg(short, long)]
    pub interactive: bool,
}

pub fn run(args: OauthUrlArgs) -> Result<()> {
    if args.interactive {
        prompt::start("--interactive")?;
    }
    let endpoint = authorize::parse_endpoint("--auth-url", &args.auth_url)?;
    let mut scopes = collect_scopes(&args)?;
    // clap requires both values unless --interactive is given, so only then are they asked.
    let client_id = args.client_id.map_or_else(prompt::client_id, Ok)?;
    let redirect_uri = args.redirect_uri.map_or_else(prompt::redirect_uri, Ok)?;
    if args.interactive && scopes.is_empty() {
        scopes = prompt::scopes()?;
    }
    let generated = args.state.is_none();
    let state = match args.state {
        Some(state) => state,
        None => authorize::random_state()?,
    };
    let request = AuthorizationRequest::new(client_id, redirect_uri, scopes, state)?;
    let url = request.url(&endpoint);
    match args.output {
        Format::Json => output::json(&json!({
            "url": url.as_str(),
            "state": request.state,
            "scopes": request.scopes.iter().map(Scope::to_string).collect::<Vec<_>>(),
        })),
        Format::Text => {
            if generated {
                eprintln!(
                    "state: {} (check that the redirect carries it back)",
                    request.state
                );
            }
            output::line(url.as_str())
        }
    }
}

/// Every requested scope, or every problem with them at once.
fn collect_scopes(args: &OauthUrlArgs) -> Result<Vec<Scope>, Error> {
    let chats = args
        .chats
        .iter()
        .map(|chat| parse_chat(chat).map(Scope::Chat));
    let posts = args
        .post_chats
        .iter()
        .map(|post| Scope::post_chats(post.as_str()));
    let raw = args.raw_scopes.iter().map(|raw| Scope::raw(raw));
    let mut scopes = Vec::new();
    let mut problems = Vec::new();
    for result in chats.chain(posts).chain(raw) {
        match result {
            Ok(scope) => scopes.push(scope),
            Err(Error::Invalid(found)) => problems.extend(found),
            Err(other) => return Err(other),
        }
    }
    if problems.is_empty() {
        Ok(scopes)
    } else {
        Err(Error::Invalid(problems))
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
