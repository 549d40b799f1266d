//! What a batch did, counted as it goes and reported at the end. The caller lays it out
//! for people; the reason a batch stopped reads here as what happened, and the caller adds
//! what its user can do about it.

use std::fmt;

use serde::Serialize;

use crate::error::Error;
use crate::time;

use super::reader::Rest;
use super::signal::Signal;
use super::window::Quota;

/// In-doubt line numbers listed in a summary; beyond that only the count is given.
pub const MAX_LISTED: usize = 100;

/// Failures by reason: which part of the exit-code table each failed line falls in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Failures {
    /// HTTP 4xx other than 429, or an answer whose own status is a 4xx.
    pub refused: u64,
    /// Of those refused, refused by the recipient's restriction (HTTP 412, code 9).
    pub refused_by_recipient: u64,
    /// HTTP 429 after every retry.
    pub rate_limited: u64,
    /// No connection after every retry, or another failure known not to have delivered
    /// the message.
    pub unavailable: u64,
}

impl Failures {
    pub fn total(&self) -> u64 {
        self.refused + self.rate_limited + self.unavailable
    }

    pub fn count(&mut self, error: &Error) {
        match error {
            Error::Refused { .. }
            | Error::OAuth(_)
            | Error::Invalid(_)
            | Error::Unusable { .. } => self.refused += 1,
            Error::RecipientRestricted(_) => {
                self.refused += 1;
                self.refused_by_recipient += 1;
            }
            Error::RateLimited { .. } => self.rate_limited += 1,
            Error::Token { problem, .. } => self.count(problem),
            _ => self.unavailable += 1,
        }
    }
}

/// The counts of a batch run; every line read lands in exactly one of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Lines read (blank lines are not counted).
    pub lines: u64,
    /// Sent by this run.
    pub sent: u64,
    /// Skipped: the journal says an earlier run sent them.
    pub already_sent: u64,
    /// Skipped: not a valid message (the error named each one).
    pub invalid: u64,
    /// Skipped: the same message as a line before it in this run, which was sent or tried.
    pub duplicates: u64,
    /// Certainly not delivered; running again sends them.
    pub failed: Failures,
    /// May have been delivered: skipped because an earlier run left them in doubt, or their
    /// request ended without a clear answer in this run. `--resend-in-doubt` sends them.
    pub in_doubt: u64,
    /// Line numbers of the first [`MAX_LISTED`] lines in doubt.
    pub in_doubt_lines: Vec<u64>,
    /// Not attempted because the batch stopped early: read, or, in a file, left unread
    /// and counted.
    pub not_attempted: u64,
    /// The batch stopped before the end of an input that is not a file (a pipe): the
    /// lines after those counted were not read, so `lines` does not count them.
    pub input_unread: bool,
    /// What the batch learned of the API's quota from its 429s, if it met any.
    pub learned_quota: Option<Quota>,
    /// Why the batch stopped before the end of its input, if it did.
    #[serde(serialize_with = "as_text")]
    pub stopped: Option<Stop>,
}

/// Why a batch stopped before the end of its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// A signal asked it to.
    Signal(Signal),
    /// The batch was to stop at the first line that is invalid or fails: this one.
    FailFast { line: u64, invalid: bool },
    /// The input could not be read further.
    Input(String),
    /// The journal could not be written.
    Journal(String),
    /// A 429 outlasted the line's retries; `at` is when the API said to come back, in
    /// Unix seconds.
    RateLimited { line: u64, at: Option<u64> },
    /// 429s without `Retry-After` kept coming, from this line on, for longer than the
    /// longest wait: a quota spent for the day, or for longer than a run waits.
    QuotaSpent { line: u64 },
    /// The batch's own access token (or the API key) was refused.
    Unauthorized { line: u64 },
    /// This many lines in a row could not reach the API, or were refused as unauthorized.
    Unreachable { lines: u32, unauthorized: bool },
    /// The token endpoint refused to refresh the stored token a line needed: no line that
    /// needs it can be sent until the user logs in again.
    TokenRefused { line: u64 },
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Signal(signal) => write!(f, "interrupted by {}", signal.name()),
            Stop::FailFast {
                line,
                invalid: true,
            } => write!(f, "line {line} is invalid"),
            Stop::FailFast { line, .. } => write!(f, "line {line} failed"),
            Stop::Input(problem) | Stop::Journal(problem) => f.write_str(problem),
            Stop::RateLimited { line, at } => {
                write!(f, "line {line} was rate limited past its retries; ")?;
                match at {
                    Some(at) => write!(f, "the API asks to come back at {}", time::rfc3339(*at)),
                    None => f.write_str("the API did not say when to come back"),
                }
            }
            Stop::QuotaSpent { line } => write!(
                f,
                "line {line}: the API answered 429 without saying when to come back for \
                 longer than the longest wait allowed; its quota may be spent for the day"
            ),
            Stop::Unauthorized { line } => write!(
                f,
                "line {line}: the API refused the access token or the API key (HTTP 401), \
                 which every line shares"
            ),
            Stop::Unreachable {
                lines,
                unauthorized: false,
            } => write!(f, "the API could not be reached for {lines} lines in a row"),
            Stop::TokenRefused { line } => write!(
                f,
                "line {line}: the token endpoint refused to refresh the stored token"
            ),
            Stop::Unreachable { lines, .. } => write!(
                f,
                "the API could not be reached or refused the credentials (HTTP 401) for \
                 {lines} lines in a row"
            ),
        }
    }
}

