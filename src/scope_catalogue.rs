//! Divar's OAuth scopes and the endpoints they serve, as data (protocol section 6): what
//! each scope allows and the resource it takes, and each endpoint's key permission and
//! scopes. Scope names typed by hand are checked against it, so that a near miss is caught
//! before Divar refuses the whole grant.

use serde::Deserialize;
use url::Url;

use crate::error::{Error, Result};
use crate::http::answer::{self, Answer};
use crate::http::request::{HeaderValue, PreparedRequest};
use crate::secret::SecretString;

/// What follows a scope's permission name, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// The scope is the permission name alone.
    None,
    ConversationId,
    PostToken,
    /// `BASE64(user_id:post_token:peer_id)`, the legacy chat's resource ID.
    ChatResourceId,
    /// A resource ID whose kind Divar's specification does not name.
    Unnamed,
}

impl Resource {
    /// How the resource is named in messages and listings; empty for none.
    pub fn name(self) -> &'static str {
        match self {
            Resource::None => "",
            Resource::ConversationId => "conversation ID",
            Resource::PostToken => "post token",
            Resource::ChatResourceId => "chat resource ID",
            Resource::Unnamed => "resource ID",
        }
    }

    /// The placeholder written after the separator in a suggestion.
    fn placeholder(self) -> &'static str {
        match self {
            Resource::None => "",
            Resource::ConversationId => "<conversation_id>",
            Resource::PostToken => "<post_token>",
            Resource::ChatResourceId => "<resource_id>",
            Resource::Unnamed => "<id>",
        }
    }
}

/// One scope Divar defines.
#[derive(Debug, PartialEq, Eq)]
pub struct ScopeInfo {
    /// As an authorization URL spells it (the standard scopes in lower case).
    pub name: &'static str,
    pub resource: Resource,
    /// What a token carrying it may do, in words.
    pub allows: &'static str,
    /// The legacy chat scopes exist only there, and separate their resource by `__`; every
    /// other scope is the current platform's, with `.`.
    pub legacy: bool,
}

impl ScopeInfo {
    /// How its resource is separated from its name.
    pub fn separator(&self) -> &'static str {
        if self.legacy { "__" } else { "." }
    }

    /// Its form with a placeholder for the resource: `CONVERSATION_SEND_MESSAGE.<conversation_id>`.
    pub fn pattern(&self) -> String {
        match self.resource {
            Resource::None => self.name.to_owned(),
            resource => format!(
                "{}{}{}",
                self.name,
                self.separator(),
                resource.placeholder()
            ),
        }
    }

    /// The endpoints the tool knows that a token with this scope may call.
    pub fn endpoints(&self) -> impl Iterator<Item = &'static Endpoint> + '_ {
        ENDPOINTS.iter().filter(|e| e.scopes.contains(&self.name))
    }
}

const fn scope(name: &'static str, resource: Resource, allows: &'static str) -> ScopeInfo {
    ScopeInfo {
        name,
        resource,
        allows,
        legacy: false,
    }
}

