//! `kenar-chat events`: subscribing to Divar's events, and what `listen` recorded, sent to
//! the app again.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand, ValueHint};
use kenar_chat::error::{self, Error};
use kenar_chat::http::url as http_url;
use kenar_chat::receive::forward::Outgoing;
use kenar_chat::receive::record::{self, LOG_FILE, Pick};
use kenar_chat::time::rfc3339;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};

use crate::cli::output::{self, Format};
use crate::cli::report::Verbosity;
use crate::cli::settings::Settings;
use crate::cli::shared::relay::{self, DeliveryArgs};
use crate::cli::shared::subscription::{self, SubscriptionArgs};
use crate::cli::shared::{dry_run, profile, signals, tokens};

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat events subscribe --post-token gZd7omnS
  kenar-chat events replay --last
  kenar-chat events replay req_a6e924a9-3 --to http://127.0.0.1:3000/divar/events")]
pub struct EventsArgs {
    #[command(subcommand)]
    pub command: EventsCommand,
}

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Ask Divar to send the app's events URL NEW_MESSAGE or POST_UPDATE events of one
    /// post or all the user's posts. The subscription lives as long as the access token it
    /// is made with: after a refresh, subscribe again (listen --subscribe does it itself)
    Subscribe(SubscribeArgs),
    /// Send a request `listen` recorded to the app again, body byte for byte
    Replay(ReplayArgs),
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat events subscribe --post-token gZd7omnS --metadata '{\"shop\": 42}'
  kenar-chat events subscribe --all-posts
  kenar-chat events subscribe --all-posts --type POST_UPDATE --dry-run

Needs the key permission EVENTS_REGISTER_SUBSCRIPTION and a token with the scope
CHAT_POST_CONVERSATIONS_READ.TOKEN (one post's messages), CHAT_SUPPLIER_ALL_CONVERSATIONS_READ
(every post's messages) or USER_POSTS_GET (post updates): `kenar-chat scope subscription`
names it. Divar sends the events to the events URL set in the Kenar panel.")]
pub struct SubscribeArgs {
    #[command(flatten)]
    pub subscription: SubscriptionArgs,
    /// Print the request instead of sending it (secrets as ***); refreshes nothing
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run, print the API key and access token as they are
    #[arg(long, requires = "dry_run")]
    pub show_secrets: bool,
    /// A one-line confirmation (text), or a JSON object with the subscription and when
    /// it ends
    #[arg(short, long, value_enum, default_value_t)]
    pub output: Format,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat events replay --last
  kenar-chat events replay req_a6e924a9-3 --to http://127.0.0.1:3000/divar/session

The headers go as recorded, less those of the connection; Authorization is
KENAR_FORWARD_KEY when set, else KENAR_IDENTIFICATION_KEY (or their --...-file flags),
since the log never keeps it.")]
pub struct ReplayArgs {
    /// The request's ID, as listen printed it
    #[arg(
        value_name = "ID",
        required_unless_present = "last",
        conflicts_with = "last"
    )]
    pub id: Option<String>,
    /// The last request recorded
    #[arg(long)]
    pub last: bool,
    /// Where to send it [default: where listen forwarded it]
    #[arg(long, value_name = "URL", value_hint = ValueHint::Url)]
    pub to: Option<String>,
    /// The event log listen wrote [default: events.jsonl in the config directory]
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub log: Option<PathBuf>,
    #[command(flatten)]
    pub delivery: DeliveryArgs,
}

pub fn run(args: EventsArgs, settings: &Settings, verbosity: Verbosity) -> Result<()> {
    match args.command {
        EventsCommand::Subscribe(args) => subscribe(&args, settings, verbosity),
        EventsCommand::Replay(args) => replay(args, verbosity),
    }
}

fn subscribe(args: &SubscribeArgs, settings: &Settings, verbosity: Verbosity) -> Result<()> {
    let gathered = args.subscription.gather(settings, |connection, to| {
        tokens::stored(settings, connection, to, verbosity, args.dry_run)
    })?;
    let subscribed = &gathered.subscription;
    if args.dry_run {
        let request =
            subscription::request(subscribed, &gathered.credentials, &gathered.connection);
        return dry_run::print(&[&request], args.show_secrets, args.output);
    }
    // A signal now lets the registration end, whatever its outcome: that is what is
    // reported, and a signal that cuts it short says it may have been registered.
    let (registered, _) = signals::in_flight(subscription::REGISTRATION_IN_DOUBT, || {
        subscription::register(
            subscribed,
            &gathered.credentials,
            gathered.stored,
            settings,
            &gathered.connection,
            verbosity,
        )
    });
    let went_with = registered.map_err(|e| {
        // Never sent again by itself: said, for the person who would run it again.
        let doubt = if e.may_have_been_delivered() {
            " (it may have been registered: running this again registers it anew, as \
             Divar asks after each refresh; whether that makes two is not documented)"
        } else {
            ""
        };
        anyhow::Error::from(e).context(format!("subscribing {subscribed}{doubt}"))
    })?;
    let report = match args.output {
        Format::Text => output::line(&format!(
            "subscribed {subscribed} ({})",
            subscription::lifetime(went_with.as_ref())
        )),
        Format::Json => output::json(&json!({
            "subscription": serde_json::from_slice::<Value>(&subscribed.body())?,
            "expires": went_with.map(|token| rfc3339(token.expires)),
        })),
    };
    output::report_of("the subscription was registered", report)
}

fn replay(args: ReplayArgs, verbosity: Verbosity) -> Result<()> {
    let log = match &args.log {
        Some(path) => path.clone(),
        None => profile::dir()?.join(LOG_FILE),
    };
    let pick = match args.id {
        Some(id) => Pick::Id(id),
        None => Pick::Last,
    };
    let mut problems = Vec::new();
    let key = error::gather(args.delivery.key.app_key(), &mut problems)?;
    let found = record::find(&log, &pick).map_err(|e| match args.log {
        Some(_) => e.prefixed("--log: "),
        None => e,
    });
    let record = error::gather(found, &mut problems)?;
    let (Some(key), Some(record)) = (key, record) else {
        return Err(Error::Invalid(problems).into());
    };
    if let Some(refusal) = record.refused.as_ref().filter(|_| !record.whole()) {
        return Err(Error::invalid(format!(
            "request {} was answered {} by listen before its whole request arrived ({}): \
             there is no whole request to send again",
            record.id, refusal.status, refusal.reason
        ))
        .into());
    }
    let (flag, target) = match (&args.to, &record.forwarded_to) {
        (Some(to), _) => ("--to", to.as_str()),
        (None, Some(forwarded)) => ("the recorded forward URL", forwarded.as_str()),
        (None, None) => {
            return Err(Error::invalid(format!(
                "request {} was not forwarded anywhere: give --to URL",
                record.id
            ))
            .into());
        }
    };
    let url = http_url::endpoint(flag, target)?;
    http_url::check_transport(flag, &url)?;
    let mut headers = HeaderMap::new();
    for (name, value) in &record.headers {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            Error::invalid(format!(
                "request {}: {name:?} is not a header name",
                record.id
            ))
        })?;
        let value = HeaderValue::from_str(value).map_err(|_| {
            Error::invalid(format!(
                "request {}: the value of {name} cannot be sent",
                record.id
            ))
        })?;
        headers.append(name, value);
    }
    let outgoing = Outgoing::relay(
        url,
        &headers,
        Some(&key),
        &args.delivery.headers,
        record.body_bytes()?,
    )?;
    relay::deliver(outgoing, &args.delivery, verbosity)
}
