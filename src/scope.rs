//! Chat identities, resource IDs and OAuth scope strings: the legacy platform's
//! `PERMISSION__RESOURCE` (protocol section 1) and the current platform's
//! `PERMISSION.RESOURCE` (section 5).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::error::{self, Error, Result};
use crate::platform::Platform;
use crate::visible;

/// Permission to send in one chat; its resource is a [`ResourceId`].
pub const CHAT_PERMISSION: &str = "CHAT_SEND_MESSAGE_OAUTH";
/// Permission to send in every chat of one post; its resource is the post token.
pub const POST_PERMISSION: &str = "CHAT_SEND_MESSAGE_POST_CONVERSATIONS";
/// Separates a permission from its resource in a legacy scope string.
const SEPARATOR: &str = "__";
/// Permission to send in one conversation (current platform).
pub const CONVERSATION_PERMISSION: &str = "CONVERSATION_SEND_MESSAGE";
/// Permission to send, as the post's owner, in every conversation of one post.
pub const POST_CONVERSATIONS_PERMISSION: &str = "CHAT_POST_CONVERSATIONS_MESSAGE_SEND";
/// Permission to send in every conversation where the user is the seller; no resource.
pub const SUPPLIER_PERMISSION: &str = "CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND";
/// Permission to send as the app's chatbot (current platform); no resource.
pub const BOT_PERMISSION: &str = "CHAT_BOT_USER_MESSAGE_SEND";
/// Permission to read one conversation (current platform); its resource is the
/// conversation's ID.
pub const READ_PERMISSION: &str = "CHAT_CONVERSATION_READ";
/// Permission to read every conversation of one post (current platform), which an events
/// subscription to the post's new messages needs; its resource is the post token.
pub const POST_READ_PERMISSION: &str = "CHAT_POST_CONVERSATIONS_READ";
/// Permission to read every conversation where the user is the seller; no resource.
pub const SUPPLIER_READ_PERMISSION: &str = "CHAT_SUPPLIER_ALL_CONVERSATIONS_READ";
/// Permission to read the user's posts, which a subscription to their updates needs.
pub const USER_POSTS_PERMISSION: &str = "USER_POSTS_GET";
/// The scope that asks for a refresh token beside the access token.
pub const OFFLINE_ACCESS: &str = "offline_access";
/// Separates a permission from its resource in a current scope string.
const DOT: char = '.';

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
    check_visible(field, value)
}

/// A value that is not empty and holds no whitespace, control or invisible character.
pub fn check_visible(field: &str, value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err(format!("{field}: must not be empty"));
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

/// Where a message goes: a chat named by its three IDs (legacy platform), or a
/// conversation named by its ID (current platform).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    Chat(Chat),
    Conversation {
        id: String,
        /// The conversation's post, when the user names it: a conversation ID alone does
        /// not say which post it is about, so only then can a post scope cover it.
        post_token: Option<String>,
    },
    /// A message from the app's chatbot (current platform).
    Bot,
    /// Not a message: reading the conversation with this ID (current platform).
    Reading(String),
    /// Not a message: registering an events subscription (current platform).
    Subscribing(Watched),
}

/// What an events subscription watches (events.md section 1), which decides the scopes
/// its access token may carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Watched {
    /// New messages in the conversations of one post, by its token.
    PostMessages(String),
    /// New messages in every conversation where the user is the seller.
    AllMessages,
    /// Changes to the user's posts, one or all of them.
    Posts,
}

impl Watched {
    /// The narrowest scope that serves it: the post's own read scope for its messages,
    /// the seller's for all of theirs, the user's posts for their updates.
    pub fn own_scope(&self) -> Scope {
        match self {
            Watched::PostMessages(post) => {
                Scope::Other(format!("{POST_READ_PERMISSION}{DOT}{post}"))
            }
            Watched::AllMessages => Scope::Other(SUPPLIER_READ_PERMISSION.to_owned()),
            Watched::Posts => Scope::Other(USER_POSTS_PERMISSION.to_owned()),
        }
    }

