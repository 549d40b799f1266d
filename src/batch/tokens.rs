//! The stored tokens a batch sends with, shared by the reader thread and the requests
//! that leave: a line's token is looked up again just before its request leaves, so that
//! a line read long before still goes with a token that works, refreshed once when due.

use std::sync::{Arc, Mutex};

use crate::auth::refresh;
use crate::auth::store::{self, Lookup, StoredToken};
use crate::error::Error;
use crate::scope::Recipient;
use crate::secret::SecretString;
use crate::time::{self, unix_now};

/// Refreshes a stored token that has expired or is about to, and returns the one to use
/// from then on.
pub(super) type Renew = Box<dyn FnMut(&StoredToken) -> Result<StoredToken, Error> + Send>;

/// The profile's stored tokens, and how to refresh them.
pub(super) struct StoredTokens {
    tokens: Vec<StoredToken>,
    /// How stored tokens are refreshed, when they can be; taken away after a failure, so
    /// that a refusal is not asked for again at every line.
    renew: Option<Renew>,
}

/// The stored tokens, for the reader and the senders at once.
pub(super) type Shared = Arc<Mutex<StoredTokens>>;

/// What the store has for a line, without refreshing anything.
pub(super) enum Found {
    /// A token that is not due for a refresh.
    Fresh(SecretString),
    /// A token that has expired or expires within the margin, or none at all.
    Due,
}

impl StoredTokens {
    pub(super) fn shared(tokens: Vec<StoredToken>, renew: Option<Renew>) -> Shared {
        Arc::new(Mutex::new(StoredTokens { tokens, renew }))
    }

    /// The token for `to` as it stands: cheap, for every line.
    pub(super) fn find(&self, to: &Recipient) -> Found {
        let now = unix_now();
        match store::find(&self.tokens, to, now) {
            Lookup::Usable(token) if !refresh::is_due(token, now) => {
                Found::Fresh(token.access_token.clone())
            }
            Lookup::Usable(_) | Lookup::Expired(_) | Lookup::Missing => Found::Due,
        }
    }

    /// The token to send to `to` with now, refreshed first when it is due and can be (it
    /// then replaces the old one for every line after); else why there is none.
    pub(super) fn token_for(&mut self, to: &Recipient) -> Result<SecretString, String> {
        let now = unix_now();
        let stale = match store::find(&self.tokens, to, now) {
            Lookup::Usable(token) if !refresh::is_due(token, now) => {
                return Ok(token.access_token.clone());
            }
            Lookup::Usable(token) | Lookup::Expired(token) => token.clone(),
            Lookup::Missing => {
                return Err(
                    "neither a default access token nor a stored token for this chat was given"
                        .to_owned(),
                );
            }
        };
        let mut failure = String::new();
        if let Some(renew) = self.renew.as_mut().filter(|_| stale.can_refresh()) {
            match renew(&stale) {
                Ok(token) => {
                    let access_token = token.access_token.clone();
                    if let Some(slot) = self.tokens.iter_mut().find(|t| **t == stale) {
                        *slot = token;
                    }
                    return Ok(access_token);
                }
                Err(e) => {
                    self.renew = None;
                    failure = format!(" and could not be refreshed ({e})");
                }
            }
        }
        if !stale.is_expired(unix_now()) {
            return Ok(stale.access_token);
        }
        Err(format!(
            "the stored token for this chat expired at {}{failure}: log in again",
            time::rfc3339(stale.expires)
        ))
    }
}

/// The token a line's request must leave with, looked up at the last moment: the fresh
/// one at once, or, when it is due, the one a refresh gives (on a thread of its own, since
/// a refresh waits on the network and the credentials file's lock).
pub(super) async fn at_departure(tokens: &Shared, to: &Recipient) -> Result<SecretString, String> {
    // Never waiting on the lock here: whoever holds it may be refreshing, and waits on
    // the network, which this thread drives.
    if let Ok(tokens) = tokens.try_lock()
        && let Found::Fresh(token) = tokens.find(to)
    {
        return Ok(token);
    }
    let (tokens, to) = (Arc::clone(tokens), to.clone());
    tokio::task::spawn_blocking(move || match tokens.lock() {
        Ok(mut tokens) => tokens.token_for(&to),
        Err(_) => Err("the stored tokens are unavailable".to_owned()),
    })
    .await
    .unwrap_or_else(|e| Err(format!("looking up the stored token failed: {e}")))
}