fn as_text<S: serde::Serializer>(stop: &Option<Stop>, serializer: S) -> Result<S::Ok, S::Error> {
    match stop {
        Some(stop) => serializer.collect_str(stop),
        None => serializer.serialize_none(),
    }
}

impl Summary {
    /// Counts a line in doubt; the first [`MAX_LISTED`] in line order are listed, whatever
    /// order they end in.
    pub fn add_in_doubt(&mut self, line: u64) {
        self.in_doubt += 1;
        let at = self.in_doubt_lines.partition_point(|&listed| listed < line);
        if at < MAX_LISTED {
            self.in_doubt_lines.insert(at, line);
            self.in_doubt_lines.truncate(MAX_LISTED);
        }
    }

    /// Counts what the reader left when the batch stopped taking lines: not attempted.
    pub(super) fn count_rest(&mut self, rest: Rest) {
        match rest {
            Rest::Counted(lines) => {
                self.lines += lines;
                self.not_attempted += lines;
            }
            Rest::NotRead => self.input_unread = true,
        }
    }

    /// Lines not sent by this run or an earlier one: a duplicate of a line sent is sent.
    pub fn unsent(&self) -> u64 {
        self.lines
            .saturating_sub(self.sent + self.already_sent + self.duplicates)
    }

    /// Lines done with, one way or another: all of them once the batch has ended.
    pub fn finished(&self) -> u64 {
        self.sent
            + self.already_sent
            + self.invalid
            + self.duplicates
            + self.failed.total()
            + self.in_doubt
            + self.not_attempted
    }

    /// Whether every line read has been sent, by this run or an earlier one.
    pub fn all_sent(&self) -> bool {
        self.stopped.is_none() && self.sent + self.already_sent + self.duplicates == self.lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_batch_whose_lines_were_all_sent_is_complete() {
        let mut summary = Summary {
            lines: 3,
            sent: 2,
            already_sent: 1,
            ..Summary::default()
        };
        assert!(summary.all_sent());
        assert_eq!(summary.finished(), summary.lines);
        summary.lines = 5;
        summary.failed.count(&Error::RateLimited {
            message: "slow".into(),
        });
        summary.add_in_doubt(4);
        assert!(!summary.all_sent());
        assert_eq!(summary.finished(), summary.lines);
    }

    #[test]
    fn a_come_back_past_the_year_9999_is_said_as_a_number() {
        let stop = Stop::RateLimited {
            line: 1,
            at: Some(u64::MAX),
        };
        assert!(
            stop.to_string()
                .ends_with(&format!("come back at Unix time {}", u64::MAX))
        );
    }

    #[test]
    fn in_doubt_lines_are_listed_up_to_a_limit() {
        let mut summary = Summary::default();
        for line in 1..=(MAX_LISTED as u64 + 5) {
            summary.add_in_doubt(line);
        }
        assert_eq!(summary.in_doubt, MAX_LISTED as u64 + 5);
        assert_eq!(summary.in_doubt_lines.len(), MAX_LISTED);
        assert_eq!(summary.in_doubt_lines.last(), Some(&100));
        summary.add_in_doubt(1);
        assert_eq!(summary.in_doubt_lines[..2], [1, 1]);
        assert_eq!(summary.in_doubt_lines.len(), MAX_LISTED);
    }
}
