//! The receiver: an HTTP server that takes what Divar sends an app, checks who sent it,
//! records it, forwards it to the app and relays the app's answer. It stays bounded: a
//! body larger than its limit, a client slower than its read timeout, or more requests
//! than its slots are answered at once with a status that says so, and a slow or dead app
//! costs only the request waiting for it.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request as HttpRequest, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use futures_util::StreamExt as _;
use serde::Serialize;
use serde_json::json;
use tokio::sync::Semaphore;
use url::Url;

use super::auth::{self, IdentificationKey};
use super::event::{Received, Summary};
use super::forward::{self, Outgoing};
use super::record::{Log, Record, Refusal};
use crate::error::{Error, Result};
use crate::http::client::ApiClient;
use crate::http::serve::{self, Stopped};
use crate::secret::SecretString;
use crate::setting::Setting;

/// How the receiver is set up.
#[derive(Debug, Clone)]
pub struct Options {
    pub address: SocketAddr,
    /// The key `Authorization` must carry; `None` accepts any request.
    pub key: Option<IdentificationKey>,
    /// Refuse callers that are not at one of Divar's documented addresses.
    pub divar_sources_only: bool,
    /// The request names (event types, SERVER_LINK, DYNAMIC_ACTION) forwarded; all when
    /// empty.
    pub events: Vec<String>,
    /// Where events go.
    pub forward_to: Option<Url>,
    /// Where server-link and dynamic-action calls go, when not to `forward_to`.
    pub forward_actions_to: Option<Url>,
    /// The key the app expects in `Authorization`, when not Divar's.
    pub forward_key: Option<SecretString>,
    /// Headers set on every forwarded request.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub max_body: usize,
    pub max_concurrent: usize,
    /// How long the app has to answer.
    pub forward_timeout: Duration,
    /// How long a caller has to send its request's head, and then its whole body.
    pub read_timeout: Duration,
}

