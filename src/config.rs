//! The config directory, and the config file in it: per-profile defaults for values that
//! are otherwise given by flag or environment variable (which beat the file).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use etcetera::BaseStrategy as _;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::input;

/// The config file's name inside the config directory.
pub const CONFIG_FILE: &str = "config.toml";
/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";

/// `kenar-chat` under the user's config directory (`$XDG_CONFIG_HOME` or `~/.config` on
/// Linux and macOS, `%APPDATA%` on Windows); else why there is none, for the caller to say
/// how to name one.
pub fn default_dir() -> std::result::Result<PathBuf, String> {
    etcetera::choose_base_strategy()
        .map(|base| base.config_dir().join("kenar-chat"))
        .map_err(|e| format!("cannot find the user's config directory ({e})"))
}

/// The config file: `[profiles.NAME]` tables of defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileConfig>,
}

/// One profile's defaults; each is used only when neither its flag nor its environment
/// variable is given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// The API's base URL (`--base-url`).
    pub api_url: Option<String>,
    /// The authorization endpoint (`--auth-url`).
    pub auth_url: Option<String>,
    /// The app's slug (`--client-id`).
    pub client_id: Option<String>,
    /// The redirect URI (`--redirect-uri`).
    pub redirect_uri: Option<String>,
    /// Which generation of the API (`--platform`): `legacy` or `current`.
    pub platform: Option<String>,
    /// The current platform's token endpoint (`--token-url`).
    pub token_url: Option<String>,
    /// Divar's chat upload host, for media messages (`--upload-url`).
    pub upload_url: Option<String>,
    /// The scopes `oauth-url`, `oauth login` and `oauth token` ask for when no scope flag
    /// is given, each as written.
    pub scopes: Option<Vec<String>>,
}

impl Config {
    /// Reads the config file in `dir`; a missing file sets no defaults.
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join(CONFIG_FILE);
        let Some(bytes) = input::read_if_present(&path)? else {
            return Ok(Config::default());
        };
        let source = format!("config file {}", path.display());
        let text = std::str::from_utf8(&bytes).map_err(|e| input::not_utf8(&source, &e))?;
        toml::from_str(text)
            .map_err(|e| Error::invalid(format!("{source}: {e}").trim_end().to_owned()))
    }

    /// The defaults of `profile`; none when the file does not name it.
    pub fn profile(&self, profile: &str) -> ProfileConfig {
        self.profiles.get(profile).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_profiles_and_names_the_faulty_line() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Config::load(dir.path()).unwrap().profile("x"),
            ProfileConfig::default()
        );
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(
            &path,
            "[profiles.default]\nclient_id = \"my-app\"\n\n[profiles.staging]\napi_url = \"http://127.0.0.1:1\"\n",
        )
        .unwrap();
        let config = Config::load(dir.path()).unwrap();
        assert_eq!(
            config.profile("default").client_id.as_deref(),
            Some("my-app")
        );
        assert_eq!(
            config.profile("staging").api_url.as_deref(),
            Some("http://127.0.0.1:1")
        );
        std::fs::write(&path, "[profiles.default]\nclient = \"my-app\"\n").unwrap();
        let err = Config::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("client"), "{err}");
    }
}
