//! Accepted messages, on either platform, each with the chat it was sent in: who sent it,
//! about which post, to whom; and whether a person typed it in the chat view.

use rusqlite::{OptionalExtension as _, params};

use super::db::{Store, db_error};
use super::media::{MEDIUM_COLUMNS, Medium, medium};
use super::replies::Delivery;
use crate::error::{Error, Result};
use crate::message::draft::MessageDraft;
use crate::message::{BotRecipient, Message};
use crate::scope::Chat;

/// One accepted message, as sent.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    pub id: i64,
    /// Unix time in seconds.
    pub received_at: i64,
    pub message: Message,
    /// Who sent it, about which post, to whom: a legacy message's own chat, or, for a
    /// conversation's, its sender and the conversation's post and other side.
    pub chat: Chat,
    /// The post's owner: the conversation's seller, or the sender of a legacy message
    /// (whom the sandbox takes for the post's owner).
    pub seller_id: String,
    /// What a media message sent, when the sandbox received the upload of its token.
    pub medium: Option<Medium>,
    /// Typed by a person in the chat view (the other side replying), not sent by the app.
    pub by_person: bool,
    /// What became of the webhook of a reply typed in the chat view.
    pub delivery: Option<Delivery>,
}

/// The columns [`row`] reads, in its order.
fn select() -> String {
    format!(
        "SELECT m.id, m.received_at, m.body, m.conversation_id, m.sender_id, \
         c.post_token, c.seller_id, c.buyer_id, {MEDIUM_COLUMNS}, m.by_person, m.delivery \
         FROM messages m LEFT JOIN conversations c ON c.id = m.conversation_id \
         LEFT JOIN media md ON md.token = m.media_token"
    )
}

/// Who sent a chatbot's message, as the store keeps it: the chatbot, not a user.
pub const BOT_SENDER: &str = "(the app's chatbot)";

impl Store {
    /// Keeps a message the app sent as user `sent_by`.
    pub fn insert_message(
        &self,
        message: &Message,
        sent_by: &str,
        received_at: i64,
    ) -> Result<i64> {
        self.insert(message, sent_by, received_at, false)
    }

    /// Keeps a message `sent_by` that user, a person (`by_person`) or the app. The body
    /// is kept as sent; a conversation's ID, which its body does not name, beside it, and
    /// its media token, to find its medium by.
    pub(super) fn insert(
        &self,
        message: &Message,
        sent_by: &str,
        received_at: i64,
        by_person: bool,
    ) -> Result<i64> {
        let body = String::from_utf8_lossy(&message.to_body()).into_owned();
        let conversation_id = match message {
            Message::Chat(_) => None,
            Message::Conversation(message) => Some(message.conversation_id.as_str()),
            Message::Bot(message) => match &message.to {
                BotRecipient::Conversation(id) => Some(id.as_str()),
                BotRecipient::User(_) => None,
            },
        };
        let db = self.db();
        db.execute(
            "INSERT INTO messages (received_at, body, conversation_id, sender_id, media_token, \
             by_person) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                received_at,
                body,
                conversation_id,
                sent_by,
                message.media_token(),
                by_person
            ],
        )
        .map_err(db_error)?;
        Ok(db.last_insert_rowid())
    }

    /// Every message, oldest first.
    pub fn messages(&self) -> Result<Vec<StoredMessage>> {
        let db = self.db();
        let mut statement = db
            .prepare(&format!("{} ORDER BY m.id", select()))
            .map_err(db_error)?;
        let rows = statement.query_map([], row).map_err(db_error)?;
        rows.map(|row| stored(row.map_err(db_error)?)).collect()
    }

    pub fn message(&self, id: i64) -> Result<Option<StoredMessage>> {
        let row = self
            .db()
            .query_row(&format!("{} WHERE m.id = ?1", select()), [id], row)
            .optional()
            .map_err(db_error)?;
        row.map(stored).transpose()
    }
}

/// A message's row, as [`select`] reads it.
struct Row {
    id: i64,
    received_at: i64,
    body: String,
    conversation_id: Option<String>,
    sender_id: Option<String>,
    /// The conversation's post, seller and buyer, when the message went to one.
    conversation: Option<(String, String, String)>,
    medium: Option<Medium>,
    by_person: bool,
    delivery: Option<String>,
}

