//! What the sandbox keeps: accepted messages, issued tokens and codes, and its generated
//! credentials. One SQLite database, in memory or in the `--data` file, so that both
//! behave the same.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension as _, params};

use crate::error::{Error, Result};
use crate::message::{ChatMessage, Message, MessageDraft};
use crate::scope::Scope;

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

/// One accepted message, as sent.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    pub id: i64,
    /// Unix time in seconds.
    pub received_at: i64,
    pub message: ChatMessage,
}

/// What an access token allows, and until when (Unix seconds).
#[derive(Debug, Clone)]
pub struct Grant {
    pub scopes: Vec<Scope>,
    pub expires: i64,
}

/// Why a code cannot be exchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeRefusal {
    Unknown,
    AlreadyUsed,
    Expired,
    OtherClient,
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

impl Store {
    /// Opens (creating if needed) the data file, or a fresh in-memory database.
    pub fn open(path: Option<&Path>) -> Result<Self> {
        let db = match path {
            Some(path) => create_private(path)
                .and_then(|()| Connection::open(path).map_err(std::io::Error::other))
                .map_err(|e| {
                    Error::invalid(format!("--data {}: cannot open: {e}", path.display()))
                })?,
            None => Connection::open_in_memory().map_err(db_error)?,
        };
        db.execute_batch(SCHEMA).map_err(|e| match path {
            Some(path) => Error::invalid(format!(
                "--data {}: not a sandbox data file ({e})",
                path.display()
            )),
            None => db_error(e),
        })?;
        Ok(Store { db: Mutex::new(db) })
    }

    /// The connection, for a statement or a few. Async handlers call this directly, not
    /// through `spawn_blocking`: each call is a short local SQLite statement, the guard is
    /// never held across an `.await`, and nearly every request needs the one connection,
    /// so moving the call to another thread would only move the wait.
    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A handler that panicked mid-statement leaves nothing half-done in SQLite.
        self.db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn insert_message(&self, message: &ChatMessage, received_at: i64) -> Result<i64> {
        let body = serde_json::to_string(message).unwrap_or_default();
        let db = self.db();
        db.execute(
            "INSERT INTO messages (received_at, body) VALUES (?1, ?2)",
            params![received_at, body],
        )
        .map_err(db_error)?;
        Ok(db.last_insert_rowid())
    }

    /// Every message, oldest first.
    pub fn messages(&self) -> Result<Vec<StoredMessage>> {
        let db = self.db();
        let mut statement = db
            .prepare("SELECT id, received_at, body FROM messages ORDER BY id")
            .map_err(db_error)?;
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .map_err(db_error)?;
        rows.map(|row| {
            let (id, received_at, body): (i64, i64, String) = row.map_err(db_error)?;
            stored(id, received_at, &body)
        })
        .collect()
    }

