//! Proxies named by the environment, for https: an http proxy is asked for a CONNECT
//! tunnel to the API's host and port, and TLS runs through it, so the proxy sees where the
//! request goes but never the request or its credentials.

use std::net::IpAddr;

use base64::Engine as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use url::{Host, Url};

use crate::error::{Error, Result};
use crate::secret::SecretString;

/// The longest answer to a CONNECT that is read before giving up on the proxy.
const MAX_CONNECT_ANSWER_BYTES: usize = 16 * 1024;

/// An http proxy: where it listens, and the `Proxy-Authorization` its URL asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Proxy {
    pub(crate) host: Host<String>,
    pub(crate) port: u16,
    authorization: Option<SecretString>,
}

/// What the environment says about proxies for https requests.
#[derive(Debug)]
pub(crate) struct Proxies {
    /// The proxy (and the variable that named it), or why the one named cannot be used;
    /// `None` when no variable names one.
    https: Option<(&'static str, std::result::Result<Proxy, String>)>,
    no_proxy: NoProxy,
}

impl Proxies {
    /// `HTTPS_PROXY` (or `https_proxy`), else `ALL_PROXY` (or `all_proxy`), and `NO_PROXY`
    /// (or `no_proxy`), as curl and most HTTP clients read them. Empty values count as unset.
    pub(crate) fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Self {
        let first = |names: &[&'static str]| {
            names.iter().find_map(|name| {
                var(name)
                    .filter(|value| !value.trim().is_empty())
                    .map(|value| (*name, value))
            })
        };
        let https = first(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
            .map(|(name, value)| (name, Proxy::parse(value.trim())));
        let no_proxy = first(&["NO_PROXY", "no_proxy"])
            .map(|(_, value)| NoProxy::parse(&value))
            .unwrap_or_default();
        Proxies { https, no_proxy }
    }

    /// The proxy an https request to `host` goes through, if any. A proxy URL that cannot
    /// be used is an error, rather than a silent direct connection the user did not ask for.
    pub(crate) fn for_host(&self, host: &Host<String>) -> Result<Option<Proxy>> {
        let Some((variable, proxy)) = &self.https else {
            return Ok(None);
        };
        if self.no_proxy.matches(host) {
            return Ok(None);
        }
        match proxy {
            Ok(proxy) => Ok(Some(proxy.clone())),
            Err(problem) => Err(Error::invalid(format!("{variable}: {problem}"))),
        }
    }
}

impl Proxy {
    /// An `http://[user:password@]host[:port]` URL; the scheme may be left out. Problems
    /// never show the URL's password.
    fn parse(value: &str) -> std::result::Result<Proxy, String> {
        let with_scheme;
        let value = if value.contains("://") {
            value
        } else {
            with_scheme = format!("http://{value}");
            &with_scheme
        };
        let url = Url::parse(value).map_err(|e| {
            if value.contains('@') {
                format!("not a proxy URL ({e}; not shown: it may hold a password)")
            } else {
                format!("{value:?} is not a proxy URL ({e})")
            }
        })?;
        if url.scheme() != "http" {
            let mut shown = url.clone();
            let _ = shown.set_password(None);
            return Err(format!(
                "{:?}: only http:// proxies are supported, not {}://",
                shown.as_str(),
                url.scheme()
            ));
        }
        let host = url
            .host()
            .map(|host| host.to_owned())
            .ok_or_else(|| format!("{value:?} names no proxy host"))?;
        let authorization = (!url.username().is_empty() || url.password().is_some()).then(|| {
            let decode =
                |part: &str| percent_encoding::percent_decode_str(part).collect::<Vec<u8>>();
            let mut credentials = decode(url.username());
            credentials.push(b':');
            credentials.extend(decode(url.password().unwrap_or("")));
            let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
            SecretString::new(format!("Basic {encoded}"))
        });
        Ok(Proxy {
            host,
            port: url.port_or_known_default().unwrap_or(80),
            authorization,
        })
    }

