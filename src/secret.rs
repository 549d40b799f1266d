//! A string that must never be printed by accident: API keys, access tokens, client secrets;
//! and masking them in what a server answers.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::{input, visible};

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

    /// Checks that the secret can travel in an HTTP header as a token does (an API key, an
    /// access token): visible ASCII only. The error names the secret (`what`), never its
    /// value.
    pub fn check_header_safe(&self, what: &str) -> Result<()> {
        self.check_header(what, false)
    }

    /// Checks that the secret can be a whole header's value as it is (an identification
    /// key, which Divar sends as the whole `Authorization`): visible ASCII, with spaces and
    /// tabs inside (RFC 9110 section 5.5), but not at either end, where HTTP drops them.
    pub fn check_header_value(&self, what: &str) -> Result<()> {
        self.check_header(what, true)
    }

    fn check_header(&self, what: &str, blanks_inside: bool) -> Result<()> {
        let bytes = self.0.as_bytes();
        let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
            return Err(Error::invalid(format!("{what}: must not be empty")));
        };
        let blank = |b: &u8| blanks_inside && matches!(b, b' ' | b'\t');
        if !bytes.iter().all(|b| b.is_ascii_graphic() || blank(b)) {
            let which = if blanks_inside {
                "a control or non-ASCII character"
            } else {
                "a space, control or non-ASCII character"
            };
            return Err(Error::invalid(format!(
                "{what}: contains {which}, which cannot be sent in an HTTP header"
            )));
        }
        if blank(first) || blank(last) {
            return Err(Error::invalid(format!(
                "{what}: begins or ends with a space or tab, which HTTP drops from a header"
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

/// Secrets shorter than this are masked only where they stand as a whole word: a key `0`
/// or a token `t` would otherwise turn `200` into `2***` and `Connection` into `C***nnec***`.
const WHOLE_WORD_BELOW: usize = 8;

/// The secrets of a request, every way a server may spell them back, masked together in
/// text that is shown (errors, logs, printed answers). What is read from an answer is read
/// as it came: masking only ever touches what a person sees. `Debug` shows how many.
#[derive(Clone, Default)]
pub struct Secrets(Arc<[Spelling]>);

/// One way an answer may spell a secret.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Spelling {
    form: Form,
    /// Masked only where it stands as a whole word (the secret is short).
    whole_word: bool,
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Form {
    /// These characters as they are: a JSON-escaped secret.
    Exact(String),
    /// These bytes, each as it is or percent-encoded (any case, any mix: a server or a
    /// proxy may encode only the characters its part of a URL cannot hold), a space also
    /// as form-encoding's `+`, the two base64 alphabets' `+`/`-` and `/`/`_` alike, and
    /// trailing `=` padding optional.
    Loose(Vec<u8>),
}

impl Secrets {
    /// Every spelling of every one of `secrets` (empty ones aside).
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a SecretString>) -> Self {
        let mut found: Vec<Spelling> = secrets
            .into_iter()
            .map(SecretString::expose)
            .filter(|secret| !secret.is_empty())
            .flat_map(|secret| {
                let whole_word = secret.chars().count() < WHOLE_WORD_BELOW;
                spellings(secret)
                    .into_iter()
                    .map(move |form| Spelling { form, whole_word })
            })
            .collect();
        // Of two equal spellings, the one masked everywhere is kept.
        found.sort();
        found.dedup_by(|later, kept| later.form == kept.form);
        Secrets(found.into())
    }

    /// `text` with every secret masked as [`SecretString::MASK`], however it is spelled:
    /// as it is, percent-encoded in whole or in part, form-encoded, in either base64
    /// alphabet, base64-encoded, or JSON-escaped; and when `text` is JSON, inside its
    /// strings however they escape it (then the JSON is written anew, compactly).
    pub fn mask<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.0.is_empty() {
            return Cow::Borrowed(text);
        }
        let masked = self.mask_spellings(text);
        if let Ok(json) = serde_json::from_str::<Value>(&masked) {
            let shown = self.mask_json(&json);
            if shown != json {
                return Cow::Owned(shown.to_string());
            }
        }
        masked
    }

    /// `text` masked, then quoted for an error message (short, and inert on a terminal):
    /// masking first, so that a secret cut short by the quote is still masked whole.
    pub fn quoted(&self, text: &str) -> String {
        visible::quote(self.mask(text).as_bytes())
    }

    /// `json` with the secrets masked in every string and every key.
    pub fn mask_json(&self, json: &Value) -> Value {
        match json {
            Value::String(text) => Value::String(self.mask_spellings(text).into_owned()),
            Value::Array(items) => items.iter().map(|item| self.mask_json(item)).collect(),
            Value::Object(fields) => fields
                .iter()
                .map(|(key, value)| (self.mask_spellings(key).into_owned(), self.mask_json(value)))
                .collect(),
            other => other.clone(),
        }
    }

    /// One pass over `text`, masking at each place the longest spelling found there, so
    /// that a secret that begins another never leaves the longer one's tail in sight.
    fn mask_spellings<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut out = String::new();
        let mut copied = 0;
        let mut at = 0;
        while let Some(rest) = text.get(at..).filter(|rest| !rest.is_empty()) {
            let end = self
                .0
                .iter()
                .filter_map(|spelling| {
                    let end = spelling.form.end_of_match(text, at)?;
                    let stands_alone = !text[..at].chars().next_back().is_some_and(in_word)
                        && !text[end..].chars().next().is_some_and(in_word);
                    (!spelling.whole_word || stands_alone).then_some(end)
                })
                .max();
            match end {
                Some(end) => {
                    out.push_str(&text[copied..at]);
                    out.push_str(SecretString::MASK);
                    at = end;
                    copied = at;
                }
                None => at += rest.chars().next().map_or(1, char::len_utf8),
            }
        }
        if copied == 0 {
            return Cow::Borrowed(text);
        }
        out.push_str(&text[copied..]);
        Cow::Owned(out)
    }
}

impl Form {
    /// Where a match of this spelling that starts at `at` in `text` ends, if there is one
    /// (ending between two characters, never inside one).
    fn end_of_match(&self, text: &str, at: usize) -> Option<usize> {
        let end = match self {
            Form::Exact(spelled) => text[at..]
                .starts_with(spelled.as_str())
                .then(|| at + spelled.len())?,
            Form::Loose(bytes) => loose_match(text.as_bytes(), at, bytes)?,
        };
        (end > at && text.is_char_boundary(end)).then_some(end)
    }
}

/// Where `wanted` ends when it is spelled at `at` in `text` as [`Form::Loose`] allows.
fn loose_match(text: &[u8], mut at: usize, wanted: &[u8]) -> Option<usize> {
    for (index, &byte) in wanted.iter().enumerate() {
        let same = decoded_at(text, at).filter(|&(found, width)| {
            found == byte
                || (byte == b' ' && width == 1 && found == b'+')
                || matches!(
                    (found, byte),
                    (b'+', b'-') | (b'-', b'+') | (b'/', b'_') | (b'_', b'/')
                )
        });
        match same {
            Some((_, width)) => at += width,
            // base64's padding may be left off, at the end of the text too.
            None => return wanted[index..].iter().all(|&b| b == b'=').then_some(at),
        }
    }
    Some(at)
}

/// The byte at `at` in `text` and how many bytes spell it: three for `%XX`, else one.
fn decoded_at(text: &[u8], at: usize) -> Option<(u8, usize)> {
    let byte = *text.get(at)?;
    let hex = |b: u8| char::from(b).to_digit(16);
    if byte == b'%'
        && let (Some(high), Some(low)) = (
            text.get(at + 1).copied().and_then(hex),
            text.get(at + 2).copied().and_then(hex),
        )
    {
        return u8::try_from(high * 16 + low)
            .ok()
            .map(|decoded| (decoded, 3));
    }
    Some((byte, 1))
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets({} spellings)", self.0.len())
    }
}

