//! The one stored-token policy, for `send`, `send --batch` and `oauth refresh`: which stored
//! token serves a message, when it is refreshed and when a failed refresh is tried again,
//! how runs that refresh at once take turns (the store's lock, said when another run holds
//! it), and what a refusal of a stored token means (another run may have refreshed it).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::auth::oauth_error::Refusal;
use crate::auth::refresh::{self, Refresher, Renewal};
use crate::auth::store::{self, CredentialStore, Lookup, StoreLock, StoredToken};
use crate::error::{Error, Result};
use crate::http::answer::Answer;
use crate::http::request::PreparedRequest;
use crate::scope::Recipient;
use crate::secret::SecretString;
use crate::time::{rfc3339, unix_now};

/// Sends a request to the token endpoint and returns its answer.
pub type Transport = Box<dyn Fn(&PreparedRequest) -> Result<Answer> + Send>;
/// Tells the person running the command something worth knowing (a wait, a warning).
pub type Notice = Arc<dyn Fn(&str) + Send + Sync>;

/// The wait after a token's first failed refresh; it doubles with each failure in a row.
const FIRST_SETBACK: Duration = Duration::from_millis(500);
/// No wait between two refreshes of one token is longer than this.
const LONGEST_SETBACK: Duration = Duration::from_secs(30);
/// Refreshes of a token that has expired tried in a row for one message before it fails.
const ATTEMPTS_WHEN_EXPIRED: u32 = 4;

/// What the stored tokens have for a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// The token to send with: one not due for a refresh, or a refreshed one, or one due
    /// but still valid that could not be refreshed (a warning said so).
    Token(StoredToken),
    /// No stored token covers the recipient.
    Missing,
    /// Only a token that has expired covers it, and this run cannot refresh it:
    /// `refreshable` says whether the app's credentials would have let it.
    Expired {
        token: StoredToken,
        refreshable: bool,
    },
}

/// Refreshes of one token that failed in a row, and when the next may be tried.
struct Setback {
    failures: u32,
    next: Instant,
}

/// The stored tokens of one profile, and how to refresh them.
pub struct TokenSource {
    dir: PathBuf,
    profile: String,
    /// The profile's tokens as last read or refreshed.
    tokens: Vec<StoredToken>,
    refresher: Option<Refresher>,
    send: Option<Transport>,
    notice: Notice,
    /// By a token's scopes: refreshes that failed but may work later.
    setbacks: HashMap<Vec<String>, Setback>,
    /// By a token's scopes: the refusal of its refresh (endpoint, and what it said),
    /// which no retry can change.
    refused: HashMap<Vec<String>, (String, Refused)>,
}

