//! Sending a request again when that cannot duplicate it. A chat message is read by a
//! person, so a request that may have reached the server (5xx, timeout, dropped connection)
//! is retried only when the caller opts in; 429 and failures before the request left
//! (refused connection, DNS, TLS handshake) are always safe to retry.

use std::fmt;
use std::time::{Duration, Instant};

use super::answer::Answer;
use super::client::{ApiClient, Failure};
use super::request::{PreparedRequest, Progress};
use crate::error::{Error, Result};

/// The first backoff step; each retry doubles it, up to [`MAX_BACKOFF`].
const BASE_BACKOFF: Duration = Duration::from_millis(500);
/// No single backoff wait is longer than this.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// When and how often a request is sent again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How many times a request may be sent again after the first attempt.
    pub retries: u32,
    /// The most time spent waiting between attempts, in total.
    pub max_wait: Duration,
    /// Also retry when the request may have been acted on (5xx, timeouts, dropped
    /// connections), accepting that it may then be acted on twice.
    pub retry_unsafe: bool,
}

impl Default for RetryPolicy {
    /// 3 retries within 60 s of waiting; nothing that may duplicate a request.
    fn default() -> Self {
        RetryPolicy {
            retries: 3,
            max_wait: Duration::from_secs(60),
            retry_unsafe: false,
        }
    }
}

/// What happens while a request is sent, for progress and `-v` logs. Its `Debug` shows a
/// request by its method, URL and body length, never its headers' or body's secrets.
pub enum Event<'a> {
    /// Attempt `attempt` (1 for the first) is about to be sent.
    Sending {
        attempt: u32,
        request: &'a PreparedRequest,
    },
    /// An answer arrived, `elapsed` after the attempt started.
    Answered { status: u16, elapsed: Duration },
    /// The attempt failed without an answer; `cause` is the HTTP library's own account of
    /// a network failure, for `-v` logs.
    Failed {
        error: &'a Error,
        cause: Option<&'a str>,
        elapsed: Duration,
    },
    /// The request will be sent again after `wait`, because of `reason`.
    Retrying {
        attempt: u32,
        /// The most attempts the policy allows; wider than `retries` so that
        /// `--retries 4294967295` still counts the first attempt.
        of: u64,
        wait: Duration,
        reason: String,
    },
    /// A retryable failure is not retried, because of `reason` (the budget is spent).
    GivingUp { reason: String },
}

impl fmt::Debug for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Sending { attempt, request } => f
                .debug_struct("Sending")
                .field("attempt", attempt)
                .field(
                    "request",
                    &format_args!(
                        "{} {} ({} bytes of body)",
                        request.method,
                        request.url,
                        request.body.len()
                    ),
                )
                .finish(),
            Event::Answered { status, elapsed } => f
                .debug_struct("Answered")
                .field("status", status)
                .field("elapsed", elapsed)
                .finish(),
            Event::Failed {
                error,
                cause,
                elapsed,
            } => f
                .debug_struct("Failed")
                .field("error", &format_args!("{error}"))
                .field("cause", cause)
                .field("elapsed", elapsed)
                .finish(),
            Event::Retrying {
                attempt,
                of,
                wait,
                reason,
            } => f
                .debug_struct("Retrying")
                .field("attempt", attempt)
                .field("of", of)
                .field("wait", wait)
                .field("reason", reason)
                .finish(),
            Event::GivingUp { reason } => {
                f.debug_struct("GivingUp").field("reason", reason).finish()
            }
        }
    }
}

/// Why an attempt's outcome may be retried, or `None` when it must not be.
///
/// 429 is always retryable, and so is an error that certainly happened before the
/// request reached the server. A 5xx answer or an error after which delivery is uncertain
/// is retryable only with `retry_unsafe`. Anything else (success, 4xx, redirects) is final.
fn retry_reason(outcome: &Result<Answer>, retry_unsafe: bool) -> Option<String> {
    match outcome {
        Ok(answer) if answer.status == 429 => Some("rate limited (HTTP 429)".into()),
        Ok(answer) if answer.status >= 500 && retry_unsafe => {
            Some(format!("server error (HTTP {})", answer.status))
        }
        Ok(_) => None,
        Err(error @ Error::NotSent(_)) => Some(error.to_string()),
        Err(error @ Error::DeliveryUncertain(_)) if retry_unsafe => Some(error.to_string()),
        Err(_) => None,
    }
}

