//! `kenar-chat oauth-url`: the authorization URL that asks a user for scopes.

use anyhow::Result;
use clap::Args;
use kenar_chat::authorize::{self, AuthorizationRequest, DEFAULT_AUTH_URL};
use kenar_chat::http_url;
use kenar_chat::scope::{Chat, Scope};
use kenar_chat::{Error, error};
use serde_json::json;
use url::Url;

use crate::cli::output::{self, Format};
use crate::cli::profile::{AUTH_URL, CLIENT_ID, ProfileArgs, REDIRECT_URI};
use crate::cli::prompt;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat oauth-url --client-id my-app --redirect-uri https://my-app.example/callback \\
      --chat e9ba8a81-9583-4f7c-af54-b07df089d971:AZf3Uqr3:1697004f-e902-44c2-bbbe-bf8e20d54bff
  kenar-chat oauth-url --client-id my-app --redirect-uri https://my-app.example/callback \\
      --post-chats AZf3Uqr3 --scope USER_PHONE --state my-state -o json
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
    /// The authorization endpoint [default: https://open-platform-redirect.divar.ir/oauth]
    #[arg(long, env = "KENAR_OAUTH_URL")]
    pub auth_url: Option<String>,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Print the URL alone (text) or {"url", "state", "scopes"} (json)
    #[arg(short, long, value_enum, default_value_t)]
    pub output: Format,
    /// Ask at the terminal for the client ID and redirect URI when missing, and for the scopes
    /// when no --chat, --post-chats or --scope is given
    #[arg(short, long)]
    pub interactive: bool,
}

/// The scopes asked for, granted, or stored.
#[derive(Debug, Args)]
pub struct ScopeFlags {
    /// Sending in one chat, given as USER_ID:POST_TOKEN:PEER_ID (repeatable)
    #[arg(long = "chat", value_name = "USER:POST:PEER")]
    pub chats: Vec<String>,
    /// Sending in every chat of a post (repeatable)
    #[arg(long = "post-chats", value_name = "POST_TOKEN")]
    pub post_chats: Vec<String>,
    /// A scope as written, such as USER_PHONE (repeatable)
    #[arg(long = "scope", value_name = "SCOPE")]
    pub raw_scopes: Vec<String>,
}

pub fn run(args: OauthUrlArgs) -> Result<()> {
    if args.interactive {
        prompt::start("--interactive")?;
    }
    let mut scopes = args.scopes.collect()?;
    let client_id = args.profile.or_config(args.client_id, |c| c.client_id)?;
    let client_id = match client_id {
        None if args.interactive => Some(prompt::client_id()?),
        given => given,
    };
    let redirect_uri = args
        .profile
        .or_config(args.redirect_uri, |c| c.redirect_uri)?;
    let redirect_uri = match redirect_uri {
        None if args.interactive => Some(prompt::redirect_uri()?),
        given => given,
    };
    if args.interactive && scopes.is_empty() {
        scopes = prompt::scopes()?;
    }
    let generated = args.state.is_none();
    let (request, url) = authorization(
        &args.profile,
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

/// The authorization request and its URL, each value from its flag, its environment
/// variable or the profile's config; the state is random unless given.
pub fn authorization(
    profile: &ProfileArgs,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    auth_url: Option<String>,
    scopes: Vec<Scope>,
    state: Option<String>,
) -> Result<(AuthorizationRequest, Url)> {
    let given = auth_url.is_some();
    let endpoint = match profile.or_config(auth_url, |c| c.auth_url)? {
        Some(url) => http_url::endpoint(&profile.source(&AUTH_URL, given), &url)?,
        None => http_url::endpoint(AUTH_URL.flag, DEFAULT_AUTH_URL)?,
    };
    let client_id = profile
        .or_config(client_id, |c| c.client_id)?
        .ok_or_else(|| profile.missing(&CLIENT_ID))?;
    let given = redirect_uri.is_some();
    let redirect_uri = profile
        .or_config(redirect_uri, |c| c.redirect_uri)?
        .ok_or_else(|| profile.missing(&REDIRECT_URI))?;
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
                            format!("{}: {problem}", profile.source(&REDIRECT_URI, given))
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
    /// Every requested scope, or every problem with them at once.
    pub fn collect(&self) -> Result<Vec<Scope>, Error> {
        let chats = self
            .chats
            .iter()
            .map(|chat| parse_chat(chat).map(Scope::Chat));
        let posts = self
            .post_chats
            .iter()
            .map(|post| Scope::post_chats(post.as_str()));
        let raw = self.raw_scopes.iter().map(|raw| Scope::raw(raw));
        let mut scopes = Vec::new();
        let mut problems = Vec::new();
        for result in chats.chain(posts).chain(raw) {
            scopes.extend(error::gather(result, &mut problems)?);
        }
        error::valid(scopes, problems)
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
