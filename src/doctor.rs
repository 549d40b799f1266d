//! Checks of one profile's OAuth setup, each passed or failed with its fix: the client ID
//! and redirect URI, the scopes configured, the token endpoint and client secret, each
//! stored token, the API key. Nothing here sends a message or changes a stored token.

use serde_json::{Value, json};
use url::Url;

use crate::auth::authorize;
use crate::auth::oauth_error::{OAuthError, Refusal, Step};
use crate::auth::store::StoredToken;
use crate::auth::token::{self, AppCredentials, Grant};
use crate::error::Result;
use crate::http::answer::Answer;
use crate::http::request::PreparedRequest;
use crate::platform::Platform;
use crate::scope_catalogue::{self, Check as ScopeCheck};
use crate::secret::SecretString;
use crate::time::rfc3339;
use crate::visible;

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub passed: bool,
    /// What was found.
    pub detail: String,
    /// What to do, when it failed.
    pub fix: Option<String>,
}

impl Check {
    fn pass(name: &'static str, detail: impl Into<String>) -> Self {
        Check {
            name,
            passed: true,
            detail: detail.into(),
            fix: None,
        }
    }

    fn fail(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Check {
            name,
            passed: false,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }

    /// One line: `ok   name: detail` or `FAIL name: detail; fix: ...`.
    pub fn line(&self) -> String {
        match &self.fix {
            None => format!("ok    {}: {}", self.name, self.detail),
            Some(fix) => format!("FAIL  {}: {}\n      fix: {fix}", self.name, self.detail),
        }
    }

    pub fn to_json(&self) -> Value {
        json!({"check": self.name, "passed": self.passed, "detail": self.detail, "fix": self.fix})
    }
}

/// A value given by `source`, or missing (`missing` says where it can come from).
pub struct Given<'a> {
    pub value: Option<&'a str>,
    pub source: &'a str,
    pub missing: &'a str,
}

/// The client ID: present and visible text.
pub fn client_id(given: &Given<'_>) -> Check {
    const NAME: &str = "client ID";
    match given.value {
        None => Check::fail(NAME, "missing", given.missing),
        Some(id) => match crate::scope::check_visible("client ID", id) {
            Ok(()) => Check::pass(NAME, format!("{id} (from {})", given.source)),
            Err(problem) => Check::fail(
                NAME,
                format!("from {}: {problem}", given.source),
                "copy the app's slug from the Kenar panel",
            ),
        },
    }
}

/// The redirect URI: present, and one an authorization URL can carry.
pub fn redirect_uri(given: &Given<'_>) -> Check {
    const NAME: &str = "redirect URI";
    match given.value {
        None => Check::fail(NAME, "missing", given.missing),
        Some(uri) => match authorize::check_redirect_uri(uri) {
            Ok(_) => Check::pass(NAME, format!("{uri} (from {})", given.source)),
            Err(problem) => Check::fail(
                NAME,
                format!(
                    "{} from {}: {problem}",
                    visible::escaped(uri, false),
                    given.source
                ),
                "give the redirect URI registered in the Kenar panel, exactly",
            ),
        },
    }
}

/// The scopes the config file asks for: each one Divar defines.
pub fn configured_scopes(scopes: &[String], source: &str) -> Check {
    const NAME: &str = "configured scopes";
    if scopes.is_empty() {
        return Check::pass(NAME, format!("none in {source}"));
    }
    let problems: Vec<String> = scopes
        .iter()
        .filter_map(|scope| match scope_catalogue::check(scope) {
            ScopeCheck::Known(_) => None,
            ScopeCheck::NearMiss { meant, .. } => Some(format!("{scope} (did you mean {meant}?)")),
            ScopeCheck::Unknown => Some(format!("{scope} (unknown to kenar-chat)")),
        })
        .collect();
    if problems.is_empty() {
        Check::pass(NAME, scopes.join(" "))
    } else {
        Check::fail(
            NAME,
            format!("in {source}: {}", problems.join(", ")),
            "write each as `kenar-chat scope list` shows it",
        )
    }
}

/// The OAuth error codes a token endpoint answers an app that is set up wrong with.
const SETUP_ERRORS: [&str; 3] = ["unauthorized_client", "invalid_request", "invalid_scope"];

