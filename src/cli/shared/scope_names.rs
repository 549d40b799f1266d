//! Scope names typed by hand (`--scope`, the profile's `scopes` in the config file),
//! checked against Divar's catalogue before anything is built or sent.

use kenar_chat::scope::Scope;
use kenar_chat::scope_catalogue::{self, Check};
use kenar_chat::{Error, error};

use crate::cli::output;
use crate::cli::settings::Settings;

/// The scope `written` by `source` (a flag or a config key): a near miss of a known name
/// is refused with the name it probably meant; an unknown one is taken with a warning.
pub fn typed(written: &str, source: &str) -> Result<Scope, Error> {
    let (scope, warning) = checked(written).map_err(|e| e.prefixed(&format!("{source}: ")))?;
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
        scopes.extend(error::gather(typed(scope, &source), &mut problems)?);
    }
    error::valid(scopes, problems)
}

/// `written` as a scope, checked against the catalogue: a near miss of a known name is
/// refused, naming the command that lists them; a name far from every known one is taken,
/// with a warning to show (Divar adds scopes) that names the command listing Divar's own.
fn checked(written: &str) -> Result<(Scope, Option<String>), Error> {
    let scope = Scope::raw(written)?;
    match scope_catalogue::check(written) {
        Check::Known(_) => Ok((scope, None)),
        Check::NearMiss { meant, why } => Err(Error::invalid(format!(
            "scope {written:?} is not one Divar knows: did you mean {meant}? ({why}; \
             `kenar-chat scope list` lists them)"
        ))),
        Check::Unknown => Ok((
            scope,
            Some(format!(
                "scope {written:?} is not in kenar-chat's catalogue of Divar's scopes; it is \
                 asked for as written (`kenar-chat scope list --live` shows Divar's own list)"
            )),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn far_names_pass_with_a_warning_and_near_misses_are_refused() {
        let (scope, warning) = checked("BRAND_NEW_THING").unwrap();
        assert_eq!(scope.to_string(), "BRAND_NEW_THING");
        assert!(warning.unwrap().contains("not in kenar-chat's catalogue"));
        let err = checked("OFFLINE_ACCESS").unwrap_err().to_string();
        assert!(err.contains("did you mean offline_access?"), "{err}");
    }
}
