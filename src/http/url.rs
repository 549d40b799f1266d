//! The one rule for every URL the tool takes or checks (endpoints, redirect URIs, direct
//! links): absolute http or https with a host, written as it is meant; which hosts never
//! leave the machine; and where an API call goes under a base URL.

use url::{Host, Url};

use crate::error::{Error, Result};
use crate::visible;

/// Parses an absolute http(s) URL with a host; the error is the problem alone, for the
/// caller to put behind the field or flag it came from. URLs are sent as given, so what
/// the url crate would quietly repair is refused: whitespace (it drops leading and
/// trailing spaces and newlines), control and invisible characters, and a missing host
/// (it reads `https:///x` and `https:x` as the host `x`).
pub fn parse(value: &str) -> std::result::Result<Url, String> {
    // Only an error quotes the value.
    let shown = || visible::excerpt(value);
    if let Some(c) = value
        .chars()
        .find(|&c| c.is_whitespace() || visible::is_hidden_in_text(c))
    {
        return Err(format!(
            "{} must not contain whitespace or control characters (found {}); write a \
             space in a path as %20",
            shown(),
            visible::name(c)
        ));
    }
    if value.contains('\\') {
        return Err(format!(
            "{} must not contain a backslash: a browser reads it as '/', so it would \
             not open what it says (write %5C for a backslash)",
            shown()
        ));
    }
    match Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && names_its_host(value) => Ok(url),
        Ok(url) if matches!(url.scheme(), "http" | "https") => Err(format!(
            "{} does not name its host: write it as {}://HOST/...",
            shown(),
            url.scheme()
        )),
        Ok(_) => Err(format!("must be an http or https URL, not {}", shown())),
        Err(e) => Err(format!("{} is not an absolute URL ({e})", shown())),
    }
}

/// Whether the text has `//` and a host right after the scheme.
fn names_its_host(value: &str) -> bool {
    value
        .split_once(':')
        .and_then(|(_, rest)| rest.strip_prefix("//"))
        .is_some_and(|authority| !authority.is_empty() && !authority.starts_with('/'))
}

/// An endpoint given by `flag` (or its environment variable): [`parse`], as invalid input
/// that names the flag, and without a user name or password. Those would travel as an
/// `Authorization` header that no dry run shows, and must not be printed: errors show such
/// a URL without them, and a value that is not a URL only when it has no `@`.
pub fn endpoint(flag: &str, value: &str) -> Result<Url> {
    let invalid = |problem: String| Error::invalid(format!("{flag}: {problem}"));
    let mut url = match parse(value) {
        Ok(url) => url,
        Err(_) if value.contains('@') => {
            return Err(invalid(
                "must be an absolute http or https URL (not shown: it may hold a password)".into(),
            ));
        }
        Err(problem) => return Err(invalid(problem)),
    };
    if !url.username().is_empty() || url.password().is_some() {
        // Both setters fail only for URLs that cannot carry credentials at all.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        return Err(invalid(format!(
            "{:?} (shown here without them) must not carry a user name or password",
            url.as_str()
        )));
    }
    Ok(url)
}

/// Whether `url`'s host is this machine: 127.0.0.0/8, ::1 or `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => is_loopback_name(domain),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Whether a host name is one that always means this machine.
pub fn is_loopback_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("localhost")
}

/// `path` under `base`, keeping any path prefix the base URL has.
pub fn join(base: &Url, path: &str) -> Url {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        let with_slash = format!("{}/", base.path());
        base.set_path(&with_slash);
    }
    base.join(path).unwrap_or(base)
}

/// Checks a base URL that API paths are joined to: it must have no query string or fragment
/// (joining a path would silently drop them), and `check_transport` must accept it.
pub fn check_base_url(name: &str, url: &Url) -> Result<()> {
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid(format!(
            "{name}: {:?} must not carry a query string or fragment (requests go to paths \
             under it)",
            url.as_str()
        )));
    }
    check_transport(name, url)
}

/// Checks that credentials sent to `url` cannot be read on the way: https, or plain http
/// to a loopback host (127.0.0.0/8, ::1, localhost), which never leaves the machine.
/// `name` (a flag) leads the error.
pub(crate) fn check_transport(name: &str, url: &Url) -> Result<()> {
    if url.scheme() == "https" || (url.scheme() == "http" && is_loopback(url)) {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "{name}: {:?} must be an https URL (plain http is allowed only for loopback hosts \
         such as 127.0.0.1 or localhost), so that credentials cannot be read on the way",
        url.as_str()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_urls_with_a_host_pass() {
        assert!(parse("https://a.example/x?y=1").is_ok());
        assert!(parse("http://127.0.0.1:8080").is_ok());
        assert_eq!(
            parse("ftp://a.example").unwrap_err(),
            "must be an http or https URL, not \"ftp://a.example\""
        );
        assert!(
            parse("a.example/x")
                .unwrap_err()
                .contains("not an absolute URL")
        );
        for (value, expected) in [
            ("https:///x", "does not name its host"),
            ("https:x", "does not name its host"),
            ("https:\\\\x/", "must not contain a backslash"),
            ("https://a.example/\\b", "must not contain a backslash"),
            (" https://a.example/", "(found U+0020 space)"),
            ("https://a.example/\n", "(found U+000A line feed)"),
            ("https://a.example/\u{202E}x", "(found U+202E bidi control)"),
            ("https://a.example/a b", "(found U+0020 space)"),
        ] {
            let err = parse(value).unwrap_err();
            assert!(err.contains(expected), "{value:?}: {err}");
        }
        let err = endpoint("--base-url", "mailto:a@b").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().starts_with("--base-url: must be"), "{err}");
    }

    #[test]
    fn endpoints_with_credentials_are_refused_without_printing_them() {
        for value in [
            "https://user:pa55word@api.example/x",
            "https://pa55word@api.example/",
            "ftp://user:pa55word@api.example/",
            "https://user:pa55word@[bad/",
            "user:pa55word@host",
        ] {
            let err = endpoint("--base-url", value).unwrap_err().to_string();
            assert!(!err.contains("pa55word"), "{err}");
            assert!(err.starts_with("--base-url: "), "{err}");
        }
        let err = endpoint("--base-url", "https://user:pa55word@api.example/x")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "--base-url: \"https://api.example/x\" (shown here without them) must not carry a \
             user name or password"
        );
    }

    #[test]
    fn loopback_hosts_are_named_or_numbered() {
        let loopback = |url: &str| is_loopback(&Url::parse(url).unwrap());
        assert!(loopback("http://127.0.0.1:1/"));
        assert!(loopback("http://127.1.2.3/"));
        assert!(loopback("http://[::1]/"));
        assert!(loopback("http://LocalHost/"));
        assert!(!loopback("http://10.0.0.1/"));
        assert!(!loopback("http://localhost.example/"));
    }

    #[test]
    fn a_joined_path_keeps_the_base_path() {
        let base = Url::parse("http://127.0.0.1:8080/prefix").unwrap();
        assert_eq!(
            join(&base, "v2/open-platform/chat/conversation").as_str(),
            "http://127.0.0.1:8080/prefix/v2/open-platform/chat/conversation"
        );
        let base = Url::parse("https://api.divar.ir").unwrap();
        assert_eq!(
            join(&base, "v2/open-platform/chat/conversation").as_str(),
            "https://api.divar.ir/v2/open-platform/chat/conversation"
        );
    }
}
