//! The HTTP side: the exact request for each API call, and the client that sends it and
//! reads the answer.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use serde_json::Value;
use url::Url;

use crate::error::{Error, Result};
use crate::http_url;
use crate::message::Message;
use crate::secret::SecretString;
use crate::transport::Transport;

/// Divar's API for the platform this tool speaks.
pub const DEFAULT_API_URL: &str = "https://api.divar.ir";
/// Where messages are sent, relative to the API base URL.
pub const SEND_MESSAGE_PATH: &str = "v2/open-platform/chat/conversation";
/// Answers larger than this are refused rather than read into memory.
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;
/// How much of an unexpected answer an error message quotes.
const QUOTE_CHARS: usize = 200;

/// The two secrets a send needs: the app's API key and the user's access token.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub api_key: SecretString,
    pub access_token: SecretString,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderValue {
    Plain(String),
    Secret(SecretString),
}

impl HeaderValue {
    /// The value as printed: secrets as `***` unless `show_secrets` is set.
    pub fn shown(&self, show_secrets: bool) -> &str {
        match self {
            HeaderValue::Plain(v) => v,
            HeaderValue::Secret(s) => s.shown(show_secrets),
        }
    }
}

/// One request, fully formed: what is sent, and what a dry run prints.
#[derive(Debug, Clone)]
pub struct PreparedRequest {
    pub method: &'static str,
    pub url: Url,
    pub headers: Vec<(&'static str, HeaderValue)>,
    pub body: Vec<u8>,
    /// Secrets the body carries (a client secret): masked in the answer like the headers'.
    pub body_secrets: Vec<SecretString>,
}

impl PreparedRequest {
    /// `POST /v2/open-platform/chat/conversation` with the message as its body.
    pub fn send_message(base: &Url, message: &Message, credentials: &Credentials) -> Self {
        Self::send_message_to(endpoint(base, SEND_MESSAGE_PATH), message, credentials)
    }

    /// [`PreparedRequest::send_message`] to an endpoint worked out once, for many messages.
    pub fn send_message_to(url: Url, message: &Message, credentials: &Credentials) -> Self {
        PreparedRequest {
            method: "POST",
            url,
            headers: vec![
                (
                    "content-type",
                    HeaderValue::Plain("application/json".into()),
                ),
                (
                    "x-api-key",
                    HeaderValue::Secret(credentials.api_key.clone()),
                ),
                (
                    "x-access-token",
                    HeaderValue::Secret(credentials.access_token.clone()),
                ),
            ],
            body: message.to_body(),
            body_secrets: Vec::new(),
        }
    }

    /// `bytes` (from an answer) with every secret this request carries replaced by `***`,
    /// so that a server echoing a credential back cannot make us print it.
    fn redact(&self, bytes: Vec<u8>) -> Vec<u8> {
        let mut text = String::from_utf8_lossy(&bytes);
        let mut redacted = false;
        let header_secrets = self.headers.iter().filter_map(|(_, value)| match value {
            HeaderValue::Secret(secret) => Some(secret),
            HeaderValue::Plain(_) => None,
        });
        for secret in header_secrets.chain(&self.body_secrets) {
            if !secret.expose().is_empty() && text.contains(secret.expose()) {
                text = Cow::Owned(text.replace(secret.expose(), SecretString::MASK));
                redacted = true;
            }
        }
        // Untouched answers stay byte for byte as received.
        if redacted {
            text.into_owned().into_bytes()
        } else {
            bytes
        }
    }

    /// The request as text: request line, headers, blank line, body. Secrets print as
    /// `***` unless `show_secrets` is set.
    pub fn render(&self, show_secrets: bool) -> String {
        let mut out = format!("{} {}\n", self.method, self.url);
        for (name, value) in &self.headers {
            let _ = writeln!(out, "{name}: {}", value.shown(show_secrets));
        }
        out.push('\n');
        out.push_str(&String::from_utf8_lossy(&self.body));
        out.push('\n');
        out
    }

    /// The request as JSON, for scripts: `{method, url, headers, body}`, the body parsed
    /// (`null` when it is not JSON). Secrets as [`Self::render`] shows them.
    pub fn to_json(&self, show_secrets: bool) -> Value {
        let headers: serde_json::Map<String, Value> = self
            .headers
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.shown(show_secrets).into()))
            .collect();
        let body: Value = serde_json::from_slice(&self.body).unwrap_or(Value::Null);
        serde_json::json!({
            "method": self.method,
            "url": self.url.as_str(),
            "headers": headers,
            "body": body,
        })
    }
}

