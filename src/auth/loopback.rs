//! Receiving the authorization redirect on a loopback redirect URI: while the user is in
//! the browser, a small HTTP server listens on the URI's own host and port, answers the
//! browser with a short page, and hands back the code.

use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use std::convert::Infallible;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode, header};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use url::{Host, Url};

use crate::auth::redirect;
use crate::error::{Error, Result};
use crate::http;

/// Where to listen for `redirect_uri`: its addresses when it is plain http on a loopback
/// host (`127.0.0.1`, `[::1]`, `localhost`), else `None` (the redirect goes elsewhere).
/// `localhost` is both 127.0.0.1 and ::1, since a browser may try either first.
pub fn addresses(redirect_uri: &Url) -> Option<Vec<SocketAddr>> {
    if redirect_uri.scheme() != "http" || !http::url::is_loopback(redirect_uri) {
        return None;
    }
    let ips = match redirect_uri.host()? {
        Host::Ipv4(ip) => vec![IpAddr::V4(ip)],
        Host::Ipv6(ip) => vec![IpAddr::V6(ip)],
        Host::Domain(_) => vec![
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ],
    };
    let port = redirect_uri.port_or_known_default()?;
    Some(
        ips.into_iter()
            .map(|ip| SocketAddr::new(ip, port))
            .collect(),
    )
}

/// Listeners bound to a loopback redirect URI.
pub struct RedirectListener {
    listeners: Vec<TcpListener>,
    redirect_uri: Url,
}

impl RedirectListener {
    /// Binds exactly the redirect URI's addresses, before the user is sent to the browser.
    /// ::1 is passed over for `localhost` on a machine without IPv6, where no browser can
    /// try it; the error names the address that could not be bound.
    pub async fn bind(
        redirect_uri: &Url,
        addresses: &[SocketAddr],
    ) -> std::result::Result<Self, (SocketAddr, std::io::Error)> {
        let mut listeners = Vec::new();
        for &address in addresses {
            match TcpListener::bind(address).await {
                Ok(listener) => listeners.push(listener),
                Err(e)
                    if addresses.len() > 1
                        && address.is_ipv6()
                        && matches!(
                            e.kind(),
                            ErrorKind::AddrNotAvailable | ErrorKind::Unsupported
                        ) => {}
                Err(e) => return Err((address, e)),
            }
        }
        Ok(RedirectListener {
            listeners,
            redirect_uri: redirect_uri.clone(),
        })
    }

    /// Waits for the browser to request the redirect URI, at most `wait`. Requests for
    /// other paths (a favicon) get 404 and the wait goes on. So does a redirect that does
    /// not answer this login (another state, a repeated parameter): any program or web page
    /// can send one to a loopback port, and it must not end the login the user is in the
    /// middle of. Each such redirect is handed to `ignored`, to be reported. The redirect
    /// with this login's state ends the wait, with its code or with the user's refusal.
    pub async fn code(
        self,
        expected_state: &str,
        wait: Duration,
        mut ignored: impl FnMut(&Error),
    ) -> Result<String> {
        let (outcomes, mut received) = mpsc::channel(16);
        let callback = Callback {
            redirect_uri: self.redirect_uri.clone(),
            state: expected_state.into(),
            outcomes,
        };
        let (stop, stopped) = watch::channel(false);
        let mut servers = JoinSet::new();
        for listener in self.listeners {
            servers.spawn(serve(listener, callback.clone(), stopped.clone()));
        }
        let deadline = tokio::time::sleep(wait);
        tokio::pin!(deadline);
        let mut strays = 0;
        let outcome = loop {
            tokio::select! {
                () = &mut deadline => {
                    let strays = match strays {
                        0 => String::new(),
                        n => format!(
                            " ({n} redirect{} that did not answer this login {} ignored)",
                            if n == 1 { "" } else { "s" },
                            if n == 1 { "was" } else { "were" }
                        ),
                    };
                    break Err(Error::Unavailable(format!(
                        "the browser did not come back to {} within {} s{strays}; start again",
                        self.redirect_uri,
                        wait.as_secs()
                    )));
                }
                Some(outcome) = received.recv() => match outcome {
                    Err(Error::Invalid(problems)) => {
                        strays += 1;
                        ignored(&Error::Invalid(problems));
                    }
                    outcome => break outcome,
                }
            }
        };
        // The browser gets its page before the servers stop; one that does not read it
        // holds the command back no longer than this.
        let _ = stop.send(true);
        let _ = tokio::time::timeout(PAGE_GRACE, async {
            while servers.join_next().await.is_some() {}
        })
        .await;
        outcome
    }
}

