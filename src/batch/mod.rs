//! Sending a batch: one message per line of a JSON Lines input, several requests in
//! flight, paced by a rate limit and by the API's 429s, with an optional journal that makes
//! a re-run skip what was sent and hold back what may have been.
//!
//! A reader thread parses lines and prepares their requests ([`reader`]); the batch takes
//! them in input order, journals each group of lines as about to be sent just before their
//! requests leave (so that a killed run leaves in doubt at most the requests in flight),
//! and spawns one task per request on one client. It stops early, leaving the rest
//! unattempted and unjournaled, at a signal, when the API cannot be reached or refuses the
//! batch's credentials, or when the API asks to come back later than its longest wait.
//!
//! This file sets a batch up ([`run`]); each step has a file of its own:
//! - [`reader`] reads and checks lines and prepares their requests, on a thread of its own,
//!   over [`lines`] (one JSON Lines line at a time) and [`tokens`] (the stored token a
//!   line needs);
//! - [`engine`] is the loop that gives lines their turn, launches their requests and counts
//!   each as it ends, deciding when the batch stops;
//! - [`delivery`] sends one line's request, paced by the batch, and says how it ended;
//! - [`throttle`] and [`window`] pace requests by `rate` and by the quota learned from 429s;
//! - [`journal`] records each line's sending, and [`seen`] finds lines sent twice in a run;
//! - [`summary`] counts what happened; [`event`] and [`signal`] are what the caller is told
//!   and what stops the batch.

mod delivery;
mod engine;
pub mod event;
pub mod journal;
pub mod lines;
mod reader;
mod seen;
pub mod signal;
pub mod summary;
pub mod throttle;
mod tokens;
pub mod window;

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use tokio::sync::{mpsc, oneshot, watch};
use url::Url;

use crate::auth::refresh::Refresher;
use crate::auth::token_source::{TokenSource, Transport};
use crate::error::Result;
use crate::http::client::{ApiClient, ClientOptions};
use crate::http::retry::{self, RetryPolicy};
use crate::platform::ApiBase;
use crate::secret::SecretString;
use delivery::Context;
use engine::{Batch, Reading};
pub use event::{Event, Forbidden, Report};
use journal::{History, Journal};
use reader::Prepare;
pub use signal::{Interrupts, SIGNAL_GRACE, Signal};
use summary::Summary;
use throttle::{Pacer, Rate};

/// Chunks of lines parsed ahead of the batch, besides the one the reader is filling.
const CHUNKS_AHEAD: usize = 2;

/// Everything a batch needs besides its input.
#[derive(Debug)]
pub struct BatchOptions {
    pub api: ApiBase,
    pub api_key: SecretString,
    /// The token for lines that carry none.
    pub access_token: Option<SecretString>,
    /// Stored tokens, for lines that carry none when no default is given: the one that
    /// covers the line's chat is used.
    pub stored_tokens: Option<TokenSource>,
    /// How to refresh a stored token that has expired or is about to (on the batch's
    /// client); without it, none is.
    pub refresher: Option<Refresher>,
    pub client: ClientOptions,
    /// Divar's chat upload host, for lines that carry a file.
    pub upload_host: Url,
    /// When a line's request is sent again; a 429's wait holds back every request.
    pub retry: RetryPolicy,
    /// Requests in flight at most (at least 1).
    pub concurrency: usize,
    pub rate: Option<Rate>,
    pub journal: Option<PathBuf>,
    /// Send the lines that an earlier run left in doubt.
    pub resend_in_doubt: bool,
    /// Stop at the first line that fails or is invalid, in input order: requests go one at
    /// a time, so that no line after a failed one has been sent.
    pub fail_fast: bool,
    /// Consecutive lines that could not reach the API (or were refused as unauthorized)
    /// after which the batch stops; 0 never stops.
    pub unreachable_limit: u32,
    /// Whether the input is a regular file, whose lines after an early stop can be counted
    /// (a pipe's rest may never end, so it is left unread).
    pub countable: bool,
}

