//! The profile a command works for: its defaults from the config file and its stored
//! tokens, both in the config directory.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use kenar_chat::config::{self, Config, DEFAULT_PROFILE, ProfileConfig};
use kenar_chat::store::{CredentialStore, StoreLock};
use kenar_chat::{Error, Result};
use kenar_chat::{http_url, secret};
use url::Url;

use crate::cli::output;

#[derive(Debug, Clone, Args)]
pub struct ProfileArgs {
    /// The profile whose config-file defaults and stored tokens to use
    #[arg(long, env = "KENAR_PROFILE", value_name = "NAME", default_value = DEFAULT_PROFILE)]
    pub profile: String,
}

impl ProfileArgs {
    /// `given` (from its flag or environment variable), or else the profile's value in the
    /// config file. The file is read only when needed, so that a command given every value
    /// works without a config directory.
    pub fn or_config(
        &self,
        given: Option<String>,
        field: fn(ProfileConfig) -> Option<String>,
    ) -> Result<Option<String>> {
        match given {
            Some(value) => Ok(Some(value)),
            None => Ok(field(Config::load(&dir()?)?.profile(&self.profile))),
        }
    }

    /// The URL `setting` gives: `given` (by its flag or variable), the profile's key
    /// (`field`), or `default`; with the name of where it came from, for errors about it.
    pub fn endpoint(
        &self,
        setting: &Setting,
        given: Option<String>,
        field: fn(ProfileConfig) -> Option<String>,
        default: &str,
    ) -> Result<(Url, String)> {
        let from_flag = given.is_some();
        let (source, url) = match self.or_config(given, field)? {
            Some(url) => (self.source(setting, from_flag), url),
            None => (setting.flag.to_owned(), default.to_owned()),
        };
        Ok((http_url::endpoint(&source, &url)?, source))
    }

    /// The error for a value given nowhere: it names the three places it can come from.
    pub fn missing(&self, setting: &Setting) -> Error {
        let Setting {
            flag, env_var, key, ..
        } = setting;
        Error::invalid(format!(
            "{flag}: missing (give {flag}, set {env_var}, or set {key} under [profiles.{}] in \
             the config file)",
            self.profile
        ))
    }

    /// Where a value of `setting` came from, as an error about it names it: the flag, the
    /// environment variable, or the key in the config file. `given` says whether the flag
    /// or the variable gave it.
    pub fn source(&self, setting: &Setting, given: bool) -> String {
        // A command without the flag reads the variable alone (see `from_environment_only`).
        let from_environment = crate::cli::args::from_environment(setting.id)
            || !crate::cli::args::has_argument(setting.id);
        match (given, from_environment) {
            (true, false) => setting.flag.to_owned(),
            (true, true) => setting.env_var.to_owned(),
            (false, _) => self.config_key(setting.key),
        }
    }

    /// Names the profile's `key` in the config file, for errors about its value.
    pub fn config_key(&self, key: &str) -> String {
        format!(
            "{key} under [profiles.{}] in the config file{}",
            self.profile,
            dir().map_or_else(
                |_| String::new(),
                |dir| format!(" {}", dir.join(config::CONFIG_FILE).display())
            )
        )
    }
}

/// The value of `setting`'s environment variable, for a command that has no flag for it.
pub fn from_environment_only(setting: &Setting) -> Result<Option<String>> {
    match std::env::var(setting.env_var) {
        Ok(value) if !value.is_empty() => Ok(Some(value)),
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::invalid(format!(
            "{}: is not valid UTF-8",
            setting.env_var
        ))),
        _ => Ok(None),
    }
}

/// A value that a flag, its environment variable or a key of the profile's config gives.
pub struct Setting {
    /// clap's name for the flag's argument.
    pub id: &'static str,
    pub flag: &'static str,
    pub env_var: &'static str,
    pub key: &'static str,
}

pub const API_URL: Setting = Setting {
    id: "base_url",
    flag: "--base-url",
    env_var: "KENAR_API_URL",
    key: "api_url",
};
pub const AUTH_URL: Setting = Setting {
    id: "auth_url",
    flag: "--auth-url",
    env_var: "KENAR_OAUTH_URL",
    key: "auth_url",
};
pub const TOKEN_URL: Setting = Setting {
    id: "token_url",
    flag: "--token-url",
    env_var: "KENAR_TOKEN_URL",
    key: "token_url",
};
pub const UPLOAD_URL: Setting = Setting {
    id: "upload_url",
    flag: "--upload-url",
    env_var: "KENAR_UPLOAD_URL",
    key: "upload_url",
};
pub const PLATFORM: Setting = Setting {
    id: "platform",
    flag: "--platform",
    env_var: "KENAR_PLATFORM",
    key: "platform",
};
pub const CLIENT_ID: Setting = Setting {
    id: "client_id",
    flag: "--client-id",
    env_var: "KENAR_CLIENT_ID",
    key: "client_id",
};
pub const REDIRECT_URI: Setting = Setting {
    id: "redirect_uri",
    flag: "--redirect-uri",
    env_var: "KENAR_REDIRECT_URI",
    key: "redirect_uri",
};

/// The config directory: `KENAR_CONFIG_DIR`, or `kenar-chat` under the user's.
pub fn dir() -> Result<PathBuf> {
    match std::env::var_os("KENAR_CONFIG_DIR") {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => config::default_dir(),
    }
}

/// The stored tokens, with a warning when others can read them (the next save makes the
/// file private again).
pub fn store() -> Result<CredentialStore> {
    let store = CredentialStore::open(&dir()?)?;
    if let Some(warning) = secret::exposure_warning(store.path(), "credentials") {
        output::note(&format!("warning: {warning}"));
    }
    Ok(store)
}

/// The stored tokens, to change and save: other runs cannot change them until the lock
/// is dropped.
pub fn store_to_change() -> anyhow::Result<(StoreLock, CredentialStore)> {
    let dir = dir()?;
    let lock = StoreLock::acquire(&dir)
        .with_context(|| format!("locking the credentials file in {}", dir.display()))?;
    Ok((lock, CredentialStore::open(&dir)?))
}
