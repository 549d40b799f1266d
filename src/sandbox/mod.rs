//! A local stand-in for Divar's open platform, both generations (protocol sections 2 to 4
//! and section 5), to develop and test apps and scripts against without touching Divar:
//! the send endpoints, the OAuth consent pages and token endpoints, media uploads, events
//! subscriptions, a chat view of what was sent, button clicks that call the app's
//! session initialization and dynamic-action URLs, and replies typed in the chat view,
//! which reach the app's events URL as Divar's `NEW_MESSAGE` webhooks.

mod api;
mod assets;
mod bot_api;
mod buttons;
mod chat_view;
mod checks;
mod consent;
mod conversation_api;
mod conversation_read;
mod demo;
mod grant_failures;
mod host;
mod html;
mod media;
mod oauth2_token;
mod quota;
mod reply;
mod session_init;
mod store;
mod subscriptions;
mod token;
mod upload;
mod webhook;

use std::collections::HashSet;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use url::Url;

use crate::auth::authorize::random_state;
use crate::auth::token::ACCESS_TOKEN_PATH;
use crate::error::{Error, Result};
use crate::http::client::{ApiClient, ClientOptions};
use crate::http::serve::{self, Stopped};
use crate::message::media_kind::MediaKind;
use crate::message::send::{
    BOT_CONVERSATIONS_PATH, BOT_USERS_PATH, CONVERSATION_MESSAGES, CONVERSATIONS_PATH, READ_PATH,
    SEND_MESSAGE_PATH,
};
use crate::platform::Platform;
use crate::receive::subscription::SUBSCRIPTIONS_PATH;
use crate::scope::{Chat, Scope};
use crate::secret::SecretString;
use crate::setting::Setting;
use crate::time::unix_now;

pub use demo::{
    DEMO_CONVERSATION, DEMO_PEER, DEMO_POST, DEMO_PURCHASE, DEMO_PURCHASE_POST,
    DEMO_PURCHASE_SELLER, DEMO_USER,
};
pub use grant_failures::GrantFailures;
use quota::Quota;
use store::{Conversation, Store};

/// How long an authorization code can be exchanged, unless the sandbox is told otherwise.
pub const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// How long the old pair keeps working after a refresh, unless the sandbox is told
/// otherwise (Divar: two minutes).
pub const REFRESH_GRACE: Duration = Duration::from_secs(2 * 60);
/// How long a refresh token lasts (Divar: 30 days).
const REFRESH_LIFETIME: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// How long the sandbox waits for the app's session initialization, dynamic-action and
/// events URLs.
const APP_TIMEOUT: Duration = webhook::TIMEOUT;

/// How long a caller has to send its whole request head, as `listen` gives by default.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// The conversations every sandbox knows from its start.
fn demo_conversations() -> [Conversation; 2] {
    [
        Conversation {
            id: DEMO_CONVERSATION.into(),
            post_token: DEMO_POST.into(),
            seller_id: DEMO_USER.into(),
            buyer_id: DEMO_PEER.into(),
        },
        Conversation {
            id: DEMO_PURCHASE.into(),
            post_token: DEMO_PURCHASE_POST.into(),
            seller_id: DEMO_PURCHASE_SELLER.into(),
            buyer_id: DEMO_USER.into(),
        },
    ]
}

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
    /// How long the old access and refresh tokens keep working after a refresh
    /// ([`REFRESH_GRACE`] as Divar does).
    pub refresh_grace: Duration,
    /// Conversations whose recipient refuses the app's messages: sending in one is
    /// answered 412, code 9.
    pub restricted_conversations: Vec<String>,
    /// Sends accepted per minute before answering 429.
    pub rate_limit: u32,
    /// Sends accepted per UTC day before answering 429, if limited.
    pub daily_limit: Option<u64>,
    /// How long each answer is held back, as a round trip to Divar takes.
    pub latency: Duration,
    /// The app's session initialization URL, called when a LINK button is clicked.
    pub session_init_url: Option<Url>,
    /// The app's Divar identification key, which every call to the app carries in
    /// `Authorization`.
    pub identification_key: Option<SecretString>,
    /// The app's dynamic-action URL, called when a `get_dynamic_action` button is clicked.
    pub dynamic_action_url: Option<Url>,
    /// The app's events URL, where replies typed in the chat view are delivered.
    pub events_url: Option<Url>,
    pub supplier_key: SupplierKey,
    pub grant_failures: GrantFailures,
    pub advice: Advice,
}

