//! The legacy platform's send endpoint (protocol section 3), checked as Divar documents
//! it, and the stored messages as JSON for scripts and tests.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::checks::{Refusal, access_grant, answer, check_api_key, take_quota};
use super::media;
use super::store::StoredMessage;
use super::{Sandbox, unix_time};
use crate::message::Message;
use crate::message::draft::MessageDraft;
use crate::scope::{Chat, Recipient, Scope};

/// `POST /v2/open-platform/chat/conversation`: the key, the quota, the token, the body,
/// then the token's scopes; the first that fails answers.
pub(super) async fn send(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    check_api_key(&sandbox, &headers)?;
    take_quota(&sandbox)?;
    let grant = access_grant(&sandbox, x_access_token(&headers)?)?;
    let message = MessageDraft::from_json("request body", &body)
        .and_then(MessageDraft::build)
        .map_err(|e| Refusal::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    let Message::Chat(chat_message) = &message else {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "conversation_id: this is the legacy platform's endpoint; a conversation's \
             messages go to /v2/open-platform/conversations/{conversation_id}/messages"
                .to_owned(),
        ));
    };
    let chat = &chat_message.chat;
    let to = Recipient::Chat(chat.clone());
    if !grant.scopes.iter().any(|scope| scope.covers(&to).is_some()) {
        return Err(Refusal::new(StatusCode::FORBIDDEN, missing_scope(chat)));
    }
    sandbox
        .store
        .insert_message(&message, &chat.user_id, unix_time())?;
    Ok(answer(StatusCode::OK, "success"))
}

/// The legacy platform's `x-access-token` header.
fn x_access_token(headers: &HeaderMap) -> Result<&str, Refusal> {
    let unauthorized = |message: &str| Refusal::new(StatusCode::UNAUTHORIZED, message);
    headers
        .get("x-access-token")
        .ok_or_else(|| unauthorized("missing x-access-token header"))?
        .to_str()
        .map_err(|_| unauthorized("invalid access token"))
}

fn missing_scope(chat: &Chat) -> String {
    format!(
        "the access token does not allow sending in the chat between {} and {} about post {}: \
         it needs {} or {}",
        chat.user_id,
        chat.peer_id,
        chat.post_token,
        Scope::Chat(chat.clone()),
        Scope::PostChats(chat.post_token.clone()),
    )
}

/// `GET /sandbox/messages`: every accepted message, oldest first, each the body as sent
/// plus its `id` and `received_at` (Unix seconds), for a conversation's message its
/// `conversation_id` and `sender_id`, for a media message its `media` as uploaded, and for
/// a reply typed in the chat view `typed_in_chat_view` and what became of its webhook.
pub(super) async fn messages(State(sandbox): State<Arc<Sandbox>>) -> Result<Response, Refusal> {
    let messages: Vec<Value> = sandbox.store.messages()?.iter().map(message_json).collect();
    Ok(axum::Json(json!({ "messages": messages })).into_response())
}

fn message_json(stored: &StoredMessage) -> Value {
    let mut fields = serde_json::Map::new();
    fields.insert("id".into(), stored.id.into());
    fields.insert("received_at".into(), stored.received_at.into());
    if let Message::Conversation(message) = &stored.message {
        fields.insert(
            "conversation_id".into(),
            message.conversation_id.as_str().into(),
        );
        fields.insert("sender_id".into(), stored.chat.user_id.as_str().into());
    }
    if let Ok(Value::Object(body)) = serde_json::from_slice(&stored.message.to_body()) {
        fields.extend(body);
    }
    if let Some(medium) = &stored.medium {
        fields.insert(
            "media".into(),
            json!({
                "kind": medium.kind.name(),
                "file_name": medium.file_name,
                "content_type": medium.content_type,
                "size": medium.size,
                "url": media::url(&medium.token),
            }),
        );
    }
    if stored.by_person {
        fields.insert("typed_in_chat_view".into(), true.into());
    }
    if let Some(delivery) = &stored.delivery {
        fields.insert(
            "delivery".into(),
            serde_json::to_value(delivery).unwrap_or(Value::Null),
        );
    }
    Value::Object(fields)
}
