//! The HTTP side: the exact request for each API call, and the client that sends it and
//! reads the answer.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::Value;
use url::Url;

use crate::error::{Error, Result};
use crate::http_url;
use crate::message::Message;
use crate::secret::{self, SecretString};
use crate::tls;
use crate::visible::{self, quote};

/// Who sends every request.
const USER_AGENT: &str = concat!("kenar-chat/", env!("CARGO_PKG_VERSION"));

/// Where legacy messages are sent, relative to the API base URL.
pub const SEND_MESSAGE_PATH: &str = "v2/open-platform/chat/conversation";
/// Where a conversation's messages are sent, relative to the API base URL: this, then the
/// conversation's ID, then [`CONVERSATION_MESSAGES`].
pub const CONVERSATIONS_PATH: &str = "v2/open-platform/conversations/";
pub const CONVERSATION_MESSAGES: &str = "messages";
/// Answers larger than this are refused rather than read into memory.
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// The two secrets a send needs: the app's API key and the user's access token.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub api_key: SecretString,
    pub access_token: SecretString,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderValue {
    Plain(String),
    Secret(SecretString),
    /// `Bearer TOKEN`, the token secret and the scheme not.
    Bearer(SecretString),
}

impl HeaderValue {
    /// The value as printed: secrets as `***` unless `show_secrets` is set.
    pub fn shown(&self, show_secrets: bool) -> Cow<'_, str> {
        match self {
            HeaderValue::Plain(v) => Cow::Borrowed(v),
            HeaderValue::Secret(s) => Cow::Borrowed(s.shown(show_secrets)),
            HeaderValue::Bearer(s) => Cow::Owned(format!("Bearer {}", s.shown(show_secrets))),
        }
    }

    /// The secret the value carries, if any.
    pub fn secret(&self) -> Option<&SecretString> {
        match self {
            HeaderValue::Plain(_) => None,
            HeaderValue::Secret(s) | HeaderValue::Bearer(s) => Some(s),
        }
    }
}

/// One request, fully formed: what is sent, and what a dry run prints.
#[derive(Debug, Clone)]
pub struct PreparedRequest {
    pub method: &'static str,
    pub url: Url,
    pub headers: Vec<(&'static str, HeaderValue)>,
    pub body: Vec<u8>,
    /// Secrets the body carries (a client secret): masked in the answer like the headers'.
    pub body_secrets: Vec<SecretString>,
    /// A file sent as a multipart form instead of `body`, streamed from disk.
    pub upload: Option<Box<Upload>>,
}

/// Told how many bytes of an upload have been read from disk so far.
pub type Progress = Arc<dyn Fn(u64) + Send + Sync>;

/// A file a request uploads: one multipart field, read from disk as it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub field: &'static str,
    pub path: PathBuf,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    /// The SHA-256 of the file as it was checked: what is sent must be those bytes.
    pub sha256: [u8; 32],
    /// The upload's own timeout, in place of the client's.
    pub timeout: Duration,
}

impl Upload {
    /// What a dry run or a log shows instead of the file's bytes.
    pub fn describe(&self) -> String {
        format!(
            "multipart/form-data: field {:?}, file {} ({} bytes, {})",
            self.field,
            visible::escaped(&self.path.display().to_string(), false),
            self.size,
            self.content_type
        )
    }
}

impl PreparedRequest {
    /// The message as its platform sends it: a legacy message to
    /// `POST /v2/open-platform/chat/conversation` with `x-access-token`, a conversation's to
    /// `POST /v2/open-platform/conversations/{id}/messages` with `Authorization: Bearer`.
    pub fn send_message(base: &Url, message: &Message, credentials: &Credentials) -> Self {
        let token = credentials.access_token.clone();
        let (url, authorization) = match message {
            Message::Chat(_) => (
                endpoint(base, SEND_MESSAGE_PATH),
                ("x-access-token", HeaderValue::Secret(token)),
            ),
            Message::Conversation(message) => (
                conversation_endpoint(base, &message.conversation_id),
                ("authorization", HeaderValue::Bearer(token)),
            ),
        };
        PreparedRequest {
            method: "POST",
            url,
            headers: vec![
                (
                    "content-type",
                    HeaderValue::Plain("application/json".into()),
                ),
                (
                    "x-api-key",
                    HeaderValue::Secret(credentials.api_key.clone()),
                ),
                authorization,
            ],
            body: message.to_body(),
            body_secrets: Vec::new(),
            upload: None,
        }
    }

