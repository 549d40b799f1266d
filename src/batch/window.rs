//! The API's quota as a batch learns it from 429s: so many sends per window of time. A
//! burst of sends meets the first 429; the sends that got through are the window's
//! quota, and the window's length is what the API asks to wait (`Retry-After`), or, when it
//! says nothing, what probing finds: after a 429 without `Retry-After` no request goes but
//! one probe at a time, at a growing interval, until one gets through and the window has
//! opened again. Each later window then sends its quota at full speed and waits for the
//! next one, instead of meeting 429s.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use tokio::time::Instant;

/// The first probe after a 429 without `Retry-After` goes this much later; the interval
/// grows from there.
const FIRST_PROBE: Duration = Duration::from_millis(100);
/// Past the first probe, probes are spaced by this share of the time spent probing, so
/// that a quota spent for the day costs few requests.
const PROBE_GROWTH: u32 = 4;
/// A known window's reopening is probed for in steps of this share of its length, from
/// two steps before it is due.
const PROBE_STEPS: u32 = 50;
/// The shortest step.
const MIN_STEP: Duration = Duration::from_millis(10);
/// A window announced by `Retry-After` is waited out this much longer (in thousandths), as
/// the API's clock and the answers' latency vary; each 429 in a paced window adds
/// [`MARGIN_STEP`], up to [`MAX_MARGIN`].
const ASKED_MARGIN: u32 = 60;
const MARGIN_STEP: u32 = 20;
const MAX_MARGIN: u32 = 200;

/// What the batch learned: `sends` per `length`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Quota {
    pub sends: u32,
    /// Zero until a window without `Retry-After` was seen to open again.
    #[serde(rename = "window_s", serialize_with = "seconds")]
    pub length: Duration,
    /// Whether the API said how long to wait (`Retry-After`).
    #[serde(rename = "retry_after")]
    pub asked: bool,
}

fn seconds<S: serde::Serializer>(length: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((length.as_secs_f64() * 10.0).round() / 10.0)
}

impl fmt::Display for Quota {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the API allowed about {} sends", self.sends)?;
        if self.length.is_zero() {
            return f.write_str(" in a window of a length not yet known");
        }
        let seconds = self.length.as_secs_f64();
        if seconds >= 10.0 {
            write!(f, " per {seconds:.0} s window")
        } else {
            write!(f, " per {seconds:.1} s window")
        }
    }
}

/// The window the batch sends in, and what it knows of the API's.
#[derive(Debug)]
pub(super) struct Window {
    /// When the current window opened: its first send.
    start: Instant,
    /// Turns given in the current window.
    sent: u32,
    /// Requests started in the current window that got through.
    succeeded: u32,
    quota: Option<Quota>,
    /// How much longer than a window announced by `Retry-After` the next one waits, in
    /// thousandths.
    margin: u32,
    /// How much a window's length estimate drops when a probe finds it open at once: the
    /// estimate was too long, or the probe late, by an unknown amount.
    shrink: Duration,
    /// No request goes but probes (a 429 without `Retry-After`, or the window's sends
    /// spent).
    blocked: Option<Blocked>,
}

#[derive(Debug)]
struct Blocked {
    /// Since when no request goes but probes.
    since: Instant,
    /// When the first probe went (or goes).
    first: Instant,
    next: Instant,
    /// The start of the probe out, if one is.
    out: Option<Instant>,
    /// The start of the last probe refused.
    refused: Option<Instant>,
}

/// What the window says of a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gate {
    /// A request may go (if the rest of the pace allows).
    Open,
    /// This request is a probe.
    Probe,
    /// Not before this.
    At(Instant),
    /// When the probe out ends.
    Later,
}

impl Window {
    pub(super) fn new(now: Instant) -> Self {
        Window {
            start: now,
            sent: 0,
            succeeded: 0,
            quota: None,
            shrink: Duration::ZERO,
            margin: ASKED_MARGIN,
            blocked: None,
        }
    }

    /// The quota learned, once a send got through in a window that met a 429 (those
    /// that got through after the 429 count too).
    pub(super) fn quota(&self) -> Option<Quota> {
        self.quota.filter(|quota| quota.sends > 0)
    }

    /// The probe step of a window of this length.
    fn step(length: Duration) -> Duration {
        (length / PROBE_STEPS).max(MIN_STEP)
    }

