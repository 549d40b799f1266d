//! The chatbot's send endpoints (events.md section 4):
//! `POST /v1/open-platform/chat/bot/users/{user_id}/messages`, which opens the user's
//! conversation with the app's chatbot, and
//! `POST /v1/open-platform/chat/bot/conversations/{conversation_id}/messages`, which
//! writes in one it knows. Both take a Bearer token with `CHAT_BOT_USER_MESSAGE_SEND`, check
//! the body by the library's own rules and answer `{"conversation_id": ...}`.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::checks::{Refusal, RpcRefusal, access_grant, bearer_token, check_api_key, take_quota};
use super::store::{BOT_SENDER, Conversation, Grant};
use super::{Sandbox, unix_time};
use crate::message::draft::MessageDraft;
use crate::scope::{Recipient, Scope};

/// `POST /v1/open-platform/chat/bot/users/{user_id}/messages`: to the token's own user, in
/// their conversation with the chatbot, opened by the first message.
pub(super) async fn to_user(
    State(sandbox): State<Arc<Sandbox>>,
    Path(user_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, RpcRefusal> {
    let grant = check(&sandbox, &headers)?;
    if user_id != grant.user_id {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            format!(
                "user {user_id} is not the token's own user ({}): the chatbot writes to the \
                 user who granted the token",
                grant.user_id
            ),
        )
        .into());
    }
    // One conversation a user, with an ID the user's own gives.
    let digest = Sha256::digest(user_id.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let id = format!("bot-{:016x}", u64::from_be_bytes(first));
    sandbox.store.insert_conversation(&Conversation {
        id: id.clone(),
        post_token: String::new(),
        seller_id: BOT_SENDER.to_owned(),
        buyer_id: user_id,
    })?;
    keep(&sandbox, &id, &body)
}

/// `POST /v1/open-platform/chat/bot/conversations/{conversation_id}/messages`: in a
/// conversation of the chatbot with the token's user.
pub(super) async fn to_conversation(
    State(sandbox): State<Arc<Sandbox>>,
    Path(conversation_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, RpcRefusal> {
    let grant = check(&sandbox, &headers)?;
    match sandbox.store.conversation(&conversation_id)? {
        Some(conversation)
            if conversation.seller_id == BOT_SENDER && conversation.buyer_id == grant.user_id => {}
        _ => {
            return Err(Refusal::new(
                StatusCode::NOT_FOUND,
                format!(
                    "conversation {conversation_id} is not a conversation of the app's chatbot \
                     with user {}; a message to the user opens one",
                    grant.user_id
                ),
            )
            .into());
        }
    }
    keep(&sandbox, &conversation_id, &body)
}

/// The key, the quota, the token and its scope; the first that fails answers.
fn check(sandbox: &Sandbox, headers: &HeaderMap) -> Result<Grant, Refusal> {
    check_api_key(sandbox, headers)?;
    take_quota(sandbox)?;
    let grant = access_grant(sandbox, bearer_token(headers)?)?;
    if !grant
        .scopes
        .iter()
        .any(|scope| scope.covers(&Recipient::Bot).is_some())
    {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            format!(
                "the access token (of user {}) does not allow sending as the app's chatbot: it \
                 needs {}",
                grant.user_id,
                Scope::Bot
            ),
        ));
    }
    Ok(grant)
}

/// Checks the body as `send --bot` checks a message file, keeps the message in
/// `conversation_id`, and answers where it went.
fn keep(sandbox: &Sandbox, conversation_id: &str, body: &[u8]) -> Result<Json<Value>, RpcRefusal> {
    let invalid = |message: String| Refusal::new(StatusCode::BAD_REQUEST, message);
    let mut draft =
        MessageDraft::from_json("request body", body).map_err(|e| invalid(e.to_string()))?;
    let foreign: Vec<String> = [
        ("bot", draft.bot.is_some()),
        ("conversation_id", draft.conversation_id.is_some()),
        ("user_id", draft.user_id.is_some()),
    ]
    .into_iter()
    .filter(|(_, given)| *given)
    .map(|(field, _)| format!("{field}: not a field of the body (the path names where it goes)"))
    .collect();
    if !foreign.is_empty() {
        return Err(invalid(foreign.join("\n")).into());
    }
    draft.bot = Some(true);
    draft.conversation_id = Some(conversation_id.to_owned());
    let message = draft.build().map_err(|e| invalid(e.to_string()))?;
    if let Some(token) = message.media_token()
        && sandbox.store.medium(token)?.is_none()
    {
        return Err(invalid(format!(
            "media_token: {token:?} is not a media token this sandbox issued; upload the file first"
        ))
        .into());
    }
    sandbox
        .store
        .insert_message(&message, BOT_SENDER, unix_time())?;
    Ok(Json(json!({ "conversation_id": conversation_id })))
}
