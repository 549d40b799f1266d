//! Unix time in seconds, as tokens and their expiries are kept, and its RFC 3339 form for
//! people, guarded against times a calendar cannot show.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The last second of the year 9999: RFC 3339 years have four digits.
pub const LAST_RFC3339_SECOND: u64 = 253_402_300_799;

/// A Unix time as an RFC 3339 UTC timestamp, such as `2026-11-23T09:00:00Z`; a later time
/// is shown as the number it is.
pub fn rfc3339(unix_seconds: u64) -> String {
    if unix_seconds > LAST_RFC3339_SECOND {
        return format!("Unix time {unix_seconds}");
    }
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(unix_seconds)).to_string()
}

/// The current time in Unix seconds.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_rfc3339() {
        assert_eq!(rfc3339(1000), "1970-01-01T00:16:40Z");
        assert_eq!(rfc3339(LAST_RFC3339_SECOND), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339(u64::MAX), format!("Unix time {}", u64::MAX));
    }
}
