//! Pacing shared by every request of a batch: the client-side rate limit, the pause that
//! a 429 imposes on all of them at once, and the pace learned from the API's 429s.

use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

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
                "expected N/s or N/min with N a positive whole number, not {text:?}"
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
/// at the pace the API showed it allows. That pace is learned rather than hammered out:
/// the first 429 sets it a little under the rate that got through, each later one slows
/// it (see [`Pacer::limited`]), and every stretch of [`PROBE_AFTER`] without a 429 raises
/// it by [`PROBE_STEP`]. After a 429
/// without `Retry-After`, one request at a time probes until one gets through.
#[derive(Debug)]
pub struct Pacer {
    /// The `--rate` spacing: never faster. It is [`RATE_MARGIN`] wider than the rate, so
    /// that a turn taken late can be caught up on (timers wake a little after their time)
    /// while any `count` turns still span at least the rate's period.
    floor: Option<Duration>,
    /// How late a turn at the `--rate` spacing may be and still be caught up on.
    slack: Duration,
    state: Mutex<Pace>,
}

#[derive(Debug)]
struct Pace {
    /// The spacing in force, `None` for none.
    interval: Option<Duration>,
    /// The earliest start of the next request.
    next: Instant,
    /// A 429's pause: nothing starts before it ends.
    paused_until: Option<Instant>,
    /// One request at a time until one gets an answer other than 429.
    probing: bool,
    probe_out: bool,
    /// When the probe out left: a request that started before it is not the probe.
    probe_since: Instant,
    /// Successes since `since`, the start.
    since: Instant,
    succeeded: u64,
    /// When the pace last dropped.
    slowed: Instant,
    /// When the pace was last raised or lowered.
    changed: Instant,
}

/// A stretch without a 429 after which the learned pace is raised.
const PROBE_AFTER: Duration = Duration::from_secs(5);
/// How much faster each raise goes.
const PROBE_STEP: f64 = 0.01;
/// How far under the rate of successes that met the first 429 the pace is set.
const BACK_OFF: f64 = 0.98;
/// How much under `--rate` the turns are spaced, and how late a turn may be caught up on,
/// as a share of the rate's period.
const RATE_MARGIN: f64 = 0.01;
/// How much each later 429 slows the pace.
const SLOW_DOWN: f64 = 0.9;
/// The longest pause or spacing the pace imposes, whatever the API asks: a clock plus
/// a `Retry-After` of `u64::MAX` seconds would overflow, and no batch runs for a year.
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
}

