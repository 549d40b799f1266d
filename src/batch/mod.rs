//! Sending a batch: one message per line of a JSON Lines input, several requests in
//! flight, paced by a rate limit and by the API's 429s, with an optional journal that makes
//! a re-run skip what was sent and hold back what may have been.
//!
//! A reader thread parses lines and prepares their requests while the async side sends
//! them; a bounded channel between the two keeps memory flat however long the input is.

pub mod journal;
pub mod lines;
pub mod summary;
pub mod throttle;

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use url::Url;

use crate::client::{self, ApiClient, ClientOptions, Credentials, PreparedRequest};
use crate::error::{Error, Result};
use crate::input::MAX_INPUT_BYTES;
use crate::retry::{Decision, RetryPolicy};
use crate::secret::SecretString;
use crate::store::{self, Lookup, StoredToken, unix_now};
use journal::{History, Journal, LineId, Record, Recorder, Status};
use lines::{LineReader, RawLine};
use summary::Summary;
use throttle::{Pause, Rate, RateLimiter};

/// Lines parsed ahead of the requests in flight: enough to keep every worker busy.
const READ_AHEAD: usize = 64;

/// Everything a batch needs besides its input.
#[derive(Debug)]
pub struct BatchOptions {
    pub base_url: Url,
    pub api_key: SecretString,
    /// The token for lines that carry none.
    pub access_token: Option<SecretString>,
    /// Stored tokens, for lines that carry none when no default is given: the one that
    /// covers the line's chat is used.
    pub stored_tokens: Vec<StoredToken>,
    pub client: ClientOptions,
    /// When a line's request is sent again; a 429's wait holds back every request.
    pub retry: RetryPolicy,
    /// Requests in flight at most (at least 1).
    pub concurrency: usize,
    pub rate: Option<Rate>,
    pub journal: Option<PathBuf>,
    /// Send the lines that an earlier run left in doubt.
    pub resend_in_doubt: bool,
    /// Stop at the first line that fails or is invalid.
    pub fail_fast: bool,
}

