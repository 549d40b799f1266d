//! A moment as Divar writes it, read one way wherever it arrives (`listen`'s events, a
//! conversation read): microseconds since 1970 in its documentation, a JSON number or a
//! string of digits (as protobuf's JSON writes an int64); an RFC 3339 time with any UTC
//! offset in its OpenAPI file.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::time::LAST_RFC3339_SECOND;

/// A moment Divar names, as the instant it is: two spellings of one instant are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub SystemTime);

impl Timestamp {
    /// Reads an integer of microseconds, the same as a string of digits, or RFC 3339.
    pub fn parse(value: &Value) -> Result<Self, String> {
        let micros = match value {
            Value::Number(n) => n.as_u64(),
            Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse().ok()
            }
            Value::String(s) => return rfc3339(s).map(Timestamp),
            other => {
                return Err(format!(
                    "{other} is neither microseconds since 1970 nor an RFC 3339 time"
                ));
            }
        };
        micros
            .and_then(|micros| UNIX_EPOCH.checked_add(Duration::from_micros(micros)))
            .map(Timestamp)
            .ok_or_else(|| format!("{value} is not a time in microseconds since 1970"))
    }

    /// Whole seconds since 1970, for a moment a calendar of four-digit years can show.
    pub fn unix_seconds(&self) -> Option<u64> {
        self.0
            .duration_since(UNIX_EPOCH)
            .ok()
            .map(|since| since.as_secs())
            .filter(|&seconds| seconds <= LAST_RFC3339_SECOND)
    }
}

/// The instant an RFC 3339 time names, whatever its offset.
fn rfc3339(text: &str) -> Result<SystemTime, String> {
    let time = OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| format!("{text:?} is not an RFC 3339 time ({e})"))?;
    let nanos = time.unix_timestamp_nanos();
    let (seconds, nanos_left) = (
        nanos.unsigned_abs() / 1_000_000_000,
        nanos.unsigned_abs() % 1_000_000_000,
    );
    let since = u64::try_from(seconds)
        .ok()
        .zip(u32::try_from(nanos_left).ok())
        .map(|(seconds, nanos)| Duration::new(seconds, nanos));
    since
        .and_then(|since| {
            if nanos >= 0 {
                UNIX_EPOCH.checked_add(since)
            } else {
                UNIX_EPOCH.checked_sub(since)
            }
        })
        .ok_or_else(|| format!("{text:?} is a time this system cannot hold"))
}

/// In UTC to the microsecond (`2025-07-16T07:11:42.000000Z`), whatever offset it came with.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.duration_since(UNIX_EPOCH) {
            Ok(since) if since.as_secs() <= LAST_RFC3339_SECOND => {
                write!(f, "{}", humantime::format_rfc3339_micros(self.0))
            }
            Ok(since) => write!(f, "{} µs since 1970", since.as_micros()),
            Err(_) => f.write_str("before 1970"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn microseconds_and_rfc3339_with_any_offset_are_one_instant() {
        let micros = Timestamp::parse(&json!(1_729_429_926_140_000_u64)).unwrap();
        assert_eq!(micros.to_string(), "2024-10-20T13:12:06.140000Z");
        assert_eq!(micros.unix_seconds(), Some(1_729_429_926));
        for same in [
            json!("1729429926140000"),
            json!("2024-10-20T13:12:06.14Z"),
            json!("2024-10-20T16:42:06.14+03:30"),
            json!("2024-10-20T12:42:06.140-00:30"),
        ] {
            assert_eq!(Timestamp::parse(&same).unwrap(), micros, "{same}");
        }
        let early = Timestamp::parse(&json!("1969-12-31T23:59:59Z")).unwrap();
        assert!(early < micros);
        assert_eq!(early.unix_seconds(), None);
        assert_eq!(early.to_string(), "before 1970");
    }

    #[test]
    fn what_is_no_time_is_said_and_nothing_panics() {
        for odd in [
            json!(-1),
            json!(true),
            json!(1.7e15),
            json!({"a": 1}),
            json!("yesterday"),
            json!(""),
            json!("2024-10-20T13:12:06"),
            json!("99999999999999999999999"),
        ] {
            assert!(Timestamp::parse(&odd).is_err(), "{odd}");
        }
        let far = Timestamp::parse(&json!(u64::MAX)).unwrap();
        assert_eq!(far.unix_seconds(), None);
        assert!(far.to_string().ends_with("µs since 1970"), "{far}");
    }
}
