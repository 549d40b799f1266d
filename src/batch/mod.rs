//! Sending a batch: one message per line of a JSON Lines input, several requests in
//! flight, paced by a rate limit and by the API's 429s, with an optional journal that makes
//! a re-run skip what was sent and hold back what may have been.
//!
//! A reader thread parses lines and prepares their requests ([`reader`]); the batch takes
//! them in input order, journals each group of lines as about to be sent just before their
//! requests leave (so that a killed run leaves in doubt at most the requests in flight),
//! and spawns one task per request on one client. It stops early, leaving the rest
//! unattempted and unjournaled, at a signal, when the API cannot be reached or refuses the
//! batch's credentials, or when the API asks to come back later than `--max-wait`.

pub mod journal;
pub mod lines;
mod reader;
mod seen;
pub mod summary;
pub mod throttle;
mod tokens;
pub mod window;

use std::collections::{HashMap, VecDeque};
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::media::Uploaded;
use crate::platform::ApiBase;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::{self, JoinSet};
use tokio::time::Instant;
use url::Url;

use crate::auth::refresh::Refresher;
use crate::auth::token_source::{self, TokenSource, Transport};
use crate::error::{Error, Result};
use crate::http::answer::{Answer, check_delivered};
use crate::http::client::{ApiClient, ClientOptions};
use crate::http::request::PreparedRequest;
use crate::http::retry::{self, Pacing, RetryPolicy};
use crate::scope::Recipient;
use crate::secret::SecretString;
use crate::time;
use journal::{Durable, History, Journal, LineId, Record, Status};
use reader::{Item, Job, Prepare, Rest};
use seen::Seen;
use summary::{Stop, Summary};
use throttle::{Pacer, Rate, Turn};
use window::Quota;

/// Chunks of lines parsed ahead of the batch, besides the one the reader is filling.
const CHUNKS_AHEAD: usize = 2;

/// How long requests in flight may still take to end once a signal stopped the batch: a
/// CI runner kills a job about 10 s after cancelling it, and the summary must come first.
pub const SIGNAL_GRACE: Duration = Duration::from_secs(3);

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

