//! Messages as Divar hands them back (events.md section 5): a conversation read with
//! `GET /v1/open-platform/chat/conversations/{id}`, which holds its text messages only,
//! and how one reads at a terminal, right-to-left text included.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::http::answer::{self, Answer};
use crate::time;
use crate::timestamp::Timestamp;
use crate::visible;

/// The answer to a conversation read: the conversation and its messages.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct ConversationRead {
    pub conversation: ConversationInfo,
    #[serde(default)]
    pub messages: Vec<ReceivedMessage>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct ConversationInfo {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_token: Option<String>,
    /// `POST` or `BOT`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// One message (Divar's `chatapiMessage`); only what a reader needs is kept.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct ReceivedMessage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default)]
    pub sender: Sender,
    /// As it came: one odd time must not cost the read its other messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<Value>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Sender {
    /// `SELLER` or `BUYER`; a chatbot's conversation names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<String>,
    /// `HUMAN` or `BOT` (Divar's examples also write `USER`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl ReceivedMessage {
    /// When it was sent, when that can be read.
    fn sent(&self) -> Option<Timestamp> {
        self.sent_at
            .as_ref()
            .and_then(|value| Timestamp::parse(value).ok())
    }

    /// When it was sent, in UTC to the second as people read it; a time that cannot be
    /// read is shown as it came.
    fn shown_time(&self) -> String {
        match (self.sent().and_then(|t| t.unix_seconds()), &self.sent_at) {
            (Some(seconds), _) => time::rfc3339(seconds),
            (None, None) => "(no time)".to_owned(),
            (None, Some(Value::String(text))) => visible::escaped(text, false),
            (None, Some(other)) => visible::escaped(&other.to_string(), false),
        }
    }
}

/// U+2068 FIRST STRONG ISOLATE: the text after it takes the direction of its own first
/// letter, apart from the columns around it.
const ISOLATE: char = '\u{2068}';
/// U+2069 POP DIRECTIONAL ISOLATE: ends the isolate.
const END_ISOLATE: char = '\u{2069}';

impl ConversationRead {
    /// Reads the answer to a conversation read.
    pub fn from_answer(answer: &Answer) -> Result<Self> {
        let body = answer::check_read(answer)?;
        serde_json::from_value(body).map_err(|e| {
            Error::Unavailable(format!(
                "the API's answer is not a conversation: {}",
                visible::shorten_quotes(&e.to_string())
            ))
        })
    }

    /// The messages oldest first, by the instant each names (Divar sends them so): those
    /// whose time can be read are put in order among the places they hold, and one whose
    /// time cannot be read keeps its place.
    pub fn oldest_first(&self) -> Vec<&ReceivedMessage> {
        let mut messages: Vec<&ReceivedMessage> = self.messages.iter().collect();
        let (places, mut timed): (Vec<usize>, Vec<(Timestamp, &ReceivedMessage)>) = messages
            .iter()
            .enumerate()
            .filter_map(|(place, message)| Some((place, (message.sent()?, *message))))
            .unzip();
        timed.sort_by_key(|(sent, _)| *sent);
        for (place, (_, message)) in places.into_iter().zip(timed) {
            messages[place] = message;
        }
        messages
    }

    /// The conversation as lines for a terminal: a heading, then one line a message with
    /// its time, its sender and its text. Each line of a text is a bidi isolate, so a
    /// right-to-left text reads right to left without turning the columns around it, and
    /// any control character in it shows escaped.
    pub fn to_text(&self) -> String {
        let info = &self.conversation;
        let mut out = format!("conversation {}", visible::escaped(&info.id, false));
        if let Some(post) = &info.post_token {
            out.push_str(&format!(" about post {}", visible::escaped(post, false)));
        }
        if info.kind.as_deref() == Some("BOT") {
            out.push_str(", with the app's chatbot");
        }
        out.push('\n');
        let messages = self.oldest_first();
        if messages.is_empty() {
            out.push_str("(no text messages)\n");
        }
        for message in messages {
            let time = message.shown_time();
            let who = message.sender.described();
            let text = message.text.as_deref().unwrap_or_default();
            let text = visible::escaped(text, true);
            let mut lines = text.split('\n');
            let first = lines.next().unwrap_or_default();
            let head = format!("{time}  {who:<12} ");
            out.push_str(&format!("{head}{ISOLATE}{first}{END_ISOLATE}\n"));
            // The text's further lines start under its first.
            let indent = " ".repeat(head.chars().count());
            for line in lines {
                out.push_str(&format!("{indent}{ISOLATE}{line}{END_ISOLATE}\n"));
            }
        }
        out
    }
}

impl Sender {
    /// `seller`, `buyer`, `bot`, `seller (bot)`: who sent, in a few words.
    fn described(&self) -> String {
        let side = self.side.as_deref().map(str::to_ascii_lowercase);
        let bot = self.kind.as_deref() == Some("BOT");
        let side = side.map(|s| visible::escaped(&s, false));
        match (side, bot) {
            (Some(side), true) => format!("{side} (bot)"),
            (Some(side), false) => side,
            (None, true) => "bot".to_owned(),
            (None, false) => "user".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> ConversationRead {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn messages_read_oldest_first_with_sides_times_and_isolated_text() {
        let conversation = read(
            r#"{"conversation":{"id":"c-1","post_token":"AZf3Uqr3","type":"POST"},
                "messages":[
                  {"id":"2","sender":{"side":"BUYER","type":"HUMAN"},"type":"TEXT",
                   "sent_at":"2024-10-20T13:12:10Z","text":"سلام\nخوبی؟"},
                  {"id":"1","sender":{"side":"SELLER","type":"BOT"},"type":"TEXT",
                   "sent_at":1729429926140000,"text":"Hello!\u202e"}]}"#,
        );
        assert_eq!(
            conversation.to_text(),
            "conversation c-1 about post AZf3Uqr3\n\
             2024-10-20T13:12:06Z  seller (bot) \u{2068}Hello!\\u{202e}\u{2069}\n\
             2024-10-20T13:12:10Z  buyer        \u{2068}سلام\u{2069}\n\
             \x20                                  \u{2068}خوبی؟\u{2069}\n"
        );
    }

    #[test]
    fn a_bot_conversation_and_unreadable_times_still_show() {
        let conversation = read(
            r#"{"conversation":{"id":"b","type":"BOT"},"messages":[
                 {"sender":{"type":"HUMAN"},"sent_at":"soon","text":"hi"}]}"#,
        );
        let text = conversation.to_text();
        assert!(
            text.starts_with("conversation b, with the app's chatbot\n"),
            "{text}"
        );
        assert!(text.contains("soon  user"), "{text}");
        let empty = read(r#"{"conversation":{"id":"e"},"messages":[]}"#);
        assert!(empty.to_text().ends_with("(no text messages)\n"));
    }
}
