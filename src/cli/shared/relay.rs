//! Sending one request to the app as Divar would (`trigger`, `events replay`), and saying
//! what the app answered: its status and time, then its answer.

use std::time::Duration;

use anyhow::Result;
use kenar_chat::Error;
use kenar_chat::http::client::{ApiClient, ClientOptions};
use kenar_chat::receive::forward::{self, Outgoing};
use kenar_chat::visible;
use serde_json::{Value, json};

use crate::cli::output::{self, Format};

/// Sends `outgoing` within `timeout` and prints the answer; an answer other than 2xx is
/// an [`Error::Refused`] after it is printed.
pub fn deliver(outgoing: Outgoing, timeout: Duration, format: Format) -> Result<()> {
    let to = outgoing.url.to_string();
    let client = ApiClient::new(&ClientOptions {
        timeout,
        connect_timeout: timeout,
        ..ClientOptions::default()
    })?;
    let relayed = crate::cli::block_on(forward::send(&client, outgoing, timeout))?
        .map_err(forward::Failure::into_error)?;
    let elapsed_ms = relayed.elapsed.as_millis();
    match format {
        Format::Text => {
            output::note(&format!("[{}] POST {to} ({elapsed_ms} ms)", relayed.status));
            // Escaped as all text from elsewhere, so that the app cannot write to the terminal.
            let answer = String::from_utf8_lossy(&relayed.body);
            output::line(answer.strip_suffix('\n').unwrap_or(&answer))?;
        }
        Format::Json => {
            let answer = serde_json::from_slice::<Value>(&relayed.body).unwrap_or_else(|_| {
                Value::String(String::from_utf8_lossy(&relayed.body).into_owned())
            });
            output::json(&json!({
                "status": relayed.status,
                "to": to,
                "elapsed_ms": elapsed_ms,
                "answer": answer,
            }))?;
        }
    }
    if (200..300).contains(&relayed.status) {
        Ok(())
    } else {
        Err(Error::Refused {
            status: relayed.status,
            message: visible::quote(&relayed.body),
        }
        .into())
    }
}