    /// Whether a request may start at `now`, a probe or not; `latest` caps when the next
    /// probe goes (the longest wait allowed).
    pub(super) fn gate(&mut self, now: Instant, latest: Duration) -> Gate {
        if self.blocked.is_none()
            && let Some(quota) = self.quota
            && self.sent >= quota.sends
            && quota.sends > 0
            && !quota.length.is_zero()
        {
            if quota.asked {
                let due = self.start + quota.length + quota.length * self.margin / 1000;
                if now < due {
                    return Gate::At(due);
                }
                self.open(now);
            } else {
                // The window's sends are spent: probe for the next one from two steps
                // before it is due.
                let first = (self.start + quota.length)
                    .checked_sub(Self::step(quota.length) * 2)
                    .map_or(now, |at| at.max(now));
                self.blocked = Some(Blocked {
                    since: now,
                    first,
                    next: first,
                    out: None,
                    refused: None,
                });
            }
        }
        match &mut self.blocked {
            None => {
                self.sent += 1;
                Gate::Open
            }
            Some(blocked) if blocked.out.is_some() => Gate::Later,
            Some(blocked) => {
                let next = blocked.next.min(blocked.since + latest);
                if now < next {
                    return Gate::At(next);
                }
                blocked.out = Some(now);
                Gate::Probe
            }
        }
    }

    /// Opens a new window at `at`.
    fn open(&mut self, at: Instant) {
        self.start = at;
        self.sent = 0;
        self.succeeded = 0;
    }

    /// A request that started at `started` got an answer other than 429. When it is the
    /// probe, the API's window has opened again, at about the probe's start: what that
    /// says of the window's length is learned, and the new window begins with the probe.
    pub(super) fn answered(&mut self, started: Instant) {
        let probe = self
            .blocked
            .as_ref()
            .and_then(|blocked| blocked.out)
            .filter(|&probe| started >= probe);
        let Some(probe) = probe else {
            if started >= self.start {
                self.succeeded += 1;
                // A request of the window that met the 429 may get through after it: the
                // window allowed it too.
                if let Some(quota) = &mut self.quota
                    && !quota.asked
                {
                    quota.sends = quota.sends.max(self.succeeded);
                }
            }
            return;
        };
        let opened_at_once = self
            .blocked
            .as_ref()
            .is_some_and(|blocked| blocked.refused.is_none());
        let measured = probe.saturating_duration_since(self.start);
        self.blocked = None;
        self.open(probe);
        self.sent = 1;
        self.succeeded = 1;
        if let Some(quota) = &mut self.quota
            && !quota.asked
        {
            quota.length = if opened_at_once && !quota.length.is_zero() {
                // Open at the first probe: the estimate was too long, or the probe late,
                // by an unknown amount: the next probes start earlier, and earlier again.
                self.shrink = (self.shrink * 2).max(Self::step(quota.length));
                quota.length.min(measured).saturating_sub(self.shrink)
            } else {
                self.shrink = Duration::ZERO;
                measured
            }
            .max(MIN_STEP);
        }
    }

    /// A request that started at `started` met a 429 at `now`, without `Retry-After`: the
    /// first of the current window sets its quota to what got through and holds every
    /// request back but probes; a refused probe spaces the next one further.
    pub(super) fn refused(&mut self, started: Instant, now: Instant) {
        match &mut self.blocked {
            Some(blocked) if blocked.out.is_some_and(|probe| started >= probe) => {
                blocked.out = None;
                blocked.refused = Some(started);
                let probing = now.saturating_duration_since(blocked.first);
                let step = self
                    .quota
                    .filter(|quota| !quota.length.is_zero())
                    .map_or(FIRST_PROBE, |quota| Self::step(quota.length));
                blocked.next = now + step.max(probing / PROBE_GROWTH);
            }
            // A request sent before the probe: nothing new.
            Some(_) => {}
            None if started >= self.start => {
                self.learn(false, Duration::ZERO, now);
                self.blocked = Some(Blocked {
                    since: now,
                    first: now + FIRST_PROBE,
                    next: now + FIRST_PROBE,
                    out: None,
                    refused: None,
                });
            }
            // A request of a window before: nothing new.
            None => {}
        }
    }

    /// A request that started at `started` met a 429 at `now` asking to wait `wait`: the
    /// window's quota is what got through in it, its length the longer of the wait and the
    /// burst, and the next window opens when the wait is over.
    pub(super) fn asked(&mut self, started: Instant, now: Instant, wait: Duration) {
        if started < self.start {
            return;
        }
        self.learn(true, wait, now);
        self.blocked = None;
        self.open(now + wait);
    }

    /// Whether 429s without `Retry-After` have kept every request but probes back for
    /// longer than `latest`, the last probe refused too: a quota spent for the day.
    pub(super) fn spent(&self, now: Instant, latest: Duration) -> bool {
        self.blocked.as_ref().is_some_and(|blocked| {
            blocked.out.is_none()
                && blocked.refused.is_some()
                && now.saturating_duration_since(blocked.since) > latest
        })
    }

