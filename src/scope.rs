//! Chat identities, resource IDs and OAuth scope strings (protocol section 1).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::error::{self, Error, Result};
use crate::visible;

/// Permission to send in one chat; its resource is a [`ResourceId`].
pub const CHAT_PERMISSION: &str = "CHAT_SEND_MESSAGE_OAUTH";
/// Permission to send in every chat of one post; its resource is the post token.
pub const POST_PERMISSION: &str = "CHAT_SEND_MESSAGE_POST_CONVERSATIONS";
/// Separates a permission from its resource in a scope string.
const SEPARATOR: &str = "__";

/// Checks one ID (user, post or peer). `:` is refused because it separates the IDs inside
/// a resource ID, so an ID containing it could not be decoded back unambiguously.
pub fn check_id(field: &str, value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err(format!("{field}: must not be empty"));
    }
    if value.contains(':') {
        return Err(format!(
            "{field}: must not contain ':' (it separates the IDs in a resource ID)"
        ));
    }
    if let Some(c) = value.chars().find(|&c| visible::is_blank_or_invisible(c)) {
        return Err(format!(
            "{field}: must not contain whitespace or control characters, invisible ones such \
             as zero-width spaces and bidi controls included (found {})",
            visible::name(c)
        ));
    }
    Ok(())
}

/// The three IDs that name one chat: who sends, about which post, to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chat {
    pub user_id: String,
    pub post_token: String,
    pub peer_id: String,
}

impl Chat {
    /// Builds a chat after checking every ID; all problems are reported together.
    pub fn new(
        user_id: impl Into<String>,
        post_token: impl Into<String>,
        peer_id: impl Into<String>,
    ) -> Result<Self> {
        let chat = Chat {
            user_id: user_id.into(),
            post_token: post_token.into(),
            peer_id: peer_id.into(),
        };
        let problems: Vec<String> = [
            check_id("user_id", &chat.user_id),
            check_id("post_token", &chat.post_token),
            check_id("peer_id", &chat.peer_id),
        ]
        .into_iter()
        .filter_map(Result::err)
        .collect();
        error::valid(chat, problems)
    }

    pub fn resource_id(&self) -> ResourceId {
        let joined = format!("{}:{}:{}", self.user_id, self.post_token, self.peer_id);
        ResourceId(STANDARD.encode(joined))
    }
}

/// `BASE64(user_id:post_token:peer_id)`, standard alphabet with padding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceId(String);

impl ResourceId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Decodes a resource ID back into its chat. Only the canonical encoding is accepted,
    /// so that decoding and encoding again gives the same string.
    pub fn decode(value: &str) -> Result<Chat> {
        let bytes = STANDARD
            .decode(value)
            .map_err(|e| Error::invalid(format!("not a resource ID: invalid base64 ({e})")))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::invalid("not a resource ID: it does not decode to UTF-8 text"))?;
        let parts: Vec<&str> = text.split(':').collect();
        let [user_id, post_token, peer_id] = parts[..] else {
            return Err(Error::invalid(format!(
                "not a resource ID: it decodes to {} ':'-separated part(s), not 3 (user_id:post_token:peer_id)",
                parts.len()
            )));
        };
        Chat::new(user_id, post_token, peer_id)
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An OAuth scope: `PERMISSION__RESOURCE` or a bare permission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `CHAT_SEND_MESSAGE_OAUTH__<resource id>`: send in one chat.
    Chat(Chat),
    /// `CHAT_SEND_MESSAGE_POST_CONVERSATIONS__<post token>`: send in every chat of a post.
    PostChats(String),
    /// Any other scope, such as `USER_PHONE`, kept as written.
    Other(String),
}

impl Scope {
    pub fn post_chats(post_token: impl Into<String>) -> Result<Self> {
        let post_token = post_token.into();
        check_id("post_token", &post_token).map_err(Error::invalid)?;
        Ok(Scope::PostChats(post_token))
    }