    /// Every scope that serves it, the narrowest first: a post's messages are also the
    /// seller's.
    pub fn scopes(&self) -> Vec<Scope> {
        let mut scopes = vec![self.own_scope()];
        if let Watched::PostMessages(_) = self {
            scopes.push(Scope::Other(SUPPLIER_READ_PERMISSION.to_owned()));
        }
        scopes
    }
}

impl Recipient {
    /// The narrowest scope that serves here: the chat's, the conversation's, the
    /// chatbot's, the one to read the conversation, or the one a subscription needs.
    pub fn own_scope(&self) -> Scope {
        match self {
            Recipient::Chat(chat) => Scope::Chat(chat.clone()),
            Recipient::Conversation { id, .. } => Scope::Conversation(id.clone()),
            Recipient::Bot => Scope::Bot,
            Recipient::Reading(id) => Scope::Read(id.clone()),
            Recipient::Subscribing(watched) => watched.own_scope(),
        }
    }

    pub fn platform(&self) -> Platform {
        match self {
            Recipient::Chat(_) => Platform::Legacy,
            Recipient::Conversation { .. }
            | Recipient::Bot
            | Recipient::Reading(_)
            | Recipient::Subscribing(_) => Platform::Current,
        }
    }
}

/// Checks an ID that travels as one segment of the URL's path (a conversation's, the
/// chatbot's user's) and after the dot of a scope: it must be non-empty, show as itself,
/// hold no space (which separates scopes), and not be a dot segment, which the URL would
/// resolve away, sending the request to another endpoint.
pub fn check_path_id(field: &str, value: &str) -> Result<(), String> {
    if value == "." || value == ".." {
        return Err(format!("{field}: must not be {value:?}"));
    }
    check_visible(field, value)
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

/// An OAuth scope: `PERMISSION__RESOURCE` (legacy), `PERMISSION.RESOURCE` (current) or a
/// bare permission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `CHAT_SEND_MESSAGE_OAUTH__<resource id>`: send in one chat.
    Chat(Chat),
    /// `CHAT_SEND_MESSAGE_POST_CONVERSATIONS__<post token>`: send in every chat of a post.
    PostChats(String),
    /// `CONVERSATION_SEND_MESSAGE.<conversation id>`: send in one conversation.
    Conversation(String),
    /// `CHAT_POST_CONVERSATIONS_MESSAGE_SEND.<post token>`: send, as the post's owner, in
    /// every conversation of the post.
    PostConversations(String),
    /// `CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND`: send in every conversation where the
    /// user is the seller.
    SupplierConversations,
    /// `CHAT_BOT_USER_MESSAGE_SEND`: send as the app's chatbot.
    Bot,
    /// `CHAT_CONVERSATION_READ.<conversation id>`: read one conversation.
    Read(String),
    /// Any other scope, such as `USER_PHONE`, kept as written.
    Other(String),
}

impl Scope {
    pub fn post_chats(post_token: impl Into<String>) -> Result<Self> {
        let post_token = post_token.into();
        check_id("post_token", &post_token).map_err(Error::invalid)?;
        Ok(Scope::PostChats(post_token))
    }

    /// The scope to send in every chat of a post, on `platform`.
    pub fn post(platform: Platform, post_token: impl Into<String>) -> Result<Self> {
        match platform {
            Platform::Legacy => Scope::post_chats(post_token),
            Platform::Current => Scope::post_conversations(post_token),
        }
    }

    pub fn post_conversations(post_token: impl Into<String>) -> Result<Self> {
        let post_token = post_token.into();
        check_id("post_token", &post_token).map_err(Error::invalid)?;
        Ok(Scope::PostConversations(post_token))
    }

    pub fn conversation(id: impl Into<String>) -> Result<Self> {
        let id = id.into();
        check_path_id("conversation_id", &id).map_err(Error::invalid)?;
        Ok(Scope::Conversation(id))
    }

    pub fn read(id: impl Into<String>) -> Result<Self> {
        let id = id.into();
        check_path_id("conversation_id", &id).map_err(Error::invalid)?;
        Ok(Scope::Read(id))
    }

