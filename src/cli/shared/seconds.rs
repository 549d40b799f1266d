//! Flags that take a number of seconds: read exactly from their digits (never through a
//! float, which would turn the largest into a number past it), and refused in words that
//! give the bound.

use std::time::Duration;

use kenar_chat::time::{SecondsError, parse_seconds};
use kenar_chat::visible;

/// A value parser for a flag of seconds that must be more than zero; clap names the flag
/// and quotes the value.
pub fn positive(text: &str) -> Result<Duration, String> {
    read(text, false)
}

/// `text`, given by `flag`, as a duration (zero too when `zero_ok`); the error names the
/// flag and quotes the value.
pub fn checked(flag: &str, text: &str, zero_ok: bool) -> Result<Duration, String> {
    read(text, zero_ok)
        .map_err(|problem| format!("{flag}: {problem} (not {})", visible::excerpt(text)))
}

fn read(text: &str, zero_ok: bool) -> Result<Duration, String> {
    let what = if zero_ok {
        "must be a number of seconds, 0 or more"
    } else {
        "must be a positive number of seconds"
    };
    match parse_seconds(text) {
        Ok(duration) if zero_ok || !duration.is_zero() => Ok(duration),
        Ok(_) | Err(SecondsError::NotANumber) => Err(what.to_owned()),
        Err(SecondsError::BelowANanosecond) => {
            Err("must be at least 0.000000001 seconds".to_owned())
        }
        Err(SecondsError::TooLarge) => Err(format!("must be at most {} seconds", u64::MAX)),
    }
}
