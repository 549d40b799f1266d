//! Uploads: the one-time upload tokens the API issues, and the files uploaded with them,
//! each kept under the media token that a message then sends.

use rusqlite::{OptionalExtension as _, params};

use super::db::{Store, db_error};
use crate::error::{Error, Result};
use crate::message::media_kind::MediaKind;

/// What an upload token is good for at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadToken {
    /// Not one the sandbox issued.
    Unknown,
    /// Spent on an earlier upload.
    Used,
    Expired,
    /// Good for one upload.
    Ready,
}

/// A file as it was uploaded, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Medium {
    /// The media token it was kept under.
    pub token: String,
    pub kind: MediaKind,
    /// The name the upload gave it.
    pub file_name: String,
    /// What its content is, as the library sniffs it.
    pub content_type: String,
    pub size: u64,
}

/// A file received by an upload, to keep.
#[derive(Debug)]
pub struct NewMedium<'a> {
    pub kind: MediaKind,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub content: &'a [u8],
}

/// The columns [`medium`] reads, in its order, from a table aliased `md`.
pub(super) const MEDIUM_COLUMNS: &str =
    "md.token, md.kind, md.file_name, md.content_type, length(md.content)";

impl Store {
    pub fn insert_upload_token(&self, token: &str, expires: i64) -> Result<()> {
        self.db()
            .execute(
                "INSERT INTO upload_tokens (token, expires) VALUES (?1, ?2)",
                params![token, expires],
            )
            .map_err(db_error)?;
        Ok(())
    }

    /// What `token` is good for at `now` (Unix seconds).
    pub fn upload_token(&self, token: &str, now: i64) -> Result<UploadToken> {
        let row: Option<(i64, bool)> = self
            .db()
            .query_row(
                "SELECT expires, used FROM upload_tokens WHERE token = ?1",
                [token],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(db_error)?;
        Ok(match row {
            None => UploadToken::Unknown,
            Some((_, true)) => UploadToken::Used,
            Some((expires, false)) if now >= expires => UploadToken::Expired,
            Some(_) => UploadToken::Ready,
        })
    }

    /// Spends `token` on `medium`, kept under `media_token`, both at once: of two uploads
    /// racing with one token only one is kept. Answers [`UploadToken::Ready`] when it was
    /// kept, else why the token was not good for it.
    pub fn spend_upload_token(
        &self,
        token: &str,
        now: i64,
        media_token: &str,
        medium: &NewMedium<'_>,
    ) -> Result<UploadToken> {
        let mut db = self.db();
        let transaction = db.transaction().map_err(db_error)?;
        let spent = transaction
            .execute(
                "UPDATE upload_tokens SET used = 1 WHERE token = ?1 AND used = 0 AND ?2 < expires",
                params![token, now],
            )
            .map_err(db_error)?;
        if spent == 0 {
            drop(transaction);
            drop(db);
            return self.upload_token(token, now);
        }
        keep_medium(&transaction, media_token, medium)?;
        transaction.commit().map_err(db_error)?;
        Ok(UploadToken::Ready)
    }

    /// Keeps `medium` under `media_token` without an upload: a picture a person sent in
    /// the chat view.
    pub fn insert_medium(&self, media_token: &str, medium: &NewMedium<'_>) -> Result<()> {
        keep_medium(&self.db(), media_token, medium)
    }

    /// The medium kept under `media_token`, if the sandbox has one.
    pub fn medium(&self, media_token: &str) -> Result<Option<Medium>> {
        self.db()
            .query_row(
                &format!("SELECT {MEDIUM_COLUMNS} FROM media md WHERE md.token = ?1"),
                [media_token],
                |row| medium(row, 0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(db_error)
    }

    /// The medium kept under `media_token` with its bytes.
    pub fn media_content(&self, media_token: &str) -> Result<Option<(Medium, Vec<u8>)>> {
        self.db()
            .query_row(
                &format!("SELECT {MEDIUM_COLUMNS}, md.content FROM media md WHERE md.token = ?1"),
                [media_token],
                |row| Ok(medium(row, 0)?.zip(Some(row.get::<_, Vec<u8>>(5)?))),
            )
            .optional()
            .map(Option::flatten)
            .map_err(db_error)
    }
}

fn keep_medium(db: &rusqlite::Connection, media_token: &str, medium: &NewMedium<'_>) -> Result<()> {
    db.execute(
        "INSERT INTO media (token, kind, file_name, content_type, content) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            media_token,
            medium.kind.name(),
            medium.file_name,
            medium.content_type,
            medium.content
        ],
    )
    .map_err(db_error)?;
    Ok(())
}

/// A medium from [`MEDIUM_COLUMNS`], starting at column `first`; `None` when the row has
/// none (a left join found no medium).
pub(super) fn medium(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<Option<Medium>> {
    let Some(token) = row.get::<_, Option<String>>(first)? else {
        return Ok(None);
    };
    let kind: String = row.get(first + 1)?;
    let kind = MediaKind::ALL
        .into_iter()
        .find(|k| k.name() == kind)
        .ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                first + 1,
                rusqlite::types::Type::Text,
                Box::new(Error::Unavailable(format!(
                    "an unknown media kind {kind:?}"
                ))),
            )
        })?;
    let size: i64 = row.get(first + 4)?;
    Ok(Some(Medium {
        token,
        kind,
        file_name: row.get(first + 2)?,
        content_type: row.get(first + 3)?,
        size: u64::try_from(size).unwrap_or(0),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0";

    fn png() -> NewMedium<'static> {
        NewMedium {
            kind: MediaKind::Image,
            file_name: "a.png",
            content_type: "image/png",
            content: PNG,
        }
    }

    #[test]
    fn an_upload_token_is_spent_once_and_only_before_it_expires() {
        let store = Store::open(None).unwrap();
        store.insert_upload_token("up", 100).unwrap();
        assert_eq!(store.upload_token("up", 99).unwrap(), UploadToken::Ready);
        assert_eq!(store.upload_token("up", 100).unwrap(), UploadToken::Expired);
        assert_eq!(
            store.spend_upload_token("up", 100, "m0", &png()).unwrap(),
            UploadToken::Expired
        );
        assert_eq!(
            store.upload_token("other", 0).unwrap(),
            UploadToken::Unknown
        );
        assert_eq!(
            store.spend_upload_token("up", 50, "m1", &png()).unwrap(),
            UploadToken::Ready
        );
        assert_eq!(
            store.spend_upload_token("up", 51, "m2", &png()).unwrap(),
            UploadToken::Used
        );
        assert_eq!(store.medium("m0").unwrap(), None);
        assert_eq!(store.medium("m2").unwrap(), None);
        let kept = Medium {
            token: "m1".into(),
            kind: MediaKind::Image,
            file_name: "a.png".into(),
            content_type: "image/png".into(),
            size: PNG.len() as u64,
        };
        assert_eq!(store.medium("m1").unwrap(), Some(kept.clone()));
        assert_eq!(
            store.media_content("m1").unwrap(),
            Some((kept, PNG.to_vec()))
        );
    }
}
