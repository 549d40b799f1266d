//! The quotas on sends, like Divar's per-app limits: a sliding window over the last 60
//! seconds, and optionally a daily quota that resets at midnight UTC.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);
const DAY: u64 = 86_400;

pub struct Quota {
    per_minute: usize,
    /// When each send within the window was accepted, oldest first.
    recent: VecDeque<Instant>,
    daily: Option<u64>,
    /// The UTC day (days since the Unix epoch) counted, and its sends.
    today: (u64, u64),
}

/// A send past a quota: which one, and after how many seconds one is free again.
#[derive(Debug, PartialEq, Eq)]
pub struct Exceeded {
    pub limit: &'static str,
    pub retry_after: u64,
}

impl Quota {
    pub fn new(per_minute: u32, daily: Option<u64>) -> Self {
        Quota {
            per_minute: usize::try_from(per_minute).unwrap_or(usize::MAX),
            recent: VecDeque::new(),
            daily,
            today: (0, 0),
        }
    }

    /// Takes one send from the quotas at `now` (`unix` seconds since the epoch), or says
    /// which is spent.
    pub fn take(&mut self, now: Instant, unix: u64) -> Result<(), Exceeded> {
        while self
            .recent
            .front()
            .is_some_and(|&at| now.duration_since(at) >= WINDOW)
        {
            self.recent.pop_front();
        }
        let day = unix / DAY;
        if self.today.0 != day {
            self.today = (day, 0);
        }
        if let Some(daily) = self.daily
            && self.today.1 >= daily
        {
            return Err(Exceeded {
                limit: "daily quota",
                retry_after: (day + 1) * DAY - unix,
            });
        }
        if self.recent.len() >= self.per_minute {
            let oldest = self.recent.front().copied().unwrap_or(now);
            let wait = WINDOW.saturating_sub(now.duration_since(oldest));
            // Round up: retrying after the rounded-down second would still be refused.
            return Err(Exceeded {
                limit: "per-minute rate limit",
                retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            });
        }
        self.recent.push_back(now);
        self.today.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn per_minute(limit: u64) -> Exceeded {
        Exceeded {
            limit: "per-minute rate limit",
            retry_after: limit,
        }
    }

    #[test]
    fn refuses_past_the_limit_until_the_oldest_send_leaves_the_window() {
        let start = Instant::now();
        let mut quota = Quota::new(2, None);
        assert_eq!(quota.take(start, 0), Ok(()));
        assert_eq!(quota.take(start + Duration::from_secs(10), 10), Ok(()));
        assert_eq!(
            quota.take(start + Duration::from_secs(20), 20),
            Err(per_minute(40))
        );
        assert_eq!(
            quota.take(start + Duration::from_millis(20_500), 20),
            Err(per_minute(40)),
            "rounded up"
        );
        assert_eq!(quota.take(start + Duration::from_secs(60), 60), Ok(()));
        assert_eq!(
            quota.take(start + Duration::from_secs(61), 61),
            Err(per_minute(9))
        );
    }

    #[test]
    fn the_daily_quota_lasts_until_midnight_utc() {
        let start = Instant::now();
        let mut quota = Quota::new(100, Some(2));
        let noon = 20_000 * DAY + DAY / 2;
        assert_eq!(quota.take(start, noon), Ok(()));
        assert_eq!(quota.take(start, noon + 1), Ok(()));
        assert_eq!(
            quota.take(start, noon + 2),
            Err(Exceeded {
                limit: "daily quota",
                retry_after: DAY / 2 - 2
            })
        );
        assert_eq!(quota.take(start, noon + DAY / 2), Ok(()));
    }
}