    pub fn message(&self, id: i64) -> Result<Option<StoredMessage>> {
        let row: Option<(i64, String)> = self
            .db()
            .query_row(
                "SELECT received_at, body FROM messages WHERE id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(db_error)?;
        row.map(|(received_at, body)| stored(id, received_at, &body))
            .transpose()
    }

    pub fn insert_token(&self, token: &str, scopes: &[Scope], expires: i64) -> Result<()> {
        self.db()
            .execute(
                "INSERT INTO tokens (token, scopes, expires) VALUES (?1, ?2, ?3)",
                params![token, join(scopes), expires],
            )
            .map_err(db_error)?;
        Ok(())
    }

    pub fn token(&self, token: &str) -> Result<Option<Grant>> {
        let row: Option<(String, i64)> = self
            .db()
            .query_row(
                "SELECT scopes, expires FROM tokens WHERE token = ?1",
                [token],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(db_error)?;
        row.map(|(scopes, expires)| {
            Ok(Grant {
                scopes: split(&scopes)?,
                expires,
            })
        })
        .transpose()
    }

    pub fn insert_code(
        &self,
        code: &str,
        client_id: &str,
        scopes: &[Scope],
        expires: i64,
    ) -> Result<()> {
        self.db()
            .execute(
                "INSERT INTO codes (code, client_id, scopes, expires) VALUES (?1, ?2, ?3, ?4)",
                params![code, client_id, join(scopes), expires],
            )
            .map_err(db_error)?;
        Ok(())
    }

    /// Exchanges a code once: the first attempt by its client marks it used, whatever
    /// comes after is refused.
    pub fn redeem_code(
        &self,
        code: &str,
        client_id: &str,
        now: i64,
    ) -> Result<std::result::Result<Vec<Scope>, CodeRefusal>> {
        let db = self.db();
        let row: Option<(String, String, i64, bool)> = db
            .query_row(
                "SELECT client_id, scopes, expires, used FROM codes WHERE code = ?1",
                [code],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()
            .map_err(db_error)?;
        let Some((owner, scopes, expires, used)) = row else {
            return Ok(Err(CodeRefusal::Unknown));
        };
        if owner != client_id {
            return Ok(Err(CodeRefusal::OtherClient));
        }
        if used {
            return Ok(Err(CodeRefusal::AlreadyUsed));
        }
        db.execute("UPDATE codes SET used = 1 WHERE code = ?1", [code])
            .map_err(db_error)?;
        if now >= expires {
            return Ok(Err(CodeRefusal::Expired));
        }
        split(&scopes).map(Ok)
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

/// A stored body is read back through the same checks as a received one.
fn stored(id: i64, received_at: i64, body: &str) -> Result<StoredMessage> {
    let message = MessageDraft::from_json(&format!("stored message {id}"), body.as_bytes())?
        .build()
        .map_err(|e| e.prefixed(&format!("stored message {id}: ")))?;
    let Message::Chat(message) = message else {
        return Err(Error::Unavailable(format!(
            "stored message {id}: not a legacy chat message"
        )));
    };
    Ok(StoredMessage {
        id,
        received_at,
        message: *message,
    })
}

fn join(scopes: &[Scope]) -> String {
    let scopes: Vec<String> = scopes.iter().map(Scope::to_string).collect();
    scopes.join(" ")
}

fn split(scopes: &str) -> Result<Vec<Scope>> {
    scopes.split_whitespace().map(Scope::decode).collect()
}

fn db_error(e: rusqlite::Error) -> Error {
    Error::Unavailable(format!("sandbox data: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes() -> Vec<Scope> {
        vec![Scope::post_chats("AZf3Uqr3").unwrap()]
    }

    #[test]
    fn a_code_is_exchanged_once_by_its_client_before_it_expires() {
        let store = Store::open(None).unwrap();
        store.insert_code("c1", "app", &scopes(), 100).unwrap();
        assert_eq!(
            store.redeem_code("c1", "other", 50).unwrap(),
            Err(CodeRefusal::OtherClient)
        );
        assert_eq!(store.redeem_code("c1", "app", 50).unwrap(), Ok(scopes()));
        assert_eq!(
            store.redeem_code("c1", "app", 50).unwrap(),
            Err(CodeRefusal::AlreadyUsed)
        );
        store.insert_code("c2", "app", &scopes(), 100).unwrap();
        assert_eq!(
            store.redeem_code("c2", "app", 100).unwrap(),
            Err(CodeRefusal::Expired)
        );
        assert_eq!(
            store.redeem_code("nope", "app", 0).unwrap(),
            Err(CodeRefusal::Unknown)
        );
    }

    #[test]
    fn settings_are_made_once() {
        let store = Store::open(None).unwrap();
        assert_eq!(store.setting("k", || Ok("first".into())).unwrap(), "first");
        assert_eq!(store.setting("k", || Ok("second".into())).unwrap(), "first");
    }

    #[test]
    fn tokens_keep_their_scopes() {
        let store = Store::open(None).unwrap();
        store.insert_token("t", &scopes(), 7).unwrap();
        let grant = store.token("t").unwrap().unwrap();
        assert_eq!((grant.scopes, grant.expires), (scopes(), 7));
        assert!(store.token("u").unwrap().is_none());
    }
}
