//! What an answer means: success, a refusal, a rate limit, or delivery in doubt, read from
//! its HTTP status and its body's own `status`; and when the server asks to be tried again.

use std::fmt::{self, Write as _};
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::secret::Secrets;

/// An answer that arrived in full: its HTTP status and its body as received. The body is
/// read as it is; what is shown of it (errors, printed answers) goes through `secrets`
/// first, so that a server echoing a credential back cannot make us print it. Its `Debug`
/// shows the body's length only.
#[derive(Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    /// How long the server asked to wait before trying again (`Retry-After`), if it did.
    pub retry_after: Option<Duration>,
    /// The secrets of the request this answers.
    pub secrets: Secrets,
}

impl Answer {
    /// The body for an error message: masked, then quoted (short and inert).
    pub fn quoted(&self) -> String {
        self.secrets.quoted(&String::from_utf8_lossy(&self.body))
    }

    /// `body` (read from this answer) as it may be printed: masked.
    pub fn shown(&self, body: &Value) -> Value {
        self.secrets.mask_json(body)
    }
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Answer")
            .field("status", &self.status)
            .field("body", &format_args!("{} bytes", self.body.len()))
            .field("retry_after", &self.retry_after)
            .finish()
    }
}

/// Reads a `Retry-After` header value: delay-seconds (`"120"`) or an HTTP date
/// (`"Wed, 21 Oct 2015 07:28:00 GMT"`), which is turned into the time left from `now`
/// (zero when it has passed). `None` when the value is neither.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Interprets the answer to an API call: success is an HTTP 2xx whose JSON body carries
/// `status` 200 (when it carries a status at all). Returns the body on success.
pub fn check_answer(answer: &Answer) -> Result<Value> {
    check_delivered(answer)?;
    serde_json::from_slice(&answer.body)
        .map_err(|e| Error::DeliveryUncertain(format!("the API's answer cannot be read: {e}")))
}

/// [`check_answer`] without keeping the body: what a batch needs for each of its lines.
pub fn check_delivered(answer: &Answer) -> Result<()> {
    let verdict = Verdict::of(&answer.body);
    let server_message = || match &verdict {
        Some(verdict) => verdict
            .describe(&answer.secrets)
            .unwrap_or_else(|| answer.quoted()),
        None => answer.quoted(),
    };
    let rpc_code = verdict
        .as_ref()
        .and_then(|v| v.code.as_ref())
        .and_then(body_status);
    match answer.status {
        200..=299 => {}
        412 if rpc_code == Some(RECIPIENT_RESTRICTED) => {
            return Err(Error::RecipientRestricted(server_message()));
        }
        429 => {
            return Err(Error::RateLimited {
                message: server_message(),
            });
        }
        400..=499 => {
            return Err(Error::Refused {
                status: answer.status,
                message: server_message(),
            });
        }
        status => {
            return Err(Error::DeliveryUncertain(format!(
                "the API failed (HTTP {status}): {}",
                server_message()
            )));
        }
    }
    let Some(verdict) = &verdict else {
        return Err(Error::DeliveryUncertain(format!(
            "the API answered HTTP {} with a body that is not a JSON object: {}",
            answer.status,
            answer.quoted()
        )));
    };
    let Some(status) = &verdict.status else {
        return Ok(());
    };
    let message = || {
        format!(
            "the answer's status is {}: {}",
            answer.secrets.quoted(&status.to_string()),
            server_message()
        )
    };
    // The body's own status decides like an HTTP status would: a 4xx was understood and
    // refused; anything else (a 5xx, or a status that is not a number) leaves delivery
    // uncertain, so that a batch holds the line rather than send it again.
    match body_status(status) {
        Some(200) => Ok(()),
        Some(429) => Err(Error::RateLimited { message: message() }),
        Some(code @ 400..=499) => Err(Error::Refused {
            status: u16::try_from(code).unwrap_or(answer.status),
            message: message(),
        }),
        _ => Err(Error::DeliveryUncertain(format!(
            "the API answered HTTP {} but {}",
            answer.status,
            message()
        ))),
    }
}

/// The Google RPC status code of the current platform's "recipient's restriction".
const RECIPIENT_RESTRICTED: u64 = 9;

/// What decides an answer whose body is a JSON object: its `status` and `message`, and on
/// the current platform the error's `code` and `details` (the other fields are skipped,
/// not kept).
#[derive(serde::Deserialize)]
struct Verdict {
    /// `Some(Value::Null)` for `"status": null`, which is not a success.
    #[serde(default, deserialize_with = "present")]
    status: Option<Value>,
    #[serde(default)]
    message: Option<Value>,
    #[serde(default)]
    code: Option<Value>,
    #[serde(default)]
    details: Option<Value>,
}