/// Sends refreshes for threads that wait for the answer: on the batch's client, retried
/// as its policy says except when the refresh may have arrived (it would be sent again
/// with a refresh token the server may have replaced).
fn refresh_with(client: Arc<ApiClient>, policy: RetryPolicy) -> Transport {
    let runtime = tokio::runtime::Handle::current();
    let policy = RetryPolicy {
        retry_unsafe: false,
        ..policy
    };
    Box::new(move |request| {
        runtime.block_on(retry::execute_with_retries(
            &client,
            request,
            &policy,
            |_| {},
        ))
    })
}

/// Uploads media lines' files for the reader thread, which waits for each: on the batch's
/// client, under its retry policy, each attempt reported as the line's.
fn upload_with(
    client: Arc<ApiClient>,
    policy: RetryPolicy,
    report: Arc<Report>,
) -> reader::Uploader {
    let runtime = tokio::runtime::Handle::current();
    Box::new(move |line, plan, credentials| {
        runtime.block_on(plan.upload(
            &client,
            &policy,
            credentials,
            &retry::no_progress(),
            |event| report(line, event),
        ))
    })
}

/// Sends every line of `input` and returns the summary, whose `stopped` says how the batch
/// ended when it stopped early. `Err` only when the batch cannot start (e.g. an unusable
/// journal); problems with lines are in the summary and reported through `observe` as they
/// happen, and each request's attempts through `report`.
///
/// `interrupted` completes with a signal that asks the batch to stop: no request starts
/// after it, and those in flight get [`SIGNAL_GRACE`] to end; a second signal, or the end
/// of the grace, gives up on them, journaled and counted as in doubt.
pub async fn run(
    options: BatchOptions,
    input: Box<dyn BufRead + Send>,
    observe: &mut dyn FnMut(Event),
    report: Arc<Report>,
    interrupted: impl Interrupts,
) -> Result<Summary> {
    let (history, journal) = match &options.journal {
        Some(path) => {
            let (history, journal) = Journal::open(path)?;
            (history, Some(journal))
        }
        None => (History::default(), None),
    };
    let client = Arc::new(ApiClient::new(&options.client)?);
    // Set once no line read from now on will be sent: no file is uploaded after it.
    let hold_uploads = Arc::new(AtomicBool::new(false));
    let (chunks, received) = mpsc::channel(CHUNKS_AHEAD);
    let (rest_told, rest) = oneshot::channel();
    let stored = options.stored_tokens.map(|mut source| {
        if let Some(refresher) = options.refresher {
            source.refresh_with(
                refresher,
                refresh_with(Arc::clone(&client), options.retry.clone()),
            );
        }
        Arc::new(std::sync::Mutex::new(source))
    });
    let prepare = Prepare {
        api: options.api.clone(),
        api_key: options.api_key,
        access_token: options.access_token,
        tokens: stored.clone(),
        history,
        resend_in_doubt: options.resend_in_doubt,
        upload_host: options.upload_host,
        timeout: options.client.timeout,
        uploader: upload_with(
            Arc::clone(&client),
            options.retry.clone(),
            Arc::clone(&report),
        ),
        stopping: Arc::clone(&hold_uploads),
        countable: options.countable,
    };
    let runtime = tokio::runtime::Handle::current();
    std::thread::spawn(move || {
        let rest = prepare.read_all(input, &chunks, &runtime);
        let _ = rest_told.send(rest);
    });

    let context = Arc::new(Context {
        tokens: stored,
        stopping: watch::Sender::new(false),
        pacer: Pacer::new(options.rate, options.retry.max_wait),
        retry: options.retry,
        client,
        report,
    });
    let batch = Batch::new(
        journal,
        options.fail_fast,
        options.unreachable_limit,
        options.concurrency,
    );
    let reading = Reading {
        chunks: received,
        rest,
        hold_uploads,
    };
    Ok(engine::drive(batch, context, reading, observe, interrupted).await)
}
