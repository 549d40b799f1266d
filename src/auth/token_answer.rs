//! A token endpoint's answer read as an OAuth error (RFC 6749 section 5.2), apart from
//! the explanations so that they need nothing of the HTTP layer.

use serde_json::Value;

use super::oauth_error::{OAuthError, Refusal, Step};
use crate::http::answer::Answer;

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
}

/// An error for a token endpoint's answer that is an OAuth error, met at `step`.
pub fn check_token_answer(answer: &Answer, step: impl FnOnce() -> Step) -> crate::Result<()> {
    match OAuthError::from_answer(answer) {
        Some(error) => Err(crate::Error::OAuth(Box::new(Refusal::new(error, step())))),
        None => Ok(()),
    }
}
