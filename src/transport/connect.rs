//! Opening a connection: DNS and TCP, a proxy's tunnel when there is one, TLS for https,
//! then hyper's HTTP/1.1 handshake. Every step comes before a byte of the request is sent.

use bytes::Bytes;
use http_body_util::Full;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use url::Host;

use super::proxy::Proxy;
use super::tls::Tls;

/// Sends requests on one connection, which a task of its own drives.
pub(crate) type Sender = SendRequest<Full<Bytes>>;

/// Where a connection goes, and so which requests it can carry.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Route {
    pub(crate) tls: bool,
    pub(crate) host: Host<String>,
    pub(crate) port: u16,
    /// `host:port`, as a CONNECT asks for it.
    pub(crate) authority: String,
    pub(crate) proxy: Option<Proxy>,
}

/// A new connection along `route`, ready to send on. The error says what failed.
pub(crate) async fn connect(route: &Route, tls: &Tls) -> Result<Sender, String> {
    let stream = match &route.proxy {
        Some(proxy) => {
            let mut stream = tcp(&proxy.host, proxy.port)
                .await
                .map_err(|e| format!("proxy {}:{}: {e}", proxy.host, proxy.port))?;
            proxy.tunnel(&mut stream, &route.authority).await?;
            stream
        }
        None => tcp(&route.host, route.port)
            .await
            .map_err(|e| format!("{}: {e}", route.authority))?,
    };
    if route.tls {
        handshake(tls.handshake(&route.host, stream).await?).await
    } else {
        handshake(stream).await
    }
}

/// A TCP connection to the first of the host's addresses that accepts one.
async fn tcp(host: &Host<String>, port: u16) -> std::io::Result<TcpStream> {
    let stream = match host {
        Host::Domain(name) => TcpStream::connect((name.as_str(), port)).await?,
        Host::Ipv4(ip) => TcpStream::connect((*ip, port)).await?,
        Host::Ipv6(ip) => TcpStream::connect((*ip, port)).await?,
    };
    // Requests are small and written whole: waiting to coalesce them only adds delay.
    stream.set_nodelay(true)?;
    Ok(stream)
}

async fn handshake<S>(stream: S) -> Result<Sender, String>
where
    S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let (sender, connection) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    // The connection's errors reach the request it carries; the task ends with it.
    tokio::spawn(connection);
    Ok(sender)
}
