//! Sending one request to the app as Divar would (`trigger`, `events replay`), and saying
//! what the app answered: its status and time, then its answer.

use std::time::Duration;

use anyhow::Result;
use kenar_chat::Error;
use kenar_chat::receive::forward::{self, Outgoing};
use kenar_chat::secret::{SecretString, Secrets};
use serde_json::{Value, json};

use clap::Args;
use reqwest::header::{self, HeaderName, HeaderValue};

use crate::cli::output::{self, Format};
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

/// Sends `outgoing` within `timeout` and prints the answer; an answer other than 2xx is
/// an [`Error::Refused`] after it is printed.
pub fn deliver(outgoing: Outgoing, delivery: &DeliveryArgs) -> Result<()> {
    let timeout = delivery.timeout;
    let to = outgoing.url.to_string();
    // The app may echo the key it was sent: what is shown never carries it.
    let key = outgoing
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .map(SecretString::new);
    let secrets = Secrets::new(&key);
    let client = delivery.reach.client(timeout)?;
    let relayed = crate::cli::block_on(forward::send(&client, outgoing, timeout))?
        .map_err(forward::Failure::into_error)?;
    let elapsed_ms = relayed.elapsed.as_millis();
    let answer = String::from_utf8_lossy(&relayed.body);
    match delivery.format {
        Format::Text => {
            output::note(&format!("[{}] POST {to} ({elapsed_ms} ms)", relayed.status));
            // Escaped as all text from elsewhere, so that the app cannot write to the terminal.
            let answer = secrets.mask(&answer);
            output::line(answer.strip_suffix('\n').unwrap_or(&answer))?;
        }
        Format::Json => {
            let answer = serde_json::from_slice::<Value>(&relayed.body)
                .unwrap_or_else(|_| Value::String(answer.into_owned()));
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
        Err(Error::Refused {
            status: relayed.status,
            message: secrets.quoted(&String::from_utf8_lossy(&relayed.body)),
        }
        .into())
    }
}