    /// A scope given as written (for example `USER_PHONE`): any non-empty string without
    /// whitespace, since spaces separate scopes in the URL query, and without characters
    /// that do not show as themselves.
    pub fn raw(value: &str) -> Result<Self> {
        let found = value.chars().find(|&c| visible::is_blank_or_invisible(c));
        if value.is_empty() || found.is_some() {
            return Err(Error::invalid(format!(
                "scope {value:?}: must be non-empty, without whitespace or control characters{}",
                found.map_or_else(String::new, |c| format!(" (found {})", visible::name(c)))
            )));
        }
        Ok(Scope::Other(value.to_owned()))
    }

    pub fn permission(&self) -> &str {
        match self {
            Scope::Chat(_) => CHAT_PERMISSION,
            Scope::PostChats(_) => POST_PERMISSION,
            Scope::Other(raw) => raw.split_once(SEPARATOR).map_or(raw, |(p, _)| p),
        }
    }

    /// The resource part: the resource ID for a chat, the post token for a post.
    pub fn resource(&self) -> Option<String> {
        match self {
            Scope::Chat(chat) => Some(chat.resource_id().0),
            Scope::PostChats(token) => Some(token.clone()),
            Scope::Other(raw) => raw.split_once(SEPARATOR).map(|(_, r)| r.to_owned()),
        }
    }

    /// What the scope grants, as labelled values in a fixed order: `permission`, the IDs
    /// it names, `resource_id` (when it has one) and `scope`.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![("permission", self.permission().to_owned())];
        match self {
            Scope::Chat(chat) => fields.extend([
                ("user_id", chat.user_id.clone()),
                ("post_token", chat.post_token.clone()),
                ("peer_id", chat.peer_id.clone()),
            ]),
            Scope::PostChats(token) => fields.push(("post_token", token.clone())),
            Scope::Other(_) => {}
        }
        if let Some(resource) = self.resource() {
            fields.push(("resource_id", resource));
        }
        fields.push(("scope", self.to_string()));
        fields
    }

    /// Whether a token carrying this scope may send in `chat`.
    pub fn covers(&self, chat: &Chat) -> bool {
        match self {
            Scope::Chat(allowed) => allowed == chat,
            Scope::PostChats(token) => *token == chat.post_token,
            Scope::Other(_) => false,
        }
    }

    /// Reads a scope string or a bare resource ID and says what it grants. A bare value that
    /// is no chat's resource ID but a valid ID is a post token: the resource of a post
    /// scope, as `scope post` prints it.
    pub fn decode(value: &str) -> Result<Self> {
        let value = value.trim();
        if let Some((permission, resource)) = value.split_once(SEPARATOR) {
            return match permission {
                CHAT_PERMISSION => ResourceId::decode(resource).map(Scope::Chat),
                POST_PERMISSION => Scope::post_chats(resource),
                _ if is_permission_name(permission) => Scope::raw(value),
                _ => Err(Error::invalid(format!(
                    "{value:?} is not a scope: {permission:?} is not a permission name (upper-case letters, digits and '_')"
                ))),
            };
        }
        match ResourceId::decode(value) {
            Ok(chat) => Ok(Scope::Chat(chat)),
            Err(_) if is_permission_name(value) => Scope::raw(value),
            Err(_) if check_id("post_token", value).is_ok() => Scope::post_chats(value),
            Err(Error::Invalid(problems)) => Err(Error::Invalid(
                problems
                    .into_iter()
                    .map(|p| format!("{value:?} is neither a scope nor a resource ID: {p}"))
                    .collect(),
            )),
            Err(other) => Err(other),
        }
    }
}

