//! The message model: a checked [`Message`] that serializes to exactly the API body: a
//! [`ChatMessage`] of the legacy platform (protocol section 3) or a [`ConversationMessage`]
//! of the current one (section 5). Drafts, read from files and flags, are checked into it
//! in [`draft`].

pub mod button;
pub mod draft;
pub mod grid;
pub mod json_text;
pub mod media_kind;
pub mod received;
pub mod send;

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::platform::Platform;
use crate::scope::{Chat, Recipient};
use button::Button;
use grid::Grid;
use media_kind::MediaKind;

/// The `type` of a text message, the only type a message body names.
pub const TEXT: &str = "TEXT";

/// A checked message, ready to send, on the platform its recipient names.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Chat(Box<ChatMessage>),
    Conversation(ConversationMessage),
    Bot(BotMessage),
}

/// A legacy message: to a chat named by its three IDs, one button a side at most.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatMessage {
    pub chat: Chat,
    pub text: String,
    pub sender_button: Option<Button>,
    pub receiver_button: Option<Button>,
}

/// A current-platform message: to a conversation, a grid of buttons a side.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationMessage {
    pub conversation_id: String,
    /// The conversation's post, when the user names it: not sent, but it lets a post
    /// scope pick the token.
    pub post_token: Option<String>,
    pub content: Content,
    pub sender_buttons: Grid,
    pub receiver_buttons: Grid,
}

/// A message from the app's chatbot (current platform, events.md section 4): to a bot
/// conversation, or to a user, whose conversation with the bot it opens; one grid of
/// buttons, shown to the user.
#[derive(Debug, Clone, PartialEq)]
pub struct BotMessage {
    pub to: BotRecipient,
    pub content: Content,
    pub buttons: Grid,
}

/// Where a chatbot message goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BotRecipient {
    Conversation(String),
    /// The user's ID as Divar hides it, which must be the token's own user.
    User(String),
}

impl BotRecipient {
    /// The field (and, with `--`, the flag) that names it.
    pub fn field(&self) -> &'static str {
        match self {
            BotRecipient::Conversation(_) => "conversation_id",
            BotRecipient::User(_) => "user_id",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            BotRecipient::Conversation(id) | BotRecipient::User(id) => id,
        }
    }
}

/// What a conversation's message carries: text, or a medium, one or the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Text(String),
    /// The media token an upload answered with.
    Media(String),
    /// A file still to be uploaded; its body shows where the media token will go.
    Upload {
        kind: MediaKind,
        path: PathBuf,
    },
}

impl Content {
    /// The text, or the media token (the placeholder of one still to be uploaded), as the
    /// current platform's bodies carry them: one or the other.
    fn text_or_media_token(&self) -> (Option<&str>, Option<&str>) {
        match self {
            Content::Text(text) => (Some(text.as_str()), None),
            Content::Media(token) => (None, Some(token.as_str())),
            Content::Upload { .. } => (None, Some(media_kind::PENDING_TOKEN)),
        }
    }
}

/// The exact API body: field order as in the protocol, buttons only when present.
impl Serialize for ChatMessage {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Body<'a> {
            user_id: &'a str,
            post_token: &'a str,
            peer_id: &'a str,
            #[serde(rename = "type")]
            kind: &'a str,
            message: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            sender_btn: Option<&'a Button>,
            #[serde(skip_serializing_if = "Option::is_none")]
            receiver_btn: Option<&'a Button>,
        }
        Body {
            user_id: &self.chat.user_id,
            post_token: &self.chat.post_token,
            peer_id: &self.chat.peer_id,
            kind: TEXT,
            message: &self.text,
            sender_btn: self.sender_button.as_ref(),
            receiver_btn: self.receiver_button.as_ref(),
        }
        .serialize(serializer)
    }
}

/// The exact API body of the chatbot (`ChatAPIChatBotSendMessageBody`): `text_message` or
/// `media_token`, not both, then the grid when it has buttons.
impl Serialize for BotMessage {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            text_message: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            media_token: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            buttons: Option<Value>,
        }
        let (text_message, media_token) = self.content.text_or_media_token();
        Body {
            text_message,
            media_token,
            buttons: (!self.buttons.is_empty()).then(|| grid::to_wire(&self.buttons)),
        }
        .serialize(serializer)
    }
}

