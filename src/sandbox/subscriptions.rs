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
use serde_json::{Map, Value, json};

use super::checks::{Refusal, RpcRefusal, access_grant, bearer_token, check_api_key};
use super::store::{Grant, NEW_MESSAGE_ON_POST, NewSubscription};
use super::{Sandbox, unix_time};
use crate::scope::{Scope, check_id};

/// Where subscriptions are registered.
pub(super) const PATH: &str = "/v1/open-platform/events/subscriptions";

/// The scope that reads one post's conversations; its resource is the post token.
const POST_READ: &str = "CHAT_POST_CONVERSATIONS_READ";
/// The scope that reads every conversation where the user is the seller.
const SUPPLIER_READ: &str = "CHAT_SUPPLIER_ALL_CONVERSATIONS_READ";
/// The scope that reads the user's posts.
const POSTS_GET: &str = "USER_POSTS_GET";

/// The request's body (`eventsRegisterEventSubscriptionRequest`). No field is marked
/// required, so a missing one is refused by name rather than by the parser.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    event_type: Option<String>,
    event_resource_id: Option<String>,
    metadata: Option<Value>,
}

/// What a subscription watches, which decides the scopes that allow it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Watched {
    /// New messages in the conversations of one post.
    PostMessages(String),
    /// New messages in every conversation where the user is the seller.
    AllMessages,
    /// Changes to the user's posts, one (its token) or all (empty).
    Posts(String),
}

impl Watched {
    fn event_type(&self) -> &'static str {
        match self {
            Watched::PostMessages(_) | Watched::AllMessages => NEW_MESSAGE_ON_POST,
            Watched::Posts(_) => "POST_UPDATE",
        }
    }

    fn resource_id(&self) -> &str {
        match self {
            Watched::PostMessages(post) | Watched::Posts(post) => post,
            Watched::AllMessages => "",
        }
    }

    /// The scopes that allow it, any one of them, the narrowest first.
    fn scopes(&self) -> Vec<String> {
        match self {
            Watched::PostMessages(post) => {
                vec![format!("{POST_READ}.{post}"), SUPPLIER_READ.to_owned()]
            }
            Watched::AllMessages => vec![SUPPLIER_READ.to_owned()],
            Watched::Posts(_) => vec![POSTS_GET.to_owned()],
        }
    }

    fn describe(&self) -> String {
        match self {
            Watched::PostMessages(post) => format!("new messages on post {post}"),
            Watched::AllMessages => "new messages on all of the user's posts".to_owned(),
            Watched::Posts(post) if post.is_empty() => {
                "updates of all of the user's posts".to_owned()
            }
            Watched::Posts(post) => format!("updates of post {post}"),
        }
    }
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
    let invalid = |message: String| Refusal::new(StatusCode::BAD_REQUEST, message);
    let (watched, metadata) = read(&body).map_err(invalid)?;
    check_scope(&grant, &watched)?;
    sandbox.store.subscribe(&NewSubscription {
        access_token: token,
        user_id: &grant.user_id,
        event_type: watched.event_type(),
        resource_id: watched.resource_id(),
        metadata: metadata.as_ref(),
        made_at: unix_time(),
    })?;
    Ok(Json(json!({})))
}

/// What the body asks to watch, and its metadata; else what is wrong with it.
fn read(body: &[u8]) -> Result<(Watched, Option<Map<String, Value>>), String> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let body: Body = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| format!("request body: {}: {}", e.path(), e.inner()))?;
    let resource = body.event_resource_id.unwrap_or_default();
    if !resource.is_empty() {
        check_id("event_resource_id", &resource)?;
    }
    let watched = match body.event_type.as_deref() {
        Some(NEW_MESSAGE_ON_POST) if resource.is_empty() => Watched::AllMessages,
        Some(NEW_MESSAGE_ON_POST) => Watched::PostMessages(resource),
        Some("POST_UPDATE") => Watched::Posts(resource),
        Some(other) => {
            return Err(format!(
                "event_type: {} is none of NEW_MESSAGE_ON_POST, POST_UPDATE",
                crate::visible::excerpt(other)
            ));
        }
        None => {
            return Err("event_type: missing (NEW_MESSAGE_ON_POST or POST_UPDATE)".to_owned());
        }
    };
    let metadata = match body.metadata {
        None => None,
        Some(Value::Object(metadata)) => Some(metadata),
        Some(_) => return Err("metadata: must be a JSON object".to_owned()),
    };
    Ok((watched, metadata))
}

/// Whether the token carries one of the scopes that allow watching it.
fn check_scope(grant: &Grant, watched: &Watched) -> Result<(), Refusal> {
    let allowing = watched.scopes();
    if grant
        .scopes
        .iter()
        .map(Scope::to_string)
        .any(|scope| allowing.contains(&scope))
    {
        return Ok(());
    }
    Err(Refusal::new(
        StatusCode::FORBIDDEN,
        format!(
            "the access token (of user {}) does not allow subscribing to {}: it needs {}",
            grant.user_id,
            watched.describe(),
            allowing.join(" or ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(scopes: &[&str]) -> Grant {
        Grant {
            scopes: scopes.iter().map(|s| Scope::decode(s).unwrap()).collect(),
            user_id: "u".into(),
            expires: i64::MAX,
        }
    }

    #[test]
    fn each_event_type_needs_its_scope() {
        let post = Watched::PostMessages("P".into());
        let allowed =
            |scopes: &[&str], watched: &Watched| check_scope(&grant(scopes), watched).is_ok();
        assert!(allowed(&["CHAT_POST_CONVERSATIONS_READ.P"], &post));
        assert!(allowed(&["CHAT_SUPPLIER_ALL_CONVERSATIONS_READ"], &post));
        assert!(!allowed(&["CHAT_POST_CONVERSATIONS_READ.Q"], &post));
        // Sending is not reading.
        assert!(!allowed(&["CHAT_POST_CONVERSATIONS_MESSAGE_SEND.P"], &post));
        assert!(!allowed(
            &["CHAT_POST_CONVERSATIONS_READ.P"],
            &Watched::AllMessages
        ));
        assert!(allowed(
            &["CHAT_SUPPLIER_ALL_CONVERSATIONS_READ"],
            &Watched::AllMessages
        ));
        assert!(allowed(&["USER_POSTS_GET"], &Watched::Posts(String::new())));
        assert!(!allowed(
            &["CHAT_SUPPLIER_ALL_CONVERSATIONS_READ"],
            &Watched::Posts("P".into())
        ));
    }

    #[test]
    fn the_body_says_what_is_watched_or_what_is_wrong() {
        let watched = |body: &str| read(body.as_bytes()).map(|(watched, _)| watched);
        assert_eq!(
            watched(
                r#"{"event_type":"NEW_MESSAGE_ON_POST","event_resource_id":"gZd7omnS","metadata":{"key":"value"}}"#
            ),
            Ok(Watched::PostMessages("gZd7omnS".into()))
        );
        assert_eq!(
            watched(r#"{"event_type":"NEW_MESSAGE_ON_POST"}"#),
            Ok(Watched::AllMessages)
        );
        assert_eq!(
            watched(r#"{"event_type":"POST_UPDATE","event_resource_id":""}"#),
            Ok(Watched::Posts(String::new()))
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
            let problem = watched(body).unwrap_err();
            assert!(problem.contains(says), "{body}: {problem}");
        }
    }
}
