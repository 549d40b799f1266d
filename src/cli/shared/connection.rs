//! The flags that say how to reach the API (base URL, timeouts, trusted CAs, retries), and
//! sending a prepared request with them.

use clap::{Args, ValueHint};
use kenar_chat::Error;
use kenar_chat::http;
use kenar_chat::http::answer::Answer;
use kenar_chat::http::client::{ApiClient, ClientOptions, Resolve};
use kenar_chat::http::request::PreparedRequest;
use kenar_chat::http::retry::{self, RetryPolicy};
use kenar_chat::platform::ApiBase;
use std::path::PathBuf;
use std::time::Duration;

use crate::cli::report::{self, Verbosity};
use crate::cli::settings::{API_URL, Settings};
use crate::cli::shared::worded::worded;
use crate::cli::shared::{seconds, signals};

#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// The API's base URL: https, or plain http to a loopback host for local testing
    /// [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]
    #[arg(long, env = "KENAR_API_URL", value_hint = ValueHint::Url)]
    pub base_url: Option<String>,
    /// Give up on one attempt after this many seconds
    #[arg(long, value_name = "SECS", default_value = "30")]
    pub timeout: String,
    /// Give up connecting (TCP and TLS) after this many seconds
    #[arg(long, value_name = "SECS", default_value = "10")]
    pub connect_timeout: String,
    #[command(flatten)]
    pub reach: ReachArgs,
    /// Retry up to N times when the request cannot have been delivered (429, no connection)
    #[arg(long, value_name = "N", default_value_t = RetryPolicy::default().retries)]
    pub retries: u32,
    /// Wait at most this many seconds in total between attempts
    #[arg(long, value_name = "SECS", default_value_t = RetryPolicy::default().max_wait.as_secs().to_string())]
    pub max_wait: String,
    /// Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)
    #[arg(long)]
    pub retry_unsafe: bool,
}

/// How to reach a host, whichever it is (the API, or an app under development): the CAs
/// trusted besides the system's, and addresses given for names.
#[derive(Debug, Args)]
pub struct ReachArgs {
    /// Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a
    /// local CA)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub cacert: Option<PathBuf>,
    /// Connect to these addresses for HOST:PORT instead of looking the name up, tried in
    /// turn (as curl's --resolve); repeatable
    #[arg(long, value_name = "HOST:PORT:ADDR[,ADDR...]")]
    pub resolve: Vec<Resolve>,
}

impl ReachArgs {
    /// A client with these settings, each request (connecting included) bounded by
    /// `timeout`.
    pub fn client(&self, timeout: Duration) -> Result<ApiClient, Error> {
        client(&ClientOptions {
            timeout,
            connect_timeout: timeout,
            ca_file: self.cacert.clone(),
            resolve: self.resolve.clone(),
        })
    }
}

/// The checked connection settings.
#[derive(Debug, Clone)]
pub struct Connection {
    pub api: ApiBase,
    pub options: ClientOptions,
    pub policy: RetryPolicy,
}

impl ConnectionArgs {
    /// Checks every flag at once, before anything is read or sent. The base URL falls back
    /// on the profile's `api_url`, then on Divar's for each platform.
    pub fn check(&self, settings: &Settings) -> Result<Connection, Error> {
        let configured = settings.or_config(self.base_url.clone(), |c| c.api_url)?;
        let source = settings.source(&API_URL, self.base_url.is_some());
        let base_url = configured
            .map(|url| {
                http::url::endpoint(&source, &url)
                    .and_then(|url| http::url::check_base_url(&source, &url).map(|()| url))
                    .map_err(|e| e.to_string())
            })
            .transpose()
            .map(ApiBase::new);
        let timeout = seconds::checked("--timeout", &self.timeout, false);
        let connect_timeout = seconds::checked("--connect-timeout", &self.connect_timeout, false);
        let max_wait = seconds::checked("--max-wait", &self.max_wait, true);
        match (base_url, timeout, connect_timeout, max_wait) {
            (Ok(api), Ok(timeout), Ok(connect_timeout), Ok(max_wait)) => Ok(Connection {
                api,
                options: ClientOptions {
                    timeout,
                    connect_timeout,
                    ca_file: self.reach.cacert.clone(),
                    resolve: self.reach.resolve.clone(),
                },
                policy: RetryPolicy {
                    retries: self.retries,
                    max_wait,
                    retry_unsafe: self.retry_unsafe,
                },
            }),
            (base_url, timeout, connect_timeout, max_wait) => Err(Error::Invalid(
                [
                    base_url.err(),
                    timeout.err(),
                    connect_timeout.err(),
                    max_wait.err(),
                ]
                .into_iter()
                .flatten()
                .collect(),
            )),
        }
    }
}

impl Connection {
    /// Sends `request` under the retry policy, telling stderr about it as `verbosity`
    /// allows, and returns the last answer.
    pub fn execute(
        &self,
        request: &PreparedRequest,
        verbosity: Verbosity,
    ) -> Result<Answer, Error> {
        let client = self.client()?;
        crate::cli::block_on(retry::execute_with_retries(
            &client,
            request,
            &self.policy,
            |event| {
                signals::follow(&event);
                report::event(verbosity, event);
            },
        ))
        .map_err(|e| Error::Unavailable(format!("{e:#}")))?
        .map_err(worded)
    }
}

impl Connection {
    /// A client with these settings, for several requests in a row.
    pub fn client(&self) -> Result<ApiClient, Error> {
        client(&self.options)
    }
}

/// A client with `options`; only the `--cacert` file can make one fail.
fn client(options: &ClientOptions) -> Result<ApiClient, Error> {
    ApiClient::new(options).map_err(|e| e.prefixed("--cacert: "))
}
