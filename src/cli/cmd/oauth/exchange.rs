//! `oauth token` and `oauth login`: exchange an authorization code for a token, and store
//! it.

use std::io::{BufRead as _, IsTerminal as _, Read as _};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Args;
use kenar_chat::Error;
use kenar_chat::auth::authorize::AuthorizationRequest;
use kenar_chat::auth::loopback::{self, RedirectListener};
use kenar_chat::auth::oauth_error::{ClientSources, Step};
use kenar_chat::auth::redirect;
use kenar_chat::auth::store::StoredToken;
use kenar_chat::auth::token::{self, AppCredentials, Grant, Token};
use kenar_chat::auth::token_answer;
use kenar_chat::input::MAX_INPUT_BYTES;
use kenar_chat::platform::Platform;
use kenar_chat::scope::Scope;
use kenar_chat::secret::SecretString;
use kenar_chat::time::{rfc3339, unix_now};
use serde_json::{Value, json};
use url::Url;

use crate::cli::output::{self, Format};
use crate::cli::prompt;
use crate::cli::report::Verbosity;
use crate::cli::settings::{REDIRECT_URI, Settings};
use crate::cli::shared::authorization::{AuthorizationArgs, authorization, token_url};
use crate::cli::shared::connection::{Connection, ConnectionArgs};
use crate::cli::shared::credentials::{ApiKeyArgs, AppArgs, ClientIdArgs, app_credentials};
use crate::cli::shared::oauth_refusal;
use crate::cli::shared::platform::PlatformArgs;
use crate::cli::shared::profile::{self, ProfileArgs, save};
use crate::cli::shared::scopes::ScopeFlags;
use crate::cli::shared::seconds;
use crate::cli::shared::tokens::transport;

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
    #[arg(long, value_name = "CODE|URL", allow_hyphen_values = true)]
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
    pub client: ClientIdArgs,
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
    pub authorization: AuthorizationArgs,
    #[command(flatten)]
    pub scopes: ScopeFlags,
    /// Open the authorization URL in the default browser ($BROWSER when set)
    #[arg(long)]
    pub open: bool,
    /// Give up waiting for the redirect after this many seconds
    #[arg(long, value_name = "SECS", default_value = "300", value_parser = seconds::positive)]
    pub wait: Duration,
    /// When Divar refuses the scopes with invalid_scope, ask for each scope alone and say
    /// which ones it refuses (offered at a terminal without this flag)
    #[arg(long)]
    pub each_scope: bool,
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

pub fn exchange_code(args: TokenArgs, settings: &Settings, verbosity: Verbosity) -> Result<()> {
    let exchange = Exchange::prepare(args.exchange, &args.client, settings, verbosity)?;
    let scopes = args.scopes.requested(exchange.platform, settings)?;
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
    let token = exchange.redeem(&code, redirect_uri.as_deref(), None, &scopes)?;
    exchange.keep(&scopes, token, redirect_uri)
}

pub fn login(args: LoginArgs, settings: &Settings, verbosity: Verbosity) -> Result<()> {
    let wait = args.wait;
    let exchange = Exchange::prepare(
        args.exchange,
        &args.authorization.client,
        settings,
        verbosity,
    )?;
    let scopes = args.scopes.requested(exchange.platform, settings)?;
    let auth_url = args.authorization.auth_url.clone();
    // The client ID as the exchange resolved it, wherever it came from.
    let asked = AuthorizationArgs {
        client: ClientIdArgs {
            client_id: Some(exchange.app.client_id.clone()),
        },
        ..args.authorization
    };
    let (request, url) = authorization(settings, exchange.platform, asked, scopes.clone())?;
    let redirect_uri = Url::parse(&request.redirect_uri)
        .map_err(|e| Error::invalid(format!("--redirect-uri: {e}")))?;
    let code = match await_code(&request, &url, &redirect_uri, args.open, wait) {
        Err(e) if is_invalid_scope(&e) && scopes.len() > 1 => {
            let each = args.each_scope || prompt::offer_each_scope()?;
            if !each {
                output::note(
                    "note: `oauth login --each-scope` asks for each scope alone and says which \
                     ones Divar refuses",
                );
                return Err(e);
            }
            output::note(&format!("error: {e:#}"));
            let trial = ScopeTrial {
                settings,
                platform: exchange.platform,
                client_id: &exchange.app.client_id,
                redirect_uri: &redirect_uri,
                auth_url,
                open: args.open,
                wait,
            };
            trial.run(&scopes)?;
            return Err(e);
        }
        result => result?,
    };
    let received = Instant::now();
    let redirect_uri = (exchange.platform == Platform::Current).then_some(request.redirect_uri);
    let token = exchange.redeem(&code, redirect_uri.as_deref(), Some(received), &scopes)?;
    exchange.keep(&scopes, token, redirect_uri)
}

/// Whether `error` is Divar's refusal of a scope at the authorization step.
fn is_invalid_scope(error: &anyhow::Error) -> bool {
    matches!(
        error.downcast_ref::<Error>(),
        Some(Error::OAuth(refusal)) if refusal.error.code == "invalid_scope"
    )
}

