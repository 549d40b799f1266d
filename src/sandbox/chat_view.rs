//! `GET /`: the chats as each side sees them, on both platforms. Both sides see the same
//! text or medium (an image inline, any other medium as a link that downloads it), but
//! each sees only its own buttons: the sender's pane shows `sender_btn` or the
//! `sender_buttons` grid, the receiver's pane `receiver_btn` or `receiver_buttons`, row by
//! row. In a conversation of the current platform, the side the app wrote to can reply,
//! with text or a picture; each reply says what became of its webhook.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::buttons::{self, Side};
use super::html::{escape, page as html_page};
use super::media;
use super::store::{Delivery, Medium, StoredMessage};
use super::{CLICK_PATH, REPLY_PATH, Sandbox};
use crate::message::Message;
use crate::message::button::{Button, ButtonAction};
use crate::message::media_kind::MediaKind;

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
            for thread in threads(&messages) {
                body.push_str(&render_thread(&thread, sandbox.click_key.expose()));
            }
        }
    }
    html_page(status, "Kenar sandbox: chats", &body)
}

/// The messages of one chat: one post, between the same two users, in either direction.
/// A conversation's messages are in the chat of its post and sides, with the legacy
/// messages of that chat.
struct Thread<'a> {
    post_token: &'a str,
    /// The two sides, the first message's sender first.
    sides: [&'a str; 2],
    /// The current platform's conversation the chat is, when one of its messages was
    /// sent there: only there can the other side reply.
    conversation: Option<&'a str>,
    messages: Vec<&'a StoredMessage>,
}

fn threads(messages: &[StoredMessage]) -> Vec<Thread<'_>> {
    let mut found: Vec<Thread<'_>> = Vec::new();
    for stored in messages {
        let chat = &stored.chat;
        let same = |c: &&mut Thread<'_>| {
            c.post_token == chat.post_token
                && (c.sides == [chat.user_id.as_str(), chat.peer_id.as_str()]
                    || c.sides == [chat.peer_id.as_str(), chat.user_id.as_str()])
        };
        let conversation = match &stored.message {
            Message::Conversation(message) => Some(message.conversation_id.as_str()),
            Message::Chat(_) | Message::Bot(_) => None,
        };
        match found.iter_mut().find(same) {
            Some(thread) => {
                thread.conversation = thread.conversation.or(conversation);
                thread.messages.push(stored);
            }
            None => found.push(Thread {
                post_token: &chat.post_token,
                sides: [&chat.user_id, &chat.peer_id],
                conversation,
                messages: vec![stored],
            }),
        }
    }
    found
}

fn render_thread(thread: &Thread<'_>, click_key: &str) -> String {
    // The app wrote first; the other side replies.
    let [app, other] = thread.sides;
    let reply_form = thread
        .conversation
        .map(|conversation| render_reply_form(conversation, other, click_key));
    let panes = render_pane(app, &thread.messages, click_key, None)
        + &render_pane(other, &thread.messages, click_key, reply_form.as_deref());
    // The chatbot's conversations are about no post.
    let heading = if thread.post_token.is_empty() {
        "The app's chatbot".to_owned()
    } else {
        format!(
            "Post <span class=\"id\">{}</span>",
            escape(thread.post_token)
        )
    };
    format!("<h2>{heading}</h2><div class=\"panes\">{panes}</div>")
}

/// The chat as `viewer` sees it: their own messages on one side with the sender's
/// buttons, the other's on the other side with the receiver's; then `reply_form`, if
/// `viewer` may reply.
fn render_pane(
    viewer: &str,
    messages: &[&StoredMessage],
    click_key: &str,
    reply_form: Option<&str>,
) -> String {
    let bubbles: String = messages
        .iter()
        .map(|stored| {
            let (class, side) = if stored.chat.user_id == viewer {
                ("out", Side::Sender)
            } else {
                ("in", Side::Receiver)
            };
            format!(
                "<div class=\"bubble {class}\" dir=\"auto\" id=\"m{id}-{side}\">{content}{grid}{delivery}</div>",
                id = stored.id,
                side = side.as_str(),
                content = render_content(stored),
                grid = render_grid(stored, side, click_key),
                delivery = stored.delivery.as_ref().map(render_delivery).unwrap_or_default(),
            )
        })
        .collect();
    format!(
        "<section class=\"pane\"><h3>As user <span class=\"id\">{viewer}</span> sees it</h3>\
         {bubbles}{form}</section>",
        viewer = escape(viewer),
        form = reply_form.unwrap_or_default(),
    )
}

/// The form with which `from` replies in `conversation`: text or a picture, and the chat
/// view's key, without which a reply is refused.
fn render_reply_form(conversation: &str, from: &str, click_key: &str) -> String {
    format!(
        "<form class=\"reply\" method=\"post\" action=\"{action}\" \
         enctype=\"multipart/form-data\">\
         <input type=\"hidden\" name=\"key\" value=\"{key}\">\
         <input type=\"hidden\" name=\"conversation\" value=\"{conversation}\">\
         <input type=\"hidden\" name=\"from\" value=\"{from}\">\
         <textarea name=\"text\" dir=\"auto\" rows=\"2\" \
         placeholder=\"Reply as this user, or choose a picture\"></textarea>\
         <div class=\"choose\"><input type=\"file\" name=\"picture\" accept=\"image/*\">\
         <button class=\"send\" type=\"submit\">Send</button></div></form>",
        action = REPLY_PATH,
        key = escape(click_key),
        conversation = escape(conversation),
        from = escape(from),
    )
}

