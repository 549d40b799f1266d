//! The sandbox talks back: events subscriptions as Divar checks them, and replies typed
//! in the chat view that reach the app as `NEW_MESSAGE` webhooks, through the real
//! `listen` forwarding to a test app, only while a subscription covers them.

use serde_json::{Value, json};

use crate::common::listen::KEY;
use crate::common::offline_loop::{DEMO_CONVERSATION, OfflineLoop, POST_READ_SCOPE};
use crate::common::sandbox::{Sandbox, agent, png, response_json};
use crate::common::{PEER, POST, Recorded, USER};

/// A Google RPC status body, exactly.
fn rpc(code: u8, message: &str) -> Value {
    json!({"code": code, "message": message, "details": []})
}

fn new_messages(post: Option<&str>) -> Value {
    match post {
        Some(post) => json!({"event_type": "NEW_MESSAGE_ON_POST", "event_resource_id": post}),
        None => json!({"event_type": "NEW_MESSAGE_ON_POST"}),
    }
}

#[test]
fn a_subscription_needs_the_key_a_token_a_valid_body_and_the_scope_of_its_events() {
    let sandbox = Sandbox::start(&[]);
    let path = format!("{}/v1/open-platform/events/subscriptions", sandbox.url);
    let post_read = sandbox.access_token(POST_READ_SCOPE);
    // The consent page says what the user grants in words.
    let redirect_uri = sandbox.var("KENAR_REDIRECT_URI").to_owned();
    let scopes = format!("{POST_READ_SCOPE} CHAT_SUPPLIER_ALL_CONVERSATIONS_READ USER_POSTS_GET");
    let (page, _) = sandbox.consent_current(&scopes, &redirect_uri, "s", "deny");
    for says in [
        "read every conversation about post AZf3Uqr3, and have the app told of their new \
         messages",
        "read every conversation where you are the seller, and have the app told of their \
         new messages",
        "list your posts, and have the app told of their updates",
    ] {
        assert!(page.contains(says), "{says}: {page}");
    }

    // Without the API key, or with a token the sandbox never issued: 401, code 16.
    let keyless = response_json(
        agent()
            .post(&path)
            .header("authorization", format!("Bearer {post_read}"))
            .send(new_messages(Some(POST)).to_string()),
    );
    assert_eq!(keyless, (401, rpc(16, "missing x-api-key header")));
    assert_eq!(
        sandbox.subscribe("ory_at_unknown", &new_messages(Some(POST))),
        (401, rpc(16, "invalid access token"))
    );

    // A body Divar would not take: 400, code 3, naming the field.
    assert_eq!(
        sandbox.subscribe(&post_read, &json!({"event_resource_id": POST})),
        (
            400,
            rpc(
                3,
                "event_type: missing (NEW_MESSAGE_ON_POST or POST_UPDATE)"
            )
        )
    );
    let (status, answer) = sandbox.subscribe(
        &post_read,
        &json!({"event_type": "NEW_MESSAGE_ON_POST", "meta_data": {"k": "v"}}),
    );
    assert_eq!(
        (status, answer["code"].as_u64()),
        (400, Some(3)),
        "{answer}"
    );
    let message = answer["message"].as_str().unwrap();
    assert!(message.contains("unknown field `meta_data`"), "{message}");

    // The scope of the events asked for: the post's read scope, or the seller's.
    assert_eq!(
        sandbox.subscribe(&post_read, &new_messages(Some("QmX4r8Tn"))),
        (
            403,
            rpc(
                7,
                &format!(
                    "the access token (of user {USER}) does not allow subscribing to \
                     NEW_MESSAGE_ON_POST for post QmX4r8Tn: it needs \
                     CHAT_POST_CONVERSATIONS_READ.QmX4r8Tn or CHAT_SUPPLIER_ALL_CONVERSATIONS_READ"
                )
            )
        )
    );
    assert_eq!(
        sandbox.subscribe(&post_read, &new_messages(None)),
        (
            403,
            rpc(
                7,
                &format!(
                    "the access token (of user {USER}) does not allow subscribing to \
                     NEW_MESSAGE_ON_POST for all posts: it needs \
                     CHAT_SUPPLIER_ALL_CONVERSATIONS_READ"
                )
            )
        )
    );
    let posts = json!({"event_type": "POST_UPDATE", "event_resource_id": ""});
    assert_eq!(sandbox.subscribe(&post_read, &posts).0, 403);

    // Each with its scope: `{}`, as Divar answers, with no subscription ID.
    assert_eq!(
        sandbox.subscribe(&post_read, &new_messages(Some(POST))),
        (200, json!({}))
    );
    let seller = sandbox.access_token("CHAT_SUPPLIER_ALL_CONVERSATIONS_READ");
    assert_eq!(
        sandbox.subscribe(&seller, &new_messages(None)),
        (200, json!({}))
    );
    let user_posts = sandbox.access_token("USER_POSTS_GET");
    assert_eq!(sandbox.subscribe(&user_posts, &posts), (200, json!({})));
}

