//! Pacing shared by every request of a batch: the client-side rate limit, the pause that
//! a 429 imposes on all of them at once, and the API's quota windows learned from its 429s.

use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::window::{Gate, Quota, Window};
use crate::error::Error;

/// At most `count` requests per `period`, e.g. `20/s` or `600/min`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub period: Duration,
}

impl FromStr for Rate {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        let bad = || {
            Error::invalid(format!(
                "expected N/s or N/min with N a whole number from 1 to {}, not {}",
                u32::MAX,
                crate::visible::excerpt(text)
            ))
        };
        let (count, unit) = text.split_once('/').ok_or_else(bad)?;
        let count: u32 = count.trim().parse().map_err(|_| bad())?;
        let period = match unit.trim() {
            "s" => Duration::from_secs(1),
            "min" => Duration::from_secs(60),
            _ => return Err(bad()),
        };
        if count == 0 {
            return Err(bad());
        }
        Ok(Rate { count, period })
    }
}

/// When the next request of a batch may start, shared by every request: at most the
/// `--rate` given, never before a pause that a 429 imposed ends, and, past the first 429,
/// in the API's windows as the batch learned them (see [`super::window`]).
#[derive(Debug)]
pub struct Pacer {
    /// The `--rate` spacing: never faster. It is [`RATE_MARGIN`] wider than the rate, so
    /// that a turn taken late can be caught up on (timers wake a little after their time)
    /// while any `count` turns still span at least the rate's period.
    floor: Option<Duration>,
    /// How late a turn at the `--rate` spacing may be and still be caught up on.
    slack: Duration,
    /// How long 429s without `Retry-After` may hold requests back before the quota counts
    /// as spent.
    latest: Duration,
    state: Mutex<Pace>,
}

#[derive(Debug)]
struct Pace {
    /// The earliest start of the next request at the `--rate` spacing.
    next: Instant,
    /// A 429's pause: nothing starts before it ends.
    paused_until: Option<Instant>,
    window: Window,
}

/// How much under `--rate` the turns are spaced, and how late a turn may be caught up on,
/// as a share of the rate's period.
const RATE_MARGIN: f64 = 0.01;
/// The longest pause the pace imposes, whatever the API asks: a clock plus a
/// `Retry-After` of `u64::MAX` seconds would overflow, and no batch runs for a year.
pub const MAX_PAUSE: Duration = Duration::from_secs(365 * 24 * 3600);

/// What [`Pacer::take`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// The request may start now.
    Now,
    /// Not before this.
    At(Instant),
    /// When a request in flight ends (a probe is out).
    Later,
    /// Never: 429s without `Retry-After` kept coming for longer than the longest wait.
    Spent,
}

