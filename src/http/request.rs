//! One request as it is sent: method, URL, headers with their secrets marked, and a body
//! or a file to upload; and how a dry run or a log shows it.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use url::Url;

use crate::secret::{SecretString, Secrets};
use crate::visible;

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
    /// `Bearer TOKEN`, the token secret and the scheme not.
    Bearer(SecretString),
}

impl HeaderValue {
    /// The value as printed: secrets as `***` unless `show_secrets` is set.
    pub fn shown(&self, show_secrets: bool) -> Cow<'_, str> {
        match self {
            HeaderValue::Plain(v) => Cow::Borrowed(v),
            HeaderValue::Secret(s) => Cow::Borrowed(s.shown(show_secrets)),
            HeaderValue::Bearer(s) => Cow::Owned(format!("Bearer {}", s.shown(show_secrets))),
        }
    }

    /// The secret the value carries, if any.
    pub fn secret(&self) -> Option<&SecretString> {
        match self {
            HeaderValue::Plain(_) => None,
            HeaderValue::Secret(s) | HeaderValue::Bearer(s) => Some(s),
        }
    }
}

/// One request, fully formed: what is sent, and what a dry run prints. Its `Debug` shows
/// the body's length only, since the body may carry a client secret or a token.
#[derive(Clone)]
pub struct PreparedRequest {
    pub method: &'static str,
    pub url: Url,
    /// What the request goes to, as errors name it: "the API", "the token endpoint", ...
    pub service: &'static str,
    pub headers: Vec<(&'static str, HeaderValue)>,
    pub body: Vec<u8>,
    /// Secrets the body carries (a client secret): masked in the answer like the headers'.
    pub body_secrets: Vec<SecretString>,
    /// A file sent as a multipart form instead of `body`, streamed from disk.
    pub upload: Option<Box<Upload>>,
}

/// Told how many bytes of an upload have been read from disk so far.
pub type Progress = Arc<dyn Fn(u64) + Send + Sync>;

/// A file a request uploads: one multipart field, read from disk as it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub field: &'static str,
    pub path: PathBuf,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    /// The SHA-256 of the file as it was checked: what is sent must be those bytes.
    pub sha256: [u8; 32],
    /// The upload's own timeout, in place of the client's.
    pub timeout: Duration,
}

impl Upload {
    /// What a dry run or a log shows instead of the file's bytes.
    pub fn describe(&self) -> String {
        format!(
            "multipart/form-data: field {:?}, file {} ({} bytes, {})",
            self.field,
            visible::escaped(&self.path.display().to_string(), false),
            self.size,
            self.content_type
        )
    }
}

impl PreparedRequest {
    /// A JSON `POST` to the API at `url`: its content type, the app's key as `x-api-key`,
    /// and `authorization`, the header that carries the user's token.
    pub fn api_post(
        url: Url,
        api_key: &SecretString,
        authorization: (&'static str, HeaderValue),
        body: Vec<u8>,
    ) -> Self {
        PreparedRequest {
            method: "POST",
            url,
            service: "the API",
            headers: vec![
                (
                    "content-type",
                    HeaderValue::Plain("application/json".into()),
                ),
                ("x-api-key", HeaderValue::Secret(api_key.clone())),
                authorization,
            ],
            body,
            body_secrets: Vec::new(),
            upload: None,
        }
    }

    /// Puts `token` in place of the user's access token the request carries (as
    /// `x-access-token` or `Authorization: Bearer`).
    pub fn set_access_token(&mut self, token: SecretString) {
        for (name, value) in &mut self.headers {
            match (*name, &mut *value) {
                ("x-access-token", HeaderValue::Secret(old))
                | ("authorization", HeaderValue::Bearer(old)) => *old = token.clone(),
                _ => {}
            }
        }
    }

    /// The user's access token the request carries, if it carries one.
    pub fn access_token(&self) -> Option<&SecretString> {
        self.headers
            .iter()
            .find_map(|(name, value)| match (*name, value) {
                ("x-access-token", HeaderValue::Secret(token))
                | ("authorization", HeaderValue::Bearer(token)) => Some(token),
                _ => None,
            })
    }

    /// Every secret the request carries, to be masked in whatever its answer makes us
    /// show: a server may echo a credential back.
    pub fn secrets(&self) -> Secrets {
        let header_secrets = self.headers.iter().filter_map(|(_, value)| value.secret());
        Secrets::new(header_secrets.chain(&self.body_secrets))
    }

    /// The request as text: request line, headers, blank line, body. Secrets print as
    /// `***` unless `show_secrets` is set.
    pub fn render(&self, show_secrets: bool) -> String {
        let mut out = format!("{} {}\n", self.method, self.url);
        for (name, value) in &self.headers {
            let _ = writeln!(out, "{name}: {}", value.shown(show_secrets));
        }
        out.push('\n');
        match &self.upload {
            Some(upload) => out.push_str(&upload.describe()),
            None => out.push_str(&String::from_utf8_lossy(&self.body)),
        }
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
        let body: Value = match &self.upload {
            Some(upload) => serde_json::json!({
                "multipart": {
                    "field": upload.field,
                    "file": upload.path.display().to_string(),
                    "bytes": upload.size,
                    "content_type": upload.content_type,
                }
            }),
            None => serde_json::from_slice(&self.body).unwrap_or(Value::Null),
        };
        serde_json::json!({
            "method": self.method,
            "url": self.url.as_str(),
            "headers": headers,
            "body": body,
        })
    }
}

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("headers", &self.headers)
            .field("body", &format_args!("{} bytes", self.body.len()))
            .field("body_secrets", &self.body_secrets.len())
            .field("upload", &self.upload)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request that carries an API key, an access token and a client secret in its body.
    fn request() -> PreparedRequest {
        PreparedRequest {
            method: "POST",
            url: Url::parse("https://api.divar.ir/v1/x").unwrap(),
            service: "the API",
            headers: vec![
                (
                    "x-api-key",
                    HeaderValue::Secret(SecretString::new("key-1234")),
                ),
                (
                    "x-access-token",
                    HeaderValue::Secret(SecretString::new("tok-5678")),
                ),
            ],
            body: br#"{"client_secret":"sec-9012","message":"hi"}"#.to_vec(),
            body_secrets: vec![SecretString::new("sec-9012")],
            upload: None,
        }
    }

    #[test]
    fn answers_lose_the_secrets_of_their_request() {
        let request = request();
        let secrets = request.secrets();
        assert_eq!(
            secrets.mask("bad key-1234 and tok-5678, sec-9012"),
            "bad *** and ***, ***"
        );
        assert_eq!(secrets.mask("\u{fffd}clean"), "\u{fffd}clean");
        let json = request.to_json(false);
        assert_eq!(json["headers"]["x-api-key"], "***");
        assert_eq!(json["body"]["message"], "hi");
        assert_eq!(
            request.to_json(true)["headers"]["x-access-token"],
            "tok-5678"
        );
    }

    #[test]
    fn debug_shows_the_bodys_length_and_no_secret() {
        let shown = format!("{:?}", request());
        for secret in ["key-1234", "tok-5678", "sec-9012", "hi"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("body: 43 bytes"), "{shown}");
    }
}
