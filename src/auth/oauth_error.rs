//! OAuth errors (RFC 6749 section 5.2 at the token endpoint, 4.1.2.1 in an authorization
//! redirect), explained: what failed, the server's own words, then the causes that fit the
//! error code and the step (protocol section 6), each with what fixes it, leaving out what
//! the tool knows did not happen.

use std::fmt;

use serde_json::{Value, json};

use crate::http::answer::Answer;
use crate::visible::quote;

/// How long Divar lets a code wait for its exchange, in seconds.
pub const CODE_LIFETIME_SECS: u64 = 10 * 60;

/// The error an OAuth server answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// `invalid_grant`, `invalid_scope`, ...
    pub code: String,
    pub description: Option<String>,
    /// Older Hydra versions put the specific reason here.
    pub hint: Option<String>,
    /// The token endpoint's HTTP status; `None` for a redirect.
    pub status: Option<u16>,
    /// The answer as it came (its secrets already masked), for `-v` and JSON output.
    pub raw: String,
}

impl OAuthError {
    /// The error of a token endpoint's 4xx answer whose body is a JSON object with a
    /// string `error`; `None` for any other answer.
    pub fn from_answer(answer: &Answer) -> Option<Self> {
        if !(400..=499).contains(&answer.status) {
            return None;
        }
        let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&answer.body) else {
            return None;
        };
        // An answer may echo the request's secrets: every value is kept masked.
        let text = |name: &str| {
            body.get(name)
                .and_then(Value::as_str)
                .map(|value| answer.secrets.mask(value).into_owned())
        };
        Some(OAuthError {
            code: text("error")?,
            description: text("error_description"),
            hint: text("error_hint"),
            status: Some(answer.status),
            raw: answer
                .secrets
                .mask(&String::from_utf8_lossy(&answer.body))
                .into_owned(),
        })
    }

    /// The error a redirect's query carries (`error`, `error_description`, `error_hint`);
    /// `None` without `error`.
    pub fn from_query(query: &str) -> Option<Self> {
        let mut error = OAuthError {
            code: String::new(),
            description: None,
            hint: None,
            status: None,
            raw: query.to_owned(),
        };
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "error" => error.code = value.into_owned(),
                "error_description" => error.description = Some(value.into_owned()),
                "error_hint" => error.hint = Some(value.into_owned()),
                _ => {}
            }
        }
        (!error.code.is_empty()).then_some(error)
    }

    /// The scope Hydra says the client may not ask for: `... request scope 'NAME'.`
    pub fn refused_scope(&self) -> Option<&str> {
        [&self.description, &self.hint]
            .into_iter()
            .flatten()
            .find_map(|text| {
                let (_, rest) = text.split_once("scope '")?;
                rest.split_once('\'').map(|(name, _)| name)
            })
    }
}

/// An error for a token endpoint's answer that is an OAuth error, met at `step`.
pub fn check_token_answer(answer: &Answer, step: impl FnOnce() -> Step) -> crate::Result<()> {
    match OAuthError::from_answer(answer) {
        Some(error) => Err(crate::Error::OAuth(Box::new(Refusal::new(error, step())))),
        None => Ok(()),
    }
}

/// Where the error was met, with what the tool knows there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The browser came back from the authorization page with an error.
    Authorization,
    /// Exchanging a code at the token endpoint on `host`.
    Exchange {
        host: String,
        /// The redirect URI the exchange sent, when it sends one.
        redirect_uri: Option<String>,
        /// The client ID the exchange sent.
        client_id: String,
        /// Seconds between the code's arrival and its exchange, when this run received it
        /// (and built the authorization URL with the same client ID and redirect URI).
        received_secs_ago: Option<u64>,
    },
    /// Refreshing `token` (a description of it, never its value) on `host`.
    Refresh { host: String, token: String },
}

/// Where the app's client ID and secret came from (a flag, a variable, a config key, a
/// file), for an `invalid_client`; never their values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSources {
    pub client_id: String,
    pub client_secret: String,
}

/// An OAuth error with what the tool can say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub error: OAuthError,
    pub step: Step,
    pub client: Option<ClientSources>,
    /// The command that asks the user again.
    pub login: String,
}

/// One possible cause, and what fixes it; or a cause the tool has ruled out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    pub why: String,
    pub fix: Result<String, String>,
}

impl Cause {
    fn fits(why: impl Into<String>, fix: impl Into<String>) -> Self {
        Cause {
            why: why.into(),
            fix: Ok(fix.into()),
        }
    }

    fn ruled_out(why: impl Into<String>, because: impl Into<String>) -> Self {
        Cause {
            why: why.into(),
            fix: Err(because.into()),
        }
    }
}

impl Refusal {
    pub fn new(error: OAuthError, step: Step) -> Self {
        Refusal {
            error,
            step,
            client: None,
            login: "kenar-chat oauth login".to_owned(),
        }
    }

