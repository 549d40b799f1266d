//! A local stand-in for Divar's open platform (protocol sections 2 to 4), to develop and
//! test apps and scripts against without touching Divar: the send endpoint, the OAuth
//! consent page and token endpoint, a chat view of what was sent, and LINK clicks that
//! call the app's session initialization URL.

mod api;
mod chat_view;
mod consent;
mod html;
mod quota;
mod session_init;
mod store;
mod token;

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use url::Url;

use crate::authorize::random_state;
use crate::client::{ApiClient, ClientOptions, SEND_MESSAGE_PATH};
use crate::error::{Error, Result};
use crate::scope::{Chat, Scope};
use crate::secret::SecretString;
use crate::store::unix_now;
use crate::token::ACCESS_TOKEN_PATH;

use quota::Quota;
use store::Store;

/// How long an authorization code can be exchanged, unless the sandbox is told otherwise.
pub const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// How long the sandbox waits for the app's session initialization URL.
const SESSION_INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// The chat of Divar's own example, for which a token is issued at start.
pub const DEMO_USER: &str = "e9ba8a81-9583-4f7c-af54-b07df089d971";
pub const DEMO_POST: &str = "AZf3Uqr3";
pub const DEMO_PEER: &str = "1697004f-e902-44c2-bbbe-bf8e20d54bff";

/// How the seller's object is spelled in the session initialization request: Divar's
/// documents have used both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupplierKey {
    Capitalized,
    Lowercase,
}

impl SupplierKey {
    fn as_str(self) -> &'static str {
        match self {
            SupplierKey::Capitalized => "Supplier",
            SupplierKey::Lowercase => "supplier",
        }
    }
}

/// What the sandbox is started with. Credentials left `None` are generated on first
/// start, and kept in the data file when there is one.
#[derive(Debug, Clone)]
pub struct Config {
    /// 0 picks any free port.
    pub port: u16,
    /// A SQLite file that keeps everything across restarts; memory only when `None`.
    pub data: Option<PathBuf>,
    pub api_key: Option<SecretString>,
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    pub token_lifetime: Duration,
    /// How long an authorization code can be exchanged ([`CODE_LIFETIME`] as Divar does).
    pub code_lifetime: Duration,
    /// Sends accepted per minute before answering 429.
    pub rate_limit: u32,
    /// Sends accepted per UTC day before answering 429, if limited.
    pub daily_limit: Option<u64>,
    /// How long each answer is held back, as a round trip to Divar takes.
    pub latency: Duration,
    /// The app's session initialization URL, called when a LINK button is clicked.
    pub session_init_url: Option<Url>,
    /// What the session initialization request's `authorization` header carries.
    pub session_init_auth: Option<SecretString>,
    pub supplier_key: SupplierKey,
}

/// The sandbox's shared state, handed to every handler.
struct Sandbox {
    base_url: Url,
    store: Store,
    quota: Mutex<Quota>,
    latency: Duration,
    api_key: SecretString,
    client_id: String,
    client_secret: SecretString,
    token_lifetime: Duration,
    code_lifetime: Duration,
    consent_forms: Mutex<consent::ConsentForms>,
    session_init_url: Option<Url>,
    session_init_auth: SecretString,
    supplier_key: SupplierKey,
    client: ApiClient,
}

/// A sandbox bound to its port, ready to serve.
pub struct BoundSandbox {
    listener: tokio::net::TcpListener,
    state: Arc<Sandbox>,
    demo_token: SecretString,
}

