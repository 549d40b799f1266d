//! Reading a conversation (events.md section 5):
//! `GET /v1/open-platform/chat/conversations/{conversation_id}`, with a Bearer token whose
//! scope is `CHAT_CONVERSATION_READ.{conversation_id}` and whose user is a side of it. It
//! answers the conversation and its text messages, oldest first, as Divar does: media
//! messages are left out.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::Sandbox;
use super::checks::{Refusal, RpcRefusal, access_grant, bearer_token, check_api_key};
use super::store::BOT_SENDER;
use crate::message::{BotRecipient, Content, Message};
use crate::scope::{Recipient, Scope};
use crate::time;

/// `GET /v1/open-platform/chat/conversations/{conversation_id}`: the key, the token, its
/// scope and its user; the first that fails answers.
pub(super) async fn read(
    State(sandbox): State<Arc<Sandbox>>,
    Path(conversation_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, RpcRefusal> {
    check_api_key(&sandbox, &headers)?;
    let grant = access_grant(&sandbox, bearer_token(&headers)?)?;
    let to = Recipient::Reading(conversation_id.clone());
    if !grant.scopes.iter().any(|scope| scope.covers(&to).is_some()) {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            format!(
                "the access token (of user {}) does not allow reading conversation \
                 {conversation_id}: it needs {}",
                grant.user_id,
                Scope::Read(conversation_id.clone())
            ),
        )
        .into());
    }
    let Some(conversation) = sandbox.store.conversation(&conversation_id)? else {
        return Err(Refusal::new(
            StatusCode::NOT_FOUND,
            format!("conversation {conversation_id} is not known"),
        )
        .into());
    };
    if grant.user_id != conversation.seller_id && grant.user_id != conversation.buyer_id {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            format!(
                "user {} is neither side of conversation {conversation_id}",
                grant.user_id
            ),
        )
        .into());
    }
    let about = if conversation.seller_id == BOT_SENDER {
        json!({"id": conversation.id, "type": "BOT"})
    } else {
        json!({"id": conversation.id, "post_token": conversation.post_token, "type": "POST"})
    };
    let messages: Vec<Value> = sandbox
        .store
        .messages()?
        .into_iter()
        .filter_map(|stored| {
            let (to, content) = match &stored.message {
                Message::Conversation(message) => {
                    (message.conversation_id.as_str(), &message.content)
                }
                Message::Bot(message) => match &message.to {
                    BotRecipient::Conversation(id) => (id.as_str(), &message.content),
                    BotRecipient::User(_) => return None,
                },
                Message::Chat(_) => return None,
            };
            let Content::Text(text) = content else {
                return None;
            };
            if to != conversation_id {
                return None;
            }
            // The chatbot's messages have no side, as in Divar's NEW_CHATBOT_MESSAGE. What
            // an app sends comes back from a bot, as in Divar's NEW_MESSAGE example; what
            // a person typed in the chat view, from a human.
            let kind = if stored.by_person { "HUMAN" } else { "BOT" };
            let sender = match &stored.message {
                Message::Bot(_) => json!({"type": "BOT"}),
                _ if stored.chat.user_id == conversation.seller_id => {
                    json!({"side": "SELLER", "type": kind})
                }
                _ => json!({"side": "BUYER", "type": kind}),
            };
            let sent_at = u64::try_from(stored.received_at).map_or(0, |t| t);
            Some(json!({
                "id": stored.id.to_string(),
                "conversation": about,
                "sender": sender,
                "type": "TEXT",
                "sent_at": time::rfc3339(sent_at),
                "text": text,
            }))
        })
        .collect();
    Ok(Json(json!({"conversation": about, "messages": messages})))
}