/// What the sandbox's pages tell a person to do, in the words of the program that
/// started it: the library names no command or flag.
#[derive(Debug, Clone)]
pub struct Advice {
    /// What subscribes the app to new messages on the post with this token.
    pub subscribe: fn(&str) -> String,
    /// How to start the sandbox with the app's events URL.
    pub events_url: &'static str,
    /// ... with its session initialization URL.
    pub session_init_url: &'static str,
    /// ... with its dynamic-action URL.
    pub dynamic_action_url: &'static str,
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
    refresh_grace: Duration,
    restricted_conversations: HashSet<String>,
    consent_forms: Mutex<consent::ConsentForms>,
    /// What the chat view's click forms carry, so that only a click made there calls the
    /// app: another web page cannot post one (cross-site request forgery).
    click_key: SecretString,
    /// Uploads being received; past [`upload::AT_ONCE`] another is refused at once.
    uploads: Arc<tokio::sync::Semaphore>,
    session_init_url: Option<Url>,
    identification_key: SecretString,
    dynamic_action_url: Option<Url>,
    events_url: Option<Url>,
    supplier_key: SupplierKey,
    grant_failures: GrantFailures,
    advice: Advice,
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
            Error::unusable(
                Setting::SandboxPort,
                Some(config.port.to_string()),
                format!(
                    "cannot listen on {address} ({e}); give another port, or 0 for any free one"
                ),
            )
        })?;
        let address = listener
            .local_addr()
            .map_err(|e| Error::Unavailable(format!("cannot read the bound address: {e}")))?;
        let base_url = Url::parse(&format!("http://{address}/"))
            .map_err(|e| Error::Unavailable(format!("bad listening address {address}: {e}")))?;
        let store = Store::open(config.data.as_deref())?;
        let api_key = credential(&store, "api_key", config.api_key)?;
        let client_secret = credential(&store, "client_secret", config.client_secret)?;
        // Kept under its first name, so that a data file keeps the key it printed.
        let identification_key =
            credential(&store, "session_init_auth", config.identification_key)?;
        for conversation in demo_conversations() {
            store.insert_conversation(&conversation)?;
        }
        let demo = [
            Scope::Chat(Chat::new(DEMO_USER, DEMO_POST, DEMO_PEER)?),
            Scope::conversation(DEMO_CONVERSATION)?,
        ];
        let demo_token = random_state()?;
        store.insert_token(&demo_token, &demo, DEMO_USER, expiry(config.token_lifetime))?;
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
            refresh_grace: config.refresh_grace,
            restricted_conversations: config.restricted_conversations.into_iter().collect(),
            consent_forms: Mutex::default(),
            click_key: SecretString::new(random_state()?),
            uploads: Arc::new(tokio::sync::Semaphore::new(upload::AT_ONCE)),
            session_init_url: config.session_init_url,
            identification_key,
            dynamic_action_url: config.dynamic_action_url,
            events_url: config.events_url,
            supplier_key: config.supplier_key,
            grant_failures: config.grant_failures,
            advice: config.advice,
            client: ApiClient::new(&ClientOptions {
                timeout: APP_TIMEOUT,
                connect_timeout: APP_TIMEOUT,
                ..ClientOptions::default()
            })?,
        };
        Ok(BoundSandbox {
            listener,
            state: Arc::new(state),
            demo_token: SecretString::new(demo_token),
        })
    }

    /// The sandbox's base URL, which is also its API base URL and its chat upload host.
    pub fn url(&self) -> &Url {
        &self.state.base_url
    }

    /// The authorization endpoint of `platform`, for `KENAR_OAUTH_URL`.
    pub fn oauth_url(&self, platform: Platform) -> Url {
        self.at(consent::path(platform))
    }

    /// The current platform's token endpoint. (The legacy one is under the API's base.)
    pub fn token_url(&self) -> Url {
        self.at(oauth2_token::PATH)
    }

    fn at(&self, path: &str) -> Url {
        self.url().join(path).unwrap_or_else(|_| self.url().clone())
    }

    /// A page that shows the code and state it is redirected to with: a redirect URI for
    /// trying the OAuth flow without an app.
    pub fn callback_url(&self) -> Url {
        self.at(consent::CALLBACK_PATH)
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

    /// The identification key every call to the app carries.
    pub fn identification_key(&self) -> &SecretString {
        &self.state.identification_key
    }

    /// A token that may send in the demo chat (`DEMO_USER`, `DEMO_POST`, `DEMO_PEER`) and
    /// in the demo conversation (`DEMO_CONVERSATION`), as the demo user.
    pub fn demo_token(&self) -> &SecretString {
        &self.demo_token
    }

    /// Serves until `shutdown` completes, then gives the requests under way `drain` to end
    /// and cuts short what is left (a caller still sending its request head, a reply whose
    /// webhook waits on a slow app). A caller that does not send its whole request head
    /// within [`HEAD_TIMEOUT`] is closed, so that none holds a connection for ever.
    pub async fn serve(self, shutdown: impl Future<Output = ()>, drain: Duration) -> Stopped {
        let router = router(self.state);
        serve::router(&self.listener, router, HEAD_TIMEOUT, shutdown, drain).await
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

/// Answers a request that needs a permission the sandbox's API key lacks as Divar does
/// (see [`GrantFailures`]); passes every other request on.
async fn missing_permission(
    State(sandbox): State<Arc<Sandbox>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let with_key = request
        .headers()
        .get("x-api-key")
        .is_some_and(|key| key.as_bytes() == sandbox.api_key.expose().as_bytes());
    match grant_failures::missing_permission(&sandbox.grant_failures, &request, with_key) {
        Some(refusal) => refusal,
        None => next.run(request).await,
    }
}

/// Where the chat view's LINK and `open_server_link` buttons post to.
const CLICK_PATH: &str = "/sandbox/click";
/// Where the chat view's reply forms post to.
const REPLY_PATH: &str = "/sandbox/reply";

/// The route table: every path the sandbox serves, and its handler.
fn router(state: Arc<Sandbox>) -> Router {
    let uploads = MediaKind::ALL
        .into_iter()
        .map(upload::route)
        .fold(Router::new(), |router, (path, route)| {
            router.route(&path, route)
        })
        .route(&upload::unknown_kind_path(), post(upload::unknown_kind));
    Router::new()
        .merge(uploads)
        .route("/", get(chat_view::page))
        .route(&upload::token_path(), post(upload::issue_token))
        .route(media::PATH, get(media::serve))
        .route(&format!("/{SEND_MESSAGE_PATH}"), post(api::send))
        .route(
            &format!("/{CONVERSATIONS_PATH}{{conversation_id}}/{CONVERSATION_MESSAGES}"),
            post(conversation_api::send),
        )
        .route(
            &format!("/{READ_PATH}{{conversation_id}}"),
            get(conversation_read::read),
        )
        .route(
            &format!("/{BOT_CONVERSATIONS_PATH}{{conversation_id}}/{CONVERSATION_MESSAGES}"),
            post(bot_api::to_conversation),
        )
        .route(
            &format!("/{BOT_USERS_PATH}{{user_id}}/{CONVERSATION_MESSAGES}"),
            post(bot_api::to_user),
        )
        .route("/sandbox/messages", get(api::messages))
        .route(
            &format!("/{}", crate::scope_catalogue::LIVE_CATALOGUE_PATH),
            get(assets::oauth_scopes),
        )
        .route(
            consent::path(Platform::Legacy),
            get(consent::ask_legacy).post(consent::decide_legacy),
        )
        .route(
            consent::path(Platform::Current),
            get(consent::ask_current).post(consent::decide_current),
        )
        .route(
            &format!("/{}", consent::CALLBACK_PATH),
            get(consent::callback),
        )
        .route(&format!("/{ACCESS_TOKEN_PATH}"), post(token::exchange))
        .route(oauth2_token::PATH, post(oauth2_token::exchange))
        .route(CLICK_PATH, post(session_init::click))
        .route(REPLY_PATH, reply::route())
        .route(
            &format!("/{SUBSCRIPTIONS_PATH}"),
            post(subscriptions::subscribe),
        )
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            missing_permission,
        ))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            delay,
        ))
        // Outermost, so that a request for another host is refused before anything else.
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            host::only_own,
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
    unix_time().saturating_add(seconds(lifetime))
}

/// Whole seconds, as SQLite keeps times.
fn seconds(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}
