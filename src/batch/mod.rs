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

use std::collections::VecDeque;
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use url::Url;

use crate::client::{self, Answer, ApiClient, ClientOptions, Credentials, PreparedRequest};
use crate::error::{Error, Result};
use crate::input::MAX_INPUT_BYTES;
use crate::retry::{self, Pacing, RetryPolicy};
use crate::secret::SecretString;
use crate::store::{self, Lookup, StoredToken, unix_now};
use journal::{Durable, History, Journal, LineId, Record, Status};
use lines::{LineReader, RawLine};
use summary::Summary;
use throttle::{Pause, Rate, RateLimiter};

/// Lines parsed ahead of the requests in flight: enough to keep every worker busy.
const READ_AHEAD: usize = 64;
/// The reader thread waits for room for this many lines at once: waking it for every line
/// would cost more than preparing the line.
const HAND_OFF: usize = 16;

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
    /// The counts so far, after every line read or finished.
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
    let client = ApiClient::new(&options.client)?;
    let (items, mut received) = mpsc::channel(READ_AHEAD);
    let prepare = Prepare {
        endpoint: client::endpoint(&options.base_url, client::SEND_MESSAGE_PATH),
        api_key: options.api_key,
        access_token: options.access_token,
        stored_tokens: options.stored_tokens,
        history,
        resend_in_doubt: options.resend_in_doubt,
    };
    let runtime = tokio::runtime::Handle::current();
    std::thread::spawn(move || prepare.read_all(input, &items, &runtime));

    let concurrency = options.concurrency.max(1);
    let context = Arc::new(Context {
        client,
        stopping: AtomicBool::new(false),
        fail_fast: options.fail_fast,
        retry: options.retry,
        limiter: options.rate.map(RateLimiter::new),
        pause: Pause::default(),
    });
    let mut summary = Summary::default();
    let mut staged = Staged::new(journal);
    let mut in_flight = JoinSet::new();
    let mut input_ended = false;
    loop {
        if summary.stopped.is_some() {
            context.stopping.store(true, Ordering::Relaxed);
            staged.drop_unsent(&mut summary);
        }
        while in_flight.len() < concurrency
            && let Some(job) = staged.ready.pop_front()
        {
            in_flight.spawn(deliver(Arc::clone(&context), job, Arc::clone(&report)));
        }
        staged.hand_to_journal();
        // Twice as many lines as requests: while one group of requests is out, the next
        // group's intents are being journaled, so that the fsync is not waited for in turn.
        // Lines journaled as about to be sent whose outcome is not yet handed to the journal
        // never exceed this, which bounds what a crash leaves in doubt.
        let receive = !input_ended
            && summary.stopped.is_none()
            && in_flight.len() + staged.lines() < 2 * concurrency;
        tokio::select! {
            biased;
            Some(done) = in_flight.join_next() => {
                let done = match done {
                    Ok(done) => done,
                    Err(e) => std::panic::resume_unwind(e.into_panic()),
                };
                staged.outcome(done.id, done.record);
                finish(done, options.fail_fast, &mut summary, observe);
            }
            durable = staged.durable(), if staged.is_writing() => {
                if let Err(problem) = durable {
                    summary.stopped.get_or_insert(problem);
                }
            }
            item = received.recv(), if receive => match item {
                Some(item) => admit(item, &mut staged, options.fail_fast, &mut summary, observe),
                None => input_ended = true,
            },
            else => break,
        }
        observe(Event::Progress(&summary));
    }
    // Lines read ahead when the batch stopped early: those to send were not attempted;
    // the rest count as what they are (already sent, in doubt, invalid).
    received.close();
    while let Ok(item) = received.try_recv() {
        match item {
            Item::Send(_) => {
                summary.lines += 1;
                summary.not_attempted += 1;
            }
            Item::Unreadable(_) => {}
            other => admit(other, &mut staged, false, &mut summary, observe),
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

/// Counts a line read from the input, and stages it when it is to be sent.
fn admit(
    item: Item,
    staged: &mut Staged,
    fail_fast: bool,
    summary: &mut Summary,
    observe: &mut dyn FnMut(Event),
) {
    summary.lines += u64::from(!matches!(item, Item::Unreadable(_)));
    match item {
        Item::Send(job) => staged.push(job),
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
}

/// Lines between the input and their request, and outcomes on their way to the journal.
/// Intents go to the journal in groups, one group being written at a time: the lines of
/// the group written last become ready together, with one wake-up of this task rather than
/// one per line. Without a journal, lines are ready at once.
struct Staged {
    journal: Option<Journal>,
    /// Lines whose intents are not yet handed to the journal.
    waiting: Vec<Job>,
    /// The group being written, and what says it is on disk.
    writing: Option<(Durable, Vec<Job>)>,
    /// Lines whose intent is on disk, in input order, waiting for a request slot.
    ready: VecDeque<Job>,
    /// Outcomes not yet handed to the journal: they go with the next group.
    outcomes: Vec<(Record, LineId)>,
}

impl Staged {
    fn new(journal: Option<Journal>) -> Self {
        Staged {
            journal,
            waiting: Vec::new(),
            writing: None,
            ready: VecDeque::new(),
            outcomes: Vec::new(),
        }
    }

    fn push(&mut self, job: Job) {
        match self.journal {
            Some(_) => self.waiting.push(job),
            None => self.ready.push_back(job),
        }
    }

    fn outcome(&mut self, id: LineId, record: Record) {
        if self.journal.is_some() {
            self.outcomes.push((record, id));
        }
    }

    /// Lines staged: read, and not yet sent.
    fn lines(&self) -> usize {
        let writing = self.writing.as_ref().map_or(0, |(_, jobs)| jobs.len());
        self.waiting.len() + writing + self.ready.len()
    }

    /// Hands the waiting intents and outcomes to the journal, unless a group is being
    /// written: they then go with the next one, once that is on disk.
    fn hand_to_journal(&mut self) {
        let Some(journal) = &self.journal else {
            return;
        };
        if self.writing.is_some() || (self.waiting.is_empty() && self.outcomes.is_empty()) {
            return;
        }
        let mut records = std::mem::take(&mut self.outcomes);
        records.extend(self.waiting.iter().map(|job| (Record::Intent, job.id)));
        if let Some(durable) = journal.write(records) {
            self.writing = Some((durable, std::mem::take(&mut self.waiting)));
        }
    }

    fn is_writing(&self) -> bool {
        self.writing.is_some()
    }

    /// Waits for the group being written (at once when there is none); its lines are then
    /// ready. If it could not be written, they are back to waiting, never to be sent.
    async fn durable(&mut self) -> std::result::Result<(), String> {
        let Some((durable, _)) = &mut self.writing else {
            return Ok(());
        };
        let result = durable.await;
        if let Some((_, jobs)) = self.writing.take() {
            match result {
                Ok(()) => self.ready.extend(jobs),
                Err(_) => self.waiting.extend(jobs),
            }
        }
        result
    }

    /// Once the batch stops: the lines staged are not sent. Those whose intent is on disk
    /// are journaled as not delivered; the group being written is left to finish.
    fn drop_unsent(&mut self, summary: &mut Summary) {
        let unsent = self.waiting.len() + self.ready.len();
        summary.not_attempted += unsent as u64;
        self.waiting.clear();
        for job in std::mem::take(&mut self.ready) {
            self.outcome(job.id, Record::NotDelivered);
        }
    }
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
    /// Where every message goes, worked out once rather than for each line.
    endpoint: Url,
    api_key: SecretString,
    access_token: Option<SecretString>,
    stored_tokens: Vec<StoredToken>,
    history: History,
    resend_in_doubt: bool,
}

impl Prepare {
    /// Hands every line over in order. Each line goes as soon as it is prepared (a slow
    /// producer on standard input delays nothing), but the thread sleeps until there is room
    /// for [`HAND_OFF`] of them.
    fn read_all(
        self,
        input: Box<dyn BufRead + Send>,
        items: &mpsc::Sender<Item>,
        runtime: &tokio::runtime::Handle,
    ) {
        let mut reader = LineReader::new(input);
        // An error means the batch stopped early and needs no more lines.
        while let Ok(room) = runtime.block_on(items.reserve_many(HAND_OFF)) {
            for slot in room {
                let Some(item) = self.next_item(&mut reader) else {
                    return;
                };
                let last = matches!(item, Item::Unreadable(_));
                slot.send(item);
                if last {
                    return;
                }
            }
        }
    }

    /// The next line that is not blank, as an item; `None` at the end of the input.
    fn next_item(&self, reader: &mut LineReader<Box<dyn BufRead + Send>>) -> Option<Item> {
        loop {
            return Some(match reader.next_line() {
                Ok(None) => return None,
                Err(e) => Item::Unreadable(format!("cannot read the input: {e}")),
                Ok(Some((line, RawLine::TooLong))) => Item::Invalid {
                    line,
                    error: Error::invalid(format!("longer than {MAX_INPUT_BYTES} bytes")),
                },
                Ok(Some((_, RawLine::Text(text)))) if lines::is_blank(&text) => continue,
                Ok(Some((line, RawLine::Text(text)))) => self.prepare(line, &text),
            });
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
        let request =
            PreparedRequest::send_message_to(self.endpoint.clone(), &parsed.message, &credentials);
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
async fn deliver(context: Arc<Context>, job: Job, report: Arc<Report>) -> Done {
    let Job { line, id, request } = job;
    if context.stopping.load(Ordering::Relaxed) {
        return Done {
            line,
            id,
            record: Record::NotDelivered,
            result: Err(Failure::Stopped),
        };
    }
    let outcome = retry::execute_paced(
        &context.client,
        &request,
        &context.retry,
        &*context,
        |event| report(line, event),
    )
    .await;
    let result = outcome.and_then(|answer| client::check_answer(&answer).map(drop));
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
