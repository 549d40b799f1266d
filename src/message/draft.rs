//! A message as written in a file or given by flags ([`MessageDraft`]), read with errors
//! that name where the problem is, merged (flags over a file) and checked into a
//! [`Message`].

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::button::{self, ButtonDraft, overlay_button};
use super::grid::GridDraft;
use super::json_text::{self, Origin};
use super::media_kind::MediaKind;
use super::{BotMessage, BotRecipient, ChatMessage, Content, ConversationMessage, Message, TEXT};
use crate::duplicate_keys::Step;
use crate::error::{self, Error, Result};
use crate::input;
use crate::scope::{self, Chat};
use crate::visible;

/// A message as written in a file or given by flags: every field optional, so that files
/// and flags can be merged before the whole is checked once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a JSON object")]
pub struct MessageDraft {
    /// The current platform's conversation; with it, the message is the current
    /// platform's, and the legacy IDs and buttons do not belong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_id: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_btn: Option<ButtonDraft>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver_btn: Option<ButtonDraft>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_buttons: Option<GridDraft>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver_buttons: Option<GridDraft>,
    /// A media token from an earlier upload, sent instead of text (current platform).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_token: Option<String>,
    /// A file to upload and send instead of text, by kind (current platform).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<String>,
    /// Divar's `file` kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// Send as the app's chatbot, to `conversation_id` or to `user_id` (current platform).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<bool>,
    /// A chatbot message's text, as the chatbot's API names it (`message` says the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_message: Option<String>,
    /// A chatbot message's one grid, shown to the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buttons: Option<GridDraft>,
}

impl MessageDraft {
    /// Reads a draft from JSON text; `source` names it in errors (a path, or "standard input").
    pub fn from_json(source: &str, bytes: &[u8]) -> Result<Self> {
        json_text::read(Origin::Document(source), bytes, object_at, None).map(|(draft, _)| draft)
    }

    /// Reads a draft from one line of a batch file, checked and worded as a message file
    /// is. The line may hold `extra` (its access token) beside the message's fields: that
    /// field's value is handed back apart.
    pub fn from_line(bytes: &[u8], extra: &str) -> Result<(Self, Option<Value>)> {
        json_text::read(Origin::Line, bytes, object_at, Some(extra))
    }

    /// Reads a draft from a file, or standard input for `-`.
    pub fn from_file(path: &Path) -> Result<Self> {
        Self::from_json(&input::source_name(path), &input::read_bounded(path)?)
    }

    /// Fills every field that `over` sets, keeping the rest: flags override a file.
    pub fn overlay(&mut self, over: MessageDraft) {
        fn set<T>(slot: &mut Option<T>, value: Option<T>) {
            if value.is_some() {
                *slot = value;
            }
        }
        set(&mut self.conversation_id, over.conversation_id);
        set(&mut self.user_id, over.user_id);
        set(&mut self.post_token, over.post_token);
        set(&mut self.peer_id, over.peer_id);
        set(&mut self.kind, over.kind);
        set(&mut self.bot, over.bot);
        set(&mut self.buttons, over.buttons);
        overlay_button(&mut self.sender_btn, over.sender_btn);
        overlay_button(&mut self.receiver_btn, over.receiver_btn);
        // A side's grid from the flags replaces the file's: its rows cannot be merged.
        set(&mut self.sender_buttons, over.sender_buttons);
        set(&mut self.receiver_buttons, over.receiver_buttons);
        // Text or a medium from the flags replaces the file's, whichever it had.
        let over_content = over.message.is_some()
            || over.text_message.is_some()
            || over.media_token.is_some()
            || [&over.image, &over.video, &over.voice, &over.document]
                .iter()
                .any(|path| path.is_some());
        if over_content {
            self.message = over.message;
            self.text_message = over.text_message;
            self.media_token = over.media_token;
            self.image = over.image;
            self.video = over.video;
            self.voice = over.voice;
            self.document = over.document;
        }
    }

    /// Whether the draft is a current-platform message to a conversation, not the
    /// chatbot's: it names a conversation.
    pub fn is_conversation(&self) -> bool {
        self.conversation_id.is_some() && !self.is_bot()
    }

    /// Whether the draft is a message from the app's chatbot.
    pub fn is_bot(&self) -> bool {
        self.bot == Some(true)
    }