    /// Puts `token` in place of the user's access token the request carries (as
    /// `x-access-token` or `Authorization: Bearer`).
    pub fn set_access_token(&mut self, token: SecretString) {
        for (name, value) in &mut self.headers {
            match (*name, &mut *value) {
                ("x-access-token", HeaderValue::Secret(old))
                | ("authorization", HeaderValue::Bearer(old)) => *old = token.clone(),
                _ => {}
            }
        }
    }

    /// `bytes` (from an answer) with every secret this request carries replaced by `***`,
    /// so that a server echoing a credential back cannot make us print it: as sent, as a
    /// form or a URL encodes it, and inside JSON strings however they escape it.
    fn redact(&self, bytes: Vec<u8>) -> Vec<u8> {
        let header_secrets = self.headers.iter().filter_map(|(_, value)| value.secret());
        let secrets: Vec<&str> = header_secrets
            .chain(&self.body_secrets)
            .map(SecretString::expose)
            .filter(|secret| !secret.is_empty())
            .collect();
        secret::redact(bytes, &secrets)
    }

    /// The request as text: request line, headers, blank line, body. Secrets print as
    /// `***` unless `show_secrets` is set.
    pub fn render(&self, show_secrets: bool) -> String {
        let mut out = format!("{} {}\n", self.method, self.url);
        for (name, value) in &self.headers {
            let _ = writeln!(out, "{name}: {}", value.shown(show_secrets));
        }
        out.push('\n');
        match &self.upload {
            Some(upload) => out.push_str(&upload.describe()),
            None => out.push_str(&String::from_utf8_lossy(&self.body)),
        }
        out.push('\n');
        out
    }

    /// The request as JSON, for scripts: `{method, url, headers, body}`, the body parsed
    /// (`null` when it is not JSON). Secrets as [`Self::render`] shows them.
    pub fn to_json(&self, show_secrets: bool) -> Value {
        let headers: serde_json::Map<String, Value> = self
            .headers
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.shown(show_secrets).into()))
            .collect();
        let body: Value = match &self.upload {
            Some(upload) => serde_json::json!({
                "multipart": {
                    "field": upload.field,
                    "file": upload.path.display().to_string(),
                    "bytes": upload.size,
                    "content_type": upload.content_type,
                }
            }),
            None => serde_json::from_slice(&self.body).unwrap_or(Value::Null),
        };
        serde_json::json!({
            "method": self.method,
            "url": self.url.as_str(),
            "headers": headers,
            "body": body,
        })
    }
}

/// Where the messages of conversation `id` are sent, the ID one path segment however it is
/// spelled (percent-encoded by the URL's own rules).
pub fn conversation_endpoint(base: &Url, id: &str) -> Url {
    let mut url = endpoint(base, CONVERSATIONS_PATH);
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty().push(id).push(CONVERSATION_MESSAGES);
    }
    url
}

/// The multipart form of an upload: its one field, streamed from the file with the length
/// the file was checked at, `progress` told of each chunk read.
async fn upload_form(upload: &Upload, progress: Progress) -> Result<reqwest::multipart::Form> {
    use futures_util::StreamExt as _;
    use sha2::{Digest as _, Sha256};
    let name = visible::escaped(&upload.path.display().to_string(), false);
    let file = tokio::fs::File::open(&upload.path)
        .await
        .map_err(|e| Error::NotSent(format!("cannot open {name} to upload it: {e}")))?;
    let (size, sha256) = (upload.size, upload.sha256);
    let start = (
        tokio_util::io::ReaderStream::new(file),
        Sha256::new(),
        0u64,
        false,
    );
    // The bytes sent are the bytes checked: a file that grew, shrank or changed since is
    // cut short before its last chunk, so that the upload host never has it whole.
    let chunks =
        futures_util::stream::unfold(start, move |(mut file, mut hash, mut read, ended)| {
            let progress = Arc::clone(&progress);
            async move {
                if ended {
                    return None;
                }
                let changed = || std::io::Error::other("the file changed since it was checked");
                let chunk = match file.next().await {
                    None if read == size => return None,
                    None => Err(changed()),
                    Some(Err(e)) => Err(e),
                    Some(Ok(chunk)) => {
                        read += chunk.len() as u64;
                        hash.update(&chunk);
                        let whole = read == size;
                        if read > size
                            || (whole && <[u8; 32]>::from(hash.clone().finalize()) != sha256)
                        {
                            Err(changed())
                        } else {
                            progress(read);
                            Ok(chunk)
                        }
                    }
                };
                let ended = chunk.is_err();
                Some((chunk, (file, hash, read, ended)))
            }
        });
    let part = reqwest::multipart::Part::stream_with_length(
        reqwest::Body::wrap_stream(chunks),
        upload.size,
    )
    .file_name(upload.file_name.clone())
    .mime_str(&upload.content_type)
    .map_err(|e| Error::invalid(format!("{name}: content type: {e}")))?;
    Ok(reqwest::multipart::Form::new().part(upload.field, part))
}