    /// The platform whose messages the scope lets a token send, `None` for other scopes.
    pub fn platform(&self) -> Option<Platform> {
        match self {
            Scope::Chat(_) | Scope::PostChats(_) => Some(Platform::Legacy),
            Scope::Conversation(_)
            | Scope::PostConversations(_)
            | Scope::SupplierConversations
            | Scope::Bot
            | Scope::Read(_) => Some(Platform::Current),
            Scope::Other(_) => None,
        }
    }

    /// A scope given as written (for example `USER_PHONE`): any non-empty string without
    /// whitespace, since spaces separate scopes in the URL query, and without characters
    /// that do not show as themselves.
    pub fn raw(value: &str) -> Result<Self> {
        let found = value.chars().find(|&c| visible::is_blank_or_invisible(c));
        if value.is_empty() || found.is_some() {
            return Err(Error::invalid(format!(
                "scope {}: must be non-empty, without whitespace or control characters{}",
                visible::excerpt(value),
                found.map_or_else(String::new, |c| format!(" (found {})", visible::name(c)))
            )));
        }
        Ok(Scope::Other(value.to_owned()))
    }

    pub fn permission(&self) -> &str {
        match self {
            Scope::Chat(_) => CHAT_PERMISSION,
            Scope::PostChats(_) => POST_PERMISSION,
            Scope::Conversation(_) => CONVERSATION_PERMISSION,
            Scope::PostConversations(_) => POST_CONVERSATIONS_PERMISSION,
            Scope::SupplierConversations => SUPPLIER_PERMISSION,
            Scope::Bot => BOT_PERMISSION,
            Scope::Read(_) => READ_PERMISSION,
            Scope::Other(raw) => split_other(raw).map_or(raw, |(p, _)| p),
        }
    }

    /// The resource part: the resource ID for a chat, the post token for a post, the ID
    /// of a conversation.
    pub fn resource(&self) -> Option<String> {
        match self {
            Scope::Chat(chat) => Some(chat.resource_id().0),
            Scope::PostChats(token) | Scope::PostConversations(token) => Some(token.clone()),
            Scope::Conversation(id) | Scope::Read(id) => Some(id.clone()),
            Scope::SupplierConversations | Scope::Bot => None,
            Scope::Other(raw) => split_other(raw).map(|(_, r)| r.to_owned()),
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
            Scope::PostChats(token) | Scope::PostConversations(token) => {
                fields.push(("post_token", token.clone()));
            }
            Scope::Conversation(id) | Scope::Read(id) => {
                fields.push(("conversation_id", id.clone()));
            }
            Scope::SupplierConversations | Scope::Bot | Scope::Other(_) => {}
        }
        if let Some(resource) = self.resource() {
            fields.push(("resource_id", resource));
        }
        fields.push(("scope", self.to_string()));
        fields
    }

    /// How closely a token carrying this scope covers `to`: `Some(0)` for exactly that
    /// chat or conversation (or the narrowest scope of a subscription), larger numbers for
    /// wider grants (the seller's conversations, then a post's), `None` when it does not
    /// cover it at all.
    pub fn covers(&self, to: &Recipient) -> Option<u8> {
        match (self, to) {
            (Scope::Chat(allowed), Recipient::Chat(chat)) => (allowed == chat).then_some(0),
            (Scope::PostChats(token), Recipient::Chat(chat)) => {
                (*token == chat.post_token).then_some(2)
            }
            (Scope::Conversation(allowed), Recipient::Conversation { id, .. }) => {
                (allowed == id).then_some(0)
            }
            (Scope::SupplierConversations, Recipient::Conversation { .. }) => Some(1),
            (Scope::Bot, Recipient::Bot) => Some(0),
            (Scope::Read(allowed), Recipient::Reading(id)) => (allowed == id).then_some(0),
            (scope, Recipient::Subscribing(watched)) => watched
                .scopes()
                .iter()
                .position(|serving| serving == scope)
                .and_then(|rank| u8::try_from(rank).ok()),
            (
                Scope::PostConversations(token),
                Recipient::Conversation {
                    post_token: Some(post),
                    ..
                },
            ) => (token == post).then_some(2),
            _ => None,
        }
    }

