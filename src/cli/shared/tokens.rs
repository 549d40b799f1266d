//! The stored tokens of the profile under the library's one stored-token policy
//! ([`TokenSource`]): which one serves a message, refreshed with the app's credentials from
//! the environment or the config, and how token requests are sent.

use std::sync::Arc;

use kenar_chat::Error;
use kenar_chat::auth::refresh::Refresher;
use kenar_chat::auth::token::AppCredentials;
use kenar_chat::auth::token_source::{Served, TokenSource, Transport};
use kenar_chat::platform::Platform;
use kenar_chat::scope::{OFFLINE_ACCESS, Recipient};
use kenar_chat::secret::SecretString;
use kenar_chat::time::rfc3339;

use crate::cli::output::{self, Format};
use crate::cli::report::Verbosity;
use crate::cli::settings::{self, CLIENT_ID, Settings, TOKEN_URL};
use crate::cli::shared::authorization::token_url;
use crate::cli::shared::connection::Connection;
use crate::cli::shared::credentials;
use crate::cli::shared::oauth_refusal;
use crate::cli::shared::profile;

/// The stored token of the profile that may send to `to`, `None` when there is none, as
/// the one stored-token policy serves it: a token that is due is refreshed first when the
/// app's client ID and secret are in the environment or the profile's config (requests go
/// as `connection` says); a dry run refreshes nothing and says what a send would refresh.
/// An error when only an expired token would do, saying to log in again.
pub fn stored_token(
    settings: &Settings,
    connection: &Connection,
    to: &Recipient,
    verbosity: Verbosity,
    dry_run: bool,
) -> Result<Option<SecretString>, Error> {
    let mut source = token_source(settings)?;
    if let Some(token) = source.fresh(to) {
        return Ok(Some(token));
    }
    if let Some(refresher) = automatic_refresher(settings)? {
        source.refresh_with(refresher, transport(connection.clone(), verbosity));
    }
    let served = if dry_run {
        source.without_refreshing(to)
    } else {
        source.token_for(to).map_err(|e| {
            // A refusal of the refresh: say where the client came from, and how to log in
            // again for this recipient, with a refresh token.
            let from_environment = settings::from_environment_only(&CLIENT_ID)
                .ok()
                .flatten()
                .is_some();
            let client = oauth_refusal::client_sources(settings, from_environment, None);
            let scopes = [to.own_scope().to_string(), OFFLINE_ACCESS.to_owned()];
            let login = oauth_refusal::login_command(to.platform(), &scopes, settings);
            oauth_refusal::explained(e, Some(&client), &login, verbosity, Format::Text)
        })?
    };
    match served {
        Served::Token(token) => Ok(Some(token)),
        Served::Missing => Ok(None),
        Served::Expired { token, refreshable } => Err(Error::invalid(format!(
            "access token: the stored token of profile {:?} for this {} expired at {}; {}",
            settings.profile(),
            match to {
                Recipient::Chat(_) => "chat",
                Recipient::Conversation { .. } => "conversation",
                Recipient::Bot => "chatbot message",
                Recipient::Reading(_) => "conversation's reading",
            },
            rfc3339(token.expires),
            if refreshable {
                "set KENAR_CLIENT_ID and KENAR_CLIENT_SECRET to refresh it by itself, or log \
                 in again with `kenar-chat oauth login`"
            } else {
                "log in again with `kenar-chat oauth login`"
            }
        ))),
    }
}

/// After the API refused `refused`, the stored token sent to `to` (HTTP 401): the token
/// the profile's store holds for `to` now, when another run refreshed it meanwhile.
pub fn stored_token_after_refusal(
    settings: &Settings,
    to: &Recipient,
    refused: &SecretString,
) -> Result<Option<SecretString>, Error> {
    token_source(settings)?.after_refusal(to, refused)
}

/// The profile's stored tokens under the one stored-token policy, its notices on stderr.
pub fn token_source(settings: &Settings) -> Result<TokenSource, Error> {
    TokenSource::new(
        &profile::store()?,
        settings.profile(),
        Arc::new(output::note),
    )
}

/// Sends token requests with `connection`, never again once they may have arrived: a
/// code is used up by its first exchange, and a refresh token may be replaced by its
/// first refresh.
pub fn transport(mut connection: Connection, verbosity: Verbosity) -> Transport {
    connection.policy.retry_unsafe = false;
    Box::new(move |request| connection.execute(request, verbosity))
}

/// What refreshing a stored token of `profile` needs, from the environment and the
/// config alone (`send` has no flags for it); `None` when the client ID or secret is not
/// there.
pub fn automatic_refresher(settings: &Settings) -> Result<Option<Refresher>, Error> {
    let client_id = settings.or_config(settings::from_environment_only(&CLIENT_ID)?, |c| {
        c.client_id
    })?;
    let client_secret = credentials::client_secret(None)?;
    let (Some(client_id), Some(client_secret)) = (client_id, client_secret) else {
        return Ok(None);
    };
    let token_url = token_url(
        settings,
        settings::from_environment_only(&TOKEN_URL)?,
        Platform::Current,
    )?;
    let Some(token_url) = token_url else {
        return Ok(None);
    };
    Ok(Some(Refresher {
        dir: profile::dir()?,
        profile: settings.profile().to_owned(),
        token_url,
        app: AppCredentials {
            client_id,
            client_secret,
        },
    }))
}
