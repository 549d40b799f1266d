//! Refreshing a stored token on the current platform (protocol section 5). The store's
//! lock is held from reading the store to writing the new pair, so that runs refreshing
//! the same token at once send one refresh between them and none loses the new pair: a
//! run that finds the token already changed when it gets the lock uses the new one.

use std::path::{Path, PathBuf};

use url::Url;

use crate::auth::oauth_error::{self, Step};
use crate::auth::store::{CredentialStore, StoreLock, StoredToken, describe_scopes};
use crate::auth::token::{self, AppCredentials, Grant};
use crate::error::{Error, Result};
use crate::http::answer::Answer;
use crate::http::request::PreparedRequest;
use crate::platform::Platform;
use crate::time::unix_now;

/// A token that expires within this many seconds is refreshed before it is used.
pub const REFRESH_MARGIN_SECS: u64 = 60;

/// Whether `token` has expired at `now` (Unix seconds), or will within the margin.
pub fn is_due(token: &StoredToken, now: u64) -> bool {
    token.expires <= now.saturating_add(REFRESH_MARGIN_SECS)
}

/// Everything a refresh needs: whose stored token, where the store is, and how the app
/// identifies itself to the token endpoint.
#[derive(Debug, Clone)]
pub struct Refresher {
    /// The config directory, where the credentials file is.
    pub dir: PathBuf,
    pub profile: String,
    pub token_url: Url,
    pub app: AppCredentials,
}

/// How a refresh ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Renewal {
    /// This run refreshed the token; the new pair is stored.
    Refreshed(StoredToken),
    /// Another run had already replaced the token by the time this one got the lock.
    AlreadyRefreshed(StoredToken),
}

impl Renewal {
    pub fn token(&self) -> &StoredToken {
        match self {
            Renewal::Refreshed(token) | Renewal::AlreadyRefreshed(token) => token,
        }
    }

    pub fn into_token(self) -> StoredToken {
        match self {
            Renewal::Refreshed(token) | Renewal::AlreadyRefreshed(token) => token,
        }
    }
}

impl Refresher {
    /// Replaces the stored token `stale` (as it was read) by a new pair: `send` sends the
    /// refresh request and returns the answer; `waiting` is told when another run holds the
    /// store's lock. The new pair is stored before it is returned; a refused refresh leaves
    /// the store as it was. A token that another run replaced meanwhile is taken as it is,
    /// unless it is due itself: then it is the one refreshed.
    pub fn refresh(
        &self,
        stale: &StoredToken,
        send: impl FnOnce(&PreparedRequest) -> Result<Answer>,
        waiting: impl FnOnce(&Path),
    ) -> Result<Renewal> {
        let _lock = StoreLock::acquire(&self.dir, waiting).map_err(|e| {
            Error::Unavailable(format!(
                "locking the credentials file in {}: {e}",
                self.dir.display()
            ))
        })?;
        let mut store = CredentialStore::open(&self.dir)?;
        let Some(current) = store
            .tokens(&self.profile)
            .iter()
            .find(|token| token.has_scopes(&stale.scopes))
            .cloned()
        else {
            return Err(Error::invalid(format!(
                "{}: it was removed from the credentials file meanwhile; log in again with \
                 `kenar-chat oauth login`",
                self.describe(stale)
            )));
        };
        if current != *stale && !is_due(&current, unix_now()) {
            return Ok(Renewal::AlreadyRefreshed(current));
        }
        let (Some(refresh_token), Some(redirect_uri)) =
            (&current.refresh_token, &current.redirect_uri)
        else {
            return Err(Error::invalid(format!(
                "{}: cannot be refreshed, since it has no refresh token or no redirect URI; \
                 log in again on the current platform with offline access",
                self.describe(stale)
            )));
        };
        let grant = Grant::Refresh {
            access_token: &current.access_token,
            refresh_token,
            redirect_uri,
        };
        let request = token::form_request(&self.token_url, grant, &self.app);
        let step = || Step::Refresh {
            host: token::endpoint_name(&self.token_url),
            token: self.describe(stale),
        };
        let token = send(&request)
            .and_then(|answer| {
                oauth_error::check_token_answer(&answer, step)?;
                token::read_answer(&answer, unix_now(), Platform::Current)
            })
            .map_err(|e| match e {
                Error::Refused { status, message } => Error::Refused {
                    status,
                    message: format!(
                        "{message}; {} was not refreshed and is kept as it was: log in again \
                         with `kenar-chat oauth login`",
                        self.describe(stale)
                    ),
                },
                other => other,
            })
            .map_err(|e| token::from_endpoint(&self.token_url, e))?;
        let renewed = current.renewed(token);
        store.remove(&self.profile, |token| *token == current);
        store.put(&self.profile, renewed.clone());
        store.save().map_err(|e| {
            Error::Unavailable(format!(
                "writing the credentials file {}: {e}; the refreshed token is lost, and the old \
                 one works for two more minutes: log in again",
                store.path().display()
            ))
        })?;
        Ok(Renewal::Refreshed(renewed))
    }