    /// Sets the quota from the window that just met a 429.
    fn learn(&mut self, asked: bool, wait: Duration, now: Instant) {
        let span = now.saturating_duration_since(self.start);
        let sends = match self.quota {
            // A window paced as learned met a 429 anyway: the answers of its first requests
            // may still be on their way, so it says little of the quota, which drops by
            // one at most; the windows are spaced further apart.
            Some(quota) if quota.asked == asked && quota.sends > 0 => {
                self.margin = (self.margin + MARGIN_STEP).min(MAX_MARGIN);
                self.succeeded.max(quota.sends - 1).min(quota.sends).max(1)
            }
            _ => self.succeeded,
        };
        if sends == 0 && asked {
            // Nothing got through: nothing to learn yet.
            return;
        }
        let length = match self.quota {
            Some(quota) if quota.asked == asked => quota.length.max(wait),
            // Without `Retry-After`, the length is what probing finds once the window opens.
            _ if !asked => Duration::ZERO,
            _ => span.max(wait),
        };
        self.quota = Some(Quota {
            sends,
            length,
            asked,
        });
    }

    /// A probe that started at `started` ended with neither an answer nor a 429 (an
    /// error, or its retries spent): the next request probes in its place.
    pub(super) fn ended(&mut self, started: Instant) {
        if let Some(blocked) = &mut self.blocked
            && blocked.out.is_some_and(|probe| started >= probe)
        {
            blocked.out = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends through `window` at `now`, as the batch would: `true` when the request went.
    fn go(window: &mut Window, now: Instant) -> Option<bool> {
        match window.gate(now, Duration::from_secs(600)) {
            Gate::Open => Some(false),
            Gate::Probe => Some(true),
            Gate::At(_) | Gate::Later => None,
        }
    }

    #[test]
    fn a_window_without_retry_after_is_found_by_probing_and_then_paced() {
        let zero = Instant::now();
        let at = |ms: u64| zero + Duration::from_millis(ms);
        let mut window = Window::new(zero);
        // Five get through, the sixth meets a 429: no request but probes from then.
        for _ in 0..6 {
            assert_eq!(go(&mut window, zero), Some(false));
        }
        for _ in 0..5 {
            window.answered(zero);
        }
        window.refused(zero, at(10));
        assert_eq!(go(&mut window, at(20)), None);
        assert_eq!(window.quota().map(|q| q.sends), Some(5));
        // Probes at a growing interval until the window opens again, at 1 s.
        let mut now = at(20);
        let opened = loop {
            now += Duration::from_millis(10);
            if go(&mut window, now) == Some(true) {
                if now >= at(1000) {
                    window.answered(now);
                    break now;
                }
                window.refused(now, now);
            }
        };
        assert!(opened < at(1400), "{opened:?}");
        let quota = window.quota().unwrap();
        assert_eq!(quota.length, opened - zero);
        // The new window holds the probe and four more, then probes again before it is due.
        for _ in 0..4 {
            assert_eq!(go(&mut window, opened), Some(false));
        }
        assert_eq!(go(&mut window, opened), None);
        let due = opened + quota.length - Window::step(quota.length) * 2;
        assert_eq!(go(&mut window, due - Duration::from_millis(1)), None);
        assert_eq!(go(&mut window, due), Some(true));
    }

    #[test]
    fn a_window_with_retry_after_sends_its_quota_then_waits_it_out() {
        let zero = Instant::now();
        let mut window = Window::new(zero);
        for _ in 0..21 {
            assert_eq!(go(&mut window, zero), Some(false));
        }
        for _ in 0..20 {
            window.answered(zero);
        }
        let second = zero + Duration::from_secs(1);
        window.asked(
            zero,
            zero + Duration::from_millis(300),
            Duration::from_secs(1),
        );
        let quota = window.quota().unwrap();
        assert_eq!(
            (quota.sends, quota.length, quota.asked),
            (20, Duration::from_secs(1), true)
        );
        let opened = zero + Duration::from_millis(1300);
        for _ in 0..20 {
            assert_eq!(go(&mut window, opened), Some(false));
        }
        // The next window a little after the one the API announced.
        let next = opened + Duration::from_millis(1060);
        assert_eq!(window.gate(opened, Duration::MAX), Gate::At(next));
        assert_eq!(go(&mut window, next), Some(false));
        // A request of a window before says nothing of this one.
        window.asked(second, next, Duration::from_secs(1));
        assert_eq!(window.quota().unwrap().sends, 20);
    }

    #[test]
    fn a_quota_refused_for_longer_than_allowed_is_spent() {
        let zero = Instant::now();
        let latest = Duration::from_secs(2);
        let mut window = Window::new(zero);
        assert_eq!(go(&mut window, zero), Some(false));
        window.refused(zero, zero);
        let mut now = zero;
        while !window.spent(now, latest) {
            now += Duration::from_millis(10);
            assert!(now < zero + Duration::from_secs(3));
            if window.gate(now, latest) == Gate::Probe {
                window.refused(now, now);
            }
        }
        // The last probe went when the wait allowed was over, not later.
        assert!(now >= zero + latest);
    }
}
