//! The stored tokens a batch sends with, shared by the reader thread and the requests that
//! leave, over the one stored-token policy ([`TokenSource`]): a line's token is looked up
//! again just before its request leaves, and again after the API refused it.

use std::sync::{Arc, Mutex};

use crate::auth::token_source::{Served, TokenSource};
use crate::error::Error;
use crate::scope::Recipient;
use crate::secret::SecretString;
use crate::time::rfc3339;

use super::lines::ACCESS_TOKEN_FIELD;

/// The stored tokens, for the reader and the senders at once.
pub(super) type Shared = Arc<Mutex<TokenSource>>;

/// The token to send to `to` with now, refreshed first when it is due; else the line's
/// error (which [`crate::auth::token_source::must_log_in_again`] tells from a passing one).
pub(super) fn token_for(source: &mut TokenSource, to: &Recipient) -> Result<SecretString, Error> {
    let missing = |why: String| Error::invalid(format!("{ACCESS_TOKEN_FIELD}: missing, and {why}"));
    match source.token_for(to)? {
        Served::Token(token) => Ok(token.access_token),
        Served::Missing => Err(missing(
            "neither a default access token nor a stored token for this chat was given".into(),
        )),
        Served::Expired { token, .. } => Err(missing(format!(
            "the stored token for this chat expired at {}: log in again",
            rfc3339(token.expires)
        ))),
    }
}

/// The token a line's request must leave with, looked up at the last moment: the fresh
/// one at once, or, when it is due, the one a refresh gives (on a thread of its own, since
/// a refresh waits on the network and the credentials file's lock).
pub(super) async fn at_departure(tokens: &Shared, to: &Recipient) -> Result<SecretString, Error> {
    // Never waiting on the lock here: whoever holds it may be refreshing, and waits on
    // the network, which this thread drives.
    if let Ok(source) = tokens.try_lock()
        && let Some(token) = source.fresh(to)
    {
        return Ok(token.access_token);
    }
    let to = to.clone();
    blocking(tokens, move |source| token_for(source, &to)).await
}

/// After the API refused `refused`, the stored token a line went with (HTTP 401): the
/// token the store holds now, when another run refreshed it meanwhile.
pub(super) async fn after_refusal(
    tokens: &Shared,
    to: &Recipient,
    refused: SecretString,
) -> Result<Option<SecretString>, Error> {
    let to = to.clone();
    blocking(tokens, move |source| {
        Ok(source
            .after_refusal(&to, &refused)?
            .map(|token| token.access_token))
    })
    .await
}

/// Runs `work` on the token source on a thread that may wait.
async fn blocking<T: Send + 'static>(
    tokens: &Shared,
    work: impl FnOnce(&mut TokenSource) -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    let tokens = Arc::clone(tokens);
    tokio::task::spawn_blocking(move || match tokens.lock() {
        Ok(mut source) => work(&mut source),
        Err(_) => Err(Error::Unavailable(
            "the stored tokens are unavailable".into(),
        )),
    })
    .await
    .unwrap_or_else(|e| {
        Err(Error::Unavailable(format!(
            "looking up the stored token failed: {e}"
        )))
    })
}
