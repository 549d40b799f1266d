//! A click on a LINK or `open_server_link` button in the chat view, done as Divar does
//! it: POST the app's session initialization (server-link) request, in the shape of the
//! message's platform (protocol section 4 or 5), then send the browser to the `url` the
//! app answers with. A bad answer is shown in the chat view. Only a click made in the
//! chat view counts: its form carries the sandbox's click key, which no other page can
//! read, so another site cannot make the sandbox call the app with its secret header.

use std::sync::Arc;

use axum::extract::{Form, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use url::Url;

use super::Sandbox;
use super::buttons::{self, Side};
use super::chat_view::render;
use super::html::error_page;
use super::store::StoredMessage;
use crate::error::{Error, Result};
use crate::http;
use crate::http::answer::check_answer;
use crate::http::request::{HeaderValue, PreparedRequest};
use crate::message::button::{Button, ButtonAction};
use crate::message::{BotRecipient, Message};

#[derive(Debug, Deserialize)]
pub(super) struct Click {
    /// The click key the chat view's forms carry.
    #[serde(default)]
    key: String,
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
    if click.key.is_empty() || click.key != sandbox.click_key.expose() {
        return error_page(
            StatusCode::FORBIDDEN,
            "Click refused",
            &[
                "key: this click was not made in the sandbox's chat view (or in one shown \
               before the sandbox restarted); open the chat view and click there"
                    .to_owned(),
            ],
        );
    }
    match open(&sandbox, &click).await {
        Ok(Opened::Url(url)) => (StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response(),
        // Divar shows the dynamic action's text to the one who clicked.
        Ok(Opened::Text(text)) => render(
            &sandbox,
            StatusCode::OK,
            Some(&format!("The app's dynamic action answered: {text}")),
        ),
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

/// What a click the app answered leads to.
enum Opened {
    /// A page to open.
    Url(String),
    /// A dynamic action's text, shown where the button was.
    Text(String),
}

/// Calls the app for the clicked button: its server link, or its dynamic action.
async fn open(sandbox: &Sandbox, click: &Click) -> Result<Opened> {
    let stored = sandbox
        .store
        .message(click.message)?
        .ok_or_else(|| Error::invalid(format!("no message {}", click.message)))?;
    let (side, button) = clicked(&stored, click)?;
    match &button.action {
        ButtonAction::Link { extra_data } => server_link(sandbox, &stored, side, extra_data)
            .await
            .map(Opened::Url),
        ButtonAction::DynamicAction { data } => dynamic_action(sandbox, &stored, side, data).await,
        other => Err(Error::invalid(format!(
            "the {}'s button of message {} opens its link directly ({}), without the app",
            click.side,
            stored.id,
            buttons::action_name(&stored.message, other)
        ))),
    }
}

/// Calls the app's dynamic-action URL (events.md section 3) and follows its answer: the
/// action it names (a direct link, or a server link with its data), else its text.
async fn dynamic_action(
    sandbox: &Sandbox,
    stored: &StoredMessage,
    side: Side,
    data: &Map<String, Value>,
) -> Result<Opened> {
    let Some(endpoint) = &sandbox.dynamic_action_url else {
        return Err(Error::invalid(format!(
            "no dynamic-action URL: {}",
            sandbox.advice.dynamic_action_url
        )));
    };
    // The dynamic action spells the sides in capitals, as the touchpoints do.
    let user_side = if by_seller(stored, side) {
        "SUPPLY"
    } else {
        "DEMAND"
    };
    let body = json!({
        "touchpoint": "CHAT",
        "post_token": stored.chat.post_token,
        "conversation_id": conversation_of(&stored.message),
        "user_side": user_side,
        "extra_data": data,
        "user_id": clicker(stored, side),
    });
    let request = to_app(
        sandbox,
        (endpoint, "the app's dynamic-action URL"),
        None,
        &body,
    );
    let answer = sandbox.client.execute(&request).await?;
    let body = check_answer(&answer)?;
    let action = body.get("action");
    if let Some(url) = action.and_then(|a| a.get("open_direct_link")) {
        let url = url.as_str().unwrap_or_default();
        http::url::parse(url).map_err(|problem| {
            Error::Unavailable(format!("the app's open_direct_link: {problem}"))
        })?;
        return Ok(Opened::Url(url.to_owned()));
    }
    if let Some(link) = action.and_then(|a| a.get("open_server_link")) {
        let Some(Value::Object(data)) = link.get("data") else {
            return Err(Error::Unavailable(format!(
                "the app's open_server_link has no \"data\" object: {}",
                answer.quoted()
            )));
        };
        return server_link(sandbox, stored, side, data)
            .await
            .map(Opened::Url);
    }
    match body.get("text_message") {
        Some(Value::String(text)) if action.is_none() => Ok(Opened::Text(text.clone())),
        _ => Err(Error::Unavailable(format!(
            "the app's answer has neither a \"text_message\" string nor an open_direct_link or \
             open_server_link \"action\": {}",
            answer.quoted()
        ))),
    }
}

/// The conversation a current-platform message is in; empty for a chatbot's message to a
/// user, whose conversation the sandbox does not know.
fn conversation_of(message: &Message) -> &str {
    match message {
        Message::Chat(_) => "",
        Message::Conversation(message) => &message.conversation_id,
        Message::Bot(message) => match &message.to {
            BotRecipient::Conversation(id) => id,
            BotRecipient::User(_) => "",
        },
    }
}

/// What errors call the app's server-link URL.
const SESSION_INIT: &str = "the app's session-init URL";

/// Calls the app's server-link (session initialization) URL with the button's data and
/// returns the URL it answered with.
async fn server_link(
    sandbox: &Sandbox,
    stored: &StoredMessage,
    side: Side,
    extra_data: &Map<String, Value>,
) -> Result<String> {
    let Some(endpoint) = &sandbox.session_init_url else {
        return Err(Error::invalid(format!(
            "no session initialization URL: {}",
            sandbox.advice.session_init_url
        )));
    };
    let request = match &stored.message {
        Message::Chat(_) => {
            let body = legacy_request(sandbox, stored, side, extra_data);
            to_app(sandbox, (endpoint, SESSION_INIT), None, &body)
        }
        message => {
            let body = server_link_request(stored, conversation_of(message), side, extra_data);
            to_app(sandbox, (endpoint, SESSION_INIT), Some("2"), &body)
        }
    };
    let answer = sandbox.client.execute(&request).await?;
    let body = check_answer(&answer)?;
    let Some(Value::String(url)) = body.get("url") else {
        return Err(Error::Unavailable(format!(
            "the app's answer has no \"url\" string: {}",
            answer.quoted()
        )));
    };
    http::url::parse(url)
        .map_err(|problem| Error::Unavailable(format!("the app's \"url\": {problem}")))?;
    Ok(url.clone())
}

/// A request to the app: `body` as JSON to `endpoint`, with the app's identification key
/// (raw, no `Bearer`) and the API version when the call has one.
fn to_app(
    sandbox: &Sandbox,
    (endpoint, service): (&Url, &'static str),
    version: Option<&str>,
    body: &Value,
) -> PreparedRequest {
    let mut headers = vec![
        (
            "content-type",
            HeaderValue::Plain("application/json".into()),
        ),
        (
            "authorization",
            HeaderValue::Secret(sandbox.identification_key.clone()),
        ),
    ];
    if let Some(version) = version {
        headers.push(("api-version", HeaderValue::Plain(version.into())));
    }
    PreparedRequest {
        method: "POST",
        url: endpoint.clone(),
        service,
        headers,
        body: body.to_string().into_bytes(),
        body_secrets: Vec::new(),
        upload: None,
    }
}

/// Whether the one who clicked is the post's owner (the seller).
fn by_seller(stored: &StoredMessage, side: Side) -> bool {
    clicker(stored, side) == stored.seller_id
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
    let user_side = if by_seller(stored, side) {
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