impl Verdict {
    /// The server's own words: its message, with an error's code and details when it
    /// gives them (`code 3: invalid icon; details: [...]`), quoted.
    fn describe(&self, secrets: &Secrets) -> Option<String> {
        let quote = |text: &str| secrets.quoted(text);
        let message = match &self.message {
            Some(Value::String(m)) => Some(quote(m)),
            _ => None,
        };
        let code = self.code.as_ref().filter(|c| !c.is_null());
        let details = self
            .details
            .as_ref()
            .filter(|d| !d.is_null() && d.as_array().is_none_or(|a| !a.is_empty()));
        if message.is_none() && code.is_none() {
            return None;
        }
        let mut out = String::new();
        if let Some(code) = code {
            let _ = write!(out, "code {}: ", quote(&code.to_string()));
        }
        out.push_str(message.as_deref().unwrap_or("(no message)"));
        if let Some(details) = details {
            let _ = write!(out, "; details: {}", quote(&details.to_string()));
        }
        Some(out)
    }

    /// `None` when the body is not a JSON object.
    fn of(body: &[u8]) -> Option<Verdict> {
        // The derived reader would also take an array, its items as the fields in order.
        if body.trim_ascii_start().first() != Some(&b'{') {
            return None;
        }
        serde_json::from_slice(body).ok().or_else(|| {
            // A field named twice is refused by the derived reader; the last one counts,
            // as in any JSON object.
            let Value::Object(mut fields) = serde_json::from_slice(body).ok()? else {
                return None;
            };
            Some(Verdict {
                status: fields.remove("status"),
                message: fields.remove("message"),
                code: fields.remove("code"),
                details: fields.remove("details"),
            })
        })
    }
}

fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<Value>, D::Error> {
    serde::Deserialize::deserialize(deserializer).map(Some)
}

fn body_status(status: &Value) -> Option<u64> {
    match status {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// An answer with this status and body to a request without secrets, for tests of what
/// reads answers.
#[cfg(test)]
pub(crate) fn answer(status: u16, body: &str) -> Answer {
    Answer {
        status,
        body: body.as_bytes().to_vec(),
        retry_after: None,
        secrets: Secrets::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_needs_both_statuses() {
        assert!(check_answer(&answer(200, r#"{"status":200,"message":"success"}"#)).is_ok());
        assert!(check_answer(&answer(200, r#"{"status":"200"}"#)).is_ok());
        assert!(check_answer(&answer(201, r#"{}"#)).is_ok());
        let err = check_answer(&answer(200, r#"{"status":400,"message":"bad peer"}"#)).unwrap_err();
        assert_eq!(err.exit_code(), 3);
        assert!(err.to_string().contains("bad peer"));
        let failed = check_answer(&answer(200, r#"{"status":500,"message":"db down"}"#));
        let failed = failed.unwrap_err();
        assert!(failed.may_have_been_delivered(), "{failed}");
        assert!(failed.to_string().contains("db down"), "{failed}");
        let odd = check_answer(&answer(200, r#"{"status":"pending"}"#)).unwrap_err();
        assert!(odd.may_have_been_delivered(), "{odd}");
        let limited = check_answer(&answer(200, r#"{"status":"429"}"#)).unwrap_err();
        assert_eq!(limited.exit_code(), 4);
        assert_eq!(
            check_answer(&answer(200, "<html>"))
                .unwrap_err()
                .exit_code(),
            5
        );
        assert_eq!(
            check_answer(&answer(200, "[1]")).unwrap_err().exit_code(),
            5
        );
    }

    #[test]
    fn failures_map_to_their_exit_codes() {
        let refused = check_answer(&answer(403, r#"{"message":"no scope"}"#)).unwrap_err();
        assert_eq!(refused.exit_code(), 3);
        assert!(refused.to_string().contains("no scope"));
        assert_eq!(
            check_answer(&answer(429, "slow down"))
                .unwrap_err()
                .exit_code(),
            4
        );
        assert_eq!(check_answer(&answer(502, "")).unwrap_err().exit_code(), 5);
        assert_eq!(
            check_delivered(&answer(200, r#" ["status", 200]"#))
                .unwrap_err()
                .exit_code(),
            5
        );
        // A status of null is no success; of two statuses, the last counts.
        let null = check_delivered(&answer(200, r#"{"status":null}"#)).unwrap_err();
        assert!(null.to_string().contains("status is null"), "{null}");
        assert!(check_delivered(&answer(200, r#"{"status":500,"status":200}"#)).is_ok());
        let twice = check_delivered(&answer(200, r#"{"status":200,"status":403}"#)).unwrap_err();
        assert_eq!(twice.exit_code(), 3);
        assert_eq!(
            check_answer(&answer(200, r#"{"status":200,"extra":[1,{"a":2}]}"#)).unwrap(),
            serde_json::json!({"status": 200, "extra": [1, {"a": 2}]})
        );
    }

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        for bad in ["", "-1", "1.5", "soon", "Wed, 21 Oct 2015"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
    }
}
