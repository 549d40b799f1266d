//! The send endpoint (protocol section 3), checked as Divar documents it, and the stored
//! messages as JSON for scripts and tests.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::store::{Grant, StoredMessage};
use super::{Sandbox, unix_time};
use crate::error::Error;
use crate::message::{Message, MessageDraft};
use crate::scope::{Chat, Recipient, Scope};

/// An answer in Divar's shape: `{"status": N, "message": "..."}`, N being the HTTP status.
pub(super) fn answer(status: StatusCode, message: &str) -> Response {
    let body = json!({"status": status.as_u16(), "message": message});
    (status, axum::Json(body)).into_response()
}

/// A request the sandbox does not accept, answered in Divar's shape.
#[derive(Debug)]
pub(super) struct Refusal {
    status: StatusCode,
    message: String,
    /// Seconds, for a 429.
    retry_after: Option<u64>,
}

impl Refusal {
    pub(super) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Refusal {
            status,
            message: message.into(),
            retry_after: None,
        }
    }
}

/// A failure of the sandbox itself (its data file, most likely).
impl From<Error> for Refusal {
    fn from(error: Error) -> Self {
        Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response = answer(self.status, &self.message);
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Checks the `x-api-key` header against the sandbox's key.
pub(super) fn check_api_key(sandbox: &Sandbox, headers: &HeaderMap) -> Result<(), Refusal> {
    match headers.get("x-api-key").map(HeaderValue::as_bytes) {
        Some(key) if key == sandbox.api_key.expose().as_bytes() => Ok(()),
        Some(_) => Err(Refusal::new(StatusCode::UNAUTHORIZED, "invalid API key")),
        None => Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "missing x-api-key header",
        )),
    }
}

/// `POST /v2/open-platform/chat/conversation`: the key, the quota, the token, the body,
/// then the token's scopes; the first that fails answers.
pub(super) async fn send(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    check_api_key(&sandbox, &headers)?;
    sandbox
        .quota
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take(Instant::now(), u64::try_from(unix_time()).unwrap_or(0))
        .map_err(|exceeded| Refusal {
            retry_after: Some(exceeded.retry_after),
            ..Refusal::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "{} exceeded: retry after {} seconds",
                    exceeded.limit, exceeded.retry_after
                ),
            )
        })?;
    let grant = access_grant(&sandbox, &headers)?;
    let message = MessageDraft::from_json("request body", &body)
        .and_then(MessageDraft::build)
        .map_err(|e| Refusal::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    let Message::Chat(message) = message else {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "conversation_id: this is the legacy platform's endpoint; a conversation's \
             messages go to /v2/open-platform/conversations/{conversation_id}/messages"
                .to_owned(),
        ));
    };
    let to = Recipient::Chat(message.chat.clone());
    if !grant.scopes.iter().any(|scope| scope.covers(&to).is_some()) {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            missing_scope(&message.chat),
        ));
    }
    sandbox.store.insert_message(&message, unix_time())?;
    Ok(answer(StatusCode::OK, "success"))
}

/// The grant behind the `x-access-token` header, if it is one the sandbox issued and
/// has not expired.
fn access_grant(sandbox: &Sandbox, headers: &HeaderMap) -> Result<Grant, Refusal> {
    let unauthorized = |message: &str| Refusal::new(StatusCode::UNAUTHORIZED, message);
    let token = headers
        .get("x-access-token")
        .ok_or_else(|| unauthorized("missing x-access-token header"))?
        .to_str()
        .map_err(|_| unauthorized("invalid access token"))?;
    match sandbox.store.token(token)? {
        None => Err(unauthorized("invalid access token")),
        Some(grant) if unix_time() >= grant.expires => {
            Err(unauthorized("the access token has expired"))
        }
        Some(grant) => Ok(grant),
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
pub(super) async fn messages(State(sandbox): State<Arc<Sandbox>>) -> Result<Response, Refusal> {
    let messages: Vec<Value> = sandbox.store.messages()?.iter().map(message_json).collect();
    Ok(axum::Json(json!({ "messages": messages })).into_response())
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
