//! Issued access tokens, authorization codes and refresh tokens.

use rusqlite::{OptionalExtension as _, params};

use super::db::{Store, db_error, split};
use crate::error::Result;
use crate::platform::Platform;
use crate::sandbox::demo::{DEMO_USER, scope_list};
use crate::scope::Scope;

/// What an access token allows, for whom, and until when (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub scopes: Vec<Scope>,
    /// The user it acts for.
    pub user_id: String,
    pub expires: i64,
}

/// A code about to be issued by a consent page.
#[derive(Debug, Clone)]
pub struct NewCode<'a> {
    pub code: &'a str,
    pub client_id: &'a str,
    pub platform: Platform,
    pub redirect_uri: &'a str,
    pub user_id: &'a str,
    pub scopes: &'a [Scope],
    pub expires: i64,
}

/// What an exchanged code was issued for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redeemed {
    pub scopes: Vec<Scope>,
    pub user_id: String,
    pub redirect_uri: Option<String>,
}

/// Why a code cannot be exchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeRefusal {
    /// Never issued, or issued by the other platform's consent page.
    Unknown,
    AlreadyUsed,
    Expired,
    OtherClient,
}

/// A new access token, and the refresh token that comes with it when `offline_access` was
/// granted.
#[derive(Debug, Clone)]
pub struct Issued<'a> {
    pub access_token: &'a str,
    pub refresh_token: Option<&'a str>,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub user_id: &'a str,
    pub scopes: &'a [Scope],
    pub access_expires: i64,
    pub refresh_expires: i64,
}

/// What a refresh token was issued with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshGrant {
    /// The access token issued beside it, which the refresh request must name.
    pub access_token: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub user_id: String,
    pub scopes: Vec<Scope>,
    pub expires: i64,
    /// When it was first exchanged for a new pair (Unix seconds), if it was.
    pub replaced_at: Option<i64>,
}

impl Store {
    pub fn insert_token(
        &self,
        token: &str,
        scopes: &[Scope],
        user_id: &str,
        expires: i64,
    ) -> Result<()> {
        self.db()
            .execute(
                "INSERT INTO tokens (token, scopes, user_id, expires) VALUES (?1, ?2, ?3, ?4)",
                params![token, scope_list(scopes), user_id, expires],
            )
            .map_err(db_error)?;
        Ok(())
    }

    pub fn token(&self, token: &str) -> Result<Option<Grant>> {
        let row: Option<(String, Option<String>, i64)> = self
            .db()
            .query_row(
                "SELECT scopes, user_id, expires FROM tokens WHERE token = ?1",
                [token],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()
            .map_err(db_error)?;
        row.map(|(scopes, user_id, expires)| {
            Ok(Grant {
                scopes: split(&scopes)?,
                user_id: user_or_demo(user_id),
                expires,
            })
        })
        .transpose()
    }

    pub fn insert_code(&self, code: &NewCode<'_>) -> Result<()> {
        self.db()
            .execute(
                "INSERT INTO codes (code, client_id, platform, redirect_uri, user_id, scopes, \
                 expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    code.code,
                    code.client_id,
                    code.platform.name(),
                    code.redirect_uri,
                    code.user_id,
                    scope_list(code.scopes),
                    code.expires
                ],
            )
            .map_err(db_error)?;
        Ok(())
    }

