//! Where and how a message is sent: the endpoint and headers of each platform and of the
//! chatbot; and where a conversation is read.

use url::Url;

use crate::http;
use crate::http::request::{Credentials, HeaderValue, PreparedRequest};
use crate::message::{BotRecipient, Message};

/// Where legacy messages are sent, relative to the API base URL.
pub const SEND_MESSAGE_PATH: &str = "v2/open-platform/chat/conversation";
/// Where a conversation's messages are sent, relative to the API base URL: this, then the
/// conversation's ID, then [`CONVERSATION_MESSAGES`].
pub const CONVERSATIONS_PATH: &str = "v2/open-platform/conversations/";
pub const CONVERSATION_MESSAGES: &str = "messages";
/// Where the chatbot sends to a conversation: this, the conversation's ID, `messages`.
pub const BOT_CONVERSATIONS_PATH: &str = "v1/open-platform/chat/bot/conversations/";
/// Where the chatbot sends to a user: this, the user's ID, `messages`.
pub const BOT_USERS_PATH: &str = "v1/open-platform/chat/bot/users/";
/// Where a conversation is read: this, then its ID.
pub const READ_PATH: &str = "v1/open-platform/chat/conversations/";

impl PreparedRequest {
    /// The message as its platform sends it: a legacy message to
    /// `POST /v2/open-platform/chat/conversation` with `x-access-token`, a conversation's to
    /// `POST /v2/open-platform/conversations/{id}/messages` with `Authorization: Bearer`,
    /// the chatbot's to `POST /v1/open-platform/chat/bot/conversations/{id}/messages` or
    /// `.../bot/users/{user_id}/messages`, also with `Authorization: Bearer`.
    pub fn send_message(base: &Url, message: &Message, credentials: &Credentials) -> Self {
        let token = credentials.access_token.clone();
        let (url, authorization) = match message {
            Message::Chat(_) => (
                http::url::join(base, SEND_MESSAGE_PATH),
                ("x-access-token", HeaderValue::Secret(token)),
            ),
            Message::Conversation(message) => (
                conversation_endpoint(base, &message.conversation_id),
                ("authorization", HeaderValue::Bearer(token)),
            ),
            Message::Bot(message) => (
                bot_endpoint(base, &message.to),
                ("authorization", HeaderValue::Bearer(token)),
            ),
        };
        PreparedRequest::api_post(url, &credentials.api_key, authorization, message.to_body())
    }
}

impl PreparedRequest {
    /// `GET /v1/open-platform/chat/conversations/{id}`: the conversation and its text
    /// messages, with the app's key and the user's token as a Bearer token.
    pub fn read_conversation(base: &Url, id: &str, credentials: &Credentials) -> Self {
        let mut url = http::url::join(base, READ_PATH);
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().push(id);
        }
        PreparedRequest {
            method: "GET",
            url,
            service: "the API",
            headers: vec![
                (
                    "x-api-key",
                    HeaderValue::Secret(credentials.api_key.clone()),
                ),
                (
                    "authorization",
                    HeaderValue::Bearer(credentials.access_token.clone()),
                ),
            ],
            body: Vec::new(),
            body_secrets: Vec::new(),
            upload: None,
        }
    }
}

/// Where the chatbot's message to `to` is sent, its ID one path segment.
pub fn bot_endpoint(base: &Url, to: &BotRecipient) -> Url {
    let path = match to {
        BotRecipient::Conversation(_) => BOT_CONVERSATIONS_PATH,
        BotRecipient::User(_) => BOT_USERS_PATH,
    };
    let mut url = http::url::join(base, path);
    if let Ok(mut segments) = url.path_segments_mut() {
        segments
            .pop_if_empty()
            .push(to.id())
            .push(CONVERSATION_MESSAGES);
    }
    url
}

/// Where the messages of conversation `id` are sent, the ID one path segment however it is
/// spelled (percent-encoded by the URL's own rules).
pub fn conversation_endpoint(base: &Url, id: &str) -> Url {
    let mut url = http::url::join(base, CONVERSATIONS_PATH);
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty().push(id).push(CONVERSATION_MESSAGES);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::draft::MessageDraft;
    use crate::secret::SecretString;

    #[test]
    fn a_conversation_id_is_one_path_segment() {
        let base = Url::parse("http://127.0.0.1:8080/prefix").unwrap();
        assert_eq!(
            conversation_endpoint(&base, "c-1").as_str(),
            "http://127.0.0.1:8080/prefix/v2/open-platform/conversations/c-1/messages"
        );
        assert_eq!(
            conversation_endpoint(&base, "a/b?c#d%").path(),
            "/prefix/v2/open-platform/conversations/a%2Fb%3Fc%23d%25/messages"
        );
    }

    #[test]
    fn a_conversation_message_goes_with_a_masked_bearer_token() {
        let message = MessageDraft {
            conversation_id: Some("c-1".into()),
            message: Some("hi".into()),
            ..Default::default()
        }
        .build()
        .unwrap();
        let credentials = Credentials {
            api_key: SecretString::new("key-1"),
            access_token: SecretString::new("tok-2"),
        };
        let base = Url::parse("https://open-api.divar.ir").unwrap();
        let request = PreparedRequest::send_message(&base, &message, &credentials);
        assert_eq!(
            request.url.as_str(),
            "https://open-api.divar.ir/v2/open-platform/conversations/c-1/messages"
        );
        let names: Vec<_> = request.headers.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ["content-type", "x-api-key", "authorization"]);
        let shown = request.render(false);
        assert!(shown.contains("authorization: Bearer ***\n"), "{shown}");
        assert!(!shown.contains("tok-2"), "{shown}");
        assert_eq!(
            request.to_json(true)["headers"]["authorization"],
            "Bearer tok-2"
        );
        assert_eq!(request.body, br#"{"type":"TEXT","message":"hi"}"#);
    }
}
