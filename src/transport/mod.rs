//! HTTP/1.1 for every request the client sends, over kept-alive connections of its own.
//! There is one path for all requests: plain TCP to a loopback host, TLS to any other
//! (through a proxy's tunnel when the environment names one); only the stream differs, so
//! tests on loopback exercise the code real sends take.

mod answer;
mod connect;
mod connection;
mod pool;
mod proxy;
mod tls;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::time::{Instant, timeout_at};
use url::{Position, Url};

use crate::client::{Answer, ClientOptions, PreparedRequest};
use crate::error::{Error, Result};
use crate::http_url;
use connect::Route;
use connection::{Connection, SendError};
use pool::Pool;
use proxy::Proxies;
use tls::Tls;

/// Who sends every request.
const USER_AGENT_VALUE: &str = concat!("kenar-chat/", env!("CARGO_PKG_VERSION"));

/// Connections, and what every request shares.
pub(crate) struct Transport {
    timeout: Duration,
    connect_timeout: Duration,
    tls: Tls,
    /// Read from the environment on the first https request that could use one.
    proxies: OnceLock<Proxies>,
    pool: Pool,
    /// What the URL last sent to needs on each request, worked out once: a batch sends
    /// every line to one URL.
    target: Mutex<Option<Arc<Target>>>,
}

/// A URL as requests to it are sent.
struct Target {
    url: Url,
    /// Path and query: the request target on the request line.
    path: String,
    /// The headers every request to the URL ends with, before its length: `accept`,
    /// `user-agent` and `host` (`host[:port]` as the URL has it).
    common_headers: String,
    route: Arc<Route>,
}

impl Transport {
    /// Reads the `--cacert` file now, so that a bad one is reported before anything else.
    pub(crate) fn new(options: &ClientOptions) -> Result<Self> {
        Ok(Transport {
            timeout: options.timeout,
            connect_timeout: options.connect_timeout,
            tls: Tls::new(options.ca_file.as_deref())?,
            proxies: OnceLock::new(),
            pool: Pool::default(),
            target: Mutex::new(None),
        })
    }

    /// Sends `request` and reads its answer in full, all within the timeout.
    pub(crate) async fn execute(&self, request: &PreparedRequest) -> Result<Answer> {
        let deadline = Instant::now() + self.timeout;
        let target = self.target(&request.url)?;
        let wire = encode(request, &target)?;
        loop {
            let (mut connection, reused) = match self.pool.take(&target.route) {
                Some(connection) => (connection, true),
                None => (self.connect(&target.route, deadline).await?, false),
            };
            match timeout_at(deadline, connection.send(&wire)).await {
                Err(_) => return Err(self.timed_out()),
                // Nothing was written: a kept-alive connection the server closed meanwhile.
                // Another connection may carry the request.
                Ok(Err(SendError::Unsent(_))) if reused => continue,
                Ok(Err(SendError::Unsent(e))) => return Err(closed_before_sending(&e)),
                Ok(Err(SendError::Partial(e))) => return Err(failed(detail(&e))),
                Ok(Ok(())) => {}
            }
            let received = match timeout_at(deadline, connection.receive(request)).await {
                Err(_) => return Err(self.timed_out()),
                Ok(received) => received?,
            };
            if received.reusable {
                self.pool.put(Arc::clone(&target.route), connection);
            }
            return Ok(received.answer);
        }
    }

    fn target(&self, url: &Url) -> Result<Arc<Target>> {
        let mut cached = self.target.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(target) = cached.as_ref().filter(|t| t.url == *url) {
            return Ok(Arc::clone(target));
        }
        let bad = |what: &str| Error::invalid(format!("request URL: {what} is not valid in HTTP"));
        // The URL parser percent-encodes what HTTP does not allow; checked all the same,
        // since these bytes go on the wire as they are.
        let visible = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_graphic());
        let path = &url[Position::BeforePath..Position::AfterQuery];
        if !visible(path) || !path.starts_with('/') {
            return Err(bad("the path"));
        }
        let host = &url[Position::BeforeHost..Position::AfterPort];
        if !visible(host) {
            return Err(bad("the host"));
        }
        let (Some(host_name), Some(port)) = (url.host(), url.port_or_known_default()) else {
            return Err(bad("the host"));
        };
        let tls = url.scheme() == "https";
        let host_name = host_name.to_owned();
        // Loopback hosts are reached directly: a proxy would carry their traffic off the
        // machine, and plain http to them is allowed only because it never leaves it.
        let proxy = if tls && !http_url::is_loopback(url) {
            self.proxies
                .get_or_init(Proxies::from_env)
                .for_host(&host_name)?
        } else {
            None
        };
        let authority = match &host_name {
            url::Host::Ipv6(ip) => format!("[{ip}]:{port}"),
            host => format!("{host}:{port}"),
        };
        let target = Arc::new(Target {
            url: url.clone(),
            path: path.to_owned(),
            common_headers: format!(
                "accept: */*\r\nuser-agent: {USER_AGENT_VALUE}\r\nhost: {host}\r\n"
            ),
            route: Arc::new(Route {
                tls,
                host: host_name,
                port,
                authority,
                proxy,
            }),
        });
        *cached = Some(Arc::clone(&target));
        Ok(target)
    }

    /// A new connection, within the connect timeout (and the request's).
    async fn connect(&self, route: &Route, deadline: Instant) -> Result<Connection> {
        let limit = deadline.min(Instant::now() + self.connect_timeout);
        match timeout_at(limit, connect::connect(route, &self.tls)).await {
            Ok(Ok(connection)) => Ok(connection),
            Ok(Err(e)) => Err(Error::NotSent(format!("cannot connect to the API ({e})"))),
            Err(_) => Err(Error::NotSent(format!(
                "cannot connect to the API (timed out after {} while connecting)",
                humantime::format_duration(self.connect_timeout.min(self.timeout))
            ))),
        }
    }

    fn timed_out(&self) -> Error {
        Error::DeliveryUncertain(format!(
            "the request timed out (no complete answer within {})",
            humantime::format_duration(self.timeout)
        ))
    }
}

