//! What asking a user for scopes needs: the authorization request and its URL, and the
//! token endpoint that redeems what comes back.

use anyhow::Result;
use kenar_chat::auth::authorize::{self, AuthorizationRequest};
use kenar_chat::platform::Platform;
use kenar_chat::scope::Scope;
use kenar_chat::{Error, http};
use url::Url;

use crate::cli::settings::{AUTH_URL, CLIENT_ID, REDIRECT_URI, Settings, TOKEN_URL};

/// What an authorization URL without a scope is told.
const NO_SCOPE: &str = "no scope requested: give at least one --chat, --conversation, \
                        --post-chats, --supplier-chats or --scope";

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
                        None if p.starts_with("scope: ") => NO_SCOPE.to_owned(),
                        None => p,
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
