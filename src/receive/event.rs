//! What Divar sends an app (events.md sections 2 and 3), read tolerantly: the documents
//! disagree with each other and with the OpenAPI file, so every documented spelling is
//! taken (`sent_at` as microseconds or RFC 3339, numbers as strings, `extra_data` or
//! `provider_data`, `transaction` or `payment_transaction`), and unknown fields are kept
//! out of the way rather than refused.

use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::timestamp::Timestamp;

/// The webhook event types Divar documents.
pub const EVENT_TYPES: [&str; 5] = [
    "NEW_MESSAGE",
    "NEW_CHATBOT_MESSAGE",
    "USER_ACCESS_REVOCATION",
    "POST_UPDATE",
    "PAYMENT_TRANSACTION",
];
/// The name of an `open_server_link` click or a touchpoint's session initialization call.
pub const SERVER_LINK: &str = "SERVER_LINK";
/// The name of a `get_dynamic_action` button's call.
pub const DYNAMIC_ACTION: &str = "DYNAMIC_ACTION";

/// What a request from Divar is, told by its body: events carry `type`, dynamic-action
/// calls `touchpoint`, server-link and session-init calls `source` (or their data).
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Event(Box<Envelope>),
    ServerLink(ServerLink),
    DynamicAction(DynamicAction),
}

impl Request {
    /// Reads a body as what it says it is; the error says what is wrong with it, with its
    /// line and column.
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        Received::read(body)?.read
    }

    /// The event type, or [`SERVER_LINK`] or [`DYNAMIC_ACTION`]: what `--events` names.
    pub fn name(&self) -> &str {
        match self {
            Request::Event(envelope) => &envelope.event_type,
            Request::ServerLink(_) => SERVER_LINK,
            Request::DynamicAction(_) => DYNAMIC_ACTION,
        }
    }

    /// What a person watching wants to know of it, in one line's worth.
    pub fn summary(&self) -> Summary {
        match self {
            Request::Event(envelope) => envelope.summary(),
            Request::ServerLink(link) => Summary {
                name: SERVER_LINK.into(),
                conversation: link.conversation_id.clone(),
                side: link.user_side.clone(),
                excerpt: link.source.clone(),
                problem: None,
            },
            Request::DynamicAction(action) => Summary {
                name: DYNAMIC_ACTION.into(),
                conversation: action.conversation_id.clone(),
                side: action.user_side.clone(),
                excerpt: Some(action.touchpoint.clone()),
                problem: None,
            },
        }
    }
}

/// A body as `listen` takes it: what it says it is, and its typed read, which may fail on
/// one field without making the body any less worth passing to the app.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    /// The event type the body names, or [`SERVER_LINK`] or [`DYNAMIC_ACTION`]; `None`
    /// when it says neither.
    pub name: Option<String>,
    /// Whether Divar waits for the app's answer and acts on it (a `{url}` to open, an
    /// action to run), rather than only being told it arrived: server-link and
    /// dynamic-action calls.
    pub synchronous: bool,
    /// The body read as what it says it is, or why it does not read so.
    pub read: Result<Request, String>,
}

impl Received {
    /// Tells a body apart by its keys: events carry `type`, dynamic-action calls
    /// `touchpoint`, server-link and session-init calls `source` (or their data). The
    /// error, only for a body that is not a JSON object, says where it goes wrong.
    pub fn read(body: &[u8]) -> Result<Self, String> {
        let value: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
        let Value::Object(object) = &value else {
            return Err("not a JSON object".into());
        };
        let received = if object.contains_key("type") {
            Received {
                name: object
                    .get("type")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                synchronous: false,
                read: typed(body, "webhook event").map(|e| Request::Event(Box::new(e))),
            }
        } else if object.contains_key("touchpoint") {
            Received {
                name: Some(DYNAMIC_ACTION.into()),
                synchronous: true,
                read: typed(body, "dynamic-action call").map(Request::DynamicAction),
            }
        } else if ["source", "extra_data", "provider_data"]
            .iter()
            .any(|key| object.contains_key(*key))
        {
            Received {
                name: Some(SERVER_LINK.into()),
                synchronous: true,
                read: typed(body, "server-link call").map(Request::ServerLink),
            }
        } else {
            Received {
                name: None,
                synchronous: false,
                read: Err("neither an event (no \"type\"), a dynamic-action call (no \
                           \"touchpoint\") nor a server-link call (no \"source\")"
                    .into()),
            }
        };
        Ok(received)
    }