    /// The media files the draft names, by kind.
    fn media_files(&self) -> Vec<(MediaKind, &str)> {
        [
            (MediaKind::Image, &self.image),
            (MediaKind::Video, &self.video),
            (MediaKind::Voice, &self.voice),
            (MediaKind::File, &self.document),
        ]
        .into_iter()
        .filter_map(|(kind, path)| path.as_deref().map(|path| (kind, path)))
        .collect()
    }

    /// Whether the draft sends a medium rather than text.
    pub fn has_media(&self) -> bool {
        self.media_token.is_some() || !self.media_files().is_empty()
    }

    /// Names (as JSON paths) the required fields that are still missing.
    pub fn missing(&self) -> Vec<&'static str> {
        if self.is_bot() {
            let to = self.conversation_id.is_none() && self.user_id.is_none();
            let text = self.message.is_none() && self.text_message.is_none();
            return [
                ("conversation_id or user_id", to),
                ("text_message", text && !self.has_media()),
            ]
            .into_iter()
            .filter_map(|(name, missing)| missing.then_some(name))
            .collect();
        }
        if self.is_conversation() {
            return if self.message.is_none() && !self.has_media() {
                vec!["message"]
            } else {
                Vec::new()
            };
        }
        [
            ("user_id", self.user_id.is_none()),
            ("post_token", self.post_token.is_none()),
            ("peer_id", self.peer_id.is_none()),
            ("message", self.message.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, missing)| missing.then_some(name))
        .collect()
    }

    /// Checks everything at once and reports every problem together.
    pub fn build(self) -> Result<Message> {
        if self.is_bot() {
            self.build_bot().map(Message::Bot)
        } else if self.is_conversation() {
            self.build_conversation().map(Message::Conversation)
        } else {
            self.build_chat().map(|chat| Message::Chat(Box::new(chat)))
        }
    }

    /// The problems common to both platforms: what is missing, the type and the text.
    fn common_problems(&self) -> Vec<String> {
        let mut problems: Vec<String> = self
            .missing()
            .into_iter()
            .map(|f| format!("{f}: missing"))
            .collect();
        if let Some(kind) = &self.kind
            && kind != TEXT
        {
            problems.push(format!(
                "type: must be \"TEXT\", not {}",
                visible::excerpt(kind)
            ));
        }
        if let Some(text) = &self.message
            && text.trim().is_empty()
        {
            problems.push("message: must not be blank".into());
        }
        for (field, given) in [
            ("text_message", self.text_message.is_some()),
            ("buttons", self.buttons.is_some()),
        ] {
            if given {
                problems.push(format!(
                    "{field}: a chatbot message's; add \"bot\": true to send as the app's chatbot"
                ));
            }
        }
        problems
    }

    fn build_bot(self) -> Result<BotMessage> {
        let mut problems: Vec<String> = self
            .missing()
            .into_iter()
            .map(|f| format!("{f}: missing"))
            .collect();
        let foreign = [
            ("type", self.kind.is_some()),
            ("post_token", self.post_token.is_some()),
            ("peer_id", self.peer_id.is_some()),
            ("sender_btn", self.sender_btn.is_some()),
            ("receiver_btn", self.receiver_btn.is_some()),
            ("sender_buttons", self.sender_buttons.is_some()),
            ("receiver_buttons", self.receiver_buttons.is_some()),
        ];
        for (field, _) in foreign.iter().filter(|(_, given)| *given) {
            let instead = if field.ends_with("btn") || field.ends_with("buttons") {
                "; give buttons, one grid shown to the user, instead"
            } else {
                ""
            };
            problems.push(format!("{field}: not part of a chatbot message{instead}"));
        }
        let to = match (self.conversation_id, self.user_id) {
            (Some(id), None) => scope::check_path_id("conversation_id", &id)
                .map(|()| Some(BotRecipient::Conversation(id))),
            (None, Some(id)) => {
                scope::check_path_id("user_id", &id).map(|()| Some(BotRecipient::User(id)))
            }
            (Some(_), Some(_)) => Err("conversation_id, user_id: a chatbot message goes to a \
                                       conversation or to a user, not both"
                .to_owned()),
            (None, None) => Ok(None),
        }
        .unwrap_or_else(|problem| {
            problems.push(problem);
            None
        });
        let (text_field, text) = match (self.message, self.text_message) {
            (Some(_), Some(_)) => {
                problems.push("message, text_message: give the text once".into());
                ("text_message", None)
            }
            (Some(text), None) => ("message", Some(text)),
            (None, text) => ("text_message", text),
        };
        if text.as_ref().is_some_and(|t| t.trim().is_empty()) {
            problems.push(format!("{text_field}: must not be blank"));
        }
        let files: Vec<(MediaKind, PathBuf)> = [
            (MediaKind::Image, self.image),
            (MediaKind::Video, self.video),
            (MediaKind::Voice, self.voice),
            (MediaKind::File, self.document),
        ]
        .into_iter()
        .filter_map(|(kind, path)| path.map(|path| (kind, PathBuf::from(path))))
        .collect();
        let content = content_of((text_field, text), self.media_token, &files, false)
            .unwrap_or_else(|found| {
                problems.extend(found);
                None
            });
        let buttons = self
            .buttons
            .map(|grid| grid.build("buttons"))
            .transpose()
            .unwrap_or_else(|found| {
                problems.extend(found);
                None
            })
            .unwrap_or_default();
        match (to, content) {
            (Some(to), Some(content)) if problems.is_empty() => Ok(BotMessage {
                to,
                content,
                buttons,
            }),
            _ => Err(Error::Invalid(problems)),
        }
    }

    fn build_conversation(self) -> Result<ConversationMessage> {
        let mut problems = self.common_problems();
        let files: Vec<(MediaKind, PathBuf)> = self
            .media_files()
            .into_iter()
            .map(|(kind, path)| (kind, PathBuf::from(path)))
            .collect();
        let legacy = [
            ("user_id", self.user_id.is_some()),
            ("peer_id", self.peer_id.is_some()),
            ("sender_btn", self.sender_btn.is_some()),
            ("receiver_btn", self.receiver_btn.is_some()),
        ];
        for (field, _) in legacy.iter().filter(|(_, given)| *given) {
            let instead = match *field {
                "sender_btn" => "; give sender_buttons, a grid, instead",
                "receiver_btn" => "; give receiver_buttons, a grid, instead",
                _ => "",
            };
            problems.push(format!(
                "{field}: belongs to the legacy platform, but conversation_id makes this a \
                 current-platform message, which names its chat by the conversation alone{instead}"
            ));
        }
        let conversation_id = self.conversation_id.unwrap_or_default();
        if let Err(problem) = scope::check_path_id("conversation_id", &conversation_id) {
            problems.push(problem);
        }
        if let Some(post) = &self.post_token
            && let Err(problem) = scope::check_id("post_token", post)
        {
            problems.push(problem);
        }
        let mut side = |draft: Option<GridDraft>, field: &str| {
            draft
                .map(|g| g.build(field))
                .transpose()
                .unwrap_or_else(|errs| {
                    problems.extend(errs);
                    None
                })
                .unwrap_or_default()
        };
        let sender_buttons = side(self.sender_buttons, "sender_buttons");
        let receiver_buttons = side(self.receiver_buttons, "receiver_buttons");
        let content = match content_of(
            ("message", self.message),
            self.media_token,
            &files,
            self.kind.is_some(),
        ) {
            Ok(content) => content,
            Err(found) => {
                problems.extend(found);
                None
            }
        };
        match content {
            Some(content) if problems.is_empty() => Ok(ConversationMessage {
                conversation_id,
                post_token: self.post_token,
                content,
                sender_buttons,
                receiver_buttons,
            }),
            _ => Err(Error::Invalid(problems)),
        }
    }

    fn build_chat(self) -> Result<ChatMessage> {
        let mut problems = self.common_problems();
        let media = self.media_files().into_iter().map(|(kind, _)| kind.field());
        for field in self
            .media_token
            .as_ref()
            .map(|_| "media_token")
            .into_iter()
            .chain(media)
        {
            problems.push(format!(
                "{field}: media messages are the current platform's; give conversation_id to \
                 send one to a conversation"
            ));
        }
        for (field, given) in [
            ("sender_buttons", self.sender_buttons.is_some()),
            ("receiver_buttons", self.receiver_buttons.is_some()),
        ] {
            if given {
                problems.push(format!(
                    "{field}: a grid is the current platform's; give conversation_id to send to \
                     a conversation, or {} for the legacy platform's one button",
                    field.replace("buttons", "btn")
                ));
            }
        }
        let sender = self.sender_btn.map(|b| b.build("sender_btn"));
        let receiver = self.receiver_btn.map(|b| b.build("receiver_btn"));
        for result in [&sender, &receiver].into_iter().flatten() {
            if let Err(errs) = result {
                problems.extend(errs.iter().cloned());
            }
        }
        let chat = match (self.user_id, self.post_token, self.peer_id) {
            (Some(user), Some(post), Some(peer)) => {
                error::gather(Chat::new(user, post, peer), &mut problems)?
            }
            _ => None,
        };
        match (chat, self.message, problems.is_empty()) {
            (Some(chat), Some(text), true) => Ok(ChatMessage {
                chat,
                text,
                sender_button: sender.and_then(Result::ok),
                receiver_button: receiver.and_then(Result::ok),
            }),
            _ => Err(Error::Invalid(problems)),
        }
    }
}

