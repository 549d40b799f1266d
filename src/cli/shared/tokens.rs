//! The stored tokens `send` uses: which one serves a message, and refreshing it with the
//! app's credentials from the environment or the config.

use kenar_chat::Error;
use kenar_chat::platform::Platform;
use kenar_chat::refresh::{self, Refresher};
use kenar_chat::scope::Recipient;
use kenar_chat::secret::SecretString;
use kenar_chat::store::{self, Lookup, rfc3339, unix_now};
use kenar_chat::token::AppCredentials;

use crate::cli::output;
use crate::cli::report::Verbosity;
use crate::cli::settings::{self, CLIENT_ID, Settings, TOKEN_URL};
use crate::cli::shared::authorization::token_url;
use crate::cli::shared::connection::Connection;
use crate::cli::shared::credentials;
use crate::cli::shared::profile;

/// The stored token of the profile that may send to `to`, `None` when there is none. A
/// token that has expired, or expires within a minute, is refreshed first when it can be
/// and the app's client ID and secret are in the environment or the profile's config
/// (requests go as `connection` says); an error when only an expired token would do,
/// saying to log in again.
pub fn stored_token(
    settings: &Settings,
    connection: &Connection,
    to: &Recipient,
    verbosity: Verbosity,
) -> Result<Option<SecretString>, Error> {
    let store = profile::store()?;
    let now = unix_now();
    let (token, expired) = match store::find(store.tokens(settings.profile()), to, now) {
        Lookup::Missing => return Ok(None),
        Lookup::Usable(token) if !refresh::is_due(token, now) => {
            return Ok(Some(token.access_token.clone()));
        }
        Lookup::Usable(token) => (token, false),
        Lookup::Expired(token) => (token, true),
    };
    let refresher = if token.can_refresh() {
        automatic_refresher(settings)?
    } else {
        None
    };
    let renewed = refresher.map(|refresher| {
        refresher.refresh(token, |request| connection.execute(request, verbosity))
    });
    match renewed {
        Some(Ok(renewal)) => Ok(Some(renewal.into_token().access_token)),
        // Still valid for a few seconds: better sent than refused for a failed refresh.
        Some(Err(e)) if !expired => {
            output::note(&format!(
                "warning: {e}; using the stored token until it expires"
            ));
            Ok(Some(token.access_token.clone()))
        }
        Some(Err(e)) => Err(e),
        None if !expired => Ok(Some(token.access_token.clone())),
        None => Err(Error::invalid(format!(
            "access token: the stored token of profile {:?} for this {} expired at {}; {}",
            settings.profile(),
            match to {
                Recipient::Chat(_) => "chat",
                Recipient::Conversation { .. } => "conversation",
            },
            rfc3339(token.expires),
            if token.can_refresh() {
                "set KENAR_CLIENT_ID and KENAR_CLIENT_SECRET to refresh it by itself, or log \
                 in again with `kenar-chat oauth login`"
            } else {
                "log in again with `kenar-chat oauth login`"
            }
        ))),
    }
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
