//! What a 403 from the API means (protocol section 6): the app's API key lacks the
//! endpoint's key permission, or the user's token lacks every scope that serves it. The
//! answer does not say which, so both are named, with what the tool knows of the token.

use crate::scope::Scope;
use crate::scope_catalogue::{self, Endpoint};

/// What the tool knows of the scopes the access token carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granted<'a> {
    /// Given by flag, file or variable: its scopes are not known.
    Unknown,
    /// A stored token, granted these scopes.
    Stored(&'a [String]),
}

/// The advice a 403 from `endpoint` gets: both possibilities, `needed` (the scope this
/// request's own resource needs) first among the scopes, whether the token was granted
/// one, and `ask`, the command that asks the user for `needed`.
pub fn advice(
    endpoint: &Endpoint,
    needed: Option<&Scope>,
    granted: Granted<'_>,
    ask: &str,
) -> String {
    let needed_name = needed.map(|s| s.permission().to_owned());
    let mut serving: Vec<String> = needed.map(ToString::to_string).into_iter().collect();
    serving.extend(
        endpoint
            .scopes
            .iter()
            .filter(|name| needed_name.as_deref() != Some(**name))
            .filter_map(|name| scope_catalogue::find(name))
            .map(scope_catalogue::ScopeInfo::pattern),
    );
    let mut text = format!(
        "\n  A 403 from {} means one of two permissions is missing:\n  - the app's API key \
         lacks the key permission {}: grant it to the app in the Kenar panel",
        endpoint.label(),
        endpoint.key_permission
    );
    if serving.is_empty() {
        return text;
    }
    text.push_str(&format!(
        "\n  - the user's token lacks every scope that serves it: {}",
        serving.join(", ")
    ));
    match granted {
        Granted::Unknown => text.push_str(
            "; the access token was given, not stored, so kenar-chat cannot tell which scopes \
             it carries",
        ),
        Granted::Stored(scopes) => {
            let serves = scopes.iter().any(|scope| {
                scope_catalogue::info(scope)
                    .is_some_and(|info| endpoint.scopes.contains(&info.name))
            });
            let list = if scopes.is_empty() {
                "no scopes".to_owned()
            } else {
                scopes.join(" ")
            };
            if serves {
                text.push_str(&format!(
                    "; the stored token was granted {list}, one of them, so the key permission \
                     is the likelier cause (or the user's scope does not cover this resource)"
                ));
            } else {
                text.push_str(&format!(
                    "; the stored token was granted {list}, none of them"
                ));
            }
        }
    }
    text.push_str(&format!("\n    ask the user for it: `{ask}`"));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send() -> &'static Endpoint {
        scope_catalogue::endpoint_for("POST", "/v2/open-platform/conversations/c1/messages")
            .unwrap()
    }

    #[test]
    fn names_the_key_permission_and_the_scopes_the_messages_first() {
        let needed = Scope::conversation("c1").unwrap();
        let text = advice(
            send(),
            Some(&needed),
            Granted::Unknown,
            "kenar-chat oauth login",
        );
        assert!(
            text.contains("lacks the key permission CHAT_SEND_MESSAGE_OAUTH"),
            "{text}"
        );
        assert!(
            text.contains(
                "serves it: CONVERSATION_SEND_MESSAGE.c1, CHAT_POST_CONVERSATIONS_MESSAGE_SEND.<post_token>, CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND;"
            ),
            "{text}"
        );
        assert!(text.contains("cannot tell"), "{text}");
    }

    #[test]
    fn says_whether_the_stored_token_was_granted_one() {
        let needed = Scope::conversation("c1").unwrap();
        let granted = ["CONVERSATION_SEND_MESSAGE.c1".to_owned()];
        let text = advice(send(), Some(&needed), Granted::Stored(&granted), "x");
        assert!(
            text.contains("one of them, so the key permission is the likelier cause"),
            "{text}"
        );
        let granted = ["USER_PHONE".to_owned()];
        let text = advice(send(), Some(&needed), Granted::Stored(&granted), "x");
        assert!(text.contains("granted USER_PHONE, none of them"), "{text}");
    }
}
