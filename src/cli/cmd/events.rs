//! `kenar-chat events`: what `listen` recorded, sent to the app again.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand, ValueHint};
use kenar_chat::error::{self, Error};
use kenar_chat::http::url as http_url;
use kenar_chat::receive::forward::Outgoing;
use kenar_chat::receive::record::{self, LOG_FILE, Pick};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::cli::shared::profile;
use crate::cli::shared::relay::{self, DeliveryArgs};

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat events replay --last
  kenar-chat events replay req_a6e924a9-3 --to http://127.0.0.1:3000/divar/events")]
pub struct EventsArgs {
    #[command(subcommand)]
    pub command: EventsCommand,
}

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Send a request `listen` recorded to the app again, body byte for byte
    Replay(ReplayArgs),
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

pub fn run(args: EventsArgs) -> Result<()> {
    match args.command {
        EventsCommand::Replay(args) => replay(args),
    }
}

fn replay(args: ReplayArgs) -> Result<()> {
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
    let record = error::gather(record::find(&log, &pick), &mut problems)?;
    let (Some(key), Some(record)) = (key, record) else {
        return Err(Error::Invalid(problems).into());
    };
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
    relay::deliver(outgoing, &args.delivery)
}