    /// Reads a scope string in either syntax, or a bare resource ID, and says what it
    /// grants. A bare value that is no chat's resource ID but a valid ID is a post token:
    /// the resource of a post scope on `platform`, as `scope post` prints it.
    pub fn decode_for(value: &str, platform: Platform) -> Result<Self> {
        let value = value.trim();
        match Scope::decode(value)? {
            Scope::PostChats(post) if platform == Platform::Current && value == post => {
                Ok(Scope::PostConversations(post))
            }
            scope => Ok(scope),
        }
    }

    /// [`Scope::decode_for`] the legacy platform.
    pub fn decode(value: &str) -> Result<Self> {
        let value = value.trim();
        if value == OFFLINE_ACCESS {
            return Ok(Scope::Other(value.to_owned()));
        }
        if value == SUPPLIER_PERMISSION {
            return Ok(Scope::SupplierConversations);
        }
        if value == BOT_PERMISSION {
            return Ok(Scope::Bot);
        }
        if let Some((permission, resource)) = value.split_once(DOT)
            && value.find(SEPARATOR).is_none_or(|at| permission.len() < at)
        {
            return match permission {
                CONVERSATION_PERMISSION => Scope::conversation(resource),
                POST_CONVERSATIONS_PERMISSION => Scope::post_conversations(resource),
                READ_PERMISSION => Scope::read(resource),
                _ if is_permission_name(permission) => Scope::raw(value),
                _ => Err(Error::invalid(format!(
                    "{} is not a scope: {} is not a permission name (upper-case letters, digits and '_')",
                    visible::excerpt(value),
                    visible::excerpt(permission)
                ))),
            };
        }
        if let Some((permission, resource)) = value.split_once(SEPARATOR) {
            return match permission {
                CHAT_PERMISSION => ResourceId::decode(resource).map(Scope::Chat),
                POST_PERMISSION => Scope::post_chats(resource),
                _ if is_permission_name(permission) => Scope::raw(value),
                _ => Err(Error::invalid(format!(
                    "{} is not a scope: {} is not a permission name (upper-case letters, digits and '_')",
                    visible::excerpt(value),
                    visible::excerpt(permission)
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
                    .map(|p| {
                        format!(
                            "{} is neither a scope nor a resource ID: {p}",
                            visible::excerpt(value)
                        )
                    })
                    .collect(),
            )),
            Err(other) => Err(other),
        }
    }
}

/// A scope kept as written, split into its permission and resource in whichever syntax
/// it uses.
fn split_other(raw: &str) -> Option<(&str, &str)> {
    match (raw.find(SEPARATOR), raw.find(DOT)) {
        (Some(at), dot) if dot.is_none_or(|dot| at < dot) => raw.split_once(SEPARATOR),
        _ => raw.split_once(DOT),
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
            Scope::Conversation(id) => write!(f, "{CONVERSATION_PERMISSION}{DOT}{id}"),
            Scope::PostConversations(token) => {
                write!(f, "{POST_CONVERSATIONS_PERMISSION}{DOT}{token}")
            }
            Scope::SupplierConversations => f.write_str(SUPPLIER_PERMISSION),
            Scope::Bot => f.write_str(BOT_PERMISSION),
            Scope::Read(id) => write!(f, "{READ_PERMISSION}{DOT}{id}"),
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
        let chat = Recipient::Chat(seed_chat());
        assert_eq!(Scope::Chat(seed_chat()).covers(&chat), Some(0));
        assert_eq!(Scope::post_chats(POST).unwrap().covers(&chat), Some(2));
        assert_eq!(Scope::post_chats("other").unwrap().covers(&chat), None);
        let other = Chat::new(USER, POST, "someone-else").unwrap();
        assert_eq!(Scope::Chat(other).covers(&chat), None);
        // A current-platform scope never covers a legacy chat, nor the other way round.
        assert_eq!(Scope::post_conversations(POST).unwrap().covers(&chat), None);
        assert_eq!(Scope::SupplierConversations.covers(&chat), None);
    }

    #[test]
    fn current_scopes_print_as_divar_documents_them() {
        assert_eq!(
            Scope::conversation("c-1").unwrap().to_string(),
            "CONVERSATION_SEND_MESSAGE.c-1"
        );
        assert_eq!(
            Scope::post_conversations(POST).unwrap().to_string(),
            "CHAT_POST_CONVERSATIONS_MESSAGE_SEND.AZf3Uqr3"
        );
        assert_eq!(
            Scope::SupplierConversations.to_string(),
            "CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND"
        );
        for scope in [
            Scope::conversation("c.with.dots").unwrap(),
            Scope::post_conversations(POST).unwrap(),
            Scope::SupplierConversations,
            Scope::Other(OFFLINE_ACCESS.into()),
        ] {
            assert_eq!(Scope::decode(&scope.to_string()).unwrap(), scope);
        }
        assert_eq!(
            Scope::decode_for(POST, Platform::Current).unwrap(),
            Scope::PostConversations(POST.into())
        );
        assert_eq!(
            Scope::decode_for(POST, Platform::Legacy).unwrap(),
            Scope::PostChats(POST.into())
        );
        assert_eq!(
            Scope::decode("SOME_PERMISSION.x").unwrap().permission(),
            "SOME_PERMISSION"
        );
        for bad in [
            "CONVERSATION_SEND_MESSAGE.",
            "CONVERSATION_SEND_MESSAGE..",
            "CHAT_POST_CONVERSATIONS_MESSAGE_SEND.a:b",
            "lower.case",
        ] {
            assert!(Scope::decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_conversation_is_covered_by_its_scope_the_sellers_or_its_posts() {
        let named = Recipient::Conversation {
            id: "c1".into(),
            post_token: Some(POST.into()),
        };
        let bare = Recipient::Conversation {
            id: "c1".into(),
            post_token: None,
        };
        let exact = Scope::conversation("c1").unwrap();
        let post = Scope::post_conversations(POST).unwrap();
        assert_eq!(exact.covers(&bare), Some(0));
        assert_eq!(Scope::SupplierConversations.covers(&bare), Some(1));
        assert_eq!(post.covers(&named), Some(2));
        assert_eq!(post.covers(&bare), None);
        assert_eq!(Scope::conversation("c2").unwrap().covers(&bare), None);
        assert_eq!(Scope::post_chats(POST).unwrap().covers(&named), None);
    }

    #[test]
    fn a_subscription_is_covered_by_the_scopes_its_events_need() {
        let covers = |scope: &str, watched: Watched| {
            Scope::decode(scope)
                .unwrap()
                .covers(&Recipient::Subscribing(watched))
        };
        let post = || Watched::PostMessages(POST.into());
        assert_eq!(
            covers("CHAT_POST_CONVERSATIONS_READ.AZf3Uqr3", post()),
            Some(0)
        );
        assert_eq!(
            covers("CHAT_SUPPLIER_ALL_CONVERSATIONS_READ", post()),
            Some(1)
        );
        assert_eq!(covers("CHAT_POST_CONVERSATIONS_READ.other", post()), None);
        // Reading is not sending, nor the other way round.
        assert_eq!(
            covers("CHAT_POST_CONVERSATIONS_MESSAGE_SEND.AZf3Uqr3", post()),
            None
        );
        assert_eq!(
            covers("CHAT_SUPPLIER_ALL_CONVERSATIONS_READ", Watched::AllMessages),
            Some(0)
        );
        assert_eq!(
            covers(
                "CHAT_POST_CONVERSATIONS_READ.AZf3Uqr3",
                Watched::AllMessages
            ),
            None
        );
        assert_eq!(covers("USER_POSTS_GET", Watched::Posts), Some(0));
        assert_eq!(covers("USER_POSTS_GET", post()), None);
        assert_eq!(
            Recipient::Subscribing(post()).own_scope().to_string(),
            "CHAT_POST_CONVERSATIONS_READ.AZf3Uqr3"
        );
        assert_eq!(
            Scope::SupplierConversations.covers(&Recipient::Subscribing(Watched::AllMessages)),
            None
        );
    }
}
