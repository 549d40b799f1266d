//! `POST /sandbox/reply`: the other side of a conversation answering in the chat view,
//! with text or a picture. The reply is kept as a message of the conversation (so reading
//! the conversation shows it), and, when a live subscription of the post's owner covers
//! the conversation, as at Divar, its `NEW_MESSAGE` webhook goes to the app's events URL.
//! Otherwise the chat view says why nothing was delivered and what to run. Like a click, a
//! reply counts only when its form carries the chat view's key.

use std::sync::Arc;

use axum::extract::multipart::{Field, Multipart, MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use axum::routing::{MethodRouter, post};

use super::chat_view::render;
use super::html::error_page;
use super::store::{Conversation, Coverage, Delivery, NewMedium};
use super::webhook::{self, Reply, Said};
use super::{Sandbox, media, unix_time};
use crate::auth::authorize::random_state;
use crate::error::{Error, Result};
use crate::message::draft::MessageDraft;
use crate::message::media_kind::MediaKind;
use crate::time;

/// What the form may hold besides the picture.
const FORM_OVERHEAD: usize = 64 * 1024;

/// The route, whose body may hold a picture within Divar's limit and the form around it.
pub(super) fn route() -> MethodRouter<Arc<Sandbox>> {
    let limit = usize::try_from(MediaKind::Image.limit()).unwrap_or(usize::MAX);
    post(reply).layer(DefaultBodyLimit::max(limit.saturating_add(FORM_OVERHEAD)))
}

/// A reply form as the chat view sends it.
#[derive(Debug, Default)]
struct Form {
    conversation: String,
    /// The user who replies: a side of the conversation.
    from: String,
    text: String,
    /// The picture's bytes, when one was chosen.
    picture: Option<(String, Vec<u8>)>,
}

async fn reply(
    State(sandbox): State<Arc<Sandbox>>,
    form: std::result::Result<Multipart, MultipartRejection>,
) -> Response {
    let form =
        match read_form(&sandbox, form).await {
            Ok(Some(form)) => form,
            Ok(None) => {
                return error_page(
                StatusCode::FORBIDDEN,
                "Reply refused",
                &["key: this reply was not typed in the sandbox's chat view (or in one shown \
                   before the sandbox restarted); open the chat view and reply there (a form \
                   sent otherwise carries the chat view's key as its first field)"
                    .to_owned()],
            );
            }
            Err(e) => return not_sent(&sandbox, &e),
        };
    match send(&sandbox, &form).await {
        // Back to the chat view (a reload does not send it again), at the reply.
        Ok(id) => (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("/#m{id}-sender"))],
        )
            .into_response(),
        Err(e) => not_sent(&sandbox, &e),
    }
}

fn not_sent(sandbox: &Sandbox, error: &Error) -> Response {
    render(
        sandbox,
        StatusCode::BAD_REQUEST,
        Some(&format!("The reply was not sent: {error}")),
    )
}

/// The form's fields, the chat view's key first: a form without it is not read further
/// (`None`).
async fn read_form(
    sandbox: &Sandbox,
    form: std::result::Result<Multipart, MultipartRejection>,
) -> Result<Option<Form>> {
    let unreadable = |e: &dyn std::fmt::Display| Error::invalid(format!("the form: {e}"));
    // The route's body limit leaves room for a picture within Divar's limit: a body over
    // it holds a picture over that limit, and is said to.
    let cut_short = |e: MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            picture_too_large()
        } else {
            unreadable(&e)
        }
    };
    let mut form = form.map_err(|e| unreadable(&e))?;
    let mut read = Form::default();
    let mut keyed = false;
    while let Some(field) = form.next_field().await.map_err(cut_short)? {
        let name = field.name().unwrap_or_default().to_owned();
        if !keyed {
            if name != "key" || text(field).await? != sandbox.click_key.expose() {
                return Ok(None);
            }
            keyed = true;
            continue;
        }
        match name.as_str() {
            "conversation" => read.conversation = text(field).await?,
            "from" => read.from = text(field).await?,
            "text" => read.text = text(field).await?,
            "picture" => {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(cut_short)?;
                // A file input left empty still sends its field, with no bytes.
                if !bytes.is_empty() {
                    read.picture = Some((file_name, bytes.to_vec()));
                }
            }
            _ => {}
        }
    }
    Ok(keyed.then_some(read))
}

async fn text(field: Field<'_>) -> Result<String> {
    field
        .text()
        .await
        .map_err(|e| Error::invalid(format!("the form: {e}")))
}