/// Whether `c` continues a word (a token's characters), for short secrets.
fn in_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '~')
}

/// The ways an answer may spell `secret` back: its bytes, and those its own `%XX` stand
/// for, and its base64, each loosely (see [`Form::Loose`]); and JSON-escaped, with `/`
/// escaped or not.
fn spellings(secret: &str) -> Vec<Form> {
    use base64::Engine as _;
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json.trim_matches('"').to_owned();
    let decoded: Vec<u8> = percent_encoding::percent_decode_str(secret).collect();
    vec![
        Form::Loose(secret.as_bytes().to_vec()),
        Form::Loose(decoded),
        Form::Loose(
            base64::engine::general_purpose::STANDARD
                .encode(secret)
                .into_bytes(),
        ),
        Form::Exact(json.replace('/', "\\/")),
        Form::Exact(json),
    ]
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
        for bad in ["", "a b", "a\nb", "kéy", "a\u{7f}"] {
            let err = SecretString::new(bad).check_header_safe("key").unwrap_err();
            assert!(err.to_string().starts_with("key: "), "{err}");
            assert!(bad.is_empty() || !err.to_string().contains(bad), "{err}");
        }
    }

    #[test]
    fn a_whole_header_value_holds_spaces_inside_only() {
        for good in ["a-b_c.1~", "a b", "the key\tset in the panel"] {
            assert!(SecretString::new(good).check_header_value("key").is_ok());
        }
        for bad in ["", "k1\nk2", "kéy", " k1", "k1\t", "k1\u{7f}"] {
            let err = SecretString::new(bad)
                .check_header_value("key")
                .unwrap_err();
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

    fn secrets(values: &[&str]) -> Secrets {
        let values: Vec<SecretString> = values.iter().map(|v| SecretString::new(*v)).collect();
        Secrets::new(&values)
    }

    #[test]
    fn every_spelling_is_masked() {
        let secrets = secrets(&["key/1", r#"t+k=~!/\"q"#]);
        for echoed in [
            "key/1",
            r#"{"message":"key\/1 and key\u002F1"}"#,
            r#"{"message":"t+k=~!\/\\\"q"}"#,
            "code=t%2Bk%3D%7E%21%2F%5C%22q&x=1",
            "code=t%2bk%3d%7e%21%2f%5c%22q",
            "key%2F1",
            "key%2f1",
            "t%2Bk%3D%7E%21%2F%5C%22q",
        ] {
            let shown = secrets.mask(echoed);
            assert!(
                !shown.contains("key/1") && !shown.contains("key%2") && !shown.contains("t+k"),
                "{echoed} -> {shown}"
            );
            assert!(shown.contains("***"), "{echoed} -> {shown}");
            if let Ok(json) = serde_json::from_str::<Value>(&shown) {
                let text = json.to_string();
                assert!(
                    !text.contains("key/1") && !text.contains("t+k=~!"),
                    "{text}"
                );
            }
        }
        assert_eq!(
            secrets.mask_json(&serde_json::json!({"key/1": ["a key/1 b", 1]})),
            serde_json::json!({"***": ["a *** b", 1]})
        );
    }

    #[test]
    fn partly_encoded_and_base64_spellings_are_masked() {
        // The hostile tester's: only what a URL path cannot hold is percent-encoded.
        let secrets = secrets(&[r#"Ab+/=&"\x"#, "tok<en>+x{1}"]);
        assert_eq!(
            secrets.mask("t=tok%3Cen%3E+x%7B1%7D k=Ab+/=&%22%5Cx"),
            "t=*** k=***"
        );
        assert_eq!(
            secrets.mask("Ab%2B/%3d&%22%5cx|tok%3cen>+x%7b1}"),
            "***|***"
        );
        // A space form-encoded.
        assert_eq!(
            self::secrets(&["two words here"]).mask("q=two+words%20here"),
            "q=***"
        );
        // A base64 token in the other alphabet, with or without its padding, and a secret
        // sent base64-encoded, in either alphabet.
        let base64 = self::secrets(&["a+b/c9d+e/f0g==", "p?>~q?>w"]);
        assert_eq!(base64.mask("cD8-fnE_Pnc"), "***");
        for echoed in [
            "a-b_c9d-e_f0g==",
            "a-b_c9d-e_f0g",
            "a%2Bb%2fc9d+e/f0g%3D%3D",
            "cD8+fnE/Pnc=",
            "cD8-fnE_Pnc",
        ] {
            assert_eq!(base64.mask(&format!("[{echoed}]")), "[***]", "{echoed}");
        }
        // A secret that holds %XX, echoed decoded, or encoded once more.
        let encoded = self::secrets(&["key%2F123%41bc"]);
        for echoed in ["key/123Abc", "key%2F123%41bc", "key%252F123%2541bc"] {
            assert_eq!(encoded.mask(echoed), "***", "{echoed}");
        }
        // Near misses stay as they are, and a match never ends inside a character.
        assert_eq!(base64.mask("a+b/c9d+e/f0X"), "a+b/c9d+e/f0X");
        let accented = self::secrets(&["abcdefgh%C3"]);
        assert_eq!(accented.mask("abcdefghé"), "abcdefghé");
    }

    #[test]
    fn a_secret_that_begins_another_leaves_no_tail() {
        // Given either way round, the longer is masked whole.
        for given in [["abcdefgh", "abcdefgh12345"], ["abcdefgh12345", "abcdefgh"]] {
            let secrets = secrets(&given);
            assert_eq!(
                secrets.mask("x abcdefgh12345 y abcdefgh z"),
                "x *** y *** z"
            );
            assert_eq!(secrets.mask("abcdefgh12345%2F"), "***%2F");
        }
    }

    #[test]
    fn short_secrets_are_masked_as_whole_words_only() {
        let secrets = secrets(&["0", "t"]);
        assert_eq!(secrets.mask(r#"{"status":200}"#), r#"{"status":200}"#);
        assert_eq!(secrets.mask("Connection refused"), "Connection refused");
        assert_eq!(secrets.mask("1.0 t-shirt"), "1.0 t-shirt");
        assert_eq!(secrets.mask(r#"{"token":"t"}"#), r#"{"token":"***"}"#);
        assert_eq!(secrets.mask("key=0&token=t"), "key=***&token=***");
        assert_eq!(secrets.mask("t"), "***");
        // Long secrets are masked wherever they stand.
        let long = self::secrets(&["tok12345"]);
        assert_eq!(long.mask("xtok12345y"), "x***y");
    }

    #[test]
    fn what_has_no_secret_is_left_as_it_is() {
        let text = "{ \"spaced\" : 1 }";
        assert!(matches!(secrets(&["abcdefgh"]).mask(text), Cow::Borrowed(t) if t == text));
        assert!(matches!(Secrets::default().mask(text), Cow::Borrowed(_)));
        let debug = format!("{:?}", secrets(&["abcdefgh"]));
        assert!(!debug.contains("abcdefgh"), "{debug}");
    }
}
