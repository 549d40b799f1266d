//! `kenar-chat oauth doctor`: checks one profile's OAuth setup, one line per check with its
//! fix; it sends no message and changes no stored token.

use anyhow::Result;
use clap::Args;
use kenar_chat::Error;
use kenar_chat::doctor::{self, Given};
use kenar_chat::platform::Platform;
use kenar_chat::time::unix_now;
use serde_json::json;

use crate::cli::output::{self, Format};
use crate::cli::report::Verbosity;
use crate::cli::settings::{CLIENT_ID, REDIRECT_URI, Settings};
use crate::cli::shared::authorization::token_url;
use crate::cli::shared::connection::ConnectionArgs;
use crate::cli::shared::credentials::{ApiKeyArgs, AppArgs, ClientIdArgs, app_credentials};
use crate::cli::shared::oauth_refusal;
use crate::cli::shared::platform::PlatformArgs;
use crate::cli::shared::profile::{self, ProfileArgs};

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat oauth doctor
  kenar-chat oauth doctor --platform current --profile shop -o json")]
pub struct DoctorArgs {
    /// The redirect URI registered for the app
    #[arg(long, env = "KENAR_REDIRECT_URI")]
    pub redirect_uri: Option<String>,
    #[command(flatten)]
    pub platform: PlatformArgs,
    #[command(flatten)]
    pub client: ClientIdArgs,
    #[command(flatten)]
    pub app: AppArgs,
    #[command(flatten)]
    pub key: ApiKeyArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// One line per check (text) or {"passed", "checks": [{"check", "passed", "detail",
    /// "fix"}]} (json)
    #[arg(short, long, value_enum, default_value_t)]
    pub output: Format,
}

/// `oauth doctor`: every check of the profile's setup, reported; an error when one failed.
pub fn run(args: &DoctorArgs, settings: &Settings, verbosity: Verbosity) -> Result<()> {
    let platform = args.platform.resolve(settings)?;
    let connection = args.connection.check(settings)?;
    let client_id = settings.or_config(args.client.client_id.clone(), |c| c.client_id)?;
    let redirect_uri = settings.or_config(args.redirect_uri.clone(), |c| c.redirect_uri)?;
    let given = |value: &Option<String>, setting, flag_given| {
        (
            value.clone(),
            settings.source(setting, flag_given),
            settings.missing(setting).to_string(),
        )
    };
    let (id, id_source, id_missing) =
        given(&client_id, &CLIENT_ID, args.client.client_id.is_some());
    let (uri, uri_source, uri_missing) =
        given(&redirect_uri, &REDIRECT_URI, args.redirect_uri.is_some());
    let mut checks = vec![
        doctor::client_id(&Given {
            value: id.as_deref(),
            source: &id_source,
            missing: &id_missing,
        }),
        doctor::redirect_uri(&Given {
            value: uri.as_deref(),
            source: &uri_source,
            missing: &uri_missing,
        }),
        doctor::configured_scopes(&settings.scopes()?, &settings.scopes_source()),
    ];
    if let Some(token_url) = token_url(settings, args.app.token_url.clone(), platform)? {
        let mut problems = Vec::new();
        let app = app_credentials(settings, &args.client, &args.app, &mut problems)?;
        checks.push(doctor::token_endpoint(
            &token_url,
            app.as_ref(),
            &problems.join("; "),
            uri.as_deref().unwrap_or_default(),
            |request| connection.execute(request, verbosity),
        ));
    }
    let store = profile::store()?;
    checks.extend(doctor::stored_tokens(
        store.tokens(settings.profile()),
        unix_now(),
        |token| oauth_refusal::login_command(platform, &token.scopes, settings),
    ));
    let key = args.key.read()?;
    checks.push(doctor::api_key(
        &connection.api.url(Platform::Current),
        key.as_ref(),
        ApiKeyArgs::MISSING,
        |request| connection.execute(request, verbosity),
    ));
    let failed = checks.iter().filter(|check| !check.passed).count();
    match args.output {
        Format::Json => output::json(&json!({
            "passed": failed == 0,
            "checks": checks.iter().map(doctor::Check::to_json).collect::<Vec<_>>(),
        }))?,
        Format::Text => {
            let lines: Vec<String> = checks.iter().map(doctor::Check::line).collect();
            output::line(&lines.join("\n"))?;
        }
    }
    if failed > 0 {
        return Err(Error::ChecksFailed(failed).into());
    }
    Ok(())
}
