//! `kenar-chat sandbox`: a local Divar to develop and test against, offline.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::{Args, ValueHint};
use kenar_chat::batch::SIGNAL_GRACE;
use kenar_chat::http;
use kenar_chat::http::serve::Stopped;
use kenar_chat::platform::Platform;
use kenar_chat::sandbox::{
    Advice, BoundSandbox, CODE_LIFETIME, Config, DEMO_CONVERSATION, DEMO_PEER, DEMO_POST,
    DEMO_USER, GrantFailures, REFRESH_GRACE, SupplierKey,
};
use kenar_chat::scope::check_path_id;
use kenar_chat::secret::{self, SecretString};
use kenar_chat::time::{LAST_RFC3339_SECOND, unix_now};
use kenar_chat::{Error, error};

use crate::cli::output;
use crate::cli::shared::credentials::DivarKeyArgs;
use crate::cli::shared::signals;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat sandbox
  kenar-chat sandbox --port 0 --data sandbox.db --session-init-url http://127.0.0.1:3000/divar/session
  kenar-chat sandbox --events-url http://127.0.0.1:8800/divar/events
  kenar-chat sandbox --restricted-conversation 5b0e7f3c-2a61-4c8e-9d47-e81f6a3b90c2 --refresh-grace 0

It prints the lines to paste into another shell (KENAR_API_URL, KENAR_UPLOAD_URL,
KENAR_API_KEY, an access token for a demo chat, ...), then serves until Ctrl-C. The chat view is at its URL.
It speaks both platforms: the current one's authorization and token URLs and the demo
conversation's ID are printed too. Every call to the app (clicks, webhooks) carries the
identification key from KENAR_IDENTIFICATION_KEY or --identification-key-file, else one
the sandbox makes and prints.")]
pub struct SandboxArgs {
    /// Listen on this port of 127.0.0.1 (0 picks any free port)
    #[arg(long, default_value_t = 8700)]
    pub port: u16,
    /// Keep messages, tokens and credentials in this SQLite file across restarts
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub data: Option<PathBuf>,
    /// The API key apps must send (generated when not given)
    #[arg(long, value_name = "KEY")]
    pub api_key: Option<String>,
    /// The OAuth client (app slug) the sandbox knows
    #[arg(long, value_name = "SLUG", default_value = "sandbox-app")]
    pub client_id: String,
    /// That client's secret (generated when not given)
    #[arg(long, value_name = "SECRET")]
    pub client_secret: Option<String>,
    /// How long issued access tokens stay valid, in seconds
    #[arg(long, value_name = "SECS", default_value_t = 86_400, value_parser = lifetime)]
    pub token_lifetime: u64,
    /// How long an authorization code can be exchanged, in seconds (Divar: 10 minutes)
    #[arg(long, value_name = "SECS", default_value_t = CODE_LIFETIME.as_secs(), value_parser = lifetime)]
    pub code_lifetime: u64,
    /// How long the old access and refresh tokens keep working after a refresh, in seconds
    /// (Divar: 2 minutes)
    #[arg(long, value_name = "SECS", default_value_t = REFRESH_GRACE.as_secs(), value_parser = lifetime)]
    pub refresh_grace: u64,
    /// A conversation whose recipient refuses the app's messages: sending in it is
    /// answered 412, code 9 (repeatable)
    #[arg(long, value_name = "ID")]
    pub restricted_conversation: Vec<String>,
    /// Sends accepted per minute; past it the API answers 429 with Retry-After
    #[arg(long, value_name = "N", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit: u32,
    /// Sends accepted per UTC day; past it the API answers 429 until midnight UTC
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub daily_limit: Option<u64>,
    /// Hold each answer back this many milliseconds, like a round trip to Divar
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,
    /// The app's session initialization URL, called when a LINK button is clicked in the chat view
    #[arg(long, value_name = "URL", value_hint = ValueHint::Url)]
    pub session_init_url: Option<String>,
    /// The app's dynamic-action URL, called when a get_dynamic_action button is clicked in the
    /// chat view (with the same authorization header as session initialization)
    #[arg(long, value_name = "URL", value_hint = ValueHint::Url)]
    pub dynamic_action_url: Option<String>,
    /// The app's events URL: replies typed in the chat view are delivered there as
    /// NEW_MESSAGE webhooks, while a subscription covers their post
    #[arg(long, value_name = "URL", value_hint = ValueHint::Url)]
    pub events_url: Option<String>,
    #[command(flatten)]
    pub key: DivarKeyArgs,
    /// Spell the seller's key `supplier`, as older documents do, instead of `Supplier`
    #[arg(long)]
    pub lowercase_supplier: bool,
    /// A scope (its permission name) not opened for the app, as at Divar for a production
    /// app: asking for it is refused with invalid_scope (repeatable)
    #[arg(long, value_name = "PERMISSION")]
    pub closed_scope: Vec<String>,
    /// A permission the API key lacks: requests to the endpoints needing it are answered
    /// 403, code 7 (repeatable)
    #[arg(long, value_name = "PERMISSION")]
    pub missing_permission: Vec<String>,
}

