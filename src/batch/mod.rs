//! Sending a batch: one message per line of a JSON Lines input, several requests in
//! flight, paced by a rate limit and by the API's 429s, with an optional journal that makes
//! a re-run skip what was sent and hold back what may have been.
//!
//! Three parts run at once: a reader thread parses lines and prepares their requests
//! ([`reader`]), one task per request in flight sends them ([`workers`]), and the batch's
//! own task in between counts what ended and hands groups of lines to the journal before
//! they go out. Every queue between them is bounded, so memory stays flat however long the
//! input is.

pub mod journal;
pub mod lines;
mod reader;
pub mod summary;
pub mod throttle;
mod workers;

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;
use url::Url;

use crate::client::{self, Answer, ApiClient, ClientOptions};
use crate::error::{Error, Result};
use crate::retry::{self, Pacing, RetryPolicy};
use crate::secret::SecretString;
use crate::store::StoredToken;
use journal::{Durable, History, Journal, LineId, Record, Status};
use reader::{Item, Job, Prepare};
use summary::Summary;
use throttle::{Pause, Rate, RateLimiter};
use workers::{Counts, Queue};

/// Chunks of lines parsed ahead of the batch, besides the one the reader is filling.
const CHUNKS_AHEAD: usize = 2;
/// With a journal, lines journaled as about to be sent whose outcome is not yet handed to
/// the journal, at most, in multiples of the concurrency: what a killed process may leave
/// in doubt. Besides the requests in flight, room for the lines that keep them busy while
/// the next group's `fsync` runs. Only a server that answers within microseconds needs
/// that much (then an `fsync` outlasts many rounds of requests); against one that takes
/// milliseconds, the queue's target keeps the batch about one round ahead.
const JOURNALED_AHEAD: usize = 16;

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