/// Every scope Divar defines: the legacy chat's two, then the current platform's (its
/// OpenAPI `securitySchemes.OAuth`, as protocol section 6 lists them).
pub const SCOPES: &[ScopeInfo] = &[
    ScopeInfo {
        name: "CHAT_SEND_MESSAGE_OAUTH",
        resource: Resource::ChatResourceId,
        allows: "send messages in one chat (legacy platform)",
        legacy: true,
    },
    ScopeInfo {
        name: "CHAT_SEND_MESSAGE_POST_CONVERSATIONS",
        resource: Resource::PostToken,
        allows: "send messages in every chat of one post (legacy platform)",
        legacy: true,
    },
    scope(
        "BUSINESS_ADDON_CREATE",
        Resource::Unnamed,
        "create add-ons for a business",
    ),
    scope(
        "BUSINESS_CREATE_CUSTOMIZED_BUTTON",
        Resource::Unnamed,
        "create a customized button for a business",
    ),
    scope(
        "CHAT_CONVERSATION_READ",
        Resource::ConversationId,
        "read one conversation",
    ),
    scope("CHAT_MESSAGE_SEND", Resource::Unnamed, "send chat messages"),
    scope(
        "CHAT_POST_CONVERSATIONS_MESSAGE_SEND",
        Resource::PostToken,
        "send messages, as the post's owner, in every conversation of one post",
    ),
    scope(
        "CHAT_POST_CONVERSATIONS_READ",
        Resource::PostToken,
        "read every conversation of one post",
    ),
    scope(
        "CONVERSATION_SEND_MESSAGE",
        Resource::ConversationId,
        "send messages in one conversation",
    ),
    scope(
        "MANAGEMENT_APPS_READ",
        Resource::Unnamed,
        "read the user's apps in the Kenar panel",
    ),
    scope(
        "MANAGEMENT_APPS_WRITE",
        Resource::Unnamed,
        "change the user's apps in the Kenar panel",
    ),
    scope(
        "POST_ADDON_CREATE",
        Resource::PostToken,
        "create add-ons on one post",
    ),
    scope("POST_EDIT", Resource::PostToken, "edit one post"),
    scope(
        "POST_ONGOING_IMAGES_GET",
        Resource::Unnamed,
        "read the images of a post being written",
    ),
    scope(
        "POST_SEMANTIC_CREATE",
        Resource::PostToken,
        "add semantic data to one post",
    ),
    scope(
        "CHAT_BOT_USER_MESSAGE_SEND",
        Resource::None,
        "receive messages from the app's chat bot",
    ),
    scope(
        "CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND",
        Resource::None,
        "send messages in every conversation where the user is the seller",
    ),
    scope(
        "CHAT_SUPPLIER_ALL_CONVERSATIONS_READ",
        Resource::None,
        "read every conversation where the user is the seller",
    ),
    scope(
        "DELETE_USER_POST",
        Resource::None,
        "delete the user's posts",
    ),
    scope("EDIT_USER_POST", Resource::None, "edit the user's posts"),
    scope(
        "NOTIFICATION_ACCESS_REVOCATION",
        Resource::None,
        "be told when the user revokes the app's access",
    ),
    scope(
        "PAYMENT_ALL_POSTS_PRICING_READ",
        Resource::None,
        "read the prices of paid services for all the user's posts",
    ),
    scope(
        "PAYMENT_ALL_POSTS_RENEW",
        Resource::None,
        "renew any of the user's posts, with payment",
    ),
    scope(
        "PAYMENT_ALL_POSTS_REORDER",
        Resource::None,
        "bump any of the user's posts up the list, with payment",
    ),
    scope(
        "PAY_USER_POST_PROMOTION",
        Resource::None,
        "pay for promoting the user's posts",
    ),
    scope(
        "PRO_USER_PROFILE_IMAGE_READ",
        Resource::None,
        "read the professional user's profile image",
    ),
    scope(
        "SEND_EVENT",
        Resource::None,
        "send events on the user's behalf",
    ),
    scope(
        "SUBMIT_USER_PAYMENT",
        Resource::None,
        "submit payments for the user",
    ),
    scope(
        "SUBMIT_USER_POST",
        Resource::None,
        "submit new posts for the user",
    ),
    scope(
        "USER_ADDON_CREATE",
        Resource::None,
        "create add-ons on the user's profile",
    ),
    scope(
        "USER_BUSINESSES_READ",
        Resource::None,
        "read the businesses the user belongs to",
    ),
    scope("USER_ID", Resource::None, "read the user's ID"),
    scope("USER_PHONE", Resource::None, "read the user's phone number"),
    scope(
        "USER_POSTS_ADDON_CREATE",
        Resource::None,
        "create add-ons on any of the user's posts",
    ),
    scope("USER_POSTS_GET", Resource::None, "list the user's posts"),
    scope(
        "USER_POSTS_STATS_READ",
        Resource::None,
        "read the statistics of the user's posts",
    ),
    scope(
        "USER_SET_CUSTOMIZED_BUTTON",
        Resource::None,
        "set a customized button for the user",
    ),
    scope(
        "USER_VERIFICATION_CREATE",
        Resource::None,
        "start a verification of the user",
    ),
    scope(
        "offline_access",
        Resource::None,
        "keep access while the user is away: a refresh token comes with the access token",
    ),
    scope(
        "openid",
        Resource::None,
        "identify the user (OpenID Connect)",
    ),
];

/// One endpoint the tool calls, or that a scope above serves.
#[derive(Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub method: &'static str,
    /// `{...}` stands for one path segment.
    pub path: &'static str,
    /// The permission the app's API key needs, granted in the Kenar panel.
    pub key_permission: &'static str,
    /// The scopes that can serve it, any one of them; empty when the user's token needs
    /// none in particular.
    pub scopes: &'static [&'static str],
}

