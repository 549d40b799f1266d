//! The profile a command works for (`--profile`), and the config directory that holds its
//! defaults (read by [`crate::cli::settings`]) and its stored tokens.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use kenar_chat::auth::store::{self, CredentialStore, StoreLock};
use kenar_chat::config::{self, DEFAULT_PROFILE};
use kenar_chat::secret;
use kenar_chat::{Error, Result};

use crate::cli::output;

#[derive(Debug, Clone, Args)]
pub struct ProfileArgs {
    /// The profile whose config-file defaults and stored tokens to use
    #[arg(long, env = "KENAR_PROFILE", value_name = "NAME", default_value = DEFAULT_PROFILE)]
    pub profile: String,
}

/// The config directory: `KENAR_CONFIG_DIR`, or `kenar-chat` under the user's.
pub fn dir() -> Result<PathBuf> {
    match std::env::var_os("KENAR_CONFIG_DIR") {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => config::default_dir()
            .map_err(|problem| Error::invalid(format!("{problem}; set KENAR_CONFIG_DIR"))),
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
    let lock = StoreLock::acquire(&dir, |path| output::note(&store::waiting_for(path)))
        .with_context(|| format!("locking the credentials file in {}", dir.display()))?;
    Ok((lock, CredentialStore::open(&dir)?))
}

/// Writes the stored tokens back.
pub fn save(store: &CredentialStore) -> anyhow::Result<()> {
    store
        .save()
        .with_context(|| format!("writing the credentials file {}", store.path().display()))
}