pub fn run(args: SandboxArgs) -> Result<()> {
    let config = config(args)?;
    // A key of the user's own is not printed; one the sandbox made is, to paste for listen.
    let own_key = config.identification_key.is_some();
    let events_url = config.events_url.clone();
    if let Some(warning) = config
        .data
        .as_deref()
        .and_then(|path| secret::exposure_warning(path, "--data"))
    {
        output::note(&format!("warning: {warning}"));
    }
    crate::cli::block_on(async {
        let sandbox = BoundSandbox::bind(config).await?;
        // Listen for the signal before saying we are up, so that none is missed.
        let mut signals = signals::listen()?;
        let stop = async move {
            signals.next().await;
        };
        print_environment(&sandbox, own_key, events_url.as_ref())?;
        // Without an events URL no webhook goes out: nothing cut short can have reached an app.
        let webhooks = if events_url.is_some() {
            " (a reply's webhook among them may have reached the app)"
        } else {
            ""
        };
        output::note(&match sandbox.serve(stop, SIGNAL_GRACE).await {
            Stopped::Drained => "sandbox stopped".to_owned(),
            Stopped::CutShort => format!(
                "sandbox stopped: requests still under way after {} were cut short, without \
                 an answer{webhooks}",
                humantime::format_duration(SIGNAL_GRACE)
            ),
        });
        Ok(())
    })?
}

fn config(args: SandboxArgs) -> Result<Config, Error> {
    let mut problems = Vec::new();
    let mut secret = |flag: &str, value: Option<String>| match value {
        Some(v) if v.trim().is_empty() => {
            problems.push(format!("{flag}: must not be empty"));
            None
        }
        other => other.map(SecretString::new),
    };
    let api_key = secret("--api-key", args.api_key);
    let client_secret = secret("--client-secret", args.client_secret);
    if args.client_id.trim().is_empty() {
        problems.push("--client-id: must not be empty".into());
    }
    for id in &args.restricted_conversation {
        if let Err(problem) = check_path_id("--restricted-conversation", id) {
            problems.push(problem);
        }
    }
    let mut app_url = |flag: &str, value: Option<&str>| match value {
        Some(url) => error::gather(http::url::endpoint(flag, url), &mut problems),
        None => Ok(None),
    };
    let session_init_url = app_url("--session-init-url", args.session_init_url.as_deref())?;
    let dynamic_action_url = app_url("--dynamic-action-url", args.dynamic_action_url.as_deref())?;
    let events_url = app_url("--events-url", args.events_url.as_deref())?;
    let identification_key = error::gather(args.key.read(), &mut problems)?.flatten();
    let config = Config {
        port: args.port,
        data: args.data,
        api_key,
        client_id: args.client_id,
        client_secret,
        token_lifetime: Duration::from_secs(args.token_lifetime),
        code_lifetime: Duration::from_secs(args.code_lifetime),
        refresh_grace: Duration::from_secs(args.refresh_grace),
        restricted_conversations: args.restricted_conversation,
        rate_limit: args.rate_limit,
        daily_limit: args.daily_limit,
        latency: Duration::from_millis(args.latency),
        session_init_url,
        identification_key,
        dynamic_action_url,
        events_url,
        supplier_key: if args.lowercase_supplier {
            SupplierKey::Lowercase
        } else {
            SupplierKey::Capitalized
        },
        grant_failures: GrantFailures {
            closed_scopes: args.closed_scope.into_iter().collect(),
            missing_permissions: args.missing_permission.into_iter().collect(),
        },
        advice: ADVICE,
    };
    error::valid(config, problems)
}

/// What the sandbox's pages tell a person to do, in this program's commands and flags.
const ADVICE: Advice = Advice {
    subscribe: subscribe_command,
    events_url: "restart the sandbox with --events-url URL (kenar-chat listen's address, or \
                 the app's own)",
    session_init_url: "start the sandbox with --session-init-url URL",
    dynamic_action_url: "start the sandbox with --dynamic-action-url URL",
};