/// How long the last page may take to reach the browser once the login is decided.
const PAGE_GRACE: Duration = Duration::from_secs(2);

/// Answers every connection `listener` accepts until `stopped` says stop; then lets the
/// answers under way finish and closes idle connections (a browser may open one ahead).
async fn serve(listener: TcpListener, callback: Callback, mut stopped: watch::Receiver<bool>) {
    let service = |_| {
        let callback = callback.clone();
        service_fn(move |request| {
            let callback = callback.clone();
            async move { Ok::<_, Infallible>(answer(&callback, &request).await) }
        })
    };
    let stop = async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    // A page not sent within the grace is not waited for: a login is decided.
    http::serve::connections(&listener, &http1::Builder::new(), service, stop, PAGE_GRACE).await;
}

/// What the server for one login knows, and where it hands each redirect.
#[derive(Clone)]
struct Callback {
    redirect_uri: Url,
    state: Arc<str>,
    outcomes: mpsc::Sender<Result<String>>,
}

/// Answers every request: the redirect with a short page, handing its outcome over;
/// anything else with an error page.
async fn answer(callback: &Callback, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    let target = request
        .uri()
        .path_and_query()
        .and_then(|target| callback.redirect_uri.join(target.as_str()).ok());
    let Some(target) = target else {
        return page(
            StatusCode::BAD_REQUEST,
            "This is not a request kenar-chat understands.",
        );
    };
    if target.path() != callback.redirect_uri.path() {
        return page(StatusCode::NOT_FOUND, "Nothing here.");
    }
    if request.method() != Method::GET {
        return page(StatusCode::METHOD_NOT_ALLOWED, "Only GET is answered here.");
    }
    let outcome = redirect::code_from_query(target.query().unwrap_or(""), Some(&callback.state));
    let (status, text) = match &outcome {
        Ok(_) => (
            StatusCode::OK,
            "kenar-chat received the authorization. You can close this tab and return to the \
             terminal.",
        ),
        Err(Error::Denied(_) | Error::OAuth(_)) => (
            StatusCode::OK,
            "Access was not granted. You can close this tab; kenar-chat has stopped.",
        ),
        Err(_) => (
            StatusCode::BAD_REQUEST,
            "This redirect does not answer the login kenar-chat started, so it was not used; \
             kenar-chat is still waiting for the right one.",
        ),
    };
    // Once the login is decided nobody waits for more: a send that fails changes nothing.
    let _ = callback.outcomes.send(outcome).await;
    page(status, text)
}

/// A short HTML page, on a connection closed after it.
fn page(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let body = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>kenar-chat</title></head>\
         <body><p>{text}</p></body></html>\n"
    );
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    headers.insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_on_loopback_is_listened_on() {
        let address = |uri: &str| super::addresses(&Url::parse(uri).unwrap());
        assert_eq!(
            address("http://127.0.0.1:8765/cb"),
            Some(vec![SocketAddr::from((Ipv4Addr::LOCALHOST, 8765))])
        );
        assert_eq!(
            address("http://localhost/cb"),
            Some(vec![
                SocketAddr::from((Ipv4Addr::LOCALHOST, 80)),
                SocketAddr::from((Ipv6Addr::LOCALHOST, 80))
            ])
        );
        assert_eq!(
            address("http://[::1]:9/"),
            Some(vec![SocketAddr::from((Ipv6Addr::LOCALHOST, 9))])
        );
        assert_eq!(address("https://127.0.0.1:8765/cb"), None);
        assert_eq!(address("http://app.example/cb"), None);
        assert_eq!(address("http://10.0.0.1/cb"), None);
    }
}