fn row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let post: Option<String> = row.get(5)?;
    let seller: Option<String> = row.get(6)?;
    let buyer: Option<String> = row.get(7)?;
    Ok(Row {
        id: row.get(0)?,
        received_at: row.get(1)?,
        body: row.get(2)?,
        conversation_id: row.get(3)?,
        sender_id: row.get(4)?,
        conversation: post.zip(seller).zip(buyer).map(|((p, s), b)| (p, s, b)),
        medium: medium(row, 8)?,
        by_person: row.get(13)?,
        delivery: row.get(14)?,
    })
}

/// A stored body is read back through the same checks as a received one.
fn stored(row: Row) -> Result<StoredMessage> {
    let name = format!("stored message {}", row.id);
    let mut draft = MessageDraft::from_json(&name, row.body.as_bytes())?;
    draft.conversation_id = row.conversation_id;
    if row.sender_id.as_deref() == Some(BOT_SENDER) {
        draft.bot = Some(true);
    }
    let message = draft
        .build()
        .map_err(|e| e.prefixed(&format!("{name}: ")))?;
    let (chat, seller_id) = match &message {
        Message::Chat(message) => (message.chat.clone(), message.chat.user_id.clone()),
        // The chatbot's conversation has no post; the chatbot is its seller side.
        Message::Bot(_) => {
            let Some((_, _, user)) = row.conversation else {
                return Err(Error::Unavailable(format!(
                    "{name}: its conversation is not known"
                )));
            };
            let chat = Chat {
                user_id: BOT_SENDER.to_owned(),
                post_token: String::new(),
                peer_id: user,
            };
            (chat, BOT_SENDER.to_owned())
        }
        Message::Conversation(_) => {
            let (Some(sender), Some((post, seller, buyer))) = (row.sender_id, row.conversation)
            else {
                return Err(Error::Unavailable(format!(
                    "{name}: its sender or its conversation is not known"
                )));
            };
            let peer = if sender == seller {
                buyer
            } else {
                seller.clone()
            };
            (Chat::new(sender, post, peer)?, seller)
        }
    };
    let delivery = row
        .delivery
        .map(|kept| Delivery::read(&kept))
        .transpose()
        .map_err(|e| e.prefixed(&format!("{name}: ")))?;
    Ok(StoredMessage {
        id: row.id,
        received_at: row.received_at,
        message,
        chat,
        seller_id,
        medium: row.medium,
        by_person: row.by_person,
        delivery,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::media_kind::MediaKind;
    use crate::sandbox::store::NewMedium;
    use crate::sandbox::store::conversations::sample;

    fn build(json: &str) -> Message {
        MessageDraft::from_json("test", json.as_bytes())
            .unwrap()
            .build()
            .unwrap()
    }

    #[test]
    fn a_conversations_message_is_read_back_in_the_chat_of_its_sides() {
        let store = Store::open(None).unwrap();
        store.insert_conversation(&sample()).unwrap();
        let sent = build(r#"{"conversation_id": "c1", "message": "hi"}"#);
        let id = store.insert_message(&sent, "buyer", 5).unwrap();
        let stored = store.message(id).unwrap().unwrap();
        assert_eq!(stored.message, sent);
        assert_eq!(stored.chat, Chat::new("buyer", "P", "seller").unwrap());
        assert_eq!(stored.seller_id, "seller");

        let legacy =
            build(r#"{"user_id": "u", "post_token": "P", "peer_id": "q", "message": "hi"}"#);
        store.insert_message(&legacy, "u", 6).unwrap();
        let all = store.messages().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].chat, Chat::new("u", "P", "q").unwrap());
        assert_eq!(all[1].seller_id, "u");
        assert!(all.iter().all(|stored| stored.medium.is_none()));
    }

    #[test]
    fn a_media_message_is_read_back_with_its_medium() {
        let store = Store::open(None).unwrap();
        store.insert_upload_token("up", i64::MAX).unwrap();
        let medium = NewMedium {
            kind: MediaKind::File,
            file_name: "notes.txt",
            content_type: "application/octet-stream",
            content: b"words",
        };
        store.spend_upload_token("up", 0, "m1", &medium).unwrap();
        let sent = build(r#"{"conversation_id": "c1", "media_token": "m1"}"#);
        let id = store.insert_message(&sent, "buyer", 5).unwrap();
        store.insert_conversation(&sample()).unwrap();
        let stored = store.message(id).unwrap().unwrap();
        assert_eq!(stored.message, sent);
        assert_eq!(
            stored.medium,
            Some(Medium {
                token: "m1".into(),
                kind: MediaKind::File,
                file_name: "notes.txt".into(),
                content_type: "application/octet-stream".into(),
                size: 5,
            })
        );
    }
}
