//! Properties that must hold for any input, not just the examples: scopes decode to what
//! they encode, the OAuth URL carries its inputs back exactly, and no byte sequence makes
//! the message parser panic.

use kenar_chat::auth::authorize::AuthorizationRequest;
use kenar_chat::message::draft::MessageDraft;
use kenar_chat::platform::Platform;
use kenar_chat::scope::{Chat, ResourceId, Scope};
use proptest::prelude::*;
use url::Url;

/// Few cases per property: the suite runs on every change and must stay fast.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// An ID as the API could hand one out: anything but `:`, whitespace, control and format
/// characters, including non-ASCII.
fn id() -> impl Strategy<Value = String> {
    "[^:\\s\\p{Cc}\\p{Cf}]{1,40}"
}

fn chat() -> impl Strategy<Value = Chat> {
    (id(), id(), id()).prop_map(|(user, post, peer)| Chat::new(user, post, peer).unwrap())
}

fn scope() -> impl Strategy<Value = Scope> {
    prop_oneof![
        chat().prop_map(Scope::Chat),
        id().prop_map(|post| Scope::post_chats(post).unwrap()),
        // Raw scopes as written, with the characters the query encoding must escape.
        "[A-Z][A-Z0-9_+/=%&#?.:;\\-]{0,20}".prop_map(|raw| Scope::raw(&raw).unwrap()),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn chat_scopes_decode_to_their_ids(chat in chat()) {
        let resource = chat.resource_id();
        prop_assert_eq!(&ResourceId::decode(resource.as_str()).unwrap(), &chat);
        let scope = Scope::Chat(chat);
        prop_assert_eq!(Scope::decode(&scope.to_string()).unwrap(), scope);
    }

    #[test]
    fn post_scopes_decode_to_their_token(post in id()) {
        let scope = Scope::post_chats(post).unwrap();
        prop_assert_eq!(Scope::decode(&scope.to_string()).unwrap(), scope);
    }

    #[test]
    fn ids_with_a_colon_are_refused(before in id(), after in id()) {
        let joined = format!("{before}:{after}");
        prop_assert!(Chat::new(joined, "post", "peer").is_err());
    }

    #[test]
    fn decoding_any_text_never_panics(text in "\\PC{0,80}") {
        let _ = Scope::decode(&text);
        let _ = ResourceId::decode(&text);
    }

    #[test]
    fn the_oauth_url_parses_back_to_exactly_its_inputs(
        // Any client ID but a blank one or one with control or format characters, which
        // are refused.
        client_id in "[^\\s\\p{Cc}\\p{Cf}]\\PC{0,30}",
        host in "[a-z0-9äöüسلام-]{1,12}(\\.[a-z0-9]{1,12}){0,2}",
        port in prop::option::of(1u16..),
        path in "([^?#]|%[0-9A-Fa-f]{2}){0,30}",
        scopes in prop::collection::vec(scope(), 1..5),
        state in "\\PC{1,40}",
    ) {
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        let redirect_uri = format!("https://{host}{port}/{path}");
        let request = match AuthorizationRequest::new(
            client_id.clone(),
            redirect_uri.clone(),
            scopes.clone(),
            state.clone(),
        ) {
            Ok(request) => request,
            // Only URIs the url crate cannot read, that it reads with a query, or that hold
            // whitespace, control characters or a backslash (which a browser reads as '/'),
            // are refused.
            Err(_) => {
                let parsed = Url::parse(&redirect_uri);
                let blank = redirect_uri.chars().any(|c| {
                    c.is_whitespace() || c == '\\' || kenar_chat::visible::is_hidden_in_text(c)
                });
                prop_assert!(blank || parsed.map_or(true, |u| u.query().is_some() || u.fragment().is_some()));
                return Ok(());
            }
        };
        let url = request.url(&Url::parse(Platform::Legacy.auth_url()).unwrap());
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let names: Vec<&str> = pairs.iter().map(|(n, _)| n.as_str()).collect();
        prop_assert_eq!(names, ["response_type", "client_id", "redirect_uri", "scope", "state"]);
        prop_assert_eq!(&pairs[0].1, "code");
        prop_assert_eq!(&pairs[1].1, &client_id);
        prop_assert_eq!(&pairs[2].1, &redirect_uri);
        prop_assert_eq!(&pairs[4].1, &state);
        let written: Vec<String> = scopes.iter().map(Scope::to_string).collect();
        prop_assert_eq!(pairs[3].1.split(' ').collect::<Vec<_>>(), written);
        // Only the separators are literal `+` in the URL: every `+` inside a scope is escaped.
        let encoded = url.query().unwrap().split("&scope=").nth(1).unwrap().split('&').next().unwrap();
        prop_assert_eq!(encoded.matches('+').count(), scopes.len() - 1);
    }

    #[test]
    fn the_message_parser_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(draft) = MessageDraft::from_json("input", &bytes) {
            let _ = draft.build();
        }
    }

    #[test]
    fn the_message_parser_never_panics_on_near_json(
        text in "[{}\\[\\]\":,a-z0-9 \\\\ué\\-\\.]{0,200}",
    ) {
        if let Ok(draft) = MessageDraft::from_json("input", text.as_bytes()) {
            let _ = draft.build();
        }
    }

    #[test]
    fn the_message_parser_never_panics_on_message_shaped_json(
        user in "\\PC{0,12}",
        message in "\\PC{0,40}",
        action in "(LINK|DIRECT_LINK|\\PC{0,6})",
        extra in "(\\{\\}|\\[\\]|1|null|\"x\"|\\{\"k\":\\[1,\\{\\}\\]\\})",
        link in "\\PC{0,30}",
    ) {
        let json = serde_json::json!({
            "user_id": user, "post_token": "p", "peer_id": "q", "message": message,
            "sender_btn": {"action": action, "data": {"icon_name": "i", "caption": "c",
                "extra_data": serde_json::from_str::<serde_json::Value>(&extra).unwrap()}},
            "receiver_btn": {"action": action, "data": {"icon_name": "i", "caption": "c",
                "direct_link": link}},
        });
        if let Ok(draft) = MessageDraft::from_json("input", json.to_string().as_bytes()) {
            let _ = draft.build();
        }
    }
}
