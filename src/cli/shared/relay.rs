//! Sending one request to the app as Divar would (`trigger`, `events replay`), and saying
//! what the app answered: its status and time, then its answer.

use std::time::{Duration, Instant};

use anyhow::Result;
use kenar_chat::Error;
use kenar_chat::http::retry::Event;
use kenar_chat::receive::forward::{self, Outgoing};
use serde_json::{Value, json};

use clap::Args;
use reqwest::header::{HeaderName, HeaderValue};

use crate::cli::output::{self, Format};
use crate::cli::report::{self, Verbosity};
use crate::cli::shared::connection::ReachArgs;
use crate::cli::shared::credentials::IdentificationKeyArgs;
use crate::cli::shared::seconds;

/// How a request goes to the app and how its answer is shown.
#[derive(Debug, Args)]
pub struct DeliveryArgs {
    #[command(flatten)]
    pub key: IdentificationKeyArgs,
    /// Add this header (repeatable)
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", value_parser = forward::header)]
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Give the app this many seconds to answer
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = seconds::positive)]
    pub timeout: Duration,
    #[command(flatten)]
    pub reach: ReachArgs,
    /// The answer as it came, or one JSON object with the status and time
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Sends `outgoing` within `timeout` and prints the answer, the key it carries masked
/// wherever the app echoes it; an answer other than 2xx is an [`Error::AppRefused`] after
/// it is printed. With `-v`, the request and the answer's status and time on stderr too.
pub fn deliver(outgoing: Outgoing, delivery: &DeliveryArgs, verbosity: Verbosity) -> Result<()> {
    let timeout = delivery.timeout;
    let to = outgoing.url.to_string();
    // The app may echo the key it was sent: what is shown never carries it.
    let secrets = outgoing.secrets();
    let client = delivery.reach.client(timeout)?;
    client.check_route(&outgoing.url)?;
    report::to_app(
        verbosity,
        &outgoing.url,
        &outgoing.headers,
        outgoing.body.len(),
        None,
    );
    let started = Instant::now();
    let relayed = match crate::cli::block_on(forward::send(&client, outgoing, timeout))? {
        Ok(relayed) => relayed,
        Err(failure) => {
            let error = failure.into_error();
            report::event(
                verbosity,
                Event::Failed {
                    error: &error,
                    cause: None,
                    elapsed: started.elapsed(),
                },
            );
            return Err(error.into());
        }
    };
    report::event(
        verbosity,
        Event::Answered {
            status: relayed.status,
            elapsed: relayed.elapsed,
        },
    );
    let elapsed_ms = relayed.elapsed.as_millis();
    let answer = String::from_utf8_lossy(&relayed.body);
    match delivery.format {
        Format::Text => {
            output::note(&format!("[{}] POST {to} ({elapsed_ms} ms)", relayed.status));
            // Escaped as all text from elsewhere, so that the app cannot write to the terminal.
            let shown = secrets.mask(&answer);
            output::line(shown.strip_suffix('\n').unwrap_or(&shown))?;
        }
        Format::Json => {
            let answer = serde_json::from_slice::<Value>(&relayed.body)
                .unwrap_or_else(|_| Value::String(answer.clone().into_owned()));
            output::json(&json!({
                "status": relayed.status,
                "to": to,
                "elapsed_ms": elapsed_ms,
                "answer": secrets.mask_json(&answer),
            }))?;
        }
    }
    if (200..300).contains(&relayed.status) {
        Ok(())
    } else {
        Err(Error::AppRefused {
            status: relayed.status,
            message: secrets.quoted(&answer),
        }
        .into())
    }
}