/// The chat, events and users endpoints (protocol section 6), and the legacy send.
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: "POST",
        path: "/v2/open-platform/conversations/{conversation_id}/messages",
        key_permission: "CHAT_SEND_MESSAGE_OAUTH",
        scopes: &[
            "CONVERSATION_SEND_MESSAGE",
            "CHAT_POST_CONVERSATIONS_MESSAGE_SEND",
            "CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND",
        ],
    },
    Endpoint {
        method: "POST",
        path: "/v2/open-platform/chat/conversation",
        key_permission: "CHAT_SEND_MESSAGE_OAUTH",
        scopes: &[
            "CHAT_SEND_MESSAGE_OAUTH",
            "CHAT_SEND_MESSAGE_POST_CONVERSATIONS",
        ],
    },
    Endpoint {
        method: "POST",
        path: "/experimental/open-platform/chat/upload",
        key_permission: "CHAT_UPLOAD_MEDIA",
        scopes: &[],
    },
    Endpoint {
        method: "POST",
        path: "/v1/open-platform/chat/bot/conversations/{conversation_id}/messages",
        key_permission: "CHAT_BOT_SEND_MESSAGE",
        scopes: &["CHAT_BOT_USER_MESSAGE_SEND"],
    },
    Endpoint {
        method: "POST",
        path: "/v1/open-platform/chat/bot/users/{user_id}/messages",
        key_permission: "CHAT_BOT_SEND_MESSAGE",
        scopes: &["CHAT_BOT_USER_MESSAGE_SEND"],
    },
    Endpoint {
        method: "GET",
        path: "/v1/open-platform/chat/conversations/{conversation_id}",
        key_permission: "CHAT_READ_CONVERSATION",
        scopes: &["CHAT_CONVERSATION_READ"],
    },
    Endpoint {
        method: "POST",
        path: "/v1/open-platform/events/subscriptions",
        key_permission: "EVENTS_REGISTER_SUBSCRIPTION",
        scopes: &[
            "CHAT_POST_CONVERSATIONS_READ",
            "CHAT_SUPPLIER_ALL_CONVERSATIONS_READ",
            "USER_POSTS_GET",
        ],
    },
    Endpoint {
        method: "GET",
        path: "/v1/open-platform/users",
        key_permission: "USER_RETRIEVE",
        scopes: &["USER_ID", "USER_PHONE"],
    },
];

impl Endpoint {
    /// Whether a request `method path` (the path without its query) is a call of this
    /// endpoint; `{...}` matches any one non-empty segment. A path prefix of the API's base
    /// URL before it is allowed.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        let pattern: Vec<&str> = self.path.trim_matches('/').split('/').collect();
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let Some(start) = segments.len().checked_sub(pattern.len()) else {
            return false;
        };
        method.eq_ignore_ascii_case(self.method)
            && segments[start..].iter().zip(&pattern).all(|(s, p)| {
                if p.starts_with('{') {
                    !s.is_empty()
                } else {
                    s == p
                }
            })
    }

    /// `POST /v2/...`, as messages show it.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// The endpoint a request `method path` calls, when the tool knows it.
pub fn endpoint_for(method: &str, path: &str) -> Option<&'static Endpoint> {
    ENDPOINTS.iter().find(|e| e.matches(method, path))
}

/// The scope named `name` exactly, as an authorization URL spells it.
pub fn find(name: &str) -> Option<&'static ScopeInfo> {
    SCOPES.iter().find(|s| s.name == name)
}

/// The catalogue's entry for a scope string (`NAME`, `NAME.ID` or `NAME__ID`), when its
/// name is known.
pub fn info(scope: &str) -> Option<&'static ScopeInfo> {
    find(split(scope).0)
}

