//! The client that sends prepared requests and reads their answers: one connection pool,
//! no redirects, the environment's proxy for https, and failures sorted by whether the
//! request may have arrived.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use url::Url;

use super::answer::{Answer, parse_retry_after};
use super::proxy::{self, EnvProxy};
use super::request::{PreparedRequest, Progress, Upload};
use super::tls;
use super::url::{self as http_url, check_transport};
use crate::error::{Error, Result};
use crate::setting::Setting;
use crate::visible;

/// Who sends every request.
const USER_AGENT: &str = concat!("kenar-chat/", env!("CARGO_PKG_VERSION"));

/// Answers larger than this are refused rather than read into memory.
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;

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
                let changed = || UploadStopped("the file changed since it was checked".into());
                let chunk = match file.next().await {
                    None if read == size => return None,
                    None => Err(changed()),
                    Some(Err(e)) => Err(UploadStopped(format!("the file cannot be read: {e}"))),
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

/// Why an upload's stream of its file stopped before the end.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UploadStopped(String);

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
        let bad = |why: &str| {
            format!(
                "{} is not HOST:PORT:ADDR[,ADDR...] ({why})",
                crate::visible::excerpt(text)
            )
        };
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
    /// The proxy the environment names, to say so when it fails.
    proxy: Option<EnvProxy>,
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
        let (mut bad_proxy, mut env_proxy) = (None, None);
        match proxy::from_env() {
            Ok(Some((proxy, named))) => {
                builder = builder.proxy(proxy);
                env_proxy = Some(named);
            }
            Ok(None) => {}
            Err(problem) => bad_proxy = Some(problem),
        }
        let http = builder
            .build()
            .map_err(|e| Error::Unavailable(format!("cannot set up the HTTP client: {e}")))?;
        Ok(ApiClient {
            http,
            bad_proxy,
            proxy: env_proxy,
            options: options.clone(),
        })
    }

    /// The client itself, for relaying requests whose headers come from elsewhere (what
    /// Divar sent an app): the same TLS, redirect, proxy and `--resolve` rules, once
    /// [`ApiClient::check_route`] has passed the URL.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Sends one request and reads its answer (at most [`MAX_ANSWER_BYTES`]). Failures
    /// say whether the request may have reached the server ([`Error::NotSent`] or
    /// [`Error::DeliveryUncertain`]); a URL that is neither https nor loopback is refused
    /// before anything is sent.
    pub async fn execute(&self, request: &PreparedRequest) -> Result<Answer> {
        self.attempt(request, Arc::new(|_| {}))
            .await
            .map_err(|failure| failure.error)
    }

    /// [`ApiClient::execute`], telling `progress` how many bytes of an upload have been
    /// read from disk so far, and keeping the HTTP library's account of a failure.
    pub(crate) async fn attempt(
        &self,
        request: &PreparedRequest,
        progress: Progress,
    ) -> std::result::Result<Answer, Failure> {
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
                .map(|v| request.secrets().quoted(&String::from_utf8_lossy(v)))
                .unwrap_or_else(|| "nowhere".into());
            return Err(Error::Redirected(format!(
                "{} answered with a redirect (HTTP {status}) to {location}; redirects are \
                 not followed, so that credentials never reach another host",
                request.service
            ))
            .into());
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
            return Err(too_large().into());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.network_error(request, &e))?
        {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(too_large().into());
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
            body,
            retry_after,
            secrets: request.secrets(),
        })
    }

    /// Refuses, before anything is sent, a request that would go through a proxy the
    /// environment names but that cannot be used, or to a host given addresses for another
    /// port (the HTTP library's own override ignores the port). [`ApiClient::execute`]
    /// checks each request; what relays through [`ApiClient::http`] checks its URL first.
    pub fn check_route(&self, url: &Url) -> Result<()> {
        let host = url.host_str().unwrap_or_default();
        if let Some(entry) = self.options.resolve.iter().find(|e| e.host == host)
            && url.port_or_known_default() != Some(entry.port)
        {
            return Err(Error::unusable(
                Setting::Resolve,
                None,
                format!(
                    "{host} is given for port {}, but the request goes to port {}",
                    entry.port,
                    url.port_or_known_default().unwrap_or_default()
                ),
            ));
        }
        match &self.bad_proxy {
            Some(problem) if url.scheme() == "https" && !http_url::is_loopback(url) => {
                Err(Error::invalid(problem.clone()))
            }
            _ => Ok(()),
        }
    }

    /// Sorts a failure by whether the request may have reached the server, and says what
    /// failed, where (host and port, and the proxy when one was in the way) and what to do.
    /// A failure while connecting (name lookup, refused connection, TLS handshake, proxy
    /// tunnel, connect timeout) happened before a byte of the request was sent; anything
    /// later may follow a delivered request. The HTTP library's own account goes to the
    /// failure's cause, for `-v`. Both lose the request's secrets, whatever produced them.
    fn network_error(&self, request: &PreparedRequest, e: &reqwest::Error) -> Failure {
        let secrets = request.secrets();
        let mut chain = String::new();
        let mut source = std::error::Error::source(e);
        while let Some(cause) = source {
            if !chain.is_empty() {
                chain.push_str(": ");
            }
            let _ = write!(chain, "{cause}");
            source = cause.source();
        }
        let url = &request.url;
        let place = match url.port_or_known_default() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        let proxy = self.proxy.as_ref().filter(|proxy| proxy.carries(url));
        let error = if e.is_connect() {
            let (what, to_do) = connect_failure(e, &self.options);
            let (via, to_do) = match proxy {
                Some(proxy) => (
                    format!(" through {proxy}"),
                    format!("check the proxy, or unset {}", proxy.variable),
                ),
                None => (String::new(), to_do.to_owned()),
            };
            Error::NotSent(format!(
                "cannot connect to {} at {place}{via} ({what}); {to_do}",
                request.service
            ))
        } else if e.is_timeout() {
            Error::DeliveryUncertain(format!(
                "the request to {place} timed out (no complete answer within {})",
                humantime::format_duration(
                    request
                        .upload
                        .as_ref()
                        .map_or(self.options.timeout, |upload| upload.timeout)
                )
            ))
        } else if let Some(stopped) = find::<UploadStopped>(e) {
            Error::DeliveryUncertain(format!("the upload to {place} stopped: {stopped}"))
        } else {
            Error::DeliveryUncertain(format!(
                "the connection to {place} broke before the whole answer arrived"
            ))
        };
        Failure {
            error: match error {
                Error::NotSent(text) => Error::NotSent(secrets.mask(&text).into_owned()),
                Error::DeliveryUncertain(text) => {
                    Error::DeliveryUncertain(secrets.mask(&text).into_owned())
                }
                other => other,
            },
            cause: Some(secrets.quoted(&chain)),
        }
    }
}