/// What became of a reply's `NEW_MESSAGE` webhook, in words.
fn render_delivery(delivery: &Delivery) -> String {
    let said = match delivery {
        Delivery::Sending { to } => format!(
            "NEW_MESSAGE webhook on its way to {to}; if this stays, the sandbox stopped \
             before the app answered: it may have arrived"
        ),
        Delivery::Answered {
            to,
            status,
            elapsed_ms,
            answer,
        } if (200..300).contains(status) => format!(
            "NEW_MESSAGE webhook delivered to {to}: HTTP {status} in {elapsed_ms} ms, \
             answer {answer}"
        ),
        Delivery::Answered {
            to,
            status,
            elapsed_ms,
            answer,
        } => format!(
            "NEW_MESSAGE webhook refused by {to}: HTTP {status} in {elapsed_ms} ms, \
             answer {answer}"
        ),
        Delivery::NotSent { why } => format!("NEW_MESSAGE webhook not delivered: {why}"),
        Delivery::InDoubt { to, why } => {
            format!("NEW_MESSAGE webhook sent to {to}, but {why}: it may have arrived")
        }
    };
    format!("<div class=\"delivery\">{}</div>", escape(&said))
}

/// The message's text, or its medium.
fn render_content(stored: &StoredMessage) -> String {
    match (stored.message.text(), &stored.medium) {
        (Some(text), _) => escape(text),
        (None, Some(medium)) => render_medium(medium),
        // Kept by an older sandbox, which took any media token without an upload.
        (None, None) => "(a media message whose upload the sandbox does not have)".to_owned(),
    }
}

/// An image inline; a video, voice note or file as a link that saves it under its name.
fn render_medium(medium: &Medium) -> String {
    let url = escape(&media::url(&medium.token));
    let name = escape(&medium.file_name);
    match medium.kind {
        MediaKind::Image => format!("<img class=\"media\" src=\"{url}\" alt=\"{name}\">"),
        kind => format!(
            "<a class=\"media\" href=\"{url}\" download=\"{name}\">{name}</a>\
             <span class=\"kind\">{kind} · {size} bytes</span>",
            size = medium.size,
        ),
    }
}

/// The buttons `side` sees under the message, row by row; nothing when it has none.
fn render_grid(stored: &StoredMessage, side: Side, click_key: &str) -> String {
    let rows: String = buttons::rows(&stored.message, side)
        .iter()
        .enumerate()
        .map(|(row, buttons)| {
            let buttons: String = buttons
                .iter()
                .enumerate()
                .map(|(column, button)| {
                    render_button(stored, side, (row, column), button, click_key)
                })
                .collect();
            format!("<div class=\"row\">{buttons}</div>")
        })
        .collect();
    if rows.is_empty() {
        rows
    } else {
        format!("<div class=\"grid\">{rows}</div>")
    }
}

/// A DIRECT_LINK (`open_direct_link`) is a link; a LINK (`open_server_link`) posts the
/// click, with where the button is and the sandbox's click key, to the sandbox, which asks
/// the app.
fn render_button(
    stored: &StoredMessage,
    side: Side,
    (row, column): (usize, usize),
    button: &Button,
    click_key: &str,
) -> String {
    let caption = escape(&button.caption);
    let kind = format!(
        "{} · {}",
        escape(&button.icon_name),
        buttons::action_name(&stored.message, &button.action)
    );
    match &button.action {
        ButtonAction::DirectLink { url } => format!(
            "<a class=\"button\" dir=\"auto\" href=\"{url}\" target=\"_blank\" \
             rel=\"noopener noreferrer\">{caption}<span class=\"kind\">{kind}</span></a>",
            url = escape(url),
        ),
        ButtonAction::Link { .. } | ButtonAction::DynamicAction { .. } => format!(
            "<form method=\"post\" action=\"{CLICK_PATH}\">\
             <input type=\"hidden\" name=\"message\" value=\"{id}\">\
             <input type=\"hidden\" name=\"side\" value=\"{side}\">\
             <input type=\"hidden\" name=\"row\" value=\"{row}\">\
             <input type=\"hidden\" name=\"column\" value=\"{column}\">\
             <input type=\"hidden\" name=\"key\" value=\"{key}\">\
             <button class=\"button\" dir=\"auto\" type=\"submit\">{caption}\
             <span class=\"kind\">{kind}</span></button></form>",
            id = stored.id,
            side = side.as_str(),
            key = escape(click_key),
        ),
        ButtonAction::PostPage { post_token } | ButtonAction::PostManagePage { post_token } => {
            format!(
                "<span class=\"button\" dir=\"auto\">{caption}<span class=\"kind\">{kind} · \
                 post {post}</span></span>",
                post = escape(post_token)
            )
        }
    }
}
