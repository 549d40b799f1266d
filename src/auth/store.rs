//! The credentials file: access tokens kept between runs, by profile and by the scopes they
//! carry. It holds secrets, so it is private to the user (0600 on Unix) and replaced
//! atomically; a file that cannot be read is reported, never overwritten.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize, Serializer};

use crate::auth::token::Token;
use crate::error::{Error, Result};
use crate::input;
use crate::scope::{Recipient, Scope};
use crate::secret::SecretString;

/// The credentials file's name inside the config directory.
pub const CREDENTIALS_FILE: &str = "credentials.json";
/// The lock file beside it. The credentials file itself cannot be locked, since each write
/// replaces it with a new file.
pub const LOCK_FILE: &str = "credentials.lock";

/// One stored token and the scopes the user granted with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredToken {
    /// Scope strings, as the token endpoint said it granted them, or else as asked for in
    /// the authorization URL.
    pub scopes: Vec<String>,
    #[serde(serialize_with = "expose")]
    pub access_token: SecretString,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "expose_some"
    )]
    pub refresh_token: Option<SecretString>,
    /// When the access token stops working, in Unix seconds.
    pub expires: u64,
    /// The redirect URI the code was sent to, on the current platform: a refresh must send
    /// it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
}

impl StoredToken {
    /// The token to keep: its scopes are those the answer says were granted, or else those
    /// `asked` for.
    pub fn new(asked: &[Scope], token: Token, redirect_uri: Option<String>) -> Self {
        StoredToken {
            scopes: match token.scopes {
                Some(granted) => granted,
                None => asked.iter().map(Scope::to_string).collect(),
            },
            access_token: token.access_token,
            refresh_token: token.refresh_token,
            expires: token.expires,
            redirect_uri,
        }
    }

    /// The token after a refresh: the new access token, the new refresh token or, when the
    /// answer brings none, the old one (RFC 6749 section 6: rotating it is the server's
    /// choice), the scopes the answer names or else the same ones, the same redirect URI.
    pub fn renewed(&self, token: Token) -> Self {
        StoredToken {
            scopes: token.scopes.unwrap_or_else(|| self.scopes.clone()),
            access_token: token.access_token,
            refresh_token: token.refresh_token.or_else(|| self.refresh_token.clone()),
            expires: token.expires,
            redirect_uri: self.redirect_uri.clone(),
        }
    }

    /// Whether it can be refreshed: it has a refresh token and the redirect URI it was
    /// granted on, which only the current platform's exchange keeps.
    pub fn can_refresh(&self) -> bool {
        self.refresh_token.is_some() && self.redirect_uri.is_some()
    }

    pub fn is_expired(&self, now: u64) -> bool {
        self.expires <= now
    }

    /// How closely the token's scopes cover `to` (see [`Scope::covers`]): the closest of
    /// them, `None` when none allows sending there.
    pub fn covers(&self, to: &Recipient) -> Option<u8> {
        self.scopes
            .iter()
            .filter_map(|scope| Scope::decode(scope).ok())
            .filter_map(|scope| scope.covers(to))
            .min()
    }

    /// Why the token cannot be sent: one of its secrets could not travel in an HTTP header.
    /// `None` for a token that can.
    pub fn unusable(&self) -> Option<Error> {
        std::iter::once(("access_token", &self.access_token))
            .chain(self.refresh_token.iter().map(|t| ("refresh_token", t)))
            .find_map(|(field, secret)| secret.check_header_safe(field).err())
    }

    /// Whether the token carries exactly these scopes, in any order.
    /// `offline_access` does not count: it grants a refresh token, not a place to send,
    /// so `--conversation C` names the token of `C` whether it came with one or not.
    pub fn has_scopes(&self, scopes: &[String]) -> bool {
        let sending = |scopes: &[String]| {
            let mut scopes: Vec<String> = scopes
                .iter()
                .filter(|scope| *scope != crate::scope::OFFLINE_ACCESS)
                .cloned()
                .collect();
            scopes.sort();
            scopes.dedup();
            scopes
        };
        sending(&self.scopes) == sending(scopes)
    }
}