    /// Exchanges a code once: the first attempt by its client marks it used, whatever
    /// comes after is refused. A code is known only to the token endpoint of the platform
    /// whose consent page issued it, as Divar's two OAuth servers are apart.
    pub fn redeem_code(
        &self,
        code: &str,
        client_id: &str,
        platform: Platform,
        now: i64,
    ) -> Result<std::result::Result<Redeemed, CodeRefusal>> {
        type Row = (String, String, i64, bool, Option<String>, Option<String>);
        let db = self.db();
        let row: Option<Row> = db
            .query_row(
                "SELECT client_id, scopes, expires, used, user_id, redirect_uri FROM codes \
                 WHERE code = ?1 AND platform = ?2",
                params![code, platform.name()],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                    ))
                },
            )
            .optional()
            .map_err(db_error)?;
        let Some((owner, scopes, expires, used, user_id, redirect_uri)) = row else {
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
        Ok(Ok(Redeemed {
            scopes: split(&scopes)?,
            user_id: user_or_demo(user_id),
            redirect_uri,
        }))
    }

    /// Keeps a new access token, and its refresh token if it has one, together.
    pub fn issue(&self, issued: &Issued<'_>) -> Result<()> {
        let mut db = self.db();
        let transaction = db.transaction().map_err(db_error)?;
        insert_issued(&transaction, issued)?;
        transaction.commit().map_err(db_error)
    }

    pub fn refresh_grant(&self, token: &str) -> Result<Option<RefreshGrant>> {
        type Row = (String, String, String, String, String, i64, Option<i64>);
        let row: Option<Row> = self
            .db()
            .query_row(
                "SELECT access_token, client_id, redirect_uri, user_id, scopes, expires, \
                 replaced_at FROM refresh_tokens WHERE token = ?1",
                [token],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                        row.get(6)?,
                    ))
                },
            )
            .optional()
            .map_err(db_error)?;
        row.map(
            |(access_token, client_id, redirect_uri, user_id, scopes, expires, replaced_at)| {
                Ok(RefreshGrant {
                    access_token,
                    client_id,
                    redirect_uri,
                    user_id,
                    scopes: split(&scopes)?,
                    expires,
                    replaced_at,
                })
            },
        )
        .transpose()
    }

    /// Replaces the pair of `old_refresh` by `new`, in one transaction: the old refresh
    /// token is marked replaced at `now` (its first replacement counts, so reusing it does
    /// not extend its grace), and its access token stops at `retire_at` at the latest.
    pub fn rotate(
        &self,
        old_refresh: &str,
        now: i64,
        retire_at: i64,
        new: &Issued<'_>,
    ) -> Result<()> {
        let mut db = self.db();
        let transaction = db.transaction().map_err(db_error)?;
        transaction
            .execute(
                "UPDATE tokens SET expires = MIN(expires, ?2) WHERE token = \
                 (SELECT access_token FROM refresh_tokens WHERE token = ?1)",
                params![old_refresh, retire_at],
            )
            .map_err(db_error)?;
        transaction
            .execute(
                "UPDATE refresh_tokens SET replaced_at = COALESCE(replaced_at, ?2) \
                 WHERE token = ?1",
                params![old_refresh, now],
            )
            .map_err(db_error)?;
        insert_issued(&transaction, new)?;
        transaction.commit().map_err(db_error)
    }
}

/// Every token and code the sandbox issued was for the demo user: a data file kept by a
/// sandbox older than the current platform just does not say so.
fn user_or_demo(user_id: Option<String>) -> String {
    user_id.unwrap_or_else(|| DEMO_USER.to_owned())
}

