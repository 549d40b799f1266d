//! A click on a LINK button in the chat view, done as Divar does it (protocol section 4):
//! POST the session initialization request to the app, then send the browser to the
//! `url` the app answers with. A bad answer is shown in the chat view.

use std::sync::Arc;

use axum::extract::{Form, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::Sandbox;
use super::chat_view::render;
use super::store::StoredMessage;
use crate::client::{self, HeaderValue, PreparedRequest};
use crate::error::{Error, Result};
use crate::http_url;
use crate::message::ButtonAction;

/// Where the chat view's LINK buttons post to.
pub(super) const CLICK_PATH: &str = "/sandbox/click";

#[derive(Debug, Deserialize)]
pub(super) struct Click {
    message: i64,
    /// "sender" or "receiver": whose button was clicked.
    side: String,
}

/// `POST /sandbox/click`.
pub(super) async fn click(
    State(sandbox): State<Arc<Sandbox>>,
    Form(click): Form<Click>,
) -> Response {
    match open(&sandbox, &click).await {
        Ok(url) => (StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response(),
        Err(e) => render(
            &sandbox,
            StatusCode::BAD_GATEWAY,
            Some(&format!(
                "The {} did not open: {e}",
                button_kind(&sandbox, &click)
            )),
        ),
    }
}

/// What the clicked button is, as the chat view names it.
fn button_kind(sandbox: &Sandbox, click: &Click) -> &'static str {
    let stored = sandbox.store.message(click.message).ok().flatten();
    let message = stored.as_ref().map(|stored| &stored.message);
    let button = match click.side.as_str() {
        "sender" => message.and_then(|m| m.sender_button.as_ref()),
        _ => message.and_then(|m| m.receiver_button.as_ref()),
    };
    match button.map(|b| &b.action) {
        Some(ButtonAction::DirectLink { .. }) => "DIRECT_LINK button",
        _ => "LINK button",
    }
}

/// Calls the app and returns the URL it answered with.
async fn open(sandbox: &Sandbox, click: &Click) -> Result<String> {
    let Some(endpoint) = &sandbox.session_init_url else {
        return Err(Error::invalid(
            "no session initialization URL: start the sandbox with --session-init-url URL",
        ));
    };
    let stored = sandbox
        .store
        .message(click.message)?
        .ok_or_else(|| Error::invalid(format!("no message {}", click.message)))?;
    let request = PreparedRequest {
        method: "POST",
        url: endpoint.clone(),
        headers: vec![
            (
                "content-type",
                HeaderValue::Plain("application/json".into()),
            ),
            (
                "authorization",
                HeaderValue::Secret(sandbox.session_init_auth.clone()),
            ),
        ],
        body: session_request(sandbox, &stored, &click.side)?
            .to_string()
            .into_bytes(),
        body_secrets: Vec::new(),
        upload: None,
    };
    let answer = sandbox.client.execute(&request).await?;
    let body = client::check_answer(&answer)?;
    let Some(Value::String(url)) = body.get("url") else {
        return Err(Error::Unavailable(format!(
            "the app's answer has no \"url\" string: {}",
            client::quote(&answer.body)
        )));
    };
    http_url::parse(url)
        .map_err(|problem| Error::Unavailable(format!("the app's \"url\": {problem}")))?;
    Ok(url.clone())
}

/// The session initialization request's body. The user a message was sent as is taken
/// to be the post's owner (the seller); the clicker is whoever's button was clicked.
fn session_request(sandbox: &Sandbox, stored: &StoredMessage, side: &str) -> Result<Value> {
    let message = &stored.message;
    let chat = &message.chat;
    let (button, clicker, peer) = match side {
        "sender" => (&message.sender_button, &chat.user_id, &chat.peer_id),
        "receiver" => (&message.receiver_button, &chat.peer_id, &chat.user_id),
        other => {
            return Err(Error::invalid(format!(
                "side: must be \"sender\" or \"receiver\", not {other:?}"
            )));
        }
    };
    let extra_data = match button.as_ref().map(|b| &b.action) {
        Some(ButtonAction::Link { extra_data }) => extra_data,
        Some(ButtonAction::DirectLink { .. }) => {
            return Err(Error::invalid(format!(
                "the {side}'s button of message {} is a DIRECT_LINK: it opens its link \
                 directly, without the app",
                stored.id
            )));
        }
        None => {
            return Err(Error::invalid(format!(
                "message {} has no button for its {side}",
                stored.id
            )));
        }
    };
    let mut callback_url = sandbox.base_url.clone();
    callback_url.set_fragment(Some(&format!("m{}-{side}", stored.id)));
    let mut body = Map::new();
    body.insert(
        "extra_data".into(),
        json!({ "provider_data": Value::Object(extra_data.clone()) }),
    );
    body.insert("callback_url".into(), callback_url.as_str().into());
    body.insert("post_token".into(), chat.post_token.as_str().into());
    body.insert("user_id".into(), clicker.as_str().into());
    body.insert("peer_id".into(), peer.as_str().into());
    body.insert(
        sandbox.supplier_key.as_str().into(),
        json!({ "id": chat.user_id }),
    );
    body.insert("demand".into(), json!({ "id": chat.peer_id }));
    Ok(Value::Object(body))
}
