//! One line's request, once the batch gave it its turn: the stored token it leaves with,
//! its attempts paced by the batch (a 429 holds back every request), and how it ended.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::error::{Error, Result};
use crate::http::answer::{Answer, check_delivered};
use crate::http::client::ApiClient;
use crate::http::request::PreparedRequest;
use crate::http::retry::{self, Pacing, RetryPolicy};
use crate::media::Uploaded;

use super::event::{Forbidden, Report};
use super::journal::{LineId, Record};
use super::reader::Job;
use super::throttle::Pacer;
use super::tokens;

/// What every request in flight shares.
pub(super) struct Context {
    /// The stored tokens, looked up again as each line that uses one leaves.
    pub tokens: Option<tokens::Shared>,
    /// Set once the batch stops early: no attempt starts after it, and those waiting for
    /// their turn give up.
    pub stopping: watch::Sender<bool>,
    pub retry: RetryPolicy,
    pub pacer: Pacer,
    pub client: Arc<ApiClient>,
    pub report: Arc<Report>,
}

/// How one line ended, and the outcome to journal.
pub(super) struct Done {
    pub line: u64,
    pub id: LineId,
    pub shared_token: bool,
    pub record: Record,
    pub result: std::result::Result<(), Failure>,
    /// The upload whose media token a failed request carried, for the line's report.
    pub uploaded: Option<Uploaded>,
    /// The request, when the API refused it with 403, for the advice that gets.
    pub forbidden: Option<Forbidden>,
}

pub(super) enum Failure {
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
pub(super) async fn deliver(context: Arc<Context>, job: Job, turned: Instant) -> Done {
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