impl Pacer {
    pub fn new(rate: Option<Rate>) -> Self {
        let floor = rate.map(|rate| (rate.period / rate.count).mul_f64(1.0 + RATE_MARGIN));
        let slack = rate.map_or(Duration::ZERO, |rate| rate.period.mul_f64(RATE_MARGIN));
        let now = Instant::now();
        Pacer {
            floor,
            slack,
            state: Mutex::new(Pace {
                interval: floor,
                next: now,
                paused_until: None,
                probing: false,
                probe_out: false,
                probe_since: now,
                since: now,
                succeeded: 0,
                slowed: now,
                changed: now,
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
        let due = pace
            .paused_until
            .map_or(pace.next, |until| until.max(pace.next));
        if due > now {
            return Turn::At(due);
        }
        if pace.probing {
            if pace.probe_out {
                return Turn::Later;
            }
            pace.probe_out = true;
            pace.probe_since = now;
        }
        pace.next = match pace.interval {
            None => now,
            // `--rate` is a promise: never more than its count in any period.
            Some(interval) if Some(interval) == self.floor => {
                if now < due + self.slack {
                    due + interval
                } else {
                    now + interval
                }
            }
            // A learned pace keeps its average when a turn is taken late (timers wake a
            // little after their time), as long as it is late by less than a turn.
            Some(interval) if now < due + interval => due + interval,
            Some(interval) => now + interval,
        };
        Turn::Now
    }

    /// Waits for a turn (what a retry does).
    pub async fn turn(&self) {
        loop {
            match self.take() {
                Turn::Now => return,
                Turn::At(at) => tokio::time::sleep_until(at).await,
                Turn::Later => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }

    /// A request got an answer other than 429: the probe, if any, is over, and a pace
    /// that held for a while is raised.
    pub fn answered(&self) {
        let now = Instant::now();
        let mut pace = self.state();
        pace.probing = false;
        pace.probe_out = false;
        pace.succeeded += 1;
        if let Some(interval) = pace.interval
            && now.duration_since(pace.changed) >= PROBE_AFTER
            && Some(interval) != self.floor
        {
            let faster = interval.div_f64(1.0 + PROBE_STEP);
            pace.interval = Some(self.floor.map_or(faster, |floor| faster.max(floor)));
            pace.changed = now;
        }
    }

    /// A request whose last attempt started at `started` ended without an answer other
    /// than 429 (its retries spent, or an error): when it was the probe, the next request
    /// probes in its place, so that the others never wait for an answer that will not come.
    pub fn ended(&self, started: Instant) {
        let mut pace = self.state();
        if pace.probe_out && started >= pace.probe_since {
            pace.probe_out = false;
        }
    }

    /// A request that started at `started` met a 429: nothing starts for `wait`. The pace
    /// drops once for each 429 to a request sent at the pace in force: the first sets it a
    /// little under the rate the successes so far came at, over their stretch and this
    /// wait (when the API's window frees up again); a later one slows it by
    /// [`SLOW_DOWN`]. A 429 to a request sent before the pace last dropped says nothing
    /// of the new pace. Without `Retry-After` (`asked` false), one request probes once the
    /// wait is over.
    pub fn limited(&self, wait: Duration, asked: bool, started: Instant) {
        let now = Instant::now();
        let wait = wait.min(MAX_PAUSE);
        let mut pace = self.state();
        let until = now + wait;
        pace.paused_until = Some(pace.paused_until.map_or(until, |at| at.max(until)));
        pace.probe_out = false;
        pace.probing |= !asked;
        if started < pace.slowed {
            return;
        }
        let slower = match pace.interval {
            Some(interval) => interval.div_f64(SLOW_DOWN).min(MAX_PAUSE),
            None if pace.succeeded > 0 => {
                // The API's window is at least as long as the burst it let through, and
                // at least as long as the wait it asks for (a sliding window frees its
                // oldest slot then).
                let window = wait.max(now.duration_since(pace.since)).as_secs_f64();
                Duration::try_from_secs_f64(window / (pace.succeeded as f64 * BACK_OFF))
                    .map_or(MAX_PAUSE, |interval| interval.min(MAX_PAUSE))
            }
            // Not one success yet: the pause is all there is to go on.
            None => return,
        };
        pace.interval = Some(self.floor.map_or(slower, |floor| slower.max(floor)));
        pace.slowed = now;
        pace.changed = now;
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
        let pacer = Pacer::new(Some("4/s".parse().unwrap()));
        let start = Instant::now();
        for _ in 0..5 {
            pacer.turn().await;
        }
        // Never five turns within a second, and hardly more than that.
        assert!(start.elapsed() > Duration::from_secs(1));
        assert!(start.elapsed() < Duration::from_millis(1020));
        // A turn taken late is caught up on as long as four turns still span a second.
        let pacer = Pacer::new(Some("4/s".parse().unwrap()));
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
    async fn a_429_pauses_every_request_and_sets_the_pace_under_what_got_through() {
        let pacer = Pacer::new(None);
        let start = Instant::now();
        for _ in 0..19 {
            assert_eq!(pacer.take(), Turn::Now);
            pacer.answered();
        }
        // 19 got through at once; the 20th met the limit, to come back in a second.
        pacer.limited(Duration::from_secs(1), true, start);
        assert_eq!(pacer.take(), Turn::At(start + Duration::from_secs(1)));
        pacer.turn().await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        // Then at most 19 x 0.95 a second.
        let second = Instant::now();
        for _ in 0..18 {
            pacer.turn().await;
        }
        let pace = second.elapsed().as_secs_f64() / 18.0;
        assert!((pace - 1.0 / (19.0 * BACK_OFF)).abs() < 1e-3, "{pace}");
    }

    #[tokio::test(start_paused = true)]
    async fn only_a_429_to_a_request_sent_at_the_new_pace_slows_it_again() {
        let pacer = Pacer::new(None);
        let before = Instant::now();
        for _ in 0..10 {
            pacer.answered();
        }
        tokio::time::advance(Duration::from_millis(10)).await;
        pacer.limited(Duration::from_secs(1), true, before);
        let learned = pacer.state().interval.unwrap();
        // The other requests of the burst meet the same limit: they say nothing new.
        pacer.limited(Duration::from_secs(1), true, before);
        assert_eq!(pacer.state().interval, Some(learned));
        pacer.turn().await;
        pacer.limited(Duration::from_secs(1), true, Instant::now());
        assert_eq!(pacer.state().interval, Some(learned.div_f64(SLOW_DOWN)));
    }

    #[tokio::test(start_paused = true)]
    async fn without_retry_after_one_request_probes() {
        let pacer = Pacer::new(None);
        pacer.limited(Duration::from_millis(500), false, Instant::now());
        pacer.turn().await;
        assert_eq!(pacer.take(), Turn::Later);
        pacer.answered();
        assert_eq!(pacer.take(), Turn::Now);
        assert_eq!(pacer.take(), Turn::Now);
    }

    #[tokio::test(start_paused = true)]
    async fn a_probe_that_ends_without_an_answer_hands_the_probe_on() {
        let pacer = Pacer::new(None);
        let before = Instant::now();
        pacer.limited(Duration::from_millis(500), false, before);
        pacer.turn().await;
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
        let pacer = Pacer::new(None);
        pacer.answered();
        pacer.limited(Duration::MAX, true, Instant::now());
        let Turn::At(at) = pacer.take() else {
            panic!("paused");
        };
        assert!(at <= Instant::now() + MAX_PAUSE);
        pacer.limited(Duration::MAX, false, Instant::now());
        assert!(pacer.state().interval.unwrap() <= MAX_PAUSE);
    }

    #[tokio::test(start_paused = true)]
    async fn the_pace_rises_while_no_429_comes_but_never_past_the_rate() {
        let pacer = Pacer::new(Some("10/s".parse().unwrap()));
        pacer.answered();
        pacer.limited(Duration::from_secs(1), true, Instant::now());
        let slow = pacer.state().interval.unwrap();
        assert!(slow >= Duration::from_millis(100));
        for _ in 0..400 {
            pacer.turn().await;
            pacer.answered();
        }
        assert!(pacer.state().interval.unwrap() < slow);
        assert!(pacer.state().interval.unwrap() >= Duration::from_millis(100));
    }
}