    /// Asks the proxy, over `stream` connected to it, for a tunnel to `authority`
    /// (`host:port`). Only a 2xx answer opens one; nothing of the request is sent before.
    pub(crate) async fn tunnel(
        &self,
        stream: &mut TcpStream,
        authority: &str,
    ) -> std::result::Result<(), String> {
        let mut ask = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
        if let Some(authorization) = &self.authorization {
            ask.push_str("Proxy-Authorization: ");
            ask.push_str(authorization.expose());
            ask.push_str("\r\n");
        }
        ask.push_str("\r\n");
        let failed = |e: std::io::Error| format!("the proxy failed: {e}");
        stream.write_all(ask.as_bytes()).await.map_err(failed)?;
        let mut answer = Vec::with_capacity(256);
        loop {
            if stream.read_buf(&mut answer).await.map_err(failed)? == 0 {
                return Err("the proxy closed the connection instead of opening a tunnel".into());
            }
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut head = httparse::Response::new(&mut headers);
            match head.parse(&answer) {
                Ok(httparse::Status::Complete(length)) => {
                    let status = head.code.unwrap_or(0);
                    if !(200..300).contains(&status) {
                        return Err(format!("the proxy refused the tunnel (HTTP {status})"));
                    }
                    // The server speaks first only after the TLS hello: anything here is
                    // not from it.
                    if length != answer.len() {
                        return Err("the proxy sent more than an answer to CONNECT".into());
                    }
                    return Ok(());
                }
                Ok(httparse::Status::Partial) if answer.len() < MAX_CONNECT_ANSWER_BYTES => {}
                Ok(httparse::Status::Partial) => {
                    return Err("the proxy's answer to CONNECT is too long".into());
                }
                Err(e) => return Err(format!("the proxy's answer to CONNECT is not HTTP ({e})")),
            }
        }
    }
}

/// The hosts that `NO_PROXY` sends directly: `*` (all), names (each also covering its
/// subdomains, with or without a leading dot), IP addresses and CIDR ranges.
#[derive(Debug, Default)]
struct NoProxy {
    all: bool,
    names: Vec<String>,
    ranges: Vec<(IpAddr, u8)>,
}

impl NoProxy {
    fn parse(list: &str) -> Self {
        let mut no_proxy = NoProxy::default();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if entry == "*" {
                no_proxy.all = true;
            } else if let Some(range) = ip_range(entry) {
                no_proxy.ranges.push(range);
            } else {
                let name = entry.trim_start_matches('.').to_ascii_lowercase();
                no_proxy.names.push(name);
            }
        }
        no_proxy
    }

    fn matches(&self, host: &Host<String>) -> bool {
        if self.all {
            return true;
        }
        let ip = match host {
            Host::Domain(name) => {
                let name = name.trim_end_matches('.').as_bytes();
                return self.names.iter().any(|entry| {
                    let Some(start) = name.len().checked_sub(entry.len()) else {
                        return false;
                    };
                    name[start..].eq_ignore_ascii_case(entry.as_bytes())
                        && (start == 0 || name[start - 1] == b'.')
                });
            }
            Host::Ipv4(ip) => IpAddr::V4(*ip),
            Host::Ipv6(ip) => IpAddr::V6(*ip),
        };
        self.ranges
            .iter()
            .any(|(network, bits)| in_range(ip, *network, *bits))
    }
}

/// An IP address (a range of one) or a CIDR range such as `10.0.0.0/8`.
fn ip_range(entry: &str) -> Option<(IpAddr, u8)> {
    let entry = entry.trim_start_matches('[');
    let (address, bits) = match entry.split_once('/') {
        Some((address, bits)) => (address, Some(bits.parse::<u8>().ok()?)),
        None => (entry, None),
    };
    let address: IpAddr = address.trim_end_matches(']').parse().ok()?;
    let max = if address.is_ipv4() { 32 } else { 128 };
    let bits = bits.unwrap_or(max);
    (bits <= max).then_some((address, bits))
}

fn in_range(ip: IpAddr, network: IpAddr, bits: u8) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(network)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(network) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(network)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(network) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_proxy_matches(list: &str, host: &str) -> bool {
        let host = Host::parse(host).unwrap();
        NoProxy::parse(list).matches(&host)
    }

