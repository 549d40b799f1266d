//! Events subscriptions (events.md section 1): `POST /v1/open-platform/events/subscriptions`,
//! checked as Divar documents it: the API key (and its `EVENTS_REGISTER_SUBSCRIPTION`
//! permission, which the grant failures check as for every endpoint), the Bearer token,
//! the body, then the scope its event type needs; the first that fails answers, as a Google
//! RPC status. Accepted, it is kept with its access token, whose life it shares, and
//! answered `{}`: Divar gives no subscription ID.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::checks::{Refusal, RpcRefusal, access_grant, bearer_token, check_api_key};
use super::store::{Grant, NewSubscription};
use super::{Sandbox, unix_time};
use crate::receive::subscription::{EventType, Subscription};
use crate::scope::check_id;

/// The request's body (`eventsRegisterEventSubscriptionRequest`). No field is marked
/// required, so a missing one is refused by name rather than by the parser.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    event_type: Option<String>,
    event_resource_id: Option<String>,
    metadata: Option<Value>,
}

/// `POST /v1/open-platform/events/subscriptions`.
pub(super) async fn subscribe(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, RpcRefusal> {
    check_api_key(&sandbox, &headers)?;
    let token = bearer_token(&headers)?;
    let grant = access_grant(&sandbox, token)?;
    let subscription =
        read(&body).map_err(|message| Refusal::new(StatusCode::BAD_REQUEST, message))?;
    check_scope(&grant, &subscription)?;
    sandbox.store.subscribe(&NewSubscription {
        access_token: token,
        user_id: &grant.user_id,
        event_type: subscription.event_type.name(),
        resource_id: subscription.event_resource_id().unwrap_or_default(),
        metadata: subscription.metadata.as_ref(),
        made_at: unix_time(),
    })?;
    Ok(Json(json!({})))
}

/// The subscription the body asks for; else what is wrong with it.
fn read(body: &[u8]) -> Result<Subscription, String> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let body: Body = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| format!("request body: {}: {}", e.path(), e.inner()))?;
    let event_type: EventType = body
        .event_type
        .ok_or_else(|| format!("event_type: missing ({})", EventType::NAMES.join(" or ")))?
        .parse()
        .map_err(|problem| format!("event_type: {problem}"))?;
    // Empty, or left out, for all of the user's posts.
    let post = body.event_resource_id.filter(|post| !post.is_empty());
    if let Some(post) = &post {
        check_id("event_resource_id", post)?;
    }
    let metadata = match body.metadata {
        None => None,
        Some(Value::Object(metadata)) => Some(metadata),
        Some(_) => return Err("metadata: must be a JSON object".to_owned()),
    };
    Subscription::new(event_type, post, metadata).map_err(|e| e.to_string())
}

/// Whether the token carries one of the scopes that allow the subscription.
fn check_scope(grant: &Grant, subscription: &Subscription) -> Result<(), Refusal> {
    let to = subscription.recipient();
    if grant.scopes.iter().any(|scope| scope.covers(&to).is_some()) {
        return Ok(());
    }
    let allowing: Vec<String> = subscription
        .watched()
        .scopes()
        .iter()
        .map(ToString::to_string)
        .collect();
    Err(Refusal::new(
        StatusCode::FORBIDDEN,
        format!(
            "the access token (of user {}) does not allow subscribing to {subscription}: it \
             needs {}",
            grant.user_id,
            allowing.join(" or ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::Scope;

    fn grant(scopes: &[&str]) -> Grant {
        Grant {
            scopes: scopes.iter().map(|s| Scope::decode(s).unwrap()).collect(),
            user_id: "u".into(),
            expires: i64::MAX,
        }
    }

    fn subscription(event_type: EventType, post: Option<&str>) -> Subscription {
        Subscription::new(event_type, post.map(Into::into), None).unwrap()
    }

    #[test]
    fn each_event_type_needs_its_scope() {
        let post = subscription(EventType::NewMessageOnPost, Some("P"));
        let all = subscription(EventType::NewMessageOnPost, None);
        let updates = subscription(EventType::PostUpdate, None);
        let allowed = |scopes: &[&str], subscription: &Subscription| {
            check_scope(&grant(scopes), subscription).is_ok()
        };
        assert!(allowed(&["CHAT_POST_CONVERSATIONS_READ.P"], &post));
        assert!(allowed(&["CHAT_SUPPLIER_ALL_CONVERSATIONS_READ"], &post));
        assert!(!allowed(&["CHAT_POST_CONVERSATIONS_READ.Q"], &post));
        // Sending is not reading.
        assert!(!allowed(&["CHAT_POST_CONVERSATIONS_MESSAGE_SEND.P"], &post));
        assert!(!allowed(&["CHAT_POST_CONVERSATIONS_READ.P"], &all));
        assert!(allowed(&["CHAT_SUPPLIER_ALL_CONVERSATIONS_READ"], &all));
        assert!(allowed(&["USER_POSTS_GET"], &updates));
        assert!(!allowed(
            &["CHAT_SUPPLIER_ALL_CONVERSATIONS_READ"],
            &updates
        ));
    }

    #[test]
    fn the_body_says_what_is_watched_or_what_is_wrong() {
        let read = |body: &str| read(body.as_bytes()).map(|s| (s.event_type, s.post_token));
        assert_eq!(
            read(
                r#"{"event_type":"NEW_MESSAGE_ON_POST","event_resource_id":"gZd7omnS","metadata":{"key":"value"}}"#
            ),
            Ok((EventType::NewMessageOnPost, Some("gZd7omnS".into())))
        );
        assert_eq!(
            read(r#"{"event_type":"NEW_MESSAGE_ON_POST"}"#),
            Ok((EventType::NewMessageOnPost, None))
        );
        assert_eq!(
            read(r#"{"event_type":"POST_UPDATE","event_resource_id":""}"#),
            Ok((EventType::PostUpdate, None))
        );
        for (body, says) in [
            ("{}", "event_type: missing"),
            (
                r#"{"event_type":"NEW_MESSAGE"}"#,
                "event_type: \"NEW_MESSAGE\" is none of",
            ),
            (
                r#"{"event_type":"POST_UPDATE","meta_data":{}}"#,
                "unknown field `meta_data`",
            ),
            (
                r#"{"event_type":"POST_UPDATE","metadata":[1]}"#,
                "metadata: must be a JSON object",
            ),
            (
                r#"{"event_type":"POST_UPDATE","event_resource_id":"a b"}"#,
                "event_resource_id: must not contain whitespace",
            ),
            ("not json", "request body: "),
        ] {
            let problem = read(body).unwrap_err();
            assert!(problem.contains(says), "{body}: {problem}");
        }
    }
}
