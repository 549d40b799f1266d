//! `kenar-chat send --batch FILE`: the flags of batch sending, the progress bar, and the
//! summary. The sending itself is [`kenar_chat::batch`].

use std::collections::HashSet;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use clap::{Args, ValueHint};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kenar_chat::Error;
use kenar_chat::batch::summary::{Stop, Summary};
use kenar_chat::batch::{self, BatchOptions, Event, throttle::Rate};
use kenar_chat::input;

use crate::cli::output::{self, Format};
use crate::cli::report::{self, Verbosity};
use crate::cli::settings::Settings;
use crate::cli::shared::connection::Connection;
use crate::cli::shared::credentials::{AccessTokenArgs, ApiKeyArgs};
use crate::cli::shared::forbidden_advice;
use crate::cli::shared::signals;
use crate::cli::shared::tokens;
use crate::cli::shared::worded::worded;

use super::summary::{Table, reason, to_json};

const DEFAULT_CONCURRENCY: u16 = 4;
const DEFAULT_UNREACHABLE_LIMIT: u32 = 5;

/// The `send` flags that describe one message, meaningless with a batch. Every batch flag
/// conflicts with them: clap drops a `requires` when a conflicting flag is present.
const SINGLE_MESSAGE: [&str; 18] = [
    "user_id",
    "post_token",
    "peer_id",
    "message",
    "message_file",
    "file",
    "sender_caption",
    "sender_icon",
    "sender_direct_link",
    "sender_extra_data",
    "receiver_caption",
    "receiver_icon",
    "receiver_direct_link",
    "receiver_extra_data",
    "bot",
    "button",
    "dry_run",
    "interactive",
];

#[derive(Debug, Args)]
#[command(next_help_heading = "Batch sending")]
pub struct BatchArgs {
    /// Send one message per line of this JSON Lines file ('-' for standard input); each line
    /// is a message file, with an optional "access_token"
    #[arg(
        long,
        value_name = "PATH",
        value_hint = ValueHint::FilePath,
        conflicts_with_all = SINGLE_MESSAGE
    )]
    pub batch: Option<PathBuf>,
    /// Requests in flight at most [default: 4]
    // Not `default_value_t`: clap would then never enforce `requires`.
    #[arg(
        long,
        value_name = "N",
        requires = "batch",
        conflicts_with_all = SINGLE_MESSAGE,
        value_parser = clap::value_parser!(u16).range(1..=1024)
    )]
    pub concurrency: Option<u16>,
    /// Send at most N requests per second (N/s) or per minute (N/min)
    #[arg(long, value_name = "N/s|N/min", requires = "batch", conflicts_with_all = SINGLE_MESSAGE)]
    pub rate: Option<Rate>,
    /// Record each line's sending in this file, so that running again skips what was sent
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath, requires = "batch", conflicts_with_all = SINGLE_MESSAGE)]
    pub journal: Option<PathBuf>,
    /// Send the lines the journal holds in doubt (they may have been delivered already)
    #[arg(long, requires = "journal", conflicts_with_all = SINGLE_MESSAGE)]
    pub resend_in_doubt: bool,
    /// Stop at the first line that is invalid or fails, in input order (requests then go
    /// one at a time)
    #[arg(long, requires = "batch", conflicts_with_all = SINGLE_MESSAGE)]
    pub fail_fast: bool,
    /// Stop after N lines in a row could not reach the API or were refused as
    /// unauthorized; 0 never stops [default: 5]
    #[arg(long, value_name = "N", requires = "batch", conflicts_with_all = SINGLE_MESSAGE)]
    pub unreachable_limit: Option<u32>,
}

/// What a batch takes from the flags it shares with sending one message.
pub struct Shared<'a> {
    pub key: &'a ApiKeyArgs,
    pub token: &'a AccessTokenArgs,
    pub upload_url: Option<String>,
    pub output: Format,
}