/// The outcome of looking for a token that may send in a chat.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The unexpired covering token that lasts longest.
    Usable(&'a StoredToken),
    /// Covering tokens exist, but all have expired; this one expired last.
    Expired(&'a StoredToken),
    Missing,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Contents {
    #[serde(default)]
    profiles: BTreeMap<String, Vec<StoredToken>>,
}

/// The credentials file, read into memory; changes reach the disk with [`Self::save`].
#[derive(Debug)]
pub struct CredentialStore {
    path: PathBuf,
    contents: Contents,
}

impl CredentialStore {
    /// Reads the credentials file in `dir`; a missing file is an empty store.
    pub fn open(dir: &Path) -> Result<Self> {
        let path = dir.join(CREDENTIALS_FILE);
        let contents = match input::read_if_present(&path)? {
            None => Contents::default(),
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::invalid(format!(
                    "credentials file {}: cannot be read ({e}); it was left as it is: repair it, \
                     or move it away to start with no stored tokens",
                    path.display()
                ))
            })?,
        };
        Ok(CredentialStore { path, contents })
    }

    /// The tokens of `profile`, to send with: refused when one of them could not travel in
    /// an HTTP header, as a flag holding one would be, better said now, naming the token and
    /// the file, than when a request is sent. Listing and removing them still works.
    pub fn usable_tokens(&self, profile: &str) -> Result<&[StoredToken]> {
        let tokens = self.tokens(profile);
        let problems = tokens
            .iter()
            .filter_map(|token| {
                let problem = token.unusable()?;
                Some(format!(
                    "credentials file {}: the token of profile {profile:?} for {}: {problem}; \
                     the file was left as it is: repair that token, or remove it with \
                     `kenar-chat oauth forget`, then log in again if needed",
                    self.path.display(),
                    describe_scopes(&token.scopes)
                ))
            })
            .collect();
        crate::error::valid(tokens, problems)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The directory the file is in, where its lock is.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// Every stored token with its profile, profiles in name order.
    pub fn all(&self) -> impl Iterator<Item = (&str, &StoredToken)> {
        self.contents
            .profiles
            .iter()
            .flat_map(|(profile, tokens)| tokens.iter().map(move |t| (profile.as_str(), t)))
    }

    /// Keeps `token` for `profile`, replacing the one stored for the same scopes.
    pub fn put(&mut self, profile: &str, token: StoredToken) {
        let tokens = self
            .contents
            .profiles
            .entry(profile.to_owned())
            .or_default();
        tokens.retain(|old| !old.has_scopes(&token.scopes));
        tokens.push(token);
    }

    /// Removes the tokens of `profile` that `drop` selects; returns how many.
    pub fn remove(&mut self, profile: &str, drop: impl Fn(&StoredToken) -> bool) -> usize {
        let Some(tokens) = self.contents.profiles.get_mut(profile) else {
            return 0;
        };
        let before = tokens.len();
        tokens.retain(|token| !drop(token));
        let removed = before - tokens.len();
        if tokens.is_empty() {
            self.contents.profiles.remove(profile);
        }
        removed
    }

    /// The tokens stored for `profile`.
    pub fn tokens(&self, profile: &str) -> &[StoredToken] {
        self.contents
            .profiles
            .get(profile)
            .map_or(&[], Vec::as_slice)
    }

    /// Writes the store: to a temporary file in the same directory, flushed to disk, then
    /// renamed over the old file, so that a crash leaves either the old or the new file.
    /// The store must have been opened under a [`StoreLock`] still held.
    pub fn save(&self) -> std::io::Result<()> {
        let dir = self.dir();
        create_private_dir(dir)?;
        let mut bytes = serde_json::to_vec_pretty(&self.contents)?;
        bytes.push(b'\n');
        // tempfile creates the file readable and writable by its owner only (0600 on Unix).
        let mut file = tempfile::Builder::new()
            .prefix(".credentials.")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        file.write_all(&bytes)?;
        file.as_file().sync_all()?;
        file.persist(&self.path).map_err(|e| e.error)?;
        #[cfg(unix)]
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    }
}

/// An exclusive advisory lock on the credentials file, released when dropped. A run that
/// changes the store holds it from reading the file to writing it, so that two runs that
/// store tokens at once both keep theirs: the second waits, then reads what the first
/// wrote. Reading alone needs no lock, since the file is only ever replaced whole.
#[derive(Debug)]
pub struct StoreLock {
    _file: std::fs::File,
}

impl StoreLock {
    /// Waits for the lock on the credentials file in `dir`, creating the directory and the
    /// lock file when needed. When another run holds it, `waiting` is told the lock file's
    /// path before the wait starts, so that a person is not left looking at a silent run.
    pub fn acquire(dir: &Path, waiting: impl FnOnce(&Path)) -> std::io::Result<Self> {
        create_private_dir(dir)?;
        let mut options = std::fs::OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let path = dir.join(LOCK_FILE);
        let file = options.open(&path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                waiting(&path);
                file.lock()?;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
        Ok(StoreLock { _file: file })
    }
}

/// What a run says when it waits for another run's `lock` on the stored tokens.
pub fn waiting_for(lock: &Path) -> String {
    format!(
        "waiting for another kenar-chat run, which holds the lock on the stored tokens ({}) \
         while it stores or refreshes a token",
        lock.display()
    )
}

/// A token's scopes as messages name it, never its secrets.
pub fn describe_scopes(scopes: &[String]) -> String {
    if scopes.is_empty() {
        "no scopes".to_owned()
    } else {
        scopes.join(" ")
    }
}

/// The token among `tokens` to send to `to` with, at time `now` (Unix seconds): of those
/// that cover it, the closest grant (an exact chat or conversation, then the seller's
/// conversations, then a post's), and of those the one that lasts longest.
pub fn find<'a>(tokens: &'a [StoredToken], to: &Recipient, now: u64) -> Lookup<'a> {
    let covering = tokens
        .iter()
        .filter_map(|token| token.covers(to).map(|rank| (rank, token)));
    let (expired, usable): (Vec<_>, Vec<_>) = covering.partition(|(_, t)| t.is_expired(now));
    match (best(usable), best(expired)) {
        (Some(token), _) => Lookup::Usable(token),
        (None, Some(token)) => Lookup::Expired(token),
        (None, None) => Lookup::Missing,
    }
}

