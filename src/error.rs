//! The library's error type, and the stable exit code each kind of failure maps to.

use std::fmt;

use crate::setting::Setting;

/// Everything that can go wrong, grouped by what the caller should do about it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The input is wrong; nothing was sent. Each entry names the field and the problem.
    #[error("{}", Problems(.0))]
    Invalid(Vec<String>),
    /// The value the caller set for `setting` (`value`, when it is worth showing) cannot be
    /// used; nothing was sent. Invalid input like [`Error::Invalid`], whose setting the
    /// caller names as its user gave it.
    #[error("{setting}{}: {problem}", value.as_ref().map(|v| format!(" {v}")).unwrap_or_default())]
    Unusable {
        setting: Setting,
        value: Option<String>,
        problem: String,
    },
    /// The API answered 4xx (other than 429): it understood and refused.
    #[error("the API refused the request (HTTP {status}): {message}")]
    Refused { status: u16, message: String },
    /// The app under development (`trigger`, `events replay`) answered other than 2xx.
    #[error("the app refused the request (HTTP {status}): {message}")]
    AppRefused { status: u16, message: String },
    /// The current platform answered 412 with code 9: the recipient blocked the sender, or
    /// one of them is blacklisted. Sending again will not help.
    #[error(
        "refused by the recipient's restriction (HTTP 412, code 9): {0}; sending again will not help"
    )]
    RecipientRestricted(String),
    /// An OAuth server refused (RFC 6749 sections 5.2 and 4.1.2.1): the authorization, a
    /// code exchange or a refresh, explained with its likely causes.
    #[error("{0}")]
    OAuth(Box<crate::auth::oauth_error::Refusal>),
    /// The user did not grant access: the authorization redirect came back without a code.
    #[error("the user did not grant access: {0}")]
    Denied(String),
    /// The API answered 429.
    #[error("rate limited by the API (HTTP 429): {message}")]
    RateLimited { message: String },
    /// The request certainly never reached the server: the connection was refused, the
    /// name did not resolve, or the TLS handshake failed. Safe to send again.
    #[error("{0}; the request never reached the server")]
    NotSent(String),
    /// The request may have reached the server and been acted on: a 5xx answer, a timeout
    /// or a connection dropped after sending, or an answer that could not be read. Sending
    /// again may duplicate it.
    #[error("{0}; delivery is uncertain: the request may have been acted on")]
    DeliveryUncertain(String),
    /// The API answered with a redirect, which is never followed. The server had the whole
    /// request (a 303 is the usual answer to a POST that was acted on), so delivery is
    /// uncertain; and sending again would only be redirected again, so it is never retried.
    #[error(
        "{0}; delivery is uncertain: the server had the whole request and may have acted on it"
    )]
    Redirected(String),
    /// Anything else that stops the request, such as a failure to set up the client.
    #[error("{0}")]
    Unavailable(String),
    /// The person at the terminal cancelled (Ctrl-C, Esc, or "no" when asked to confirm).
    #[error("cancelled; nothing was sent")]
    Cancelled,
    /// `oauth doctor` found problems; its report says which and how to fix them.
    #[error("{0} of the checks failed; each says how to fix it")]
    ChecksFailed(usize),
    /// A batch ended with lines not sent; its summary says which and why.
    #[error("{0}")]
    BatchIncomplete(String),
    /// A file was uploaded, but the message that carries its media token failed: `error`
    /// says why, and the media token lets the message be sent again without uploading
    /// ([`Error::resend`] says whether to); `advice` is the caller's word on how.
    #[error(
        "{error}\n  the file was uploaded as media token {}{}",
        crate::visible::escaped(media_token, false),
        advice.as_ref().map(|a| format!(": {a}")).unwrap_or_default()
    )]
    Uploaded {
        error: Box<Error>,
        media_token: String,
        advice: Option<String>,
    },
    /// The token endpoint at `endpoint` (its host, and port when given), not the API,
    /// refused or failed: `problem` says how, and decides the exit code and whether the
    /// request may have been acted on (for a code exchange: whether the code is used up).
    #[error("{}", TokenProblem { endpoint, problem })]
    Token {
        endpoint: String,
        problem: Box<Error>,
    },
    /// A signal stopped a batch; its summary says what was sent. `code` is the exit code a
    /// shell gives a process the signal ends (128 plus its number).
    #[error("interrupted by {signal}; the summary says what was sent")]
    Interrupted { signal: &'static str, code: u8 },
}

impl Error {
    /// A value set for `setting` that cannot be used, and why.
    pub fn unusable(setting: Setting, value: Option<String>, problem: impl Into<String>) -> Self {
        Error::Unusable {
            setting,
            value,
            problem: problem.into(),
        }
    }

    /// Whether the input is wrong, so that nothing was sent: [`Error::Invalid`] or
    /// [`Error::Unusable`].
    pub fn is_invalid(&self) -> bool {
        matches!(self, Error::Invalid(_) | Error::Unusable { .. })
    }

    /// One invalid field, for the common case.
    pub fn invalid(problem: impl Into<String>) -> Self {
        Error::Invalid(vec![problem.into()])
    }

    /// Puts `prefix` (a flag, a file, a line number) in front of each invalid-input problem.
    pub fn prefixed(self, prefix: &str) -> Self {
        match self {
            Error::Invalid(found) => {
                Error::Invalid(found.into_iter().map(|p| format!("{prefix}{p}")).collect())
            }
            other => other,
        }
    }

