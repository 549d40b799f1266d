//! What asking a user for scopes needs: the flags of the authorization URL that `oauth-url`
//! and `oauth login` share, the request and its URL, and the token endpoint that redeems
//! what comes back.

use anyhow::Result;
use clap::Args;
use kenar_chat::auth::authorize::{self, AuthorizationRequest};
use kenar_chat::platform::Platform;
use kenar_chat::scope::Scope;
use kenar_chat::{Error, http};
use url::Url;

use crate::cli::settings::{AUTH_URL, CLIENT_ID, REDIRECT_URI, Settings, TOKEN_URL};
use crate::cli::shared::credentials::ClientIdArgs;

/// What an authorization URL without a scope is told.
const NO_SCOPE: &str = "no scope requested: give at least one --chat, --conversation, \
                        --post-chats, --supplier-chats or --scope";

/// What an authorization URL is built from besides its scopes.
#[derive(Debug, Args)]
pub struct AuthorizationArgs {
    #[command(flatten)]
    pub client: ClientIdArgs,
    /// Where Divar sends the user back: absolute http(s), registered, no query string
    ///
    /// `oauth login` listens on http://127.0.0.1:PORT/..., http://[::1]:PORT/... or
    /// http://localhost:PORT/... itself; for any other redirect URI it asks you to paste the
    /// URL the browser landed on.
    #[arg(long, env = "KENAR_REDIRECT_URI")]
    pub redirect_uri: Option<String>,
    /// The state echoed back on return; a random 128-bit value when not given
    #[arg(long)]
    pub state: Option<String>,
    /// The authorization endpoint [default: https://open-platform-redirect.divar.ir/oauth,
    /// or https://oauth.divar.ir/oauth2/auth on the current platform]
    #[arg(long, env = "KENAR_OAUTH_URL")]
    pub auth_url: Option<String>,
}

/// The authorization request for `scopes` and its URL on `platform`, each value from its
/// flag, its environment variable or the profile's config; the state is random unless
/// given.
pub fn authorization(
    settings: &Settings,
    platform: Platform,
    args: AuthorizationArgs,
    scopes: Vec<Scope>,
) -> Result<(AuthorizationRequest, Url)> {
    let AuthorizationArgs {
        client: ClientIdArgs { client_id },
        redirect_uri,
        state,
        auth_url,
    } = args;
    let (endpoint, _) =
        settings.endpoint(&AUTH_URL, auth_url, |c| c.auth_url, platform.auth_url())?;
    let id_given = client_id.is_some();
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
            // The library's problems name the field; say where its value came from.
            Error::Invalid(problems) => Error::Invalid(
                problems
                    .into_iter()
                    .map(|p| {
                        if p.starts_with("redirect_uri: ") {
                            settings.blame(&REDIRECT_URI, given, &p)
                        } else if p.starts_with("client_id: ") {
                            settings.blame(&CLIENT_ID, id_given, &p)
                        } else if let Some(problem) = p.strip_prefix("state: ") {
                            format!("--state: {problem}")
                        } else if p.starts_with("scope: ") {
                            NO_SCOPE.to_owned()
                        } else {
                            p
                        }
                    })
                    .collect(),
            ),
            other => other,
        })?;
    let url = request.url(&endpoint);
    Ok((request, url))
}

/// The token endpoint on `platform`: `given` (by --token-url or KENAR_TOKEN_URL), the
/// profile's `token_url`, or Divar's. `None` on the legacy platform, which exchanges
/// codes under the API's base URL: there `--token-url` is a mistake, while the variable
/// and the config key may be set for the other platform.
pub fn token_url(
    settings: &Settings,
    given: Option<String>,
    platform: Platform,
) -> Result<Option<Url>, Error> {
    let Some(default) = platform.token_url() else {
        if given.is_some() && settings.source(&TOKEN_URL, true) == TOKEN_URL.flag {
            return Err(Error::invalid(
                "--token-url: the legacy platform exchanges codes under the API's base URL \
                 (--base-url); the token endpoint is the current platform's (give --platform \
                 current)",
            ));
        }
        return Ok(None);
    };
    let (url, source) = settings.endpoint(&TOKEN_URL, given, |c| c.token_url, default)?;
    // The request carries the client secret.
    http::url::check_base_url(&source, &url)?;
    Ok(Some(url))
}
