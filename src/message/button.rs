//! Buttons under a message: the checked [`Button`] both platforms share, and the legacy
//! platform's one-button-a-side draft (`sender_btn`, `receiver_btn`) with its wire shape.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::duplicate_keys;
use crate::http;
use crate::visible;

pub const LINK: &str = "LINK";
pub const DIRECT_LINK: &str = "DIRECT_LINK";

/// A checked button: shown under the message to one side of the chat only. A legacy LINK
/// and a current `open_server_link` are the same thing (data handed to the app's server),
/// as are DIRECT_LINK and `open_direct_link`.
#[derive(Debug, Clone, PartialEq)]
pub struct Button {
    pub icon_name: String,
    pub caption: String,
    pub action: ButtonAction,
}

/// What a click does. The legacy platform has the first two only.
#[derive(Debug, Clone, PartialEq)]
pub enum ButtonAction {
    /// Divar calls the app's session initialization (server-link) URL with this data and
    /// opens the page the app answers with (section 4): `open_server_link`, legacy LINK.
    Link { extra_data: Map<String, Value> },
    /// Divar opens this absolute http(s) URL directly: `open_direct_link`, legacy
    /// DIRECT_LINK.
    DirectLink { url: String },
    /// Divar calls the app's dynamic-action URL with this data, and shows the text the app
    /// answers with or follows the action it answers with: `get_dynamic_action`.
    DynamicAction { data: Map<String, Value> },
    /// Divar opens the post's page: `open_post_page`.
    PostPage { post_token: String },
    /// Divar opens the page where the post's owner manages it: `open_post_manage_page`.
    PostManagePage { post_token: String },
}

/// The current platform's actions, as a grid button's `action` names them.
pub const OPEN_DIRECT_LINK: &str = "open_direct_link";
pub const OPEN_SERVER_LINK: &str = "open_server_link";
pub const GET_DYNAMIC_ACTION: &str = "get_dynamic_action";
pub const OPEN_POST_PAGE: &str = "open_post_page";
pub const OPEN_POST_MANAGE_PAGE: &str = "open_post_manage_page";
/// Every action of the current platform, in Divar's order.
pub const ACTIONS: [&str; 5] = [
    OPEN_DIRECT_LINK,
    OPEN_SERVER_LINK,
    GET_DYNAMIC_ACTION,
    OPEN_POST_PAGE,
    OPEN_POST_MANAGE_PAGE,
];

impl ButtonAction {
    /// The action's name on the current platform.
    pub fn name(&self) -> &'static str {
        match self {
            ButtonAction::Link { .. } => OPEN_SERVER_LINK,
            ButtonAction::DirectLink { .. } => OPEN_DIRECT_LINK,
            ButtonAction::DynamicAction { .. } => GET_DYNAMIC_ACTION,
            ButtonAction::PostPage { .. } => OPEN_POST_PAGE,
            ButtonAction::PostManagePage { .. } => OPEN_POST_MANAGE_PAGE,
        }
    }

    /// The action's name on the legacy platform, which has two.
    pub fn legacy_name(&self) -> Option<&'static str> {
        match self {
            ButtonAction::Link { .. } => Some(LINK),
            ButtonAction::DirectLink { .. } => Some(DIRECT_LINK),
            _ => None,
        }
    }

    /// The action as a current-platform button carries it, as in Divar's SDK:
    /// `{"open_direct_link": URL}`, `{"open_server_link": {"data": {...}}}`,
    /// `{"get_dynamic_action": {"data": {...}}}`, `{"open_post_page": {"post_token": T}}`,
    /// `{"open_post_manage_page": {"post_token": T}}`.
    pub fn to_wire(&self) -> Value {
        let payload = match self {
            ButtonAction::DirectLink { url } => Value::from(url.as_str()),
            ButtonAction::Link { extra_data: data } | ButtonAction::DynamicAction { data } => {
                serde_json::json!({ "data": data })
            }
            ButtonAction::PostPage { post_token } | ButtonAction::PostManagePage { post_token } => {
                serde_json::json!({ "post_token": post_token })
            }
        };
        let mut action = Map::new();
        action.insert(self.name().into(), payload);
        Value::Object(action)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a JSON object")]
pub struct ButtonDraft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default)]
    pub data: ButtonDataDraft,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a JSON object")]
pub struct ButtonDataDraft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_data: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_link: Option<String>,
}

