//! `kenar-chat oauth`: exchange an authorization code for an access token, log in from the
//! terminal, refresh stored tokens, and list or forget them.

use std::io::{BufRead as _, IsTerminal as _, Read as _};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand, ValueHint};
use kenar_chat::input::MAX_INPUT_BYTES;
use kenar_chat::loopback::{self, RedirectListener};
use kenar_chat::platform::Platform;
use kenar_chat::refresh::{self, Refresher, Renewal};
use kenar_chat::scope::{Recipient, Scope};
use kenar_chat::secret::SecretString;
use kenar_chat::store::{self, CredentialStore, Lookup, StoredToken, rfc3339, unix_now};
use kenar_chat::token::{self, AppCredentials, Grant, Token};
use kenar_chat::{Error, client, redirect};
use serde_json::{Value, json};
use url::Url;

use crate::cli::cmd::oauth_url::{self, ScopeFlags};
use crate::cli::connection::{Connection, ConnectionArgs};
use crate::cli::credentials::{self, ApiKeyArgs};
use crate::cli::output::{self, Format};
use crate::cli::platform::PlatformArgs;
use crate::cli::profile::{self, ProfileArgs};
use crate::cli::report::Verbosity;
use crate::cli::settings::{self, CLIENT_ID, REDIRECT_URI, Settings, TOKEN_URL};

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat oauth login --client-id my-app --redirect-uri http://127.0.0.1:8765/callback \\
      --post-chats AZf3Uqr3 --open
  kenar-chat oauth token --client-id my-app --post-chats AZf3Uqr3 \\
      --code 'https://my-app.example/callback?state=S&code=C' --state S
  kenar-chat oauth refresh --conversation CONVERSATION_ID
  kenar-chat oauth tokens")]
pub struct OauthArgs {
    #[command(subcommand)]
    pub command: OauthCommand,
}

