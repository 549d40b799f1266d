//! The current platform (protocol section 5) as the sandbox plays it: the conversation
//! send endpoint with Bearer tokens, all three scopes and Google RPC errors, and clicks on
//! the buttons of its grids.

use serde_json::{Value, json};

use crate::common::sandbox::{Sandbox, agent, response_json};
use crate::common::{self, PEER, POST, Reply, TestServer, USER};

/// The demo chat as a conversation, where the demo user sells the demo post.
pub const DEMO_CONVERSATION: &str = "5b0e7f3c-2a61-4c8e-9d47-e81f6a3b90c2";
/// Where the demo user buys another user's post.
const DEMO_PURCHASE: &str = "c3d9a1e4-7b25-4f60-8a1d-2e5c9b7f04a6";
const DEMO_PURCHASE_POST: &str = "QmX4r8Tn";

pub fn conversation_scope(id: &str) -> String {
    format!("CONVERSATION_SEND_MESSAGE.{id}")
}

#[test]
fn the_current_platform_is_printed_beside_the_legacy_one() {
    let sandbox = Sandbox::start(&[]);
    let base = &sandbox.url;
    let printed = sandbox.printed.join("\n");
    assert!(
        printed.contains(&format!("#   export KENAR_OAUTH_URL={base}/oauth2/auth\n")),
        "{printed}"
    );
    assert_eq!(
        sandbox.var("KENAR_TOKEN_URL"),
        format!("{base}/oauth2/token")
    );
    assert_eq!(sandbox.var("KENAR_OAUTH_URL"), format!("{base}/oauth"));
    assert!(
        printed.contains(&format!(
            "kenar-chat send --conversation-id {DEMO_CONVERSATION} "
        )),
        "{printed}"
    );
}

fn text(message: &str) -> Value {
    json!({"type": "TEXT", "message": message})
}

/// A Google RPC status body, exactly.
fn rpc(code: u8, message: &str) -> Value {
    json!({"code": code, "message": message, "details": []})
}