/// A failed attempt: the error, and the HTTP library's own account of it (its chain of
/// causes) for `-v` logs, when the failure came from the network.
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: Error,
    pub cause: Option<String>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure { error, cause: None }
    }
}

/// What went wrong while connecting, in a user's words, and what to do about it.
fn connect_failure(e: &reqwest::Error, options: &ClientOptions) -> (String, &'static str) {
    if e.is_timeout() {
        return (
            format!(
                "timed out after {} while connecting",
                humantime::format_duration(options.connect_timeout.min(options.timeout))
            ),
            "check the host, the port and the network",
        );
    }
    if e.is_dns() {
        return (
            "the host name does not resolve".into(),
            "check the host name and the network",
        );
    }
    if let Some(tls) = find::<rustls::Error>(e) {
        return (
            format!("the TLS handshake failed: {tls}"),
            "if the network inspects TLS, trust its CA certificate too",
        );
    }
    match find::<std::io::Error>(e).map(std::io::Error::kind) {
        Some(std::io::ErrorKind::ConnectionRefused) => (
            "the connection was refused".into(),
            "check that a server listens there and that the URL is right",
        ),
        Some(kind) => (kind.to_string(), "check the host, the port and the network"),
        None => (
            "no connection could be made".into(),
            "check the host, the port and the network",
        ),
    }
}

/// The first error of type `T` in `e`'s chain of causes, looking inside I/O errors too
/// (which leave the error they wrap out of the chain).
fn find<T: std::error::Error + 'static>(e: &reqwest::Error) -> Option<&T> {
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        if let Some(found) = cause.downcast_ref::<T>() {
            return Some(found);
        }
        source = match cause
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => cause.source(),
        };
    }
    None
}
