//! Asking Divar to send the app events (events.md section 1): the subscription request, the
//! scopes its access token needs, and how a subscription kept alive across refreshes
//! tries again when registering it fails.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};
use url::Url;

use crate::auth::token_source::setback_after;
use crate::error::{Error, Result};
use crate::http;
use crate::http::request::{Credentials, HeaderValue, PreparedRequest};
use crate::message::button::json_kind;
use crate::message::json_text::{self, Origin};
use crate::scope::{self, Recipient, Watched};

/// Where subscriptions are registered, relative to the current platform's API base URL.
pub const SUBSCRIPTIONS_PATH: &str = "v1/open-platform/events/subscriptions";
/// Tries at registering a subscription again with one access token, after which it waits
/// for the next token: a subscription may have been registered by an attempt that failed,
/// so attempts are bounded rather than repeated for as long as they fail.
pub const ATTEMPTS_PER_TOKEN: u32 = 10;

/// What a subscription asks to be told of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EventType {
    /// New messages in a post's conversations, delivered as `NEW_MESSAGE` events.
    #[default]
    NewMessageOnPost,
    /// Changes to a post (published, retired, ...), delivered as `POST_UPDATE` events.
    PostUpdate,
}

impl EventType {
    /// The names Divar's API takes, as `event_type`.
    pub const NAMES: [&str; 2] = ["NEW_MESSAGE_ON_POST", "POST_UPDATE"];

    pub fn name(self) -> &'static str {
        match self {
            EventType::NewMessageOnPost => Self::NAMES[0],
            EventType::PostUpdate => Self::NAMES[1],
        }
    }
}

impl FromStr for EventType {
    type Err = String;

    fn from_str(value: &str) -> std::result::Result<Self, String> {
        match value {
            "NEW_MESSAGE_ON_POST" => Ok(EventType::NewMessageOnPost),
            "POST_UPDATE" => Ok(EventType::PostUpdate),
            other => Err(format!(
                "{} is none of {}",
                crate::visible::excerpt(other),
                Self::NAMES.join(", ")
            )),
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One subscription: what it watches, on which post or on all of the user's, and the
/// app's own data that Divar sends back with each event.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub event_type: EventType,
    /// `None` for all of the user's posts.
    pub post_token: Option<String>,
    pub metadata: Option<Map<String, Value>>,
}

impl Subscription {
    /// A subscription, its post token checked as a scope's resource (`post_token: ...`).
    pub fn new(
        event_type: EventType,
        post_token: Option<String>,
        metadata: Option<Map<String, Value>>,
    ) -> Result<Self> {
        if let Some(post) = &post_token {
            scope::check_id("post_token", post).map_err(Error::invalid)?;
        }
        Ok(Subscription {
            event_type,
            post_token,
            metadata,
        })
    }

    /// What it watches, which decides the scopes its access token needs.
    pub fn watched(&self) -> Watched {
        match (self.event_type, &self.post_token) {
            (EventType::NewMessageOnPost, Some(post)) => Watched::PostMessages(post.clone()),
            (EventType::NewMessageOnPost, None) => Watched::AllMessages,
            (EventType::PostUpdate, _) => Watched::Posts,
        }
    }

    /// Whom its access token must cover, for choosing among the stored ones.
    pub fn recipient(&self) -> Recipient {
        Recipient::Subscribing(self.watched())
    }

    /// `event_resource_id`: the post token; for all posts none for new messages (the
    /// docs: "if omitted, all resources count") and an empty string for post updates
    /// (events/post.md).
    pub fn event_resource_id(&self) -> Option<&str> {
        match (&self.post_token, self.event_type) {
            (Some(post), _) => Some(post),
            (None, EventType::NewMessageOnPost) => None,
            (None, EventType::PostUpdate) => Some(""),
        }
    }

    /// The request's body: `{"event_type", "event_resource_id", "metadata"}`, each of the
    /// last two only when there is one.
    pub fn body(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Body<'a> {
            event_type: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            event_resource_id: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            metadata: Option<&'a Map<String, Value>>,
        }
        let body = Body {
            event_type: self.event_type.name(),
            event_resource_id: self.event_resource_id(),
            metadata: self.metadata.as_ref(),
        };
        // Strings and a map of JSON values always serialize.
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

impl fmt::Display for Subscription {
    /// `NEW_MESSAGE_ON_POST for post T`, `POST_UPDATE for all posts`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.post_token {
            Some(post) => write!(f, "{} for post {post}", self.event_type),
            None => write!(f, "{} for all posts", self.event_type),
        }
    }
}

impl PreparedRequest {
    /// `POST /v1/open-platform/events/subscriptions` with the app's key and the user's
    /// token as a Bearer token, as the current platform's other calls.
    pub fn subscribe(base: &Url, subscription: &Subscription, credentials: &Credentials) -> Self {
        PreparedRequest::api_post(
            http::url::join(base, SUBSCRIPTIONS_PATH),
            &credentials.api_key,
            (
                "authorization",
                HeaderValue::Bearer(credentials.access_token.clone()),
            ),
            subscription.body(),
        )
    }
}

/// Reads the app's metadata: a JSON object that names no key twice. A problem says where
/// it is (`line L column C: ...`); the caller says where the text came from.
pub fn read_metadata(text: &str) -> Result<Map<String, Value>> {
    let (value, _) =
        json_text::read::<Value>(Origin::Value, text.as_bytes(), |path| path.is_empty(), None)?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(Error::invalid(format!(
            "must be a JSON object, not {}",
            json_kind(&other)
        ))),
    }
}