// By hand: the tokens are secrets, and the transport and notice are functions.
impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("dir", &self.dir)
            .field("profile", &self.profile)
            .field("tokens", &self.tokens.len())
            .field("refreshing", &self.refresher.is_some())
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    /// The tokens `store` holds for `profile`, refused when one cannot be sent (see
    /// [`CredentialStore::usable_tokens`]); none is refreshed until [`Self::refresh_with`]
    /// says how.
    pub fn new(store: &CredentialStore, profile: &str, notice: Notice) -> Result<Self> {
        Ok(TokenSource {
            dir: store.dir().to_owned(),
            profile: profile.to_owned(),
            tokens: store.usable_tokens(profile)?.to_vec(),
            refresher: None,
            send: None,
            notice,
            setbacks: HashMap::new(),
            refused: HashMap::new(),
        })
    }

    /// Refreshes due tokens with `refresher`, its requests sent by `send`.
    pub fn refresh_with(&mut self, refresher: Refresher, send: Transport) {
        self.refresher = Some(refresher);
        self.send = Some(send);
    }

    /// The profile's tokens as this source knows them.
    pub fn tokens(&self) -> &[StoredToken] {
        &self.tokens
    }

    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// The token for `to` when one is there that is not due for a refresh: cheap, and it
    /// never waits.
    pub fn fresh(&self, to: &Recipient) -> Option<StoredToken> {
        let now = unix_now();
        match store::find(&self.tokens, to, now) {
            Lookup::Usable(token) if !refresh::is_due(token, now) => Some(token.clone()),
            _ => None,
        }
    }

    /// The token to send to `to` with now: of those that cover it, the closest grant
    /// (exact chat or conversation, then the seller's, then a post's) that lasts longest,
    /// refreshed first when it is due and can be. A failed refresh is tried again with a
    /// growing wait, per token, unless the token endpoint refused it; meanwhile a token
    /// still valid is used (with a warning the first time). `Err` when the refresh of a
    /// token that has expired failed: see [`must_log_in_again`] for whether it ever can
    /// work.
    pub fn token_for(&mut self, to: &Recipient) -> Result<Served> {
        let stale = match self.due(to) {
            Ok(stale) => stale,
            Err(served) => return Ok(served),
        };
        match self.renew(&stale) {
            Ok(token) => Ok(Served::Token(token)),
            // Still valid for a while: better sent than refused for a failed refresh.
            Err(e) if !stale.is_expired(unix_now()) => {
                (self.notice)(&format!(
                    "warning: {e}; using the stored token until it expires"
                ));
                Ok(Served::Token(stale))
            }
            Err(e) => Err(e),
        }
    }

    /// What [`Self::token_for`] would serve, without refreshing anything: a token that is
    /// due is served as it is, and `notice` says that a real run would refresh it first.
    pub fn without_refreshing(&self, to: &Recipient) -> Served {
        let stale = match self.due(to) {
            Ok(stale) => stale,
            Err(served) => return served,
        };
        let Some(refresher) = &self.refresher else {
            return self.unrefreshed(stale);
        };
        let verb = if stale.is_expired(unix_now()) {
            "expired"
        } else {
            "expires"
        };
        let endpoint = crate::auth::token::endpoint_name(&refresher.token_url);
        (self.notice)(&format!(
            "{} {verb} at {}: a run that is not a dry run would first refresh it at the token \
             endpoint {endpoint}; nothing was refreshed",
            self.describe(&stale),
            rfc3339(stale.expires)
        ));
        Served::Token(stale)
    }

    /// After the API refused `refused`, the stored token sent to `to` (HTTP 401): reads
    /// the store again, under its lock so that a refresh under way ends first, and returns
    /// the token it now holds for `to` when that is another one that has not expired:
    /// another run refreshed it, and the refusal was of the old one. `None` when the store
    /// has nothing better.
    pub fn after_refusal(
        &mut self,
        to: &Recipient,
        refused: &SecretString,
    ) -> Result<Option<StoredToken>> {
        let lock = StoreLock::acquire(&self.dir, |path| self.waiting(path))
            .map_err(|e| self.lock_error(&e))?;
        self.reread()?;
        drop(lock);
        Ok(match store::find(&self.tokens, to, unix_now()) {
            Lookup::Usable(token) if token.access_token != *refused => Some(token.clone()),
            _ => None,
        })
    }

    /// Reads the profile's tokens again, for what other runs stored meanwhile (a refresh,
    /// a new login). The store is replaced whole when it is written, so it is read whole,
    /// without waiting for its lock.
    pub fn reread(&mut self) -> Result<()> {
        self.tokens = CredentialStore::open(&self.dir)?
            .usable_tokens(&self.profile)?
            .to_vec();
        Ok(())
    }

    /// Refreshes `stale` now, due or not, in one try (for `oauth refresh`).
    pub fn refresh_now(&mut self, stale: &StoredToken) -> Result<Renewal> {
        let renewal = self.refresh_once(stale)?;
        self.replace(stale, renewal.token().clone());
        Ok(renewal)
    }

    /// Names a stored token in messages: its profile and scopes, never its secrets.
    pub fn describe(&self, token: &StoredToken) -> String {
        refresh::describe(&self.profile, token)
    }

    /// The stored token for `to` that is due for a refresh this run can make; else what
    /// is served without one.
    fn due(&self, to: &Recipient) -> std::result::Result<StoredToken, Served> {
        let now = unix_now();
        let stale = match store::find(&self.tokens, to, now) {
            Lookup::Missing => return Err(Served::Missing),
            Lookup::Usable(token) if !refresh::is_due(token, now) => {
                return Err(Served::Token(token.clone()));
            }
            Lookup::Usable(token) | Lookup::Expired(token) => token.clone(),
        };
        if stale.can_refresh() && self.refresher.is_some() && self.send.is_some() {
            Ok(stale)
        } else {
            Err(self.unrefreshed(stale))
        }
    }

    /// A token due for a refresh that this run does not refresh.
    fn unrefreshed(&self, stale: StoredToken) -> Served {
        if !stale.is_expired(unix_now()) {
            return Served::Token(stale);
        }
        let refreshable = stale.can_refresh();
        Served::Expired {
            token: stale,
            refreshable,
        }
    }

    /// Refreshes `stale`, waiting out its setback first when it has expired (or using it
    /// as it is while it has not), and tries again with a growing wait when the refresh
    /// fails in a way that may pass.
    fn renew(&mut self, stale: &StoredToken) -> Result<StoredToken> {
        let key = stale.scopes.clone();
        if let Some((endpoint, refused)) = self.refused.get(&key) {
            // Said once already; the token serves until it expires.
            if !stale.is_expired(unix_now()) {
                return Ok(stale.clone());
            }
            return Err(Error::Token {
                endpoint: endpoint.clone(),
                problem: Box::new(refused.error()),
            });
        }
        let mut attempts = 0;
        loop {
            if let Some(setback) = self.setbacks.get(&key) {
                let wait = setback.next.saturating_duration_since(Instant::now());
                if !wait.is_zero() {
                    if !stale.is_expired(unix_now()) {
                        return Ok(stale.clone());
                    }
                    std::thread::sleep(wait);
                }
            }
            attempts += 1;
            match self.refresh_once(stale) {
                Ok(renewal) => {
                    self.setbacks.remove(&key);
                    let token = renewal.into_token();
                    self.replace(stale, token.clone());
                    return Ok(token);
                }
                Err(Error::Token { endpoint, problem }) if must_log_in_again_after(&problem) => {
                    let refused = match &*problem {
                        Error::Refused { status, message } => Some(Refused::Http {
                            status: *status,
                            message: message.clone(),
                        }),
                        Error::OAuth(refusal) => Some(Refused::OAuth(refusal.clone())),
                        _ => None,
                    };
                    if let Some(refused) = refused {
                        self.refused.insert(key, (endpoint.clone(), refused));
                    }
                    return Err(Error::Token { endpoint, problem });
                }
                // Nothing to refresh: the token is gone, or cannot be refreshed.
                Err(e) if e.is_invalid() => return Err(e),
                Err(e) => {
                    let setback = self.setbacks.entry(key.clone()).or_insert(Setback {
                        failures: 0,
                        next: Instant::now(),
                    });
                    setback.failures = setback.failures.saturating_add(1);
                    let wait = setback_after(setback.failures);
                    setback.next = Instant::now() + wait;
                    if !stale.is_expired(unix_now()) || attempts >= ATTEMPTS_WHEN_EXPIRED {
                        return Err(e);
                    }
                    (self.notice)(&format!(
                        "warning: {e}; trying the refresh again in {:.1} s",
                        wait.as_secs_f64()
                    ));
                }
            }
        }
    }

    fn refresh_once(&self, stale: &StoredToken) -> Result<Renewal> {
        let (Some(refresher), Some(send)) = (&self.refresher, &self.send) else {
            return Err(Error::invalid(format!(
                "{}: the app's client ID, client secret and token endpoint are needed to \
                 refresh it",
                self.describe(stale)
            )));
        };
        refresher.refresh(stale, send, |path| self.waiting(path))
    }

    /// Keeps `token` in place of `stale` for the messages after this one.
    fn replace(&mut self, stale: &StoredToken, token: StoredToken) {
        match self.tokens.iter_mut().find(|t| t.has_scopes(&stale.scopes)) {
            Some(slot) => *slot = token,
            None => self.tokens.push(token),
        }
    }

    fn waiting(&self, lock: &Path) {
        (self.notice)(&store::waiting_for(lock));
    }

    fn lock_error(&self, e: &std::io::Error) -> Error {
        Error::Unavailable(format!(
            "locking the credentials file in {}: {e}",
            self.dir.display()
        ))
    }
}

