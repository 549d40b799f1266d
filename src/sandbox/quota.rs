//! The per-minute quota on sends, like Divar's per-app rate limit: a sliding window over
//! the last 60 seconds.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

pub struct Quota {
    per_minute: usize,
    /// When each send within the window was accepted, oldest first.
    recent: VecDeque<Instant>,
}

impl Quota {
    pub fn per_minute(limit: u32) -> Self {
        Quota {
            per_minute: usize::try_from(limit).unwrap_or(usize::MAX),
            recent: VecDeque::new(),
        }
    }

    /// Takes one send from the quota, or says after how many seconds one is free again.
    pub fn take(&mut self, now: Instant) -> Result<(), u64> {
        while self
            .recent
            .front()
            .is_some_and(|&at| now.duration_since(at) >= WINDOW)
        {
            self.recent.pop_front();
        }
        if self.recent.len() < self.per_minute {
            self.recent.push_back(now);
            return Ok(());
        }
        let oldest = self.recent.front().copied().unwrap_or(now);
        let wait = WINDOW.saturating_sub(now.duration_since(oldest));
        // Round up: retrying after the rounded-down second would still be refused.
        Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_until_the_oldest_send_leaves_the_window() {
        let start = Instant::now();
        let mut quota = Quota::per_minute(2);
        assert_eq!(quota.take(start), Ok(()));
        assert_eq!(quota.take(start + Duration::from_secs(10)), Ok(()));
        assert_eq!(quota.take(start + Duration::from_secs(20)), Err(40));
        assert_eq!(
            quota.take(start + Duration::from_millis(20_500)),
            Err(40),
            "rounded up"
        );
        assert_eq!(quota.take(start + Duration::from_secs(60)), Ok(()));
        assert_eq!(quota.take(start + Duration::from_secs(61)), Err(9));
    }
}
