//! What kenar-chat says on stderr while a request is under way: each retry (unless `-q`),
//! and with `-v` every attempt, its headers with secrets masked, status and timing. A
//! batch says the same for every line, each prefixed with the line's number.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::time::Duration;

use kenar_chat::http::retry::Event;
use kenar_chat::secret::SecretString;
use kenar_chat::visible;
use reqwest::header::HeaderMap;
use url::Url;

use crate::cli::output;
use crate::cli::shared::worded::worded;

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
    if let Some(text) = render(verbosity, event) {
        output::stderr(&text);
    }
}

/// The lines one event prints as its verbosity allows, each ending in a newline; `None`
/// when it prints nothing, so that a quiet event costs nothing.
pub fn render(verbosity: Verbosity, event: Event<'_>) -> Option<String> {
    let text = match event {
        Event::Sending { attempt, request } if verbosity == Verbosity::Verbose => request_text(
            &format!("{} {} (attempt {attempt})", request.method, request.url),
            request
                .headers
                .iter()
                // Never the secret: -v output ends up in CI logs and bug reports.
                .map(|(name, value)| (*name, value.shown(false))),
            &match &request.upload {
                Some(upload) => upload.describe(),
                None => format!("{} bytes of body", request.body.len()),
            },
        ),
        Event::Answered { status, elapsed } if verbosity == Verbosity::Verbose => {
            format!("< HTTP {status} after {}\n", millis(elapsed))
        }
        Event::Failed {
            error,
            cause,
            elapsed,
        } if verbosity == Verbosity::Verbose => {
            let error = worded(error.clone());
            let mut text = format!("< no answer after {}: {error}\n", millis(elapsed));
            if let Some(cause) = cause {
                let _ = writeln!(text, "< (the HTTP library says: {cause})");
            }
            text
        }
        Event::Retrying {
            attempt,
            of,
            wait,
            reason,
        } if verbosity != Verbosity::Quiet => format!(
            "retrying in {:.1} s (attempt {attempt} of {of}): {reason}\n",
            wait.as_secs_f64()
        ),
        Event::GivingUp { reason } if verbosity != Verbosity::Quiet => {
            format!("not retrying: {reason}\n")
        }
        _ => return None,
    };
    Some(text)
}

/// With `-v`, a request to the app under development (`trigger`, `events replay`, or one
/// `listen` forwards, then named by `id`), shown as a request to the API is: its sensitive
/// headers (the key) as `***`.
pub fn to_app(
    verbosity: Verbosity,
    url: &Url,
    headers: &HeaderMap,
    body_bytes: usize,
    id: Option<&str>,
) {
    if verbosity != Verbosity::Verbose {
        return;
    }
    let mut first = format!("POST {url}");
    if let Some(id) = id {
        let _ = write!(first, " [{id}]");
    }
    let headers = headers.iter().map(|(name, value)| {
        let shown = if value.is_sensitive() {
            Cow::Borrowed(SecretString::MASK)
        } else {
            // Received from elsewhere, as listen's are: inert on a terminal.
            Cow::Owned(visible::escaped(
                &String::from_utf8_lossy(value.as_bytes()),
                false,
            ))
        };
        (name.as_str(), shown)
    });
    let body = format!("{body_bytes} bytes of body");
    output::stderr(&request_text(&first, headers, &body));
}

/// A request as `-v` shows it: `> METHOD URL ...`, a line a header, then what the body is.
fn request_text<'a>(
    first: &str,
    headers: impl IntoIterator<Item = (&'a str, Cow<'a, str>)>,
    body: &str,
) -> String {
    let mut text = format!("> {first}\n");
    for (name, value) in headers {
        let _ = writeln!(text, "> {name}: {value}");
    }
    let _ = writeln!(text, "> ({body})");
    text
}

fn millis(elapsed: Duration) -> String {
    format!("{} ms", elapsed.as_millis())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kenar_chat::http::request::{Credentials, PreparedRequest};
    use kenar_chat::secret::SecretString;

    #[test]
    fn each_verbosity_says_what_it_should_and_never_a_secret() {
        let retrying = || Event::Retrying {
            attempt: 2,
            of: 4,
            wait: Duration::from_millis(500),
            reason: "rate limited (HTTP 429)".to_owned(),
        };
        assert_eq!(render(Verbosity::Quiet, retrying()), None);
        assert_eq!(
            render(Verbosity::Normal, retrying()).as_deref(),
            Some("retrying in 0.5 s (attempt 2 of 4): rate limited (HTTP 429)\n")
        );
        let answered = || Event::Answered {
            status: 200,
            elapsed: Duration::from_millis(12),
        };
        assert_eq!(render(Verbosity::Normal, answered()), None);
        assert_eq!(
            render(Verbosity::Verbose, answered()).as_deref(),
            Some("< HTTP 200 after 12 ms\n")
        );
        let credentials = Credentials {
            api_key: SecretString::new("key-1234".to_owned()),
            access_token: SecretString::new("token-5678".to_owned()),
        };
        let message = kenar_chat::message::draft::MessageDraft::from_json(
            "test",
            br#"{"user_id": "u", "post_token": "p", "peer_id": "q", "message": "hi"}"#,
        )
        .unwrap()
        .build()
        .unwrap();
        let base = url::Url::parse("https://api.divar.ir").unwrap();
        let request = PreparedRequest::send_message(&base, &message, &credentials);
        let sending = Event::Sending {
            attempt: 1,
            request: &request,
        };
        assert_eq!(render(Verbosity::Normal, sending), None);
        let text = render(
            Verbosity::Verbose,
            Event::Sending {
                attempt: 1,
                request: &request,
            },
        )
        .unwrap();
        assert!(
            text.starts_with("> POST https://api.divar.ir/v2/"),
            "{text}"
        );
        assert!(text.contains("> x-api-key: ***\n"), "{text}");
        assert!(
            !text.contains("key-1234") && !text.contains("token-5678"),
            "{text}"
        );
    }
}