fn is_permission_name(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Chat(chat) => write!(f, "{CHAT_PERMISSION}{SEPARATOR}{}", chat.resource_id()),
            Scope::PostChats(token) => write!(f, "{POST_PERMISSION}{SEPARATOR}{token}"),
            Scope::Other(raw) => f.write_str(raw),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: &str = "e9ba8a81-9583-4f7c-af54-b07df089d971";
    const POST: &str = "AZf3Uqr3";
    const PEER: &str = "1697004f-e902-44c2-bbbe-bf8e20d54bff";
    const RESOURCE: &str = "ZTliYThhODEtOTU4My00ZjdjLWFmNTQtYjA3ZGYwODlkOTcxOkFaZjNVcXIzOjE2OTcwMDRmLWU5MDItNDRjMi1iYmJlLWJmOGUyMGQ1NGJmZg==";

    fn seed_chat() -> Chat {
        Chat::new(USER, POST, PEER).unwrap()
    }

    #[test]
    fn seed_vector_matches_byte_for_byte() {
        let chat = seed_chat();
        assert_eq!(chat.resource_id().as_str(), RESOURCE);
        assert_eq!(
            Scope::Chat(chat).to_string(),
            format!("CHAT_SEND_MESSAGE_OAUTH__{RESOURCE}")
        );
        assert_eq!(
            Scope::post_chats(POST).unwrap().to_string(),
            "CHAT_SEND_MESSAGE_POST_CONVERSATIONS__AZf3Uqr3"
        );
    }

    #[test]
    fn decodes_scope_and_bare_resource_id() {
        let scope = format!("CHAT_SEND_MESSAGE_OAUTH__{RESOURCE}");
        assert_eq!(Scope::decode(&scope).unwrap(), Scope::Chat(seed_chat()));
        assert_eq!(Scope::decode(RESOURCE).unwrap(), Scope::Chat(seed_chat()));
        assert_eq!(
            Scope::decode("CHAT_SEND_MESSAGE_POST_CONVERSATIONS__AZf3Uqr3").unwrap(),
            Scope::PostChats(POST.into())
        );
        assert_eq!(
            Scope::decode("USER_PHONE").unwrap(),
            Scope::Other("USER_PHONE".into())
        );
        assert_eq!(Scope::decode(POST).unwrap(), Scope::PostChats(POST.into()));
        let err = Scope::decode("AZf3\u{202E}Uqr3").unwrap_err().to_string();
        assert!(!err.contains('\u{202E}'), "{err}");
    }

    #[test]
    fn refuses_what_is_not_a_scope() {
        for bad in [
            "",
            "hello world",
            "CHAT_SEND_MESSAGE_OAUTH__not-base64!",
            "CHAT_SEND_MESSAGE_OAUTH__YTpi", // "a:b": two parts
            "CHAT_SEND_MESSAGE_OAUTH__ZTliYThhODEtOTU4My00ZjdjLWFmNTQtYjA3ZGYwODlkOTcxOkFaZjNVcXIzOjE2OTcwMDRmLWU5MDItNDRjMi1iYmJlLWJmOGUyMGQ1NGJmZg", // no padding
            "CHAT_SEND_MESSAGE_POST_CONVERSATIONS__",
            "lower__case",
        ] {
            let err = Scope::decode(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad:?}");
        }
    }

    #[test]
    fn describes_what_it_grants() {
        let fields = Scope::post_chats(POST).unwrap().describe();
        assert_eq!(
            fields,
            vec![
                ("permission", POST_PERMISSION.to_owned()),
                ("post_token", POST.to_owned()),
                ("resource_id", POST.to_owned()),
                ("scope", format!("{POST_PERMISSION}__{POST}")),
            ]
        );
        let names: Vec<_> = Scope::Chat(seed_chat())
            .describe()
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(
            names,
            [
                "permission",
                "user_id",
                "post_token",
                "peer_id",
                "resource_id",
                "scope"
            ]
        );
    }

    #[test]
    fn ids_are_checked() {
        let err = Chat::new("", "a:b", "x y").unwrap_err().to_string();
        assert!(err.contains("user_id: must not be empty"), "{err}");
        assert!(err.contains("post_token: must not contain ':'"), "{err}");
        assert!(
            err.contains("peer_id: must not contain whitespace"),
            "{err}"
        );
        assert!(check_id("peer_id", "tab\there").is_err());
        assert!(check_id("peer_id", "bell\u{7}").is_err());
    }

    #[test]
    fn post_scope_covers_every_chat_of_its_post_only() {
        let chat = seed_chat();
        assert!(Scope::Chat(chat.clone()).covers(&chat));
        assert!(Scope::post_chats(POST).unwrap().covers(&chat));
        assert!(!Scope::post_chats("other").unwrap().covers(&chat));
        let other = Chat::new(USER, POST, "someone-else").unwrap();
        assert!(!Scope::Chat(other).covers(&chat));
    }
}