    /// Names a stored token in messages: its profile and scopes, never its secrets.
    pub fn describe(&self, token: &StoredToken) -> String {
        describe(&self.profile, token)
    }
}

/// Names a stored token of `profile` in messages: its profile and scopes, never its secrets.
pub fn describe(profile: &str, token: &StoredToken) -> String {
    format!(
        "the stored token of profile {profile:?} for {}",
        describe_scopes(&token.scopes)
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::http::answer::answer;
    use crate::secret::SecretString;

    pub(crate) fn refresher(dir: &std::path::Path) -> Refresher {
        Refresher {
            dir: dir.to_owned(),
            profile: "default".into(),
            token_url: Url::parse("https://oauth.divar.ir/oauth2/token").unwrap(),
            app: AppCredentials {
                client_id: "my-app".into(),
                client_secret: SecretString::new("s3cret"),
            },
        }
    }

    pub(crate) fn stored(access: &str, expires: u64) -> StoredToken {
        StoredToken {
            scopes: vec!["CONVERSATION_SEND_MESSAGE.c1".into()],
            access_token: SecretString::new(access),
            refresh_token: Some(SecretString::new(format!("{access}-refresh"))),
            expires,
            redirect_uri: Some("https://app.example/cb".into()),
        }
    }

    fn store_one(dir: &std::path::Path, token: StoredToken) {
        let mut store = CredentialStore::open(dir).unwrap();
        store.put("default", token);
        store.save().unwrap();
    }

    #[test]
    fn due_within_the_margin() {
        assert!(is_due(&stored("a", 1060), 1000));
        assert!(!is_due(&stored("a", 1061), 1000));
        assert!(is_due(&stored("a", 5), u64::MAX));
    }

    #[test]
    fn stores_the_new_pair_once_and_uses_what_another_run_stored_unless_it_is_due() {
        let dir = tempfile::tempdir().unwrap();
        let old = stored("old", 10);
        store_one(dir.path(), old.clone());
        let refresher = refresher(dir.path());
        // Another run stored a token that has expired too: it is refreshed, not taken.
        let theirs = stored("theirs", 20);
        store_one(dir.path(), theirs.clone());
        let renewal = refresher
            .refresh(
                &old,
                |request| {
                    let body = String::from_utf8(request.body.clone()).unwrap();
                    assert!(body.starts_with("code=theirs&"), "{body}");
                    assert!(body.ends_with("&refresh_token=theirs-refresh"), "{body}");
                    Ok(answer(
                        200,
                        r#"{"access_token":"new","expires_in":3600,"refresh_token":"new-refresh"}"#,
                    ))
                },
                |_| {},
            )
            .unwrap();
        let Renewal::Refreshed(new) = renewal else {
            panic!("not refreshed: {renewal:?}");
        };
        assert_eq!(new.access_token.expose(), "new");
        assert_eq!(new.refresh_token.as_ref().unwrap().expose(), "new-refresh");
        assert_eq!(new.scopes, old.scopes);
        assert_eq!(new.redirect_uri, old.redirect_uri);
        let on_disk = CredentialStore::open(dir.path()).unwrap();
        assert_eq!(on_disk.tokens("default"), std::slice::from_ref(&new));
        assert_ne!(new, theirs);
        // A run that read the old token before: no request, the new token.
        let again = refresher
            .refresh(&old, |_| panic!("refreshed twice"), |_| {})
            .unwrap();
        assert_eq!(again, Renewal::AlreadyRefreshed(new));
    }

    #[test]
    fn a_refused_refresh_leaves_the_store_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let old = stored("old", 10);
        store_one(dir.path(), old.clone());
        let path = dir.path().join(crate::auth::store::CREDENTIALS_FILE);
        let before = std::fs::read(&path).unwrap();
        let err = refresher(dir.path())
            .refresh(
                &old,
                |_| {
                    Ok(answer(
                        400,
                        r#"{"error":"invalid_grant","message":"token inactive"}"#,
                    ))
                },
                |_| {},
            )
            .unwrap_err();
        assert_eq!(err.exit_code(), 3);
        assert!(err.to_string().contains("log in again"), "{err}");
        assert!(
            err.to_string()
                .starts_with("the token endpoint at oauth.divar.ir refused to refresh"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
}