#[derive(Debug, Subcommand)]
pub enum OauthCommand {
    /// Exchange an authorization code for an access token, and store the token
    Token(Box<TokenArgs>),
    /// Ask the user for scopes in the browser, wait for the redirect, and store the token
    Login(Box<LoginArgs>),
    /// Replace stored tokens of the current platform by new ones, with their refresh tokens
    Refresh(Box<RefreshArgs>),
    /// List the stored tokens: profile, expiry and scopes, never the secrets
    Tokens(TokensArgs),
    /// Remove stored tokens
    Forget(ForgetArgs),
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  export KENAR_API_KEY=... KENAR_CLIENT_SECRET=...
  kenar-chat oauth token --client-id my-app --post-chats AZf3Uqr3 \\
      --code 'https://my-app.example/callback?state=S&code=C' --state S
  kenar-chat oauth token --client-id my-app --post-chats AZf3Uqr3 --code C -o json --show-secrets
  kenar-chat oauth token --platform current --client-id my-app --conversation CONVERSATION_ID \\
      --offline --redirect-uri https://my-app.example/callback --code C")]
pub struct TokenArgs {
    /// The code, or the whole redirect URL the browser landed on
    #[arg(long, value_name = "CODE|URL")]
    pub code: String,
    /// The redirect URI of the authorization URL (the current platform's exchange sends it)
    #[arg(long, env = "KENAR_REDIRECT_URI")]
    pub redirect_uri: Option<String>,
    /// The state sent in the authorization URL: the redirect URL must carry it back
    #[arg(long)]
    pub state: Option<String>,
    // The scopes the user granted: stored with the token, so that `send` can pick it.
    #[command(flatten)]
    pub scopes: ScopeFlags,
    #[command(flatten)]
    pub exchange: ExchangeArgs,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  export KENAR_API_KEY=... KENAR_CLIENT_SECRET=...
  kenar-chat oauth login --client-id my-app --redirect-uri http://127.0.0.1:8765/callback \\
      --post-chats AZf3Uqr3 --open
  kenar-chat oauth login --client-id my-app --redirect-uri https://my-app.example/callback \\
      --chat USER:AZf3Uqr3:PEER --profile shop
  kenar-chat oauth login --platform current --client-id my-app \\
      --redirect-uri http://127.0.0.1:8765/callback --supplier-chats --offline --open")]
pub struct LoginArgs {
    #[command(flatten)]
    pub scopes: ScopeFlags,
    /// Where Divar sends the user back; on http://127.0.0.1:PORT/..., http://[::1]:PORT/...
    /// or http://localhost:PORT/... kenar-chat listens itself, elsewhere it asks you to paste
    /// the URL the browser landed on
    #[arg(long, env = "KENAR_REDIRECT_URI")]
    pub redirect_uri: Option<String>,
    /// The state echoed back on return; a random 128-bit value when not given
    #[arg(long)]
    pub state: Option<String>,
    /// The authorization endpoint [default: https://open-platform-redirect.divar.ir/oauth,
    /// or https://oauth.divar.ir/oauth2/auth on the current platform]
    #[arg(long, env = "KENAR_OAUTH_URL")]
    pub auth_url: Option<String>,
    /// Open the authorization URL in the default browser ($BROWSER when set)
    #[arg(long)]
    pub open: bool,
    /// Give up waiting for the redirect after this many seconds
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub wait: u64,
    #[command(flatten)]
    pub exchange: ExchangeArgs,
}

/// What exchanging a code needs besides the code, and how to report it.
#[derive(Debug, Args)]
pub struct ExchangeArgs {
    #[command(flatten)]
    pub platform: PlatformArgs,
    #[command(flatten)]
    pub app: AppArgs,
    // Only the legacy platform's exchange sends the API key.
    #[command(flatten)]
    pub key: ApiKeyArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// With -o json, print the access and refresh tokens as they are
    #[arg(long)]
    pub show_secrets: bool,
    /// Where the token was stored and when it expires (text) or the token answer (json)
    #[arg(short, long, value_enum, default_value_t)]
    pub output: Format,
}

/// How the app identifies itself to the token endpoint.
#[derive(Debug, Args)]
pub struct AppArgs {
    /// The app's slug from the Kenar panel
    #[arg(long, env = "KENAR_CLIENT_ID")]
    pub client_id: Option<String>,
    /// Read the app's client secret from this file (instead of KENAR_CLIENT_SECRET)
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub client_secret_file: Option<PathBuf>,
    /// The current platform's token endpoint [default: https://oauth.divar.ir/oauth2/token]
    #[arg(long, env = "KENAR_TOKEN_URL", value_hint = ValueHint::Url)]
    pub token_url: Option<String>,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  export KENAR_CLIENT_ID=my-app KENAR_CLIENT_SECRET=...
  kenar-chat oauth refresh
  kenar-chat oauth refresh --profile shop --conversation CONVERSATION_ID -o json")]
pub struct RefreshArgs {
    #[command(flatten)]
    pub profile: ProfileArgs,
    // When given, only the token stored for exactly these scopes (of the current platform).
    #[command(flatten)]
    pub scopes: ScopeFlags,
    #[command(flatten)]
    pub app: AppArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// With -o json, print the new access and refresh tokens as they are
    #[arg(long)]
    pub show_secrets: bool,
    /// One line per refreshed token (text) or an array of {profile, scopes, expires,
    /// refreshed, access_token, refresh_token} (json)
    #[arg(short, long, value_enum, default_value_t)]
    pub output: Format,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat oauth tokens
  kenar-chat oauth tokens --profile shop -o json")]
pub struct TokensArgs {
    /// Only this profile's tokens (every profile's when not given)
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// One line per token (text) or an array of {profile, scopes, expires, expired,
    /// refreshable} (json)
    #[arg(short, long, value_enum, default_value_t)]
    pub output: Format,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat oauth forget
  kenar-chat oauth forget --profile shop --post-chats AZf3Uqr3
  kenar-chat oauth forget --expired")]
pub struct ForgetArgs {
    #[command(flatten)]
    pub profile: ProfileArgs,
    #[command(flatten)]
    pub platform: PlatformArgs,
    // When given, only the token stored for exactly these scopes.
    #[command(flatten)]
    pub scopes: ScopeFlags,
    /// Only tokens that have expired
    #[arg(long)]
    pub expired: bool,
}

pub fn run(args: OauthArgs, settings: &Settings, verbosity: Verbosity) -> Result<()> {
    match args.command {
        OauthCommand::Token(args) => exchange_code(*args, settings, verbosity),
        OauthCommand::Login(args) => login(*args, settings, verbosity),
        OauthCommand::Refresh(args) => refresh_stored(&args, settings, verbosity),
        OauthCommand::Tokens(args) => list(&args),
        OauthCommand::Forget(args) => forget(&args, settings),
    }
}

/// The stored token of the profile that may send to `to`, `None` when there is none. A
/// token that has expired, or expires within a minute, is refreshed first when it can be
/// and the app's client ID and secret are in the environment or the profile's config
/// (requests go as `connection` says); an error when only an expired token would do,
/// saying to log in again.
pub fn stored_token(
    settings: &Settings,
    connection: &Connection,
    to: &Recipient,
    verbosity: Verbosity,
) -> Result<Option<SecretString>, Error> {
    let store = profile::store()?;
    let now = unix_now();
    let (token, expired) = match store::find(store.tokens(settings.profile()), to, now) {
        Lookup::Missing => return Ok(None),
        Lookup::Usable(token) if !refresh::is_due(token, now) => {
            return Ok(Some(token.access_token.clone()));
        }
        Lookup::Usable(token) => (token, false),
        Lookup::Expired(token) => (token, true),
    };
    let refresher = if token.can_refresh() {
        automatic_refresher(settings)?
    } else {
        None
    };
    let renewed = refresher.map(|refresher| {
        refresher.refresh(token, |request| connection.execute(request, verbosity))
    });
    match renewed {
        Some(Ok(renewal)) => Ok(Some(renewal.into_token().access_token)),
        // Still valid for a few seconds: better sent than refused for a failed refresh.
        Some(Err(e)) if !expired => {
            output::note(&format!(
                "warning: {e}; using the stored token until it expires"
            ));
            Ok(Some(token.access_token.clone()))
        }
        Some(Err(e)) => Err(e),
        None if !expired => Ok(Some(token.access_token.clone())),
        None => Err(Error::invalid(format!(
            "access token: the stored token of profile {:?} for this {} expired at {}; {}",
            settings.profile(),
            match to {
                Recipient::Chat(_) => "chat",
                Recipient::Conversation { .. } => "conversation",
            },
            rfc3339(token.expires),
            if token.can_refresh() {
                "set KENAR_CLIENT_ID and KENAR_CLIENT_SECRET to refresh it by itself, or log \
                 in again with `kenar-chat oauth login`"
            } else {
                "log in again with `kenar-chat oauth login`"
            }
        ))),
    }
}

/// What refreshing a stored token of `profile` needs, from the environment and the
/// config alone (`send` has no flags for it); `None` when the client ID or secret is not
/// there.
pub fn automatic_refresher(settings: &Settings) -> Result<Option<Refresher>, Error> {
    let client_id = settings.or_config(settings::from_environment_only(&CLIENT_ID)?, |c| {
        c.client_id
    })?;
    let client_secret = credentials::client_secret(None)?;
    let (Some(client_id), Some(client_secret)) = (client_id, client_secret) else {
        return Ok(None);
    };
    let token_url = token_url(
        settings,
        settings::from_environment_only(&TOKEN_URL)?,
        Platform::Current,
    )?;
    let Some(token_url) = token_url else {
        return Ok(None);
    };
    Ok(Some(Refresher {
        dir: profile::dir()?,
        profile: settings.profile().to_owned(),
        token_url,
        app: AppCredentials {
            client_id,
            client_secret,
        },
    }))
}

/// The token endpoint on `platform`: `given` (by --token-url or KENAR_TOKEN_URL), the
/// profile's `token_url`, or Divar's. `None` on the legacy platform, which exchanges
/// codes under the API's base URL: there `--token-url` is a mistake, while the variable
/// and the config key may be set for the other platform.
fn token_url(
    settings: &Settings,
    given: Option<String>,
    platform: Platform,
) -> Result<Option<Url>, Error> {
    let Some(default) = platform.token_url() else {
        if given.is_some() && settings.source(&TOKEN_URL, true) == TOKEN_URL.flag {
            return Err(Error::invalid(
                "--token-url: the legacy platform exchanges codes under the API's base URL \
                 (--base-url); the token endpoint is the current platform's (give --platform \
                 current)",
            ));
        }
        return Ok(None);
    };
    let (url, source) = settings.endpoint(&TOKEN_URL, given, |c| c.token_url, default)?;
    // The request carries the client secret.
    client::check_base_url(&source, &url)?;
    Ok(Some(url))
}

fn exchange_code(args: TokenArgs, settings: &Settings, verbosity: Verbosity) -> Result<()> {
    let exchange = Exchange::prepare(args.exchange, settings, verbosity)?;
    let scopes = args.scopes.collect(exchange.platform)?;
    let code = redirect::code_from_input(&args.code, args.state.as_deref())
        .map_err(|e| e.prefixed("--code: "))?;
    let redirect_uri = exchange.redirect_uri(args.redirect_uri)?;
    if scopes.is_empty() {
        output::note(
            "warning: no scope flag (--chat, --conversation, --post-chats, --supplier-chats or \
             --scope) given: unless the token endpoint says which it granted, the token is \
             stored without scopes, so `send` will not pick it; give the scopes the user granted",
        );
    }
    let token = exchange.redeem(&code, redirect_uri.as_deref())?;
    exchange.keep(&scopes, token, redirect_uri)
}

fn login(args: LoginArgs, settings: &Settings, verbosity: Verbosity) -> Result<()> {
    if args.wait == 0 {
        return Err(Error::invalid("--wait: must be a positive number of seconds").into());
    }
    let wait = Duration::from_secs(args.wait);
    let exchange = Exchange::prepare(args.exchange, settings, verbosity)?;
    let scopes = args.scopes.collect(exchange.platform)?;
    let (request, url) = oauth_url::authorization(
        settings,
        exchange.platform,
        Some(exchange.app.client_id.clone()),
        args.redirect_uri,
        args.auth_url,
        scopes.clone(),
        args.state,
    )?;
    let redirect_uri = Url::parse(&request.redirect_uri)
        .map_err(|e| Error::invalid(format!("--redirect-uri: {e}")))?;
    let code = match loopback::addresses(&redirect_uri) {
        Some(addresses) => crate::cli::block_on(async {
            let listener = RedirectListener::bind(&redirect_uri, &addresses)
                .await
                .map_err(|(address, e)| {
                    Error::invalid(format!(
                        "--redirect-uri {redirect_uri}: cannot listen on {address} for the \
                         browser's redirect ({e}); use a free port, registered with the app"
                    ))
                })?;
            invite(&url, args.open);
            output::note(&format!(
                "Waiting for the browser to come back to {redirect_uri} ..."
            ));
            let ignored = |e: &Error| {
                output::note(&format!(
                    "warning: ignored a request to {redirect_uri}: {e}; still waiting"
                ));
            };
            anyhow::Ok(listener.code(&request.state, wait, ignored).await?)
        })??,
        None => {
            invite(&url, args.open);
            pasted_code(&request.state, wait)?
        }
    };
    let redirect_uri = (exchange.platform == Platform::Current).then_some(request.redirect_uri);
    let token = exchange.redeem(&code, redirect_uri.as_deref())?;
    exchange.keep(&scopes, token, redirect_uri)
}

/// Shows the authorization URL, and opens it when asked.
fn invite(url: &Url, open: bool) {
    output::note(&format!(
        "Open this address in a browser and grant access:\n\n  {url}\n"
    ));
    if !open {
        return;
    }
    let opened = match no_browser() {
        Some(reason) => Err(reason.to_owned()),
        None => opener::open_browser(url.as_str()).map_err(|e| e.to_string()),
    };
    match opened {
        Ok(()) => output::note("Asked the browser to open it."),
        Err(reason) => output::note(&format!(
            "warning: cannot open a browser ({reason}); open the address above yourself"
        )),
    }
}

/// Why no browser can be opened, when that is known before trying. On Linux and the BSDs
/// a browser needs `$BROWSER` or a graphical session, and without them `xdg-open` fails
/// after it has been started, where its failure is not seen.
fn no_browser() -> Option<&'static str> {
    let graphical = ["BROWSER", "DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()));
    (cfg!(all(unix, not(target_os = "macos"))) && !graphical)
        .then_some("$BROWSER is not set and there is no graphical display")
}

/// The code from the redirect URL the user pastes, waiting at most `wait`.
fn pasted_code(state: &str, wait: Duration) -> Result<String> {
    if std::io::stdin().is_terminal() {
        output::note("Then paste the address your browser was sent to, and press Enter:");
    }
    let (sender, receiver) = mpsc::channel();
    // A thread, because reading a line cannot be given up on; it ends with the process.
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = std::io::stdin()
            .lock()
            .take(MAX_INPUT_BYTES as u64)
            .read_line(&mut line)
            .map(|_| line);
        let _ = sender.send(read);
    });
    match receiver.recv_timeout(wait) {
        Ok(Ok(line)) if !line.trim().is_empty() => {
            Ok(redirect::code_from_input(&line, Some(state))?)
        }
        Ok(Ok(_)) => Err(Error::invalid("standard input: no redirect URL was given").into()),
        Ok(Err(e)) => Err(Error::invalid(format!("standard input: cannot read: {e}")).into()),
        Err(_) => Err(Error::Unavailable(format!(
            "no redirect URL was pasted within {} s; start again",
            wait.as_secs()
        ))
        .into()),
    }
}

/// Everything an exchange needs, read and checked before anything is sent or awaited, so
/// that a missing secret or an unreadable store shows before the user goes to the browser.
struct Exchange<'a> {
    settings: &'a Settings,
    platform: Platform,
    connection: Connection,
    verbosity: Verbosity,
    app: AppCredentials,
    endpoint: TokenEndpoint,
    show_secrets: bool,
    output: Format,
}

/// Where codes are exchanged, and what the exchange needs there besides the app.
enum TokenEndpoint {
    /// Under the API's base URL, with the API key.
    Legacy { api_key: SecretString },
    /// On the OAuth server.
    Current { token_url: Url },
}

impl<'a> Exchange<'a> {
    fn prepare(args: ExchangeArgs, settings: &'a Settings, verbosity: Verbosity) -> Result<Self> {
        let platform = args.platform.resolve(settings)?;
        let connection = args.connection.check(settings)?;
        let token_url = token_url(settings, args.app.token_url.clone(), platform)?;
        let mut problems = Vec::new();
        let app = app_credentials(settings, &args.app, &mut problems)?;
        let endpoint = match token_url {
            Some(token_url) => Some(TokenEndpoint::Current { token_url }),
            None => match args.key.read()? {
                Some(api_key) => Some(TokenEndpoint::Legacy { api_key }),
                None => {
                    problems.push(ApiKeyArgs::MISSING.to_owned());
                    None
                }
            },
        };
        // An unreadable credentials file is reported now, before the code is spent.
        profile::store()?;
        let (Some(app), Some(endpoint)) = (app, endpoint) else {
            return Err(Error::Invalid(problems).into());
        };
        Ok(Exchange {
            settings,
            platform,
            connection,
            verbosity,
            app,
            endpoint,
            show_secrets: args.show_secrets,
            output: args.output,
        })
    }

