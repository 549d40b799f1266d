//! `kenar-chat trigger`: send the app a sample of what Divar sends, built from Divar's own
//! examples and edited on the command line, and show its answer.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueHint};
use kenar_chat::error::{self, Error};
use kenar_chat::http::url as http_url;
use kenar_chat::input;
use kenar_chat::receive::fixture::{self, Edit, FIXTURES, Instead, Refused};
use kenar_chat::receive::forward::Outgoing;
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde_json::Value;

use crate::cli::report::Verbosity;
use crate::cli::shared::relay::{self, DeliveryArgs};

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat trigger NEW_MESSAGE --to http://127.0.0.1:3000/divar/events
  kenar-chat trigger NEW_MESSAGE --to http://127.0.0.1:3000/divar/events --override new_message.text=سلام --override new_message.sent_at:='\"2025-07-16T10:41:42Z\"'
  kenar-chat trigger SERVER_LINK --to http://127.0.0.1:3000/divar/session --remove user_id
  kenar-chat trigger --file my-event.json --to http://127.0.0.1:3000/divar/events

The app's Authorization is KENAR_FORWARD_KEY when set, else KENAR_IDENTIFICATION_KEY (or
their --...-file flags). PATH=TEXT sets a string, PATH:=JSON any JSON value; overrides are
applied first, then additions, then removals.")]
pub struct TriggerArgs {
    /// The sample to send
    #[arg(value_name = "TYPE", value_parser = FIXTURES.map(|f| f.name), required_unless_present = "file", conflicts_with = "file")]
    pub name: Option<String>,
    /// Send this file's body instead of a sample
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub file: Option<PathBuf>,
    /// The app's URL
    #[arg(long, value_name = "URL", value_hint = ValueHint::Url)]
    pub to: String,
    /// Replace the value at a dotted path: PATH=TEXT or PATH:=JSON (repeatable)
    #[arg(long, value_name = "PATH=VALUE")]
    pub r#override: Vec<String>,
    /// Add a value at a dotted path that is not there yet (repeatable)
    #[arg(long, value_name = "PATH=VALUE")]
    pub add: Vec<String>,
    /// Remove the value at a dotted path (repeatable)
    #[arg(long, value_name = "PATH")]
    pub remove: Vec<String>,
    #[command(flatten)]
    pub delivery: DeliveryArgs,
}

pub fn run(args: TriggerArgs, verbosity: Verbosity) -> Result<()> {
    let mut problems = Vec::new();
    let url = error::gather(
        http_url::endpoint("--to", &args.to)
            .and_then(|url| http_url::check_transport("--to", &url).map(|()| url)),
        &mut problems,
    )?;
    let key = error::gather(args.delivery.key.app_key(), &mut problems)?;
    let mut edits = Vec::new();
    for (flag, values) in [("--override", &args.r#override), ("--add", &args.add)] {
        for value in values {
            match fixture::assignment(value) {
                Ok((path, value)) if flag == "--override" => {
                    edits.push(Edit::Override(path, value))
                }
                Ok((path, value)) => edits.push(Edit::Add(path, value)),
                Err(problem) => problems.push(format!("{flag}: {problem}")),
            }
        }
    }
    for value in &args.remove {
        match fixture::path_of(value) {
            Ok(path) => edits.push(Edit::Remove(path)),
            Err(problem) => problems.push(format!("--remove: {problem}")),
        }
    }
    let (source, original, sample_headers) = match (&args.name, &args.file) {
        // The user's own body goes as it is, to the last byte: an app under test may
        // care about a trailing newline or bytes that are not UTF-8.
        (_, Some(path)) => (
            input::source_name(path),
            input::read_bounded(path)?,
            &[][..],
        ),
        (Some(name), None) => {
            let sample =
                fixture::find(name).ok_or_else(|| Error::invalid(format!("no sample {name:?}")))?;
            (
                name.clone(),
                sample.body.trim_end().as_bytes().to_vec(),
                sample.headers,
            )
        }
        (None, None) => return Err(Error::invalid("give a TYPE or --file").into()),
    };
    let body = if edits.is_empty() {
        original
    } else {
        let mut value: Value = serde_json::from_slice(&original).map_err(|e| {
            Error::invalid(format!("{source}: not JSON, so it cannot be edited: {e}"))
        })?;
        for edit in &edits {
            if let Err(refused) = edit.apply(&mut value) {
                problems.push(refusal(refused));
            }
        }
        serde_json::to_vec(&value).map_err(|e| Error::invalid(format!("{source}: {e}")))?
    };
    let (Some(url), Some(key)) = (url, key) else {
        return Err(Error::Invalid(problems).into());
    };
    error::valid((), problems)?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for (name, value) in sample_headers {
        headers.insert(*name, HeaderValue::from_static(value));
    }
    let outgoing = Outgoing::relay(url, &headers, Some(&key), &args.delivery.headers, body)?;
    relay::deliver(outgoing, &args.delivery, verbosity)
}

/// A refused edit as the command line says it: with the flag that does what it meant.
fn refusal(refused: Refused) -> String {
    match refused.instead {
        Some(Instead::Add) => format!("{} (use --add to add it)", refused.problem),
        Some(Instead::Override) => format!("{} (use --override)", refused.problem),
        None => refused.problem,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_refused_edit_names_the_flag_that_does_what_it_meant() {
        let mut body = json!({"metadata": {"n": 1}});
        let (path, value) = fixture::assignment("metadata.n:=3").unwrap();
        let again = Edit::Add(path, value).apply(&mut body).unwrap_err();
        assert_eq!(
            refusal(again),
            "metadata.n: already in the body (use --override)"
        );
        let (path, value) = fixture::assignment("metadata.m=x").unwrap();
        let missing = Edit::Override(path, value).apply(&mut body).unwrap_err();
        assert_eq!(
            refusal(missing),
            "metadata.m: not in the body (use --add to add it)"
        );
    }
}