/// `path` under `base`, keeping any path prefix the base URL has.
pub fn endpoint(base: &Url, path: &str) -> Url {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        let with_slash = format!("{}/", base.path());
        base.set_path(&with_slash);
    }
    base.join(path).unwrap_or(base)
}

/// Checks a base URL that API paths are joined to: it must have no query string or fragment
/// (joining a path would silently drop them), and `check_transport` must accept it.
pub fn check_base_url(name: &str, url: &Url) -> Result<()> {
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid(format!(
            "{name}: {:?} must not carry a query string or fragment (requests go to paths \
             under it)",
            url.as_str()
        )));
    }
    check_transport(name, url)
}

/// Checks that credentials sent to `url` cannot be read on the way: https, or plain http
/// to a loopback host (127.0.0.0/8, ::1, localhost), which never leaves the machine.
/// `name` (a flag) leads the error.
fn check_transport(name: &str, url: &Url) -> Result<()> {
    if url.scheme() == "https" || (url.scheme() == "http" && http_url::is_loopback(url)) {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "{name}: {:?} must be an https URL (plain http is allowed only for loopback hosts \
         such as 127.0.0.1 or localhost), so that credentials cannot be read on the way",
        url.as_str()
    )))
}

/// How the client talks to the network.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Bounds the whole request, from connecting to the last byte of the answer.
    pub timeout: Duration,
    /// Bounds connecting (TCP and TLS handshake) on its own.
    pub connect_timeout: Duration,
    /// A PEM file of CA certificates trusted in addition to the system's root store, for
    /// networks that inspect TLS.
    pub ca_file: Option<PathBuf>,
}

/// An answer that arrived in full: its HTTP status and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    /// How long the server asked to wait before trying again (`Retry-After`), if it did.
    pub retry_after: Option<Duration>,
}

/// Sends prepared requests. Redirects are never followed, so credentials never reach a
/// host other than the configured one. Proxies named by `HTTPS_PROXY`, `ALL_PROXY` and
/// `NO_PROXY` are used for https, except to loopback hosts: plain http to them is allowed
/// because it never leaves the machine, and a proxy would carry it away in clear.
pub struct ApiClient {
    transport: Transport,
}

impl ApiClient {
    pub fn new(options: &ClientOptions) -> Result<Self> {
        Ok(ApiClient {
            transport: Transport::new(options)?,
        })
    }

    /// Sends one request and reads its answer (at most [`MAX_ANSWER_BYTES`]). Failures
    /// say whether the request may have reached the server ([`Error::NotSent`] or
    /// [`Error::DeliveryUncertain`]); a URL that is neither https nor loopback is refused
    /// before anything is sent.
    pub async fn execute(&self, request: &PreparedRequest) -> Result<Answer> {
        check_transport("request URL", &request.url)?;
        self.transport.execute(request).await
    }
}

/// Reads an answer as it arrives: refuses redirects and answers larger than
/// [`MAX_ANSWER_BYTES`], and keeps what `Retry-After` says.
pub(crate) struct AnswerReader<'a> {
    request: &'a PreparedRequest,
    status: u16,
    body: Vec<u8>,
    retry_after: Option<Duration>,
}

impl<'a> AnswerReader<'a> {
    /// Starts reading the answer to `request` with this status and these headers, whose
    /// body is `content_length` bytes long when the headers say so.
    pub(crate) fn new(
        request: &'a PreparedRequest,
        status: u16,
        headers: &[httparse::Header<'_>],
        content_length: Option<u64>,
    ) -> Result<Self> {
        let header = |name: &str| {
            headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| h.value)
        };
        if (300..400).contains(&status) {
            let location = header("location")
                .map(|v| quote(&request.redact(v.to_vec())))
                .unwrap_or_else(|| "nowhere".into());
            return Err(Error::Redirected(format!(
                "the API answered with a redirect (HTTP {status}) to {location}; redirects are \
                 not followed, so that credentials never reach another host"
            )));
        }
        let retry_after = header("retry-after")
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let reader = AnswerReader {
            request,
            status,
            body: Vec::new(),
            retry_after,
        };
        if content_length.is_some_and(|length| length > MAX_ANSWER_BYTES as u64) {
            return Err(reader.too_large());
        }
        Ok(reader)
    }