/// Asserts a refusal with this HTTP status and RPC code, whose message says `says`.
fn refused((status, body): (u16, Value), http: u16, code: u8, says: &str) {
    assert_eq!(status, http, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["details"], json!([]), "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(says), "{says}: {message}");
}

#[test]
fn the_demo_token_sends_in_the_demo_conversation_with_a_bearer_token() {
    let sandbox = Sandbox::start(&[]);
    let body = json!({
        "type": "TEXT",
        "message": "سفارش شما ارسال شد",
        "sender_buttons": {"rows": [{"buttons": [
            {"action": {"open_server_link": {"data": {"order": 42}}}, "icon": "INFO", "caption": "جزئیات"}
        ]}]},
    });
    let (status, answer) =
        sandbox.send_current(DEMO_CONVERSATION, sandbox.var("KENAR_ACCESS_TOKEN"), &body);
    assert_eq!(
        (status, answer),
        (200, json!({"status": 200, "message": "success"}))
    );
    let messages = sandbox.messages();
    assert_eq!(messages.len(), 1);
    let mut expected = json!({
        "id": 1,
        "received_at": messages[0]["received_at"],
        "conversation_id": DEMO_CONVERSATION,
        "sender_id": USER,
    });
    expected
        .as_object_mut()
        .unwrap()
        .extend(body.as_object().unwrap().clone());
    assert_eq!(messages[0], expected);
}

#[test]
fn send_conversation_id_against_the_sandbox_is_the_whole_loop() {
    let sandbox = Sandbox::start(&[]);
    sandbox
        .kenar()
        .args(["send", "--conversation-id", DEMO_CONVERSATION])
        .args(["--message", "سلام از کنار"])
        .args([
            "--receiver-button",
            "Track|LOCAL_SHIPPING|https://shop.example/t/42",
        ])
        .args(["--sender-button", r#"Details|INFO|{"order": 42}"#])
        .assert()
        .success()
        .stdout(format!(
            "sent: message in conversation {DEMO_CONVERSATION}\n"
        ));
    let messages = sandbox.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["message"], "سلام از کنار");
    assert_eq!(
        messages[0]["receiver_buttons"],
        json!({"rows": [{"buttons": [{"action": {"open_direct_link": "https://shop.example/t/42"},
                                      "icon": "LOCAL_SHIPPING", "caption": "Track"}]}]})
    );
    // The same chat on the legacy platform shows in the same panes.
    sandbox.send("and from the legacy API").assert().success();
    let (_, _, page) = sandbox.get("/");
    assert_eq!(
        page.matches("<section class=\"pane\">").count(),
        2,
        "{page}"
    );
    assert!(page.contains("id=\"m2-sender\""), "{page}");
}

#[test]
fn only_a_bearer_token_is_read_and_the_api_key_is_checked() {
    let sandbox = Sandbox::start(&[]);
    let token = sandbox.var("KENAR_ACCESS_TOKEN");
    let (status, _, body) =
        sandbox.post_message(DEMO_CONVERSATION, &[("x-access-token", token)], &text("hi"));
    assert_eq!(status, 401);
    assert_eq!(
        body,
        rpc(
            16,
            "missing Authorization header: the current platform takes the access token as \
             \"Authorization: Bearer TOKEN\", not x-access-token"
        )
    );
    let (status, _, body) = sandbox.post_message(DEMO_CONVERSATION, &[], &text("hi"));
    refused((status, body), 401, 16, "missing Authorization header");
    let (status, _, body) =
        sandbox.post_message(DEMO_CONVERSATION, &[("authorization", token)], &text("hi"));
    refused((status, body), 401, 16, "must be \"Bearer TOKEN\"");
    refused(
        sandbox.send_current(DEMO_CONVERSATION, "ory_at_made-up", &text("hi")),
        401,
        16,
        "invalid access token",
    );
    let (status, body) = response_json(
        agent()
            .post(format!(
                "{}/v2/open-platform/conversations/{DEMO_CONVERSATION}/messages",
                sandbox.url
            ))
            .header("x-api-key", "wrong")
            .header("authorization", &format!("Bearer {token}"))
            .send(text("hi").to_string()),
    );
    assert_eq!((status, body), (401, rpc(16, "invalid API key")));
    assert!(sandbox.messages().is_empty());
}

#[test]
fn each_scope_allows_what_it_covers_and_nothing_else() {
    let sandbox = Sandbox::start(&[]);
    let token = |scope: &str| {
        sandbox.current_token(scope)["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let sends =
        |token: &str, conversation: &str| sandbox.send_current(conversation, token, &text("hi")).0;
    // The conversation's own scope, for either side: the demo user sells in the demo
    // conversation and buys in the other.
    let exact = token(&conversation_scope(DEMO_CONVERSATION));
    assert_eq!(sends(&exact, DEMO_CONVERSATION), 200);
    refused(
        sandbox.send_current(DEMO_PURCHASE, &exact, &text("hi")),
        403,
        7,
        &format!(
            "does not allow sending in conversation {DEMO_PURCHASE}: it needs \
             CONVERSATION_SEND_MESSAGE.{DEMO_PURCHASE}, or, for its seller"
        ),
    );
    assert_eq!(
        sends(&token(&conversation_scope(DEMO_PURCHASE)), DEMO_PURCHASE),
        200
    );
    // The seller's scope covers where the demo user sells, not where they buy.
    let supplier = token("CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND");
    assert_eq!(sends(&supplier, DEMO_CONVERSATION), 200);
    assert_eq!(sends(&supplier, DEMO_PURCHASE), 403);
    // A post's scope covers its conversations for its owner only.
    let own_post = token(&format!("CHAT_POST_CONVERSATIONS_MESSAGE_SEND.{POST}"));
    assert_eq!(sends(&own_post, DEMO_CONVERSATION), 200);
    assert_eq!(sends(&own_post, DEMO_PURCHASE), 403);
    let bought = token(&format!(
        "CHAT_POST_CONVERSATIONS_MESSAGE_SEND.{DEMO_PURCHASE_POST}"
    ));
    assert_eq!(sends(&bought, DEMO_PURCHASE), 403);
    // A legacy chat's scope covers no conversation, even of the same chat.
    let legacy = sandbox.exchange(&Sandbox::code(
        &sandbox.approve(&format!("{USER}:{POST}:{PEER}"), "s"),
    ));
    let legacy = legacy.1["access_token"].as_str().unwrap().to_owned();
    assert_eq!(sends(&legacy, DEMO_CONVERSATION), 403);

    let senders: Vec<(Value, Value)> = sandbox
        .messages()
        .iter()
        .map(|m| (m["conversation_id"].clone(), m["sender_id"].clone()))
        .collect();
    assert_eq!(senders.len(), 4);
    assert_eq!(senders[1], (json!(DEMO_PURCHASE), json!(USER)));
}

#[test]
fn a_conversation_the_sandbox_does_not_know_is_created_only_with_its_own_scope() {
    let sandbox = Sandbox::start(&[]);
    let token = |scope: &str| {
        sandbox.current_token(scope)["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let supplier = token("CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND");
    refused(
        sandbox.send_current("brand-new", &supplier, &text("hi")),
        404,
        5,
        "conversation brand-new not found: the sandbox creates a conversation it does not \
         know only for a token with its own scope, CONVERSATION_SEND_MESSAGE.brand-new",
    );
    let exact = token(&conversation_scope("brand-new"));
    assert_eq!(
        sandbox.send_current("brand-new", &exact, &text("hi")).0,
        200
    );
    // The sender is its seller now, so the seller's scope covers it.
    assert_eq!(
        sandbox
            .send_current("brand-new", &supplier, &text("again"))
            .0,
        200
    );
    let messages = sandbox.messages();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1]["conversation_id"], "brand-new");
}

#[test]
fn a_body_that_breaks_the_rules_is_refused_naming_the_field() {
    let sandbox = Sandbox::start(&[]);
    let token = sandbox.var("KENAR_ACCESS_TOKEN");
    let button = json!({"action": {"open_direct_link": "https://a.example/"}, "icon": "INFO", "caption": "a"});
    let row = json!({"buttons": [button]});
    let four_rows = json!({"type": "TEXT", "message": "hi",
                           "sender_buttons": {"rows": [row, row, row, row]}});
    refused(
        sandbox.send_current(DEMO_CONVERSATION, token, &four_rows),
        400,
        3,
        "sender_buttons.rows: 4 rows, but a grid has at most 3",
    );
    let four_buttons = json!({"type": "TEXT", "message": "hi",
                              "receiver_buttons": {"rows": [{"buttons": [button, button, button, button]}]}});
    refused(
        sandbox.send_current(DEMO_CONVERSATION, token, &four_buttons),
        400,
        3,
        "receiver_buttons.rows[0].buttons: 4 buttons, but a row has at most 3",
    );
    let misspelt = json!({"type": "TEXT", "message": "hi", "sender_buttons": {"rows": [{"buttons": [
        {"action": {"open_direct_link": "https://a.example/"}, "icon": "REAL_STATE", "caption": "a"}]}]}});
    refused(
        sandbox.send_current(DEMO_CONVERSATION, token, &misspelt),
        400,
        3,
        "REAL_ESTATE",
    );
    refused(
        sandbox.send_current(
            DEMO_CONVERSATION,
            token,
            &json!({"message": "hi", "conversation_id": DEMO_CONVERSATION}),
        ),
        400,
        3,
        "conversation_id: not a field of the body (the conversation is named in the path)",
    );
    refused(
        sandbox.send_current(
            DEMO_CONVERSATION,
            token,
            &json!({"message": "hi", "sender_btn": {"action": "LINK"}}),
        ),
        400,
        3,
        "sender_btn: belongs to the legacy platform",
    );
    refused(
        sandbox.send_current(
            DEMO_CONVERSATION,
            token,
            &json!({"message": "hi", "extra": 1}),
        ),
        400,
        3,
        "extra",
    );
    assert!(sandbox.messages().is_empty());
}

#[test]
fn a_restricted_conversation_answers_412_code_9_and_keeps_nothing() {
    let sandbox = Sandbox::start(&["--restricted-conversation", DEMO_CONVERSATION]);
    let (status, body) = sandbox.send_current(
        DEMO_CONVERSATION,
        sandbox.var("KENAR_ACCESS_TOKEN"),
        &text("hi"),
    );
    assert_eq!(
        (status, body),
        (
            412,
            rpc(9, "message delivery failed due to recipient's restriction")
        )
    );
    assert!(sandbox.messages().is_empty());
    // The legacy chat is not restricted.
    sandbox.send("hi").assert().success();
}

#[test]
fn past_the_quota_the_answer_is_429_code_8_with_retry_after() {
    let sandbox = Sandbox::start(&["--rate-limit", "1"]);
    let bearer = format!("Bearer {}", sandbox.var("KENAR_ACCESS_TOKEN"));
    let headers = [("authorization", bearer.as_str())];
    assert_eq!(
        sandbox
            .post_message(DEMO_CONVERSATION, &headers, &text("1"))
            .0,
        200
    );
    let (status, answered, body) = sandbox.post_message(DEMO_CONVERSATION, &headers, &text("2"));
    refused((status, body), 429, 8, "per-minute rate limit exceeded");
    let wait: u64 = answered["retry-after"].parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
}

#[test]
fn after_a_refresh_the_old_access_token_sends_until_its_grace_is_over() {
    for (grace, old_sends) in [("120", true), ("0", false)] {
        let sandbox = Sandbox::start(&["--refresh-grace", grace]);
        let first = sandbox.current_token(&format!(
            "{} offline_access",
            conversation_scope(DEMO_CONVERSATION)
        ));
        let old = first["access_token"].as_str().unwrap();
        assert_eq!(
            sandbox
                .send_current(DEMO_CONVERSATION, old, &text("before"))
                .0,
            200
        );
        let (_, second) = sandbox.refresh(&first);
        let new = second["access_token"].as_str().unwrap();
        assert_eq!(
            sandbox.send_current(DEMO_CONVERSATION, new, &text("new")).0,
            200
        );
        let old_answer = sandbox.send_current(DEMO_CONVERSATION, old, &text("old"));
        if old_sends {
            assert_eq!(old_answer.0, 200, "{}", old_answer.1);
        } else {
            refused(old_answer, 401, 16, "the access token has expired");
        }
    }
}

#[test]
fn a_server_link_click_posts_the_server_link_request_and_follows_only_an_http_url() {
    let app = TestServer::start(|index, _| {
        let url = if index == 0 {
            "https://app.example/start?s=1"
        } else {
            "javascript:alert(1)"
        };
        Reply::json(200, &json!({ "url": url }).to_string())
    });
    let sandbox = Sandbox::for_app(&app, &[]);
    let body = json!({"type": "TEXT", "message": "hi", "receiver_buttons": {"rows": [
        {"buttons": [{"action": {"open_direct_link": "https://a.example/"}, "icon": "INFO", "caption": "a"}]},
        {"buttons": [{"action": {"open_direct_link": "https://a.example/"}, "icon": "INFO", "caption": "b"},
                     {"action": {"open_server_link": {"data": {"order": 42, "note": "سلام"}}},
                      "icon": "INFO", "caption": "c"}]}]}});
    let (status, _) =
        sandbox.send_current(DEMO_CONVERSATION, sandbox.var("KENAR_ACCESS_TOKEN"), &body);
    assert_eq!(status, 200);
    let click = [
        ("message", "1"),
        ("side", "receiver"),
        ("row", "1"),
        ("column", "1"),
    ];
    let (status, headers, _) = sandbox.click(&click);
    assert_eq!(status, 303);
    assert_eq!(headers["location"], "https://app.example/start?s=1");
    let request = app.only_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/divar/session");
    assert_eq!(
        request.header("authorization"),
        Some("app-identification-key")
    );
    assert_eq!(request.header("api-version"), Some("2"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert!(request.header("x-api-key").is_none());
    assert_eq!(
        String::from_utf8(request.body).unwrap(),
        format!(
            r#"{{"source":"CHAT_MESSAGE_ACTION","post_token":"{POST}","conversation_id":"{DEMO_CONVERSATION}","user_side":"Demand","user_id":"{PEER}","extra_data":{{"order":42,"note":"سلام"}}}}"#
        )
    );

    let (status, headers, page) = sandbox.click(&click);
    assert_eq!(status, 502);
    assert!(!headers.contains_key("location"));
    assert!(
        page.contains("The open_server_link button did not open"),
        "{page}"
    );
    // A direct link, or no button there, is not a server link.
    let (status, _, page) = sandbox.click(&[("message", "1"), ("side", "receiver"), ("row", "1")]);
    assert_eq!(status, 502);
    assert!(
        page.contains("opens its link directly (open_direct_link), without the app"),
        "{page}"
    );
    let (status, _, page) = sandbox.click(&[("message", "1"), ("side", "sender")]);
    assert_eq!(status, 502);
    assert!(
        page.contains("has no button for its sender at row 0, column 0"),
        "{page}"
    );
    assert_eq!(app.requests().len(), 2);
}

#[test]
fn a_conversation_read_from_the_sandbox_holds_its_text_messages_with_its_scope_only() {
    let sandbox = Sandbox::start(&[]);
    let token = |scope: &str| sandbox.access_token(scope);
    let both = token(&format!(
        "{} CHAT_CONVERSATION_READ.{DEMO_CONVERSATION}",
        conversation_scope(DEMO_CONVERSATION)
    ));
    sandbox
        .kenar()
        .env("KENAR_ACCESS_TOKEN", &both)
        .args(["send", "--conversation-id", DEMO_CONVERSATION])
        .args(["--message", "این آگهی هنوز هست؟"])
        .assert()
        .success();
    let read = |token: &str| {
        sandbox
            .kenar()
            .env("KENAR_ACCESS_TOKEN", token)
            .args(["conversation", "show", DEMO_CONVERSATION, "-o", "json"])
            .output()
            .unwrap()
    };
    let output = read(&both);
    assert!(output.status.success(), "{output:?}");
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["conversation"]["id"], DEMO_CONVERSATION);
    let texts: Vec<&Value> = answer["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["text"])
        .collect();
    assert_eq!(texts, [&json!("این آگهی هنوز هست؟")]);
    assert_eq!(answer["messages"][0]["sender"]["side"], "SELLER");

    // The send scope alone does not read.
    let output = read(&token(&conversation_scope(DEMO_CONVERSATION)));
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("does not allow reading conversation"),
        "{stderr}"
    );
}

#[test]
fn a_dynamic_action_click_asks_the_app_and_shows_its_text_or_follows_its_action() {
    // The app's dynamic-action URL answers text, then a direct link, then a server link,
    // whose own URL (`/divar/session`) answers where to go.
    let app = TestServer::start(|index, request| {
        let answer = match (index, request.path.as_str()) {
            (_, "/divar/session") => json!({"url": "https://app.example/from-server-link"}),
            (0, _) => json!({"text_message": "سفارش شما ثبت شد"}),
            (1, _) => json!({"action": {"open_direct_link": "https://app.example/direct"}}),
            _ => {
                json!({"action": {"open_server_link": {"data": {"next": 3}}}, "text_message": "x"})
            }
        };
        Reply::json(200, &answer.to_string())
    });
    let dynamic = format!("{}/divar/dynamic", app.url());
    let sandbox = Sandbox::for_app(&app, &["--dynamic-action-url", &dynamic]);
    let body = json!({"type": "TEXT", "message": "hi", "receiver_buttons": {"rows": [
        {"buttons": [{"action": {"get_dynamic_action": {"data": {"step": 1}}}, "icon": "INFO", "caption": "Go"},
                     {"action": {"open_post_page": {"post_token": POST}}, "icon": "INFO", "caption": "Ad"}]}]}});
    let (status, _) =
        sandbox.send_current(DEMO_CONVERSATION, sandbox.var("KENAR_ACCESS_TOKEN"), &body);
    assert_eq!(status, 200);
    // The chat view shows both buttons, the post page's with its post.
    let (_, _, page) = sandbox.get("/");
    assert!(page.contains("get_dynamic_action"), "{page}");
    assert!(
        page.contains(&format!("open_post_page · post {POST}")),
        "{page}"
    );

    let click = [("message", "1"), ("side", "receiver")];
    let (status, _, page) = sandbox.click(&click);
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("dynamic action answered: سفارش شما ثبت شد"),
        "{page}"
    );
    let request = app.only_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/divar/dynamic");
    assert_eq!(
        request.header("authorization"),
        Some("app-identification-key")
    );
    assert_eq!(request.header("api-version"), None);
    assert_eq!(
        String::from_utf8(request.body).unwrap(),
        format!(
            r#"{{"touchpoint":"CHAT","post_token":"{POST}","conversation_id":"{DEMO_CONVERSATION}","user_side":"DEMAND","extra_data":{{"step":1}},"user_id":"{PEER}"}}"#
        )
    );

    let (status, headers, _) = sandbox.click(&click);
    assert_eq!(status, 303);
    assert_eq!(headers["location"], "https://app.example/direct");
    let (status, headers, _) = sandbox.click(&click);
    assert_eq!(status, 303);
    assert_eq!(headers["location"], "https://app.example/from-server-link");
    let requests = app.requests();
    let last = requests.last().unwrap();
    assert_eq!(last.path, "/divar/session");
    assert_eq!(last.json()["extra_data"], json!({"next": 3}));

    // A post page's button opens the post, without the app.
    let (status, _, page) =
        sandbox.click(&[("message", "1"), ("side", "receiver"), ("column", "1")]);
    assert_eq!(status, 502);
    assert!(
        page.contains("opens its link directly (open_post_page)"),
        "{page}"
    );
}

#[test]
fn the_chatbot_writes_to_its_user_and_their_conversation_shows_in_the_chat_view() {
    let sandbox = Sandbox::start(&[]);
    let token = |scope: &str| sandbox.access_token(scope);
    let bot = token("CHAT_BOT_USER_MESSAGE_SEND");
    let send = |token: &str, to: &[&str], text: &str| {
        sandbox
            .kenar()
            .env("KENAR_ACCESS_TOKEN", token)
            .args(["send", "--bot"])
            .args(to)
            .args(["--message", text, "--button", r#"Go|INFO|dynamic:{"s":1}"#])
            .output()
            .unwrap()
    };
    let output = send(&bot, &["--user-id", USER], "سلام از ربات");
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let conversation = stdout
        .trim_end()
        .strip_prefix("sent: chatbot message in conversation ")
        .unwrap_or_else(|| panic!("{stdout}"))
        .to_owned();
    let output = send(&bot, &["--conversation-id", &conversation], "again");
    assert!(output.status.success(), "{output:?}");

    let (_, _, page) = sandbox.get("/");
    assert!(page.contains("<h2>The app's chatbot</h2>"), "{page}");
    assert!(
        page.contains("سلام از ربات") && page.contains("again"),
        "{page}"
    );
    assert!(page.contains("get_dynamic_action"), "{page}");

    // Its conversation reads with the read scope.
    let output = sandbox
        .kenar()
        .env(
            "KENAR_ACCESS_TOKEN",
            token(&format!("CHAT_CONVERSATION_READ.{conversation}")),
        )
        .args(["conversation", "show", &conversation, "-o", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let read: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(read["conversation"]["type"], "BOT");
    assert_eq!(read["messages"][1]["text"], "again");
    assert_eq!(read["messages"][1]["sender"], json!({"type": "BOT"}));

    // Without the chatbot's scope, to another user, or to a conversation it has not opened,
    // nothing is kept.
    let before = sandbox.messages().len();
    let output = send(sandbox.var("KENAR_ACCESS_TOKEN"), &["--user-id", USER], "x");
    assert_eq!(output.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("does not allow sending as the app's chatbot"),
        "{output:?}"
    );
    assert_eq!(send(&bot, &["--user-id", PEER], "x").status.code(), Some(3));
    assert_eq!(
        send(&bot, &["--conversation-id", "bot-0"], "x")
            .status
            .code(),
        Some(3)
    );
    assert_eq!(sandbox.messages().len(), before);
}

#[test]
fn a_chatbot_button_s_call_sends_null_for_the_post_it_has_none_of() {
    let app = TestServer::start(|_, request| match request.path.as_str() {
        "/divar/session" => Reply::json(200, r#"{"url":"https://app.example/s"}"#),
        _ => Reply::json(200, r#"{"text_message":"ok"}"#),
    });
    let dynamic = format!("{}/divar/dynamic", app.url());
    let sandbox = Sandbox::for_app(&app, &["--dynamic-action-url", &dynamic]);
    let output = sandbox
        .kenar()
        .env(
            "KENAR_ACCESS_TOKEN",
            sandbox.access_token("CHAT_BOT_USER_MESSAGE_SEND"),
        )
        .args(["send", "--bot", "--user-id", USER, "--message", "hi"])
        .args(["--button", r#"Go|INFO|dynamic:{"s":1}"#])
        .args(["--button", r#"Open|INFO|{"s":2}"#])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let conversation = String::from_utf8(output.stdout).unwrap();
    let conversation = conversation
        .trim_end()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned();
    let message = sandbox.messages().len().to_string();
    for column in ["0", "1"] {
        let (status, _, page) = sandbox.click(&[
            ("message", &message),
            ("side", "receiver"),
            ("column", column),
        ]);
        assert!(status == 200 || status == 303, "{status}: {page}");
    }
    let requests = app.requests();
    let bodies: Vec<Value> = requests.iter().map(common::Recorded::json).collect();
    assert_eq!(requests[0].path, "/divar/dynamic");
    assert_eq!(
        bodies[0],
        json!({"touchpoint": "CHAT", "post_token": null, "conversation_id": conversation,
               "user_side": "DEMAND", "extra_data": {"s": 1}, "user_id": USER})
    );
    assert_eq!(requests[1].path, "/divar/session");
    assert_eq!(
        bodies[1],
        json!({"source": "CHAT_MESSAGE_ACTION", "post_token": null,
               "conversation_id": conversation, "user_side": "Demand", "user_id": USER,
               "extra_data": {"s": 2}})
    );
}
