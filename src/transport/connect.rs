//! Opening a connection: DNS and TCP, a proxy's tunnel when there is one, TLS for https.
//! Every step comes before a byte of the request is sent.

use tokio::net::TcpStream;
use url::Host;

use super::connection::{Connection, Stream};
use super::proxy::Proxy;
use super::tls::Tls;

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
pub(crate) async fn connect(route: &Route, tls: &Tls) -> Result<Connection, String> {
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
    let stream = if route.tls {
        Stream::Tls(Box::new(tls.handshake(&route.host, stream).await?))
    } else {
        Stream::Plain(stream)
    };
    Ok(Connection::new(stream))
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
