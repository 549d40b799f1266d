//! A string that must never be printed by accident: API keys, access tokens, client secrets.

use std::fmt;
use std::path::Path;

use crate::error::{Error, Result};

/// A secret value. `Debug` and `Display` print `***`; the value itself is only reachable
/// through [`SecretString::expose`], so every place that reveals it is explicit.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    pub const MASK: &'static str = "***";

    pub fn new(value: impl Into<String>) -> Self {
        SecretString(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Reads a secret from a file: one trailing newline is trimmed, and an empty secret
    /// is an error. `what` names the secret in errors.
    pub fn from_file(path: &Path, what: &str) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::invalid(format!("{what} file {}: cannot read: {e}", path.display()))
        })?;
        let value = text
            .strip_suffix('\n')
            .map(|t| t.strip_suffix('\r').unwrap_or(t))
            .unwrap_or(&text);
        if value.is_empty() {
            return Err(Error::invalid(format!(
                "{what} file {}: is empty",
                path.display()
            )));
        }
        Ok(SecretString::new(value))
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MASK)
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MASK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_value() {
        let secret = SecretString::new("hunter2");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some(***)");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn files_lose_one_trailing_newline_and_must_not_be_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, "abc\r\n").unwrap();
        assert_eq!(
            SecretString::from_file(&path, "API key").unwrap().expose(),
            "abc"
        );
        std::fs::write(&path, "\n").unwrap();
        let err = SecretString::from_file(&path, "API key").unwrap_err();
        assert!(err.to_string().ends_with("is empty"), "{err}");
    }
}
