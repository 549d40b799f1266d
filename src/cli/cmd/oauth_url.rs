//! `kenar-chat oauth-url`: the authorization URL that asks a user for scopes.

use anyhow::Result;
use clap::Args;
use kenar_chat::scope::Scope;
use serde_json::json;

use crate::cli::output::{self, Format};
use crate::cli::prompt;
use crate::cli::settings::Settings;
use crate::cli::shared::authorization::{AuthorizationArgs, authorization};
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
    #[command(flatten)]
    pub authorization: AuthorizationArgs,
    #[command(flatten)]
    pub scopes: ScopeFlags,
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
    let mut authorization_args = args.authorization;
    let client_id = &mut authorization_args.client.client_id;
    if args.interactive
        && client_id.is_none()
        && settings.or_config(None, |c| c.client_id)?.is_none()
    {
        *client_id = Some(prompt::client_id()?);
    }
    let redirect_uri = &mut authorization_args.redirect_uri;
    if args.interactive
        && redirect_uri.is_none()
        && settings.or_config(None, |c| c.redirect_uri)?.is_none()
    {
        *redirect_uri = Some(prompt::redirect_uri()?);
    }
    if args.interactive && scopes.is_empty() {
        scopes = prompt::scopes::scopes(platform)?;
    }
    let generated = authorization_args.state.is_none();
    let (request, url) = authorization(settings, platform, authorization_args, scopes)?;
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