/// Told about every attempt of a line's request (the line's number, then the event), as
/// the requests of a batch go out at once.
pub type Report = dyn Fn(u64, retry::Event<'_>) + Send + Sync;

/// What a batch reports while it runs.
#[derive(Debug)]
pub enum Event<'a> {
    /// A line was invalid, failed, or may not have been delivered.
    LineFailed { line: u64, error: &'a Error },
    /// The counts so far, as lines are read and end.
    Progress(&'a Summary),
}

/// Sends every line of `input` and returns the summary. `Err` only when the batch cannot
/// start (e.g. an unusable journal); problems with lines are in the summary and reported
/// through `observe` as they happen, and each request's attempts through `report`.
pub async fn run(
    options: BatchOptions,
    input: Box<dyn BufRead + Send>,
    observe: &mut dyn FnMut(Event),
    report: Arc<Report>,
) -> Result<Summary> {
    let (history, journal) = match &options.journal {
        Some(path) => {
            let (history, journal) = Journal::open(path)?;
            (history, Some(journal))
        }
        None => (History::default(), None),
    };
    let (chunks, mut received) = mpsc::channel(CHUNKS_AHEAD);
    let prepare = Prepare {
        endpoint: client::endpoint(&options.base_url, client::SEND_MESSAGE_PATH),
        api_key: options.api_key,
        access_token: options.access_token,
        stored_tokens: options.stored_tokens,
        history,
        resend_in_doubt: options.resend_in_doubt,
    };
    let runtime = tokio::runtime::Handle::current();
    std::thread::spawn(move || prepare.read_all(input, &chunks, &runtime));

    let concurrency = options.concurrency.max(1);
    let context = Arc::new(Context {
        stopping: AtomicBool::new(false),
        fail_fast: options.fail_fast,
        retry: options.retry,
        limiter: options.rate.map(RateLimiter::new),
        pause: Pause::default(),
    });
    let (queue, shards) = Queue::start(concurrency, &options.client, &context, &report)?;
    let mut summary = Summary::default();
    let mut staged = Staged::new(journal, concurrency);
    let mut ended = Vec::new();
    let mut input_ended = false;
    loop {
        queue.take_ended(&mut ended);
        for done in ended.drain(..) {
            staged.outcome(done.id, done.record);
            finish(done, options.fail_fast, &mut summary, observe);
        }
        let stopped = summary.stopped.is_some();
        if stopped {
            context.stopping.store(true, Ordering::Relaxed);
            staged.drop_unsent(queue.take_ready(), &mut summary);
        }
        let counts = queue.counts();
        staged.hand_to_journal(&counts, input_ended || stopped);
        queue.wake_below(staged.low_water());
        if (input_ended || stopped) && staged.is_idle() && counts.is_idle() {
            break;
        }
        let receive = !input_ended && !stopped && staged.wants_lines(&counts);
        tokio::select! {
            biased;
            () = queue.woken() => {}
            durable = staged.durable(), if staged.is_writing() => match durable {
                Ok(jobs) if context.stopping.load(Ordering::Relaxed) => {
                    staged.drop_unsent(jobs, &mut summary);
                }
                Ok(jobs) => queue.push(jobs),
                Err(problem) => {
                    summary.stopped.get_or_insert(problem);
                }
            },
            chunk = received.recv(), if receive => match chunk {
                Some(items) => {
                    let mut jobs = Vec::new();
                    for item in items {
                        if let Some(job) = admit(item, options.fail_fast, &mut summary, observe) {
                            jobs.extend(staged.push(job));
                        }
                    }
                    queue.push(jobs);
                }
                None => input_ended = true,
            },
        }
        observe(Event::Progress(&summary));
    }
    queue.close(concurrency);
    for shard in shards {
        // Nothing is queued or in flight: the threads are ending.
        if let Err(panic) = shard.join() {
            std::panic::resume_unwind(panic);
        }
    }
    // Lines read ahead when the batch stopped early: those to send were not attempted;
    // the rest count as what they are (already sent, in doubt, invalid).
    received.close();
    while let Ok(items) = received.try_recv() {
        for item in items {
            match item {
                Item::Send(_) => {
                    summary.lines += 1;
                    summary.not_attempted += 1;
                }
                Item::Unreadable(_) => {}
                other => {
                    admit(other, false, &mut summary, observe);
                }
            }
        }
    }
    drop(context);
    if let Some(journal) = staged.journal
        && let Err(e) = journal.finish()
        && summary.stopped.is_none()
    {
        summary.stopped = Some(format!("cannot write the journal: {e}"));
    }
    Ok(summary)
}

/// Counts a line read from the input; returns it when it is to be sent.
fn admit(
    item: Item,
    fail_fast: bool,
    summary: &mut Summary,
    observe: &mut dyn FnMut(Event),
) -> Option<Job> {
    summary.lines += u64::from(!matches!(item, Item::Unreadable(_)));
    match item {
        Item::Send(job) => return Some(job),
        Item::Skipped { line, status } => match status {
            Status::Sent => summary.already_sent += 1,
            Status::InDoubt => summary.add_in_doubt(line),
        },
        Item::Invalid { line, error } => {
            summary.invalid += 1;
            observe(Event::LineFailed {
                line,
                error: &error,
            });
            if fail_fast {
                summary.stopped = Some(format!("line {line} is invalid (--fail-fast)"));
            }
        }
        Item::Unreadable(problem) => summary.stopped = Some(problem),
    }
    None
}

/// Lines between the input and the queue, and outcomes on their way to the journal.
/// Intents go to the journal in groups, one group being written at a time; the lines of a
/// group are queued together once it is on disk. Without a journal, lines are queued at
/// once.
struct Staged {
    journal: Option<Journal>,
    concurrency: usize,
    /// Lines whose intents are not yet handed to the journal.
    waiting: Vec<Job>,
    /// The group being written, and what says it is on disk.
    writing: Option<(Durable, Vec<Job>)>,
    /// Outcomes not yet handed to the journal: they go with the next write.
    outcomes: Vec<(Record, LineId)>,
    /// Lines that ended since the last group of intents was handed to the journal: how
    /// many requests a group's `fsync` has to keep busy.
    ended_while_writing: usize,
}

impl Staged {
    fn new(journal: Option<Journal>, concurrency: usize) -> Self {
        Staged {
            journal,
            concurrency,
            waiting: Vec::new(),
            writing: None,
            outcomes: Vec::new(),
            ended_while_writing: 0,
        }
    }

    /// Takes a line to send: returns it when it may be queued at once (no journal).
    fn push(&mut self, job: Job) -> Option<Job> {
        match self.journal {
            Some(_) => {
                self.waiting.push(job);
                None
            }
            None => Some(job),
        }
    }

    fn outcome(&mut self, id: LineId, record: Record) {
        if self.journal.is_some() {
            self.outcomes.push((record, id));
            self.ended_while_writing += 1;
        }
    }

    /// Whether to read more lines: enough are waiting (for the journal) or queued (without
    /// one) to keep every request busy.
    fn wants_lines(&self, counts: &Counts) -> bool {
        match self.journal {
            Some(_) => self.waiting.len() < JOURNALED_AHEAD * self.concurrency,
            None => counts.ready < 4 * self.concurrency,
        }
    }

    /// The lines a journaled batch keeps queued: enough to keep every request busy while
    /// the next group's `fsync` runs, twice as many as ended while the last one ran. Against
    /// a slow server that is one round of requests; against a fast one, the groups grow so
    /// that one `fsync` covers many lines.
    fn ready_target(&self) -> usize {
        self.concurrency + 2 * self.ended_while_writing
    }

    /// Lines queued below which the batch should be woken to add more.
    fn low_water(&self) -> usize {
        match self.journal {
            Some(_) => self.ready_target() / 2 + 1,
            None => 2 * self.concurrency,
        }
    }

    /// Whether nothing is waiting for the journal or being written.
    fn is_idle(&self) -> bool {
        self.waiting.is_empty() && self.writing.is_none() && self.outcomes.is_empty()
    }

    /// Hands a group of waiting intents to the journal, with the outcomes gathered so far
    /// ahead of them, unless a group is being written. A group is due once the queue is
    /// down to half its target ([`Staged::ready_target`]) and fills it up again, so that
    /// each `fsync` covers at least half a target of lines. Never more than
    /// [`JOURNALED_AHEAD`] times the concurrency lines are journaled without their outcome.
    /// Outcomes wait for the next group, or go alone at the end.
    fn hand_to_journal(&mut self, counts: &Counts, flush: bool) {
        let Some(journal) = &self.journal else {
            return;
        };
        if self.writing.is_some() {
            return;
        }
        // The outcomes go in the same write as the intents, ahead of them: a line is
        // journaled without its outcome until its outcome is handed over.
        let journaled = counts.in_flight + counts.ready + counts.ended;
        let room = (JOURNALED_AHEAD * self.concurrency).saturating_sub(journaled);
        let target = self.ready_target();
        let group = if counts.ready <= target / 2 {
            self.waiting.len().min(room).min(target - counts.ready)
        } else {
            0
        };
        let outcomes = !self.outcomes.is_empty() && (flush && self.waiting.is_empty());
        if group == 0 && !outcomes {
            return;
        }
        let mut records = std::mem::take(&mut self.outcomes);
        records.extend(
            self.waiting[..group]
                .iter()
                .map(|job| (Record::Intent, job.id)),
        );
        if let Some(durable) = journal.write(records) {
            self.writing = Some((durable, self.waiting.drain(..group).collect()));
            self.ended_while_writing = 0;
        }
    }

    fn is_writing(&self) -> bool {
        self.writing.is_some()
    }

    /// Waits for the group being written (at once when there is none) and returns its
    /// lines, now ready to send. If it could not be written, they are back to waiting,
    /// never to be sent.
    async fn durable(&mut self) -> std::result::Result<Vec<Job>, String> {
        let Some((durable, _)) = &mut self.writing else {
            return Ok(Vec::new());
        };
        let result = durable.await;
        let jobs = self
            .writing
            .take()
            .map(|(_, jobs)| jobs)
            .unwrap_or_default();
        match result {
            Ok(()) => Ok(jobs),
            Err(problem) => {
                self.waiting.extend(jobs);
                Err(problem)
            }
        }
    }

    /// Once the batch stops: lines not yet sent are not sent. `unsent` had their intent
    /// journaled, so they are journaled as not delivered; the lines still waiting were
    /// never journaled. The group being written is left to finish.
    fn drop_unsent(&mut self, unsent: Vec<Job>, summary: &mut Summary) {
        summary.not_attempted += (self.waiting.len() + unsent.len()) as u64;
        self.waiting.clear();
        for job in unsent {
            self.outcome(job.id, Record::NotDelivered);
        }
    }
}

/// What every request in flight shares.
struct Context {
    /// Set once the batch stops early: lines not yet sent are not sent.
    stopping: AtomicBool,
    fail_fast: bool,
    retry: RetryPolicy,
    limiter: Option<RateLimiter>,
    pause: Pause,
}

/// How one line ended, and the outcome to journal.
struct Done {
    line: u64,
    id: LineId,
    record: Record,
    result: std::result::Result<(), Failure>,
}

enum Failure {
    /// Certainly not delivered.
    NotDelivered(Error),
    /// The request left and no clear answer came back.
    Uncertain(Error),
    /// The batch stopped before this line's request was sent.
    Stopped,
}

/// A batch's attempts wait for the rate limit and for any pause a 429 imposed; a 429's
/// wait is imposed on every request rather than slept by this one.
impl Pacing for Context {
    async fn turn(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.wait().await;
        }
        self.pause.wait().await;
    }

    fn back_off(
        &self,
        outcome: &Result<Answer>,
        wait: Duration,
    ) -> impl Future<Output = ()> + Send {
        let limited = matches!(outcome, Ok(answer) if answer.status == 429);
        async move {
            if limited {
                // The limit is the app's, not this request's: every request waits.
                self.pause.extend(wait);
            } else {
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// Sends one line whose intent is journaled: retries as the policy allows (a 429 pauses
/// every request), telling `report` about each attempt, and says how it ended.
async fn deliver(context: &Context, client: &ApiClient, job: Job, report: &Report) -> Done {
    let Job { line, id, request } = job;
    if context.stopping.load(Ordering::Relaxed) {
        return Done {
            line,
            id,
            record: Record::NotDelivered,
            result: Err(Failure::Stopped),
        };
    }
    let outcome = retry::execute_paced(client, &request, &context.retry, context, |event| {
        report(line, event)
    })
    .await;
    let result = outcome.and_then(|answer| client::check_delivered(&answer));
    let (record, result) = match result {
        Ok(()) => (Record::Sent, Ok(())),
        Err(error) if error.may_have_been_delivered() => {
            (Record::Uncertain, Err(Failure::Uncertain(error)))
        }
        Err(error) => (Record::NotDelivered, Err(Failure::NotDelivered(error))),
    };
    if result.is_err() && context.fail_fast {
        // Before this line counts as ended, so that no line started after it is sent.
        context.stopping.store(true, Ordering::Relaxed);
    }
    Done {
        line,
        id,
        record,
        result,
    }
}

/// Counts a finished line and reports its failure.
fn finish(done: Done, fail_fast: bool, summary: &mut Summary, observe: &mut dyn FnMut(Event)) {
    let Done { line, result, .. } = done;
    let error = match result {
        Ok(()) => {
            summary.sent += 1;
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
