//! Pacing shared by every request of a batch: the client-side rate limit, and the pause
//! that a 429 imposes on all of them at once.

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

/// Hands out evenly spaced start times, so that a burst never exceeds the rate.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    pub fn new(rate: Rate) -> Self {
        RateLimiter {
            interval: rate.period / rate.count,
            next: Mutex::new(None),
        }
    }

    /// Waits for this request's turn.
    pub async fn wait(&self) {
        let now = Instant::now();
        let turn = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let turn = next.map_or(now, |at| at.max(now));
            *next = Some(turn + self.interval);
            turn
        };
        tokio::time::sleep_until(turn).await;
    }
}

/// A pause every request waits out before it starts: set by a 429's Retry-After.
#[derive(Debug, Default)]
pub struct Pause {
    until: Mutex<Option<Instant>>,
}

impl Pause {
    /// Holds every request back for `delay` from now (a longer pause already set stays).
    pub fn extend(&self, delay: Duration) {
        let end = Instant::now() + delay;
        let mut until = self.until.lock().unwrap_or_else(|e| e.into_inner());
        *until = Some(until.map_or(end, |at| at.max(end)));
    }

    /// Returns once no pause is in force.
    pub async fn wait(&self) {
        loop {
            let until = *self.until.lock().unwrap_or_else(|e| e.into_inner());
            match until {
                Some(at) if at > Instant::now() => tokio::time::sleep_until(at).await,
                _ => return,
            }
        }
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
        let limiter = RateLimiter::new("4/s".parse().unwrap());
        let start = Instant::now();
        for _ in 0..5 {
            limiter.wait().await;
        }
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_back_until_its_end() {
        let pause = Pause::default();
        let start = Instant::now();
        pause.wait().await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        pause.extend(Duration::from_secs(3));
        pause.extend(Duration::from_secs(1));
        pause.wait().await;
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }
}