    #[test]
    fn no_proxy_names_cover_their_subdomains() {
        for list in ["divar.ir", ".divar.ir", " other.example , DIVAR.IR "] {
            assert!(no_proxy_matches(list, "divar.ir"), "{list}");
            assert!(no_proxy_matches(list, "api.divar.ir"), "{list}");
            assert!(!no_proxy_matches(list, "notdivar.ir"), "{list}");
            assert!(!no_proxy_matches(list, "divar.ir.example"), "{list}");
        }
        assert!(no_proxy_matches("*", "api.divar.ir"));
        assert!(no_proxy_matches("a, *", "10.1.2.3"));
        assert!(!no_proxy_matches("", "api.divar.ir"));
        assert!(!no_proxy_matches(",,", "api.divar.ir"));
    }

    #[test]
    fn no_proxy_addresses_and_ranges() {
        assert!(no_proxy_matches("10.1.2.3", "10.1.2.3"));
        assert!(!no_proxy_matches("10.1.2.3", "10.1.2.4"));
        assert!(no_proxy_matches("10.0.0.0/8", "10.200.0.1"));
        assert!(!no_proxy_matches("10.0.0.0/8", "11.0.0.1"));
        assert!(no_proxy_matches("0.0.0.0/0", "192.0.2.1"));
        assert!(no_proxy_matches("::1", "[::1]"));
        assert!(no_proxy_matches("[2001:db8::]/32", "[2001:db8:1::5]"));
        assert!(!no_proxy_matches("2001:db8::/32", "[2001:db9::5]"));
        assert!(!no_proxy_matches("10.0.0.0/8", "[::ffff:10.0.0.1]"));
        // A name is not an address, nor the other way round.
        assert!(!no_proxy_matches("10.0.0.0/8", "ten.example"));
        assert!(!no_proxy_matches("10.0.0.0/33", "10.0.0.1"));
    }

    fn proxies(vars: &[(&str, &str)]) -> Proxies {
        Proxies::from_lookup(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn the_https_proxy_comes_first_then_all_proxy() {
        let host = Host::Domain("api.divar.ir".to_owned());
        let chosen = |vars: &[(&str, &str)]| proxies(vars).for_host(&host).unwrap();
        assert_eq!(chosen(&[]), None);
        let proxy = chosen(&[("ALL_PROXY", "http://all:1"), ("https_proxy", "h:2")]).unwrap();
        assert_eq!((proxy.host.to_string(), proxy.port), ("h".to_owned(), 2));
        let proxy = chosen(&[("HTTPS_PROXY", ""), ("all_proxy", "all")]).unwrap();
        assert_eq!((proxy.host.to_string(), proxy.port), ("all".to_owned(), 80));
        assert_eq!(
            chosen(&[("HTTPS_PROXY", "h:2"), ("no_proxy", ".divar.ir")]),
            None
        );
    }

    #[test]
    fn proxy_credentials_become_basic_authorization() {
        let proxy = Proxy::parse("http://us%40er:p%3Ass@proxy.example:3128").unwrap();
        let expected = base64::engine::general_purpose::STANDARD.encode("us@er:p:ss");
        assert_eq!(
            proxy.authorization.unwrap().expose(),
            format!("Basic {expected}")
        );
    }

    #[test]
    fn unusable_proxies_are_errors_that_hide_passwords() {
        let host = Host::Domain("api.divar.ir".to_owned());
        for (value, problem) in [
            (
                "socks5://u:secret-pw@proxy:1080",
                "only http:// proxies are supported",
            ),
            ("https://proxy:443", "not https://"),
            (
                "http://u:secret-pw@[bad",
                "not shown: it may hold a password",
            ),
        ] {
            let err = proxies(&[("HTTPS_PROXY", value)])
                .for_host(&host)
                .unwrap_err();
            assert_eq!(err.exit_code(), 2);
            let text = err.to_string();
            assert!(text.starts_with("HTTPS_PROXY: "), "{text}");
            assert!(text.contains(problem), "{text}");
            assert!(!text.contains("secret-pw"), "{text}");
        }
    }
}