/// The content of a conversation's message: exactly one of text, a media token or one file
/// to upload; `typed` says whether the draft named a `type`, which only text has.
fn content_of(
    (text_field, text): (&str, Option<String>),
    media_token: Option<String>,
    files: &[(MediaKind, PathBuf)],
    typed: bool,
) -> std::result::Result<Option<Content>, Vec<String>> {
    let mut given: Vec<&str> = files.iter().map(|(kind, _)| kind.field()).collect();
    if media_token.is_some() {
        given.insert(0, "media_token");
    }
    if text.is_some() {
        given.insert(0, text_field);
    }
    if given.len() > 1 {
        let what = if text.is_some() {
            "a message carries text or a medium, not both, as the API refuses them together"
        } else {
            "a message carries one medium"
        };
        return Err(vec![format!("{}: {what}", given.join(", "))]);
    }
    if typed && text.is_none() && !given.is_empty() {
        return Err(vec![format!(
            "type: only a text message has one; leave it out with {}",
            given[0]
        )]);
    }
    if let Some(token) = &media_token
        && let Err(problem) = scope::check_visible("media_token", token)
    {
        return Err(vec![problem]);
    }
    if let Some(text) = text {
        return Ok(Some(Content::Text(text)));
    }
    if let Some(token) = media_token {
        return Ok(Some(Content::Media(token)));
    }
    Ok(files.first().map(|(kind, path)| Content::Upload {
        kind: *kind,
        path: path.clone(),
    }))
}