fn insert_issued(db: &rusqlite::Connection, issued: &Issued<'_>) -> Result<()> {
    let scopes = scope_list(issued.scopes);
    db.execute(
        "INSERT INTO tokens (token, scopes, user_id, expires) VALUES (?1, ?2, ?3, ?4)",
        params![
            issued.access_token,
            scopes,
            issued.user_id,
            issued.access_expires
        ],
    )
    .map_err(db_error)?;
    if let Some(refresh_token) = issued.refresh_token {
        db.execute(
            "INSERT INTO refresh_tokens (token, access_token, client_id, redirect_uri, \
             user_id, scopes, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                refresh_token,
                issued.access_token,
                issued.client_id,
                issued.redirect_uri,
                issued.user_id,
                scopes,
                issued.refresh_expires
            ],
        )
        .map_err(db_error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes() -> Vec<Scope> {
        vec![Scope::post_chats("AZf3Uqr3").unwrap()]
    }

    fn code<'a>(code: &'a str, platform: Platform, scopes: &'a [Scope]) -> NewCode<'a> {
        NewCode {
            code,
            client_id: "app",
            platform,
            redirect_uri: "http://127.0.0.1:1/cb",
            user_id: "u",
            scopes,
            expires: 100,
        }
    }

    #[test]
    fn a_code_is_exchanged_once_by_its_client_before_it_expires() {
        let store = Store::open(None).unwrap();
        let scopes = scopes();
        store
            .insert_code(&code("c1", Platform::Legacy, &scopes))
            .unwrap();
        let redeem = |c: &str, client: &str, now: i64| {
            store
                .redeem_code(c, client, Platform::Legacy, now)
                .unwrap()
                .map(|redeemed| redeemed.scopes)
        };
        assert_eq!(redeem("c1", "other", 50), Err(CodeRefusal::OtherClient));
        assert_eq!(redeem("c1", "app", 50), Ok(scopes.clone()));
        assert_eq!(redeem("c1", "app", 50), Err(CodeRefusal::AlreadyUsed));
        store
            .insert_code(&code("c2", Platform::Legacy, &scopes))
            .unwrap();
        assert_eq!(redeem("c2", "app", 100), Err(CodeRefusal::Expired));
        assert_eq!(redeem("nope", "app", 0), Err(CodeRefusal::Unknown));
    }

    #[test]
    fn a_code_is_known_only_to_its_platform() {
        let store = Store::open(None).unwrap();
        let scopes = vec![Scope::conversation("c-1").unwrap()];
        store
            .insert_code(&code("c", Platform::Current, &scopes))
            .unwrap();
        assert_eq!(
            store.redeem_code("c", "app", Platform::Legacy, 0).unwrap(),
            Err(CodeRefusal::Unknown)
        );
        assert_eq!(
            store.redeem_code("c", "app", Platform::Current, 0).unwrap(),
            Ok(Redeemed {
                scopes,
                user_id: "u".into(),
                redirect_uri: Some("http://127.0.0.1:1/cb".into()),
            })
        );
    }

    #[test]
    fn tokens_keep_their_scopes_and_user() {
        let store = Store::open(None).unwrap();
        store.insert_token("t", &scopes(), "u", 7).unwrap();
        let grant = store.token("t").unwrap().unwrap();
        assert_eq!(
            grant,
            Grant {
                scopes: scopes(),
                user_id: "u".into(),
                expires: 7
            }
        );
        assert!(store.token("u").unwrap().is_none());
    }

    fn issued<'a>(access: &'a str, refresh: &'a str, scopes: &'a [Scope]) -> Issued<'a> {
        Issued {
            access_token: access,
            refresh_token: Some(refresh),
            client_id: "app",
            redirect_uri: "http://127.0.0.1:1/cb",
            user_id: "u",
            scopes,
            access_expires: 1_000,
            refresh_expires: 9_000,
        }
    }

    #[test]
    fn a_rotation_retires_the_old_pair_at_the_end_of_its_grace() {
        let store = Store::open(None).unwrap();
        let scopes = scopes();
        store.issue(&issued("a1", "r1", &scopes)).unwrap();
        let first = store.refresh_grant("r1").unwrap().unwrap();
        assert_eq!(
            (first.access_token.as_str(), first.replaced_at),
            ("a1", None)
        );
        store
            .rotate("r1", 100, 220, &issued("a2", "r2", &scopes))
            .unwrap();
        assert_eq!(store.token("a1").unwrap().unwrap().expires, 220);
        assert_eq!(store.token("a2").unwrap().unwrap().expires, 1_000);
        assert_eq!(
            store.refresh_grant("r1").unwrap().unwrap().replaced_at,
            Some(100)
        );
        // Reused within its grace: the first replacement still counts.
        store
            .rotate("r1", 150, 270, &issued("a3", "r3", &scopes))
            .unwrap();
        assert_eq!(
            store.refresh_grant("r1").unwrap().unwrap().replaced_at,
            Some(100)
        );
        assert_eq!(store.token("a1").unwrap().unwrap().expires, 220);
        assert_eq!(
            store.refresh_grant("r2").unwrap().unwrap().replaced_at,
            None
        );
    }
}
