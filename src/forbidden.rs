//! What a 403 from the API means (protocol section 6): the app's API key lacks the
//! endpoint's key permission, or the user's token lacks every scope that serves it. The
//! answer does not say which, so both are named, with what the tool knows of the token.

use crate::scope::Recipient;
use crate::scope_catalogue::{self, Endpoint};

/// What the tool knows of the scopes the access token carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granted<'a> {
    /// Given by flag, file or variable: its scopes are not known.
    Unknown,
    /// A stored token, granted these scopes.
    Stored(&'a [String]),
}

/// The advice a 403 from `endpoint` gets for a request to `to`: both possibilities, the
/// scopes that serve it with `to`'s own first, whether the token was granted one, and
/// `ask`, the command that asks the user for `to`'s own scope.
pub fn advice(endpoint: &Endpoint, to: &Recipient, granted: Granted<'_>, ask: &str) -> String {
    let (serving, names) = serving(endpoint, to);
    let mut text = format!(
        "\n  A 403 from {} means one of two permissions is missing:\n  - the app's API key \
         lacks the key permission {}: grant it to the app in the Kenar panel",
        endpoint.label(),
        endpoint.key_permission
    );
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
                scope_catalogue::info(scope).is_some_and(|info| names.contains(&info.name))
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

/// The scopes that serve a request to `to` at `endpoint`, as shown (the narrowest first),
/// and their names. A subscription's are those of what it watches, not every scope of the
/// one endpoint all subscriptions share; a message's are its own, then the endpoint's
/// others, as their patterns.
fn serving(endpoint: &Endpoint, to: &Recipient) -> (Vec<String>, Vec<&'static str>) {
    let shown: Vec<String> = match to {
        Recipient::Subscribing(watched) => {
            watched.scopes().iter().map(ToString::to_string).collect()
        }
        _ => {
            let own = to.own_scope();
            std::iter::once(own.to_string())
                .chain(
                    endpoint
                        .scopes
                        .iter()
                        .filter(|name| **name != own.permission())
                        .filter_map(|name| scope_catalogue::find(name))
                        .map(scope_catalogue::ScopeInfo::pattern),
                )
                .collect()
        }
    };
    let names = shown
        .iter()
        .filter_map(|scope| scope_catalogue::info(scope))
        .map(|info| info.name)
        .collect();
    (shown, names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::Watched;

    fn send() -> &'static Endpoint {
        scope_catalogue::endpoint_for("POST", "/v2/open-platform/conversations/c1/messages")
            .unwrap()
    }

    fn conversation() -> Recipient {
        Recipient::Conversation {
            id: "c1".into(),
            post_token: None,
        }
    }

    #[test]
    fn names_the_key_permission_and_the_scopes_the_messages_first() {
        let text = advice(
            send(),
            &conversation(),
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
        let granted = ["CONVERSATION_SEND_MESSAGE.c1".to_owned()];
        let text = advice(send(), &conversation(), Granted::Stored(&granted), "x");
        assert!(
            text.contains("one of them, so the key permission is the likelier cause"),
            "{text}"
        );
        let granted = ["USER_PHONE".to_owned()];
        let text = advice(send(), &conversation(), Granted::Stored(&granted), "x");
        assert!(text.contains("granted USER_PHONE, none of them"), "{text}");
    }

    #[test]
    fn a_subscription_names_only_the_scopes_that_serve_what_it_watches() {
        let endpoint =
            scope_catalogue::endpoint_for("POST", "/v1/open-platform/events/subscriptions")
                .unwrap();
        let subscribing = |watched| Recipient::Subscribing(watched);
        for (watched, serving) in [
            (
                Watched::PostMessages("P".into()),
                "CHAT_POST_CONVERSATIONS_READ.P, CHAT_SUPPLIER_ALL_CONVERSATIONS_READ;",
            ),
            (
                Watched::AllMessages,
                "CHAT_SUPPLIER_ALL_CONVERSATIONS_READ;",
            ),
            (Watched::Posts, "USER_POSTS_GET;"),
        ] {
            let text = advice(endpoint, &subscribing(watched), Granted::Unknown, "x");
            assert!(
                text.contains(&format!("lacks every scope that serves it: {serving}")),
                "{text}"
            );
        }
        // A scope of another subscription is none of them.
        let granted = ["USER_POSTS_GET".to_owned()];
        let text = advice(
            endpoint,
            &subscribing(Watched::AllMessages),
            Granted::Stored(&granted),
            "x",
        );
        assert!(
            text.contains("granted USER_POSTS_GET, none of them"),
            "{text}"
        );
    }
}