/// `path` under `base`, keeping any path prefix the base URL has.
pub fn endpoint(base: &Url, path: &str) -> Url {
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
fn check_transport(name: &str, url: &Url) -> Result<()> {
    if url.scheme() == "https" || (url.scheme() == "http" && http_url::is_loopback(url)) {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "{name}: {:?} must be an https URL (plain http is allowed only for loopback hosts \
         such as 127.0.0.1 or localhost), so that credentials cannot be read on the way",
        url.as_str()
    )))
}

/// How the client talks to the network.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Bounds the whole request, from connecting to the last byte of the answer.
    pub timeout: Duration,
    /// Bounds connecting (name lookup, TCP and TLS handshake) on its own.
    pub connect_timeout: Duration,
    /// A PEM file of CA certificates trusted in addition to the system's root store, for
    /// networks that inspect TLS.
    pub ca_file: Option<PathBuf>,
    /// Addresses to connect to for a host instead of looking its name up (`--resolve`).
    pub resolve: Vec<Resolve>,
}

/// `HOST:PORT:ADDR[,ADDR...]`, as curl's `--resolve` takes it: requests to `HOST` on
/// `PORT` connect to the addresses, tried in turn, instead of those the name resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolve {
    pub host: String,
    pub port: u16,
    pub addresses: Vec<IpAddr>,
}

impl FromStr for Resolve {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let bad = |why: &str| format!("{text:?} is not HOST:PORT:ADDR[,ADDR...] ({why})");
        let (host, rest) = text.split_once(':').ok_or_else(|| bad("no port"))?;
        let (port, addresses) = rest.split_once(':').ok_or_else(|| bad("no address"))?;
        let host = match url::Host::parse(host) {
            Ok(url::Host::Domain(name)) => name,
            _ => return Err(bad("the host must be a name")),
        };
        let port = port
            .parse::<u16>()
            .ok()
            .filter(|&port| port != 0)
            .ok_or_else(|| bad("the port must be a number from 1 to 65535"))?;
        let addresses = addresses
            .split(',')
            .map(|address| {
                let address = address.trim();
                let bare = address
                    .strip_prefix('[')
                    .and_then(|a| a.strip_suffix(']'))
                    .unwrap_or(address);
                bare.parse::<IpAddr>()
                    .map_err(|_| bad(&format!("{address:?} is not an IP address")))
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        // Plain http is allowed to `localhost` because it never leaves the machine.
        if http_url::is_loopback_name(&host) && !addresses.iter().all(IpAddr::is_loopback) {
            return Err(bad(&format!(
                "{host} may only resolve to loopback addresses"
            )));
        }
        Ok(Resolve {
            host,
            port,
            addresses,
        })
    }
}

/// An answer that arrived in full: its HTTP status and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    /// How long the server asked to wait before trying again (`Retry-After`), if it did.
    pub retry_after: Option<Duration>,
}

/// Sends prepared requests over one connection pool. Redirects are never followed, so
/// credentials never reach a host other than the configured one. Proxies named by
/// `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` are used for https, except to loopback hosts:
/// plain http to them is allowed because it never leaves the machine, and a proxy would
/// carry it away in clear. `localhost` always means 127.0.0.1 and ::1, whatever the
/// resolver says.
pub struct ApiClient {
    http: reqwest::Client,
    /// Why the proxy the environment names cannot be used, for the first request that
    /// would go through it.
    bad_proxy: Option<String>,
    options: ClientOptions,
}

