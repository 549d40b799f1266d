//! Plain HTTP/1.1 to an API on a loopback host, over kept-alive connections of hyper's
//! own. Nothing here crosses the network (no TLS, no proxy, no name but a loopback one),
//! so the general client's machinery (proxy matching, connection pool keyed by URL,
//! re-parsing the URL of every request) is work without a purpose; for a batch of
//! thousands of requests to a local server it is most of the client's time.
//!
//! The request on the wire is the one the general client sends, header for header.

use std::sync::Mutex;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{ACCEPT, HOST, HeaderName, HeaderValue, USER_AGENT};
use hyper::{Method, Request, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};
use url::{Host, Position, Url};

use crate::client::{self, Answer, ClientOptions, PreparedRequest};
use crate::error::{Error, Result};

/// Kept-alive connections to loopback servers, and what every request to them shares.
#[derive(Default)]
pub(crate) struct LocalHttp {
    /// Connections whose last answer was read in full, ready for another request.
    idle: Mutex<Vec<Idle>>,
    /// The request target and `Host` of the URL last sent to: a batch sends to one.
    target: Mutex<Option<Target>>,
}

struct Idle {
    /// Host and port the connection goes to, as in the URL.
    authority: String,
    sender: SendRequest<Full<Bytes>>,
}

#[derive(Clone)]
struct Target {
    url: Url,
    path: Uri,
    host: HeaderValue,
}

/// Where the request is on its way, for what a failure means.
enum Failed {
    /// Certainly not sent on this connection: another may take it.
    NotSent(hyper::Error),
    Error(Error),
}

impl LocalHttp {
    /// Sends `request` (plain http to a loopback host) and reads its answer as
    /// [`client::ApiClient::execute`] does.
    pub(crate) async fn execute(
        &self,
        request: &PreparedRequest,
        options: &ClientOptions,
    ) -> Result<Answer> {
        let deadline = Instant::now() + options.timeout;
        let target = self.target(&request.url)?;
        let authority = &request.url[Position::BeforeHost..Position::AfterPort];
        loop {
            let (sender, reused) = match self.take_idle(authority) {
                Some(sender) => (sender, true),
                None => (connect(&request.url, options, deadline).await?, false),
            };
            let http_request = build(request, &target)?;
            match exchange(sender, http_request, request, deadline).await {
                Ok((answer, sender)) => {
                    if let Some(sender) = sender {
                        self.put_idle(authority, sender);
                    }
                    return Ok(answer);
                }
                // A kept-alive connection the server closed before this request was
                // written to it: hyper gave the request back, so another connection may
                // carry it.
                Err(Failed::NotSent(_)) if reused => continue,
                Err(Failed::NotSent(e)) => {
                    return Err(Error::NotSent(format!(
                        "cannot connect to the API (the connection closed before the request \
                         was sent: {e})"
                    )));
                }
                Err(Failed::Error(e)) => return Err(e),
            }
        }
    }

    fn target(&self, url: &Url) -> Result<Target> {
        let mut cached = self.target.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(target) = cached.as_ref().filter(|t| t.url == *url) {
            return Ok(target.clone());
        }
        let bad = |what: &str| Error::invalid(format!("request URL: {what} is not valid in HTTP"));
        let path = Uri::try_from(&url[Position::BeforePath..Position::AfterQuery])
            .map_err(|_| bad("the path"))?;
        let host = HeaderValue::try_from(&url[Position::BeforeHost..Position::AfterPort])
            .map_err(|_| bad("the host"))?;
        let target = Target {
            url: url.clone(),
            path,
            host,
        };
        *cached = Some(target.clone());
        Ok(target)
    }

    fn take_idle(&self, authority: &str) -> Option<SendRequest<Full<Bytes>>> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(position) = idle.iter().rposition(|c| c.authority == authority) {
            let connection = idle.swap_remove(position);
            if !connection.sender.is_closed() {
                return Some(connection.sender);
            }
        }
        None
    }

    fn put_idle(&self, authority: &str, sender: SendRequest<Full<Bytes>>) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.push(Idle {
            authority: authority.to_owned(),
            sender,
        });
    }
}

