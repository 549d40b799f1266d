//! `oauth refresh`, `oauth tokens` and `oauth forget`: the stored tokens, refreshed,
//! listed or removed.

use anyhow::Result;
use clap::Args;
use kenar_chat::Error;
use kenar_chat::auth::refresh::{Refresher, Renewal};
use kenar_chat::auth::store::StoredToken;
use kenar_chat::platform::Platform;
use kenar_chat::scope::Scope;
use kenar_chat::secret::SecretString;
use kenar_chat::time::{rfc3339, unix_now};
use serde_json::{Value, json};

use crate::cli::output::{self, Format};
use crate::cli::report::Verbosity;
use crate::cli::settings::Settings;
use crate::cli::shared::authorization::token_url;
use crate::cli::shared::connection::ConnectionArgs;
use crate::cli::shared::credentials::{AppArgs, ClientIdArgs, app_credentials};
use crate::cli::shared::oauth_refusal;
use crate::cli::shared::platform::PlatformArgs;
use crate::cli::shared::profile::{self, ProfileArgs, save};
use crate::cli::shared::scopes::ScopeFlags;
use crate::cli::shared::tokens::{token_source, transport};

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
    pub client: ClientIdArgs,
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

/// `oauth refresh`: refreshes every stored token of the profile that the scope flags
/// select (all of them without flags) and that can be refreshed.
pub fn refresh_stored(args: &RefreshArgs, settings: &Settings, verbosity: Verbosity) -> Result<()> {
    let scopes: Vec<String> = args
        .scopes
        .collect(Platform::Current)?
        .iter()
        .map(Scope::to_string)
        .collect();
    let connection = args.connection.check(settings)?;
    let token_url = token_url(settings, args.app.token_url.clone(), Platform::Current)?;
    let mut problems = Vec::new();
    let app = app_credentials(settings, &args.client, &args.app, &mut problems)?;
    let (Some(app), Some(token_url)) = (app, token_url) else {
        return Err(Error::Invalid(problems).into());
    };
    let refresher = Refresher {
        dir: profile::dir()?,
        profile: settings.profile().to_owned(),
        token_url,
        app,
    };
    let mut source = token_source(settings)?;
    source.refresh_with(refresher, transport(connection, verbosity));
    let selected: Vec<StoredToken> = source
        .tokens()
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
                source.profile()
            ),
            n => format!(
                "{n} stored token(s) of profile {:?}{which}, none of which can be refreshed \
                 (a token can be when it was granted on the current platform with \
                 offline_access): log in again with `kenar-chat oauth login --platform \
                 current --offline`",
                source.profile()
            ),
        })
        .into());
    }
    let client = oauth_refusal::client_sources(
        settings,
        args.client.client_id.is_some(),
        args.app.client_secret_file.as_deref(),
    );
    // Each token in turn, every outcome reported: one that fails does not hide those
    // refreshed before it, whose old pair no longer works.
    let outcomes: Vec<(StoredToken, Result<Renewal, Error>)> = refreshable
        .into_iter()
        .map(|stale| {
            let login = oauth_refusal::login_command(Platform::Current, &stale.scopes, settings);
            let outcome = source.refresh_now(&stale).map_err(|e| {
                oauth_refusal::explained(e, Some(&client), &login, verbosity, Format::Text)
            });
            (stale, outcome)
        })
        .collect();
    let report = match args.output {
        Format::Json => output::json(&Value::Array(
            outcomes
                .iter()
                .map(|(stale, outcome)| {
                    let reveal = |secret: &SecretString| secret.shown(args.show_secrets).to_owned();
                    match outcome {
                        Ok(renewal) => {
                            let token = renewal.token();
                            json!({
                                "profile": source.profile(),
                                "scopes": token.scopes,
                                "expires": token.expires,
                                "refreshed": matches!(renewal, Renewal::Refreshed(_)),
                                "access_token": reveal(&token.access_token),
                                "refresh_token": token.refresh_token.as_ref().map(reveal),
                            })
                        }
                        Err(e) => json!({
                            "profile": source.profile(),
                            "scopes": stale.scopes,
                            "expires": stale.expires,
                            "refreshed": false,
                            "error": e.to_string(),
                        }),
                    }
                })
                .collect(),
        )),
        Format::Text => {
            let lines: Vec<String> = outcomes
                .iter()
                .map(|(stale, outcome)| match outcome {
                    Ok(renewal) => {
                        let token = renewal.token();
                        let how = match renewal {
                            Renewal::Refreshed(_) => "refreshed",
                            Renewal::AlreadyRefreshed(_) => "already refreshed by another run",
                        };
                        format!(
                            "{}: {how}; it now expires at {}",
                            source.describe(token),
                            rfc3339(token.expires)
                        )
                    }
                    Err(_) => format!("{}: not refreshed (see below)", source.describe(stale)),
                })
                .collect();
            output::line(&lines.join("\n"))
        }
    };
    let total = outcomes.len();
    let mut failures: Vec<Error> = outcomes
        .into_iter()
        .filter_map(|(_, outcome)| outcome.err())
        .collect();
    if failures.is_empty() {
        return output::report_of("the tokens were refreshed", report);
    }
    report?;
    let failed = failures.len();
    let first = failures.remove(0);
    for other in failures {
        output::note(&format!("error: {other}"));
    }
    // The exit code is the first failure's.
    Err(anyhow::Error::from(first)
        .context(format!("{failed} of {total} stored token(s) not refreshed")))
}

pub fn list(args: &TokensArgs) -> Result<()> {
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
                    let mut listed = json!({
                        "profile": profile,
                        "scopes": token.scopes,
                        "expires": token.expires,
                        "expired": token.is_expired(now),
                        "refreshable": token.can_refresh(),
                    });
                    // Only a token that cannot be sent says so, and why.
                    if let Some(why) = token.unusable() {
                        listed["unusable"] = Value::String(why.to_string());
                    }
                    listed
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
                    let unusable = token
                        .unusable()
                        .map(|why| format!("  (unusable: {why})"))
                        .unwrap_or_default();
                    format!(
                        "{profile}  {state} {}{refreshable}  {scopes}{unusable}",
                        rfc3339(token.expires)
                    )
                })
                .collect();
            output::line(&lines.join("\n"))
        }
    }
}

pub fn forget(args: &ForgetArgs, settings: &Settings) -> Result<()> {
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