/// The wait before retry number `retry` (1 for the first): exponential from 0.5 s,
/// doubling each time up to 30 s, with "equal jitter" (a random point in the upper half)
/// so that many clients limited at once do not come back at once.
fn backoff(retry: u32) -> Duration {
    let step = BASE_BACKOFF
        .saturating_mul(1 << retry.saturating_sub(1).min(16))
        .min(MAX_BACKOFF);
    step / 2 + (step / 2).mul_f64(jitter())
}

/// A random fraction in [0, 1); 0.5 if the system's random source fails, since a fixed
/// wait is still a correct wait.
fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::getrandom(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0),
        Err(_) => 0.5,
    }
}

/// What to do after an attempt, as a [`RetryPolicy`] decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The outcome is final: success, or a failure that must not be retried.
    Final,
    /// The failure is retryable, but the budget is spent; `reason` says why.
    GiveUp { reason: String },
    /// Send again after `wait`; `reason` says why.
    Retry { wait: Duration, reason: String },
}

impl RetryPolicy {
    /// Decides after attempt number `attempt` (1 for the first), `waited` having been spent
    /// waiting so far. A `Retry-After` is obeyed; when it asks for longer than the wait
    /// budget left, the request is not retried.
    pub fn decide(&self, outcome: &Result<Answer>, attempt: u32, waited: Duration) -> Decision {
        let Some(reason) = retry_reason(outcome, self.retry_unsafe) else {
            return Decision::Final;
        };
        // With no retries allowed there is nothing to give up: the failure is said once,
        // as the error it is.
        if self.retries == 0 {
            return Decision::Final;
        }
        if attempt > self.retries {
            return Decision::GiveUp {
                reason: format!("{reason}; no retries left ({} allowed)", self.retries),
            };
        }
        let budget = self.max_wait.saturating_sub(waited);
        let wait = match outcome.as_ref().ok().and_then(|a| a.retry_after) {
            Some(asked) if asked > budget => {
                return Decision::GiveUp {
                    reason: format!(
                        "{reason}; the server asks to wait {} s, more than the {} s of \
                         waiting left",
                        asked.as_secs_f64().ceil(),
                        budget.as_secs_f64().floor()
                    ),
                };
            }
            Some(asked) => asked,
            None => backoff(attempt).min(budget),
        };
        if wait.is_zero() && budget.is_zero() {
            return Decision::GiveUp {
                reason: format!(
                    "{reason}; the {} s of waiting allowed are spent",
                    self.max_wait.as_secs_f64()
                ),
            };
        }
        Decision::Retry { wait, reason }
    }
}

/// How attempts are spaced: what each one waits for before it leaves, and how the wait
/// before a retry is spent.
pub(crate) trait Pacing {
    /// Waits for the attempt's turn; `false` when no more attempts are to be made.
    fn turn(&self) -> impl Future<Output = bool> + Send;
    /// Spends `wait` before retrying after `outcome`.
    fn back_off(&self, outcome: &Result<Answer>, wait: Duration)
    -> impl Future<Output = ()> + Send;
    /// Whether the pacing takes `outcome` on itself (a 429 that its pace answers): the
    /// request goes again at its next turn, and the attempt is not counted as a retry.
    fn absorbs(&self, _outcome: &Result<Answer>) -> bool {
        false
    }
}

/// One request on its own: no turn to wait for, and a plain sleep before a retry.
struct Alone;

impl Pacing for Alone {
    fn turn(&self) -> impl Future<Output = bool> + Send {
        std::future::ready(true)
    }

    fn back_off(&self, _: &Result<Answer>, wait: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(wait)
    }
}

