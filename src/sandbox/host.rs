//! Only requests addressed to the sandbox itself are served. A web page the user opens can
//! point a host name of its own at 127.0.0.1 (DNS rebinding) and then read the sandbox as
//! its own origin; the browser still names that host in `Host`, so any other host is refused.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::uri::Authority;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

use super::Sandbox;

/// The host names the sandbox answers to, on its own port: the address it listens on and
/// the name that stands for it.
const OWN_HOSTS: [&str; 2] = ["127.0.0.1", "localhost"];

/// Whether `host`, a `Host` header's value, names the sandbox listening on `port`. A
/// missing port is HTTP's default, 80.
pub(super) fn is_own(host: &[u8], port: u16) -> bool {
    let Ok(authority) = Authority::try_from(host) else {
        return false;
    };
    // An authority may carry user information ("user@host"), which `Host` never does.
    authority.as_str().len() == host.len()
        && !authority.as_str().contains('@')
        && OWN_HOSTS
            .iter()
            .any(|own| authority.host().eq_ignore_ascii_case(own))
        && authority.port_u16().unwrap_or(80) == port
}

/// Serves the request only when its `Host` (and its target's authority, when the target is
/// an absolute URL) names the sandbox; else answers 421 without looking further.
pub(super) async fn only_own(
    State(sandbox): State<Arc<Sandbox>>,
    request: Request,
    next: Next,
) -> Response {
    let port = sandbox.base_url.port().unwrap_or(80);
    // A request names one host: with two, which one a proxy or the page meant is unknown
    // (RFC 9112 section 3.2 answers it 400).
    if request
        .headers()
        .get_all(header::HOST)
        .iter()
        .nth(1)
        .is_some()
    {
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONNECTION, "close")],
            "A request names one host: this one has more than one Host header.\n",
        )
            .into_response();
    }
    let host = request.headers().get(header::HOST);
    let target = request.uri().authority();
    let own = host.is_some_and(|host| is_own(host.as_bytes(), port))
        && target.is_none_or(|target| is_own(target.as_str().as_bytes(), port));
    if own {
        next.run(request).await
    } else {
        (
            StatusCode::MISDIRECTED_REQUEST,
            [(header::CONNECTION, "close")],
            format!(
                "This sandbox answers only requests addressed to {}: 127.0.0.1 or localhost \
                 on port {port}.\n",
                sandbox.base_url
            ),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_sandboxs_own_host_and_port_are_its_own() {
        for own in ["127.0.0.1:8700", "localhost:8700", "LocalHost:8700"] {
            assert!(is_own(own.as_bytes(), 8700), "{own}");
        }
        assert!(is_own(b"127.0.0.1", 80));
        for other in [
            "127.0.0.1",
            "127.0.0.1:8701",
            "evil.example:8700",
            "localhost.evil.example:8700",
            "[::1]:8700",
            "0.0.0.0:8700",
            "user@127.0.0.1:8700",
            "127.0.0.1:8700/",
            "",
        ] {
            assert!(!is_own(other.as_bytes(), 8700), "{other}");
        }
    }
}
