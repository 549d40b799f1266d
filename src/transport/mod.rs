//! HTTP/1.1 for every request the client sends, over kept-alive connections of its own on
//! hyper's connection API. There is one path for all requests: plain TCP to a loopback
//! host, TLS to any other (through a proxy's tunnel when the environment names one); only
//! the stream under hyper differs, so tests on loopback exercise the code real sends take.

mod connect;
mod pool;
mod proxy;
mod tls;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::header::{ACCEPT, HOST, HeaderName, HeaderValue, USER_AGENT};
use hyper::{Method, Request, Response, Uri};
use tokio::time::{Instant, timeout_at};
use url::{Position, Url};

use crate::client::{self, Answer, AnswerReader, ClientOptions, PreparedRequest};
use crate::error::{Error, Result};
use crate::http_url;
use connect::{Route, Sender};
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
    path: Uri,
    /// `host[:port]` as the URL has it.
    host: HeaderValue,
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
        let mut http_request = build(request, &target)?;
        loop {
            let (mut sender, reused) = match self.pool.take(&target.route) {
                Some(sender) => (sender, true),
                None => (self.connect(&target.route, deadline).await?, false),
            };
            // A connection that cannot take a request was closed: nothing was sent on it.
            match timeout_at(deadline, sender.ready()).await {
                Err(_) => return Err(self.timed_out()),
                Ok(Err(_)) if reused => continue,
                Ok(Err(e)) => return Err(closed_before_sending(&e)),
                Ok(Ok(())) => {}
            }
            let response = match timeout_at(deadline, sender.try_send_request(http_request)).await {
                Err(_) => return Err(self.timed_out()),
                Ok(Ok(response)) => response,
                // hyper hands the request back only when none of it was written: a kept-alive
                // connection the server closed meanwhile. Another connection may carry it.
                Ok(Err(mut e)) => match e.take_message() {
                    Some(unsent) if reused => {
                        http_request = unsent;
                        continue;
                    }
                    Some(_) => return Err(closed_before_sending(e.error())),
                    None => return Err(failed(e.error())),
                },
            };
            let answer = self.read(response, request, deadline).await?;
            // Read to its end, the answer leaves the connection ready for the next request.
            if !sender.is_closed() {
                self.pool.put(Arc::clone(&target.route), sender);
            }
            return Ok(answer);
        }
    }

    fn target(&self, url: &Url) -> Result<Arc<Target>> {
        let mut cached = self.target.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(target) = cached.as_ref().filter(|t| t.url == *url) {
            return Ok(Arc::clone(target));
        }
        let bad = |what: &str| Error::invalid(format!("request URL: {what} is not valid in HTTP"));
        let path = Uri::try_from(&url[Position::BeforePath..Position::AfterQuery])
            .map_err(|_| bad("the path"))?;
        let host = HeaderValue::try_from(&url[Position::BeforeHost..Position::AfterPort])
            .map_err(|_| bad("the host"))?;
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
            path,
            host,
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
    async fn connect(&self, route: &Route, deadline: Instant) -> Result<Sender> {
        let limit = deadline.min(Instant::now() + self.connect_timeout);
        match timeout_at(limit, connect::connect(route, &self.tls)).await {
            Ok(Ok(sender)) => Ok(sender),
            Ok(Err(e)) => Err(Error::NotSent(format!("cannot connect to the API ({e})"))),
            Err(_) => Err(Error::NotSent(format!(
                "cannot connect to the API (timed out after {} while connecting)",
                humantime::format_duration(self.connect_timeout.min(self.timeout))
            ))),
        }
    }

    /// The answer, read to its end before the deadline.
    async fn read(
        &self,
        response: Response<Incoming>,
        request: &PreparedRequest,
        deadline: Instant,
    ) -> Result<Answer> {
        let (head, mut body) = response.into_parts();
        let mut answer = AnswerReader::new(request, head.status.as_u16(), &head.headers)?;
        loop {
            match timeout_at(deadline, body.frame()).await {
                Err(_) => return Err(self.timed_out()),
                Ok(None) => return Ok(answer.finish()),
                Ok(Some(Err(e))) => return Err(failed(&e)),
                Ok(Some(Ok(frame))) => {
                    if let Some(data) = frame.data_ref() {
                        answer.push(data)?;
                    }
                }
            }
        }
    }

    fn timed_out(&self) -> Error {
        Error::DeliveryUncertain(format!(
            "the request timed out (no complete answer within {})",
            humantime::format_duration(self.timeout)
        ))
    }
}

/// The request as hyper sends it: the prepared headers in their order, then `accept`,
/// `user-agent` and `host`; hyper adds `content-length`.
fn build(request: &PreparedRequest, target: &Target) -> Result<Request<Full<Bytes>>> {
    let method = Method::from_bytes(request.method.as_bytes())
        .map_err(|e| Error::invalid(format!("request method: {e}")))?;
    let mut http_request = Request::new(Full::new(Bytes::from(request.body.clone())));
    *http_request.method_mut() = method;
    *http_request.uri_mut() = target.path.clone();
    let headers = http_request.headers_mut();
    headers.reserve(request.headers.len() + 3);
    for (name, value) in &request.headers {
        let invalid = || Error::invalid(format!("{name}: not valid in an HTTP header"));
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
        let mut header_value = HeaderValue::from_str(value.shown(true)).map_err(|_| invalid())?;
        header_value.set_sensitive(matches!(value, client::HeaderValue::Secret(_)));
        headers.append(header, header_value);
    }
    headers.append(ACCEPT, HeaderValue::from_static("*/*"));
    headers.append(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
    headers.append(HOST, target.host.clone());
    Ok(http_request)
}

/// A new connection closed before the request was written to it.
fn closed_before_sending(e: &hyper::Error) -> Error {
    Error::NotSent(format!(
        "cannot connect to the API (the connection closed before the request was sent: {})",
        detail(e)
    ))
}

/// A failure once the request may have been written: delivery is uncertain.
fn failed(e: &hyper::Error) -> Error {
    Error::DeliveryUncertain(format!("the request failed ({})", detail(e)))
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
