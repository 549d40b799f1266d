//! Sending what Divar sent on to the app under development, and reading its answer to
//! relay back: the headers as they came (less those of the connection itself), the
//! `Authorization` re-keyed when the app expects another key, within a timeout, and
//! with the answer bounded.

use std::fmt;
use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use url::Url;

use crate::error::Error;
use crate::http::client::{ApiClient, MAX_ANSWER_BYTES};
use crate::secret::{SecretString, Secrets};

/// Headers that belong to one connection, or say how the message is framed on it, not to
/// the request: never passed on, and never taken from the user, since the HTTP client sets
/// them itself from the body it sends (a `Content-Length` of the user's would cut the body
/// short, and leave the rest on the connection as the start of another request).
const CONNECTION_HEADERS: [HeaderName; 10] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
    header::HOST,
    header::CONTENT_LENGTH,
];

/// One request to the app.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Outgoing {
    /// The request Divar sent, to `url`: its headers less the connection's, with `key` in
    /// `Authorization` when given, and `extra` headers set over them.
    pub fn relay(
        url: Url,
        received: &HeaderMap,
        key: Option<&SecretString>,
        extra: &[(HeaderName, HeaderValue)],
        body: Vec<u8>,
    ) -> Result<Self, Error> {
        let mut headers = received.clone();
        for name in &CONNECTION_HEADERS {
            headers.remove(name);
        }
        if let Some(key) = key {
            let mut value = HeaderValue::from_str(key.expose()).map_err(|_| {
                Error::invalid("the app's identification key cannot be sent in a header")
            })?;
            value.set_sensitive(true);
            headers.insert(header::AUTHORIZATION, value);
        }
        for (name, value) in extra {
            headers.insert(name.clone(), value.clone());
        }
        // Divar's key as it came, or one given with -H, is as secret as the app's own.
        if let Some(value) = headers.get_mut(header::AUTHORIZATION) {
            value.set_sensitive(true);
        }
        Ok(Outgoing { url, headers, body })
    }

    /// The secrets the request carries (its sensitive headers: the key), to be masked in
    /// whatever its answer makes us show: an app may echo its key back.
    pub fn secrets(&self) -> Secrets {
        let values: Vec<SecretString> = self
            .headers
            .values()
            .filter(|value| value.is_sensitive())
            .map(|value| SecretString::new(String::from_utf8_lossy(value.as_bytes())))
            .collect();
        Secrets::new(&values)
    }
}

/// Reads `Name: Value`, as curl's `-H` takes a header.
pub fn header(text: &str) -> Result<(HeaderName, HeaderValue), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("{text:?} is not NAME: VALUE"))?;
    let name = HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| format!("{:?} is not a header name", name.trim()))?;
    if CONNECTION_HEADERS.contains(&name) {
        return Err(format!(
            "{name} belongs to the connection, and kenar-chat sets it itself"
        ));
    }
    let value = HeaderValue::from_str(value.trim())
        .map_err(|_| format!("the value of {name} cannot be sent in a header"))?;
    Ok((name, value))
}

/// The headers of the app's answer that say what its body is, relayed with it: its body
/// goes back byte for byte, compressed when the app compressed it (the caller's
/// `Accept-Encoding` reaches the app), so its encoding must go back too. The others belong
/// to the app's connection, or to the app, not to Divar.
const ANSWER_HEADERS: [HeaderName; 2] = [header::CONTENT_TYPE, header::CONTENT_ENCODING];

/// The app's answer, as it is relayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relayed {
    pub status: u16,
    /// Those of [`ANSWER_HEADERS`] it had.
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub elapsed: Duration,
}

/// Why the app gave no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Nothing reached it: nobody listens there, or the name does not resolve.
    Unreachable(String),
    /// No whole answer within the timeout.
    TimedOut(Duration),
    /// It took the request but its answer broke off or was too large.
    Broken(String),
}

