//! The requests of a batch: one long-lived task per request in flight, each taking the
//! next line from a queue the batch fills, sending it, and leaving how it ended for the
//! batch to count. Nothing is spawned per line, and the batch's own task is woken once
//! for several ended lines rather than for each.
//!
//! The tasks run on one thread per CPU, each thread with a single-threaded runtime and a
//! client of its own: a connection is only ever used by the thread that opened it, and no
//! task moves between threads. Against a local server, a work-stealing runtime made the
//! kernel move the server's threads between CPUs for most requests, which cost more than
//! the requests themselves.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;

use super::reader::Job;
use super::{Context, Done, Report, deliver};
use crate::client::{ApiClient, ClientOptions};
use crate::error::{Error, Result};

/// Lines ready to send, and lines that ended, shared by the batch and its workers.
pub(super) struct Queue {
    state: Mutex<State>,
    /// One permit per line queued, and one per worker once no more lines will come.
    permits: Semaphore,
    /// Wakes the batch: the queue ran low, a line failed, or nothing is left in flight.
    wake: Notify,
    /// Lines queued below which the batch wants to add more (see [`Queue::wake_below`]).
    low_water: AtomicUsize,
}

#[derive(Default)]
struct State {
    ready: VecDeque<Job>,
    ended: Vec<Done>,
    in_flight: usize,
}

/// What the batch sees of its queue at a glance.
pub(super) struct Counts {
    pub ready: usize,
    pub in_flight: usize,
    /// Lines that ended and that the batch has not yet taken.
    pub ended: usize,
}

impl Counts {
    /// Whether nothing is queued, in flight, or ended and not yet taken: unless the batch
    /// queues more, nothing will happen.
    pub(super) fn is_idle(&self) -> bool {
        self.ready == 0 && self.in_flight == 0 && self.ended == 0
    }
}

impl Queue {
    /// Starts `workers` tasks sending what the queue is given, spread over one thread per
    /// CPU (at most one per task). The threads end once the queue is closed and empty.
    pub(super) fn start(
        workers: usize,
        options: &ClientOptions,
        context: &Arc<Context>,
        report: &Arc<Report>,
    ) -> Result<(Arc<Queue>, Vec<JoinHandle<()>>)> {
        let queue = Arc::new(Queue {
            state: Mutex::new(State::default()),
            permits: Semaphore::new(0),
            wake: Notify::new(),
            low_water: AtomicUsize::new(workers),
        });
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        let threads = cpus.clamp(1, workers.max(1));
        let mut shards = Vec::with_capacity(threads);
        for shard in 0..threads {
            // The tasks split as evenly as they go: the first threads take one more.
            let tasks = workers / threads + usize::from(shard < workers % threads);
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| Error::Unavailable(format!("cannot start a sending thread: {e}")))?;
            let client = Arc::new(ApiClient::new(options)?);
            let (queue, context, report) =
                (Arc::clone(&queue), Arc::clone(context), Arc::clone(report));
            shards.push(std::thread::spawn(move || {
                runtime.block_on(async {
                    let mut running = JoinSet::new();
                    for _ in 0..tasks {
                        running.spawn(work(
                            Arc::clone(&queue),
                            Arc::clone(&context),
                            Arc::clone(&client),
                            Arc::clone(&report),
                        ));
                    }
                    while let Some(task) = running.join_next().await {
                        if let Err(e) = task
                            && e.is_panic()
                        {
                            std::panic::resume_unwind(e.into_panic());
                        }
                    }
                });
            }));
        }
        Ok((queue, shards))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A worker never panics while holding the lock; if one did, the counts are still
        // whole, since each change is made in one step.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues lines to send, in order.
    pub(super) fn push(&self, jobs: impl IntoIterator<Item = Job>) {
        let added = {
            let mut state = self.state();
            let before = state.ready.len();
            state.ready.extend(jobs);
            state.ready.len() - before
        };
        self.permits.add_permits(added);
    }

    /// Takes back the lines not yet taken by a worker (the batch stopped early).
    pub(super) fn take_ready(&self) -> Vec<Job> {
        self.state().ready.drain(..).collect()
    }

    /// Moves the lines that ended since the last call to `ended`.
    pub(super) fn take_ended(&self, ended: &mut Vec<Done>) {
        std::mem::swap(&mut self.state().ended, ended);
    }

    pub(super) fn counts(&self) -> Counts {
        let state = self.state();
        Counts {
            ready: state.ready.len(),
            in_flight: state.in_flight,
            ended: state.ended.len(),
        }
    }

    /// Resolves once the queue ran low, a line failed, or nothing is left in flight, since
    /// the batch last looked. Lines that ended wait for that: waking the batch for each
    /// would cost more than the line.
    pub(super) async fn woken(&self) {
        self.wake.notified().await;
    }

    /// Wakes the batch once fewer than `lines` are queued.
    pub(super) fn wake_below(&self, lines: usize) {
        self.low_water.store(lines, Ordering::Relaxed);
    }

    /// Tells every worker that no more lines will come: each stops once the queue is empty.
    pub(super) fn close(&self, workers: usize) {
        self.permits.add_permits(workers);
    }

    /// Leaves how a line ended, and takes the next line to send: `None` once the queue is
    /// closed and empty.
    async fn next(&self, ended: Option<Done>) -> Option<Job> {
        let queued = self
            .permits
            .try_acquire()
            .map(|permit| permit.forget())
            .is_ok();
        {
            let mut state = self.state();
            let mut wake = false;
            if let Some(done) = ended {
                state.in_flight -= 1;
                // Failures are told at once: --fail-fast stops the batch.
                wake = done.result.is_err();
                state.ended.push(done);
            }
            let job = if queued { take(&mut state) } else { None };
            self.tell(&state, wake, job.is_some());
            if queued {
                return job;
            }
        }
        // Nothing queued yet: wait for the batch (its journal may be writing the next group).
        // The semaphore is never closed, so waiting ends only with a permit.
        if let Ok(permit) = self.permits.acquire().await {
            permit.forget();
        }
        let mut state = self.state();
        let job = take(&mut state);
        self.tell(&state, false, job.is_some());
        job
    }

    /// Wakes the batch when `wake` says so, when taking a line just brought the queue below
    /// its low-water mark, or when nothing is left to do.
    fn tell(&self, state: &State, wake: bool, took: bool) {
        let low = self.low_water.load(Ordering::Relaxed);
        let crossed = took && state.ready.len() + 1 == low;
        if wake || crossed || (state.ready.is_empty() && state.in_flight == 0) {
            self.wake.notify_one();
        }
    }
}

/// The next queued line, counted as in flight; `None` when the queue is empty (closed).
fn take(state: &mut State) -> Option<Job> {
    let job = state.ready.pop_front()?;
    state.in_flight += 1;
    Some(job)
}

async fn work(
    queue: Arc<Queue>,
    context: Arc<Context>,
    client: Arc<ApiClient>,
    report: Arc<Report>,
) {
    let mut ended = None;
    while let Some(job) = queue.next(ended.take()).await {
        ended = Some(deliver(&context, &client, job, &*report).await);
    }
}
