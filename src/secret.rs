//! A string that must never be printed by accident: API keys, access tokens, client secrets;
//! and masking them in what a server answers.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::input;

/// A secret value. `Debug` and `Display` print `***`; the value itself is only reachable
/// through [`SecretString::expose`], so every place that reveals it is explicit. It can be
/// read from JSON or TOML, but writing it needs an explicit `expose`. Copies share one
/// value: every request of a batch carries the same key.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(Arc<str>);

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SecretString::new)
    }
}

impl SecretString {
    pub const MASK: &'static str = "***";

    pub fn new(value: impl Into<String>) -> Self {
        SecretString(Arc::from(value.into()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The value when `reveal` is set (the user asked for it), else [`Self::MASK`].
    pub fn shown(&self, reveal: bool) -> &str {
        if reveal { self.expose() } else { Self::MASK }
    }

    /// Reads a secret from a file (bounded, like all input): one trailing newline is
    /// trimmed, and an empty secret is an error. `what` names the secret in errors.
    pub fn from_file(path: &Path, what: &str) -> Result<Self> {
        let source = format!("{what} file {}", path.display());
        let file = std::fs::File::open(path)
            .map_err(|e| Error::invalid(format!("{source}: cannot read: {e}")))?;
        let value = input::read_text_from(file, &source)?;
        if value.is_empty() {
            return Err(Error::invalid(format!("{source}: is empty")));
        }
        Ok(SecretString::new(value))
    }

    /// Checks that the secret can travel in an HTTP header: visible ASCII only. The error
    /// names the secret (`what`), never its value.
    pub fn check_header_safe(&self, what: &str) -> Result<()> {
        if self.0.is_empty() {
            return Err(Error::invalid(format!("{what}: must not be empty")));
        }
        if !self.0.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid(format!(
                "{what}: contains a space, control or non-ASCII character, which cannot be \
                 sent in an HTTP header"
            )));
        }
        Ok(())
    }
}

/// A warning when a secret file can be read by other local users (Unix group or others
/// permission bits), or `None`. The secret is still used: the warning asks for a chmod.
/// Only a regular file is at stake: the mode of a pipe, a device or a directory says
/// nothing about who can read a secret kept in it.
pub fn exposure_warning(path: &Path, what: &str) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let metadata = std::fs::metadata(path).ok()?;
        let mode = metadata.permissions().mode();
        (metadata.is_file() && mode & 0o077 != 0).then(|| {
            format!(
                "{what} file {} can be read by other users (mode {:o}); \
                 restrict it with chmod 600",
                path.display(),
                mode & 0o777
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = (path, what);
        None
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

/// `bytes` (an answer) with every one of `secrets` replaced by [`SecretString::MASK`],
/// however the answer spells it back: as it is, form- or percent-encoded, or inside JSON
/// strings however they escape it. Untouched answers stay byte for byte as received.
pub fn redact(bytes: Vec<u8>, secrets: &[&str]) -> Vec<u8> {
    let mut text = String::from_utf8_lossy(&bytes);
    let mut redacted = false;
    for spelling in secrets.iter().flat_map(|secret| spellings(secret)) {
        if text.contains(&spelling) {
            text = Cow::Owned(text.replace(&spelling, SecretString::MASK));
            redacted = true;
        }
    }
    if let Ok(mut json) = serde_json::from_str::<Value>(&text)
        && mask_strings(&mut json, secrets)
    {
        text = Cow::Owned(json.to_string());
        redacted = true;
    }
    if redacted {
        text.into_owned().into_bytes()
    } else {
        bytes
    }
}

/// The ways an answer may spell `secret` back: as it is, form-encoded, percent-encoded
/// (upper- and lower-case hex), and JSON-escaped (with `/` escaped or not).
fn spellings(secret: &str) -> Vec<String> {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let percent = utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string();
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json.trim_matches('"').to_owned();
    let mut found = vec![
        secret.to_owned(),
        url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
        percent.to_ascii_lowercase(),
        json.replace('/', "\\/"),
        percent,
        json,
    ];
    // Longest first, so that a spelling is masked whole before a part of it could be.
    found.sort_by_key(|spelling| std::cmp::Reverse(spelling.len()));
    found.dedup();
    found
}

/// Masks `secrets` in every string (keys too) of `json`; whether any was found.
fn mask_strings(json: &mut Value, secrets: &[&str]) -> bool {
    let mask = |text: &mut String| {
        let mut found = false;
        for secret in secrets {
            if text.contains(secret) {
                *text = text.replace(secret, SecretString::MASK);
                found = true;
            }
        }
        found
    };
    match json {
        Value::String(text) => mask(text),
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |found, item| mask_strings(item, secrets) | found),
        Value::Object(fields) => {
            let mut found = false;
            let entries: Vec<(String, Value)> = std::mem::take(fields).into_iter().collect();
            for (mut key, mut value) in entries {
                found |= mask(&mut key);
                found |= mask_strings(&mut value, secrets);
                fields.insert(key, value);
            }
            found
        }
        _ => false,
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
        assert_eq!(secret.shown(false), "***");
        assert_eq!(secret.shown(true), "hunter2");
    }

    #[test]
    fn only_visible_ascii_goes_in_a_header() {
        assert!(
            SecretString::new("a-b_c.1~")
                .check_header_safe("key")
                .is_ok()
        );
        for bad in ["", "a b", "a\nb", "kéy"] {
            let err = SecretString::new(bad).check_header_safe("key").unwrap_err();
            assert!(err.to_string().starts_with("key: "), "{err}");
            assert!(bad.is_empty() || !err.to_string().contains(bad), "{err}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn files_others_can_read_are_named() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, "abc").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(exposure_warning(&path, "API key"), None);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let warning = exposure_warning(&path, "API key").unwrap();
        assert!(warning.contains("mode 640"), "{warning}");
        assert_eq!(exposure_warning(dir.path(), "API key"), None);
        assert_eq!(exposure_warning(Path::new("/dev/null"), "API key"), None);
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