/// Keeps the reply and delivers its webhook, if a subscription covers it; answers its ID.
async fn send(sandbox: &Arc<Sandbox>, form: &Form) -> Result<i64> {
    let conversation = sandbox
        .store
        .conversation(&form.conversation)?
        .ok_or_else(|| Error::invalid(format!("no conversation {:?}", form.conversation)))?;
    if form.from != conversation.seller_id && form.from != conversation.buyer_id {
        return Err(Error::invalid(format!(
            "user {:?} is neither side of conversation {}",
            form.from, conversation.id
        )));
    }
    let text = form.text.trim();
    let (draft, said) = match (&form.picture, text.is_empty()) {
        (Some(_), false) => {
            return Err(Error::invalid(
                "type a text or choose a picture, not both: a message is one or the other",
            ));
        }
        (None, true) => return Err(Error::invalid("type a text or choose a picture")),
        (None, false) => (
            MessageDraft {
                message: Some(text.to_owned()),
                ..MessageDraft::default()
            },
            Said::Text(text.to_owned()),
        ),
        (Some((file_name, bytes)), true) => {
            let (media_token, said) = keep_picture(sandbox, file_name, bytes)?;
            (
                MessageDraft {
                    media_token: Some(media_token),
                    ..MessageDraft::default()
                },
                said,
            )
        }
    };
    let message = MessageDraft {
        conversation_id: Some(conversation.id.clone()),
        ..draft
    }
    .build()?;
    let sent_at = unix_time();
    let id = sandbox.store.insert_reply(&message, &form.from, sent_at)?;
    let reply = Reply {
        id,
        conversation: &conversation,
        by_seller: form.from == conversation.seller_id,
        sent_at,
        said,
    };
    deliver(sandbox, &reply).await?;
    Ok(id)
}

/// A picture over Divar's limit for pictures.
fn picture_too_large() -> Error {
    Error::invalid(format!(
        "the picture: larger than Divar's limit of {} bytes for a picture",
        MediaKind::Image.limit()
    ))
}

/// Keeps a picture as the upload host would, under a new media token; answers the token
/// and how the webhook tells of it.
fn keep_picture(sandbox: &Sandbox, file_name: &str, bytes: &[u8]) -> Result<(String, Said)> {
    let kind = MediaKind::Image;
    let problem = |what: String| Error::invalid(format!("the picture: {what}"));
    if bytes.len() as u64 > kind.limit() {
        return Err(picture_too_large());
    }
    let content_type = kind.content_type(bytes).map_err(problem)?;
    let size = imagesize::blob_size(bytes)
        .map_err(|e| problem(format!("its width and height cannot be read ({e})")))?;
    let dimension = |pixels: usize| u32::try_from(pixels).unwrap_or(u32::MAX);
    let media_token = random_state()?;
    let file_name = if file_name.trim().is_empty() {
        kind.name()
    } else {
        file_name
    };
    sandbox.store.insert_medium(
        &media_token,
        &NewMedium {
            kind,
            file_name,
            content_type: &content_type,
            content: bytes,
        },
    )?;
    let link = sandbox
        .base_url
        .join(&media::url(&media_token))
        .map_err(|e| Error::Unavailable(format!("the picture's link: {e}")))?;
    let said = Said::Image {
        link,
        size_bytes: bytes.len() as u64,
        height_px: dimension(size.height),
        width_px: dimension(size.width),
    };
    Ok((media_token, said))
}

/// Delivers the reply's webhook when Divar would, and keeps what became of it. The
/// delivery runs in a task of its own, so that what became of it is kept even if the
/// browser gives up waiting; the page waits for it, which the webhook's timeout bounds.
async fn deliver(sandbox: &Arc<Sandbox>, reply: &Reply<'_>) -> Result<()> {
    let conversation = reply.conversation;
    let coverage = sandbox.store.new_message_coverage(
        &conversation.post_token,
        &conversation.seller_id,
        reply.sent_at,
    )?;
    let metadata = match coverage {
        Coverage::Live { metadata } => metadata,
        uncovered => {
            let why = uncovered_reason(sandbox, conversation, &uncovered);
            return sandbox
                .store
                .set_delivery(reply.id, &Delivery::NotSent { why });
        }
    };
    let Some(to) = sandbox.events_url.clone() else {
        let why = format!(
            "a subscription covers post {}, but the sandbox has no events URL to deliver to \
             (the app's address for new events, set in the Kenar panel at Divar): {}",
            conversation.post_token, sandbox.advice.events_url
        );
        return sandbox
            .store
            .set_delivery(reply.id, &Delivery::NotSent { why });
    };
    let body = webhook::envelope(reply, metadata.as_ref());
    sandbox
        .store
        .set_delivery(reply.id, &Delivery::Sending { to: to.to_string() })?;
    let (sandbox, id) = (Arc::clone(sandbox), reply.id);
    tokio::spawn(async move {
        let delivery =
            webhook::deliver(&sandbox.client, &to, &sandbox.identification_key, &body).await;
        sandbox.store.set_delivery(id, &delivery)
    })
    .await
    .map_err(|e| Error::Unavailable(format!("the webhook's delivery stopped: {e}")))?
}

/// Why no subscription covers a reply, and what to run.
fn uncovered_reason(sandbox: &Sandbox, conversation: &Conversation, coverage: &Coverage) -> String {
    let post = &conversation.post_token;
    let subscribe = (sandbox.advice.subscribe)(post);
    match coverage {
        Coverage::Ended { ended_at } => format!(
            "the subscription to new messages on post {post} ended at {} with the access token \
             it was made with (a subscription lives as long as its token): subscribe again \
             with the current token: {subscribe}",
            time::rfc3339(u64::try_from(*ended_at).unwrap_or(0))
        ),
        _ => format!(
            "no subscription covers new messages on post {post}: Divar sends NEW_MESSAGE only \
             while the post's owner (user {}) has one, made with a live access token; \
             subscribe with: {subscribe}",
            conversation.seller_id
        ),
    }
}
