//! Where the secrets come from: a flag (with a warning, since other local users can read
//! command lines), a file (with a warning when others can read it), or an environment
//! variable, in that order.

use std::path::{Path, PathBuf};

use clap::{Args, ValueHint};
use kenar_chat::Error;
use kenar_chat::auth::authorize;
use kenar_chat::auth::token::AppCredentials;
use kenar_chat::secret::{self, SecretString};

use crate::cli::output;
use crate::cli::settings::{CLIENT_ID, Settings};

/// The app's API key: what every request to the API carries.
#[derive(Debug, Args)]
pub struct ApiKeyArgs {
    /// Read the app's API key from this file (instead of KENAR_API_KEY)
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub api_key_file: Option<PathBuf>,
    /// The API key itself (visible to other local users: prefer KENAR_API_KEY)
    #[arg(long, value_name = "KEY")]
    pub api_key: Option<String>,
}

impl ApiKeyArgs {
    /// What is said when no flag or variable gives the key.
    pub const MISSING: &str = "API key: missing (set KENAR_API_KEY or give --api-key-file)";

    /// The key from the flags or the environment.
    pub fn read(&self) -> Result<Option<SecretString>, Error> {
        secret(
            self.api_key.as_deref(),
            "--api-key",
            self.api_key_file.as_deref(),
            "KENAR_API_KEY",
            "API key",
            SecretString::check_header_safe,
        )
    }
}

/// The user's access token, when given rather than stored.
#[derive(Debug, Args)]
pub struct AccessTokenArgs {
    /// Read the user's access token from this file (instead of KENAR_ACCESS_TOKEN)
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub access_token_file: Option<PathBuf>,
    /// The access token itself (visible to other local users: prefer KENAR_ACCESS_TOKEN)
    #[arg(long, value_name = "TOKEN")]
    pub access_token: Option<String>,
}

impl AccessTokenArgs {
    /// What is said when no token is given and none is stored.
    pub const MISSING: &str = "access token: missing (set KENAR_ACCESS_TOKEN, give \
         --access-token-file, or log in with `kenar-chat oauth login`)";

    /// The token from the flags or the environment.
    pub fn read(&self) -> Result<Option<SecretString>, Error> {
        secret(
            self.access_token.as_deref(),
            "--access-token",
            self.access_token_file.as_deref(),
            "KENAR_ACCESS_TOKEN",
            "access token",
            SecretString::check_header_safe,
        )
    }
}

/// The app's Divar identification key: the panel value Divar sends in `Authorization`.
/// There is no flag for the value itself, so it never shows in the process list.
#[derive(Debug, Args)]
pub struct DivarKeyArgs {
    /// Read the app's Divar identification key from this file (instead of
    /// KENAR_IDENTIFICATION_KEY)
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub identification_key_file: Option<PathBuf>,
}

impl DivarKeyArgs {
    /// What is said when no file or variable gives the key.
    pub const MISSING: &str = "identification key: missing (set KENAR_IDENTIFICATION_KEY or \
         give --identification-key-file)";

    /// The key, from the file or the environment.
    pub fn read(&self) -> Result<Option<SecretString>, Error> {
        secret(
            None,
            "--identification-key",
            self.identification_key_file.as_deref(),
            "KENAR_IDENTIFICATION_KEY",
            "identification key",
            SecretString::check_header_value,
        )
    }
}

/// Divar's identification key, and the key the local app expects in its place.
#[derive(Debug, Args)]
pub struct IdentificationKeyArgs {
    #[command(flatten)]
    pub divar: DivarKeyArgs,
    /// Read the key the local app expects in Authorization from this file (instead of
    /// KENAR_FORWARD_KEY), when it is not Divar's
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub forward_key_file: Option<PathBuf>,
}

impl IdentificationKeyArgs {
    /// What is said when no file or variable gives the key.
    pub const MISSING: &str = DivarKeyArgs::MISSING;

    /// Divar's key, from the file or the environment.
    pub fn divar_key(&self) -> Result<Option<SecretString>, Error> {
        self.divar.read()
    }

