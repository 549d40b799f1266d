//! What a dry run prints: the requests a command would send, and nothing is sent.

use anyhow::Result;
use kenar_chat::http::request::PreparedRequest;

use crate::cli::output::{self, Format};

/// Prints `requests` in the order they would go (a send with a file to upload makes
/// three), secrets as `***` unless `show_secrets`: as text, or as JSON, one object for one
/// request and an array for several.
pub fn print(requests: &[&PreparedRequest], show_secrets: bool, format: Format) -> Result<()> {
    match (format, requests) {
        (Format::Text, _) => {
            let shown: Vec<String> = requests
                .iter()
                .map(|request| request.render(show_secrets).trim_end().to_owned())
                .collect();
            output::line(&shown.join("\n\n"))
        }
        (Format::Json, [request]) => output::json(&request.to_json(show_secrets)),
        (Format::Json, _) => output::json(&serde_json::Value::Array(
            requests.iter().map(|r| r.to_json(show_secrets)).collect(),
        )),
    }
}
