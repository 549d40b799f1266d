//! What the binary adds to an OAuth server's refusal: where the client ID and secret came
//! from, the login command that asks the user again, and the raw answer for `-v` and
//! `-o json`.

use std::path::Path;

use kenar_chat::Error;
use kenar_chat::auth::oauth_error::ClientSources;
use kenar_chat::platform::Platform;
use kenar_chat::scope::OFFLINE_ACCESS;

use crate::cli::output::{self, Format};
use crate::cli::report::Verbosity;
use crate::cli::settings::{CLIENT_ID, Settings};

/// Where the client ID (`given` by its flag or variable, else the config) and the client
/// secret (its file, else `KENAR_CLIENT_SECRET`) came from.
pub fn client_sources(
    settings: &Settings,
    client_id_given: bool,
    secret_file: Option<&Path>,
) -> ClientSources {
    ClientSources {
        client_id: settings.source(&CLIENT_ID, client_id_given),
        client_secret: secret_file.map_or_else(
            || "KENAR_CLIENT_SECRET".to_owned(),
            |path| format!("--client-secret-file {}", path.display()),
        ),
    }
}

/// The command that asks the user again for `scopes` on `platform`, for the profile.
pub fn login_command(platform: Platform, scopes: &[String], settings: &Settings) -> String {
    let mut command = format!("kenar-chat oauth login --platform {platform}");
    if settings.profile() != kenar_chat::config::DEFAULT_PROFILE {
        command.push_str(&format!(" --profile {}", settings.profile()));
    }
    for scope in scopes {
        if scope == OFFLINE_ACCESS {
            command.push_str(" --offline");
        } else {
            command.push_str(&format!(" --scope {scope}"));
        }
    }
    command
}

/// Completes an OAuth refusal in `error` with what the binary knows, and shows the raw
/// answer with `-v` and the whole refusal as a JSON object on stdout with `-o json`.
pub fn explained(
    error: Error,
    client: Option<&ClientSources>,
    login: &str,
    verbosity: Verbosity,
    format: Format,
) -> Error {
    let mut refusal = match error {
        Error::OAuth(refusal) => refusal,
        Error::Token { endpoint, problem } => {
            return Error::Token {
                endpoint,
                problem: Box::new(explained(*problem, client, login, verbosity, format)),
            };
        }
        other => return other,
    };
    refusal.client = client.cloned();
    login.clone_into(&mut refusal.login);
    if verbosity == Verbosity::Verbose {
        output::note(&format!("< {}", refusal.error.raw));
    }
    if format == Format::Json {
        // The error itself follows on stderr, whether or not stdout takes this.
        let _ = output::json(&refusal.to_json());
    }
    Error::OAuth(refusal)
}
