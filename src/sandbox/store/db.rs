//! The database itself: its schema and the migrations of older data files, opening it, and
//! the settings the sandbox generates once and keeps.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension as _, params};

use crate::error::{Error, Result};
use crate::scope::Scope;
use crate::setting::Setting;

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        received_at INTEGER NOT NULL,
        body TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS tokens (
        token TEXT PRIMARY KEY,
        scopes TEXT NOT NULL,
        expires INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS codes (
        code TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        scopes TEXT NOT NULL,
        expires INTEGER NOT NULL,
        used INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
";

/// What each version of the schema adds to the one before, so that a data file kept by an
/// older sandbox opens in a newer one. `PRAGMA user_version` counts the steps applied.
const MIGRATIONS: &[&str] = &[
    // The current platform: who a token acts for, which platform and redirect URI a code
    // was issued on, which conversation a message went to and who sent it, refresh
    // tokens, and the conversations the sandbox knows.
    "
    ALTER TABLE tokens ADD COLUMN user_id TEXT;
    ALTER TABLE codes ADD COLUMN user_id TEXT;
    ALTER TABLE codes ADD COLUMN platform TEXT NOT NULL DEFAULT 'legacy';
    ALTER TABLE codes ADD COLUMN redirect_uri TEXT;
    ALTER TABLE messages ADD COLUMN conversation_id TEXT;
    ALTER TABLE messages ADD COLUMN sender_id TEXT;
    CREATE TABLE refresh_tokens (
        token TEXT PRIMARY KEY,
        access_token TEXT NOT NULL,
        client_id TEXT NOT NULL,
        redirect_uri TEXT NOT NULL,
        user_id TEXT NOT NULL,
        scopes TEXT NOT NULL,
        expires INTEGER NOT NULL,
        replaced_at INTEGER
    );
    CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        post_token TEXT NOT NULL,
        seller_id TEXT NOT NULL,
        buyer_id TEXT NOT NULL
    );
    ",
    // Media: one-time upload tokens, the uploaded files under their media tokens, and
    // which medium a message sent.
    "
    CREATE TABLE upload_tokens (
        token TEXT PRIMARY KEY,
        expires INTEGER NOT NULL,
        used INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE media (
        token TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        file_name TEXT NOT NULL,
        content_type TEXT NOT NULL,
        content BLOB NOT NULL
    );
    ALTER TABLE messages ADD COLUMN media_token TEXT;
    ",
    // The sandbox talks back: which messages a person typed in the chat view (not the
    // app), what became of their webhooks, and the events subscriptions apps made.
    "
    ALTER TABLE messages ADD COLUMN by_person INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN delivery TEXT;
    CREATE TABLE subscriptions (
        access_token TEXT NOT NULL,
        user_id TEXT NOT NULL,
        event_type TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        metadata TEXT,
        made_at INTEGER NOT NULL,
        PRIMARY KEY (access_token, event_type, resource_id)
    );
    ",
];

/// Brings the schema up to date, each step in a transaction of its own.
fn migrate(db: &mut Connection) -> rusqlite::Result<()> {
    db.execute_batch(SCHEMA)?;
    let applied: i64 = db.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    for (version, step) in (1..).zip(MIGRATIONS).skip_while(|(v, _)| *v <= applied) {
        let transaction = db.transaction()?;
        transaction.execute_batch(step)?;
        transaction.pragma_update(None, "user_version", version)?;
        transaction.commit()?;
    }
    Ok(())
}

pub struct Store {
    db: Mutex<Connection>,
}

/// Creates the data file readable by its owner only when it does not exist yet: it holds
/// tokens and the client secret. (SQLite gives its journal the same mode.)
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop)
}

/// The data file at `path` cannot be used, for this reason.
fn data_file(path: &Path, problem: String) -> Error {
    Error::unusable(
        Setting::SandboxData,
        Some(path.display().to_string()),
        problem,
    )
}

impl Store {
    /// Opens (creating if needed) the data file, or a fresh in-memory database.
    pub fn open(path: Option<&Path>) -> Result<Self> {
        let mut db = match path {
            Some(path) => create_private(path)
                .and_then(|()| Connection::open(path).map_err(std::io::Error::other))
                .map_err(|e| data_file(path, format!("cannot open: {e}")))?,
            None => Connection::open_in_memory().map_err(db_error)?,
        };
        migrate(&mut db).map_err(|e| match path {
            Some(path) => data_file(path, format!("not a sandbox data file ({e})")),
            None => db_error(e),
        })?;
        Ok(Store { db: Mutex::new(db) })
    }

    /// The connection, for a statement or a few. Async handlers call this directly, not
    /// through `spawn_blocking`: each call is a short local SQLite statement, the guard is
    /// never held across an `.await`, and nearly every request needs the one connection,
    /// so moving the call to another thread would only move the wait.
    pub(super) fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A handler that panicked mid-statement leaves nothing half-done in SQLite.
        self.db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The value kept under `name`, or a new one from `make`, kept for next time.
    pub fn setting(&self, name: &str, make: impl FnOnce() -> Result<String>) -> Result<String> {
        let db = self.db();
        let kept: Option<String> = db
            .query_row(
                "SELECT value FROM settings WHERE name = ?1",
                [name],
                |row| row.get(0),
            )
            .optional()
            .map_err(db_error)?;
        if let Some(value) = kept {
            return Ok(value);
        }
        let value = make()?;
        db.execute(
            "INSERT INTO settings (name, value) VALUES (?1, ?2)",
            params![name, value],
        )
        .map_err(db_error)?;
        Ok(value)
    }
}

pub(super) fn split(scopes: &str) -> Result<Vec<Scope>> {
    scopes.split_whitespace().map(Scope::decode).collect()
}

pub(super) fn db_error(e: rusqlite::Error) -> Error {
    Error::Unavailable(format!("sandbox data: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_made_once() {
        let store = Store::open(None).unwrap();
        assert_eq!(store.setting("k", || Ok("first".into())).unwrap(), "first");
        assert_eq!(store.setting("k", || Ok("second".into())).unwrap(), "first");
    }

    #[test]
    fn a_data_file_of_an_older_sandbox_is_brought_up_to_date() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let old = Connection::open(&path).unwrap();
        old.execute_batch(SCHEMA).unwrap();
        old.execute(
            "INSERT INTO tokens (token, scopes, expires) VALUES ('t', 'USER_PHONE', 5)",
            [],
        )
        .unwrap();
        drop(old);
        let store = Store::open(Some(&path)).unwrap();
        let grant = store.token("t").unwrap().unwrap();
        assert_eq!(grant.user_id, crate::sandbox::demo::DEMO_USER);
        drop(store);
        // Opening it again applies nothing twice.
        assert!(
            Store::open(Some(&path))
                .unwrap()
                .token("t")
                .unwrap()
                .is_some()
        );
    }
}
