//! A click on a LINK or `open_server_link` button in the chat view, done as Divar does
//! it: POST the app's session initialization (server-link) request, in the shape of the
//! message's platform (protocol section 4 or 5), then send the browser to the `url` the
//! app answers with. A bad answer is shown in the chat view.

use std::sync::Arc;

use axum::extract::{Form, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::Sandbox;
use super::buttons::{self, Side};
use super::chat_view::render;
use super::store::StoredMessage;
use crate::client::{self, HeaderValue, PreparedRequest};
use crate::error::{Error, Result};
use crate::http_url;
use crate::message::Message;
use crate::message::button::{Button, ButtonAction};
use crate::visible;

/// Where the chat view's LINK and `open_server_link` buttons post to.
pub(super) const CLICK_PATH: &str = "/sandbox/click";

#[derive(Debug, Deserialize)]
pub(super) struct Click {
    message: i64,
    /// "sender" or "receiver": whose button was clicked.
    side: String,
    /// Where the button is among that side's (a legacy message has only 0, 0).
    #[serde(default)]
    row: usize,
    #[serde(default)]
    column: usize,
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
                "The {} button did not open: {e}",
                button_kind(&sandbox, &click)
            )),
        ),
    }
}

/// What the clicked button is, as the chat view names it.
fn button_kind(sandbox: &Sandbox, click: &Click) -> &'static str {
    let stored = sandbox.store.message(click.message).ok().flatten();
    let named = stored.as_ref().and_then(|stored| {
        let (_, button) = clicked(stored, click).ok()?;
        Some(buttons::action_name(&stored.message, &button.action))
    });
    match (named, stored.as_ref().map(|stored| &stored.message)) {
        (Some(name), _) => name,
        (None, Some(Message::Conversation(_))) => "open_server_link",
        (None, _) => "LINK",
    }
}

/// The side and the button the click names.
fn clicked<'a>(stored: &'a StoredMessage, click: &Click) -> Result<(Side, &'a Button)> {
    let side = Side::parse(&click.side)?;
    let button = buttons::at(&stored.message, side, click.row, click.column).ok_or_else(|| {
        Error::invalid(format!(
            "message {} has no button for its {} at row {}, column {}",
            stored.id, click.side, click.row, click.column
        ))
    })?;
    Ok((side, button))
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
    let (side, button) = clicked(&stored, click)?;
    let ButtonAction::Link { extra_data } = &button.action else {
        return Err(Error::invalid(format!(
            "the {}'s button of message {} opens its link directly ({}), without the app",
            click.side,
            stored.id,
            buttons::action_name(&stored.message, &button.action)
        )));
    };
    let mut headers = vec![
        (
            "content-type",
            HeaderValue::Plain("application/json".into()),
        ),
        (
            "authorization",
            HeaderValue::Secret(sandbox.session_init_auth.clone()),
        ),
    ];
    let body = match &stored.message {
        Message::Chat(_) => legacy_request(sandbox, &stored, side, extra_data),
        Message::Conversation(message) => {
            headers.push(("api-version", HeaderValue::Plain("2".into())));
            server_link_request(&stored, &message.conversation_id, side, extra_data)
        }
    };
    let request = PreparedRequest {
        method: "POST",
        url: endpoint.clone(),
        headers,
        body: body.to_string().into_bytes(),
        body_secrets: Vec::new(),
        upload: None,
    };
    let answer = sandbox.client.execute(&request).await?;
    let body = client::check_answer(&answer)?;
    let Some(Value::String(url)) = body.get("url") else {
        return Err(Error::Unavailable(format!(
            "the app's answer has no \"url\" string: {}",
            visible::quote(&answer.body)
        )));
    };
    http_url::parse(url)
        .map_err(|problem| Error::Unavailable(format!("the app's \"url\": {problem}")))?;
    Ok(url.clone())
}

/// Who clicked: the sender on the sender's copy, the other side on the receiver's.
fn clicker(stored: &StoredMessage, side: Side) -> &str {
    match side {
        Side::Sender => &stored.chat.user_id,
        Side::Receiver => &stored.chat.peer_id,
    }
}

/// The legacy session initialization request's body (section 4). The user a message was
/// sent as is taken to be the post's owner (the seller).
fn legacy_request(
    sandbox: &Sandbox,
    stored: &StoredMessage,
    side: Side,
    extra_data: &Map<String, Value>,
) -> Value {
    let chat = &stored.chat;
    let clicker = clicker(stored, side);
    let peer = match side {
        Side::Sender => &chat.peer_id,
        Side::Receiver => &chat.user_id,
    };
    let mut callback_url = sandbox.base_url.clone();
    callback_url.set_fragment(Some(&format!("m{}-{}", stored.id, side.as_str())));
    let mut body = Map::new();
    body.insert(
        "extra_data".into(),
        json!({ "provider_data": Value::Object(extra_data.clone()) }),
    );
    body.insert("callback_url".into(), callback_url.as_str().into());
    body.insert("post_token".into(), chat.post_token.as_str().into());
    body.insert("user_id".into(), clicker.into());
    body.insert("peer_id".into(), peer.as_str().into());
    body.insert(
        sandbox.supplier_key.as_str().into(),
        json!({ "id": chat.user_id }),
    );
    body.insert("demand".into(), json!({ "id": chat.peer_id }));
    Value::Object(body)
}

/// The current platform's server-link request body (section 5), in the order the
/// documentation shows it.
fn server_link_request(
    stored: &StoredMessage,
    conversation_id: &str,
    side: Side,
    extra_data: &Map<String, Value>,
) -> Value {
    let clicker = clicker(stored, side);
    let user_side = if clicker == stored.seller_id {
        "Supply"
    } else {
        "Demand"
    };
    let mut body = Map::new();
    body.insert("source".into(), "CHAT_MESSAGE_ACTION".into());
    body.insert("post_token".into(), stored.chat.post_token.as_str().into());
    body.insert("conversation_id".into(), conversation_id.into());
    body.insert("user_side".into(), user_side.into());
    body.insert("user_id".into(), clicker.into());
    body.insert("extra_data".into(), Value::Object(extra_data.clone()));
    Value::Object(body)
}
