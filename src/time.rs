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

/// Why a text is not a number of seconds a [`Duration`] can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondsError {
    /// Not digits with an optional fraction and exponent (`NaN`, `-1`, `ten`).
    NotANumber,
    /// More than zero, but less than the nanosecond a duration counts.
    BelowANanosecond,
    /// More than [`u64::MAX`] seconds.
    TooLarge,
}

/// A number of seconds as a person writes it (`30`, `0.5`, `1e3`, `+2.5E-1`), read
/// exactly from its digits, as a float would not: `18446744073709551615` is that many
/// seconds, not the float next to it. Digits past the nanosecond are dropped.
pub fn parse_seconds(text: &str) -> Result<Duration, SecondsError> {
    let number = text.strip_prefix('+').unwrap_or(text);
    let (mantissa, exponent) = match number.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (number, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
        return Err(SecondsError::NotANumber);
    }
    // The power of ten; one past u64 is as good as infinite for a duration.
    let exponent = match exponent {
        None => 0,
        Some(e) => {
            let (negative, magnitude) = match e.strip_prefix('-') {
                Some(magnitude) => (true, magnitude),
                None => (false, e.strip_prefix('+').unwrap_or(e)),
            };
            if magnitude.is_empty() || !all_digits(magnitude) {
                return Err(SecondsError::NotANumber);
            }
            let magnitude = i128::from(magnitude.parse::<u64>().unwrap_or(u64::MAX));
            if negative { -magnitude } else { magnitude }
        }
    };
    let digits = format!("{whole}{fraction}");
    let significant = digits.trim_start_matches('0').trim_end_matches('0');
    if significant.is_empty() {
        return Ok(Duration::ZERO);
    }
    // Where the decimal point falls in `significant`, counted from its first digit.
    let leading_zeros = digits.len() - digits.trim_start_matches('0').len();
    let point = whole.len() as i128 - leading_zeros as i128 + exponent;
    // u64::MAX has 20 digits.
    if point > 20 {
        return Err(SecondsError::TooLarge);
    }
    let (seconds, nanos) = if point <= 0 {
        let zeros = usize::try_from(-point).unwrap_or(usize::MAX);
        (String::new(), "0".repeat(zeros.min(9)) + significant)
    } else {
        let point = usize::try_from(point).unwrap_or(usize::MAX);
        let split = point.min(significant.len());
        (
            format!("{:0<point$}", &significant[..split]),
            significant[split..].to_owned(),
        )
    };
    let seconds = if seconds.is_empty() {
        0
    } else {
        seconds.parse::<u64>().map_err(|_| SecondsError::TooLarge)?
    };
    let nanos: String = nanos
        .chars()
        .chain(std::iter::repeat('0'))
        .take(9)
        .collect();
    let nanos = nanos.parse::<u32>().unwrap_or(0);
    match (seconds, nanos) {
        (0, 0) => Err(SecondsError::BelowANanosecond),
        (u64::MAX, 1..) => Err(SecondsError::TooLarge),
        (seconds, nanos) => Ok(Duration::new(seconds, nanos)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_read_exactly_from_their_digits() {
        let ok = |text: &str| parse_seconds(text).unwrap();
        assert_eq!(ok("30"), Duration::from_secs(30));
        assert_eq!(ok("0"), Duration::ZERO);
        assert_eq!(ok("0e999999999999999999999"), Duration::ZERO);
        assert_eq!(ok("0.5"), Duration::from_millis(500));
        assert_eq!(ok(".25"), Duration::from_millis(250));
        assert_eq!(ok("5."), Duration::from_secs(5));
        assert_eq!(ok("+2.5E-1"), Duration::from_millis(250));
        assert_eq!(ok("1e18"), Duration::from_secs(1_000_000_000_000_000_000));
        assert_eq!(ok("0.000000001"), Duration::from_nanos(1));
        assert_eq!(ok("1.0000000019"), Duration::new(1, 1));
        assert_eq!(ok("007.10"), Duration::from_millis(7100));
        assert_eq!(ok("18446744073709551615"), Duration::from_secs(u64::MAX));
        assert_eq!(
            ok("1.8446744073709551615e19"),
            Duration::from_secs(u64::MAX)
        );
        assert_eq!(
            ok("18446744073709551614.999999999"),
            Duration::new(u64::MAX - 1, 999_999_999)
        );
        assert_eq!(ok("12345e-3"), Duration::from_millis(12_345));
    }

    #[test]
    fn seconds_past_a_duration_are_refused_for_what_they_are() {
        for large in [
            "18446744073709551616",
            "18446744073709551615.5",
            "1e20",
            "99999999999999999999",
            "1e300",
            "1e99999999999999999999",
        ] {
            assert_eq!(parse_seconds(large), Err(SecondsError::TooLarge), "{large}");
        }
        for small in ["0.0000000001", "1e-10", "1e-99999999999999999999"] {
            assert_eq!(
                parse_seconds(small),
                Err(SecondsError::BelowANanosecond),
                "{small}"
            );
        }
        for bad in [
            "", ".", "NaN", "inf", "-1", "-0", "1e", "e5", "1.2.3", "1e+-2", "1_000", " 1", "0x10",
            "1e--2", "0e", "٣",
        ] {
            assert_eq!(parse_seconds(bad), Err(SecondsError::NotANumber), "{bad:?}");
        }
    }

    #[test]
    fn times_read_as_rfc3339() {
        assert_eq!(rfc3339(1000), "1970-01-01T00:16:40Z");
        assert_eq!(rfc3339(LAST_RFC3339_SECOND), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339(u64::MAX), format!("Unix time {}", u64::MAX));
    }
}