    /// What a person watching wants to know of it: the typed read's summary, else its
    /// name and what is wrong.
    pub fn summary(&self) -> Summary {
        match &self.read {
            Ok(request) => request.summary(),
            Err(problem) => Summary {
                name: self.name.clone().unwrap_or_default(),
                problem: Some(problem.clone()),
                ..Summary::default()
            },
        }
    }
}

/// The body read as `T`; the error names the field, line and column.
fn typed<T: for<'de> Deserialize<'de>>(body: &[u8], what: &str) -> Result<T, String> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        format!(
            "not a {what} as Divar sends it: {}: {}",
            e.path(),
            e.inner()
        )
    })
}

/// One request in a few words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The event type, or `SERVER_LINK`, `DYNAMIC_ACTION`.
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation: Option<String>,
    /// Who it comes from: the sender's side and type, or the clicking user's side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<String>,
    /// The text, the medium, the post's change, the transaction's state...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// Why it does not read as what it says it is, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// A webhook delivery to the app's events URL (events.md section 2).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Envelope {
    #[serde(rename = "type")]
    pub event_type: String,
    /// The subscription's metadata, as the app gave it.
    pub metadata: Option<Value>,
    pub new_message: Option<ChatMessage>,
    pub new_chatbot_message: Option<ChatMessage>,
    pub user_access_revocation: Option<AccessRevocation>,
    pub post_update: Option<PostUpdate>,
    /// `payment_transaction` in the docs' example, `transaction` in their table.
    #[serde(default, alias = "transaction")]
    pub payment_transaction: Option<Transaction>,
}

impl Envelope {
    fn summary(&self) -> Summary {
        let mut summary = Summary {
            name: self.event_type.clone(),
            ..Summary::default()
        };
        let missing = |key: &str| Some(format!("it has no \"{key}\" object"));
        match self.event_type.as_str() {
            "NEW_MESSAGE" | "NEW_CHATBOT_MESSAGE" => {
                let (key, message) = if self.event_type == "NEW_MESSAGE" {
                    ("new_message", &self.new_message)
                } else {
                    ("new_chatbot_message", &self.new_chatbot_message)
                };
                match message {
                    Some(message) => {
                        summary.conversation = Some(message.conversation.id.clone());
                        summary.side = message.sender.describe();
                        summary.excerpt = Some(message.excerpt());
                    }
                    None => summary.problem = missing(key),
                }
            }
            "USER_ACCESS_REVOCATION" => match &self.user_access_revocation {
                Some(revocation) => summary.excerpt = Some(format!("user {}", revocation.user_id)),
                None => summary.problem = missing("user_access_revocation"),
            },
            "POST_UPDATE" => match &self.post_update {
                Some(update) => {
                    summary.excerpt = Some(format!("{} post {}", update.kind, update.post.token));
                }
                None => summary.problem = missing("post_update"),
            },
            "PAYMENT_TRANSACTION" => match &self.payment_transaction {
                Some(transaction) => summary.excerpt = Some(transaction.describe()),
                None => summary.problem = missing("payment_transaction"),
            },
            other => {
                summary.problem = Some(format!(
                    "{other:?} is not an event type Divar documents ({})",
                    EVENT_TYPES.join(", ")
                ));
            }
        }
        summary
    }
}