/// Told about every attempt of a line's request (the line's number, then the event), as
/// the requests of a batch go out at once.
pub type Report = dyn Fn(u64, retry::Event<'_>) + Send + Sync;

/// What a batch reports while it runs.
#[derive(Debug)]
pub enum Event<'a> {
    /// A line was invalid, failed, or may not have been delivered.
    LineFailed { line: u64, error: &'a Error },
    /// The batch stops early, for this reason; requests in flight still end.
    Stopping(&'a Stop),
    /// The counts so far, as lines are read and end.
    Progress(&'a Summary),
    /// What the batch learned of the API's quota from its 429s, when it changes.
    Learned(&'a Quota),
    /// A line's request was refused with 403, just after its `LineFailed`.
    Forbidden(&'a Forbidden),
}

/// A line's request that the API refused with 403 (a permission missing), for the advice
/// that gets: where it went, to whom, and with which token.
#[derive(Debug)]
pub struct Forbidden {
    pub line: u64,
    pub url: Url,
    pub to: Recipient,
    pub access_token: Option<SecretString>,
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
    mut interrupted: impl Interrupts,
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
    let (chunks, mut received) = mpsc::channel(CHUNKS_AHEAD);
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

    let concurrency = if options.fail_fast {
        1
    } else {
        options.concurrency.max(1)
    };
    let context = Arc::new(Context {
        tokens: stored,
        stopping: watch::Sender::new(false),
        pacer: Pacer::new(options.rate, options.retry.max_wait),
        retry: options.retry,
        client,
        report,
    });
    let mut batch = Batch {
        journal,
        summary: Summary::default(),
        seen: Seen::default(),
        fail_fast: options.fail_fast,
        closed: None,
        unreachable_limit: options.unreachable_limit,
        unreachable: 0,
    };
    let mut in_flight: JoinSet<Done> = JoinSet::new();
    // The line of each request in flight, for those given up on.
    let mut flying: HashMap<task::Id, (u64, LineId)> = HashMap::new();
    // Lines read and waiting for their turn, in input order.
    let mut next: VecDeque<Job> = VecDeque::new();
    // A group whose intents are being made durable; its requests leave once they are.
    // The turn its lines were given goes with it, for the pace to tell what a 429 answers.
    let mut writing: Option<(Option<Durable>, Vec<Job>, Instant)> = None;
    let mut input_ended = false;
    // Once a signal stopped the batch: when the requests in flight are given up on.
    let mut grace_ends: Option<Instant> = None;
    loop {
        if next.is_empty()
            && in_flight.is_empty()
            && writing.is_none()
            && let Some(stop) = batch.closed.take()
        {
            // Every line before the one that closed the input has ended.
            batch.stop(stop, observe);
        }
        let stopping = batch.summary.stopped.is_some();
        if stopping {
            context.stopping.send_replace(true);
        }
        if stopping || batch.closed.is_some() {
            hold_uploads.store(true, Ordering::Relaxed);
        }
        let room = concurrency
            .saturating_sub(in_flight.len() + writing.as_ref().map_or(0, |(_, g, _)| g.len()));
        let idle = in_flight.is_empty() && writing.is_none();
        if idle && (stopping || (next.is_empty() && input_ended)) {
            break;
        }
        if grace_ends.is_some_and(|at| at <= Instant::now()) {
            batch.give_up(&mut in_flight, &mut flying, writing.take(), observe);
            break;
        }
        let turn = if !stopping && room > 0 && writing.is_none() && !next.is_empty() {
            Some(context.pacer.take())
        } else {
            None
        };
        if turn == Some(Turn::Spent) {
            let line = next.front().map_or(0, |job| job.line);
            batch.stop(Stop::QuotaSpent { line }, observe);
            continue;
        }
        if turn == Some(Turn::Now) {
            // This line's turn; the lines read after it that may go now go with it, so
            // that one `fsync` covers them all.
            let turned = Instant::now();
            let mut group = Vec::with_capacity(room);
            group.extend(next.pop_front());
            while group.len() < room {
                if next.is_empty() && batch.closed.is_none() {
                    match received.try_recv() {
                        Ok(items) => {
                            batch.admit_all(items, &mut next, observe);
                            continue;
                        }
                        Err(mpsc::error::TryRecvError::Disconnected) => input_ended = true,
                        Err(mpsc::error::TryRecvError::Empty) => {}
                    }
                }
                if batch.summary.stopped.is_some()
                    || next.is_empty()
                    || context.pacer.take() != Turn::Now
                {
                    break;
                }
                group.extend(next.pop_front());
            }
            match &batch.journal {
                Some(journal) => {
                    let intents = group.iter().map(|job| (Record::Intent, job.id)).collect();
                    writing = Some((journal.write(intents), group, turned));
                }
                None => {
                    for job in group {
                        launch(&mut in_flight, &mut flying, &context, job, turned);
                    }
                }
            }
            continue;
        }
        let wait_turn = async {
            match (turn, grace_ends) {
                (_, Some(at)) => tokio::time::sleep_until(at).await,
                (Some(Turn::At(at)), None) => tokio::time::sleep_until(at).await,
                (Some(Turn::Later), None) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                _ => std::future::pending().await,
            }
        };
        let want_lines =
            !stopping && batch.closed.is_none() && !input_ended && next.len() < concurrency;
        tokio::select! {
            biased;
            signal = interrupted.next() => {
                if grace_ends.is_some() {
                    // A second signal: the requests in flight are not waited for.
                    grace_ends = Some(Instant::now());
                } else {
                    grace_ends = Some(Instant::now() + SIGNAL_GRACE);
                    batch.stop(Stop::Signal(signal), observe);
                }
            }
            Some(done) = in_flight.join_next_with_id(), if !in_flight.is_empty() => {
                if let Ok((id, done)) = done {
                    flying.remove(&id);
                    batch.end(done, observe);
                }
            }
            durable = durable(&mut writing), if writing.is_some() => {
                let (group, turned) = writing
                    .take()
                    .map_or((Vec::new(), Instant::now()), |(_, group, turned)| (group, turned));
                match durable {
                    Ok(()) if batch.summary.stopped.is_none() => {
                        for job in group {
                            launch(&mut in_flight, &mut flying, &context, job, turned);
                        }
                    }
                    // Journaled as about to be sent but never sent: not delivered.
                    Ok(()) => batch.unsent(group),
                    Err(problem) => {
                        batch.summary.not_attempted += group.len() as u64;
                        batch.stop(Stop::Journal(problem), observe);
                    }
                }
            }
            () = wait_turn => {}
            chunk = received.recv(), if want_lines => match chunk {
                Some(items) => batch.admit_all(items, &mut next, observe),
                None => input_ended = true,
            },
        }
        let learned = context.pacer.learned();
        if learned.is_some() && learned != batch.summary.learned_quota {
            batch.summary.learned_quota = learned;
            if let Some(quota) = &learned {
                observe(Event::Learned(quota));
            }
        }
        observe(Event::Progress(&batch.summary));
    }
    // Lines read but never started: not attempted, neither journaled nor sent. The batch
    // has stopped, so those the reader handed over meanwhile only count.
    received.close();
    while let Ok(items) = received.try_recv() {
        batch.admit_all(items, &mut next, observe);
    }
    batch.summary.not_attempted += next.len() as u64;
    // The reader stops at the closed hand-over; what it read and the rest of a file are
    // counted, unless a signal says not to wait for that.
    let rest = tokio::select! {
        biased;
        _ = interrupted.next() => Rest::NotRead,
        rest = rest => rest.unwrap_or(Rest::NotRead),
    };
    batch.summary.count_rest(rest);
    let mut summary = batch.summary;
    if let Some(journal) = batch.journal
        && let Err(e) = journal.finish()
        && summary.stopped.is_none()
    {
        summary.stopped = Some(Stop::Journal(format!("cannot write the journal: {e}")));
    }
    Ok(summary)
}

/// Starts one line's request, its turn given at `turned`.
fn launch(
    in_flight: &mut JoinSet<Done>,
    flying: &mut HashMap<task::Id, (u64, LineId)>,
    context: &Arc<Context>,
    job: Job,
    turned: Instant,
) {
    let line = (job.line, job.id);
    let task = in_flight.spawn(deliver(Arc::clone(context), job, turned));
    flying.insert(task.id(), line);
}

/// Waits until the group being written is on disk.
async fn durable(
    writing: &mut Option<(Option<Durable>, Vec<Job>, Instant)>,
) -> std::result::Result<(), String> {
    match writing {
        Some((Some(durable), _, _)) => durable.await,
        _ => Ok(()),
    }
}

/// A signal that asks a batch to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// 128 plus the signal's number, as shells report a process the signal ended.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }

    /// The error a batch that this signal stopped ends with.
    pub fn error(self) -> Error {
        Error::Interrupted {
            signal: self.name(),
            code: self.exit_code(),
        }
    }
}

/// The signals a batch listens to while it runs.
pub trait Interrupts {
    /// Completes at the next signal.
    fn next(&mut self) -> impl Future<Output = Signal>;
}

/// No signal ever comes.
pub struct Uninterrupted;

impl Interrupts for Uninterrupted {
    fn next(&mut self) -> impl Future<Output = Signal> {
        std::future::pending()
    }
}

/// What every request in flight shares.
struct Context {
    /// The stored tokens, looked up again as each line that uses one leaves.
    tokens: Option<tokens::Shared>,
    /// Set once the batch stops early: no attempt starts after it, and those waiting for
    /// their turn give up.
    stopping: watch::Sender<bool>,
    retry: RetryPolicy,
    pacer: Pacer,
    client: Arc<ApiClient>,
    report: Arc<Report>,
}

/// How one line ended, and the outcome to journal.
struct Done {
    line: u64,
    id: LineId,
    shared_token: bool,
    record: Record,
    result: std::result::Result<(), Failure>,
    /// The upload whose media token a failed request carried, for the line's report.
    uploaded: Option<Uploaded>,
    /// The request, when the API refused it with 403, for the advice that gets.
    forbidden: Option<Forbidden>,
}

enum Failure {
    /// Certainly not delivered. `come_back` is when a 429 asked to try again, if it did;
    /// `quota_spent` that 429s without `Retry-After` kept coming for longer than the longest
    /// wait.
    NotDelivered {
        error: Error,
        come_back: Option<Duration>,
        quota_spent: bool,
    },
    /// The request left and no clear answer came back.
    Uncertain(Error),
    /// The batch stopped before this line's request was sent.
    Stopped,
}

/// The pacing of one line's attempts: the first goes at once (the batch gave it its
/// turn); a retry waits for the batch's pace, and is called off once the batch stops. A
/// 429's wait is imposed on every request rather than slept by this one.
struct LinePacing<'a> {
    context: &'a Context,
    first: AtomicBool,
    /// When the attempt under way started, for the pace to tell what a 429 answers.
    started: std::sync::Mutex<Instant>,
}

impl LinePacing<'_> {
    fn started(&self) -> Instant {
        *self.started.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Pacing for LinePacing<'_> {
    async fn turn(&self) -> bool {
        if self.first.swap(false, Ordering::Relaxed) {
            return true;
        }
        let mut stopping = self.context.stopping.subscribe();
        tokio::select! {
            biased;
            _ = stopping.wait_for(|stopping| *stopping) => return false,
            given = self.context.pacer.turn() => if !given {
                return false;
            }
        }
        *self.started.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        true
    }

    fn back_off(
        &self,
        outcome: &Result<Answer>,
        wait: Duration,
    ) -> impl Future<Output = ()> + Send {
        let limited = matches!(outcome, Ok(answer) if answer.status == 429);
        let started = self.started();
        async move {
            if limited {
                // The limit is the app's, not this request's: every request waits.
                self.context.pacer.limited(wait, true, started);
            } else {
                tokio::time::sleep(wait).await;
            }
        }
    }

    /// A 429 without `Retry-After` is the window's business: the pace probes for its
    /// reopening, and the line goes again then, for as long as the pace does not give up.
    fn absorbs(&self, outcome: &Result<Answer>) -> bool {
        let refused =
            matches!(outcome, Ok(answer) if answer.status == 429 && answer.retry_after.is_none());
        if refused {
            self.context
                .pacer
                .limited(Duration::ZERO, false, self.started());
        }
        refused
    }
}

/// Sends one line whose intent is journaled, its turn given at `turned`: retries as the
/// policy allows, telling the report about each attempt, and says how it ended.
async fn deliver(context: Arc<Context>, job: Job, turned: Instant) -> Done {
    let Job {
        line,
        id,
        shared_token,
        mut request,
        to,
        stored_token,
        uploaded,
    } = job;
    let stored = stored_token.then_some(&to).zip(context.tokens.as_ref());
    let mut sent_with = None;
    if let Some((to, tokens)) = stored {
        match tokens::at_departure(tokens, to).await {
            Ok(token) => {
                request.set_access_token(token.clone());
                sent_with = Some(token);
            }
            Err(error) => {
                return Done {
                    line,
                    id,
                    shared_token,
                    record: Record::NotDelivered,
                    result: Err(Failure::NotDelivered {
                        error,
                        come_back: None,
                        quota_spent: false,
                    }),
                    uploaded,
                    forbidden: None,
                };
            }
        }
    }
    let mut outcome = send_paced(&context, &request, line, turned).await;
    // A stored token refused: another run may have refreshed it meanwhile. A 401 was not
    // acted on, so the line goes once more with the token the store holds now.
    if let (Some((to, tokens)), Some(refused), Ok(Answer { status: 401, .. })) =
        (stored, sent_with, &outcome)
        && let Ok(Some(token)) = tokens::after_refusal(tokens, to, refused).await
    {
        request.set_access_token(token);
        outcome = send_paced(&context, &request, line, Instant::now()).await;
    }
    let come_back = match &outcome {
        Ok(answer) if answer.status == 429 => Some(answer.retry_after.unwrap_or_default()),
        _ => None,
    };
    let quota_spent = come_back.is_some() && context.pacer.spent();
    let result = outcome.and_then(|answer| check_delivered(&answer));
    let forbidden = matches!(result, Err(Error::Refused { status: 403, .. })).then(|| Forbidden {
        line,
        url: request.url.clone(),
        to,
        access_token: request.access_token().cloned(),
    });
    let (record, result) = match result {
        Ok(()) => (Record::Sent, Ok(())),
        Err(Error::Cancelled) => (Record::NotDelivered, Err(Failure::Stopped)),
        Err(error) if error.may_have_been_delivered() => {
            (Record::Uncertain, Err(Failure::Uncertain(error)))
        }
        Err(error) => (
            Record::NotDelivered,
            Err(Failure::NotDelivered {
                error,
                come_back,
                quota_spent,
            }),
        ),
    };
    Done {
        line,
        id,
        shared_token,
        record,
        result,
        uploaded,
        forbidden,
    }
}

/// Sends a line's request, its first attempt at once (its turn given at `turned`), retries
/// as the policy and the batch's pace allow, each attempt told to the report.
async fn send_paced(
    context: &Context,
    request: &PreparedRequest,
    line: u64,
    turned: Instant,
) -> Result<Answer> {
    let pacing = LinePacing {
        context,
        first: AtomicBool::new(true),
        started: std::sync::Mutex::new(turned),
    };
    let outcome = retry::execute_paced(
        &context.client,
        request,
        &context.retry,
        &pacing,
        &retry::no_progress(),
        |event| (context.report)(line, event),
    )
    .await;
    if matches!(&outcome, Ok(answer) if answer.status != 429) {
        context.pacer.answered(pacing.started());
    } else {
        context.pacer.ended(pacing.started());
    }
    outcome
}

/// The batch's own state: the counts, the journal and why it stops.
struct Batch {
    journal: Option<Journal>,
    summary: Summary,
    seen: Seen,
    fail_fast: bool,
    /// Why no line read from now on is sent, once the lines before it have ended.
    closed: Option<Stop>,
    unreachable_limit: u32,
    /// Lines in a row that could not reach the API or were refused as unauthorized.
    unreachable: u32,
}

impl Batch {
    /// Counts the lines the reader handed over, queueing those to send while the batch is
    /// open; once it stopped or closed, a line to send is not attempted.
    fn admit_all(
        &mut self,
        items: Vec<Item>,
        next: &mut VecDeque<Job>,
        observe: &mut dyn FnMut(Event),
    ) {
        for item in items {
            let open = self.summary.stopped.is_none() && self.closed.is_none();
            match item {
                // Read after the line that stopped the batch: never attempted.
                Item::Send(_) if !open => {
                    self.summary.lines += 1;
                    self.summary.not_attempted += 1;
                }
                Item::Unreadable(_) if !open => {}
                Item::Held => {
                    self.summary.lines += 1;
                    self.summary.not_attempted += 1;
                }
                item => self.admit(item, open, next, observe),
            }
        }
    }

    /// Counts a line read from the input, in input order; queues it when it is to be sent.
    /// An invalid line closes the input under `--fail-fast` while the batch is `open`.
    fn admit(
        &mut self,
        item: Item,
        open: bool,
        next: &mut VecDeque<Job>,
        observe: &mut dyn FnMut(Event),
    ) {
        let summary = &mut self.summary;
        summary.lines += u64::from(!matches!(item, Item::Unreadable(_)));
        match item {
            Item::Send(job) => {
                if self.seen.insert(job.id.short()) {
                    next.push_back(*job);
                } else {
                    summary.duplicates += 1;
                }
            }
            Item::Skipped { line, status } => match status {
                Status::Sent => summary.already_sent += 1,
                Status::InDoubt => summary.add_in_doubt(line),
            },
            Item::Invalid { line, error } | Item::Failed { line, error } => {
                let invalid = matches!(error, Error::Invalid(_));
                if invalid {
                    summary.invalid += 1;
                } else {
                    summary.failed.count(&error);
                }
                observe(Event::LineFailed {
                    line,
                    error: &error,
                });
                if token_source::must_log_in_again(&error) {
                    self.stop(Stop::TokenRefused { line }, observe);
                } else if self.fail_fast && open {
                    // The lines before it are still sent; none after it is.
                    self.closed = Some(Stop::FailFast { line, invalid });
                }
            }
            Item::Held => {}
            Item::Unreadable(problem) => self.stop(Stop::Input(problem), observe),
        }
    }

    /// Stops the batch early (the first reason counts), telling `observe`.
    fn stop(&mut self, stop: Stop, observe: &mut dyn FnMut(Event)) {
        if self.summary.stopped.is_none() {
            observe(Event::Stopping(&stop));
            self.summary.stopped = Some(stop);
        }
    }

    /// Gives up on the requests in flight, once a signal's grace is over: each is
    /// journaled and counted as in doubt (it may have arrived), and the group whose intents
    /// were being written as never sent.
    fn give_up(
        &mut self,
        in_flight: &mut JoinSet<Done>,
        flying: &mut HashMap<task::Id, (u64, LineId)>,
        writing: Option<(Option<Durable>, Vec<Job>, Instant)>,
        observe: &mut dyn FnMut(Event),
    ) {
        in_flight.abort_all();
        if let Some((_, group, _)) = writing {
            self.unsent(group);
        }
        let mut lines: Vec<(u64, LineId)> = flying.drain().map(|(_, line)| line).collect();
        lines.sort_unstable_by_key(|(line, _)| *line);
        for (line, id) in lines {
            if let Some(journal) = &self.journal {
                journal.write(vec![(Record::Uncertain, id)]);
            }
            self.summary.add_in_doubt(line);
            observe(Event::LineFailed {
                line,
                error: &Error::DeliveryUncertain(
                    "the batch stopped before its request ended; it may have been delivered".into(),
                ),
            });
        }
    }

    /// Lines journaled as about to be sent whose requests never left.
    fn unsent(&mut self, group: Vec<Job>) {
        self.summary.not_attempted += group.len() as u64;
        if let Some(journal) = &self.journal {
            journal.write(
                group
                    .iter()
                    .map(|job| (Record::NotDelivered, job.id))
                    .collect(),
            );
        }
    }

    /// Counts a line that ended, journals its outcome, and decides whether the batch goes on.
    fn end(&mut self, done: Done, observe: &mut dyn FnMut(Event)) {
        let Done {
            line,
            id,
            shared_token,
            record,
            result,
            uploaded,
            forbidden,
        } = done;
        // A failed media line's report says what to do with its media token.
        let report = |error: Error| match &uploaded {
            Some(uploaded) => uploaded.failed(error),
            None => error,
        };
        if let Some(journal) = &self.journal {
            journal.write(vec![(record, id)]);
        }
        match result {
            Ok(()) => {
                self.unreachable = 0;
                self.summary.sent += 1;
                return;
            }
            Err(Failure::Stopped) => {
                self.summary.not_attempted += 1;
                return;
            }
            Err(Failure::Uncertain(error)) => {
                self.unreachable = 0;
                self.summary.add_in_doubt(line);
                observe(Event::LineFailed {
                    line,
                    error: &report(error),
                });
            }
            Err(Failure::NotDelivered {
                error,
                come_back,
                quota_spent,
            }) => {
                self.summary.failed.count(&error);
                let stop = if quota_spent {
                    Some(Stop::QuotaSpent { line })
                } else {
                    self.judge(&error, line, shared_token, come_back)
                };
                observe(Event::LineFailed {
                    line,
                    error: &report(error),
                });
                if let Some(forbidden) = &forbidden {
                    observe(Event::Forbidden(forbidden));
                }
                if let Some(stop) = stop {
                    self.stop(stop, observe);
                }
            }
        }
        if self.fail_fast {
            self.stop(
                Stop::FailFast {
                    line,
                    invalid: false,
                },
                observe,
            );
        }
    }

    /// Whether a line certainly not delivered stops the batch, as it would stop every
    /// line after it: a 429 that its retries could not wait out (the API said when to
    /// come back, or did not), a refusal of the batch's own token, or the API out of reach
    /// for [`BatchOptions::unreachable_limit`] lines in a row.
    fn judge(
        &mut self,
        error: &Error,
        line: u64,
        shared_token: bool,
        come_back: Option<Duration>,
    ) -> Option<Stop> {
        let unauthorized = matches!(error, Error::Refused { status: 401, .. });
        if matches!(error, Error::NotSent(_)) || unauthorized {
            self.unreachable += 1;
        } else {
            self.unreachable = 0;
        }
        if let Some(wait) = come_back {
            // In Unix seconds, which cannot overflow as a clock plus any wait can.
            let at = (!wait.is_zero()).then(|| time::unix_now().saturating_add(wait.as_secs()));
            return Some(Stop::RateLimited { line, at });
        }
        if unauthorized && shared_token {
            return Some(Stop::Unauthorized { line });
        }
        if token_source::must_log_in_again(error) {
            return Some(Stop::TokenRefused { line });
        }
        (self.unreachable_limit > 0 && self.unreachable >= self.unreachable_limit).then_some(
            Stop::Unreachable {
                lines: self.unreachable,
                unauthorized,
            },
        )
    }
}
