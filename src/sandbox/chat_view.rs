//! `GET /`: the conversations as each side sees them. Both sides see the same text, but
//! each sees only its own button: the sender's pane shows `sender_btn`, the receiver's
//! pane shows `receiver_btn`.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::Sandbox;
use super::html::{escape, page as html_page};
use super::session_init::CLICK_PATH;
use super::store::StoredMessage;
use crate::message::{Button, ButtonAction, DIRECT_LINK, LINK};

pub(super) async fn page(State(sandbox): State<Arc<Sandbox>>) -> Response {
    render(&sandbox, StatusCode::OK, None)
}

/// The chat view, with `error` shown above the conversations when there is one.
pub(super) fn render(sandbox: &Sandbox, status: StatusCode, error: Option<&str>) -> Response {
    let mut body = String::new();
    let messages = sandbox.store.messages();
    let unreadable = messages.as_ref().err().map(ToString::to_string);
    for error in error.into_iter().chain(unreadable.as_deref()) {
        let _ = write!(body, "<div class=\"error\">{}</div>", escape(error));
    }
    match messages {
        Err(_) => {}
        Ok(messages) if messages.is_empty() => body.push_str(
            "<div class=\"card\">No messages yet. Send one with <code>kenar-chat send</code>; \
             this page shows it after a reload.</div>",
        ),
        Ok(messages) => {
            for conversation in conversations(&messages) {
                body.push_str(&render_conversation(&conversation));
            }
        }
    }
    html_page(status, "Kenar sandbox: chats", &body)
}

/// The messages of one chat: one post, between the same two users, in either direction.
struct Conversation<'a> {
    post_token: &'a str,
    /// The two sides, the first message's sender first.
    sides: [&'a str; 2],
    messages: Vec<&'a StoredMessage>,
}

fn conversations(messages: &[StoredMessage]) -> Vec<Conversation<'_>> {
    let mut found: Vec<Conversation<'_>> = Vec::new();
    for stored in messages {
        let chat = &stored.message.chat;
        let same = |c: &&mut Conversation<'_>| {
            c.post_token == chat.post_token
                && (c.sides == [chat.user_id.as_str(), chat.peer_id.as_str()]
                    || c.sides == [chat.peer_id.as_str(), chat.user_id.as_str()])
        };
        match found.iter_mut().find(same) {
            Some(conversation) => conversation.messages.push(stored),
            None => found.push(Conversation {
                post_token: &chat.post_token,
                sides: [&chat.user_id, &chat.peer_id],
                messages: vec![stored],
            }),
        }
    }
    found
}

fn render_conversation(conversation: &Conversation<'_>) -> String {
    let panes: String = conversation
        .sides
        .iter()
        .map(|side| render_pane(side, &conversation.messages))
        .collect();
    format!(
        "<h2>Post <span class=\"id\">{post}</span></h2><div class=\"panes\">{panes}</div>",
        post = escape(conversation.post_token),
    )
}

/// The chat as `viewer` sees it: their own messages on one side with the sender's
/// button, the other's on the other side with the receiver's button.
fn render_pane(viewer: &str, messages: &[&StoredMessage]) -> String {
    let bubbles: String = messages
        .iter()
        .map(|stored| {
            let message = &stored.message;
            let (class, side, button) = if message.chat.user_id == viewer {
                ("out", "sender", message.sender_button.as_ref())
            } else {
                ("in", "receiver", message.receiver_button.as_ref())
            };
            let button = button
                .map(|b| render_button(stored.id, side, b))
                .unwrap_or_default();
            format!(
                "<div class=\"bubble {class}\" dir=\"auto\" id=\"m{id}-{side}\">{text}{button}</div>",
                id = stored.id,
                text = escape(&message.text),
            )
        })
        .collect();
    format!(
        "<section class=\"pane\"><h3>As user <span class=\"id\">{viewer}</span> sees it</h3>\
         {bubbles}</section>",
        viewer = escape(viewer),
    )
}

fn render_button(message_id: i64, side: &str, button: &Button) -> String {
    let caption = escape(&button.caption);
    let icon = escape(&button.icon_name);
    match &button.action {
        ButtonAction::DirectLink { url } => format!(
            "<div><a class=\"button\" dir=\"auto\" href=\"{url}\" target=\"_blank\" \
             rel=\"noopener noreferrer\">{caption}<span class=\"kind\">{icon} · {DIRECT_LINK}</span></a></div>",
            url = escape(url),
        ),
        ButtonAction::Link { .. } => format!(
            "<form method=\"post\" action=\"{CLICK_PATH}\">\
             <input type=\"hidden\" name=\"message\" value=\"{message_id}\">\
             <input type=\"hidden\" name=\"side\" value=\"{side}\">\
             <button class=\"button\" dir=\"auto\" type=\"submit\">{caption}\
             <span class=\"kind\">{icon} · {LINK}</span></button></form>"
        ),
    }
}