/// What the token endpoint answered a refresh it refused.
enum Refused {
    Http { status: u16, message: String },
    OAuth(Box<Refusal>),
}

impl Refused {
    fn error(&self) -> Error {
        match self {
            Refused::Http { status, message } => Error::Refused {
                status: *status,
                message: message.clone(),
            },
            Refused::OAuth(refusal) => Error::OAuth(refusal.clone()),
        }
    }
}

/// Whether a failed refresh can only be mended by logging in again: the token endpoint
/// refused it (an `invalid_grant`, a revoked client), so that no retry can help.
pub fn must_log_in_again(error: &Error) -> bool {
    matches!(error, Error::Token { problem, .. } if must_log_in_again_after(problem))
}

fn must_log_in_again_after(problem: &Error) -> bool {
    matches!(problem, Error::Refused { .. } | Error::OAuth(_))
}

/// The wait after `failures` failed attempts in a row (refreshes, or registrations of a
/// subscription): doubling from half a second, at most half a minute.
pub fn setback_after(failures: u32) -> Duration {
    FIRST_SETBACK
        .saturating_mul(1 << failures.saturating_sub(1).min(16))
        .min(LONGEST_SETBACK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::refresh::tests::{refresher, stored};
    use crate::http::answer::answer;
    use std::sync::Mutex;

    const CONVERSATION: &str = "c1";

    fn to() -> Recipient {
        Recipient::Conversation {
            id: CONVERSATION.into(),
            post_token: None,
        }
    }

    /// A source over one stored token, whose refreshes are answered in turn by `answers`
    /// (and counted), with its notices kept.
    fn source(
        dir: &Path,
        token: StoredToken,
        answers: Vec<Result<Answer>>,
    ) -> (TokenSource, Arc<Mutex<Vec<String>>>) {
        let mut store = CredentialStore::open(dir).unwrap();
        store.put("default", token);
        store.save().unwrap();
        let notices = Arc::new(Mutex::new(Vec::new()));
        let said = Arc::clone(&notices);
        let refresher = refresher(dir);
        let mut source = TokenSource::new(
            &CredentialStore::open(dir).unwrap(),
            "default",
            Arc::new(move |text| said.lock().unwrap().push(text.to_owned())),
        )
        .unwrap();
        let answers = Mutex::new(answers.into_iter());
        source.refresh_with(
            refresher,
            Box::new(move |_| {
                answers
                    .lock()
                    .unwrap()
                    .next()
                    .expect("no more refreshes expected")
            }),
        );
        (source, notices)
    }

    /// The access token served, or what was served instead.
    fn access(served: Served) -> String {
        match served {
            Served::Token(token) => token.access_token.expose().to_owned(),
            other => format!("{other:?}"),
        }
    }

    fn renewed(access: &str) -> Result<Answer> {
        Ok(answer(
            200,
            &format!(r#"{{"access_token":"{access}","expires_in":3600}}"#),
        ))
    }

    #[test]
    fn a_fresh_token_is_served_as_it_is_and_a_missing_one_is_said() {
        let dir = tempfile::tempdir().unwrap();
        let (mut source, _) = source(dir.path(), stored("a", u64::MAX / 2), Vec::new());
        assert_eq!(access(source.token_for(&to()).unwrap()), "a");
        let elsewhere = Recipient::Conversation {
            id: "other".into(),
            post_token: None,
        };
        assert_eq!(source.token_for(&elsewhere).unwrap(), Served::Missing);
    }

    #[test]
    fn an_expired_token_is_refreshed_after_failures_that_may_pass_and_keeps_its_refresh_token() {
        let dir = tempfile::tempdir().unwrap();
        let blip = || Err(Error::NotSent("connection refused".into()));
        let (mut source, notices) =
            source(dir.path(), stored("old", 10), vec![blip(), renewed("new")]);
        assert_eq!(access(source.token_for(&to()).unwrap()), "new");
        let said = notices.lock().unwrap().join("\n");
        assert!(said.contains("trying the refresh again in 0."), "{said}");
        let on_disk = CredentialStore::open(dir.path()).unwrap();
        let token = &on_disk.tokens("default")[0];
        assert_eq!(token.access_token.expose(), "new");
        // The answer brought no refresh token: the old one is kept.
        assert_eq!(
            token.refresh_token.as_ref().unwrap().expose(),
            "old-refresh"
        );
    }

    #[test]
    fn a_refused_refresh_is_not_asked_again_and_means_logging_in_again() {
        let dir = tempfile::tempdir().unwrap();
        let refused = Ok(answer(400, r#"{"error":"invalid_grant"}"#));
        let (mut source, _) = source(dir.path(), stored("old", 10), vec![refused]);
        let first = source.token_for(&to()).unwrap_err();
        assert!(must_log_in_again(&first), "{first}");
        assert!(
            first
                .to_string()
                .starts_with("the token endpoint at oauth.divar.ir refused to refresh"),
            "{first}"
        );
        let again = source.token_for(&to()).unwrap_err();
        assert!(must_log_in_again(&again), "{again}");
    }

    #[test]
    fn a_token_still_valid_is_used_while_its_refresh_fails() {
        let dir = tempfile::tempdir().unwrap();
        let due = unix_now() + 30;
        let blip = || Err(Error::NotSent("connection refused".into()));
        let (mut source, notices) = source(dir.path(), stored("old", due), vec![blip()]);
        for _ in 0..3 {
            assert_eq!(access(source.token_for(&to()).unwrap()), "old");
        }
        // One refresh and one warning; the others wait for the setback to pass.
        assert_eq!(notices.lock().unwrap().len(), 1);
    }

    #[test]
    fn a_token_still_valid_serves_after_its_refresh_is_refused_and_is_not_refreshed_again() {
        let dir = tempfile::tempdir().unwrap();
        let refused = Ok(answer(400, r#"{"error":"invalid_grant"}"#));
        let (mut source, notices) =
            source(dir.path(), stored("old", unix_now() + 30), vec![refused]);
        for _ in 0..2 {
            assert_eq!(access(source.token_for(&to()).unwrap()), "old");
        }
        let said = notices.lock().unwrap().clone();
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].contains("log in again"), "{said:?}");
    }

    #[test]
    fn after_a_refusal_the_token_another_run_stored_is_served() {
        let dir = tempfile::tempdir().unwrap();
        let (mut source, _) = source(dir.path(), stored("old", u64::MAX / 2), Vec::new());
        let old = SecretString::new("old");
        assert_eq!(source.after_refusal(&to(), &old).unwrap(), None);
        let mut store = CredentialStore::open(dir.path()).unwrap();
        store.put("default", stored("theirs", u64::MAX / 2));
        store.save().unwrap();
        assert_eq!(
            source
                .after_refusal(&to(), &old)
                .unwrap()
                .map(|token| token.access_token),
            Some(SecretString::new("theirs"))
        );
        assert_eq!(
            source.fresh(&to()).map(|token| token.access_token),
            Some(SecretString::new("theirs"))
        );
    }

    #[test]
    fn setbacks_double_up_to_half_a_minute() {
        assert_eq!(setback_after(1), Duration::from_millis(500));
        assert_eq!(setback_after(2), Duration::from_secs(1));
        assert_eq!(setback_after(u32::MAX), LONGEST_SETBACK);
    }
}