impl Pacer {
    /// A pace at most `rate`, which gives up after 429s without `Retry-After` for longer
    /// than `latest`.
    pub fn new(rate: Option<Rate>, latest: Duration) -> Self {
        let floor = rate.map(|rate| (rate.period / rate.count).mul_f64(1.0 + RATE_MARGIN));
        let slack = rate.map_or(Duration::ZERO, |rate| rate.period.mul_f64(RATE_MARGIN));
        let now = Instant::now();
        Pacer {
            floor,
            slack,
            latest: latest.min(MAX_PAUSE),
            state: Mutex::new(Pace {
                next: now,
                paused_until: None,
                window: Window::new(now),
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, Pace> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a turn if one is due now; otherwise says when to ask again.
    pub fn take(&self) -> Turn {
        let now = Instant::now();
        let mut pace = self.state();
        if pace.window.spent(now, self.latest) {
            return Turn::Spent;
        }
        let due = pace
            .paused_until
            .map_or(pace.next, |until| until.max(pace.next));
        if due > now {
            return Turn::At(due);
        }
        match pace.window.gate(now, self.latest) {
            Gate::Open | Gate::Probe => {}
            Gate::At(at) => return Turn::At(at),
            Gate::Later => return Turn::Later,
        }
        // `--rate` is a promise: never more than its count in any period.
        if let Some(interval) = self.floor {
            pace.next = if now < due + self.slack {
                due + interval
            } else {
                now + interval
            };
        }
        Turn::Now
    }

    /// Waits for a turn (what a retry does); `false` when none will come.
    pub async fn turn(&self) -> bool {
        loop {
            match self.take() {
                Turn::Now => return true,
                Turn::At(at) => tokio::time::sleep_until(at).await,
                Turn::Later => tokio::time::sleep(Duration::from_millis(20)).await,
                Turn::Spent => return false,
            }
        }
    }

    /// Whether 429s without `Retry-After` kept coming for longer than the longest wait.
    pub fn spent(&self) -> bool {
        self.state().window.spent(Instant::now(), self.latest)
    }

    /// The quota learned so far.
    pub fn learned(&self) -> Option<Quota> {
        self.state().window.quota()
    }

    /// A request that started at `started` got an answer other than 429.
    pub fn answered(&self, started: Instant) {
        self.state().window.answered(started);
    }

    /// A request that started at `started` met a 429. With `Retry-After` (`asked`),
    /// nothing starts for `wait`, and the window is learned; without, the window holds
    /// every request back but probes.
    pub fn limited(&self, wait: Duration, asked: bool, started: Instant) {
        let now = Instant::now();
        let mut pace = self.state();
        if asked {
            let wait = wait.min(MAX_PAUSE);
            let until = now + wait;
            pace.paused_until = Some(pace.paused_until.map_or(until, |at| at.max(until)));
            pace.window.asked(started, now, wait);
        } else {
            pace.window.refused(started, now);
        }
    }

    /// A request whose last attempt started at `started` ended without an answer other
    /// than 429 (its retries spent, or an error): when it was the probe, the next request
    /// probes in its place, so that the others never wait for an answer that will not come.
    pub fn ended(&self, started: Instant) {
        self.state().window.ended(started);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_per_second_or_per_minute() {
        assert_eq!(
            "20/s".parse::<Rate>().unwrap(),
            Rate {
                count: 20,
                period: Duration::from_secs(1)
            }
        );
        assert_eq!(
            "600/min".parse::<Rate>().unwrap().period,
            Duration::from_secs(60)
        );
        for bad in ["0/s", "10", "10/h", "-1/s", "x/min", "1.5/s"] {
            let err = bad.parse::<Rate>().unwrap_err().to_string();
            assert!(err.starts_with("expected N/s or N/min"), "{err}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn turns_are_spaced_by_the_rate() {
        let pacer = Pacer::new(Some("4/s".parse().unwrap()), Duration::from_secs(60));
        let start = Instant::now();
        for _ in 0..5 {
            pacer.turn().await;
        }
        // Never five turns within a second, and hardly more than that.
        assert!(start.elapsed() > Duration::from_secs(1));
        assert!(start.elapsed() < Duration::from_millis(1020));
        // A turn taken late is caught up on as long as four turns still span a second.
        let pacer = Pacer::new(Some("4/s".parse().unwrap()), Duration::from_secs(60));
        let start = Instant::now();
        assert_eq!(pacer.take(), Turn::Now);
        tokio::time::advance(Duration::from_millis(255)).await;
        assert_eq!(pacer.take(), Turn::Now);
        let third = start + Duration::from_secs(1).mul_f64(2.0 * 1.01 / 4.0);
        assert_eq!(pacer.take(), Turn::At(third));
        tokio::time::advance(Duration::from_millis(300)).await;
        assert_eq!(pacer.take(), Turn::Now);
        // Too late to catch up on: the spacing starts again from now.
        let now = Instant::now();
        assert_eq!(
            pacer.take(),
            Turn::At(now + Duration::from_millis(250).mul_f64(1.01))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_probe_that_ends_without_an_answer_hands_the_probe_on() {
        let pacer = Pacer::new(None, Duration::from_secs(60));
        let before = Instant::now();
        assert_eq!(pacer.take(), Turn::Now);
        pacer.limited(Duration::ZERO, false, before);
        assert!(pacer.turn().await);
        let probe = Instant::now();
        assert_eq!(pacer.take(), Turn::Later);
        // A request from before the probe ends: the probe is still out.
        pacer.ended(before);
        assert_eq!(pacer.take(), Turn::Later);
        // The probe's connection dropped: the next request probes.
        pacer.ended(probe);
        assert_eq!(pacer.take(), Turn::Now);
        assert_eq!(pacer.take(), Turn::Later);
    }

    #[tokio::test(start_paused = true)]
    async fn no_wait_the_api_asks_for_overflows_the_clock() {
        let pacer = Pacer::new(None, Duration::MAX);
        let start = Instant::now();
        assert_eq!(pacer.take(), Turn::Now);
        pacer.answered(start);
        pacer.limited(Duration::MAX, true, start);
        let Turn::At(at) = pacer.take() else {
            panic!("paused");
        };
        assert!(at <= Instant::now() + MAX_PAUSE);
    }
}