fn subscribe_command(post_token: &str) -> String {
    format!(
        "kenar-chat events subscribe --post-token {}",
        shell_word(post_token)
    )
}

/// A lifetime in seconds (of tokens, codes, a refresh's grace) that ends before the year
/// 10000: kenar-chat refuses a token endpoint's expiry past it, so the sandbox must not
/// issue one.
fn lifetime(value: &str) -> std::result::Result<u64, String> {
    let most = LAST_RFC3339_SECOND.saturating_sub(unix_now());
    let beyond = || format!("must be at most {most} seconds: it must end before the year 10000");
    match value.parse::<u64>() {
        Ok(seconds) if seconds <= most => Ok(seconds),
        Ok(_) => Err(beyond()),
        // Digits past u64 are a number too, and past the bound.
        Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => Err(beyond()),
        Err(_) => Err("expected a whole number of seconds".to_owned()),
    }
}

/// The first line says where the sandbox listens (scripts wait for it); the rest are
/// shell lines to paste, the comments included.
fn print_environment(
    sandbox: &BoundSandbox,
    own_key: bool,
    events_url: Option<&url::Url>,
) -> Result<()> {
    let base = sandbox.url().as_str().trim_end_matches('/').to_owned();
    output::line(&format!("listening on {base}"))?;
    output::line("# Paste these lines into the shell you send from:")?;
    let made_key = (!own_key).then(|| {
        (
            "KENAR_IDENTIFICATION_KEY",
            sandbox.identification_key().expose().to_owned(),
        )
    });
    let variables = [
        ("KENAR_API_URL", base.clone()),
        // The chat upload host is the sandbox too.
        ("KENAR_UPLOAD_URL", base.clone()),
        (
            "KENAR_OAUTH_URL",
            sandbox.oauth_url(Platform::Legacy).to_string(),
        ),
        ("KENAR_API_KEY", sandbox.api_key().expose().to_owned()),
        ("KENAR_CLIENT_ID", sandbox.client_id().to_owned()),
        (
            "KENAR_CLIENT_SECRET",
            sandbox.client_secret().expose().to_owned(),
        ),
        ("KENAR_REDIRECT_URI", sandbox.callback_url().to_string()),
        (
            "KENAR_ACCESS_TOKEN",
            sandbox.demo_token().expose().to_owned(),
        ),
        // Read on the current platform only, so it can be set beside the legacy lines.
        ("KENAR_TOKEN_URL", sandbox.token_url().to_string()),
    ];
    for (name, value) in variables.into_iter().chain(made_key) {
        output::line(&format!("export {name}={}", shell_word(&value)))?;
    }
    output::line(&format!(
        "# KENAR_ACCESS_TOKEN may send in the demo chat:\n\
         #   kenar-chat send --user-id {DEMO_USER} --post-token {DEMO_POST} --peer-id {DEMO_PEER} --message 'Hello from the sandbox'\n\
         # The current platform is served here too, with the same API URL and credentials;\n\
         # its authorization URL is another, for oauth-url and oauth login --platform current:\n\
         #   export KENAR_OAUTH_URL={auth}\n\
         # KENAR_ACCESS_TOKEN may also send in the demo conversation (the same chat):\n\
         #   kenar-chat send --conversation-id {DEMO_CONVERSATION} --message 'Hello from the sandbox'\n\
         # and a picture, a video, a voice note or a file there, uploaded to KENAR_UPLOAD_URL:\n\
         #   kenar-chat send --conversation-id {DEMO_CONVERSATION} --image photo.png\n\
         # Chat view: {base}/   Stored messages as JSON: {base}/sandbox/messages\n\
         # {replies}\n\
         # Clicks and webhooks carry the identification key ({key}) in Authorization. \
         Ctrl-C stops the sandbox.",
        auth = sandbox.oauth_url(Platform::Current),
        replies = match events_url {
            Some(url) => format!(
                "Replies typed in the chat view go to {url} as NEW_MESSAGE webhooks, while a \
                 subscription covers their post:\n#   {}",
                subscribe_command(DEMO_POST)
            ),
            None => "Replies typed in the chat view are delivered nowhere: give --events-url URL"
                .to_owned(),
        },
        key = if own_key {
            "KENAR_IDENTIFICATION_KEY or --identification-key-file"
        } else {
            "KENAR_IDENTIFICATION_KEY above"
        },
    ))
}

/// The value as one shell word: as is when it is plainly safe, else single-quoted.
fn shell_word(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=+@%,".contains(c));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("http://127.0.0.1:1/x"), "http://127.0.0.1:1/x");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
