//! What kenar-chat says on stderr while a request is under way: each retry (unless `-q`),
//! and with `-v` every attempt, its headers with secrets masked, status and timing.

use std::time::Duration;

use kenar_chat::retry::Event;

/// How much is said on stderr besides errors and warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// Errors and warnings only.
    Quiet,
    /// Also retries.
    Normal,
    /// Also every request and answer.
    Verbose,
}

/// Prints one event as its verbosity allows.
pub fn event(verbosity: Verbosity, event: Event<'_>) {
    match event {
        Event::Sending { attempt, request } if verbosity == Verbosity::Verbose => {
            eprintln!("> {} {} (attempt {attempt})", request.method, request.url);
            for (name, value) in &request.headers {
                // Never the secret: -v output ends up in CI logs and bug reports.
                eprintln!("> {name}: {}", value.shown(false));
            }
            eprintln!("> ({} bytes of body)", request.body.len());
        }
        Event::Answered { status, elapsed } if verbosity == Verbosity::Verbose => {
            eprintln!("< HTTP {status} after {}", millis(elapsed));
        }
        Event::Failed { error, elapsed } if verbosity == Verbosity::Verbose => {
            eprintln!("< no answer after {}: {error}", millis(elapsed));
        }
        Event::Retrying {
            attempt,
            of,
            wait,
            reason,
        } if verbosity != Verbosity::Quiet => {
            eprintln!(
                "retrying in {:.1} s (attempt {attempt} of {of}): {reason}",
                wait.as_secs_f64()
            );
        }
        Event::GivingUp { reason } if verbosity != Verbosity::Quiet => {
            eprintln!("not retrying: {reason}");
        }
        _ => {}
    }
}

fn millis(elapsed: Duration) -> String {
    format!("{} ms", elapsed.as_millis())
}
