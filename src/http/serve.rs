//! Serving HTTP/1 on a listener of our own (the loopback redirect, `listen`, the sandbox):
//! each connection on a task of its own, until told to stop; then the answers under way
//! get a while to end, and whatever a caller still holds after it is cut short.

use std::error::Error as StdError;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::Service;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

/// How long to wait before accepting again after a failed accept.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// Accepts connections on `listener` until `stop` completes, serving each as `builder`
/// says with the service `service` makes for its peer; then closes idle connections and
/// waits up to `drain` for those answering or still being sent a request. Whether every
/// connection ended within it: a caller that never finishes its request, or an answer
/// that never comes, must not keep the server from stopping.
pub async fn connections<S, B>(
    listener: &TcpListener,
    builder: &http1::Builder,
    service: impl Fn(SocketAddr) -> S,
    stop: impl Future<Output = ()>,
    drain: Duration,
) -> bool
where
    S: Service<Request<Incoming>, Response = Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let connections = GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, peer)) = accepted else {
            // Out of file descriptors, most likely: try again shortly, without spinning.
            // (A connection that failed concerns nobody else.)
            tokio::time::sleep(ACCEPT_PAUSE).await;
            continue;
        };
        let connection = builder.serve_connection(TokioIo::new(stream), service(peer));
        let connection = connections.watch(connection);
        tokio::spawn(async move {
            // A caller that goes away, or is closed for its slowness, concerns no other.
            let _ = connection.await;
        });
    }
    // The connections left are dropped with their tasks' runtime.
    tokio::time::timeout(drain, connections.shutdown())
        .await
        .is_ok()
}

/// How a server stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Every request under way ended.
    Drained,
    /// Some were still under way when the drain ended, and were cut short.
    CutShort,
}

/// A read timeout as good as none: hyper adds the timeout to the clock unchecked, so the
/// longest read timeout is cut to thirty years (as tokio's own far future).
#[cfg(any(feature = "listen", feature = "sandbox"))]
const FOREVER: Duration = Duration::from_secs(30 * 365 * 86_400);

/// [`connections`] for an axum router, each request carrying its peer as
/// [`axum::extract::ConnectInfo`]. Each connection is hyper's own, with a timer: a caller
/// that does not send its whole request head within `head_timeout` (that dribbles it, or
/// says nothing at all, on a new connection or a kept-alive one) is closed.
#[cfg(any(feature = "listen", feature = "sandbox"))]
pub async fn router(
    listener: &TcpListener,
    router: axum::Router,
    head_timeout: Duration,
    stop: impl Future<Output = ()>,
    drain: Duration,
) -> Stopped {
    use tower_service::Service as _;

    let mut builder = http1::Builder::new();
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(head_timeout.min(FOREVER));
    let service = |peer: SocketAddr| {
        let router = router.clone();
        hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
            router.clone().call(request)
        })
    };
    if connections(listener, &builder, service, stop, drain).await {
        Stopped::Drained
    } else {
        Stopped::CutShort
    }
}