impl ButtonDraft {
    /// Checks a legacy button of one side (`side` is its JSON name, such as `sender_btn`).
    pub(crate) fn build(self, side: &str) -> std::result::Result<Button, Vec<String>> {
        let data = self.data;
        let mut problems = Vec::new();
        let mut need = |name: &str, value: &Option<String>| match value {
            None => problems.push(format!("{side}.data.{name}: missing")),
            Some(v) if v.trim().is_empty() => {
                problems.push(format!("{side}.data.{name}: must not be blank"));
            }
            Some(_) => {}
        };
        need("icon_name", &data.icon_name);
        need("caption", &data.caption);
        let action = match (self.action.as_deref(), data.extra_data, data.direct_link) {
            (_, Some(_), Some(_)) => {
                problems.push(format!(
                    "{side}.data: give either extra_data (LINK) or direct_link (DIRECT_LINK), not both"
                ));
                None
            }
            (Some(LINK) | None, Some(Value::Object(extra_data)), None) => {
                Some(ButtonAction::Link { extra_data })
            }
            (Some(LINK) | None, Some(other), None) => {
                problems.push(format!(
                    "{side}.data.extra_data: must be a JSON object, not {}",
                    json_kind(&other)
                ));
                None
            }
            (Some(DIRECT_LINK) | None, None, Some(url)) => match http::url::parse(&url) {
                Ok(_) => Some(ButtonAction::DirectLink { url }),
                Err(problem) => {
                    problems.push(format!("{side}.data.direct_link: {problem}"));
                    None
                }
            },
            (Some(LINK), None, _) => {
                problems.push(format!(
                    "{side}.data.extra_data: missing (a LINK button carries extra_data)"
                ));
                None
            }
            (Some(DIRECT_LINK), _, None) => {
                problems.push(format!(
                    "{side}.data.direct_link: missing (a DIRECT_LINK button carries direct_link)"
                ));
                None
            }
            (None, None, None) => {
                problems.push(format!(
                    "{side}: needs either extra_data (LINK) or direct_link (DIRECT_LINK)"
                ));
                None
            }
            (Some(other), _, _) => {
                problems.push(format!(
                    "{side}.action: must be \"LINK\" or \"DIRECT_LINK\", not {}",
                    visible::excerpt(other)
                ));
                None
            }
        };
        match (action, data.icon_name, data.caption, problems.is_empty()) {
            (Some(action), Some(icon_name), Some(caption), true) => Ok(Button {
                icon_name,
                caption,
                action,
            }),
            _ => Err(problems),
        }
    }
}

/// Merges flag-given button fields over a file's button. Giving a direct link switches the
/// button to DIRECT_LINK (dropping extra data), and giving extra data switches it to LINK.
pub(crate) fn overlay_button(slot: &mut Option<ButtonDraft>, over: Option<ButtonDraft>) {
    let Some(over) = over else { return };
    let button = slot.get_or_insert_with(ButtonDraft::default);
    let data = &mut button.data;
    if over.data.direct_link.is_some() {
        button.action = Some(DIRECT_LINK.into());
        data.extra_data = None;
        data.direct_link = over.data.direct_link;
    }
    if over.data.extra_data.is_some() {
        button.action = Some(LINK.into());
        data.direct_link = None;
        data.extra_data = over.data.extra_data;
    }
    if over.action.is_some() {
        button.action = over.action;
    }
    if over.data.icon_name.is_some() {
        data.icon_name = over.data.icon_name;
    }
    if over.data.caption.is_some() {
        data.caption = over.data.caption;
    }
}

/// Reads the JSON text of a button's `extra_data`, given by a flag or an answer at a
/// prompt: valid JSON that names no key twice. The error is the problem alone.
pub fn parse_extra_data(text: &str) -> std::result::Result<Value, String> {
    let value = serde_json::from_str(text).map_err(|e| format!("not valid JSON ({e})"))?;
    duplicate_keys::check(text.as_bytes()).map_err(|e| format!("not valid JSON ({e})"))?;
    Ok(value)
}

pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Serialize for Button {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Wire<'a> {
            action: &'a str,
            data: Data<'a>,
        }
        #[derive(Serialize)]
        // Field order as in Divar's own examples: the target before the caption.
        struct Data<'a> {
            icon_name: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            extra_data: Option<&'a Map<String, Value>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            direct_link: Option<&'a str>,
            caption: &'a str,
        }
        let (action, extra_data, direct_link) = match &self.action {
            ButtonAction::Link { extra_data } => (LINK, Some(extra_data), None),
            ButtonAction::DirectLink { url } => (DIRECT_LINK, None, Some(url.as_str())),
            // A legacy button is built from LINK or DIRECT_LINK only.
            other => {
                return Err(serde::ser::Error::custom(format!(
                    "{} is not an action of the legacy platform",
                    other.name()
                )));
            }
        };
        Wire {
            action,
            data: Data {
                icon_name: &self.icon_name,
                caption: &self.caption,
                extra_data,
                direct_link,
            },
        }
        .serialize(serializer)
    }
}
