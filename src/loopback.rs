//! Receiving the authorization redirect on a loopback redirect URI: while the user is in
//! the browser, a small HTTP server listens on the URI's own host and port, answers the
//! browser with a short page, and hands back the code.

use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use url::{Host, Url};

use crate::error::{Error, Result};
use crate::http_url;
use crate::redirect;

/// A browser's request head is far smaller; anything larger is not one.
const MAX_REQUEST_HEAD: usize = 16 * 1024;

/// Where to listen for `redirect_uri`: its addresses when it is plain http on a loopback
/// host (`127.0.0.1`, `[::1]`, `localhost`), else `None` (the redirect goes elsewhere).
/// `localhost` is both 127.0.0.1 and ::1, since a browser may try either first.
pub fn addresses(redirect_uri: &Url) -> Option<Vec<SocketAddr>> {
    if redirect_uri.scheme() != "http" || !http_url::is_loopback(redirect_uri) {
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
        let deadline = tokio::time::sleep(wait);
        tokio::pin!(deadline);
        // Each connection is served on its own, since browsers open connections they
        // never send on.
        let mut connections = JoinSet::new();
        let (accepted_tx, mut accepted) = mpsc::channel(16);
        let mut acceptors = JoinSet::new();
        for listener in self.listeners {
            let accepted_tx = accepted_tx.clone();
            acceptors.spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    if accepted_tx.send(stream).await.is_err() {
                        break;
                    }
                }
            });
        }
        let mut strays = 0;
        loop {
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
                    return Err(Error::Unavailable(format!(
                        "the browser did not come back to {} within {} s{strays}; start again",
                        self.redirect_uri,
                        wait.as_secs()
                    )));
                }
                Some(stream) = accepted.recv() => {
                    let uri = self.redirect_uri.clone();
                    let state = expected_state.to_owned();
                    connections.spawn(async move { serve(stream, &uri, &state).await });
                }
                Some(served) = connections.join_next() => match served {
                    Ok(Some(Err(Error::Invalid(problems)))) => {
                        strays += 1;
                        ignored(&Error::Invalid(problems));
                    }
                    Ok(Some(outcome)) => return outcome,
                    _ => {}
                }
            }
        }
    }
}

/// Answers one request; `Some` when it was the redirect.
async fn serve(mut stream: TcpStream, redirect_uri: &Url, state: &str) -> Option<Result<String>> {
    let head = read_head(&mut stream).await?;
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    let target = match request.parse(&head) {
        Ok(httparse::Status::Complete(_)) => request.path.and_then(|p| redirect_uri.join(p).ok()),
        _ => None,
    };
    let Some(target) = target else {
        respond(
            &mut stream,
            400,
            "This is not a request kenar-chat understands.",
        )
        .await;
        return None;
    };
    if target.path() != redirect_uri.path() {
        respond(&mut stream, 404, "Nothing here.").await;
        return None;
    }
    if request.method != Some("GET") {
        respond(&mut stream, 405, "Only GET is answered here.").await;
        return None;
    }
    let outcome = redirect::code_from_query(target.query().unwrap_or(""), Some(state));
    let (status, page) = match &outcome {
        Ok(_) => (
            200,
            "kenar-chat received the authorization. You can close this tab and return to the \
             terminal.",
        ),
        Err(Error::Denied(_)) => (
            200,
            "Access was not granted. You can close this tab; kenar-chat has stopped.",
        ),
        Err(_) => (
            400,
            "This redirect does not answer the login kenar-chat started, so it was not used; \
             kenar-chat is still waiting for the right one.",
        ),
    };
    respond(&mut stream, status, page).await;
    Some(outcome)
}

/// Reads up to the blank line that ends a request head; `None` for anything else.
async fn read_head(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > MAX_REQUEST_HEAD {
            return None;
        }
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        head.extend_from_slice(&chunk[..read]);
    }
    Some(head)
}

async fn respond(stream: &mut TcpStream, status: u16, text: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Bad Request",
    };
    let body = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>kenar-chat</title></head>\
         <body><p>{text}</p></body></html>\n"
    );
    let answer = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/html; charset=utf-8\r\n\
         content-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    // The browser may already be gone; the outcome does not depend on it reading this.
    let _ = stream.write_all(answer.as_bytes()).await;
    let _ = stream.shutdown().await;
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