    /// The redirect URI the current platform's exchange sends, from its flag, its variable
    /// or the profile's config; `None` on the legacy platform, which does not send it.
    fn redirect_uri(&self, given: Option<String>) -> Result<Option<String>, Error> {
        if self.platform == Platform::Legacy {
            return Ok(None);
        }
        let uri = self
            .settings
            .or_config(given, |c| c.redirect_uri)?
            .ok_or_else(|| self.settings.missing(&REDIRECT_URI))?;
        Ok(Some(uri))
    }

    /// Exchanges `code`; `redirect_uri` is the one the code came back to (the current
    /// platform sends it).
    fn redeem(&self, code: &str, redirect_uri: Option<&str>) -> Result<Token> {
        let request = match (&self.endpoint, redirect_uri) {
            (TokenEndpoint::Legacy { api_key }, _) => token::exchange_request(
                &self.connection.api.url(Platform::Legacy),
                code,
                &self.app,
                api_key,
            ),
            (TokenEndpoint::Current { token_url }, redirect_uri) => token::form_request(
                token_url,
                Grant::Code {
                    code,
                    redirect_uri: redirect_uri.unwrap_or_default(),
                },
                &self.app,
            ),
        };
        let answer = self.connection.execute(&request, self.verbosity)?;
        Ok(token::read_answer(&answer, unix_now(), self.platform)?)
    }