/// The request's bytes: the request line, the prepared headers in their order, then
/// `accept`, `user-agent`, `host` and `content-length`, a blank line and the body. Header
/// names and values that HTTP cannot carry are refused, so nothing of them is sent.
fn encode(request: &PreparedRequest, target: &Target) -> Result<Vec<u8>> {
    if !is_token(request.method) {
        return Err(Error::invalid(format!(
            "request method: {:?} is not valid in HTTP",
            request.method
        )));
    }
    let headers_length: usize = request
        .headers
        .iter()
        .map(|(name, value)| name.len() + value.shown(true).len() + 4)
        .sum();
    let mut wire = Vec::with_capacity(
        request.method.len()
            + target.path.len()
            + headers_length
            + target.common_headers.len()
            + request.body.len()
            + 64,
    );
    for part in [request.method, " ", &target.path, " HTTP/1.1\r\n"] {
        wire.extend_from_slice(part.as_bytes());
    }
    for (name, value) in &request.headers {
        let value = value.shown(true);
        // Tabs and visible bytes only: a CR or LF would end the header and start another.
        let value_ok = value
            .bytes()
            .all(|b| b == b'\t' || (b >= b' ' && b != 0x7f));
        if !is_token(name) || !value_ok {
            return Err(Error::invalid(format!(
                "{name}: not valid in an HTTP header"
            )));
        }
        for part in [name, ": ", value, "\r\n"] {
            wire.extend_from_slice(part.as_bytes());
        }
    }
    let length = format!("content-length: {}\r\n\r\n", request.body.len());
    for part in [
        target.common_headers.as_bytes(),
        length.as_bytes(),
        &request.body,
    ] {
        wire.extend_from_slice(part);
    }
    Ok(wire)
}

/// Whether `text` is an HTTP token, as methods and header names must be.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// A new connection closed before the request was written to it.
fn closed_before_sending(e: &std::io::Error) -> Error {
    Error::NotSent(format!(
        "cannot connect to the API (the connection closed before the request was sent: {})",
        detail(e)
    ))
}

/// A failure once the request may have been written: delivery is uncertain.
fn failed(detail: impl std::fmt::Display) -> Error {
    Error::DeliveryUncertain(format!("the request failed ({detail})"))
}

/// An error with the chain of its causes.
fn detail(e: &dyn std::error::Error) -> String {
    let mut detail = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let _ = write!(detail, ": {cause}");
        source = cause.source();
    }
    detail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::HeaderValue;
    use crate::secret::SecretString;

    fn transport() -> Transport {
        Transport::new(&ClientOptions {
            timeout: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(1),
            ca_file: None,
        })
        .unwrap()
    }

    fn request(api_key: &str) -> PreparedRequest {
        PreparedRequest {
            method: "POST",
            url: Url::parse("http://127.0.0.1:8080/a/b?c=d").unwrap(),
            headers: vec![
                (
                    "content-type",
                    HeaderValue::Plain("application/json".into()),
                ),
                ("x-api-key", HeaderValue::Secret(SecretString::new(api_key))),
            ],
            body: b"{\"k\":1}".to_vec(),
            body_secrets: Vec::new(),
        }
    }

    #[test]
    fn a_request_is_written_whole_in_its_documented_order() {
        let request = request("key\tpart");
        let target = transport().target(&request.url).unwrap();
        let wire = encode(&request, &target).unwrap();
        let expected = format!(
            "POST /a/b?c=d HTTP/1.1\r\ncontent-type: application/json\r\n\
             x-api-key: key\tpart\r\naccept: */*\r\nuser-agent: {USER_AGENT_VALUE}\r\n\
             host: 127.0.0.1:8080\r\ncontent-length: 7\r\n\r\n{{\"k\":1}}"
        );
        assert_eq!(String::from_utf8(wire).unwrap(), expected);
    }

    #[test]
    fn values_that_would_break_the_request_are_invalid_input() {
        let transport = transport();
        for bad in ["k\r\nx-injected: 1", "k\nx", "k\0", "k\x7f", "k\x1b[0m"] {
            let request = request(bad);
            let target = transport.target(&request.url).unwrap();
            let err = encode(&request, &target).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad:?}");
            assert_eq!(err.to_string(), "x-api-key: not valid in an HTTP header");
        }
    }

    #[test]
    fn a_transport_and_its_requests_can_move_between_threads() {
        fn shared<T: Send + Sync>() {}
        fn movable<T: Send>(_: &T) {}
        shared::<Transport>();
        let transport = transport();
        let request = request("k");
        movable(&transport.execute(&request));
    }
}
