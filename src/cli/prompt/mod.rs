//! Everything kenar-chat asks at a terminal (`--interactive`): the questions, their order,
//! and cancelling. Answers are checked with the library's own rules, so a question repeats
//! with the same message the matching flag or file field would get. The questions of a
//! message are in [`message`], those of scopes in [`scopes`].

pub mod message;
pub mod scopes;

use std::io::IsTerminal as _;

use anyhow::{Context as _, Result};
use dialoguer::{Confirm, Input, Password, Select};
use kenar_chat::Error;
use kenar_chat::auth::authorize;
use kenar_chat::http::request::PreparedRequest;
use kenar_chat::secret::SecretString;

use crate::cli::output;
use crate::cli::shared::signals;

/// Refuses to ask without a terminal (a script must never hang on a question), and makes
/// a signal a clean cancel.
pub fn start(flag: &str) -> Result<()> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(Error::invalid(format!(
            "{flag}: standard input is not a terminal, so nothing can be asked; \
             give every value by flag, file or environment instead"
        ))
        .into());
    }
    cancel_on_interrupt()
}

/// Ctrl-C arrives as a signal while a question waits in a blocking read (the hidden
/// password read cannot be interrupted any other way), so the signal's listener itself
/// puts the terminal back as it was before the first question and ends the process.
/// Nothing is sent while a question waits, only after all of them (see
/// [`signals::in_flight`]), so nothing can have been sent.
fn cancel_on_interrupt() -> Result<()> {
    let saved = terminal::save();
    signals::cancel_at_questions(move || {
        terminal::restore(saved.as_ref());
        output::note(&format!("\nerror: {}", Error::Cancelled));
    })
    .context("watching for Ctrl-C")
}

#[cfg(unix)]
mod terminal {
    use nix::sys::termios::{self, SetArg, Termios};

    pub fn save() -> Option<Termios> {
        termios::tcgetattr(std::io::stdin()).ok()
    }

    /// Echo back on (the password question turns it off), cursor shown (lists hide it).
    pub fn restore(saved: Option<&Termios>) {
        if let Some(saved) = saved {
            let _ = termios::tcsetattr(std::io::stdin(), SetArg::TCSANOW, saved);
        }
        let _ = dialoguer::console::Term::stderr().show_cursor();
    }
}

#[cfg(not(unix))]
mod terminal {
    /// Terminal settings are saved and put back on Unix only.
    pub fn save() -> Option<()> {
        None
    }

    pub fn restore(_: Option<&()>) {
        let _ = dialoguer::console::Term::stderr().show_cursor();
    }
}

/// Esc at a list, or an interrupted read, is a cancel; anything else is a terminal failure.
/// A list read returns `Interrupted` for Ctrl-C while the signal handler also runs: the
/// cursor is shown here too, so that it is back whichever of the two ends the process.
fn cancelled(err: dialoguer::Error) -> anyhow::Error {
    let dialoguer::Error::IO(err) = err;
    if err.kind() == std::io::ErrorKind::Interrupted {
        let _ = dialoguer::console::Term::stderr().show_cursor();
        Error::Cancelled.into()
    } else {
        anyhow::Error::new(err).context("talking to the terminal")
    }
}

/// A line of text, asked until `check` accepts it.
fn ask(prompt: &str, check: impl Fn(&str) -> Result<(), String>) -> Result<String> {
    Input::<String>::new()
        .with_prompt(prompt)
        .allow_empty(true)
        .validate_with(|value: &String| check(value))
        .interact_text()
        .map_err(cancelled)
}

/// A secret, typed without echo, checked as a secret from any other source is.
fn ask_secret(what: &str) -> Result<SecretString> {
    Password::new()
        .with_prompt(format!("{what} (hidden)"))
        .validate_with(|value: &String| {
            SecretString::new(value.as_str())
                .check_header_safe(what)
                .map_err(|e| e.to_string())
        })
        .interact()
        .map(SecretString::new)
        .map_err(cancelled)
}

fn choose(prompt: &str, items: &[&str]) -> Result<usize> {
    Select::new()
        .with_prompt(prompt)
        .items(items)
        .default(0)
        .interact_opt()
        .map_err(cancelled)?
        .ok_or_else(|| Error::Cancelled.into())
}

/// A secret from flag, file or environment, or else from a hidden question.
pub fn secret(given: Option<SecretString>, what: &str) -> Result<Option<SecretString>> {
    match given {
        Some(secret) => Ok(Some(secret)),
        None => ask_secret(what).map(Some),
    }
}

/// Sets one field of a message draft from the text typed for it.
/// Shows the request about to be sent (secrets as `***`) and asks to go ahead; anything
/// but yes cancels.
pub fn confirm_send(requests: &[&PreparedRequest]) -> Result<()> {
    for request in requests {
        output::note(&format!("\n{}", request.render(false).trim_end()));
    }
    let go = Confirm::new()
        .with_prompt("Send this message?")
        .default(false)
        .interact_opt()
        .map_err(cancelled)?;
    match go {
        Some(true) => Ok(()),
        _ => Err(Error::Cancelled.into()),
    }
}

/// At a terminal, whether to ask for each scope of a refused login alone; never asked
/// elsewhere.
pub fn offer_each_scope() -> Result<bool> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(false);
    }
    let each = Confirm::new()
        .with_prompt("Ask for each scope alone, to find which ones Divar refuses?")
        .default(true)
        .interact_opt()
        .map_err(cancelled)?;
    Ok(each == Some(true))
}

pub fn client_id() -> Result<String> {
    ask("Client ID (the app's slug)", authorize::check_client_id)
}

pub fn redirect_uri() -> Result<String> {
    ask("Redirect URI", |v| {
        authorize::check_redirect_uri(v)
            .map(drop)
            .map_err(|p| format!("redirect_uri: {p}"))
    })
}