    /// The key the app expects, when it is another than Divar's.
    pub fn forward_key(&self) -> Result<Option<SecretString>, Error> {
        secret(
            None,
            "--forward-key",
            self.forward_key_file.as_deref(),
            "KENAR_FORWARD_KEY",
            "forward key",
            SecretString::check_header_value,
        )
    }

    /// The key to send the app as Divar would: its own when it has one, else Divar's.
    pub fn app_key(&self) -> Result<SecretString, Error> {
        match self.forward_key()? {
            Some(key) => Ok(key),
            None => self
                .divar_key()?
                .ok_or_else(|| Error::invalid(Self::MISSING)),
        }
    }
}

/// The app's client secret, which only the token exchange needs. There is no flag for the
/// value itself.
pub fn client_secret(file: Option<&Path>) -> Result<Option<SecretString>, Error> {
    secret(
        None,
        "--client-secret",
        file,
        "KENAR_CLIENT_SECRET",
        "client secret",
        SecretString::check_header_safe,
    )
}

/// A secret from its flag (with a warning), its file (with a warning when others can read
/// it), or its environment variable; `check` says whether it is fit for its HTTP header.
fn secret(
    flag: Option<&str>,
    flag_name: &str,
    file: Option<&Path>,
    env_var: &str,
    what: &str,
    check: fn(&SecretString, &str) -> Result<(), Error>,
) -> Result<Option<SecretString>, Error> {
    let (value, source) = if let Some(value) = flag {
        output::note(&format!(
            "warning: {flag_name} is visible to other local users in the process list; \
             prefer {env_var} or {flag_name}-file"
        ));
        (SecretString::new(value), flag_name.to_owned())
    } else if let Some(path) = file {
        if let Some(warning) = secret::exposure_warning(path, what) {
            output::note(&format!("warning: {warning}"));
        }
        (
            SecretString::from_file(path, what)?,
            format!("{what} file {}", path.display()),
        )
    } else {
        match std::env::var(env_var) {
            Ok(value) if !value.is_empty() => (SecretString::new(value), env_var.to_owned()),
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(Error::invalid(format!("{env_var}: is not valid UTF-8")));
            }
            _ => return Ok(None),
        }
    };
    check(&value, &source)?;
    Ok(Some(value))
}

/// The app's client ID: what names it to Divar's OAuth server, in the authorization URL and
/// at the token endpoint.
#[derive(Debug, Args)]
pub struct ClientIdArgs {
    /// The app's slug from the Kenar panel
    #[arg(long, env = "KENAR_CLIENT_ID")]
    pub client_id: Option<String>,
}

/// How the app proves itself to the token endpoint, besides its client ID: its secret, and
/// where that endpoint is.
#[derive(Debug, Args)]
pub struct AppArgs {
    /// Read the app's client secret from this file (instead of KENAR_CLIENT_SECRET)
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub client_secret_file: Option<PathBuf>,
    /// The current platform's token endpoint [default: https://oauth.divar.ir/oauth2/token]
    #[arg(long, env = "KENAR_TOKEN_URL", value_hint = ValueHint::Url)]
    pub token_url: Option<String>,
}

/// The app's client ID (from its flag, its variable or the profile's config) and secret
/// (from its file or its variable); `None`, with what is missing in `problems`, without
/// both.
pub fn app_credentials(
    settings: &Settings,
    client: &ClientIdArgs,
    args: &AppArgs,
    problems: &mut Vec<String>,
) -> Result<Option<AppCredentials>, Error> {
    let client_id = settings.or_config(client.client_id.clone(), |c| c.client_id)?;
    let client_secret = client_secret(args.client_secret_file.as_deref())?;
    let client_id = match client_id {
        None => {
            problems.push(settings.missing(&CLIENT_ID).to_string());
            None
        }
        Some(id) => match authorize::check_client_id(&id) {
            Ok(()) => Some(id),
            Err(problem) => {
                problems.push(settings.blame(&CLIENT_ID, client.client_id.is_some(), &problem));
                None
            }
        },
    };
    if client_secret.is_none() {
        problems.push(
            "client secret: missing (set KENAR_CLIENT_SECRET or give --client-secret-file)"
                .to_owned(),
        );
    }
    Ok(client_id
        .zip(client_secret)
        .map(|(client_id, client_secret)| AppCredentials {
            client_id,
            client_secret,
        }))
}