/// A chat message (events.md section 2, ChatMessage).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ChatMessage {
    pub id: String,
    pub conversation: Conversation,
    pub sender: Sender,
    /// TEXT, IMAGE, FILE, VOICE, LOCATION, VIDEO or CONTACT.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, deserialize_with = "timestamp")]
    pub sent_at: Option<Timestamp>,
    pub text: Option<String>,
    pub image_data: Option<ImageData>,
    pub file_data: Option<FileData>,
    pub voice_data: Option<MediaData>,
    pub video_data: Option<VideoData>,
    pub location_data: Option<LocationData>,
    pub contact_data: Option<ContactData>,
}

impl ChatMessage {
    /// The text, or what the medium is.
    fn excerpt(&self) -> String {
        let size = |bytes: Option<u64>| bytes.map_or(String::new(), |b| format!(", {b} bytes"));
        if let Some(text) = &self.text {
            return text.clone();
        }
        match (
            &self.image_data,
            &self.file_data,
            &self.voice_data,
            &self.video_data,
            &self.location_data,
            &self.contact_data,
        ) {
            (Some(image), ..) => format!("(image {}{})", image.link, size(image.size_bytes)),
            (_, Some(file), ..) => format!("(file {}{})", file.name, size(file.size_bytes)),
            (_, _, Some(voice), ..) => format!("(voice {}{})", voice.link, size(voice.size_bytes)),
            (_, _, _, Some(video), ..) => {
                format!("(video {}{})", video.link, size(video.size_bytes))
            }
            (.., Some(location), _) => {
                format!("(location {}, {})", location.latitude, location.longitude)
            }
            (.., Some(contact)) => format!("(contact {})", contact.phone),
            _ => format!("({} message)", self.kind),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Conversation {
    pub id: String,
    /// POST or BOT.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The post's token, in POST conversations.
    pub post_token: Option<String>,
}

/// Who sent it. The chatbot example has no `side`; the docs' media examples write the type
/// `USER` where their table says `HUMAN`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Sender {
    pub side: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

impl Sender {
    fn describe(&self) -> Option<String> {
        match (&self.side, &self.kind) {
            (Some(side), Some(kind)) => Some(format!("{side}/{kind}")),
            (Some(one), None) | (None, Some(one)) => Some(one.clone()),
            (None, None) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ImageData {
    pub link: String,
    #[serde(default, deserialize_with = "count")]
    pub size_bytes: Option<u64>,
    #[serde(default, deserialize_with = "count")]
    pub height_px: Option<u64>,
    #[serde(default, deserialize_with = "count")]
    pub width_px: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FileData {
    pub link: String,
    pub name: String,
    #[serde(default, deserialize_with = "count")]
    pub size_bytes: Option<u64>,
}

/// A voice note.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MediaData {
    pub link: String,
    #[serde(default, deserialize_with = "count")]
    pub size_bytes: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct VideoData {
    pub link: String,
    pub thumbnail_link: Option<String>,
    #[serde(default, deserialize_with = "count")]
    pub size_bytes: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LocationData {
    #[serde(deserialize_with = "coordinate")]
    pub latitude: f64,
    #[serde(deserialize_with = "coordinate")]
    pub longitude: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ContactData {
    pub name: Option<String>,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccessRevocation {
    pub user_id: String,
}

/// A post's change: PUBLISH, RETIRE, ONGOING, ARCHIVE ("more may be added").
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PostUpdate {
    #[serde(rename = "type")]
    pub kind: String,
    pub post: Post,
}

/// A post as `GET /finder/post/{token}` shows it; RETIRE and ARCHIVE carry only the token.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Post {
    pub token: String,
    pub category: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub is_phone_hidden: Option<bool>,
    pub supplier_chat_assistant_enabled: Option<bool>,
    pub chat_enabled: Option<bool>,
    #[serde(default, deserialize_with = "timestamp")]
    pub first_published_at: Option<Timestamp>,
    pub data: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Transaction {
    pub id: String,
    /// An int64 in the OpenAPI file: a refund may be negative.
    #[serde(default, deserialize_with = "count")]
    pub cost_rials: Option<i64>,
    pub extra_details: Option<String>,
    pub state: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    pub app_slug: Option<String>,
    #[serde(default, deserialize_with = "timestamp")]
    pub created_at: Option<Timestamp>,
}

impl Transaction {
    fn describe(&self) -> String {
        let mut parts = vec![format!("transaction {}", self.id)];
        parts.extend(self.state.clone());
        parts.extend(self.cost_rials.map(|rials| format!("{rials} rials")));
        parts.join(" ")
    }
}

/// An `open_server_link` click or a touchpoint's session initialization (events.md
/// section 3): the app answers `{"url": ...}`, which the user's client opens.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ServerLink {
    /// POST_ADDON, CHAT_MESSAGE_ACTION, CHAT...
    pub source: Option<String>,
    pub post_token: Option<String>,
    pub conversation_id: Option<String>,
    /// Supply, Demand, SUPPLY or DEMAND.
    pub user_side: Option<String>,
    pub user_id: Option<String>,
    /// The button's data: `extra_data` for a click, `provider_data` for a session init.
    pub extra_data: Option<Value>,
    pub provider_data: Option<Value>,
    pub completion_url: Option<String>,
}

/// A `get_dynamic_action` button's call: the app answers with an action, a text, or both.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DynamicAction {
    pub touchpoint: String,
    pub post_token: Option<String>,
    pub conversation_id: Option<String>,
    pub user_side: Option<String>,
    pub user_id: Option<String>,
    pub extra_data: Option<Value>,
}

fn timestamp<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Timestamp>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(value) => Timestamp::parse(&value)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

/// A count (bytes, pixels, rials): a JSON number in the docs, a string in the OpenAPI file;
/// whole, and in `T`'s range (unsigned for sizes, signed for rials).
fn count<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr + TryFrom<u64> + TryFrom<i64>,
{
    let value = Option::<Value>::deserialize(deserializer)?;
    let number = match &value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|n| T::try_from(n).ok())
            .or_else(|| n.as_i64().and_then(|n| T::try_from(n).ok())),
        Some(Value::String(s)) => s.parse().ok(),
        Some(_) => None,
    };
    number.map(Some).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "{} is not a whole number in range, as a number or a string",
            value.unwrap_or_default()
        ))
    })
}

/// A latitude or longitude: a JSON number, or a string of one.
fn coordinate<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let value = Value::deserialize(deserializer)?;
    match &value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
    .filter(|degrees| degrees.is_finite())
    .ok_or_else(|| serde::de::Error::custom(format!("{value} is not a number of degrees")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(body: &str) -> Envelope {
        match Request::parse(body.as_bytes()) {
            Ok(Request::Event(envelope)) => *envelope,
            other => panic!("not an event: {other:?}"),
        }
    }

    #[test]
    fn counts_are_read_as_numbers_or_strings() {
        let body = r#"{"type":"NEW_MESSAGE","new_message":{"id":"m","conversation":{"id":"c"},
            "sender":{"side":"BUYER","type":"USER"},"type":"IMAGE","sent_at":"2025-07-16T10:41:42.648410Z",
            "image_data":{"link":"https://x/i.jpg","size_bytes":"204800","height_px":1080,"width_px":"1920"}}}"#;
        let image = event(body).new_message.unwrap().image_data.unwrap();
        assert_eq!(image.size_bytes, Some(204_800));
        assert_eq!(image.width_px, Some(1920));
        let bad = body.replace("\"204800\"", "\"2 kB\"");
        let problem = Request::parse(bad.as_bytes()).unwrap_err();
        assert!(
            problem.contains("new_message.image_data.size_bytes: \"2 kB\" is not a whole number"),
            "{problem}"
        );
        assert!(problem.contains("at line 3 column 70"), "{problem}");
    }

    #[test]
    fn both_spellings_of_the_payment_key_are_read() {
        let body =
            r#"{"type":"PAYMENT_TRANSACTION","transaction":{"id":"t","cost_rials":"100000"}}"#;
        let transaction = event(body).payment_transaction.unwrap();
        assert_eq!(transaction.cost_rials, Some(100_000));
    }

    #[test]
    fn requests_are_told_apart_by_their_body() {
        let link = Received::read(br#"{"provider_data":{"a":1},"post_token":"p"}"#).unwrap();
        assert_eq!(link.name.as_deref(), Some(SERVER_LINK));
        assert!(link.synchronous);
        assert_eq!(link.read.unwrap().name(), SERVER_LINK);
        let action = Request::parse(br#"{"touchpoint":"CHAT","extra_data":{}}"#).unwrap();
        assert_eq!(action.name(), DYNAMIC_ACTION);
        let unknown = Request::parse(br#"{"type":"NEW_THING"}"#).unwrap();
        assert!(unknown.summary().problem.unwrap().contains("NEW_THING"));
        assert!(
            Request::parse(b"[1]")
                .unwrap_err()
                .contains("not a JSON object")
        );
        assert!(
            Request::parse(br#"{"a":1}"#)
                .unwrap_err()
                .contains("neither")
        );
        let not_json = Request::parse(b"{\"type\":").unwrap_err();
        assert!(not_json.starts_with("not JSON: EOF"), "{not_json}");
    }

    #[test]
    fn a_documented_event_off_shape_in_one_field_keeps_its_name_and_says_the_field() {
        let message = |sender: &str, extra: &str| {
            format!(
                r#"{{"type":"NEW_MESSAGE","new_message":{{"id":"m","conversation":{{"id":"c"}},{sender}"type":"FILE",{extra}}}}}"#
            )
        };
        for (body, field) in [
            (
                message("", r#""text":"x""#),
                "new_message: missing field `sender`",
            ),
            (
                message(r#""sender":{},"#, r#""file_data":{"link":"l"}"#),
                "new_message.file_data: missing field `name`",
            ),
            (
                message(r#""sender":{},"#, r#""sent_at":1729429926140000.5"#),
                "new_message.sent_at: 1729429926140000.5 is not a time",
            ),
        ] {
            let received = Received::read(body.as_bytes()).unwrap();
            assert_eq!(received.name.as_deref(), Some("NEW_MESSAGE"));
            assert!(!received.synchronous);
            let summary = received.summary();
            assert_eq!(summary.name, "NEW_MESSAGE");
            let problem = summary.problem.unwrap();
            assert!(problem.contains(field), "{problem}");
        }
        let action = Received::read(br#"{"touchpoint":7}"#).unwrap();
        assert_eq!(
            (action.name.as_deref(), action.synchronous),
            (Some(DYNAMIC_ACTION), true)
        );
        assert!(action.summary().problem.unwrap().contains("touchpoint"));
        let nameless = Received::read(br#"{"type":5,"hello":1}"#).unwrap();
        assert_eq!((nameless.name, nameless.synchronous), (None, false));
        assert!(Received::read(b"[]").is_err());
        assert!(Received::read(b"{").is_err());
    }

    #[test]
    fn rials_are_signed_as_the_openapi_file_types_them() {
        for (cost, rials) in [(r#""-250000""#, -250_000), ("-250000", -250_000), ("7", 7)] {
            let body = format!(
                r#"{{"type":"PAYMENT_TRANSACTION","payment_transaction":{{"id":"t","cost_rials":{cost}}}}}"#
            );
            let transaction = event(&body).payment_transaction.unwrap();
            assert_eq!(transaction.cost_rials, Some(rials));
            assert!(transaction.describe().ends_with(&format!("{rials} rials")));
        }
        let sizes = r#"{"type":"NEW_MESSAGE","new_message":{"id":"m","conversation":{"id":"c"},
            "sender":{},"type":"VOICE","voice_data":{"link":"l","size_bytes":-1}}}"#;
        let problem = Request::parse(sizes.as_bytes()).unwrap_err();
        assert!(
            problem.contains("voice_data.size_bytes: -1 is not a whole number in range"),
            "{problem}"
        );
    }

    #[test]
    fn a_message_missing_its_object_is_named() {
        let summary = Request::parse(br#"{"type":"NEW_MESSAGE"}"#)
            .unwrap()
            .summary();
        assert_eq!(
            summary.problem.as_deref(),
            Some("it has no \"new_message\" object")
        );
    }
}
