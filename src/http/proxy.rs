//! The proxy the environment names for https (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`, as
//! curl reads them), and which requests it carries, so that a failure can name it.

use std::fmt;

use hyper_util::client::proxy::matcher::Matcher;
use url::Url;

use crate::visible;

/// The proxy as errors name it: where it is and which variable set it.
pub(crate) struct EnvProxy {
    pub variable: &'static str,
    /// `HOST:PORT`, without the user name or password.
    pub address: String,
    /// The same rules reqwest applies, asked which URLs go through the proxy.
    matcher: Matcher,
}

impl EnvProxy {
    /// Whether a request to `url` goes through the proxy.
    pub fn carries(&self, url: &Url) -> bool {
        url.as_str()
            .parse::<http::Uri>()
            .is_ok_and(|uri| self.matcher.intercept(&uri).is_some())
    }
}

impl fmt::Display for EnvProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the proxy {}, which {} names",
            self.address, self.variable
        )
    }
}

/// The proxy for https requests that the environment names: `HTTPS_PROXY` (or
/// `https_proxy`), else `ALL_PROXY` (or `all_proxy`), bypassed for the hosts `NO_PROXY` (or
/// `no_proxy`) lists, as curl reads them; empty values count as unset. Loopback hosts are
/// never proxied. `Err` says why the proxy named cannot be used, without its password.
pub(crate) fn from_env() -> std::result::Result<Option<(reqwest::Proxy, EnvProxy)>, String> {
    let first = |names: &[&'static str]| {
        names.iter().find_map(|name| {
            std::env::var(name)
                .ok()
                .filter(|value| !value.trim().is_empty())
                .map(|value| (*name, value))
        })
    };
    let Some((variable, value)) = first(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
    else {
        return Ok(None);
    };
    let value = value.trim();
    let with_scheme = if value.contains("://") {
        value.to_owned()
    } else {
        format!("http://{value}")
    };
    let mut url = Url::parse(&with_scheme).map_err(|e| {
        if value.contains('@') {
            format!("{variable}: not a proxy URL ({e}; not shown: it may hold a password)")
        } else {
            format!(
                "{variable}: {} is not a proxy URL ({e})",
                visible::excerpt(value)
            )
        }
    })?;
    let decode = |part: &str| {
        percent_encoding::percent_decode_str(part)
            .decode_utf8_lossy()
            .into_owned()
    };
    let user = decode(url.username());
    let password = url.password().map(decode);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    if !matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") {
        return Err(format!(
            "{variable}: {}: a proxy URL must be http://, https://, socks5:// or socks5h://, \
             not {}://",
            visible::excerpt(url.as_str()),
            visible::shorten(url.scheme())
        ));
    }
    if url.host().is_none() {
        return Err(format!(
            "{variable}: {} names no proxy host",
            visible::excerpt(url.as_str())
        ));
    }
    let mut proxy = reqwest::Proxy::https(url.as_str()).map_err(|e| {
        format!(
            "{variable}: {} is not a proxy URL ({e})",
            visible::excerpt(url.as_str())
        )
    })?;
    if !user.is_empty() || password.is_some() {
        proxy = proxy.basic_auth(&user, password.as_deref().unwrap_or(""));
    }
    let no_proxy = first(&["NO_PROXY", "no_proxy"]).map_or(String::new(), |(_, list)| list);
    let no_proxy = format!("{no_proxy},127.0.0.0/8,::1,localhost");
    let named = EnvProxy {
        variable,
        address: match url.port_or_known_default() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        },
        matcher: Matcher::builder()
            .https(url.as_str())
            .no(no_proxy.as_str())
            .build(),
    };
    let proxy = proxy.no_proxy(reqwest::NoProxy::from_string(&no_proxy));
    Ok(Some((proxy, named)))
}
