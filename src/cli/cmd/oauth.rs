//! `kenar-chat oauth`: exchange an authorization code for an access token, log in from the
//! terminal, and list or forget the stored tokens.

use std::io::{BufRead as _, IsTerminal as _, Read as _};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand, ValueHint};
use kenar_chat::Error;
use kenar_chat::input::MAX_INPUT_BYTES;
use kenar_chat::loopback::{self, RedirectListener};
use kenar_chat::platform::Platform;
use kenar_chat::redirect;
use kenar_chat::scope::{Recipient, Scope};
use kenar_chat::secret::SecretString;
use kenar_chat::store::{self, CredentialStore, Lookup, StoredToken, rfc3339, unix_now};
use kenar_chat::token::{self, AppCredentials, Token};
use serde_json::{Value, json};
use url::Url;

use crate::cli::cmd::oauth_url::{self, ScopeFlags};
use crate::cli::connection::{Connection, ConnectionArgs};
use crate::cli::credentials::{self, ApiKeyArgs};
use crate::cli::output::{self, Format};
use crate::cli::profile::{self, CLIENT_ID, ProfileArgs};
use crate::cli::report::Verbosity;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat oauth login --client-id my-app --redirect-uri http://127.0.0.1:8765/callback \\
      --post-chats AZf3Uqr3 --open
  kenar-chat oauth token --client-id my-app --post-chats AZf3Uqr3 \\
      --code 'https://my-app.example/callback?state=S&code=C' --state S
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
  kenar-chat oauth token --client-id my-app --post-chats AZf3Uqr3 --code C -o json --show-secrets")]
