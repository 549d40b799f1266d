//! The stored tokens of the profile under the library's one stored-token policy
//! ([`TokenSource`]): which one serves a message, refreshed with the app's credentials from
//! the environment or the config, and how token requests are sent.

use std::sync::Arc;

use kenar_chat::auth::refresh::Refresher;
use kenar_chat::auth::store::StoredToken;
use kenar_chat::auth::token::AppCredentials;
use kenar_chat::auth::token_source::{Notice, Served, TokenSource, Transport};
use kenar_chat::http::answer::Answer;
use kenar_chat::http::request::{Credentials, PreparedRequest};
use kenar_chat::platform::Platform;
use kenar_chat::scope::{OFFLINE_ACCESS, Recipient};
use kenar_chat::secret::SecretString;
use kenar_chat::time::rfc3339;
use kenar_chat::{Error, error};

use crate::cli::output::{self, Format};
use crate::cli::report::Verbosity;
use crate::cli::settings::{self, CLIENT_ID, Settings, TOKEN_URL};
use crate::cli::shared::authorization::token_url;
use crate::cli::shared::connection::Connection;
use crate::cli::shared::credentials::{self, AccessTokenArgs, ApiKeyArgs};
use crate::cli::shared::oauth_refusal;
use crate::cli::shared::profile;

/// The app's key and the user's token for a request to `to` (`None` when it could not be
/// told), or what is missing in `problems`: the token given (flag, file or variable), else
/// the stored one that `stored` serves, looked up only while `problems` is empty, since a
/// lookup may refresh it. With the stored token, when it is one.
pub fn credentials(
    key: &ApiKeyArgs,
    token: &AccessTokenArgs,
    to: Option<&Recipient>,
    stored: impl FnOnce(&Recipient) -> Result<Option<StoredToken>, Error>,
    problems: &mut Vec<String>,
) -> Result<Option<(Credentials, Option<StoredToken>)>, Error> {
    let api_key = key.read()?;
    if api_key.is_none() {
        problems.push(ApiKeyArgs::MISSING.into());
    }
    let (access_token, stored) = match (token.read()?, to) {
        (Some(token), _) => (Some(token), None),
        (None, Some(to)) if problems.is_empty() => match error::gather(stored(to), problems)? {
            Some(Some(token)) => (Some(token.access_token.clone()), Some(token)),
            Some(None) => {
                problems.push(AccessTokenArgs::MISSING.into());
                (None, None)
            }
            // The stored token is unusable; `problems` says why.
            None => (None, None),
        },
        (None, _) => (None, None),
    };
    Ok(api_key.zip(access_token).map(|(api_key, access_token)| {
        (
            Credentials {
                api_key,
                access_token,
            },
            stored,
        )
    }))
}

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
    Ok(stored(settings, connection, to, verbosity, dry_run)?.map(|token| token.access_token))
}

/// [`stored_token`], with what the store keeps of it (when it expires, its scopes).
pub fn stored(
    settings: &Settings,
    connection: &Connection,
    to: &Recipient,
    verbosity: Verbosity,
    dry_run: bool,
) -> Result<Option<StoredToken>, Error> {
    let source = token_source(settings)?;
    if let Some(token) = source.fresh(to) {
        return Ok(Some(token));
    }
    serve(
        settings,
        &mut refreshing(source, settings, connection, verbosity)?,
        to,
        verbosity,
        dry_run,
    )
}

/// `source`, refreshing due tokens when the app's client ID and secret are in the
/// environment or the profile's config, its requests sent as `connection` says.
pub fn refreshing(
    mut source: TokenSource,
    settings: &Settings,
    connection: &Connection,
    verbosity: Verbosity,
) -> Result<TokenSource, Error> {
    if let Some(refresher) = automatic_refresher(settings)? {
        source.refresh_with(refresher, transport(connection.clone(), verbosity));
    }
    Ok(source)
}

/// What `source` serves `to` now ([`stored_token`]), for a run that keeps its source.
pub fn serve(
    settings: &Settings,
    source: &mut TokenSource,
    to: &Recipient,
    verbosity: Verbosity,
    dry_run: bool,
) -> Result<Option<StoredToken>, Error> {
    let served = if dry_run {
        source.without_refreshing(to)
    } else {
        source
            .token_for(to)
            .map_err(|e| refusal_explained(e, settings, to, verbosity))?
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
                Recipient::Subscribing(_) => "subscription",
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

/// A failed refresh of the stored token for `to`, in the words of a grant that failed:
/// where the client came from, and how to log in again for `to`, with a refresh token.
pub fn refusal_explained(
    error: Error,
    settings: &Settings,
    to: &Recipient,
    verbosity: Verbosity,
) -> Error {
    let from_environment = settings::from_environment_only(&CLIENT_ID)
        .ok()
        .flatten()
        .is_some();
    let client = oauth_refusal::client_sources(settings, from_environment, None);
    let scopes = [to.own_scope().to_string(), OFFLINE_ACCESS.to_owned()];
    let login = oauth_refusal::login_command(to.platform(), &scopes, settings);
    oauth_refusal::explained(error, Some(&client), &login, verbosity, Format::Text)
}

/// Sends `request` as `connection` says. When it carried `stored`, the stored token of a
/// recipient, and the API refused that token (HTTP 401, which was not acted on), sends it
/// once more with the token the profile's store holds for the recipient now, when another
/// run refreshed it meanwhile. The answer, and the stored token it went again with.
pub fn execute_with_stored(
    settings: &Settings,
    connection: &Connection,
    request: &PreparedRequest,
    stored: Option<(&Recipient, &SecretString)>,
    verbosity: Verbosity,
) -> Result<(Answer, Option<StoredToken>), Error> {
    let answer = connection.execute(request, verbosity)?;
    if let (401, Some((to, refused))) = (answer.status, stored)
        && let Some(token) = token_source(settings)?.after_refusal(to, refused)?
    {
        let mut again = request.clone();
        again.set_access_token(token.access_token.clone());
        return Ok((connection.execute(&again, verbosity)?, Some(token)));
    }
    Ok((answer, None))
}

/// The profile's stored tokens under the one stored-token policy, its notices on stderr.
pub fn token_source(settings: &Settings) -> Result<TokenSource, Error> {
    token_source_telling(settings, Arc::new(output::note))
}

/// [`token_source`], its notices told to `notice` (a batch writes them above its bar).
pub fn token_source_telling(settings: &Settings, notice: Notice) -> Result<TokenSource, Error> {
    TokenSource::new(&profile::store()?, settings.profile(), notice)
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