    /// Stores the token for its scopes (those the answer names, else `asked`) and reports
    /// it.
    fn keep(self, asked: &[Scope], token: Token, redirect_uri: Option<String>) -> Result<()> {
        let expires = token.expires;
        let answer = json!({
            "access_token": self.reveal(&token.access_token),
            "refresh_token": token.refresh_token.as_ref().map(|t| self.reveal(t)),
            "expires": expires.to_string(),
        });
        let profile = self.settings.profile();
        // Read again, locked: other runs may have stored tokens while this one waited, and
        // may be storing one now.
        let (_lock, mut store) = profile::store_to_change()?;
        store.put(profile, StoredToken::new(asked, token, redirect_uri));
        save(&store)?;
        let report = match self.output {
            Format::Json => output::json(&answer),
            Format::Text => output::line(&format!(
                "stored the access token of profile {profile:?} in {}; it expires at {}",
                store.path().display(),
                rfc3339(expires)
            )),
        };
        output::report_of("the token was stored", report)
    }

    fn reveal(&self, secret: &SecretString) -> Value {
        secret.shown(self.show_secrets).into()
    }
}

/// The app's client ID (from its flag, its variable or the profile's config) and secret
/// (from its file or its variable); `None`, with what is missing in `problems`, without
/// both.
fn app_credentials(
    settings: &Settings,
    args: &AppArgs,
    problems: &mut Vec<String>,
) -> Result<Option<AppCredentials>, Error> {
    let client_id = settings.or_config(args.client_id.clone(), |c| c.client_id)?;
    let client_secret = credentials::client_secret(args.client_secret_file.as_deref())?;
    if client_id.is_none() {
        problems.push(settings.missing(&CLIENT_ID).to_string());
    }
    if client_secret.is_none() {
        problems.push(
            "client secret: missing (set KENAR_CLIENT_SECRET or give --client-secret-file)"
                .to_owned(),
        );
    }
    Ok(client_id
        .zip(client_secret)
        .map(|(client_id, client_secret)| AppCredentials {
            client_id,
            client_secret,
        }))
}

/// `oauth refresh`: refreshes every stored token of the profile that the scope flags
/// select (all of them without flags) and that can be refreshed.
fn refresh_stored(args: &RefreshArgs, settings: &Settings, verbosity: Verbosity) -> Result<()> {
    let scopes: Vec<String> = args
        .scopes
        .collect(Platform::Current)?
        .iter()
        .map(Scope::to_string)
        .collect();
    let connection = args.connection.check(settings)?;
    let token_url = token_url(settings, args.app.token_url.clone(), Platform::Current)?;
    let mut problems = Vec::new();
    let app = app_credentials(settings, &args.app, &mut problems)?;
    let (Some(app), Some(token_url)) = (app, token_url) else {
        return Err(Error::Invalid(problems).into());
    };
    let refresher = Refresher {
        dir: profile::dir()?,
        profile: settings.profile().to_owned(),
        token_url,
        app,
    };
    let selected: Vec<StoredToken> = profile::store()?
        .tokens(&refresher.profile)
        .iter()
        .filter(|token| scopes.is_empty() || token.has_scopes(&scopes))
        .cloned()
        .collect();
    let (refreshable, fixed): (Vec<_>, Vec<_>) =
        selected.into_iter().partition(StoredToken::can_refresh);
    let which = if scopes.is_empty() {
        String::new()
    } else {
        format!(" for {}", scopes.join(" "))
    };
    if refreshable.is_empty() {
        return Err(Error::invalid(match fixed.len() {
            0 => format!(
                "no stored token of profile {:?}{which}: log in with `kenar-chat oauth login`",
                refresher.profile
            ),
            n => format!(
                "{n} stored token(s) of profile {:?}{which}, none of which can be refreshed \
                 (a token can be when it was granted on the current platform with \
                 offline_access): log in again with `kenar-chat oauth login --platform \
                 current --offline`",
                refresher.profile
            ),
        })
        .into());
    }
    let mut renewals = Vec::new();
    for stale in &refreshable {
        renewals.push(refresher.refresh(stale, |request| connection.execute(request, verbosity))?);
    }
    let report = match args.output {
        Format::Json => output::json(&Value::Array(
            renewals
                .iter()
                .map(|renewal| {
                    let token = renewal.token();
                    let reveal = |secret: &SecretString| secret.shown(args.show_secrets).to_owned();
                    json!({
                        "profile": refresher.profile,
                        "scopes": token.scopes,
                        "expires": token.expires,
                        "refreshed": matches!(renewal, Renewal::Refreshed(_)),
                        "access_token": reveal(&token.access_token),
                        "refresh_token": token.refresh_token.as_ref().map(reveal),
                    })
                })
                .collect(),
        )),
        Format::Text => {
            let lines: Vec<String> = renewals
                .iter()
                .map(|renewal| {
                    let token = renewal.token();
                    let how = match renewal {
                        Renewal::Refreshed(_) => "refreshed",
                        Renewal::AlreadyRefreshed(_) => "already refreshed by another run",
                    };
                    format!(
                        "{}: {how}; it now expires at {}",
                        refresher.describe(token),
                        rfc3339(token.expires)
                    )
                })
                .collect();
            output::line(&lines.join("\n"))
        }
    };
    output::report_of("the tokens were refreshed", report)
}

fn list(args: &TokensArgs) -> Result<()> {
    let store = profile::store()?;
    let now = unix_now();
    let tokens: Vec<_> = store
        .all()
        .filter(|(profile, _)| args.profile.as_deref().is_none_or(|p| p == *profile))
        .collect();
    match args.output {
        Format::Json => output::json(&Value::Array(
            tokens
                .iter()
                .map(|(profile, token)| {
                    json!({
                        "profile": profile,
                        "scopes": token.scopes,
                        "expires": token.expires,
                        "expired": token.is_expired(now),
                        "refreshable": token.can_refresh(),
                    })
                })
                .collect(),
        )),
        Format::Text if tokens.is_empty() => {
            output::line(&format!("no stored tokens (in {})", store.path().display()))
        }
        Format::Text => {
            let lines: Vec<String> = tokens
                .iter()
                .map(|(profile, token)| {
                    let scopes = if token.scopes.is_empty() {
                        "(no scopes)".to_owned()
                    } else {
                        token.scopes.join(" ")
                    };
                    let state = if token.is_expired(now) {
                        "expired"
                    } else {
                        "expires"
                    };
                    let refreshable = if token.can_refresh() {
                        ", refreshable"
                    } else {
                        ""
                    };
                    format!(
                        "{profile}  {state} {}{refreshable}  {scopes}",
                        rfc3339(token.expires)
                    )
                })
                .collect();
            output::line(&lines.join("\n"))
        }
    }
}

fn forget(args: &ForgetArgs, settings: &Settings) -> Result<()> {
    let platform = args.platform.resolve(settings)?;
    let scopes: Vec<String> = args
        .scopes
        .collect(platform)?
        .iter()
        .map(Scope::to_string)
        .collect();
    let (_lock, mut store) = profile::store_to_change()?;
    let now = unix_now();
    let removed = store.remove(settings.profile(), |token| {
        (!args.expired || token.is_expired(now)) && (scopes.is_empty() || token.has_scopes(&scopes))
    });
    if removed > 0 {
        save(&store)?;
    }
    output::line(&format!(
        "forgot {removed} token{} of profile {:?}",
        if removed == 1 { "" } else { "s" },
        settings.profile()
    ))
}

fn save(store: &CredentialStore) -> Result<()> {
    store
        .save()
        .with_context(|| format!("writing the credentials file {}", store.path().display()))
}
