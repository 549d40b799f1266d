//! The conversations the sandbox knows: which post each is about, and who sells and who
//! buys in it, which is what the seller's and the post's scopes are checked against.

use rusqlite::{OptionalExtension as _, params};

use super::db::{Store, db_error};
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub id: String,
    pub post_token: String,
    /// The post's owner: the `Supply` side.
    pub seller_id: String,
    /// The `Demand` side.
    pub buyer_id: String,
}

impl Store {
    /// Keeps a conversation, unless one with its ID is already known.
    pub fn insert_conversation(&self, conversation: &Conversation) -> Result<()> {
        self.db()
            .execute(
                "INSERT OR IGNORE INTO conversations (id, post_token, seller_id, buyer_id) \
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    conversation.id,
                    conversation.post_token,
                    conversation.seller_id,
                    conversation.buyer_id
                ],
            )
            .map_err(db_error)?;
        Ok(())
    }

    pub fn conversation(&self, id: &str) -> Result<Option<Conversation>> {
        self.db()
            .query_row(
                "SELECT post_token, seller_id, buyer_id FROM conversations WHERE id = ?1",
                [id],
                |row| {
                    Ok(Conversation {
                        id: id.to_owned(),
                        post_token: row.get(0)?,
                        seller_id: row.get(1)?,
                        buyer_id: row.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(db_error)
    }
}

/// A conversation for the store's tests: `c1`, about post `P`, sold by `seller` to `buyer`.
#[cfg(test)]
pub(super) fn sample() -> Conversation {
    Conversation {
        id: "c1".into(),
        post_token: "P".into(),
        seller_id: "seller".into(),
        buyer_id: "buyer".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_conversation_keeps_its_sides() {
        let store = Store::open(None).unwrap();
        let first = Conversation {
            id: "c".into(),
            post_token: "P".into(),
            seller_id: "s".into(),
            buyer_id: "b".into(),
        };
        store.insert_conversation(&first).unwrap();
        store
            .insert_conversation(&Conversation {
                seller_id: "other".into(),
                ..first.clone()
            })
            .unwrap();
        assert_eq!(store.conversation("c").unwrap(), Some(first));
        assert_eq!(store.conversation("d").unwrap(), None);
    }
}