impl ApiClient {
    /// Reads the `--cacert` file now, so that a bad one is reported before anything else.
    /// The system's roots are loaded at the first TLS handshake, which a plain-http run
    /// never has.
    pub fn new(options: &ClientOptions) -> Result<Self> {
        let extra_roots = match &options.ca_file {
            Some(path) => tls::read_certificates(path)?,
            None => Vec::new(),
        };
        let mut builder = reqwest::Client::builder()
            .use_preconfigured_tls(tls::config(extra_roots)?)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(options.timeout)
            // Connecting counts against the whole request's time too: past it, nothing
            // was sent.
            .connect_timeout(options.connect_timeout.min(options.timeout))
            .user_agent(USER_AGENT)
            .no_proxy()
            .resolve_to_addrs(
                "localhost",
                &[
                    SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                    SocketAddr::from((Ipv6Addr::LOCALHOST, 0)),
                ],
            );
        for entry in &options.resolve {
            let addresses: Vec<SocketAddr> = entry
                .addresses
                .iter()
                .map(|&address| SocketAddr::new(address, entry.port))
                .collect();
            builder = builder.resolve_to_addrs(&entry.host, &addresses);
        }
        let mut bad_proxy = None;
        match proxy_from_env() {
            Ok(Some(proxy)) => builder = builder.proxy(proxy),
            Ok(None) => {}
            Err(problem) => bad_proxy = Some(problem),
        }
        let http = builder
            .build()
            .map_err(|e| Error::Unavailable(format!("cannot set up the HTTP client: {e}")))?;
        Ok(ApiClient {
            http,
            bad_proxy,
            options: options.clone(),
        })
    }

    /// Sends one request and reads its answer (at most [`MAX_ANSWER_BYTES`]). Failures
    /// say whether the request may have reached the server ([`Error::NotSent`] or
    /// [`Error::DeliveryUncertain`]); a URL that is neither https nor loopback is refused
    /// before anything is sent.
    pub async fn execute(&self, request: &PreparedRequest) -> Result<Answer> {
        self.execute_watched(request, Arc::new(|_| {})).await
    }

    /// [`ApiClient::execute`], telling `progress` how many bytes of an upload have been
    /// read from disk so far.
    pub async fn execute_watched(
        &self,
        request: &PreparedRequest,
        progress: Progress,
    ) -> Result<Answer> {
        check_transport("request URL", &request.url)?;
        self.check_route(&request.url)?;
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|_| {
            Error::invalid(format!(
                "request method: {:?} is not valid in HTTP",
                request.method
            ))
        })?;
        let mut headers = reqwest::header::HeaderMap::with_capacity(request.headers.len());
        for (name, value) in &request.headers {
            let invalid = || Error::invalid(format!("{name}: not valid in an HTTP header"));
            let header_name =
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
            let mut header_value =
                reqwest::header::HeaderValue::from_bytes(value.shown(true).as_bytes())
                    .map_err(|_| invalid())?;
            header_value.set_sensitive(value.secret().is_some());
            headers.append(header_name, header_value);
        }
        let builder = self
            .http
            .request(method, request.url.clone())
            .headers(headers);
        let builder = match &request.upload {
            Some(upload) => builder
                .timeout(upload.timeout)
                .multipart(upload_form(upload, progress).await?),
            None => builder.body(request.body.clone()),
        };
        let mut response = builder
            .send()
            .await
            .map_err(|e| self.network_error(request, &e))?;
        let status = response.status().as_u16();
        let header = |name| response.headers().get(name).map(|v| v.as_bytes());
        if (300..400).contains(&status) {
            let location = header(reqwest::header::LOCATION)
                .map(|v| quote(&request.redact(v.to_vec())))
                .unwrap_or_else(|| "nowhere".into());
            return Err(Error::Redirected(format!(
                "the API answered with a redirect (HTTP {status}) to {location}; redirects are \
                 not followed, so that credentials never reach another host"
            )));
        }
        let retry_after = header(reqwest::header::RETRY_AFTER)
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let too_large = || {
            Error::DeliveryUncertain(format!(
                "the answer (HTTP {status}) is larger than {MAX_ANSWER_BYTES} bytes; not read"
            ))
        };
        if response
            .content_length()
            .is_some_and(|length| length > MAX_ANSWER_BYTES as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.network_error(request, &e))?
        {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        // The connection goes back to the pool on a task of its own once the answer is
        // read: let it run, so that the next request reuses the connection rather than
        // open another.
        drop(response);
        tokio::task::yield_now().await;
        Ok(Answer {
            status,
            body: request.redact(body),
            retry_after,
        })
    }