/// Asking for each scope of a refused login alone, to find the ones Divar refuses.
struct ScopeTrial<'a> {
    settings: &'a Settings,
    platform: Platform,
    client_id: &'a str,
    redirect_uri: &'a Url,
    /// The login's `--auth-url`, when given.
    auth_url: Option<String>,
    open: bool,
    wait: Duration,
}

impl ScopeTrial<'_> {
    /// Asks for each scope in turn (a code that comes back is not exchanged) and reports
    /// which Divar refuses.
    fn run(&self, scopes: &[Scope]) -> Result<()> {
        let mut refused = Vec::new();
        let mut granted = Vec::new();
        for scope in scopes {
            output::note(&format!(
                "Asking for {scope} alone (a code that comes back is not used):"
            ));
            let alone = AuthorizationArgs {
                client: ClientIdArgs {
                    client_id: Some(self.client_id.to_owned()),
                },
                redirect_uri: Some(self.redirect_uri.to_string()),
                state: None,
                auth_url: self.auth_url.clone(),
            };
            let (request, url) =
                authorization(self.settings, self.platform, alone, vec![scope.clone()])?;
            match await_code(&request, &url, self.redirect_uri, self.open, self.wait) {
                Ok(_) => granted.push(scope.to_string()),
                Err(e) if is_invalid_scope(&e) => refused.push(scope.to_string()),
                Err(e) => match e.downcast::<Error>() {
                    Ok(Error::OAuth(refusal)) => output::note(&format!(
                        "{scope}: not decided ({}); the user did not grant it",
                        refusal.error.shown_code()
                    )),
                    Ok(Error::Denied(_)) => {
                        output::note(&format!("{scope}: not decided; the user did not grant it"));
                    }
                    Ok(other) => return Err(other.into()),
                    Err(other) => return Err(other),
                },
            }
        }
        let list = |scopes: &[String]| {
            if scopes.is_empty() {
                "none".to_owned()
            } else {
                scopes.join(" ")
            }
        };
        output::note(&format!(
            "Divar refuses these scopes for this app (invalid_scope): {}\nit accepts: {}\n\
             A production app must have each scope opened by a ticket in the Kenar panel; log \
             in again without the refused ones, or once they are opened. Nothing was stored.",
            list(&refused),
            list(&granted)
        ));
        Ok(())
    }
}

/// Shows the authorization URL and waits for the redirect back: on a loopback redirect URI
/// by listening there, else by reading the URL the user pastes.
fn await_code(
    request: &AuthorizationRequest,
    url: &Url,
    redirect_uri: &Url,
    open: bool,
    wait: Duration,
) -> Result<String> {
    Ok(match loopback::addresses(redirect_uri) {
        Some(addresses) => crate::cli::block_on(async {
            let listener = RedirectListener::bind(redirect_uri, &addresses)
                .await
                .map_err(|(address, e)| {
                    Error::invalid(format!(
                        "--redirect-uri {redirect_uri}: cannot listen on {address} for the \
                         browser's redirect ({e}); use a free port, registered with the app"
                    ))
                })?;
            invite(url, open);
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
            invite(url, open);
            pasted_code(&request.state, wait)?
        }
    })
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
    /// Where the client ID and secret came from, for an `invalid_client`.
    client: ClientSources,
}

/// Where codes are exchanged, and what the exchange needs there besides the app.
enum TokenEndpoint {
    /// Under the API's base URL, with the API key.
    Legacy { api_key: SecretString },
    /// On the OAuth server.
    Current { token_url: Url },
}

impl<'a> Exchange<'a> {
    fn prepare(
        args: ExchangeArgs,
        client: &ClientIdArgs,
        settings: &'a Settings,
        verbosity: Verbosity,
    ) -> Result<Self> {
        let platform = args.platform.resolve(settings)?;
        let connection = args.connection.check(settings)?;
        let token_url = token_url(settings, args.app.token_url.clone(), platform)?;
        let mut problems = Vec::new();
        let app = app_credentials(settings, client, &args.app, &mut problems)?;
        let client = oauth_refusal::client_sources(
            settings,
            client.client_id.is_some(),
            args.app.client_secret_file.as_deref(),
        );
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
            client,
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

    /// Exchanges `code` for `scopes`; `redirect_uri` is the one the code came back to (the
    /// current platform sends it), `received` when this run received the code.
    fn redeem(
        &self,
        code: &str,
        redirect_uri: Option<&str>,
        received: Option<Instant>,
        scopes: &[Scope],
    ) -> Result<Token> {
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
        let sent = transport(self.connection.clone(), self.verbosity)(&request);
        let step = || Step::Exchange {
            host: token::endpoint_name(&request.url),
            redirect_uri: redirect_uri.map(str::to_owned),
            client_id: self.app.client_id.clone(),
            received_secs_ago: received.map(|at| at.elapsed().as_secs()),
        };
        let token = sent
            .and_then(|answer| {
                token_answer::check_token_answer(&answer, step)?;
                token::read_answer(&answer, unix_now(), self.platform)
            })
            .map_err(|e| {
                let scopes: Vec<String> = scopes.iter().map(Scope::to_string).collect();
                let login = oauth_refusal::login_command(self.platform, &scopes, self.settings);
                let e = oauth_refusal::explained(
                    e,
                    Some(&self.client),
                    &login,
                    self.verbosity,
                    self.output,
                );
                token::from_endpoint(&request.url, e)
            })?;
        Ok(token)
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