/// A new connection to the URL's host, within the connect timeout (and the request's).
async fn connect(
    url: &Url,
    options: &ClientOptions,
    deadline: Instant,
) -> Result<SendRequest<Full<Bytes>>> {
    let port = url.port_or_known_default().unwrap_or(80);
    let connecting = async {
        let stream = match url.host() {
            Some(Host::Ipv4(ip)) => TcpStream::connect((ip, port)).await,
            Some(Host::Ipv6(ip)) => TcpStream::connect((ip, port)).await,
            Some(Host::Domain(name)) => TcpStream::connect((name, port)).await,
            None => return Err("the URL has no host".to_owned()),
        }
        .map_err(|e| e.to_string())?;
        // Requests are small and written whole: waiting to coalesce them only adds delay.
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        // The connection's errors reach the request that it was carrying.
        tokio::spawn(connection);
        Ok(sender)
    };
    let limit = Instant::now() + options.connect_timeout;
    match timeout_at(limit.min(deadline), connecting).await {
        Ok(Ok(sender)) => Ok(sender),
        Ok(Err(e)) => Err(Error::NotSent(format!("cannot connect to the API ({e})"))),
        Err(_) => Err(Error::NotSent(
            "cannot connect to the API (timed out while connecting)".to_owned(),
        )),
    }
}

/// The request as hyper sends it: the prepared headers in their order, then the ones the
/// general client adds (`accept`, `user-agent`, `host`); hyper adds `content-length`.
fn build(request: &PreparedRequest, target: &Target) -> Result<Request<Full<Bytes>>> {
    let method = Method::from_bytes(request.method.as_bytes())
        .map_err(|e| Error::Unavailable(format!("bad method: {e}")))?;
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
    headers.append(USER_AGENT, HeaderValue::from_static(client::USER_AGENT));
    headers.append(HOST, target.host.clone());
    Ok(http_request)
}

/// Sends the request on `sender` and reads the answer in full, before the deadline. The
/// connection comes back with the answer when it can carry another request.
async fn exchange(
    mut sender: SendRequest<Full<Bytes>>,
    http_request: Request<Full<Bytes>>,
    request: &PreparedRequest,
    deadline: Instant,
) -> std::result::Result<(Answer, Option<SendRequest<Full<Bytes>>>), Failed> {
    let timed_out = || Failed::Error(Error::DeliveryUncertain("the request timed out".to_owned()));
    // A connection that is not ready was closed, or is still busy: nothing was sent on it.
    if let Err(e) = timeout_at(deadline, sender.ready())
        .await
        .map_err(|_| timed_out())?
    {
        return Err(Failed::NotSent(e));
    }
    let response = match timeout_at(deadline, sender.try_send_request(http_request))
        .await
        .map_err(|_| timed_out())?
    {
        Ok(response) => response,
        // hyper hands the request back only when none of it was written.
        Err(e) if e.message().is_some() => return Err(Failed::NotSent(e.into_error())),
        Err(e) => {
            return Err(Failed::Error(client::transport_failure(&e.into_error())));
        }
    };
    let (head, mut body) = response.into_parts();
    let mut answer =
        client::AnswerReader::new(request, head.status, &head.headers).map_err(Failed::Error)?;
    loop {
        let frame = match timeout_at(deadline, body.frame()).await {
            Err(_) => return Err(timed_out()),
            Ok(None) => break,
            Ok(Some(frame)) => frame.map_err(|e| Failed::Error(client::transport_failure(&e)))?,
        };
        if let Ok(data) = frame.into_data() {
            answer.push(&data).map_err(Failed::Error)?;
        }
    }
    let reusable = !sender.is_closed();
    Ok((answer.finish(), reusable.then_some(sender)))
}