    /// What failed, in one line.
    pub fn headline(&self) -> String {
        let code = &self.error.code;
        let status = self
            .error
            .status
            .map_or_else(String::new, |s| format!(", HTTP {s}"));
        match &self.step {
            Step::Authorization => {
                format!("the authorization was refused ({code}): Divar sent back no code")
            }
            Step::Exchange { host, .. } => {
                format!("the token endpoint at {host} refused the code ({code}{status})")
            }
            Step::Refresh { host, token } => {
                format!("the token endpoint at {host} refused to refresh {token} ({code}{status})")
            }
        }
    }

    /// The causes that fit the error code and the step, most likely first.
    pub fn causes(&self) -> Vec<Cause> {
        let login = format!("`{}`", self.login);
        match (self.error.code.as_str(), &self.step) {
            ("invalid_grant", Step::Exchange { .. }) => self.exchange_causes(&login),
            ("invalid_grant", _) => vec![
                Cause::fits(
                    "the refresh token expired: it lasts 30 days",
                    format!("log in again: {login}"),
                ),
                Cause::fits(
                    "the user revoked the app's access",
                    format!("ask the user again: {login}"),
                ),
                Cause::fits(
                    "the refresh token was already used: every refresh replaces it, and the old \
                     one works 2 more minutes (another run, or a copy of the credentials file, \
                     may have refreshed it)",
                    format!("log in again: {login}"),
                ),
            ],
            ("invalid_scope", _) => {
                let scope = self
                    .error
                    .refused_scope()
                    .map_or_else(|| "a scope asked for".to_owned(), |s| format!("scope {s}"));
                vec![
                    Cause::fits(
                        format!(
                            "{scope} is not opened for this app: test apps have every scope, \
                             a production app must have each one opened by a ticket in the \
                             Kenar panel"
                        ),
                        "open it in the Kenar panel, or ask without it; with several scopes, \
                         `kenar-chat oauth login` can ask for each alone and say which Divar \
                         refuses",
                    ),
                    Cause::fits(
                        format!("{scope} is misspelled or wrongly cased"),
                        format!(
                            "check it with `kenar-chat scope decode {}` or `kenar-chat scope list`",
                            self.error.refused_scope().unwrap_or("SCOPE")
                        ),
                    ),
                ]
            }
            ("invalid_client", _) => {
                let sources = self.client.as_ref().map_or_else(String::new, |c| {
                    format!(
                        " (the client ID from {}, the secret from {})",
                        c.client_id, c.client_secret
                    )
                });
                vec![Cause::fits(
                    format!("the client ID or the client secret is wrong{sources}"),
                    "copy both again from the app's page in the Kenar panel",
                )]
            }
            ("access_denied", _) => vec![Cause::fits(
                "the user refused on the consent page",
                format!("ask again, if the user agrees: {login}"),
            )],
            ("unauthorized_client", _) => vec![Cause::fits(
                "the app may not use this grant type or redirect URI",
                "check the app's redirect URIs and grants in the Kenar panel",
            )],
            ("invalid_request", _) => vec![Cause::fits(
                "a parameter is missing or repeated, or the redirect URI is not registered",
                "register the redirect URI in the Kenar panel, exactly as it is sent",
            )],
            _ => Vec::new(),
        }
    }

    /// `invalid_grant` for a code: each usual cause, unless what the tool knows rules it
    /// out.
    fn exchange_causes(&self, login: &str) -> Vec<Cause> {
        let Step::Exchange {
            redirect_uri,
            client_id,
            received_secs_ago,
            ..
        } = &self.step
        else {
            return Vec::new();
        };
        let new_code = format!("get a new code: {login}");
        let expired = "the code expired: it must be exchanged within 10 minutes";
        let used = "the code was already exchanged: a code works once";
        let redirect = match redirect_uri {
            Some(uri) => {
                format!("the redirect URI sent ({uri}) is not the one of the authorization URL")
            }
            None => "the redirect URI is not the one of the authorization URL".to_owned(),
        };
        let other_client = format!("the code was issued to another client ID than {client_id}");
        match received_secs_ago {
            Some(secs) if *secs < CODE_LIFETIME_SECS => vec![
                Cause::ruled_out(expired, format!("it arrived {secs} s before the exchange")),
                Cause::ruled_out(used, "this run received it and exchanged it once"),
                Cause::ruled_out(redirect, "this run built the authorization URL with it"),
                Cause::ruled_out(other_client, "this run built the authorization URL with it"),
            ],
            Some(secs) => vec![Cause::fits(
                format!("{expired} (it arrived {secs} s before the exchange)"),
                new_code,
            )],
            None => vec![
                Cause::fits(expired, new_code.clone()),
                Cause::fits(used, new_code),
                Cause::fits(
                    redirect,
                    "exchange with the redirect URI of the authorization URL, character for \
                     character",
                ),
                Cause::fits(
                    other_client,
                    "exchange with the client ID of the authorization URL",
                ),
            ],
        }
    }

