//! `--platform`: which generation of Divar's API a command speaks, for the commands whose
//! IDs do not decide it. Flatten [`PlatformArgs`] into a command and call
//! [`PlatformArgs::resolve`].

use clap::Args;
use kenar_chat::Error;
use kenar_chat::platform::Platform;

use crate::cli::settings::{PLATFORM, Settings};

#[derive(Debug, Clone, Args)]
pub struct PlatformArgs {
    /// Which generation of Divar's API: legacy (the seed document's) or current (since
    /// 2025-04-27) [default: legacy]
    #[arg(long, env = "KENAR_PLATFORM", value_name = "legacy|current")]
    pub platform: Option<String>,
}

impl PlatformArgs {
    /// The platform from `--platform`, `KENAR_PLATFORM` or the profile's `platform` key,
    /// else legacy; a wrong value is an error that names where it came from.
    pub fn resolve(&self, settings: &Settings) -> Result<Platform, Error> {
        let given = self.platform.is_some();
        match settings.or_config(self.platform.clone(), |c| c.platform)? {
            None => Ok(Platform::default()),
            Some(value) => value.parse().map_err(|problem| {
                Error::invalid(format!("{}: {problem}", settings.source(&PLATFORM, given)))
            }),
        }
    }
}