/// The exact API body: `type`, `message`, then each side's grid when it has buttons.
impl Serialize for ConversationMessage {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
            kind: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            message: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            media_token: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            sender_buttons: Option<Value>,
            #[serde(skip_serializing_if = "Option::is_none")]
            receiver_buttons: Option<Value>,
        }
        let wire = |grid: &Grid| (!grid.is_empty()).then(|| grid::to_wire(grid));
        let (message, media_token) = self.content.text_or_media_token();
        let kind = message.map(|_| TEXT);
        Body {
            kind,
            message,
            media_token,
            sender_buttons: wire(&self.sender_buttons),
            receiver_buttons: wire(&self.receiver_buttons),
        }
        .serialize(serializer)
    }
}

impl Message {
    /// The exact bytes sent as the request body.
    pub fn to_body(&self) -> Vec<u8> {
        match self {
            Message::Chat(message) => serde_json::to_vec(message),
            Message::Conversation(message) => serde_json::to_vec(message),
            Message::Bot(message) => serde_json::to_vec(message),
        }
        .unwrap_or_default()
    }

    /// Where the message goes.
    pub fn recipient(&self) -> Recipient {
        match self {
            Message::Chat(message) => Recipient::Chat(message.chat.clone()),
            Message::Conversation(message) => Recipient::Conversation {
                id: message.conversation_id.clone(),
                post_token: message.post_token.clone(),
            },
            Message::Bot(_) => Recipient::Bot,
        }
    }

    /// What tells this message apart from every other: its body, and where it goes when
    /// the body does not say: a conversation, or the chatbot's conversation or user.
    pub fn identity(&self) -> Vec<u8> {
        let to = match self {
            Message::Chat(_) => return self.to_body(),
            Message::Conversation(message) => message.conversation_id.clone(),
            Message::Bot(message) => format!("bot {} {}", message.to.field(), message.to.id()),
        };
        let mut bytes = to.into_bytes();
        bytes.push(b'\n');
        bytes.extend(self.to_body());
        bytes
    }

    pub fn platform(&self) -> Platform {
        match self {
            Message::Chat(_) => Platform::Legacy,
            Message::Conversation(_) | Message::Bot(_) => Platform::Current,
        }
    }

    /// The message as one line of a batch file, in the message file's shape: the API body,
    /// with where it goes in front (a conversation's ID and the post named beside it, or
    /// the chatbot's conversation or user), and a file still to upload by its field and
    /// path.
    pub fn to_line(&self) -> Vec<u8> {
        let mut line = Map::new();
        let body = match self {
            Message::Chat(_) => return self.to_body(),
            Message::Conversation(message) => {
                line.insert(
                    "conversation_id".into(),
                    message.conversation_id.clone().into(),
                );
                if let Some(post) = &message.post_token {
                    line.insert("post_token".into(), post.clone().into());
                }
                serde_json::to_value(message)
            }
            Message::Bot(message) => {
                line.insert("bot".into(), true.into());
                line.insert(message.to.field().into(), message.to.id().into());
                serde_json::to_value(message)
            }
        };
        if let Ok(Value::Object(body)) = body {
            line.extend(body);
        }
        if let Some((kind, path)) = self.upload() {
            line.remove("media_token");
            line.insert(
                kind.field().into(),
                path.to_string_lossy().into_owned().into(),
            );
        }
        serde_json::to_vec(&line).unwrap_or_default()
    }

    /// What a current-platform message carries; `None` for a legacy one, always text.
    pub fn content(&self) -> Option<&Content> {
        match self {
            Message::Chat(_) => None,
            Message::Conversation(message) => Some(&message.content),
            Message::Bot(message) => Some(&message.content),
        }
    }

    /// The message's text; `None` for a medium.
    pub fn text(&self) -> Option<&str> {
        match (self, self.content()) {
            (Message::Chat(message), _) => Some(&message.text),
            (_, Some(Content::Text(text))) => Some(text),
            _ => None,
        }
    }

    /// The media token the message sends; `None` for text or a file still to upload.
    pub fn media_token(&self) -> Option<&str> {
        match self.content() {
            Some(Content::Media(token)) => Some(token),
            _ => None,
        }
    }

    /// The file the message still has to upload, if any.
    pub fn upload(&self) -> Option<(MediaKind, &Path)> {
        match self.content() {
            Some(Content::Upload { kind, path }) => Some((*kind, path)),
            _ => None,
        }
    }

    /// The message with the media token its upload answered with in place of the file.
    pub fn uploaded(mut self, media_token: String) -> Message {
        let content = match &mut self {
            Message::Chat(_) => return self,
            Message::Conversation(message) => &mut message.content,
            Message::Bot(message) => &mut message.content,
        };
        if matches!(content, Content::Upload { .. }) {
            *content = Content::Media(media_token);
        }
        self
    }
}