impl BoundSandbox {
    /// Listens on 127.0.0.1 only, opens the store and issues the demo chat's token.
    pub async fn bind(config: Config) -> Result<Self> {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, config.port));
        let listener = tokio::net::TcpListener::bind(address).await.map_err(|e| {
            Error::invalid(format!(
                "--port {}: cannot listen on {address} ({e}); give another port, or 0 for \
                     any free one",
                config.port
            ))
        })?;
        let address = listener
            .local_addr()
            .map_err(|e| Error::Unavailable(format!("cannot read the bound address: {e}")))?;
        let base_url = Url::parse(&format!("http://{address}/"))
            .map_err(|e| Error::Unavailable(format!("bad listening address {address}: {e}")))?;
        let store = Store::open(config.data.as_deref())?;
        let api_key = credential(&store, "api_key", config.api_key)?;
        let client_secret = credential(&store, "client_secret", config.client_secret)?;
        let session_init_auth = credential(&store, "session_init_auth", config.session_init_auth)?;
        let demo = Scope::Chat(Chat::new(DEMO_USER, DEMO_POST, DEMO_PEER)?);
        let demo_token = random_state()?;
        store.insert_token(&demo_token, &[demo], expiry(config.token_lifetime))?;
        let state = Sandbox {
            base_url,
            store,
            quota: Mutex::new(Quota::new(config.rate_limit, config.daily_limit)),
            latency: config.latency,
            api_key,
            client_id: config.client_id,
            client_secret,
            token_lifetime: config.token_lifetime,
            code_lifetime: config.code_lifetime,
            consent_forms: Mutex::default(),
            session_init_url: config.session_init_url,
            session_init_auth,
            supplier_key: config.supplier_key,
            client: ApiClient::new(&ClientOptions {
                timeout: SESSION_INIT_TIMEOUT,
                connect_timeout: SESSION_INIT_TIMEOUT,
                ..ClientOptions::default()
            })?,
        };
        Ok(BoundSandbox {
            listener,
            state: Arc::new(state),
            demo_token: SecretString::new(demo_token),
        })
    }

    /// The sandbox's base URL, which is also its API base URL.
    pub fn url(&self) -> &Url {
        &self.state.base_url
    }

    /// The authorization endpoint, for `KENAR_OAUTH_URL`.
    pub fn oauth_url(&self) -> Url {
        self.url()
            .join("oauth")
            .unwrap_or_else(|_| self.url().clone())
    }

    /// A page that shows the code and state it is redirected to with: a redirect URI for
    /// trying the OAuth flow without an app.
    pub fn callback_url(&self) -> Url {
        self.url()
            .join(consent::CALLBACK_PATH)
            .unwrap_or_else(|_| self.url().clone())
    }

    pub fn api_key(&self) -> &SecretString {
        &self.state.api_key
    }

    pub fn client_id(&self) -> &str {
        &self.state.client_id
    }

    pub fn client_secret(&self) -> &SecretString {
        &self.state.client_secret
    }

    pub fn session_init_auth(&self) -> &SecretString {
        &self.state.session_init_auth
    }

    /// A token that may send in the demo chat (`DEMO_USER`, `DEMO_POST`, `DEMO_PEER`).
    pub fn demo_token(&self) -> &SecretString {
        &self.demo_token
    }

    /// Serves until `shutdown` completes, then finishes the requests under way.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        axum::serve(self.listener, router(self.state))
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|e| Error::Unavailable(format!("the sandbox stopped: {e}")))
    }
}

/// Holds every answer back by the configured latency.
async fn delay(
    State(sandbox): State<Arc<Sandbox>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let response = next.run(request).await;
    tokio::time::sleep(sandbox.latency).await;
    response
}

fn router(state: Arc<Sandbox>) -> Router {
    Router::new()
        .route("/", get(chat_view::page))
        .route(&format!("/{SEND_MESSAGE_PATH}"), post(api::send))
        .route("/sandbox/messages", get(api::messages))
        .route("/oauth", get(consent::ask).post(consent::decide))
        .route(
            &format!("/{}", consent::CALLBACK_PATH),
            get(consent::callback),
        )
        .route(&format!("/{ACCESS_TOKEN_PATH}"), post(token::exchange))
        .route(session_init::CLICK_PATH, post(session_init::click))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            delay,
        ))
        .with_state(state)
}

/// A credential from its flag, else the one kept in the store, else a fresh random one.
fn credential(store: &Store, name: &str, given: Option<SecretString>) -> Result<SecretString> {
    match given {
        Some(value) => Ok(value),
        None => store.setting(name, random_state).map(SecretString::new),
    }
}

/// Seconds since the Unix epoch, the unit of the token answer's `expires`, as SQLite
/// keeps integers.
fn unix_time() -> i64 {
    i64::try_from(unix_now()).unwrap_or(i64::MAX)
}

/// The Unix time at which something issued now with this lifetime expires.
fn expiry(lifetime: Duration) -> i64 {
    unix_time().saturating_add(i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX))
}