    /// Adds what arrived to the body, refusing to grow it past [`MAX_ANSWER_BYTES`].
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<()> {
        if self.body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(self.too_large());
        }
        self.body.extend_from_slice(chunk);
        Ok(())
    }

    fn too_large(&self) -> Error {
        Error::DeliveryUncertain(format!(
            "the answer (HTTP {}) is larger than {MAX_ANSWER_BYTES} bytes; not read",
            self.status
        ))
    }

    /// The answer read, without the request's secrets.
    pub(crate) fn finish(self) -> Answer {
        Answer {
            status: self.status,
            body: self.request.redact(self.body),
            retry_after: self.retry_after,
        }
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
    let server_message = || match verdict.as_ref().and_then(|v| v.message.as_ref()) {
        Some(Value::String(m)) => quote(m.as_bytes()),
        _ => quote(&answer.body),
    };
    match answer.status {
        200..=299 => {}
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
            quote(&answer.body)
        )));
    };
    let Some(status) = &verdict.status else {
        return Ok(());
    };
    let message = || {
        format!(
            "the answer's status is {}: {}",
            quote(status.to_string().as_bytes()),
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

/// What decides an answer whose body is a JSON object: its `status` and `message` (the
/// other fields are skipped, not kept).
#[derive(serde::Deserialize)]
struct Verdict {
    /// `Some(Value::Null)` for `"status": null`, which is not a success.
    #[serde(default, deserialize_with = "present")]
    status: Option<Value>,
    #[serde(default)]
    message: Option<Value>,
}

impl Verdict {
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

/// Quotes untrusted text for an error message: at most 200 characters, with control
/// characters escaped so that the server cannot write to the terminal.
pub fn quote(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    let mut chars = text.chars();
    for c in chars.by_ref().take(QUOTE_CHARS) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if chars.next().is_some() {
        out.push('…');
    }
    if out.is_empty() {
        "(empty body)".into()
    } else {
        out
    }
}

/// An answer with this status and body, for tests of what reads answers.
#[cfg(test)]
pub(crate) fn answer(status: u16, body: &str) -> Answer {
    Answer {
        status,
        body: body.as_bytes().to_vec(),
        retry_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_keeps_a_base_path() {
        let base = Url::parse("http://127.0.0.1:8080/prefix").unwrap();
        assert_eq!(
            endpoint(&base, SEND_MESSAGE_PATH).as_str(),
            "http://127.0.0.1:8080/prefix/v2/open-platform/chat/conversation"
        );
        let base = Url::parse(DEFAULT_API_URL).unwrap();
        assert_eq!(
            endpoint(&base, SEND_MESSAGE_PATH).as_str(),
            "https://api.divar.ir/v2/open-platform/chat/conversation"
        );
    }

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
    fn answers_lose_the_secrets_of_their_request() {
        let credentials = Credentials {
            api_key: SecretString::new("key-1"),
            access_token: SecretString::new("tok-2"),
        };
        let message = crate::message::MessageDraft {
            user_id: Some("u".into()),
            post_token: Some("p".into()),
            peer_id: Some("q".into()),
            message: Some("hi".into()),
            ..Default::default()
        }
        .build()
        .unwrap();
        let base = Url::parse(DEFAULT_API_URL).unwrap();
        let request = PreparedRequest::send_message(&base, &message, &credentials);
        assert_eq!(
            request.redact(b"bad key-1 and tok-2, tok-2".to_vec()),
            b"bad *** and ***, ***"
        );
        assert_eq!(request.redact(b"\xffclean".to_vec()), b"\xffclean");
        let json = request.to_json(false);
        assert_eq!(json["headers"]["x-api-key"], "***");
        assert_eq!(json["body"]["message"], "hi");
        assert_eq!(request.to_json(true)["headers"]["x-access-token"], "tok-2");
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

    #[test]
    fn quotes_are_short_and_inert() {
        assert_eq!(quote(b"\x1b[31mred\x07"), "\\u{1b}[31mred\\u{7}");
        let long = "x".repeat(500);
        assert_eq!(quote(long.as_bytes()).chars().count(), 201);
        assert_eq!(quote(b""), "(empty body)");
    }
}
