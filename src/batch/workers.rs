//! The requests of a batch: one long-lived task per request in flight, each taking the
//! next line from a queue the batch fills, sending it, and leaving how it ended for the
//! batch to count. Nothing is spawned per line, and the batch's own task is woken once
//! for several ended lines rather than for each.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;

use super::reader::Job;
use super::{Context, Done, Report, deliver};

/// Lines ready to send, and lines that ended, shared by the batch and its workers.
pub(super) struct Queue {
    state: Mutex<State>,
    /// One permit per line queued, and one per worker once no more lines will come.
    permits: Semaphore,
    /// Wakes the batch: lines ended, or the queue ran low.
    wake: Notify,
    /// Ended lines that make it worth waking the batch.
    wake_after: usize,
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
    /// Starts `workers` tasks sending what the queue is given.
    pub(super) fn start(
        workers: usize,
        context: &Arc<Context>,
        report: &Arc<Report>,
    ) -> (Arc<Queue>, JoinSet<()>) {
        let queue = Arc::new(Queue {
            state: Mutex::new(State::default()),
            permits: Semaphore::new(0),
            wake: Notify::new(),
            wake_after: workers.div_ceil(2),
        });
        let mut tasks = JoinSet::new();
        for _ in 0..workers {
            tasks.spawn(work(
                Arc::clone(&queue),
                Arc::clone(context),
                Arc::clone(report),
            ));
        }
        (queue, tasks)
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

    /// Resolves once lines ended or the queue ran low since the batch last looked.
    pub(super) async fn woken(&self) {
        self.wake.notified().await;
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
            if let Some(done) = ended {
                state.in_flight -= 1;
                let failed = done.result.is_err();
                state.ended.push(done);
                // Failures are told at once (--fail-fast stops the batch), successes in
                // groups, unless the batch may be waiting for the queue to run low.
                if failed || state.ended.len() >= self.wake_after || state.ready.is_empty() {
                    self.wake.notify_one();
                }
            }
            if queued {
                return take(&mut state);
            }
        }
        // Nothing queued yet: wait for the batch (its journal may be writing the next group).
        // The semaphore is never closed, so waiting ends only with a permit.
        if let Ok(permit) = self.permits.acquire().await {
            permit.forget();
        }
        take(&mut self.state())
    }
}

/// The next queued line, counted as in flight; `None` when the queue is empty (closed).
fn take(state: &mut State) -> Option<Job> {
    let job = state.ready.pop_front()?;
    state.in_flight += 1;
    Some(job)
}

async fn work(queue: Arc<Queue>, context: Arc<Context>, report: Arc<Report>) {
    let mut ended = None;
    while let Some(job) = queue.next(ended.take()).await {
        ended = Some(deliver(&context, job, &*report).await);
    }
}