fn best(tokens: Vec<(u8, &StoredToken)>) -> Option<&StoredToken> {
    tokens
        .into_iter()
        .max_by_key(|(rank, token)| (std::cmp::Reverse(*rank), token.expires))
        .map(|(_, token)| token)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn expose<S: Serializer>(secret: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose())
}

fn expose_some<S: Serializer>(
    secret: &Option<SecretString>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match secret {
        Some(secret) => serializer.serialize_str(secret.expose()),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::Chat;

    fn chat(peer: &str) -> Chat {
        Chat::new("u", "p", peer).unwrap()
    }

    fn to(peer: &str) -> Recipient {
        Recipient::Chat(chat(peer))
    }

    fn token(scopes: &[Scope], access: &str, expires: u64) -> StoredToken {
        StoredToken::new(
            scopes,
            Token {
                access_token: SecretString::new(access),
                refresh_token: None,
                expires,
                scopes: None,
            },
            None,
        )
    }

    #[test]
    fn finds_the_closest_then_longest_lasting_covering_token() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = CredentialStore::open(dir.path()).unwrap();
        let one_chat = [Scope::Chat(chat("a"))];
        let post = [Scope::post_chats("p").unwrap()];
        store.put("default", token(&one_chat, "old", 100));
        store.put("default", token(&post, "post", 300));
        store.put("other", token(&post, "elsewhere", 900));
        let Lookup::Usable(found) = find(store.tokens("default"), &to("a"), 50) else {
            panic!("no token found");
        };
        assert_eq!(found.access_token.expose(), "old");
        let Lookup::Usable(found) = find(store.tokens("default"), &to("a"), 150) else {
            panic!("no token found");
        };
        assert_eq!(found.access_token.expose(), "post");
        let Lookup::Usable(found) = find(store.tokens("default"), &to("b"), 200) else {
            panic!("no token found");
        };
        assert_eq!(found.access_token.expose(), "post");
        assert!(
            matches!(find(store.tokens("default"), &to("b"), 300), Lookup::Expired(t) if t.expires == 300)
        );
        assert_eq!(find(store.tokens("nobody"), &to("a"), 0), Lookup::Missing);
    }

    #[test]
    fn same_scopes_replace_and_remove_drops_empty_profiles() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = CredentialStore::open(dir.path()).unwrap();
        let both = [
            Scope::post_chats("p").unwrap(),
            Scope::raw("USER_PHONE").unwrap(),
        ];
        let reversed = [both[1].clone(), both[0].clone()];
        store.put("default", token(&both, "first", 1));
        store.put("default", token(&reversed, "second", 2));
        let tokens: Vec<_> = store.all().collect();
        assert_eq!(tokens.len(), 1);
        assert_eq!(tokens[0].1.access_token.expose(), "second");
        assert_eq!(store.remove("default", |_| true), 1);
        assert_eq!(store.all().count(), 0);
        assert_eq!(store.remove("default", |_| true), 0);
    }

    #[test]
    fn saves_privately_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        let mut store = CredentialStore::open(&nested).unwrap();
        store.put(
            "default",
            token(&[Scope::post_chats("p").unwrap()], "tok", 7),
        );
        store.save().unwrap();
        let again = CredentialStore::open(&nested).unwrap();
        assert_eq!(
            again.all().collect::<Vec<_>>(),
            store.all().collect::<Vec<_>>()
        );
        let names: Vec<_> = std::fs::read_dir(&nested)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [CREDENTIALS_FILE]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(store.path()), 0o600);
            assert_eq!(mode(&nested), 0o700);
        }
    }

    #[test]
    fn a_corrupt_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CREDENTIALS_FILE), "{\"profiles\": [").unwrap();
        let err = CredentialStore::open(dir.path()).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("left as it is"), "{err}");
    }
}
