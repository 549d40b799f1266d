//! How a batch's summary reads: a table of its counts for people, or its JSON for scripts,
//! and why it stopped, with the flag that stopped it or the command that mends it.

use std::fmt;

use kenar_chat::batch::summary::{Stop, Summary};
use serde_json::Value;

/// Why the batch stopped, as the library says it, with what the command line adds: the
/// flag that stopped it there, or the command that lets the rest be sent.
pub fn reason(stop: &Stop) -> String {
    match stop {
        Stop::FailFast { .. } => format!("{stop} (--fail-fast)"),
        Stop::TokenRefused { .. } => {
            format!("{stop}; log in again with `kenar-chat oauth login`")
        }
        other => other.to_string(),
    }
}

/// The summary as JSON, `stopped` said as [`reason`] says it.
pub fn to_json(summary: &Summary) -> serde_json::Result<Value> {
    let mut value = serde_json::to_value(summary)?;
    if let Some(stopped) = &summary.stopped {
        value["stopped"] = reason(stopped).into();
    }
    Ok(value)
}

/// The summary as a table, one count a line.
pub struct Table<'a>(pub &'a Summary);

impl fmt::Display for Table<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let summary = self.0;
        writeln!(f, "lines          {}", summary.lines)?;
        writeln!(f, "sent           {}", summary.sent)?;
        writeln!(f, "already sent   {}", summary.already_sent)?;
        writeln!(f, "invalid        {}", summary.invalid)?;
        if summary.duplicates > 0 {
            writeln!(f, "duplicates     {}", summary.duplicates)?;
        }
        write!(f, "failed         {}", summary.failed.total())?;
        if summary.failed.total() > 0 {
            write!(f, " (refused {}", summary.failed.refused)?;
            if summary.failed.refused_by_recipient > 0 {
                write!(
                    f,
                    ", {} of them by the recipient",
                    summary.failed.refused_by_recipient
                )?;
            }
            write!(
                f,
                ", rate limited {}, unavailable {})",
                summary.failed.rate_limited, summary.failed.unavailable
            )?;
        }
        write!(f, "\nin doubt       {}", summary.in_doubt)?;
        if !summary.in_doubt_lines.is_empty() {
            let listed: Vec<String> = summary.in_doubt_lines.iter().map(u64::to_string).collect();
            write!(f, " (lines {}", listed.join(", "))?;
            if summary.in_doubt > summary.in_doubt_lines.len() as u64 {
                write!(f, ", …")?;
            }
            write!(f, ")")?;
        }
        if summary.not_attempted > 0 {
            write!(f, "\nnot attempted  {}", summary.not_attempted)?;
        }
        if let Some(quota) = &summary.learned_quota {
            write!(f, "\nquota          {quota}")?;
        }
        if summary.input_unread {
            write!(
                f,
                "\nnot read       the rest of the input (not a file: not counted)"
            )?;
        }
        if let Some(stopped) = &summary.stopped {
            write!(f, "\nstopped        {}", reason(stopped))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use kenar_chat::Error;
    use kenar_chat::batch::summary::MAX_LISTED;

    use super::*;

    #[test]
    fn the_counts_read_as_a_table() {
        let mut summary = Summary {
            lines: 5,
            sent: 2,
            already_sent: 1,
            ..Summary::default()
        };
        summary.failed.count(&Error::RateLimited {
            message: "slow".into(),
        });
        summary.add_in_doubt(4);
        assert_eq!(
            Table(&summary).to_string(),
            "lines          5\nsent           2\nalready sent   1\ninvalid        0\n\
             failed         1 (refused 0, rate limited 1, unavailable 0)\n\
             in doubt       1 (lines 4)"
        );
    }

    #[test]
    fn in_doubt_lines_past_the_limit_are_left_out() {
        let mut summary = Summary::default();
        for line in 1..=(MAX_LISTED as u64 + 5) {
            summary.add_in_doubt(line);
        }
        assert!(Table(&summary).to_string().ends_with(", 100, …)"));
    }

    #[test]
    fn a_stop_names_the_flag_behind_it_or_the_command_that_mends_it() {
        let fail_fast = Stop::FailFast {
            line: 2,
            invalid: false,
        };
        assert_eq!(reason(&fail_fast), "line 2 failed (--fail-fast)");
        let summary = Summary {
            stopped: Some(Stop::TokenRefused { line: 1 }),
            ..Summary::default()
        };
        assert_eq!(
            to_json(&summary).unwrap()["stopped"],
            "line 1: the token endpoint refused to refresh the stored token; log in again with \
             `kenar-chat oauth login`"
        );
        assert!(Table(&summary).to_string().ends_with(
            "\nstopped        line 1: the token endpoint refused to refresh the stored token; \
             log in again with `kenar-chat oauth login`"
        ));
    }
}