impl Failure {
    /// What `listen` answers Divar in its place: a gateway error.
    pub fn status(&self) -> u16 {
        match self {
            Failure::TimedOut(_) => 504,
            Failure::Unreachable(_) | Failure::Broken(_) => 502,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Unreachable(why) => write!(f, "the app cannot be reached ({why})"),
            Failure::TimedOut(after) => write!(
                f,
                "the app gave no whole answer within {}",
                humantime::format_duration(*after)
            ),
            Failure::Broken(why) => write!(f, "the app's answer broke off ({why})"),
        }
    }
}

impl Failure {
    /// The library's error for it: whether the app may have had the request decides.
    pub fn into_error(self) -> Error {
        match self {
            Failure::Unreachable(_) => Error::NotSent(self.to_string()),
            Failure::TimedOut(_) | Failure::Broken(_) => Error::DeliveryUncertain(self.to_string()),
        }
    }
}

/// POSTs `outgoing` and reads the answer, all within `timeout`.
pub async fn send(
    client: &ApiClient,
    outgoing: Outgoing,
    timeout: Duration,
) -> Result<Relayed, Failure> {
    let started = Instant::now();
    let reading = async {
        let mut response = client
            .http()
            .post(outgoing.url)
            .headers(outgoing.headers)
            .body(outgoing.body)
            .send()
            .await
            .map_err(|e| failure(&e, timeout))?;
        let status = response.status().as_u16();
        let mut headers = HeaderMap::new();
        for name in &ANSWER_HEADERS {
            for value in response.headers().get_all(name) {
                headers.append(name, value.clone());
            }
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| failure(&e, timeout))? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(Failure::Broken(format!(
                    "the answer is larger than {MAX_ANSWER_BYTES} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, headers, body))
    };
    let (status, headers, body) = tokio::time::timeout(timeout, reading)
        .await
        .map_err(|_| Failure::TimedOut(timeout))??;
    Ok(Relayed {
        status,
        headers,
        body,
        elapsed: started.elapsed(),
    })
}

/// What a failed request means: the client's own timeout is the forward's.
fn failure(e: &reqwest::Error, timeout: Duration) -> Failure {
    if e.is_timeout() {
        Failure::TimedOut(timeout)
    } else if e.is_connect() {
        Failure::Unreachable(chain(e))
    } else {
        Failure::Broken(chain(e))
    }
}

/// An error and its causes, on one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_read_as_curl_takes_them() {
        let (name, value) = header("X-Test:  a: b ").unwrap();
        assert_eq!((name.as_str(), value.to_str().unwrap()), ("x-test", "a: b"));
        assert!(header("no colon").is_err());
        assert!(header("bad name: 1").is_err());
        assert!(header("x: line\nbreak").is_err());
        for framing in ["Content-Length: 2", "transfer-encoding: chunked", "HOST: a"] {
            let refused = header(framing).unwrap_err();
            assert!(refused.contains("sets it itself"), "{refused}");
        }
    }

    #[test]
    fn the_connection_s_headers_stay_and_the_key_is_replaced() {
        let mut received = HeaderMap::new();
        received.insert("host", HeaderValue::from_static("tunnel.example"));
        received.insert("content-length", HeaderValue::from_static("2"));
        received.insert("authorization", HeaderValue::from_static("divar-key"));
        received.insert("api_version", HeaderValue::from_static("2"));
        received.insert("x-forwarded-for", HeaderValue::from_static("78.111.6.41"));
        let url = Url::parse("http://127.0.0.1:3000/hook").unwrap();
        let extra = [(
            HeaderName::from_static("x-test"),
            HeaderValue::from_static("1"),
        )];
        let kept = Outgoing::relay(url.clone(), &received, None, &extra, b"{}".to_vec()).unwrap();
        let mut names: Vec<&str> = kept.headers.keys().map(HeaderName::as_str).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            ["api_version", "authorization", "x-forwarded-for", "x-test"]
        );
        assert_eq!(kept.headers["authorization"], "divar-key");
        assert!(kept.headers["authorization"].is_sensitive());
        assert_eq!(kept.secrets().mask("echo divar-key"), "echo ***");
        let key = SecretString::new("app-key");
        let rekeyed = Outgoing::relay(url, &received, Some(&key), &[], Vec::new()).unwrap();
        assert_eq!(rekeyed.headers["authorization"], "app-key");
        assert!(rekeyed.headers["authorization"].is_sensitive());
    }
}