/// What a typed scope name is, next to the catalogue.
#[derive(Debug, PartialEq, Eq)]
pub enum Check {
    /// A scope Divar defines, written as an authorization URL needs it.
    Known(&'static ScopeInfo),
    /// Close to a known scope but not it: another case, a typo, the other separator, a
    /// missing or superfluous resource ID. Divar would refuse it.
    NearMiss { meant: String, why: String },
    /// Far from every known name: perhaps one Divar added since.
    Unknown,
}

/// The permission name, separator and resource of a scope string: split at the first `.`
/// or `__`, whichever comes first.
fn split(written: &str) -> (&str, Option<(&str, &str)>) {
    let dot = written.find('.');
    let underscores = written.find("__");
    let at = match (dot, underscores) {
        (Some(d), Some(u)) => Some(d.min(u)),
        (one, other) => one.or(other),
    };
    match at {
        Some(at) => {
            let separator = if written[at..].starts_with('.') {
                "."
            } else {
                "__"
            };
            (
                &written[..at],
                Some((separator, &written[at + separator.len()..])),
            )
        }
        None => (written, None),
    }
}

/// The largest edit distance at which a typed name still counts as a typo of a known one:
/// two edits, three for long names.
fn typo_limit(name: &str) -> usize {
    if name.len() >= 20 { 3 } else { 2 }
}

/// Checks a scope as typed against the catalogue.
pub fn check(written: &str) -> Check {
    let (name, resource) = split(written);
    let (info, respelled) = match find(name) {
        Some(info) => (info, None),
        None => match closest(name) {
            Some((info, why)) => (info, Some(why)),
            None => return Check::Unknown,
        },
    };
    let mut why = respelled;
    let meant = match (info.resource, resource) {
        (Resource::None, None) => info.name.to_owned(),
        (Resource::None, Some(_)) => {
            why.get_or_insert_with(|| format!("{} takes no resource ID", info.name));
            info.name.to_owned()
        }
        (kind, None) => {
            why.get_or_insert_with(|| {
                format!(
                    "{} takes a {} after {:?}",
                    info.name,
                    kind.name(),
                    info.separator()
                )
            });
            info.pattern()
        }
        (_, Some((separator, id))) => {
            if separator != info.separator() {
                why.get_or_insert_with(|| {
                    format!(
                        "{} separates its resource by {:?}, not {separator:?}",
                        info.name,
                        info.separator()
                    )
                });
            }
            format!("{}{}{id}", info.name, info.separator())
        }
    };
    match why {
        Some(why) => Check::NearMiss { meant, why },
        None => Check::Known(info),
    }
}

/// The known scope a name that is not one was probably meant to be, and why.
fn closest(name: &str) -> Option<(&'static ScopeInfo, String)> {
    if let Some(info) = SCOPES.iter().find(|s| s.name.eq_ignore_ascii_case(name)) {
        let why = if info.name.starts_with(|c: char| c.is_ascii_lowercase()) {
            "the standard scopes are spelled in lower case in an authorization URL"
        } else {
            "scope names are upper case"
        };
        return Some((info, why.to_owned()));
    }
    let upper = name.to_ascii_uppercase();
    SCOPES
        .iter()
        .map(|s| {
            (
                s,
                strsim::damerau_levenshtein(&upper, &s.name.to_ascii_uppercase()),
            )
        })
        .filter(|(s, distance)| *distance <= typo_limit(s.name))
        .min_by_key(|(_, distance)| *distance)
        .map(|(s, distance)| {
            let letters = if distance == 1 { "letter" } else { "letters" };
            (
                s,
                format!("{name} is {distance} {letters} away from {}", s.name),
            )
        })
}

/// The lifecycle states of Divar's live catalogue that call for a warning.
pub fn is_deprecated(lifecycle_state: &str) -> bool {
    matches!(lifecycle_state, "DEPRECATED" | "DEPRECATING_SOON")
}

/// Where Divar's live catalogue of scopes is, under the current platform's API.
pub const LIVE_CATALOGUE_PATH: &str = "v1/open-platform/assets/oauth-scope";

/// One scope of Divar's live catalogue, as it answers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LiveScope {
    /// Its name; the standard scopes are upper case here (`OFFLINE_ACCESS`).
    pub slug: String,
    #[serde(default)]
    pub display: String,
    #[serde(default)]
    pub description: String,
    /// `EXPERIMENTAL`, `ACTIVE`, `DEPRECATING_SOON` or `DEPRECATED`.
    #[serde(default)]
    pub lifecycle_state: String,
}

impl LiveScope {
    /// The catalogue's entry for it, when the tool knows the name (in any case).
    pub fn info(&self) -> Option<&'static ScopeInfo> {
        SCOPES
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(&self.slug))
    }
}