    /// The error as a JSON object, for `-o json`: the server's answer as it came, and the
    /// causes.
    pub fn to_json(&self) -> Value {
        let causes: Vec<Value> = self
            .causes()
            .into_iter()
            .map(|cause| match cause.fix {
                Ok(fix) => json!({"cause": cause.why, "fix": fix}),
                Err(because) => json!({"cause": cause.why, "ruled_out": because}),
            })
            .collect();
        json!({
            "error": self.error.code,
            "error_description": self.error.description,
            "error_hint": self.error.hint,
            "status": self.error.status,
            "message": self.headline(),
            "causes": causes,
            "answer": self.error.raw,
        })
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline())?;
        for text in [&self.error.description, &self.error.hint]
            .into_iter()
            .flatten()
        {
            write!(f, "\n  Divar says: \"{}\"", quote(text.as_bytes()))?;
        }
        let causes = self.causes();
        let (fitting, ruled_out): (Vec<_>, Vec<_>) =
            causes.iter().partition(|cause| cause.fix.is_ok());
        if fitting.is_empty() && !ruled_out.is_empty() {
            f.write_str("\n  None of the usual causes fits what kenar-chat knows:")?;
        } else if !fitting.is_empty() {
            f.write_str("\n  Usual causes, and what to do:")?;
        }
        for cause in fitting {
            if let Ok(fix) = &cause.fix {
                write!(f, "\n  - {}\n    fix: {fix}", cause.why)?;
            }
        }
        for cause in ruled_out {
            if let Err(because) = &cause.fix {
                write!(f, "\n  - not that {} ({because})", cause.why)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::answer::answer;

    const HYDRA_GRANT: &str = "The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.";

    fn exchange(received_secs_ago: Option<u64>) -> Step {
        Step::Exchange {
            host: "oauth.divar.ir".into(),
            redirect_uri: Some("https://app.example/cb".into()),
            client_id: "my-app".into(),
            received_secs_ago,
        }
    }

    #[test]
    fn reads_the_token_endpoints_error_and_a_redirects() {
        let body = format!(r#"{{"error":"invalid_grant","error_description":"{HYDRA_GRANT}"}}"#);
        let error = OAuthError::from_answer(&answer(400, &body)).unwrap();
        assert_eq!(error.code, "invalid_grant");
        assert_eq!(error.description.as_deref(), Some(HYDRA_GRANT));
        assert_eq!(error.status, Some(400));
        assert!(OAuthError::from_answer(&answer(200, &body)).is_none());
        assert!(OAuthError::from_answer(&answer(403, r#"{"code":7}"#)).is_none());
        let query = "error=invalid_scope&error_description=The+OAuth+2.0+Client+is+not+allowed+to+request+scope+%27USER_PHONE%27.&state=s";
        let error = OAuthError::from_query(query).unwrap();
        assert_eq!(error.refused_scope(), Some("USER_PHONE"));
        assert!(OAuthError::from_query("state=s&code=c").is_none());
    }

    #[test]
    fn an_exchange_lists_every_cause_unless_the_tool_rules_it_out() {
        let error = OAuthError::from_answer(&answer(400, r#"{"error":"invalid_grant"}"#)).unwrap();
        let text = Refusal::new(error.clone(), exchange(None)).to_string();
        assert!(
            text.starts_with(
                "the token endpoint at oauth.divar.ir refused the code (invalid_grant, HTTP 400)"
            ),
            "{text}"
        );
        for cause in [
            "10 minutes",
            "works once",
            "(https://app.example/cb)",
            "another client ID than my-app",
        ] {
            assert!(text.contains(cause), "{cause}: {text}");
        }
        let text = Refusal::new(error.clone(), exchange(Some(3))).to_string();
        assert!(text.contains("None of the usual causes fits"), "{text}");
        assert!(text.contains("not that the code expired"), "{text}");
        let text = Refusal::new(error, exchange(Some(900))).to_string();
        assert!(
            text.contains("(it arrived 900 s before the exchange)\n    fix: get a new code"),
            "{text}"
        );
        assert!(!text.contains("works once"), "{text}");
    }

    #[test]
    fn invalid_client_names_where_the_credentials_came_from() {
        let error = OAuthError::from_answer(&answer(401, r#"{"error":"invalid_client"}"#)).unwrap();
        let mut refusal = Refusal::new(error, exchange(None));
        refusal.client = Some(ClientSources {
            client_id: "--client-id".into(),
            client_secret: "KENAR_CLIENT_SECRET".into(),
        });
        let text = refusal.to_string();
        assert!(
            text.contains("the client ID from --client-id, the secret from KENAR_CLIENT_SECRET"),
            "{text}"
        );
        assert_eq!(
            refusal.to_json()["causes"][0]["fix"],
            "copy both again from the app's page in the Kenar panel"
        );
    }
}