pub struct TokenArgs {
    /// The code, or the whole redirect URL the browser landed on
    #[arg(long, value_name = "CODE|URL")]
    pub code: String,
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
      --chat USER:AZf3Uqr3:PEER --profile shop")]
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
    /// The authorization endpoint [default: https://open-platform-redirect.divar.ir/oauth]
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
    /// The app's slug from the Kenar panel
    #[arg(long, env = "KENAR_CLIENT_ID")]
    pub client_id: Option<String>,
    /// Read the app's client secret from this file (instead of KENAR_CLIENT_SECRET)
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub client_secret_file: Option<PathBuf>,
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

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat oauth tokens
  kenar-chat oauth tokens --profile shop -o json")]
pub struct TokensArgs {
    /// Only this profile's tokens (every profile's when not given)
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// One line per token (text) or an array of {profile, scopes, expires, expired} (json)
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
    // When given, only the token stored for exactly these scopes.
    #[command(flatten)]
    pub scopes: ScopeFlags,
    /// Only tokens that have expired
    #[arg(long)]
    pub expired: bool,
}

pub fn run(args: OauthArgs, verbosity: Verbosity) -> Result<()> {
    match args.command {
        OauthCommand::Token(args) => exchange_code(*args, verbosity),
        OauthCommand::Login(args) => login(*args, verbosity),
        OauthCommand::Tokens(args) => list(&args),
        OauthCommand::Forget(args) => forget(&args),
    }
}

/// The stored token of the profile that may send to `to`, `None` when there is none;
/// an error when only expired ones would, saying to log in again.
pub fn stored_token(profile: &ProfileArgs, to: &Recipient) -> Result<Option<SecretString>, Error> {
    let store = profile::store()?;
    match store::find(store.tokens(&profile.profile), to, unix_now()) {
        Lookup::Usable(token) => Ok(Some(token.access_token.clone())),
        Lookup::Expired(token) => Err(Error::invalid(format!(
            "access token: the stored token of profile {:?} for this chat expired at {}; log in \
             again with `kenar-chat oauth login`",
            profile.profile,
            rfc3339(token.expires)
        ))),
        Lookup::Missing => Ok(None),
    }
}

fn exchange_code(args: TokenArgs, verbosity: Verbosity) -> Result<()> {
    let scopes = args.scopes.collect()?;
    let code = redirect::code_from_input(&args.code, args.state.as_deref())
        .map_err(|e| e.prefixed("--code: "))?;
    let exchange = Exchange::prepare(args.exchange, verbosity)?;
    if scopes.is_empty() {
        output::note(
            "warning: no --chat, --post-chats or --scope given: the token is stored without \
             scopes, so `send` will not pick it; give the scopes the user granted",
        );
    }
    let token = exchange.redeem(&code)?;
    exchange.keep(&scopes, token)
}

fn login(args: LoginArgs, verbosity: Verbosity) -> Result<()> {
    let scopes = args.scopes.collect()?;
    if args.wait == 0 {
        return Err(Error::invalid("--wait: must be a positive number of seconds").into());
    }
    let wait = Duration::from_secs(args.wait);
    let exchange = Exchange::prepare(args.exchange, verbosity)?;
    let (request, url) = oauth_url::authorization(
        &exchange.profile,
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
    let token = exchange.redeem(&code)?;
    exchange.keep(&scopes, token)
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
struct Exchange {
    connection: Connection,
    verbosity: Verbosity,
    app: AppCredentials,
    profile: ProfileArgs,
    show_secrets: bool,
    output: Format,
}

impl Exchange {
    fn prepare(args: ExchangeArgs, verbosity: Verbosity) -> Result<Self> {
        let connection = args.connection.check(&args.profile)?;
        let client_id = args.profile.or_config(args.client_id, |c| c.client_id)?;
        let client_secret = credentials::client_secret(args.client_secret_file.as_deref())?;
        let api_key = args.key.read()?;
        // An unreadable credentials file is reported now, before the code is spent.
        profile::store()?;
        let app = match (client_id, client_secret, api_key) {
            (Some(client_id), Some(client_secret), Some(api_key)) => AppCredentials {
                client_id,
                client_secret,
                api_key,
            },
            (client_id, client_secret, api_key) => {
                let mut problems = Vec::new();
                if client_id.is_none() {
                    problems.push(args.profile.missing(&CLIENT_ID).to_string());
                }
                if client_secret.is_none() {
                    problems.push(
                        "client secret: missing (set KENAR_CLIENT_SECRET or give \
                         --client-secret-file)"
                            .to_owned(),
                    );
                }
                if api_key.is_none() {
                    problems.push(ApiKeyArgs::MISSING.to_owned());
                }
                return Err(Error::Invalid(problems).into());
            }
        };
        Ok(Exchange {
            connection,
            verbosity,
            app,
            profile: args.profile,
            show_secrets: args.show_secrets,
            output: args.output,
        })
    }

    fn redeem(&self, code: &str) -> Result<Token> {
        let request =
            token::exchange_request(&self.connection.api.url(Platform::Legacy), code, &self.app);
        let answer = self.connection.execute(&request, self.verbosity)?;
        Ok(token::read_answer(&answer, unix_now())?)
    }

    /// Stores the token for its scopes and reports it.
    fn keep(self, scopes: &[Scope], token: Token) -> Result<()> {
        let expires = token.expires;
        let answer = json!({
            "access_token": self.reveal(&token.access_token),
            "refresh_token": token.refresh_token.as_ref().map(|t| self.reveal(t)),
            "expires": expires.to_string(),
        });
        let profile = &self.profile.profile;
        // Read again, locked: other runs may have stored tokens while this one waited, and
        // may be storing one now.
        let (_lock, mut store) = profile::store_to_change()?;
        store.put(profile, StoredToken::new(scopes, token));
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
                    format!("{profile}  {state} {}  {scopes}", rfc3339(token.expires))
                })
                .collect();
            output::line(&lines.join("\n"))
        }
    }
}

fn forget(args: &ForgetArgs) -> Result<()> {
    let scopes: Vec<String> = args
        .scopes
        .collect()?
        .iter()
        .map(Scope::to_string)
        .collect();
    let (_lock, mut store) = profile::store_to_change()?;
    let now = unix_now();
    let removed = store.remove(&args.profile.profile, |token| {
        (!args.expired || token.is_expired(now)) && (scopes.is_empty() || token.has_scopes(&scopes))
    });
    if removed > 0 {
        save(&store)?;
    }
    output::line(&format!(
        "forgot {removed} token{} of profile {:?}",
        if removed == 1 { "" } else { "s" },
        args.profile.profile
    ))
}

fn save(store: &CredentialStore) -> Result<()> {
    store
        .save()
        .with_context(|| format!("writing the credentials file {}", store.path().display()))
}