/// What a batch reports while it runs.
#[derive(Debug)]
pub enum Event<'a> {
    /// A line was invalid, failed, or may not have been delivered.
    LineFailed { line: u64, error: &'a Error },
    /// The counts so far, after every line read or finished.
    Progress(&'a Summary),
}

/// Sends every line of `input` and returns the summary. `Err` only when the batch cannot
/// start (e.g. an unusable journal); problems with lines are in the summary and reported
/// through `observe` as they happen.
pub async fn run(
    options: BatchOptions,
    input: Box<dyn BufRead + Send>,
    observe: &mut dyn FnMut(Event),
) -> Result<Summary> {
    let (history, journal) = match &options.journal {
        Some(path) => {
            let (history, journal) = Journal::open(path)?;
            (history, Some(journal))
        }
        None => (History::default(), None),
    };
    let client = ApiClient::new(&options.client)?;
    let (items, mut received) = mpsc::channel(READ_AHEAD);
    let prepare = Prepare {
        base_url: options.base_url,
        api_key: options.api_key,
        access_token: options.access_token,
        stored_tokens: options.stored_tokens,
        history,
        resend_in_doubt: options.resend_in_doubt,
    };
    std::thread::spawn(move || prepare.read_all(input, &items));

    let concurrency = options.concurrency.max(1);
    let context = Arc::new(Context {
        client,
        requests: Semaphore::new(concurrency),
        stopping: AtomicBool::new(false),
        fail_fast: options.fail_fast,
        retry: options.retry,
        limiter: options.rate.map(RateLimiter::new),
        pause: Pause::default(),
        recorder: journal.as_ref().map(Journal::recorder),
    });
    let mut summary = Summary::default();
    let mut in_flight = JoinSet::new();
    while summary.stopped.is_none() {
        // Twice as many lines as requests: while one group of requests is out, the next
        // group's intents are being journaled, so that the fsync is not waited for in turn.
        let item = if in_flight.len() >= 2 * concurrency {
            None
        } else {
            tokio::select! {
                biased;
                Some(done) = in_flight.join_next() => {
                    finish(done, options.fail_fast, &mut summary, observe);
                    continue;
                }
                item = received.recv() => match item {
                    Some(item) => Some(item),
                    None => break,
                },
            }
        };
        match item {
            None => {
                if let Some(done) = in_flight.join_next().await {
                    finish(done, options.fail_fast, &mut summary, observe);
                }
            }
            Some(Item::Send(job)) => {
                summary.lines += 1;
                in_flight.spawn(deliver(Arc::clone(&context), job));
            }
            Some(Item::Skipped { line, status }) => {
                summary.lines += 1;
                match status {
                    Status::Sent => summary.already_sent += 1,
                    Status::InDoubt => summary.add_in_doubt(line),
                }
            }
            Some(Item::Invalid { line, error }) => {
                summary.lines += 1;
                summary.invalid += 1;
                observe(Event::LineFailed {
                    line,
                    error: &error,
                });
                if options.fail_fast {
                    summary.stopped = Some(format!("line {line} is invalid (--fail-fast)"));
                }
            }
            Some(Item::Unreadable(problem)) => summary.stopped = Some(problem),
        }
        observe(Event::Progress(&summary));
    }
    context
        .stopping
        .store(summary.stopped.is_some(), Ordering::Relaxed);
    while let Some(done) = in_flight.join_next().await {
        finish(done, false, &mut summary, observe);
        observe(Event::Progress(&summary));
    }
    // Lines parsed ahead but never sent because the batch stopped early.
    received.close();
    while let Ok(item) = received.try_recv() {
        if !matches!(item, Item::Unreadable(_)) {
            summary.lines += 1;
            summary.not_attempted += 1;
        }
    }
    drop(context);
    if let Some(journal) = journal
        && let Err(e) = journal.finish()
        && summary.stopped.is_none()
    {
        summary.stopped = Some(format!("cannot write the journal: {e}"));
    }
    Ok(summary)
}

/// What the reader thread hands over, in input order.
enum Item {
    Send(Job),
    Skipped {
        line: u64,
        status: Status,
    },
    Invalid {
        line: u64,
        error: Error,
    },
    /// The input cannot be read further.
    Unreadable(String),
}

/// A line ready to send.
struct Job {
    line: u64,
    id: LineId,
    request: PreparedRequest,
}

/// The reader thread's side: turns lines into requests, or says why not.
struct Prepare {
    base_url: Url,
    api_key: SecretString,
    access_token: Option<SecretString>,
    stored_tokens: Vec<StoredToken>,
    history: History,
    resend_in_doubt: bool,
}

impl Prepare {
    fn read_all(self, input: Box<dyn BufRead + Send>, items: &mpsc::Sender<Item>) {
        let mut reader = LineReader::new(input);
        loop {
            let item = match reader.next_line() {
                Ok(None) => return,
                Err(e) => Item::Unreadable(format!("cannot read the input: {e}")),
                Ok(Some((line, RawLine::TooLong))) => Item::Invalid {
                    line,
                    error: Error::invalid(format!("longer than {MAX_INPUT_BYTES} bytes")),
                },
                Ok(Some((_, RawLine::Text(text)))) if lines::is_blank(&text) => continue,
                Ok(Some((line, RawLine::Text(text)))) => self.prepare(line, &text),
            };
            let last = matches!(item, Item::Unreadable(_));
            // An error means the batch stopped early and needs no more lines.
            if items.blocking_send(item).is_err() || last {
                return;
            }
        }
    }

    fn prepare(&self, line: u64, text: &[u8]) -> Item {
        let parsed = match lines::parse(text) {
            Ok(parsed) => parsed,
            Err(error) => return Item::Invalid { line, error },
        };
        let access_token = match parsed.access_token.or_else(|| self.access_token.clone()) {
            Some(token) => Ok(token),
            None => match store::find(&self.stored_tokens, &parsed.message.chat, unix_now()) {
                Lookup::Usable(stored) => Ok(stored.access_token.clone()),
                Lookup::Expired(stored) => Err(format!(
                    "the stored token for this chat expired at {}: log in again",
                    store::rfc3339(stored.expires)
                )),
                Lookup::Missing => Err(
                    "neither a default access token nor a stored token for this chat was given"
                        .to_owned(),
                ),
            },
        };
        let access_token = match access_token {
            Ok(token) => token,
            Err(why) => {
                return Item::Invalid {
                    line,
                    error: Error::invalid(format!(
                        "{}: missing, and {why}",
                        lines::ACCESS_TOKEN_FIELD
                    )),
                };
            }
        };
        let credentials = Credentials {
            api_key: self.api_key.clone(),
            access_token,
        };
        let request = PreparedRequest::send_message(&self.base_url, &parsed.message, &credentials);
        let id = LineId::of(&request.body);
        match self.history.status(&id) {
            Some(Status::InDoubt) if self.resend_in_doubt => Item::Send(Job { line, id, request }),
            Some(status) => Item::Skipped { line, status },
            None => Item::Send(Job { line, id, request }),
        }
    }
}

/// What every request in flight shares.
struct Context {
    client: ApiClient,
    /// One permit per request in flight (`--concurrency`).
    requests: Semaphore,
    /// Set once the batch stops early: lines still waiting for a permit are not sent.
    stopping: AtomicBool,
    fail_fast: bool,
    retry: RetryPolicy,
    limiter: Option<RateLimiter>,
    pause: Pause,
    recorder: Option<Recorder>,
}

/// How one line ended.
struct Done {
    line: u64,
    result: std::result::Result<(), Failure>,
}

enum Failure {
    /// Certainly not delivered.
    NotDelivered(Error),
    /// The request left and no clear answer came back.
    Uncertain(Error),
    /// The intent could not be journaled, so the request was not sent.
    Journal(String),
    /// The batch stopped before this line's request was sent.
    Stopped,
}

/// Sends one line: journals the intent, waits for its turn, retries as the policy allows
/// (a 429 pauses every request), then journals the outcome.
async fn deliver(context: Arc<Context>, job: Job) -> Done {
    let Job { line, id, request } = job;
    if let Some(recorder) = &context.recorder
        && let Err(problem) = recorder.intent(id).await
    {
        return Done {
            line,
            result: Err(Failure::Journal(problem)),
        };
    }
    // Never closed, so `acquire` cannot fail; the permit is held until the outcome is known.
    let _permit = context.requests.acquire().await.ok();
    if context.stopping.load(Ordering::Relaxed) {
        if let Some(recorder) = &context.recorder {
            recorder.outcome(id, Record::NotDelivered);
        }
        return Done {
            line,
            result: Err(Failure::Stopped),
        };
    }
    let mut waited = Duration::ZERO;
    let mut attempt = 1;
    let outcome = loop {
        if let Some(limiter) = &context.limiter {
            limiter.wait().await;
        }
        context.pause.wait().await;
        let outcome = context.client.execute(&request).await;
        match context.retry.decide(&outcome, attempt, waited) {
            Decision::Retry { wait, .. } => {
                if matches!(&outcome, Ok(answer) if answer.status == 429) {
                    // The limit is the app's, not this request's: every request waits.
                    context.pause.extend(wait);
                } else {
                    tokio::time::sleep(wait).await;
                }
                waited += wait;
                attempt += 1;
            }
            Decision::Final | Decision::GiveUp { .. } => break outcome,
        }
    };
    let result = outcome.and_then(|answer| client::check_answer(&answer).map(drop));
    let (record, result) = match result {
        Ok(()) => (Record::Sent, Ok(())),
        Err(error) if error.may_have_been_delivered() => {
            (Record::Uncertain, Err(Failure::Uncertain(error)))
        }
        Err(error) => (Record::NotDelivered, Err(Failure::NotDelivered(error))),
    };
    if let Some(recorder) = &context.recorder {
        recorder.outcome(id, record);
    }
    if result.is_err() && context.fail_fast {
        // Before the permit is released, so that no waiting line slips through.
        context.stopping.store(true, Ordering::Relaxed);
    }
    Done { line, result }
}

/// Counts a finished line and reports its failure.
fn finish(
    done: std::result::Result<Done, tokio::task::JoinError>,
    fail_fast: bool,
    summary: &mut Summary,
    observe: &mut dyn FnMut(Event),
) {
    let Done { line, result } = match done {
        Ok(done) => done,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    };
    let error = match result {
        Ok(()) => {
            summary.sent += 1;
            return;
        }
        Err(Failure::Journal(problem)) => {
            summary.not_attempted += 1;
            summary.stopped.get_or_insert(problem);
            return;
        }
        Err(Failure::Stopped) => {
            summary.not_attempted += 1;
            return;
        }
        Err(Failure::NotDelivered(error)) => {
            summary.failed.count(&error);
            error
        }
        Err(Failure::Uncertain(error)) => {
            summary.add_in_doubt(line);
            error
        }
    };
    observe(Event::LineFailed {
        line,
        error: &error,
    });
    if fail_fast && summary.stopped.is_none() {
        summary.stopped = Some(format!("line {line} failed (--fail-fast)"));
    }
}
