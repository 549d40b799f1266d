//! The events subscriptions apps registered (events.md section 1), each with the access
//! token it was made with: a subscription lives as long as that token does, so one whose
//! token expired (or was retired by a refresh) no longer delivers anything.

use rusqlite::params;
use serde_json::{Map, Value};

use super::db::{Store, db_error};
use crate::error::{Error, Result};
use crate::receive::subscription::EventType;

/// A subscription about to be kept.
#[derive(Debug, Clone)]
pub struct NewSubscription<'a> {
    pub access_token: &'a str,
    /// The user the access token acts for.
    pub user_id: &'a str,
    /// `NEW_MESSAGE_ON_POST` or `POST_UPDATE`.
    pub event_type: &'a str,
    /// The post watched; empty for all of the user's posts.
    pub resource_id: &'a str,
    pub metadata: Option<&'a Map<String, Value>>,
    /// Unix seconds.
    pub made_at: i64,
}

/// How the subscriptions cover the new messages of a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// A live subscription does; the metadata of the latest one made.
    Live {
        metadata: Option<Map<String, Value>>,
    },
    /// Only subscriptions whose access tokens have expired did, the last until `ended_at`
    /// (Unix seconds).
    Ended { ended_at: i64 },
    /// None ever did.
    Never,
}

impl Store {
    /// Keeps a subscription. Made again with the same token, for the same events and
    /// resource, it replaces the earlier one (and its metadata): Divar keeps no
    /// subscription IDs that could tell two apart.
    pub fn subscribe(&self, subscription: &NewSubscription<'_>) -> Result<()> {
        let metadata = subscription
            .metadata
            .map(|metadata| Value::Object(metadata.clone()).to_string());
        self.db()
            .execute(
                "INSERT OR REPLACE INTO subscriptions (access_token, user_id, event_type, \
                 resource_id, metadata, made_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    subscription.access_token,
                    subscription.user_id,
                    subscription.event_type,
                    subscription.resource_id,
                    metadata,
                    subscription.made_at
                ],
            )
            .map_err(db_error)?;
        Ok(())
    }

    /// How subscriptions to new messages cover a conversation about `post_token` sold by
    /// `seller_id`, at `now` (Unix seconds): those of its seller, to that post or to all
    /// of theirs. Divar delivers a post's messages only to its owner's subscriptions.
    pub fn new_message_coverage(
        &self,
        post_token: &str,
        seller_id: &str,
        now: i64,
    ) -> Result<Coverage> {
        let db = self.db();
        let mut statement = db
            .prepare(
                "SELECT s.metadata, COALESCE(t.expires, 0) FROM subscriptions s \
                 LEFT JOIN tokens t ON t.token = s.access_token \
                 WHERE s.event_type = ?1 AND s.user_id = ?2 \
                 AND (s.resource_id = '' OR s.resource_id = ?3) \
                 ORDER BY s.made_at DESC, s.rowid DESC",
            )
            .map_err(db_error)?;
        let rows = statement
            .query_map(
                params![EventType::NewMessageOnPost.name(), seller_id, post_token],
                |row| Ok((row.get::<_, Option<String>>(0)?, row.get::<_, i64>(1)?)),
            )
            .map_err(db_error)?;
        let mut ended_at = None;
        for row in rows {
            let (metadata, expires) = row.map_err(db_error)?;
            if now < expires {
                let metadata = metadata.map(|kept| metadata_object(&kept)).transpose()?;
                return Ok(Coverage::Live { metadata });
            }
            ended_at = ended_at.max(Some(expires));
        }
        Ok(ended_at.map_or(Coverage::Never, |ended_at| Coverage::Ended { ended_at }))
    }
}

fn metadata_object(kept: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str(kept) {
        Ok(Value::Object(metadata)) => Ok(metadata),
        _ => Err(Error::Unavailable(
            "a kept subscription's metadata is not a JSON object".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn subscription<'a>(token: &'a str, resource_id: &'a str) -> NewSubscription<'a> {
        NewSubscription {
            access_token: token,
            user_id: "seller",
            event_type: EventType::NewMessageOnPost.name(),
            resource_id,
            metadata: None,
            made_at: 10,
        }
    }

    #[test]
    fn a_subscription_lives_as_long_as_its_access_token() {
        let store = Store::open(None).unwrap();
        assert_eq!(
            store.new_message_coverage("P", "seller", 50).unwrap(),
            Coverage::Never
        );
        store.insert_token("t1", &[], "seller", 100).unwrap();
        let metadata = json!({"app": "first"});
        let metadata = metadata.as_object().unwrap();
        store
            .subscribe(&NewSubscription {
                metadata: Some(metadata),
                ..subscription("t1", "P")
            })
            .unwrap();
        assert_eq!(
            store.new_message_coverage("P", "seller", 50).unwrap(),
            Coverage::Live {
                metadata: Some(metadata.clone())
            }
        );
        // Another post, another seller, or later than the token: not covered.
        assert_eq!(
            store.new_message_coverage("Q", "seller", 50).unwrap(),
            Coverage::Never
        );
        assert_eq!(
            store.new_message_coverage("P", "buyer", 50).unwrap(),
            Coverage::Never
        );
        assert_eq!(
            store.new_message_coverage("P", "seller", 100).unwrap(),
            Coverage::Ended { ended_at: 100 }
        );
        // All of the seller's posts, with a token that lives longer.
        store.insert_token("t2", &[], "seller", 200).unwrap();
        store.subscribe(&subscription("t2", "")).unwrap();
        assert_eq!(
            store.new_message_coverage("Q", "seller", 150).unwrap(),
            Coverage::Live { metadata: None }
        );
        // A subscription to post updates delivers no messages.
        store.insert_token("t3", &[], "other", 300).unwrap();
        store
            .subscribe(&NewSubscription {
                user_id: "other",
                event_type: "POST_UPDATE",
                ..subscription("t3", "")
            })
            .unwrap();
        assert_eq!(
            store.new_message_coverage("P", "other", 150).unwrap(),
            Coverage::Never
        );
    }

    #[test]
    fn a_subscription_made_again_replaces_its_metadata() {
        let store = Store::open(None).unwrap();
        store.insert_token("t", &[], "seller", 100).unwrap();
        for app in ["first", "second"] {
            let metadata = json!({ "app": app });
            store
                .subscribe(&NewSubscription {
                    metadata: metadata.as_object(),
                    ..subscription("t", "P")
                })
                .unwrap();
        }
        assert_eq!(
            store.new_message_coverage("P", "seller", 0).unwrap(),
            Coverage::Live {
                metadata: json!({"app": "second"}).as_object().cloned()
            }
        );
    }
}