    /// Refuses, before anything is sent, a request that would go through a proxy the
    /// environment names but that cannot be used, or to a `--resolve` host on another port.
    fn check_route(&self, url: &Url) -> Result<()> {
        let host = url.host_str().unwrap_or_default();
        if let Some(entry) = self.options.resolve.iter().find(|e| e.host == host)
            && url.port_or_known_default() != Some(entry.port)
        {
            return Err(Error::invalid(format!(
                "--resolve: {host} is given for port {}, but the request goes to port {}",
                entry.port,
                url.port_or_known_default().unwrap_or_default()
            )));
        }
        match &self.bad_proxy {
            Some(problem) if url.scheme() == "https" && !http_url::is_loopback(url) => {
                Err(Error::invalid(problem.clone()))
            }
            _ => Ok(()),
        }
    }

    /// Sorts a failure by whether the request may have reached the server. A failure while
    /// connecting (name lookup, refused connection, TLS handshake, proxy tunnel, connect
    /// timeout) happened before a byte of the request was sent; anything later may follow
    /// a delivered request. The text loses the request's secrets, whatever produced it.
    fn network_error(&self, request: &PreparedRequest, e: &reqwest::Error) -> Error {
        let mut detail = String::new();
        let mut source = std::error::Error::source(e);
        while let Some(cause) = source {
            if !detail.is_empty() {
                detail.push_str(": ");
            }
            let _ = write!(detail, "{cause}");
            source = cause.source();
        }
        let detail = String::from_utf8_lossy(&request.redact(detail.into_bytes())).into_owned();
        let detail = quote(detail.as_bytes());
        if e.is_connect() && e.is_timeout() {
            Error::NotSent(format!(
                "cannot connect to the API (timed out after {} while connecting)",
                humantime::format_duration(self.options.connect_timeout.min(self.options.timeout))
            ))
        } else if e.is_connect() {
            Error::NotSent(format!("cannot connect to the API ({detail})"))
        } else if e.is_timeout() {
            Error::DeliveryUncertain(format!(
                "the request timed out (no complete answer within {})",
                humantime::format_duration(
                    request
                        .upload
                        .as_ref()
                        .map_or(self.options.timeout, |upload| upload.timeout)
                )
            ))
        } else {
            Error::DeliveryUncertain(format!("the request failed ({detail})"))
        }
    }
}

/// The proxy for https requests that the environment names: `HTTPS_PROXY` (or
/// `https_proxy`), else `ALL_PROXY` (or `all_proxy`), bypassed for the hosts `NO_PROXY` (or
/// `no_proxy`) lists, as curl reads them; empty values count as unset. Loopback hosts are
/// never proxied. `Err` says why the proxy named cannot be used, without its password.
fn proxy_from_env() -> std::result::Result<Option<reqwest::Proxy>, String> {
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
            format!("{variable}: {value:?} is not a proxy URL ({e})")
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
            "{variable}: {:?}: a proxy URL must be http://, https://, socks5:// or socks5h://, \
             not {}://",
            url.as_str(),
            url.scheme()
        ));
    }
    if url.host().is_none() {
        return Err(format!(
            "{variable}: {:?} names no proxy host",
            url.as_str()
        ));
    }
    let mut proxy = reqwest::Proxy::https(url.as_str())
        .map_err(|e| format!("{variable}: {:?} is not a proxy URL ({e})", url.as_str()))?;
    if !user.is_empty() || password.is_some() {
        proxy = proxy.basic_auth(&user, password.as_deref().unwrap_or(""));
    }
    let no_proxy = first(&["NO_PROXY", "no_proxy"]).map_or(String::new(), |(_, list)| list);
    Ok(Some(proxy.no_proxy(reqwest::NoProxy::from_string(
        &format!("{no_proxy},127.0.0.0/8,::1,localhost"),
    ))))
}

