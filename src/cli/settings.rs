//! The settings of one run, built once at its start: the parsed command line, which knows
//! whether each value came from its flag or its environment variable, and the profile's
//! part of the config file, read at most once.

use std::cell::OnceCell;

use clap::parser::ValueSource;
use clap::{ArgMatches, FromArgMatches as _};
use kenar_chat::config::{self, Config, DEFAULT_PROFILE, ProfileConfig};
use kenar_chat::{Error, Result, http};
use url::Url;

use crate::cli::shared::profile::{ProfileArgs, dir};

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

/// Where the values of this run come from.
pub struct Settings {
    /// The matches of the innermost subcommand being run.
    matches: ArgMatches,
    profile: String,
    /// The profile's defaults, read when a value is first looked up there: a command given
    /// every value works without a config directory, and a broken file stops only the
    /// commands that need it.
    config: OnceCell<Result<ProfileConfig>>,
}

// By hand: a copy (for another thread) reads the config again when it needs it, since
// what was read, an error included, is not copied.
impl Clone for Settings {
    fn clone(&self) -> Self {
        Settings {
            matches: self.matches.clone(),
            profile: self.profile.clone(),
            config: OnceCell::new(),
        }
    }
}

impl Settings {
    /// The settings of the command line `matches` runs.
    pub fn new(matches: &ArgMatches) -> Self {
        let mut leaf = matches;
        while let Some((_, sub)) = leaf.subcommand() {
            leaf = sub;
        }
        // `oauth tokens` names a profile only to filter, and `sandbox` has none.
        let profile = leaf
            .try_contains_id("profile")
            .ok()
            .and_then(|_| ProfileArgs::from_arg_matches(leaf).ok())
            .map_or_else(|| DEFAULT_PROFILE.to_owned(), |args| args.profile);
        Settings {
            matches: leaf.clone(),
            profile,
            config: OnceCell::new(),
        }
    }

    /// The profile whose defaults and stored tokens the command uses.
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// `given` (from its flag or environment variable), or else the profile's value in the
    /// config file.
    pub fn or_config(
        &self,
        given: Option<String>,
        field: fn(ProfileConfig) -> Option<String>,
    ) -> Result<Option<String>> {
        match given {
            Some(value) => Ok(Some(value)),
            None => self.config().map(|config| field(config.clone())),
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
        Ok((http::url::endpoint(&source, &url)?, source))
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
        let from_environment = match self.matches.try_contains_id(setting.id) {
            Ok(present) => {
                present && self.matches.value_source(setting.id) == Some(ValueSource::EnvVariable)
            }
            Err(_) => true,
        };
        match (given, from_environment) {
            (true, false) => setting.flag.to_owned(),
            (true, true) => setting.env_var.to_owned(),
            (false, _) => self.config_key(setting.key),
        }
    }

    /// `problem`, which the library names by `setting`'s config key (`client_id: ...`),
    /// named instead by where the value came from (see [`Settings::source`]).
    pub fn blame(&self, setting: &Setting, given: bool, problem: &str) -> String {
        let problem = problem
            .strip_prefix(setting.key)
            .and_then(|rest| rest.strip_prefix(": "))
            .unwrap_or(problem);
        format!("{}: {problem}", self.source(setting, given))
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

    /// Where the profile's scopes are read, for a report on them: the key in the config
    /// file, or the file's absence.
    pub fn scopes_source(&self) -> String {
        match dir().map(|dir| dir.join(config::CONFIG_FILE)) {
            Ok(path) if !path.exists() => {
                format!("a config file (there is none at {})", path.display())
            }
            _ => self.config_key("scopes"),
        }
    }

    /// The profile's `scopes` in the config file, as written; none without the key.
    pub fn scopes(&self) -> Result<Vec<String>> {
        self.config()
            .map(|config| config.scopes.clone().unwrap_or_default())
    }

    /// The profile's defaults, from the config file read the first time they are needed.
    fn config(&self) -> Result<&ProfileConfig> {
        let loaded = self.config.get_or_init(|| {
            let config = Config::load(&dir()?)?;
            Ok(config.profile(&self.profile))
        });
        loaded.as_ref().map_err(|e| match e {
            Error::Invalid(problems) => Error::Invalid(problems.clone()),
            other => Error::Unavailable(other.to_string()),
        })
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

/// The flag that sets `setting`, as the library names a value it found unusable (not this
/// file's [`Setting`]): none of these has a variable or a config key.
pub fn flag(setting: kenar_chat::Setting) -> &'static str {
    match setting {
        kenar_chat::Setting::SandboxPort => "--port",
        kenar_chat::Setting::SandboxData => "--data",
        kenar_chat::Setting::Resolve => "--resolve",
        kenar_chat::Setting::ReceiverPort => "--port",
        kenar_chat::Setting::ReceiverAddress => "--bind",
    }
}