#[test]
fn an_api_key_without_the_subscription_permission_is_refused_403() {
    let sandbox = Sandbox::start(&["--missing-permission", "EVENTS_REGISTER_SUBSCRIPTION"]);
    let token = sandbox.access_token(POST_READ_SCOPE);
    assert_eq!(
        sandbox.subscribe(&token, &new_messages(Some(POST))),
        (
            403,
            rpc(
                7,
                "permission denied: the API key lacks EVENTS_REGISTER_SUBSCRIPTION"
            )
        )
    );
}

/// The one `NEW_MESSAGE` the app received, checked as Divar sends it through `listen`:
/// its headers exactly, and its body, whose `new_message` is handed back.
fn the_webhook(app: &[Recorded], metadata: &Value) -> Value {
    let [webhook] = app else {
        panic!("expected one webhook: {app:#?}")
    };
    assert_eq!(webhook.method, "POST");
    let headers: Vec<(&str, &str)> = webhook
        .header_pairs()
        .into_iter()
        .filter(|(name, _)| !["host", "content-length"].contains(name))
        .collect();
    assert_eq!(
        headers,
        [
            ("content-type", "application/json"),
            ("authorization", KEY),
            ("accept", "*/*"),
            (
                "user-agent",
                concat!("kenar-chat/", env!("CARGO_PKG_VERSION"))
            ),
        ]
    );
    let body = webhook.json();
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["type", "metadata", "new_message"]
    );
    assert_eq!(body["type"], "NEW_MESSAGE");
    assert_eq!(&body["metadata"], metadata);
    body["new_message"].clone()
}

/// The stored message `id`, as `/sandbox/messages` lists it.
fn stored(sandbox: &Sandbox, id: u64) -> Value {
    sandbox
        .messages()
        .into_iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("no message {id}"))
}

#[test]
fn a_picture_reply_reaches_the_app_through_listen_as_an_image_the_sandbox_serves() {
    let offline = OfflineLoop::keyed();
    let metadata = json!({"shop": "42"});
    offline.subscribe("", &metadata);
    offline.send("Your order has shipped.");
    let picture = png();
    let (status, headers, page) =
        offline
            .sandbox
            .reply(DEMO_CONVERSATION, PEER, "", Some(("receipt.png", &picture)));
    assert_eq!(
        (status, headers["location"].as_str()),
        (303, "/#m2-sender"),
        "{page}"
    );

    let message = the_webhook(&offline.received("/divar/events"), &metadata);
    let link = message["image_data"]["link"].as_str().unwrap().to_owned();
    let sent_at = message["sent_at"].as_i64().unwrap();
    assert_eq!(
        message,
        json!({
            "id": "2",
            "conversation": {"id": DEMO_CONVERSATION, "type": "POST", "post_token": POST},
            "sender": {"side": "BUYER", "type": "HUMAN"},
            "type": "IMAGE",
            "sent_at": sent_at,
            "image_data": {
                "link": link,
                "size_bytes": picture.len(),
                "height_px": 1,
                "width_px": 1,
            },
        })
    );
    let stored = stored(&offline.sandbox, 2);
    assert_eq!(sent_at, stored["received_at"].as_i64().unwrap() * 1_000_000);
    assert_eq!(stored["typed_in_chat_view"], true);
    // The app fetches the picture from the sandbox, byte for byte.
    let path = link
        .strip_prefix(&offline.sandbox.url)
        .expect("the sandbox's link");
    let (status, headers, bytes) = offline.sandbox.get_bytes(path);
    assert_eq!(
        (status, headers["content-type"].as_str()),
        (200, "image/png")
    );
    assert_eq!(bytes, picture);
    // listen said what came in, and kept it.
    let records = offline.listen.records();
    assert_eq!(records.len(), 1, "{records:#?}");
    assert_eq!(records[0]["name"], "NEW_MESSAGE");
}