/// Reads a `Retry-After` header value: delay-seconds (`"120"`) or an HTTP date
/// (`"Wed, 21 Oct 2015 07:28:00 GMT"`), which is turned into the time left from `now`
/// (zero when it has passed). `None` when the value is neither.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Interprets the answer to an API call: success is an HTTP 2xx whose JSON body carries
/// `status` 200 (when it carries a status at all). Returns the body on success.
pub fn check_answer(answer: &Answer) -> Result<Value> {
    check_delivered(answer)?;
    serde_json::from_slice(&answer.body)
        .map_err(|e| Error::DeliveryUncertain(format!("the API's answer cannot be read: {e}")))
}

/// [`check_answer`] without keeping the body: what a batch needs for each of its lines.
pub fn check_delivered(answer: &Answer) -> Result<()> {
    let verdict = Verdict::of(&answer.body);
    let server_message = || match &verdict {
        Some(verdict) => verdict.describe().unwrap_or_else(|| quote(&answer.body)),
        None => quote(&answer.body),
    };
    let rpc_code = verdict
        .as_ref()
        .and_then(|v| v.code.as_ref())
        .and_then(body_status);
    match answer.status {
        200..=299 => {}
        412 if rpc_code == Some(RECIPIENT_RESTRICTED) => {
            return Err(Error::RecipientRestricted(server_message()));
        }
        429 => {
            return Err(Error::RateLimited {
                message: server_message(),
            });
        }
        400..=499 => {
            return Err(Error::Refused {
                status: answer.status,
                message: server_message(),
            });
        }
        status => {
            return Err(Error::DeliveryUncertain(format!(
                "the API failed (HTTP {status}): {}",
                server_message()
            )));
        }
    }
    let Some(verdict) = &verdict else {
        return Err(Error::DeliveryUncertain(format!(
            "the API answered HTTP {} with a body that is not a JSON object: {}",
            answer.status,
            quote(&answer.body)
        )));
    };
    let Some(status) = &verdict.status else {
        return Ok(());
    };
    let message = || {
        format!(
            "the answer's status is {}: {}",
            quote(status.to_string().as_bytes()),
            server_message()
        )
    };
    // The body's own status decides like an HTTP status would: a 4xx was understood and
    // refused; anything else (a 5xx, or a status that is not a number) leaves delivery
    // uncertain, so that a batch holds the line rather than send it again.
    match body_status(status) {
        Some(200) => Ok(()),
        Some(429) => Err(Error::RateLimited { message: message() }),
        Some(code @ 400..=499) => Err(Error::Refused {
            status: u16::try_from(code).unwrap_or(answer.status),
            message: message(),
        }),
        _ => Err(Error::DeliveryUncertain(format!(
            "the API answered HTTP {} but {}",
            answer.status,
            message()
        ))),
    }
}

/// The Google RPC status code of the current platform's "recipient's restriction".
const RECIPIENT_RESTRICTED: u64 = 9;

/// What decides an answer whose body is a JSON object: its `status` and `message`, and on
/// the current platform the error's `code` and `details` (the other fields are skipped,
/// not kept).
#[derive(serde::Deserialize)]
struct Verdict {
    /// `Some(Value::Null)` for `"status": null`, which is not a success.
    #[serde(default, deserialize_with = "present")]
    status: Option<Value>,
    #[serde(default)]
    message: Option<Value>,
    #[serde(default)]
    code: Option<Value>,
    #[serde(default)]
    details: Option<Value>,
}

impl Verdict {
    /// The server's own words: its message, with an error's code and details when it
    /// gives them (`code 3: invalid icon; details: [...]`), quoted.
    fn describe(&self) -> Option<String> {
        let message = match &self.message {
            Some(Value::String(m)) => Some(quote(m.as_bytes())),
            _ => None,
        };
        let code = self.code.as_ref().filter(|c| !c.is_null());
        let details = self
            .details
            .as_ref()
            .filter(|d| !d.is_null() && d.as_array().is_none_or(|a| !a.is_empty()));
        if message.is_none() && code.is_none() {
            return None;
        }
        let mut out = String::new();
        if let Some(code) = code {
            let _ = write!(out, "code {}: ", quote(code.to_string().as_bytes()));
        }
        out.push_str(message.as_deref().unwrap_or("(no message)"));
        if let Some(details) = details {
            let _ = write!(out, "; details: {}", quote(details.to_string().as_bytes()));
        }
        Some(out)
    }

