//! The send endpoint (protocol section 3), checked as Divar documents it, and the stored
//! messages as JSON for scripts and tests.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use serde_json::{Value, json};

use super::store::{Grant, StoredMessage};
use super::{Sandbox, unix_time};
use crate::error::Error;
use crate::message::MessageDraft;
use crate::scope::{Chat, Scope};

/// An answer in Divar's shape: `{"status": N, "message": "..."}`, N being the HTTP status.
pub(super) fn answer(status: StatusCode, message: &str) -> Response {
    let body = json!({"status": status.as_u16(), "message": message});
    (status, axum::Json(body)).into_response()
}

/// The answer for a failure of the sandbox itself (its data file, most likely).
pub(super) fn failure(error: &Error) -> Response {
    answer(StatusCode::INTERNAL_SERVER_ERROR, &error.to_string())
}

/// Checks the `x-api-key` header against the sandbox's key.
pub(super) fn check_api_key(sandbox: &Sandbox, headers: &HeaderMap) -> Result<(), Response> {
    match headers.get("x-api-key").map(HeaderValue::as_bytes) {
        Some(key) if key == sandbox.api_key.expose().as_bytes() => Ok(()),
        Some(_) => Err(answer(StatusCode::UNAUTHORIZED, "invalid API key")),
        None => Err(answer(StatusCode::UNAUTHORIZED, "missing x-api-key header")),
    }
}

/// `POST /v2/open-platform/chat/conversation`: the key, the quota, the token, the body,
/// then the token's scopes; the first that fails answers.
pub(super) async fn send(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refusal) = check_api_key(&sandbox, &headers) {
        return refusal;
    }
    let taken = sandbox
        .quota
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take(Instant::now());
    if let Err(retry_after) = taken {
        let mut refusal = answer(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("rate limit exceeded: retry after {retry_after} seconds"),
        );
        refusal
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        return refusal;
    }
    let grant = match access_grant(&sandbox, &headers) {
        Ok(grant) => grant,
        Err(refusal) => return refusal,
    };
    let message = match MessageDraft::from_json("request body", &body).and_then(|d| d.build()) {
        Ok(message) => message,
        Err(e) => return answer(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    if !grant.scopes.iter().any(|scope| scope.covers(&message.chat)) {
        return answer(StatusCode::FORBIDDEN, &missing_scope(&message.chat));
    }
    match sandbox.store.insert_message(&message, unix_time()) {
        Ok(_) => answer(StatusCode::OK, "success"),
        Err(e) => failure(&e),
    }
}

/// The grant behind the `x-access-token` header, if it is one the sandbox issued and
/// has not expired.
fn access_grant(sandbox: &Sandbox, headers: &HeaderMap) -> Result<Grant, Response> {
    let unauthorized = |message: &str| answer(StatusCode::UNAUTHORIZED, message);
    let token = headers
        .get("x-access-token")
        .ok_or_else(|| unauthorized("missing x-access-token header"))?
        .to_str()
        .map_err(|_| unauthorized("invalid access token"))?;
    match sandbox.store.token(token) {
        Err(e) => Err(failure(&e)),
        Ok(None) => Err(unauthorized("invalid access token")),
        Ok(Some(grant)) if unix_time() >= grant.expires => {
            Err(unauthorized("the access token has expired"))
        }
        Ok(Some(grant)) => Ok(grant),
    }
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
/// plus its `id` and `received_at` (Unix seconds).
pub(super) async fn messages(State(sandbox): State<Arc<Sandbox>>) -> Response {
    match sandbox.store.messages() {
        Ok(messages) => {
            let messages: Vec<Value> = messages.iter().map(message_json).collect();
            axum::Json(json!({ "messages": messages })).into_response()
        }
        Err(e) => failure(&e),
    }
}

fn message_json(stored: &StoredMessage) -> Value {
    let mut fields = serde_json::Map::new();
    fields.insert("id".into(), stored.id.into());
    fields.insert("received_at".into(), stored.received_at.into());
    if let Ok(Value::Object(body)) = serde_json::to_value(&stored.message) {
        fields.extend(body);
    }
    Value::Object(fields)
}