/// Sends the batch at `path` and prints its summary; an error (exit 6) unless every line
/// was sent.
pub fn run(
    args: &BatchArgs,
    path: &Path,
    shared: Shared<'_>,
    settings: &Settings,
    connection: &Connection,
    verbosity: Verbosity,
) -> Result<()> {
    let api_key = shared
        .key
        .read()?
        .ok_or_else(|| Error::invalid(ApiKeyArgs::MISSING))?;
    let access_token = shared.token.read()?;
    let countable = !input::is_stdin(path) && std::fs::metadata(path).is_ok_and(|m| m.is_file());
    let bar = progress_bar(path, countable);
    // Without a default token, lines without one use the profile's stored tokens, whose
    // notices (a refresh tried again, a wait for the lock) are written above the bar.
    let (stored_tokens, refresher) = match access_token {
        Some(_) => (None, None),
        None => {
            let bar = bar.clone();
            let notice = Arc::new(move |text: &str| bar.suspend(|| output::note(text)));
            (
                Some(tokens::token_source_telling(settings, notice)?),
                tokens::automatic_refresher(settings)?,
            )
        }
    };
    let options = BatchOptions {
        api: connection.api.clone(),
        api_key,
        access_token,
        stored_tokens,
        refresher,
        client: connection.options.clone(),
        upload_host: super::upload::upload_host(settings, shared.upload_url)?,
        retry: connection.policy.clone(),
        concurrency: usize::from(args.concurrency.unwrap_or(DEFAULT_CONCURRENCY)),
        rate: args.rate,
        journal: args.journal.clone(),
        resend_in_doubt: args.resend_in_doubt,
        fail_fast: args.fail_fast,
        unreachable_limit: args.unreachable_limit.unwrap_or(DEFAULT_UNREACHABLE_LIMIT),
        countable,
    };
    let source = input::source_name(path);
    let input = input::open_stream(path).map_err(|e| e.prefixed("--batch: "))?;
    let report: Arc<batch::Report> = {
        let (bar, source) = (bar.clone(), source.clone());
        Arc::new(move |line, event| {
            if let Some(text) = report::render(verbosity, event) {
                let text: String = text
                    .lines()
                    .map(|said| format!("{source} line {line}: {said}\n"))
                    .collect();
                bar.suspend(|| output::stderr(&text));
            }
        })
    };
    let mut advised = HashSet::new();
    let mut observe = |event: Event| match event {
        Event::LineFailed { line, error } => {
            let error = worded(error.clone());
            bar.suspend(|| output::note(&format!("error: {source} line {line}: {error}")));
        }
        Event::Stopping(stop) => {
            bar.suspend(|| {
                output::note(&match stop {
                    Stop::Signal(_) => format!(
                        "stopping: {stop}; requests in flight get {} s to end (a second \
                         Ctrl-C ends at once, leaving them in doubt)",
                        batch::SIGNAL_GRACE.as_secs()
                    ),
                    _ => format!(
                        "stopping: {}; requests in flight may still end",
                        reason(stop)
                    ),
                });
            });
        }
        Event::Progress(summary) => show_progress(&bar, summary),
        Event::Learned(quota) if verbosity == Verbosity::Verbose => {
            bar.suspend(|| output::note(&format!("{source}: {quota}")));
        }
        Event::Learned(_) => {}
        // Said once for each cause: a batch refused for a missing permission is refused
        // on every line.
        Event::Forbidden(forbidden) => {
            if let Some(advice) = forbidden_advice::advice(
                &forbidden.url,
                &forbidden.to,
                forbidden.access_token.as_ref(),
                settings,
            ) && advised.insert(advice.cause)
            {
                bar.suspend(|| {
                    output::note(&format!(
                        "{source} line {}, and every line refused alike:{}",
                        forbidden.line, advice.text
                    ));
                });
            }
        }
    };
    let summary = crate::cli::block_on(async {
        let signals = signals::listen()?;
        batch::run(options, input, &mut observe, report, signals).await
    })??;
    bar.finish_and_clear();
    // The journal has what happened whatever becomes of the summary; a summary that
    // cannot be written must not look like a batch that sent nothing.
    let shown = match shared.output {
        Format::Json => to_json(&summary)
            .map_err(anyhow::Error::from)
            .and_then(|value| output::json(&value)),
        Format::Text => output::line(&Table(&summary).to_string()),
    };
    output::report_of("the batch ran", shown)?;
    if let Some(Stop::Signal(signal)) = summary.stopped {
        return Err(signal.error().into());
    }
    if summary.all_sent() {
        return Ok(());
    }
    let unread = if summary.input_unread {
        "; the rest of the input was not read"
    } else {
        ""
    };
    Err(Error::BatchIncomplete(format!(
        "batch incomplete: {} of {} lines not sent{unread}",
        summary.unsent(),
        summary.lines
    ))
    .into())
}

/// A bar on a terminal, with a length and an ETA when the input is a regular file (which
/// can be read twice: a pipe's lines would be taken from the batch); nothing otherwise.
fn progress_bar(path: &Path, countable: bool) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let total = countable
        .then(|| input::open(path).ok())
        .flatten()
        .and_then(|reader| batch::lines::count(reader).ok());
    let (bar, template) = match total {
        Some(total) => (
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()),
            "{bar:30} {pos}/{len} lines  {msg}  ETA {eta}",
        ),
        None => (
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            "{spinner} {pos} lines  {msg}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

fn show_progress(bar: &ProgressBar, summary: &Summary) {
    if bar.is_hidden() {
        return;
    }
    bar.set_position(summary.finished());
    let remaining = bar
        .length()
        .map(|total| format!("  remaining {}", total.saturating_sub(summary.finished())))
        .unwrap_or_default();
    bar.set_message(format!(
        "sent {}  failed {}  in doubt {}{remaining}",
        summary.sent + summary.already_sent,
        summary.failed.total() + summary.invalid,
        summary.in_doubt,
    ));
}
