//! The batch's loop: it takes the lines the reader prepared in input order, journals each
//! group as about to be sent, launches their requests as the pace allows, and counts each
//! line as it ends ([`Batch`]), until the input ends or a reason to stop comes.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::{self, JoinSet};
use tokio::time::Instant;

use crate::auth::token_source;
use crate::error::Error;
use crate::time;

use super::delivery::{Context, Done, Failure, deliver};
use super::event::Event;
use super::journal::{Durable, Journal, LineId, Record, Status};
use super::reader::{Item, Job, Rest};
use super::seen::Seen;
use super::signal::{Interrupts, SIGNAL_GRACE};
use super::summary::{Stop, Summary};
use super::throttle::Turn;

/// What the reader thread hands the loop: chunks of lines read, what it left of the input
/// once it stopped, and the flag that holds back its uploads once no line read will be sent.
pub(super) struct Reading {
    pub chunks: mpsc::Receiver<Vec<Item>>,
    pub rest: oneshot::Receiver<Rest>,
    pub hold_uploads: Arc<AtomicBool>,
}

/// Runs the batch to its end (see [`super::run`]) and returns its summary.
pub(super) async fn drive(
    mut batch: Batch,
    context: Arc<Context>,
    reading: Reading,
    observe: &mut dyn FnMut(Event),
    mut interrupted: impl Interrupts,
) -> Summary {
    let Reading {
        chunks: mut received,
        rest,
        hold_uploads,
    } = reading;
    let concurrency = batch.concurrency;
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
    summary
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

/// The batch's own state: the counts, the journal and why it stops.
pub(super) struct Batch {
    journal: Option<Journal>,
    summary: Summary,
    seen: Seen,
    fail_fast: bool,
    /// Requests in flight at most.
    concurrency: usize,
    /// Why no line read from now on is sent, once the lines before it have ended.
    closed: Option<Stop>,
    unreachable_limit: u32,
    /// Lines in a row that could not reach the API or were refused as unauthorized.
    unreachable: u32,
}

impl Batch {
    /// A batch yet to read its first line. `--fail-fast` sends one request at a time, so
    /// that no line after a failed one has been sent.
    pub(super) fn new(
        journal: Option<Journal>,
        fail_fast: bool,
        unreachable_limit: u32,
        concurrency: usize,
    ) -> Self {
        Batch {
            journal,
            summary: Summary::default(),
            seen: Seen::default(),
            fail_fast,
            concurrency: if fail_fast { 1 } else { concurrency.max(1) },
            closed: None,
            unreachable_limit,
            unreachable: 0,
        }
    }

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
                let invalid = error.is_invalid();
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