/// Sends `request` with `client`, again as `policy` allows, and returns the last outcome:
/// an answer (which may still be a 429 or a 5xx when the retries ran out) or an error.
pub async fn execute_with_retries(
    client: &ApiClient,
    request: &PreparedRequest,
    policy: &RetryPolicy,
    report: impl FnMut(Event<'_>),
) -> Result<Answer> {
    execute_paced(client, request, policy, &Alone, &no_progress(), report).await
}

/// [`execute_with_retries`] for an upload, `progress` told of the bytes read from disk
/// (from the start again on each attempt).
pub async fn upload_with_retries(
    client: &ApiClient,
    request: &PreparedRequest,
    policy: &RetryPolicy,
    progress: &Progress,
    report: impl FnMut(Event<'_>),
) -> Result<Answer> {
    execute_paced(client, request, policy, &Alone, progress, report).await
}

/// A progress callback that is told nothing.
pub(crate) fn no_progress() -> Progress {
    std::sync::Arc::new(|_| {})
}

/// [`execute_with_retries`], with each attempt paced by `pacing`; when the pacing calls
/// off an attempt, the outcome of the one before, or [`Error::Cancelled`] for the first.
pub(crate) async fn execute_paced(
    client: &ApiClient,
    request: &PreparedRequest,
    policy: &RetryPolicy,
    pacing: &impl Pacing,
    progress: &Progress,
    mut report: impl FnMut(Event<'_>),
) -> Result<Answer> {
    let mut waited = Duration::ZERO;
    let mut attempt = 1;
    let mut outcome = Err(Error::Cancelled);
    loop {
        if !pacing.turn().await {
            return outcome;
        }
        report(Event::Sending { attempt, request });
        let started = Instant::now();
        let attempted = client.attempt(request, progress.clone()).await;
        let elapsed = started.elapsed();
        outcome = match attempted {
            Ok(answer) => {
                report(Event::Answered {
                    status: answer.status,
                    elapsed,
                });
                Ok(answer)
            }
            Err(Failure { error, cause }) => {
                report(Event::Failed {
                    error: &error,
                    cause: cause.as_deref(),
                    elapsed,
                });
                Err(error)
            }
        };
        if pacing.absorbs(&outcome) {
            continue;
        }
        match policy.decide(&outcome, attempt, waited) {
            Decision::Final => return outcome,
            Decision::GiveUp { reason } => {
                report(Event::GivingUp { reason });
                return outcome;
            }
            Decision::Retry { wait, reason } => {
                report(Event::Retrying {
                    attempt: attempt + 1,
                    of: u64::from(policy.retries) + 1,
                    wait,
                    reason,
                });
                pacing.back_off(&outcome, wait).await;
                waited += wait;
                attempt += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16) -> Result<Answer> {
        Ok(crate::http::answer::answer(status, ""))
    }

    #[test]
    fn only_what_cannot_duplicate_is_retried_by_default() {
        assert!(retry_reason(&answer(429), false).is_some());
        assert!(retry_reason(&Err(Error::NotSent("refused".into())), false).is_some());
        for status in [200, 400, 403, 500, 502, 503] {
            assert!(retry_reason(&answer(status), false).is_none(), "{status}");
        }
        let uncertain = Err(Error::DeliveryUncertain("timed out".into()));
        assert!(retry_reason(&uncertain, false).is_none());
        assert!(retry_reason(&uncertain, true).is_some());
        assert!(retry_reason(&answer(503), true).is_some());
        assert!(retry_reason(&answer(404), true).is_none());
        let redirect = Err(Error::Redirected("redirect".into()));
        assert!(retry_reason(&redirect, true).is_none());
        assert!(retry_reason(&Err(Error::Unavailable("setup".into())), true).is_none());
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        for retry in 1..=3 {
            let step = BASE_BACKOFF * (1 << (retry - 1));
            let wait = backoff(retry);
            assert!(wait >= step / 2 && wait <= step, "{retry}: {wait:?}");
        }
        assert!(backoff(40) <= MAX_BACKOFF);
    }

    #[test]
    fn with_no_retries_every_outcome_is_final() {
        let policy = RetryPolicy {
            retries: 0,
            ..RetryPolicy::default()
        };
        let refused = Err(Error::NotSent("refused".into()));
        assert_eq!(policy.decide(&refused, 1, Duration::ZERO), Decision::Final);
        assert_eq!(
            policy.decide(&answer(429), 1, Duration::ZERO),
            Decision::Final
        );
        let once = RetryPolicy {
            retries: 1,
            ..policy
        };
        assert!(matches!(
            once.decide(&refused, 2, Duration::ZERO),
            Decision::GiveUp { .. }
        ));
    }

    #[test]
    fn debug_shows_no_secret_of_the_request() {
        use crate::http::request::HeaderValue;
        use crate::secret::SecretString;
        let request = PreparedRequest {
            method: "POST",
            url: url::Url::parse("https://oauth.divar.ir/oauth2/token").unwrap(),
            service: "the token endpoint",
            headers: vec![(
                "x-api-key",
                HeaderValue::Secret(SecretString::new("key-1234")),
            )],
            body: b"client_secret=sec-5678".to_vec(),
            body_secrets: vec![SecretString::new("sec-5678")],
            upload: None,
        };
        let shown = format!(
            "{:?}",
            Event::Sending {
                attempt: 1,
                request: &request
            }
        );
        assert_eq!(
            shown,
            "Sending { attempt: 1, request: POST https://oauth.divar.ir/oauth2/token (22 bytes \
             of body) }"
        );
    }
}