/// Registering a subscription with one access token again after failures, with a growing
/// wait, up to [`ATTEMPTS_PER_TOKEN`].
#[derive(Debug, Default)]
pub struct Retries {
    failures: u32,
}

impl Retries {
    /// Counts a failure: the wait before the next attempt, `None` when there is to be no
    /// other attempt with this token.
    pub fn failed(&mut self) -> Option<Duration> {
        self.failures = self.failures.saturating_add(1);
        (self.failures < ATTEMPTS_PER_TOKEN).then(|| setback_after(self.failures))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretString;

    fn subscription(event_type: EventType, post: Option<&str>) -> Subscription {
        Subscription::new(event_type, post.map(Into::into), None).unwrap()
    }

    #[test]
    fn each_kind_of_subscription_has_its_body_as_the_docs_give_it() {
        let body = |s: &Subscription| String::from_utf8(s.body()).unwrap();
        let mut one = subscription(EventType::NewMessageOnPost, Some("gZd7omnS"));
        one.metadata = Some(read_metadata(r#"{"key": "value"}"#).unwrap());
        // The docs' own example, byte for byte.
        assert_eq!(
            body(&one),
            r#"{"event_type":"NEW_MESSAGE_ON_POST","event_resource_id":"gZd7omnS","metadata":{"key":"value"}}"#
        );
        assert_eq!(
            body(&subscription(EventType::NewMessageOnPost, None)),
            r#"{"event_type":"NEW_MESSAGE_ON_POST"}"#
        );
        assert_eq!(
            body(&subscription(EventType::PostUpdate, None)),
            r#"{"event_type":"POST_UPDATE","event_resource_id":""}"#
        );
        assert_eq!(
            body(&subscription(EventType::PostUpdate, Some("p1"))),
            r#"{"event_type":"POST_UPDATE","event_resource_id":"p1"}"#
        );
    }

    #[test]
    fn each_kind_watches_what_its_scopes_cover() {
        assert_eq!(
            subscription(EventType::NewMessageOnPost, Some("p1")).watched(),
            Watched::PostMessages("p1".into())
        );
        assert_eq!(
            subscription(EventType::NewMessageOnPost, None).watched(),
            Watched::AllMessages
        );
        assert_eq!(
            subscription(EventType::PostUpdate, Some("p1")).watched(),
            Watched::Posts
        );
        assert_eq!(
            subscription(EventType::PostUpdate, None).to_string(),
            "POST_UPDATE for all posts"
        );
        assert_eq!(
            subscription(EventType::NewMessageOnPost, Some("p1")).to_string(),
            "NEW_MESSAGE_ON_POST for post p1"
        );
    }

    #[test]
    fn a_post_token_is_checked_and_an_event_type_named() {
        let err = Subscription::new(EventType::PostUpdate, Some("a b".into()), None).unwrap_err();
        assert!(err.to_string().starts_with("post_token: "), "{err}");
        assert_eq!("POST_UPDATE".parse(), Ok(EventType::PostUpdate));
        let err = "NEW_MESSAGE".parse::<EventType>().unwrap_err();
        assert_eq!(
            err,
            "\"NEW_MESSAGE\" is none of NEW_MESSAGE_ON_POST, POST_UPDATE"
        );
    }

    #[test]
    fn metadata_is_an_object_and_its_problems_say_where() {
        let err = |text: &str| read_metadata(text).unwrap_err().to_string();
        assert_eq!(
            err("{\"a\": 1,\n \"b\": }"),
            "line 2 column 7: b: expected value"
        );
        assert_eq!(
            err("[1]"),
            "line 1 column 1: must be a JSON object with named fields, not an array"
        );
        assert_eq!(err("\"x\""), "must be a JSON object, not a string");
        assert!(err(r#"{"a": 1, "a": 2}"#).contains("appears twice"));
        assert!(err("{").starts_with("line 1 column 1: "), "{}", err("{"));
        let map = read_metadata(r#"{"order": {"id": 42}}"#).unwrap();
        assert_eq!(map["order"]["id"], 42);
    }

    #[test]
    fn a_subscription_goes_with_the_key_and_a_masked_bearer_token() {
        let credentials = Credentials {
            api_key: SecretString::new("key-1"),
            access_token: SecretString::new("tok-2"),
        };
        let base = Url::parse("http://127.0.0.1:8700/prefix").unwrap();
        let request = PreparedRequest::subscribe(
            &base,
            &subscription(EventType::NewMessageOnPost, Some("p1")),
            &credentials,
        );
        assert_eq!(
            request.url.as_str(),
            "http://127.0.0.1:8700/prefix/v1/open-platform/events/subscriptions"
        );
        let shown = request.render(false);
        assert!(shown.contains("x-api-key: ***\n"), "{shown}");
        assert!(shown.contains("authorization: Bearer ***\n"), "{shown}");
        assert!(
            !shown.contains("tok-2") && !shown.contains("key-1"),
            "{shown}"
        );
    }

    #[test]
    fn retries_wait_longer_each_time_and_end() {
        let mut retries = Retries::default();
        assert_eq!(retries.failed(), Some(Duration::from_millis(500)));
        assert_eq!(retries.failed(), Some(Duration::from_secs(1)));
        let waits: Vec<_> = (2..ATTEMPTS_PER_TOKEN).map(|_| retries.failed()).collect();
        assert_eq!(waits.last(), Some(&None));
        assert!(waits[..waits.len() - 1].iter().all(Option::is_some));
        assert_eq!(retries.failed(), None);
    }
}
