//! Replies a person types in the chat view, and what became of the `NEW_MESSAGE` webhook
//! each one gave the app: kept beside the message, so that the chat view can say it.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::db::{Store, db_error};
use crate::error::{Error, Result};
use crate::message::Message;

/// What became of a reply's webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Delivery {
    /// On its way to `to`. Left so only when the sandbox stopped before the app answered:
    /// it may have arrived.
    Sending { to: String },
    /// The app at `to` answered with `status`, in `elapsed_ms`; `answer` is an excerpt.
    Answered {
        to: String,
        status: u16,
        elapsed_ms: u64,
        answer: String,
    },
    /// Nothing was sent, for this reason.
    NotSent { why: String },
    /// Sent to `to`, but no whole answer came back: it may have arrived.
    InDoubt { to: String, why: String },
}

impl Delivery {
    /// A delivery as [`Store::set_delivery`] kept it.
    pub(super) fn read(kept: &str) -> Result<Self> {
        serde_json::from_str(kept)
            .map_err(|e| Error::Unavailable(format!("a kept delivery is not readable: {e}")))
    }
}

impl Store {
    /// Keeps a message a person typed in the chat view as user `sent_by`.
    pub fn insert_reply(&self, message: &Message, sent_by: &str, received_at: i64) -> Result<i64> {
        self.insert(message, sent_by, received_at, true)
    }

    /// Says what became of the webhook of reply `id`.
    pub fn set_delivery(&self, id: i64, delivery: &Delivery) -> Result<()> {
        let kept = serde_json::to_string(delivery)
            .map_err(|e| Error::Unavailable(format!("a delivery cannot be kept: {e}")))?;
        self.db()
            .execute(
                "UPDATE messages SET delivery = ?2 WHERE id = ?1",
                params![id, kept],
            )
            .map_err(db_error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::draft::MessageDraft;
    use crate::sandbox::store::conversations::sample;

    #[test]
    fn a_reply_is_kept_as_a_persons_with_what_became_of_its_webhook() {
        let store = Store::open(None).unwrap();
        store.insert_conversation(&sample()).unwrap();
        let reply =
            MessageDraft::from_json("test", br#"{"conversation_id": "c1", "message": "hi"}"#)
                .unwrap()
                .build()
                .unwrap();
        let sent = store.insert_message(&reply, "seller", 5).unwrap();
        let typed = store.insert_reply(&reply, "buyer", 6).unwrap();
        let delivery = Delivery::Answered {
            to: "http://127.0.0.1:1/events".into(),
            status: 200,
            elapsed_ms: 3,
            answer: "{}".into(),
        };
        store.set_delivery(typed, &delivery).unwrap();
        let sent = store.message(sent).unwrap().unwrap();
        assert!(!sent.by_person);
        assert_eq!(sent.delivery, None);
        let typed = store.message(typed).unwrap().unwrap();
        assert!(typed.by_person);
        assert_eq!(typed.delivery, Some(delivery));
    }
}
