//! The media side of `kenar-chat send`: where files are uploaded, and the upload, with its
//! progress bar, before the message that carries its media token.

use std::io::IsTerminal as _;
use std::sync::Arc;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kenar_chat::Error;
use kenar_chat::http::answer::check_answer;
use kenar_chat::http::request::{Credentials, Progress};
use kenar_chat::http::retry;
use kenar_chat::http::url::check_base_url;
use kenar_chat::media::{self, UploadPlan};
use kenar_chat::message::Message;
use url::Url;

use crate::cli::report::{self, Verbosity};
use crate::cli::settings::{Settings, UPLOAD_URL};
use crate::cli::shared::connection::Connection;
use crate::cli::shared::signals;

/// The upload host: `given` (by `--upload-url` or `KENAR_UPLOAD_URL`), the profile's
/// `upload_url`, or Divar's.
pub fn upload_host(settings: &Settings, given: Option<String>) -> Result<Url, Error> {
    let (url, source) = settings.endpoint(
        &UPLOAD_URL,
        given,
        |c| c.upload_url,
        media::DEFAULT_UPLOAD_URL,
    )?;
    // The upload carries the upload token.
    check_base_url(&source, &url)?;
    Ok(url)
}

/// Uploads the file, then sends the message with its media token, on one client. When the
/// send fails after the upload, says the media token, so that the message can be sent
/// again without uploading.
pub fn send_with_upload(
    plan: &UploadPlan,
    message: Message,
    base: &Url,
    credentials: &Credentials,
    connection: &Connection,
    verbosity: Verbosity,
) -> Result<serde_json::Value> {
    let client = connection.client()?;
    let bar = upload_bar(plan.file.size, verbosity);
    let shown = bar.clone();
    let progress: Progress = Arc::new(move |bytes| shown.set_position(bytes));
    let report = |event: retry::Event<'_>| {
        signals::follow(&event);
        report::event(verbosity, event);
    };
    let uploaded = crate::cli::block_on(plan.upload(
        &client,
        &connection.policy,
        credentials,
        &progress,
        report,
    ))?;
    bar.finish_and_clear();
    let uploaded = uploaded?;
    let request = uploaded.send_request(base, &message, credentials);
    let sent = crate::cli::block_on(retry::execute_with_retries(
        &client,
        &request,
        &connection.policy,
        report,
    ))?
    .and_then(|answer| Ok(answer.shown(&check_answer(&answer)?)));
    Ok(sent.map_err(|e| uploaded.failed(e))?)
}

/// A progress bar for an upload on a terminal, for files of a megabyte or more.
fn upload_bar(size: u64, verbosity: Verbosity) -> ProgressBar {
    if !std::io::stderr().is_terminal() || verbosity == Verbosity::Quiet || size < 1 << 20 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("uploading {bar:30} {bytes}/{total_bytes}  ETA {eta}")
    {
        bar.set_style(style);
    }
    bar
}
