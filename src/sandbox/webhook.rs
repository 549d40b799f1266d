//! The `NEW_MESSAGE` webhook of a reply typed in the chat view (events.md section 2), sent
//! to the app's events URL exactly as Divar sends it: `POST`, `Content-Type:
//! application/json`, `Authorization` holding the app's identification key as it is (no
//! `Bearer`), and the envelope `{"type", "metadata", "new_message"}`. Sent within a
//! timeout and never redirected; what became of it is reported as it is, a request that
//! may have arrived included.

use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use serde_json::{Map, Value, json};
use url::Url;

use super::store::{Conversation, Delivery};
use crate::http::client::ApiClient;
use crate::receive::forward::{self, Failure, Outgoing};
use crate::secret::SecretString;

/// How long the app has to answer a webhook.
pub(super) const TIMEOUT: Duration = Duration::from_secs(10);

/// What a reply carries, as the webhook says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Said {
    Text(String),
    /// A picture (`image_data`): where the app fetches it, its size and its dimensions.
    Image {
        link: Url,
        size_bytes: u64,
        height_px: u32,
        width_px: u32,
    },
}

/// One reply typed in the chat view, as the webhook tells the app of it.
#[derive(Debug, Clone)]
pub(super) struct Reply<'a> {
    /// The stored message's ID, which reading the conversation shows too.
    pub id: i64,
    pub conversation: &'a Conversation,
    /// Whether the post's owner replied (else the buyer).
    pub by_seller: bool,
    /// Unix seconds.
    pub sent_at: i64,
    pub said: Said,
}

/// The webhook's body, in the order of Divar's example: the envelope, with the
/// subscription's `metadata` when it has some, and the message with its payload field.
/// `sent_at` is in microseconds since the epoch, as the example gives it.
pub(super) fn envelope(reply: &Reply<'_>, metadata: Option<&Map<String, Value>>) -> Value {
    let side = if reply.by_seller { "SELLER" } else { "BUYER" };
    let mut message = Map::new();
    message.insert("id".into(), reply.id.to_string().into());
    message.insert(
        "conversation".into(),
        json!({
            "id": reply.conversation.id,
            "type": "POST",
            "post_token": reply.conversation.post_token,
        }),
    );
    message.insert("sender".into(), json!({"side": side, "type": "HUMAN"}));
    let (kind, field, payload) = match &reply.said {
        Said::Text(text) => ("TEXT", "text", Value::from(text.as_str())),
        Said::Image {
            link,
            size_bytes,
            height_px,
            width_px,
        } => (
            "IMAGE",
            "image_data",
            json!({
                "link": link.as_str(),
                "size_bytes": size_bytes,
                "height_px": height_px,
                "width_px": width_px,
            }),
        ),
    };
    message.insert("type".into(), kind.into());
    message.insert(
        "sent_at".into(),
        reply.sent_at.saturating_mul(1_000_000).into(),
    );
    message.insert(field.into(), payload);
    let mut envelope = Map::new();
    envelope.insert("type".into(), "NEW_MESSAGE".into());
    if let Some(metadata) = metadata {
        envelope.insert("metadata".into(), Value::Object(metadata.clone()));
    }
    envelope.insert("new_message".into(), Value::Object(message));
    Value::Object(envelope)
}

/// POSTs `body` to the events URL `to` with the identification key, and says what became
/// of it.
pub(super) async fn deliver(
    client: &ApiClient,
    to: &Url,
    key: &SecretString,
    body: &Value,
) -> Delivery {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    match HeaderValue::from_str(key.expose()) {
        Ok(mut value) => {
            value.set_sensitive(true);
            headers.insert(header::AUTHORIZATION, value);
        }
        Err(_) => {
            return Delivery::NotSent {
                why: "the identification key cannot be sent in a header".into(),
            };
        }
    }
    let outgoing = Outgoing {
        url: to.clone(),
        headers,
        body: body.to_string().into_bytes(),
    };
    let secrets = outgoing.secrets();
    let to = to.to_string();
    match forward::send(client, outgoing, TIMEOUT).await {
        Ok(relayed) => Delivery::Answered {
            to,
            status: relayed.status,
            elapsed_ms: u64::try_from(relayed.elapsed.as_millis()).unwrap_or(u64::MAX),
            answer: secrets.quoted(&String::from_utf8_lossy(&relayed.body)),
        },
        Err(failure @ Failure::Unreachable(_)) => Delivery::NotSent {
            why: format!("{} at {to}", secrets.mask(&failure.to_string())),
        },
        Err(failure) => Delivery::InDoubt {
            why: secrets.mask(&failure.to_string()).into_owned(),
            to,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receive::event::Request;

    fn conversation() -> Conversation {
        Conversation {
            id: "edbb9499-cccc-4d35-b21f-621fa95f2b3e".into(),
            post_token: "gZd7omnS".into(),
            seller_id: "seller".into(),
            buyer_id: "buyer".into(),
        }
    }

    #[test]
    fn a_text_reply_is_told_in_the_shape_of_divars_example() {
        let conversation = conversation();
        let reply = Reply {
            id: 7,
            conversation: &conversation,
            by_seller: false,
            sent_at: 1_729_429_926,
            said: Said::Text("Hello!".into()),
        };
        let metadata = json!({"key": "value"});
        assert_eq!(
            envelope(&reply, metadata.as_object()).to_string(),
            r#"{"type":"NEW_MESSAGE","metadata":{"key":"value"},"new_message":{"id":"7","conversation":{"id":"edbb9499-cccc-4d35-b21f-621fa95f2b3e","type":"POST","post_token":"gZd7omnS"},"sender":{"side":"BUYER","type":"HUMAN"},"type":"TEXT","sent_at":1729429926000000,"text":"Hello!"}}"#
        );
        // listen reads it as the NEW_MESSAGE it is.
        let read = Request::parse(envelope(&reply, None).to_string().as_bytes()).unwrap();
        let summary = read.summary();
        assert_eq!(summary.name, "NEW_MESSAGE");
        assert_eq!(summary.problem, None);
        assert_eq!(
            summary.conversation.as_deref(),
            Some(conversation.id.as_str())
        );
    }

    #[test]
    fn a_picture_is_told_with_its_link_size_and_dimensions() {
        let conversation = conversation();
        let reply = Reply {
            id: 8,
            conversation: &conversation,
            by_seller: true,
            sent_at: 1,
            said: Said::Image {
                link: Url::parse("http://127.0.0.1:8700/media/m1").unwrap(),
                size_bytes: 204_800,
                height_px: 1080,
                width_px: 1920,
            },
        };
        assert_eq!(
            envelope(&reply, None)["new_message"].to_string(),
            r#"{"id":"8","conversation":{"id":"edbb9499-cccc-4d35-b21f-621fa95f2b3e","type":"POST","post_token":"gZd7omnS"},"sender":{"side":"SELLER","type":"HUMAN"},"type":"IMAGE","sent_at":1000000,"image_data":{"link":"http://127.0.0.1:8700/media/m1","size_bytes":204800,"height_px":1080,"width_px":1920}}"#
        );
        let read = Request::parse(envelope(&reply, None).to_string().as_bytes()).unwrap();
        assert_eq!(read.summary().problem, None);
    }
}