/// The token endpoint, reached with a refresh of a made-up refresh token: Divar answers
/// `invalid_grant` to a client it knows and `invalid_client` to one it does not. `send`
/// sends the request.
pub fn token_endpoint(
    token_url: &Url,
    app: Option<&AppCredentials>,
    missing: &str,
    redirect_uri: &str,
    send: impl FnOnce(&PreparedRequest) -> Result<Answer>,
) -> Check {
    const NAME: &str = "token endpoint and client secret";
    let Some(app) = app else {
        return Check::fail(
            NAME,
            format!("not checked at {token_url}: the client ID or secret is missing"),
            missing,
        );
    };
    let made_up = SecretString::new("kenar-chat-doctor");
    let grant = Grant::Refresh {
        access_token: &made_up,
        refresh_token: &made_up,
        redirect_uri,
    };
    let host = token::endpoint_name(token_url);
    let answer = match send(&token::form_request(token_url, grant, app)) {
        Ok(answer) => answer,
        Err(e) => {
            return Check::fail(
                NAME,
                format!("{host} cannot be reached: {e}"),
                "check the token URL and the network",
            );
        }
    };
    match OAuthError::from_answer(&answer) {
        Some(error) if error.code == "invalid_grant" => Check::pass(
            NAME,
            format!(
                "{host} knows the client (a made-up refresh token was refused as invalid_grant)"
            ),
        ),
        Some(error) if error.code == "invalid_client" => Check::fail(
            NAME,
            format!("{host} refused the client ID or secret (invalid_client)"),
            "copy both again from the app's page in the Kenar panel",
        ),
        // The codes that say the app is set up wrong (protocol section 6), with the causes
        // of a refresh refused so.
        Some(error) if SETUP_ERRORS.contains(&error.code.as_str()) => {
            let sent = if error.code == "invalid_scope" {
                String::new()
            } else {
                format!(" (the probe sent the redirect URI {redirect_uri})")
            };
            let code = error.shown_code();
            let refusal = Refusal::new(
                error,
                Step::Refresh {
                    host: host.clone(),
                    token: "a made-up refresh token".to_owned(),
                },
            );
            let (whys, fixes): (Vec<String>, Vec<String>) = refusal
                .causes()
                .into_iter()
                .filter_map(|cause| cause.fix.ok().map(|fix| (cause.why, fix)))
                .unzip();
            Check::fail(
                NAME,
                format!(
                    "{host} refused the probe, a refresh of a made-up token ({code}): {}{sent}",
                    whys.join("; or ")
                ),
                fixes.join("; or "),
            )
        }
        other => Check::fail(
            NAME,
            format!(
                "{host} answered HTTP {}{}, not as an OAuth token endpoint",
                answer.status,
                other.map_or_else(String::new, |error| format!(" ({})", error.shown_code()))
            ),
            "check the token URL",
        ),
    }
}

/// Each stored token: its platform, scopes, expiry and refresh token. `login` is the
/// command that gets a new one.
pub fn stored_tokens(
    tokens: &[StoredToken],
    now: u64,
    login: impl Fn(&StoredToken) -> String,
) -> Vec<Check> {
    const NAME: &str = "stored token";
    if tokens.is_empty() {
        return vec![Check::pass(NAME, "none stored")];
    }
    tokens
        .iter()
        .map(|token| {
            let platform = token
                .scopes
                .iter()
                .find_map(|s| crate::scope::Scope::decode(s).ok()?.platform())
                .map_or("either", Platform::name);
            let scopes = if token.scopes.is_empty() {
                "no scopes".to_owned()
            } else {
                token.scopes.join(" ")
            };
            let refresh = if token.can_refresh() {
                "with a refresh token"
            } else {
                "without a refresh token"
            };
            let state = if token.is_expired(now) {
                "expired"
            } else {
                "expires"
            };
            let detail = format!(
                "{scopes}: {platform} platform, {state} at {}, {refresh}",
                rfc3339(token.expires)
            );
            let misspelled: Vec<&String> = token
                .scopes
                .iter()
                .filter(|s| matches!(scope_catalogue::check(s), ScopeCheck::NearMiss { .. }))
                .collect();
            if !misspelled.is_empty() {
                let list: Vec<&str> = misspelled.iter().map(|s| s.as_str()).collect();
                Check::fail(
                    NAME,
                    format!("{detail}; {} not a scope Divar knows", list.join(" ")),
                    format!(
                        "log in again with the scopes spelled right: `{}`",
                        login(token)
                    ),
                )
            } else if token.is_expired(now) && !token.can_refresh() {
                Check::fail(NAME, detail, format!("log in again: `{}`", login(token)))
            } else {
                Check::pass(NAME, detail)
            }
        })
        .collect()
}

/// The API key, shown to the API's catalogue of scopes, which needs nothing but the key.
pub fn api_key(
    api: &Url,
    key: Option<&SecretString>,
    missing: &str,
    send: impl FnOnce(&PreparedRequest) -> Result<Answer>,
) -> Check {
    const NAME: &str = "API key";
    let Some(key) = key else {
        return Check::fail(NAME, "missing", missing);
    };
    let host = api.host_str().unwrap_or_default();
    match send(&scope_catalogue::live_request(api, key)) {
        Ok(answer) if (200..300).contains(&answer.status) => {
            Check::pass(NAME, format!("accepted by {host}"))
        }
        Ok(answer) if matches!(answer.status, 401 | 403) => Check::fail(
            NAME,
            format!("refused by {host} (HTTP {})", answer.status),
            "copy the app's API key again from the Kenar panel",
        ),
        Ok(answer) => Check::fail(
            NAME,
            format!("{host} answered HTTP {}", answer.status),
            "check the API's base URL",
        ),
        Err(e) => Check::fail(
            NAME,
            format!("{host} cannot be reached: {e}"),
            "check the API's base URL and the network",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_malformed_value_fails_with_its_fix() {
        let missing = Given {
            value: None,
            source: "",
            missing: "set it",
        };
        assert_eq!(client_id(&missing).fix.as_deref(), Some("set it"));
        let bad = Given {
            value: Some("https://app.example/cb?x=1"),
            source: "KENAR_REDIRECT_URI",
            missing: "",
        };
        let check = redirect_uri(&bad);
        assert!(!check.passed);
        assert!(
            check.detail.contains("from KENAR_REDIRECT_URI"),
            "{check:?}"
        );
    }

    #[test]
    fn misspelled_configured_scopes_fail_naming_what_was_meant() {
        let check = configured_scopes(&["OFFLINE_ACCESS".into()], "scopes");
        assert!(!check.passed);
        assert!(
            check.detail.contains("did you mean offline_access?"),
            "{check:?}"
        );
        assert!(configured_scopes(&["offline_access".into()], "scopes").passed);
    }
}
