//! Scope names typed by hand (`--scope`, the profile's `scopes` in the config file),
//! checked against Divar's catalogue before anything is built or sent.

use kenar_chat::scope::Scope;
use kenar_chat::{Error, scope_catalogue};

use crate::cli::output;
use crate::cli::settings::Settings;

/// The scope `written` by `source` (a flag or a config key): a near miss of a known name
/// is refused with the name it probably meant; an unknown one is taken with a warning.
pub fn typed(written: &str, source: &str) -> Result<Scope, Error> {
    let (scope, warning) =
        scope_catalogue::typed(written).map_err(|e| e.prefixed(&format!("{source}: ")))?;
    if let Some(warning) = warning {
        output::note(&format!("warning: {source}: {warning}"));
    }
    Ok(scope)
}

/// The profile's `scopes` in the config file, each checked; every problem at once.
pub fn configured(settings: &Settings) -> Result<Vec<Scope>, Error> {
    let written = settings.scopes()?;
    let source = settings.config_key("scopes");
    let mut problems = Vec::new();
    let mut scopes = Vec::new();
    for scope in &written {
        scopes.extend(kenar_chat::error::gather(
            typed(scope, &source),
            &mut problems,
        )?);
    }
    kenar_chat::error::valid(scopes, problems)
}