    /// The process exit code documented in the README.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Invalid(_) | Error::Unusable { .. } => 2,
            Error::Refused { .. }
            | Error::AppRefused { .. }
            | Error::RecipientRestricted(_)
            | Error::Denied(_)
            | Error::OAuth(_) => 3,
            Error::RateLimited { .. } => 4,
            Error::NotSent(_)
            | Error::DeliveryUncertain(_)
            | Error::Redirected(_)
            | Error::Unavailable(_) => 5,
            Error::Cancelled => 130,
            Error::BatchIncomplete(_) => 6,
            Error::ChecksFailed(_) => 8,
            Error::Interrupted { code, .. } => *code,
            Error::Uploaded { error, .. } | Error::Token { problem: error, .. } => {
                error.exit_code()
            }
        }
    }

    /// For an [`Error::Uploaded`]: whether its message may be sent again with the media
    /// token, without uploading the file again; `None` for any other error.
    pub fn resend(&self) -> Option<Resend> {
        match self {
            Error::Uploaded { error, .. } => Some(match **error {
                Error::RecipientRestricted(_) => Resend::Not,
                ref error if error.may_have_been_delivered() => Resend::IfNotArrived,
                _ => Resend::Again,
            }),
            _ => None,
        }
    }

    /// Whether the request may have reached the server, so that sending it again could
    /// act twice. Retrying is safe only when this is false.
    pub fn may_have_been_delivered(&self) -> bool {
        match self {
            Error::Uploaded { error, .. } | Error::Token { problem: error, .. } => {
                error.may_have_been_delivered()
            }
            other => matches!(other, Error::DeliveryUncertain(_) | Error::Redirected(_)),
        }
    }
}

/// Whether to send again a message whose upload went through (see [`Error::resend`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// Sending again will not help: the recipient refuses it.
    Not,
    /// The message may have arrived: send it again only if it did not.
    IfNotArrived,
    /// The message certainly did not arrive: send it again.
    Again,
}

/// For code that reports every problem at once: the value of `result`, or `None` with its
/// invalid-input problems added to `problems`. Any other error ends the gathering.
pub fn gather<T>(result: Result<T>, problems: &mut Vec<String>) -> Result<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(Error::Invalid(found)) => {
            problems.extend(found);
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

/// `value` when `problems` is empty, else every problem as one [`Error::Invalid`].
pub fn valid<T>(value: T, problems: Vec<String>) -> Result<T> {
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(Error::Invalid(problems))
    }
}

/// A failure of the token endpoint, said of tokens rather than of the API or of delivery.
struct TokenProblem<'a> {
    endpoint: &'a str,
    problem: &'a Error,
}

impl fmt::Display for TokenProblem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let endpoint = self.endpoint;
        match self.problem {
            // It names the endpoint itself, with what failed.
            Error::OAuth(refusal) => write!(f, "{refusal}"),
            Error::Refused { status, message } => write!(
                f,
                "the token endpoint {endpoint} refused the request (HTTP {status}): {message}"
            ),
            Error::RateLimited { message } => write!(
                f,
                "rate limited by the token endpoint {endpoint} (HTTP 429): {message}"
            ),
            // The client's account names the token endpoint and its host already.
            Error::NotSent(m) => write!(f, "{m}; the token request never reached it"),
            Error::DeliveryUncertain(m) | Error::Redirected(m) => write!(
                f,
                "token endpoint {endpoint}: {m}; the token request may have been acted on \
                 without its answer arriving"
            ),
            other => write!(f, "token endpoint {endpoint}: {other}"),
        }
    }
}

/// Several problems read as one message: one per line after the first.
struct Problems<'a>(&'a [String]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [] => f.write_str("invalid input"),
            [one] => f.write_str(one),
            many => {
                write!(f, "{} problems with the input:", many.len())?;
                for problem in many {
                    write!(f, "\n  - {problem}")?;
                }
                Ok(())
            }
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_problems_are_listed_one_per_line() {
        let err = Error::Invalid(vec!["a: missing".into(), "b: missing".into()]);
        assert_eq!(
            err.to_string(),
            "2 problems with the input:\n  - a: missing\n  - b: missing"
        );
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn a_setting_at_fault_is_invalid_input_said_by_what_it_is() {
        let err = Error::unusable(Setting::SandboxPort, Some("80".into()), "in use");
        assert_eq!(err.to_string(), "the sandbox's port 80: in use");
        assert!(err.is_invalid());
        assert_eq!(err.exit_code(), 2);
        assert!(!err.may_have_been_delivered());
    }

    #[test]
    fn an_uploaded_files_message_is_sent_again_unless_it_may_have_arrived_or_is_refused() {
        let uploaded = |error| Error::Uploaded {
            error: Box::new(error),
            media_token: "m1".into(),
            advice: None,
        };
        let cases = [
            (Error::RecipientRestricted("no".into()), Resend::Not),
            (Error::DeliveryUncertain("cut".into()), Resend::IfNotArrived),
            (Error::NotSent("refused".into()), Resend::Again),
        ];
        for (error, resend) in cases {
            assert_eq!(uploaded(error).resend(), Some(resend));
        }
        assert_eq!(Error::Cancelled.resend(), None);
        assert!(
            uploaded(Error::NotSent("x".into()))
                .to_string()
                .ends_with("\n  the file was uploaded as media token m1")
        );
    }

    #[test]
    fn gathering_keeps_invalid_input_and_stops_at_anything_else() {
        let mut problems = Vec::new();
        assert_eq!(gather(Ok(1), &mut problems).unwrap(), Some(1));
        let none: Option<()> = gather(Err(Error::invalid("a: bad")), &mut problems).unwrap();
        assert_eq!(none, None);
        assert!(gather::<()>(Err(Error::Cancelled), &mut problems).is_err());
        assert_eq!(problems, ["a: bad"]);
        assert_eq!(valid(2, Vec::new()).unwrap(), 2);
        assert_eq!(valid(2, problems).unwrap_err().exit_code(), 2);
    }
}