/// Where a message file must hold an object with named fields, since serde would read an
/// array into a struct field by field (`["u","p",...]` would pass for a message): the
/// message, each button and its `data`, each grid, its rows, their buttons and actions.
fn object_at(path: &[Step<'_>]) -> bool {
    let named = |step: &Step<'_>, names: &[&str]| matches!(step, Step::Key(key) if names.contains(&key.as_ref()));
    const BUTTONS: &[&str] = &["sender_btn", "receiver_btn"];
    const GRIDS: &[&str] = &["sender_buttons", "receiver_buttons", "buttons"];
    match path {
        [] => true,
        [side] => named(side, BUTTONS) || named(side, GRIDS),
        [side, data] => named(side, BUTTONS) && named(data, &["data"]),
        [grid, rows, Step::Index(_), rest @ ..] if named(grid, GRIDS) && named(rows, &["rows"]) => {
            match rest {
                [] => true,
                [buttons, Step::Index(_), button @ ..] if named(buttons, &["buttons"]) => {
                    match button {
                        [] => true,
                        [action] => named(action, &["action"]),
                        [action, kind] => {
                            named(action, &["action"]) && named(kind, &button::ACTIONS[1..])
                        }
                        _ => false,
                    }
                }
                _ => false,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::button::{ButtonAction, ButtonDataDraft};
    use crate::platform::Platform;
    use crate::scope::Recipient;
    use serde_json::json;

    fn parse(text: &str) -> Result<MessageDraft> {
        MessageDraft::from_json("msg.json", text.as_bytes())
    }

    fn full() -> Value {
        json!({
            "user_id": "u1", "post_token": "p1", "peer_id": "q1", "type": "TEXT",
            "message": "سلام",
            "sender_btn": {"action": "LINK", "data": {"icon_name": "i",
                            "extra_data": {"k": 1, "a": [true]}, "caption": "c"}},
            "receiver_btn": {"action": "DIRECT_LINK", "data": {"icon_name": "i2",
                            "direct_link": "https://example.com/x?y=1", "caption": "c2"}}
        })
    }

    #[test]
    fn round_trips_the_api_body_exactly() {
        let text = full().to_string();
        let message = parse(&text).unwrap().build().unwrap();
        assert_eq!(String::from_utf8(message.to_body()).unwrap(), text);
    }

    #[test]
    fn type_defaults_to_text_and_buttons_are_optional() {
        let message = parse(r#"{"user_id":"u","post_token":"p","peer_id":"q","message":"hi"}"#)
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(
            String::from_utf8(message.to_body()).unwrap(),
            r#"{"user_id":"u","post_token":"p","peer_id":"q","type":"TEXT","message":"hi"}"#
        );
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let err = parse("{\n  \"user_id\": \"u\",\n  \"message\": \n}")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "msg.json: line 4 column 1: message: expected value");
    }

    #[test]
    fn unknown_and_mistyped_fields_are_named() {
        let err = parse(r#"{"user_id":"u","colour":"red"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `colour`"), "{err}");
        let err = parse(r#""hello""#).unwrap_err().to_string();
        assert_eq!(
            err,
            "msg.json: line 1 column 7: invalid type: string \"hello\", expected a JSON object"
        );
        let err = parse(r#"{"user_id":"u","sender_btn":{"da"#)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "msg.json: line 1 column 32: EOF while parsing a string"
        );
        let err = parse(r#"{"sender_btn":{"data":{"caption":"c","#)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "msg.json: line 1 column 37: EOF while parsing a value");
        let err = parse(r#"{"sender_btn":{"data":{"caption":5}}}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("sender_btn.data.caption: invalid type"),
            "{err}"
        );
        assert!(err.starts_with("msg.json: line 1 column "), "{err}");
    }

    #[test]
    fn trailing_data_and_bom_are_refused() {
        assert!(parse("{} {}").unwrap_err().to_string().contains("trailing"));
        let err = MessageDraft::from_json("m", b"\xEF\xBB\xBF{}").unwrap_err();
        assert!(err.to_string().contains("byte-order mark"));
    }

    #[test]
    fn every_problem_is_reported_together() {
        let err = parse(
            r#"{"peer_id":"a:b","message":"  ","type":"IMAGE",
               "sender_btn":{"action":"LINK","data":{"extra_data":[1]}},
               "receiver_btn":{"data":{"icon_name":"i","caption":"c","direct_link":"ftp://x"}}}"#,
        )
        .unwrap()
        .build()
        .unwrap_err()
        .to_string();
        for expected in [
            "user_id: missing",
            "post_token: missing",
            "type: must be \"TEXT\"",
            "message: must not be blank",
            "sender_btn.data.icon_name: missing",
            "sender_btn.data.caption: missing",
            "sender_btn.data.extra_data: must be a JSON object, not an array",
            "receiver_btn.data.direct_link: must be an http or https URL",
        ] {
            assert!(err.contains(expected), "{expected:?} not in {err}");
        }
    }

    #[test]
    fn a_button_needs_exactly_one_target() {
        let both = r#"{"user_id":"u","post_token":"p","peer_id":"q","message":"m",
            "sender_btn":{"data":{"icon_name":"i","caption":"c","extra_data":{},"direct_link":"https://x"}}}"#;
        let err = parse(both).unwrap().build().unwrap_err().to_string();
        assert!(err.contains("not both"), "{err}");
        let none = r#"{"user_id":"u","post_token":"p","peer_id":"q","message":"m",
            "sender_btn":{"data":{"icon_name":"i","caption":"c"}}}"#;
        let err = parse(none).unwrap().build().unwrap_err().to_string();
        assert!(err.contains("needs either extra_data"), "{err}");
    }

    #[test]
    fn flags_override_the_file() {
        let mut draft: MessageDraft = serde_json::from_value(full()).unwrap();
        draft.overlay(MessageDraft {
            message: Some("new".into()),
            sender_btn: Some(ButtonDraft {
                action: None,
                data: ButtonDataDraft {
                    direct_link: Some("https://d.example".into()),
                    ..Default::default()
                },
            }),
            ..Default::default()
        });
        let Message::Chat(message) = draft.build().unwrap() else {
            panic!("not a chat message");
        };
        assert_eq!(message.text, "new");
        let sender = message.sender_button.unwrap();
        assert_eq!(
            sender.action,
            ButtonAction::DirectLink {
                url: "https://d.example".into()
            }
        );
        assert_eq!(sender.caption, "c");
    }

    #[test]
    fn a_conversation_message_is_the_current_platforms_body() {
        let draft = parse(
            r#"{"conversation_id": "c-1", "message": "سلام",
                "receiver_buttons": {"rows": [{"buttons": [
                  {"action": {"open_server_link": {"data": {"k": 1}}}, "icon": "INFO", "caption": "Ask"}
                ]}]}}"#,
        )
        .unwrap();
        let message = draft.build().unwrap();
        assert_eq!(message.platform(), Platform::Current);
        assert_eq!(
            String::from_utf8(message.to_body()).unwrap(),
            r#"{"type":"TEXT","message":"سلام","receiver_buttons":{"rows":[{"buttons":[{"action":{"open_server_link":{"data":{"k":1}}},"icon":"INFO","caption":"Ask"}]}]}}"#
        );
        assert_eq!(
            message.recipient(),
            Recipient::Conversation {
                id: "c-1".into(),
                post_token: None
            }
        );
        // The conversation is part of what tells two messages apart.
        let other = parse(r#"{"conversation_id": "c-2", "message": "سلام"}"#)
            .unwrap()
            .build()
            .unwrap();
        let same_text = parse(r#"{"conversation_id": "c-1", "message": "سلام"}"#)
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(other.to_body(), same_text.to_body());
        assert_ne!(other.identity(), same_text.identity());
    }

    #[test]
    fn the_platforms_fields_do_not_mix() {
        let err = parse(
            r#"{"conversation_id": "c", "user_id": "u", "peer_id": "p", "message": "m",
                "sender_btn": {"data": {"icon_name": "x", "caption": "c", "direct_link": "https://a.example"}}}"#,
        )
        .unwrap()
        .build()
        .unwrap_err()
        .to_string();
        for field in [
            "user_id: belongs to the legacy platform",
            "peer_id: belongs",
            "sender_btn: belongs",
        ] {
            assert!(err.contains(field), "{err}");
        }
        assert!(
            err.contains("give sender_buttons, a grid, instead"),
            "{err}"
        );
        let err = parse(
            r#"{"user_id": "u", "post_token": "p", "peer_id": "q", "message": "m",
                "receiver_buttons": {"rows": []}}"#,
        )
        .unwrap()
        .build()
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("receiver_buttons: a grid is the current platform's"),
            "{err}"
        );
        // A post token beside a conversation ID only helps pick a token.
        let message = parse(r#"{"conversation_id": "c", "post_token": "P", "message": "m"}"#)
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(message.to_body(), br#"{"type":"TEXT","message":"m"}"#);
    }

    #[test]
    fn grid_fields_are_checked_by_name_and_shape() {
        for (text, expected) in [
            (
                r#"{"conversation_id": "c", "message": "m", "sender_buttons": {"rows": [{"buttons": [{"icon": "INFO", "caption": "c", "action": {}, "colour": 1}]}]}}"#,
                "sender_buttons.rows[0].buttons[0].colour: unknown field `colour`",
            ),
            (
                r#"{"conversation_id": "c", "message": "m", "sender_buttons": {"rows": [["x"]]}}"#,
                "sender_buttons.rows[0]: must be a JSON object with named fields, not an array",
            ),
            (
                r#"{"conversation_id": "c", "message": "m", "sender_buttons": {"rows": [{"buttons": [{"icon": "INFO", "caption": "c", "action": {"open_server_link": ["x"]}}]}]}}"#,
                "action.open_server_link: must be a JSON object with named fields",
            ),
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        }
        let err = parse(r#"{"conversation_id": "", "message": " "}"#)
            .unwrap()
            .build()
            .unwrap_err()
            .to_string();
        assert!(err.contains("conversation_id: must not be empty"), "{err}");
        assert!(err.contains("message: must not be blank"), "{err}");
    }
}