/// `GET {api}/v1/open-platform/assets/oauth-scope` with the app's API key.
pub fn live_request(api: &Url, api_key: &SecretString) -> PreparedRequest {
    PreparedRequest {
        method: "GET",
        url: crate::http::url::join(api, LIVE_CATALOGUE_PATH),
        service: "the API",
        headers: vec![("x-api-key", HeaderValue::Secret(api_key.clone()))],
        body: Vec::new(),
        body_secrets: Vec::new(),
        upload: None,
    }
}

/// Reads the live catalogue's answer `{"scopes": [{"slug", "display", "description",
/// "lifecycle_state"}]}`.
pub fn read_live(answer: &Answer) -> Result<Vec<LiveScope>> {
    #[derive(Deserialize)]
    struct Catalogue {
        scopes: Vec<LiveScope>,
    }
    // The catalogue is shown as it comes: what it echoes of the request's key is masked.
    let body = answer.shown(&answer::check_read(answer)?);
    serde_json::from_value::<Catalogue>(body)
        .map(|c| c.scopes)
        .map_err(|e| Error::Unavailable(format!("Divar's catalogue of scopes cannot be read: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(written: &str) -> (String, String) {
        match check(written) {
            Check::NearMiss { meant, why } => (meant, why),
            other => panic!("{written}: {other:?}"),
        }
    }

    #[test]
    fn the_catalogue_has_every_scope_divar_defines_once() {
        // Protocol section 6 says 40 names and lists 38; these are the 38 it lists.
        let current = SCOPES.iter().filter(|s| !s.legacy).count();
        assert_eq!(current, 38);
        for (i, s) in SCOPES.iter().enumerate() {
            assert!(SCOPES[..i].iter().all(|t| t.name != s.name), "{}", s.name);
        }
        for endpoint in ENDPOINTS {
            for name in endpoint.scopes {
                assert!(find(name).is_some(), "{name}");
            }
        }
    }

    #[test]
    fn known_scopes_pass() {
        for written in [
            "CONVERSATION_SEND_MESSAGE.c1",
            "CHAT_SEND_MESSAGE_POST_CONVERSATIONS__AZf3Uqr3",
            "USER_PHONE",
            "offline_access",
            "CHAT_CONVERSATION_READ.a.b",
        ] {
            assert!(matches!(check(written), Check::Known(_)), "{written}");
        }
    }

    #[test]
    fn near_misses_name_what_was_meant() {
        assert_eq!(near("OFFLINE_ACCESS").0, "offline_access");
        assert_eq!(near("user_phone").0, "USER_PHONE");
        assert_eq!(
            near("CHAT_CONVERSATION_REDE.ID").0,
            "CHAT_CONVERSATION_READ.ID"
        );
        let (meant, why) = near("CONVERSATION_SEND_MESSAGE__c1");
        assert_eq!(meant, "CONVERSATION_SEND_MESSAGE.c1");
        assert!(why.contains("\".\""), "{why}");
        let (meant, why) = near("CONVERSATION_SEND_MESSAGE");
        assert_eq!(meant, "CONVERSATION_SEND_MESSAGE.<conversation_id>");
        assert!(why.contains("conversation ID"), "{why}");
        assert_eq!(near("USER_PHONE.123").0, "USER_PHONE");
        assert_eq!(
            near("CHAT_SEND_MESSAGE_OAUTH.abc").0,
            "CHAT_SEND_MESSAGE_OAUTH__abc"
        );
    }

    #[test]
    fn far_names_are_unknown() {
        assert_eq!(check("BRAND_NEW_THING"), Check::Unknown);
    }

    #[test]
    fn endpoints_are_found_by_method_and_path() {
        let send = endpoint_for("POST", "/v2/open-platform/conversations/c1/messages").unwrap();
        assert_eq!(send.key_permission, "CHAT_SEND_MESSAGE_OAUTH");
        assert!(
            endpoint_for("POST", "/prefix/v2/open-platform/conversations/c1/messages").is_some()
        );
        assert!(endpoint_for("GET", "/v2/open-platform/conversations/c1/messages").is_none());
        assert!(endpoint_for("POST", "/v2/open-platform/conversations//messages").is_none());
        let users: Vec<_> = find("USER_PHONE").unwrap().endpoints().collect();
        assert_eq!(users[0].path, "/v1/open-platform/users");
    }
}
