//! Which buttons each side of a message sees, on either platform, and what each platform
//! calls their actions. A legacy message has at most one button a side, shown as a row of
//! its own; a conversation's message has a grid a side.

use crate::error::{Error, Result};
use crate::message::Message;
use crate::message::button::{Button, ButtonAction};

/// One side of a message: the sender's copy, or the receiver's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Sender,
    Receiver,
}

impl Side {
    pub(super) fn parse(value: &str) -> Result<Self> {
        match value {
            "sender" => Ok(Side::Sender),
            "receiver" => Ok(Side::Receiver),
            other => Err(Error::invalid(format!(
                "side: must be \"sender\" or \"receiver\", not {other:?}"
            ))),
        }
    }

    pub(super) fn as_str(self) -> &'static str {
        match self {
            Side::Sender => "sender",
            Side::Receiver => "receiver",
        }
    }
}

/// The buttons `side` sees under `message`, row by row.
pub(super) fn rows(message: &Message, side: Side) -> Vec<Vec<&Button>> {
    match message {
        Message::Chat(message) => {
            let button = match side {
                Side::Sender => &message.sender_button,
                Side::Receiver => &message.receiver_button,
            };
            button.iter().map(|button| vec![button]).collect()
        }
        Message::Conversation(message) => {
            let grid = match side {
                Side::Sender => &message.sender_buttons,
                Side::Receiver => &message.receiver_buttons,
            };
            grid.iter().map(|row| row.iter().collect()).collect()
        }
        // The chatbot's buttons show to the user it writes to.
        Message::Bot(message) => match side {
            Side::Sender => Vec::new(),
            Side::Receiver => message
                .buttons
                .iter()
                .map(|row| row.iter().collect())
                .collect(),
        },
    }
}

/// The button at `row` and `column` (from 0) of the ones `side` sees.
pub(super) fn at(message: &Message, side: Side, row: usize, column: usize) -> Option<&Button> {
    rows(message, side).get(row)?.get(column).copied()
}

/// What the message's platform calls the button's action.
pub(super) fn action_name(message: &Message, action: &ButtonAction) -> &'static str {
    match message {
        Message::Chat(_) => action.legacy_name().unwrap_or_else(|| action.name()),
        _ => action.name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::button::LINK;
    use crate::message::draft::MessageDraft;

    fn build(json: &str) -> Message {
        MessageDraft::from_json("test", json.as_bytes())
            .unwrap()
            .build()
            .unwrap()
    }

    #[test]
    fn each_side_sees_its_own_rows() {
        let message = build(
            r#"{"conversation_id": "c", "message": "m",
                "sender_buttons": {"rows": [
                    {"buttons": [{"action": {"open_direct_link": "https://a.example/"}, "icon": "INFO", "caption": "a"},
                                 {"action": {"open_server_link": {"data": {}}}, "icon": "INFO", "caption": "b"}]},
                    {"buttons": [{"action": {"open_direct_link": "https://c.example/"}, "icon": "INFO", "caption": "c"}]}]}}"#,
        );
        let captions: Vec<Vec<&str>> = rows(&message, Side::Sender)
            .iter()
            .map(|row| row.iter().map(|b| b.caption.as_str()).collect())
            .collect();
        assert_eq!(captions, [vec!["a", "b"], vec!["c"]]);
        assert!(rows(&message, Side::Receiver).is_empty());
        let b = at(&message, Side::Sender, 0, 1).unwrap();
        assert_eq!(action_name(&message, &b.action), "open_server_link");
        assert!(at(&message, Side::Sender, 1, 1).is_none());

        let legacy = build(
            r#"{"user_id": "u", "post_token": "p", "peer_id": "q", "message": "m",
                "receiver_btn": {"action": "LINK", "data": {"icon_name": "i", "caption": "r", "extra_data": {}}}}"#,
        );
        let button = at(&legacy, Side::Receiver, 0, 0).unwrap();
        assert_eq!(button.caption, "r");
        assert_eq!(action_name(&legacy, &button.action), LINK);
        assert!(rows(&legacy, Side::Sender).is_empty());
        assert_eq!(Side::parse("sender").unwrap().as_str(), "sender");
        assert!(Side::parse("peer").is_err());
    }
}
