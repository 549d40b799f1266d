//! `kenar-chat oauth-url`: the authorization URL that asks a user for scopes.

use anyhow::Result;
use clap::Args;
use kenar_chat::scope::Scope;
use serde_json::json;

use crate::cli::output::{self, Format};
use crate::cli::prompt;
use crate::cli::settings::Settings;
use crate::cli::shared::authorization::authorization;
use crate::cli::shared::platform::PlatformArgs;
use crate::cli::shared::profile::ProfileArgs;
use crate::cli::shared::scopes::ScopeFlags;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat oauth-url --client-id my-app --redirect-uri https://my-app.example/callback \\
      --chat e9ba8a81-9583-4f7c-af54-b07df089d971:AZf3Uqr3:1697004f-e902-44c2-bbbe-bf8e20d54bff
  kenar-chat oauth-url --client-id my-app --redirect-uri https://my-app.example/callback \\
      --post-chats AZf3Uqr3 --scope USER_PHONE --state my-state -o json
  kenar-chat oauth-url --platform current --client-id my-app \\
      --redirect-uri https://my-app.example/callback --conversation CONVERSATION_ID --offline
  kenar-chat oauth-url --interactive --client-id my-app")]
pub struct OauthUrlArgs {
    /// The app's slug from the Kenar panel
    #[arg(long, env = "KENAR_CLIENT_ID")]
    pub client_id: Option<String>,
    /// Where Divar sends the user back: absolute http(s), registered, no query string
    #[arg(long, env = "KENAR_REDIRECT_URI")]
    pub redirect_uri: Option<String>,
    #[command(flatten)]
    pub scopes: ScopeFlags,
    /// The state echoed back on return; a random 128-bit value when not given
    #[arg(long)]
    pub state: Option<String>,
    /// The authorization endpoint [default: https://open-platform-redirect.divar.ir/oauth,
    /// or https://oauth.divar.ir/oauth2/auth on the current platform]
    #[arg(long, env = "KENAR_OAUTH_URL")]
    pub auth_url: Option<String>,
    #[command(flatten)]
    pub platform: PlatformArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Print the URL alone (text) or {"url", "state", "scopes"} (json)
    #[arg(short, long, value_enum, default_value_t)]
    pub output: Format,
    /// Ask at the terminal for the client ID and redirect URI when missing, and (on the legacy
    /// platform) for the scopes when no scope flag is given
    #[arg(short, long)]
    pub interactive: bool,
}

pub fn run(args: OauthUrlArgs, settings: &Settings) -> Result<()> {
    if args.interactive {
        prompt::start("--interactive")?;
    }
    let platform = args.platform.resolve(settings)?;
    let mut scopes = args.scopes.requested(platform, settings)?;
    // A value from the config file is left for `authorization` to read, so that its
    // errors name the config key rather than the flag.
    let client_id = match args.client_id {
        None if args.interactive && settings.or_config(None, |c| c.client_id)?.is_none() => {
            Some(prompt::client_id()?)
        }
        given => given,
    };
    let redirect_uri = match args.redirect_uri {
        None if args.interactive && settings.or_config(None, |c| c.redirect_uri)?.is_none() => {
            Some(prompt::redirect_uri()?)
        }
        given => given,
    };
    if args.interactive && scopes.is_empty() {
        scopes = prompt::scopes::scopes(platform)?;
    }
    let generated = args.state.is_none();
    let (request, url) = authorization(
        settings,
        platform,
        client_id,
        redirect_uri,
        args.auth_url,
        scopes,
        args.state,
    )?;
    match args.output {
        Format::Json => output::json(&json!({
            "url": url.as_str(),
            "state": request.state,
            "scopes": request.scopes.iter().map(Scope::to_string).collect::<Vec<_>>(),
        })),
        Format::Text => {
            if generated {
                output::note(&format!(
                    "state: {} (check that the redirect carries it back)",
                    request.state
                ));
            }
            output::line(url.as_str())
        }
    }
}