#[test]
fn a_wrong_identification_key_is_refused_by_listen_and_nothing_is_forwarded() {
    let offline = OfflineLoop::start("not-the-apps-key", &[]);
    offline.subscribe("", &json!({}));
    offline.send("Hello");
    let (status, _, page) =
        offline
            .sandbox
            .reply(DEMO_CONVERSATION, PEER, "Is it still for sale?", None);
    assert_eq!(status, 303, "{page}");
    assert!(offline.received("/divar/events").is_empty());
    assert!(offline.listen.records().is_empty());
    let delivery = &stored(&offline.sandbox, 2)["delivery"];
    assert_eq!(delivery["state"], "answered", "{delivery}");
    assert_eq!(delivery["status"], 401, "{delivery}");
    let (_, _, page) = offline.sandbox.get("/");
    assert!(
        page.contains(&format!(
            "NEW_MESSAGE webhook refused by {}/divar/events: HTTP 401",
            offline.listen.url
        )),
        "{page}"
    );
    assert!(!page.contains("not-the-apps-key"), "{page}");
}

#[test]
fn without_a_live_subscription_nothing_is_delivered_and_the_chat_view_says_what_to_run() {
    let offline = OfflineLoop::start(KEY, &["--refresh-grace", "0"]);
    offline.send("Hello");
    let said = |id: u64| {
        let delivery = stored(&offline.sandbox, id)["delivery"].clone();
        assert_eq!(delivery["state"], "not_sent", "{delivery}");
        delivery["why"].as_str().unwrap().to_owned()
    };

    // No subscription at all.
    let (status, _, _) = offline
        .sandbox
        .reply(DEMO_CONVERSATION, PEER, "first", None);
    assert_eq!(status, 303);
    let why = said(2);
    assert_eq!(
        why,
        format!(
            "no subscription covers new messages on post {POST}: Divar sends NEW_MESSAGE only \
             while the post's owner (user {USER}) has one, made with a live access token; \
             subscribe with: kenar-chat events subscribe --post-token {POST}"
        )
    );
    let (_, _, page) = offline.sandbox.get("/");
    assert!(
        page.contains(&format!(
            "NEW_MESSAGE webhook not delivered: {}",
            why.replace('\'', "&#39;")
        )),
        "{page}"
    );

    // A subscription whose token a refresh retired ended with it.
    let first = offline.subscribe("offline_access", &json!({}));
    let (status, refreshed) = offline.sandbox.refresh(&first);
    assert_eq!(status, 200, "{refreshed}");
    offline
        .sandbox
        .reply(DEMO_CONVERSATION, PEER, "second", None);
    let why = said(3);
    assert!(
        why.starts_with(&format!(
            "the subscription to new messages on post {POST} ended at "
        )),
        "{why}"
    );
    assert!(
        why.ends_with(&format!(
            "with the access token it was made with (a subscription lives as long as its \
             token): subscribe again with the current token: kenar-chat events subscribe \
             --post-token {POST}"
        )),
        "{why}"
    );
    assert!(offline.received("/divar/events").is_empty());
    assert!(offline.listen.records().is_empty());

    // Made again with the refreshed token, by the command the chat view names, it
    // delivers.
    offline
        .sandbox
        .kenar()
        .env(
            "KENAR_ACCESS_TOKEN",
            refreshed["access_token"].as_str().unwrap(),
        )
        .args(["events", "subscribe", "--post-token", POST])
        .assert()
        .success()
        .stdout(predicates::str::starts_with(format!(
            "subscribed NEW_MESSAGE_ON_POST for post {POST}"
        )));
    offline
        .sandbox
        .reply(DEMO_CONVERSATION, PEER, "third", None);
    let [webhook] = offline.received("/divar/events").try_into().unwrap();
    let body = webhook.json();
    assert_eq!(body.get("metadata"), None, "{body}");
    assert_eq!(body["new_message"]["text"], "third");

    // Every reply is in the conversation, from a human, whatever became of its webhook.
    let reader = offline
        .sandbox
        .access_token(&format!("CHAT_CONVERSATION_READ.{DEMO_CONVERSATION}"));
    let (status, read) = response_json(
        agent()
            .get(format!(
                "{}/v1/open-platform/chat/conversations/{DEMO_CONVERSATION}",
                offline.sandbox.url
            ))
            .header("x-api-key", offline.sandbox.var("KENAR_API_KEY"))
            .header("authorization", format!("Bearer {reader}"))
            .call(),
    );
    assert_eq!(status, 200, "{read}");
    let read: Vec<(Value, Value)> = read["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["text"].clone(), m["sender"].clone()))
        .collect();
    let buyer = json!({"side": "BUYER", "type": "HUMAN"});
    assert_eq!(
        read,
        [
            (json!("Hello"), json!({"side": "SELLER", "type": "BOT"})),
            (json!("first"), buyer.clone()),
            (json!("second"), buyer.clone()),
            (json!("third"), buyer),
        ]
    );
}

#[test]
fn a_sandbox_without_an_events_url_says_where_replies_would_go() {
    let sandbox = Sandbox::start(&[]);
    let printed = sandbox.printed.join("\n");
    assert!(
        printed.contains(
            "# Replies typed in the chat view are delivered nowhere: give --events-url URL"
        ),
        "{printed}"
    );
    let token = sandbox.access_token(POST_READ_SCOPE);
    assert_eq!(sandbox.subscribe(&token, &new_messages(Some(POST))).0, 200);
    sandbox
        .kenar()
        .args([
            "send",
            "--conversation-id",
            DEMO_CONVERSATION,
            "--message",
            "Hi",
        ])
        .assert()
        .success();
    sandbox.reply(DEMO_CONVERSATION, PEER, "Hello", None);
    let delivery = &stored(&sandbox, 2)["delivery"];
    assert_eq!(
        delivery,
        &json!({
            "state": "not_sent",
            "why": format!(
                "a subscription covers post {POST}, but the sandbox has no events URL to \
                 deliver to (the app's address for new events, set in the Kenar panel at \
                 Divar): restart the sandbox with --events-url URL (kenar-chat listen's \
                 address, or the app's own)"
            ),
        })
    );
}

#[test]
fn a_reply_is_refused_without_the_chat_views_key_or_with_both_text_and_a_picture() {
    let offline = OfflineLoop::keyed();
    offline.subscribe("", &json!({}));
    offline.send("Hello");
    // A form posted from another page, without the key: refused before anything is kept.
    let form = ureq::unversioned::multipart::Form::new()
        .text("conversation", DEMO_CONVERSATION)
        .text("from", PEER)
        .text("text", "forged");
    let (status, _, page) = crate::common::sandbox::response(
        agent()
            .post(format!("{}/sandbox/reply", offline.sandbox.url))
            .send(form),
    );
    assert_eq!(status, 403, "{page}");
    assert!(
        page.contains("this reply was not typed in the sandbox&#39;s chat view"),
        "{page}"
    );
    // Neither side, or both contents at once: the chat view says why.
    let picture = png();
    // A picture over Divar's limit, by a byte or by more than the form's room for it.
    let over = |size: usize| {
        let mut bytes = png();
        bytes.resize(size, 0);
        bytes
    };
    let (just_over, photo) = (over(5_000_001), over(6 * 1024 * 1024));
    let too_large = "The reply was not sent: the picture: larger than Divar&#39;s limit of \
                     5000000 bytes for a picture";
    for (from, text, picture, says) in [
        (
            "someone-else",
            "hi",
            None,
            "user &quot;someone-else&quot; is neither side of conversation",
        ),
        (
            PEER,
            "hi",
            Some(("a.png", picture.as_slice())),
            "type a text or choose a picture, not both",
        ),
        (PEER, " ", None, "type a text or choose a picture"),
        (
            PEER,
            "",
            Some(("a.png", b"not a picture".as_slice())),
            "The reply was not sent: the picture: is not an image",
        ),
        (PEER, "", Some(("a.png", just_over.as_slice())), too_large),
        (PEER, "", Some(("photo.png", photo.as_slice())), too_large),
    ] {
        let (status, _, page) = offline
            .sandbox
            .reply(DEMO_CONVERSATION, from, text, picture);
        assert_eq!(status, 400, "{page}");
        assert!(page.contains(says), "{says}: {page}");
    }
    assert_eq!(offline.sandbox.messages().len(), 1);
    assert!(offline.received("/divar/events").is_empty());
}