/// Something that happened, for the command to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "direction", rename_all = "lowercase")]
pub enum Activity {
    /// A request was accepted and recorded.
    In {
        id: String,
        method: String,
        path: String,
        #[serde(flatten)]
        summary: Summary,
        #[serde(skip_serializing_if = "Option::is_none")]
        api_version: Option<String>,
    },
    /// A request is about to be forwarded to the app, as it goes (its key marked
    /// sensitive): for a verbose log, never written as JSON.
    #[serde(skip)]
    Forwarding {
        id: String,
        to: Url,
        headers: HeaderMap,
        bytes: usize,
    },
    /// A request was answered: by the app (`to` is where it was forwarded), or by the
    /// receiver itself (`note` says why).
    Out {
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        method: String,
        path: String,
        status: u16,
        #[serde(skip_serializing_if = "Option::is_none")]
        to: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        elapsed_ms: Option<u128>,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

/// Told of each [`Activity`] as it happens.
pub type Observer = Arc<dyn Fn(Activity) + Send + Sync>;

struct Receiver {
    options: Options,
    slots: Semaphore,
    log: Log,
    client: ApiClient,
    observe: Observer,
    /// Request IDs are this process's random prefix and a count.
    prefix: String,
    count: AtomicU64,
}

/// A receiver bound to its port, ready to serve.
pub struct BoundReceiver {
    listener: tokio::net::TcpListener,
    receiver: Arc<Receiver>,
}

impl BoundReceiver {
    pub async fn bind(
        options: Options,
        log: Log,
        client: ApiClient,
        observe: Observer,
    ) -> Result<Self> {
        // A forward URL the client refuses (an address given for another port) is a
        // setting at fault: refused before listening, not at every request.
        for url in options.forward_to.iter().chain(&options.forward_actions_to) {
            client.check_route(url)?;
        }
        let listener = tokio::net::TcpListener::bind(options.address)
            .await
            .map_err(|e| {
                let address = options.address;
                // A port in use or kept for the system is the port's fault; anything else
                // (an address this machine lacks, or one it cannot listen on) the address's.
                let port_at_fault = matches!(
                    e.kind(),
                    std::io::ErrorKind::AddrInUse | std::io::ErrorKind::PermissionDenied
                );
                if !port_at_fault {
                    Error::unusable(
                        Setting::ReceiverAddress,
                        Some(address.ip().to_string()),
                        format!("cannot listen on {address} ({e}): not an address of this machine to listen on"),
                    )
                } else {
                    Error::unusable(
                        Setting::ReceiverPort,
                        Some(address.port().to_string()),
                        format!(
                            "cannot listen on {address} ({e}); give another port, or 0 for any \
                             free one"
                        ),
                    )
                }
            })?;
        let mut prefix = [0_u8; 4];
        getrandom::getrandom(&mut prefix)
            .map_err(|e| Error::Unavailable(format!("no random numbers for request IDs: {e}")))?;
        let prefix = prefix.iter().map(|b| format!("{b:02x}")).collect();
        Ok(BoundReceiver {
            listener,
            receiver: Arc::new(Receiver {
                slots: Semaphore::new(options.max_concurrent),
                options,
                log,
                client,
                observe,
                prefix,
                count: AtomicU64::new(0),
            }),
        })
    }

    pub fn local_addr(&self) -> Result<SocketAddr> {
        self.listener
            .local_addr()
            .map_err(|e| Error::Unavailable(format!("cannot read the bound address: {e}")))
    }

    /// Serves until `shutdown` completes, then gives the requests under way `drain` to end
    /// and cuts short what is left (a caller still sending its request, a forward still
    /// waiting for the app). Each connection is hyper's own, with a timer: a caller that
    /// does not send its whole request head within the read timeout (that dribbles it, or
    /// says nothing at all, on a new connection or a kept-alive one) is closed, as
    /// [`read_body`] answers one slow with its body.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
        drain: Duration,
    ) -> Result<Stopped> {
        let head_timeout = self.receiver.options.read_timeout;
        let router = Router::new().fallback(receive).with_state(self.receiver);
        Ok(serve::router(&self.listener, router, head_timeout, shutdown, drain).await)
    }
}

/// The receiver's own answer: `{}` for a success, as Divar's own answers go, else
/// `{"error": why}`.
fn refusal(status: StatusCode, why: &str) -> Response {
    let body = if status.is_success() {
        json!({})
    } else {
        json!({ "error": why })
    };
    (status, axum::Json(body)).into_response()
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: HttpRequest,
) -> Response {
    let (parts, body) = request.into_parts();
    let method = parts.method.to_string();
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| "/".to_owned(), ToString::to_string);
    let answered = |id: Option<&str>, status: StatusCode, note: &str| {
        (receiver.observe)(Activity::Out {
            id: id.map(str::to_owned),
            method: method.clone(),
            path: path.clone(),
            status: status.as_u16(),
            to: None,
            elapsed_ms: None,
            note: Some(note.to_owned()),
        });
        refusal(status, note)
    };
    let Ok(_slot) = receiver.slots.try_acquire() else {
        let mut busy = answered(
            None,
            StatusCode::SERVICE_UNAVAILABLE,
            &format!(
                "busy: {} requests are being handled; try again",
                receiver.options.max_concurrent
            ),
        );
        busy.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return busy;
    };
    if let Some(why) = refused(&receiver.options, &parts.headers, peer) {
        return answered(None, why.0, why.1);
    }
    let id = format!(
        "req_{}-{}",
        receiver.prefix,
        receiver.count.fetch_add(1, Ordering::Relaxed) + 1
    );
    let mut record = Record {
        id: id.clone(),
        received_at: humantime::format_rfc3339_micros(SystemTime::now()).to_string(),
        method: method.clone(),
        path: path.clone(),
        headers: parts
            .headers
            .iter()
            .filter(|(name, _)| **name != header::AUTHORIZATION)
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: None,
        body_base64: None,
        name: None,
        forwarded_to: None,
        refused: None,
    };
    // Refused from here on, a request is still recorded, with what arrived of its body.
    let keep = |record: &mut Record, status: StatusCode, why: &str| {
        record.refused = Some(Refusal {
            status: status.as_u16(),
            reason: why.to_owned(),
        });
        match receiver.log.append(record) {
            Ok(()) => answered(Some(&id), status, why),
            Err(e) => answered(Some(&id), StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        }
    };
    if parts.method != Method::POST {
        return keep(
            &mut record,
            StatusCode::METHOD_NOT_ALLOWED,
            "Divar's requests are POSTs; this one is not",
        );
    }
    let body = match read_body(&receiver.options, &parts.headers, body).await {
        Ok(body) => body,
        Err((status, why, partial)) => {
            if !partial.is_empty() {
                record.set_body(&partial);
            }
            return keep(&mut record, status, &why);
        }
    };
    record.set_body(&body);
    let received = match Received::read(&body) {
        Ok(received) => received,
        Err(problem) => {
            (receiver.observe)(Activity::In {
                id: id.clone(),
                method: method.clone(),
                path: path.clone(),
                summary: Summary {
                    problem: Some(problem.clone()),
                    ..Summary::default()
                },
                api_version: api_version(&parts.headers),
            });
            return keep(&mut record, StatusCode::BAD_REQUEST, &problem);
        }
    };
    let options = &receiver.options;
    let wanted = options.events.is_empty()
        || options
            .events
            .iter()
            .any(|e| received.name.as_deref() == Some(e.as_str()));
    let target = if received.synchronous {
        options
            .forward_actions_to
            .as_ref()
            .or(options.forward_to.as_ref())
    } else {
        options.forward_to.as_ref()
    }
    .filter(|_| wanted);
    record.name.clone_from(&received.name);
    record.forwarded_to = target.map(ToString::to_string);
    if let Err(e) = receiver.log.append(&record) {
        return answered(Some(&id), StatusCode::INTERNAL_SERVER_ERROR, &e.to_string());
    }
    (receiver.observe)(Activity::In {
        id: id.clone(),
        method: method.clone(),
        path: path.clone(),
        summary: received.summary(),
        api_version: api_version(&parts.headers),
    });
    let Some(target) = target else {
        return if !wanted {
            answered(
                Some(&id),
                StatusCode::OK,
                "recorded; not among the events forwarded",
            )
        } else if received.synchronous {
            answered(
                Some(&id),
                StatusCode::BAD_GATEWAY,
                &format!(
                    "recorded; no app to answer this {} call",
                    received.name.as_deref().unwrap_or_default()
                ),
            )
        } else {
            answered(
                Some(&id),
                StatusCode::OK,
                "recorded; no app to forward it to",
            )
        };
    };
    let outgoing = match Outgoing::relay(
        target.clone(),
        &parts.headers,
        receiver.options.forward_key.as_ref(),
        &receiver.options.headers,
        body,
    ) {
        Ok(outgoing) => outgoing,
        Err(e) => return answered(Some(&id), StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    (receiver.observe)(Activity::Forwarding {
        id: id.clone(),
        to: outgoing.url.clone(),
        headers: outgoing.headers.clone(),
        bytes: outgoing.body.len(),
    });
    match forward::send(&receiver.client, outgoing, receiver.options.forward_timeout).await {
        Ok(relayed) => {
            (receiver.observe)(Activity::Out {
                id: Some(id),
                method,
                path,
                status: relayed.status,
                to: Some(target.to_string()),
                elapsed_ms: Some(relayed.elapsed.as_millis()),
                note: None,
            });
            let mut response = Response::new(Body::from(relayed.body));
            *response.status_mut() =
                StatusCode::from_u16(relayed.status).unwrap_or(StatusCode::BAD_GATEWAY);
            *response.headers_mut() = relayed.headers;
            response
        }
        Err(failure) => {
            let status = StatusCode::from_u16(failure.status()).unwrap_or(StatusCode::BAD_GATEWAY);
            let note = format!("{failure}, at {target}");
            (receiver.observe)(Activity::Out {
                id: Some(id),
                method,
                path,
                status: status.as_u16(),
                to: Some(target.to_string()),
                elapsed_ms: None,
                note: Some(note.clone()),
            });
            refusal(status, &note)
        }
    }
}

/// Why a request is refused before its body is read: not from Divar's addresses, or
/// without the identification key.
fn refused(
    options: &Options,
    headers: &HeaderMap,
    peer: SocketAddr,
) -> Option<(StatusCode, &'static str)> {
    if options.divar_sources_only {
        let source = auth::source_address(
            peer.ip(),
            headers
                .get_all("x-forwarded-for")
                .iter()
                .map(HeaderValue::as_bytes),
        );
        if !source.is_some_and(auth::is_divar_address) {
            return Some((
                StatusCode::FORBIDDEN,
                "not from one of Divar's documented addresses",
            ));
        }
    }
    let key = options.key.as_ref()?;
    match headers.get(header::AUTHORIZATION) {
        None => Some((
            StatusCode::UNAUTHORIZED,
            "no Authorization header: Divar sends the app's identification key in it",
        )),
        Some(given) if !key.matches(given.as_bytes()) => Some((
            StatusCode::UNAUTHORIZED,
            "the Authorization header is not the app's identification key",
        )),
        Some(_) => None,
    }
}

/// The whole body, refused when it is larger than the limit or slower than the read
/// timeout, with what arrived of it before (at most the limit).
async fn read_body(
    options: &Options,
    headers: &HeaderMap,
    body: Body,
) -> std::result::Result<Vec<u8>, (StatusCode, String, Vec<u8>)> {
    let too_large = || {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than {} bytes", options.max_body),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > options.max_body as u64) {
        let (status, why) = too_large();
        return Err((status, why, Vec::new()));
    }
    let mut bytes = Vec::new();
    let reading = async {
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                (
                    StatusCode::BAD_REQUEST,
                    format!("the body could not be read: {e}"),
                )
            })?;
            if bytes.len() + chunk.len() > options.max_body {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(())
    };
    let read = tokio::time::timeout(options.read_timeout, reading)
        .await
        .unwrap_or_else(|_| {
            Err((
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the body did not arrive within {}",
                    humantime::format_duration(options.read_timeout)
                ),
            ))
        });
    match read {
        Ok(()) => Ok(bytes),
        Err((status, why)) => Err((status, why, bytes)),
    }
}

/// The version header, spelled either way the documents spell it.
fn api_version(headers: &HeaderMap) -> Option<String> {
    ["api-version", "api_version"]
        .iter()
        .find_map(|name| headers.get(*name))
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}