    /// `None` when the body is not a JSON object.
    fn of(body: &[u8]) -> Option<Verdict> {
        // The derived reader would also take an array, its items as the fields in order.
        if body.trim_ascii_start().first() != Some(&b'{') {
            return None;
        }
        serde_json::from_slice(body).ok().or_else(|| {
            // A field named twice is refused by the derived reader; the last one counts,
            // as in any JSON object.
            let Value::Object(mut fields) = serde_json::from_slice(body).ok()? else {
                return None;
            };
            Some(Verdict {
                status: fields.remove("status"),
                message: fields.remove("message"),
                code: fields.remove("code"),
                details: fields.remove("details"),
            })
        })
    }
}

fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<Value>, D::Error> {
    serde::Deserialize::deserialize(deserializer).map(Some)
}

fn body_status(status: &Value) -> Option<u64> {
    match status {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// An answer with this status and body, for tests of what reads answers.
#[cfg(test)]
pub(crate) fn answer(status: u16, body: &str) -> Answer {
    Answer {
        status,
        body: body.as_bytes().to_vec(),
        retry_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_keeps_a_base_path() {
        let base = Url::parse("http://127.0.0.1:8080/prefix").unwrap();
        assert_eq!(
            endpoint(&base, SEND_MESSAGE_PATH).as_str(),
            "http://127.0.0.1:8080/prefix/v2/open-platform/chat/conversation"
        );
        let base = Url::parse("https://api.divar.ir").unwrap();
        assert_eq!(
            endpoint(&base, SEND_MESSAGE_PATH).as_str(),
            "https://api.divar.ir/v2/open-platform/chat/conversation"
        );
    }

    #[test]
    fn a_conversation_id_is_one_path_segment() {
        let base = Url::parse("http://127.0.0.1:8080/prefix").unwrap();
        assert_eq!(
            conversation_endpoint(&base, "c-1").as_str(),
            "http://127.0.0.1:8080/prefix/v2/open-platform/conversations/c-1/messages"
        );
        assert_eq!(
            conversation_endpoint(&base, "a/b?c#d%").path(),
            "/prefix/v2/open-platform/conversations/a%2Fb%3Fc%23d%25/messages"
        );
    }

    #[test]
    fn a_conversation_message_goes_with_a_masked_bearer_token() {
        let message = crate::message::draft::MessageDraft {
            conversation_id: Some("c-1".into()),
            message: Some("hi".into()),
            ..Default::default()
        }
        .build()
        .unwrap();
        let credentials = Credentials {
            api_key: SecretString::new("key-1"),
            access_token: SecretString::new("tok-2"),
        };
        let base = Url::parse("https://open-api.divar.ir").unwrap();
        let request = PreparedRequest::send_message(&base, &message, &credentials);
        assert_eq!(
            request.url.as_str(),
            "https://open-api.divar.ir/v2/open-platform/conversations/c-1/messages"
        );
        let names: Vec<_> = request.headers.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ["content-type", "x-api-key", "authorization"]);
        let shown = request.render(false);
        assert!(shown.contains("authorization: Bearer ***\n"), "{shown}");
        assert!(!shown.contains("tok-2"), "{shown}");
        assert_eq!(
            request.to_json(true)["headers"]["authorization"],
            "Bearer tok-2"
        );
        assert_eq!(request.redact(b"echo tok-2".to_vec()), b"echo ***");
        // However an answer spells it back.
        let tricky = Credentials {
            api_key: SecretString::new("key/1"),
            access_token: SecretString::new(r#"t+k=~!/\"q"#),
        };
        let request = PreparedRequest::send_message(&base, &message, &tricky);
        for echoed in [
            r#"{"message":"key\/1 and key\u002F1"}"#,
            r#"{"message":"t+k=~!\/\\\"q"}"#,
            "code=t%2Bk%3D%7E%21%2F%5C%22q&x=1",
            "code=t%2bk%3d%7e%21%2f%5c%22q",
            "key%2F1",
        ] {
            let shown = String::from_utf8(request.redact(echoed.as_bytes().to_vec())).unwrap();
            assert!(
                !shown.contains("key/1") && !shown.contains("key%2F1"),
                "{shown}"
            );
            assert!(shown.contains("***"), "{echoed} -> {shown}");
            if let Ok(json) = serde_json::from_str::<Value>(&shown) {
                let text = json.to_string();
                assert!(
                    !text.contains("key/1") && !text.contains("t+k=~!"),
                    "{text}"
                );
            }
        }
        assert_eq!(request.body, br#"{"type":"TEXT","message":"hi"}"#);
    }

    #[test]
    fn success_needs_both_statuses() {
        assert!(check_answer(&answer(200, r#"{"status":200,"message":"success"}"#)).is_ok());
        assert!(check_answer(&answer(200, r#"{"status":"200"}"#)).is_ok());
        assert!(check_answer(&answer(201, r#"{}"#)).is_ok());
        let err = check_answer(&answer(200, r#"{"status":400,"message":"bad peer"}"#)).unwrap_err();
        assert_eq!(err.exit_code(), 3);
        assert!(err.to_string().contains("bad peer"));
        let failed = check_answer(&answer(200, r#"{"status":500,"message":"db down"}"#));
        let failed = failed.unwrap_err();
        assert!(failed.may_have_been_delivered(), "{failed}");
        assert!(failed.to_string().contains("db down"), "{failed}");
        let odd = check_answer(&answer(200, r#"{"status":"pending"}"#)).unwrap_err();
        assert!(odd.may_have_been_delivered(), "{odd}");
        let limited = check_answer(&answer(200, r#"{"status":"429"}"#)).unwrap_err();
        assert_eq!(limited.exit_code(), 4);
        assert_eq!(
            check_answer(&answer(200, "<html>"))
                .unwrap_err()
                .exit_code(),
            5
        );
        assert_eq!(
            check_answer(&answer(200, "[1]")).unwrap_err().exit_code(),
            5
        );
    }

    #[test]
    fn failures_map_to_their_exit_codes() {
        let refused = check_answer(&answer(403, r#"{"message":"no scope"}"#)).unwrap_err();
        assert_eq!(refused.exit_code(), 3);
        assert!(refused.to_string().contains("no scope"));
        assert_eq!(
            check_answer(&answer(429, "slow down"))
                .unwrap_err()
                .exit_code(),
            4
        );
        assert_eq!(check_answer(&answer(502, "")).unwrap_err().exit_code(), 5);
        assert_eq!(
            check_delivered(&answer(200, r#" ["status", 200]"#))
                .unwrap_err()
                .exit_code(),
            5
        );
        // A status of null is no success; of two statuses, the last counts.
        let null = check_delivered(&answer(200, r#"{"status":null}"#)).unwrap_err();
        assert!(null.to_string().contains("status is null"), "{null}");
        assert!(check_delivered(&answer(200, r#"{"status":500,"status":200}"#)).is_ok());
        let twice = check_delivered(&answer(200, r#"{"status":200,"status":403}"#)).unwrap_err();
        assert_eq!(twice.exit_code(), 3);
        assert_eq!(
            check_answer(&answer(200, r#"{"status":200,"extra":[1,{"a":2}]}"#)).unwrap(),
            serde_json::json!({"status": 200, "extra": [1, {"a": 2}]})
        );
    }

    #[test]
    fn answers_lose_the_secrets_of_their_request() {
        let credentials = Credentials {
            api_key: SecretString::new("key-1"),
            access_token: SecretString::new("tok-2"),
        };
        let message = crate::message::draft::MessageDraft {
            user_id: Some("u".into()),
            post_token: Some("p".into()),
            peer_id: Some("q".into()),
            message: Some("hi".into()),
            ..Default::default()
        }
        .build()
        .unwrap();
        let base = Url::parse("https://api.divar.ir").unwrap();
        let request = PreparedRequest::send_message(&base, &message, &credentials);
        assert_eq!(
            request.redact(b"bad key-1 and tok-2, tok-2".to_vec()),
            b"bad *** and ***, ***"
        );
        assert_eq!(request.redact(b"\xffclean".to_vec()), b"\xffclean");
        let json = request.to_json(false);
        assert_eq!(json["headers"]["x-api-key"], "***");
        assert_eq!(json["body"]["message"], "hi");
        assert_eq!(request.to_json(true)["headers"]["x-access-token"], "tok-2");
    }

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        for bad in ["", "-1", "1.5", "soon", "Wed, 21 Oct 2015"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
    }
}
