//! The rest of Divar's chat API: messages from the app's chatbot (`send --bot`), every
//! button action of the current platform, and reading a conversation (`conversation
//! show`), each checked against exactly what a local server received.

use crate::common::{
    self, ACCESS_TOKEN, API_KEY, CONVERSATION, Reply, TestServer, args, kenar, send_to,
};
use serde_json::json;

/// A server that answers every request as the chatbot API does.
fn bot_server(conversation: &'static str) -> TestServer {
    TestServer::start(move |_, _| {
        Reply::json(200, &json!({ "conversation_id": conversation }).to_string())
    })
}

/// The five actions, one button each, as the flags write them.
const EVERY_ACTION: [&str; 5] = [
    "Open|INFO|https://shop.example/o/1",
    r#"Ask|INFO|{"order":1}"#,
    r#"Step|REAL_ESTATE|dynamic:{"step":2}"#,
    "Post|INFO|post:AZf3Uqr3",
    "Manage|INFO|manage:AZf3Uqr3",
];

/// The grid [`EVERY_ACTION`] makes, in Divar's SDK shape.
fn every_action_grid() -> serde_json::Value {
    json!({"rows": [
        {"buttons": [
            {"action": {"open_direct_link": "https://shop.example/o/1"}, "icon": "INFO", "caption": "Open"},
            {"action": {"open_server_link": {"data": {"order": 1}}}, "icon": "INFO", "caption": "Ask"},
            {"action": {"get_dynamic_action": {"data": {"step": 2}}}, "icon": "REAL_ESTATE", "caption": "Step"}
        ]},
        {"buttons": [
            {"action": {"open_post_page": {"post_token": "AZf3Uqr3"}}, "icon": "INFO", "caption": "Post"},
            {"action": {"open_post_manage_page": {"post_token": "AZf3Uqr3"}}, "icon": "INFO", "caption": "Manage"}
        ]}
    ]})
}

fn assert_sent_with_bearer(request: &common::Recorded, method: &str, path: &str) {
    assert_eq!(request.method, method);
    assert_eq!(request.path, path);
    assert_eq!(request.header("x-api-key"), Some(API_KEY));
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
    assert_eq!(request.header("x-access-token"), None);
}

#[test]
fn a_chatbot_message_to_a_conversation_carries_text_and_every_action() {
    let server = bot_server(CONVERSATION);
    let mut cmd = send_to(&server.url());
    cmd.args([
        "--bot",
        "--conversation-id",
        CONVERSATION,
        "--message",
        "سلام، خوش آمدید",
    ]);
    for button in EVERY_ACTION {
        cmd.args(["--button", button]);
    }
    cmd.assert().success().stdout(format!(
        "sent: chatbot message in conversation {CONVERSATION}\n"
    ));
    let request = server.only_request();
    assert_sent_with_bearer(
        &request,
        "POST",
        &format!("/v1/open-platform/chat/bot/conversations/{CONVERSATION}/messages"),
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        String::from_utf8(request.body).unwrap(),
        json!({"text_message": "سلام، خوش آمدید", "buttons": every_action_grid()}).to_string()
    );
}

#[test]
fn a_chatbot_message_to_a_user_from_standard_input_prints_the_conversation_it_opened() {
    let server = bot_server("opened-7");
    let file = json!({
        "bot": true,
        "user_id": "6GqmD76dle5NpJySqnBX8seTpt6uVtzqaNTNJU1ettI=",
        "text_message": "Your order shipped",
        "buttons": {"rows": [{"buttons": [
            {"action": {"open_post_page": {"post_token": "AZf3Uqr3"}}, "icon": "INFO", "caption": "See it"}
        ]}]}
    });
    send_to(&server.url())
        .args(["--file", "-"])
        .write_stdin(file.to_string())
        .assert()
        .success()
        .stdout("sent: chatbot message in conversation opened-7\n");
    let request = server.only_request();
    assert_sent_with_bearer(
        &request,
        "POST",
        "/v1/open-platform/chat/bot/users/6GqmD76dle5NpJySqnBX8seTpt6uVtzqaNTNJU1ettI=/messages",
    );
    assert_eq!(
        request.json(),
        json!({"text_message": "Your order shipped", "buttons": file["buttons"]})
    );

    // As JSON, the answer as it came.
    send_to(&server.url())
        .args(["--file", "-", "-o", "json"])
        .write_stdin(file.to_string())
        .assert()
        .success()
        .stdout("{\"conversation_id\":\"opened-7\"}\n");
}

#[test]
fn a_chatbot_medium_goes_as_its_media_token_alone() {
    let server = bot_server(CONVERSATION);
    send_to(&server.url())
        .args([
            "--bot",
            "--conversation-id",
            CONVERSATION,
            "--media-token",
            "media-42",
        ])
        .assert()
        .success();
    assert_eq!(
        String::from_utf8(server.only_request().body).unwrap(),
        r#"{"media_token":"media-42"}"#
    );
}

#[test]
fn a_batch_sends_chatbot_lines_beside_conversation_lines() {
    let server = bot_server(CONVERSATION);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lines.jsonl");
    let lines = [
        json!({"bot": true, "conversation_id": CONVERSATION, "text_message": "one"}),
        json!({"bot": true, "user_id": "u-2", "message": "two",
               "buttons": {"rows": [{"buttons": [{"action": {"get_dynamic_action": {"data": {"k": 2}}}, "icon": "INFO", "caption": "Go"}]}]}}),
        json!({"conversation_id": CONVERSATION, "message": "three"}),
    ];
    let text: Vec<String> = lines.iter().map(ToString::to_string).collect();
    std::fs::write(&path, text.join("\n") + "\n").unwrap();
    send_to(&server.url())
        .arg("--batch")
        .arg(&path)
        .args(["--concurrency", "1"])
        .assert()
        .success();
    let mut requests: Vec<(String, String)> = server
        .requests()
        .into_iter()
        .map(|r| (r.path, String::from_utf8(r.body).unwrap()))
        .collect();
    requests.sort();
    assert_eq!(
        requests,
        [
            (
                format!("/v1/open-platform/chat/bot/conversations/{CONVERSATION}/messages"),
                r#"{"text_message":"one"}"#.to_owned()
            ),
            (
                "/v1/open-platform/chat/bot/users/u-2/messages".to_owned(),
                r#"{"text_message":"two","buttons":{"rows":[{"buttons":[{"action":{"get_dynamic_action":{"data":{"k":2}}},"icon":"INFO","caption":"Go"}]}]}}"#.to_owned()
            ),
            (
                format!("/v2/open-platform/conversations/{CONVERSATION}/messages"),
                r#"{"type":"TEXT","message":"three"}"#.to_owned()
            ),
        ]
    );
}

#[test]
fn every_action_goes_in_a_conversation_grid_too() {
    let server = TestServer::success();
    let mut cmd = send_to(&server.url());
    cmd.args(["--conversation-id", CONVERSATION, "--message", "m"]);
    for button in EVERY_ACTION {
        cmd.args(["--receiver-button", button]);
    }
    cmd.assert().success();
    assert_eq!(
        server.only_request().json(),
        json!({"type": "TEXT", "message": "m", "receiver_buttons": every_action_grid()})
    );
}

#[test]
fn bad_chatbot_messages_and_actions_are_refused_before_anything_is_sent() {
    let server = bot_server(CONVERSATION);
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, value: serde_json::Value| {
        let path = dir.path().join(name);
        std::fs::write(&path, value.to_string()).unwrap();
        path.display().to_string()
    };
    let bot = ["--bot", "--conversation-id", CONVERSATION];
    let grid = |action: serde_json::Value| {
        json!({"conversation_id": CONVERSATION, "message": "m", "sender_buttons": {"rows": [{"buttons": [
            {"action": action, "icon": "INFO", "caption": "c"}]}]}})
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            args(&[&bot, &["--message", "m", "--media-token", "t"]]),
            "message, media_token: a message carries text or a medium, not both",
        ),
        (
            vec![
                "--file".into(),
                file(
                    "both.json",
                    json!({"bot": true, "user_id": "u", "text_message": "m", "media_token": "t"}),
                ),
            ],
            "text_message, media_token: a message carries text or a medium, not both",
        ),
        (
            vec![
                "--file".into(),
                file(
                    "two.json",
                    json!({"bot": true, "user_id": "u", "conversation_id": "c", "text_message": "m"}),
                ),
            ],
            "conversation_id, user_id: a chatbot message goes to a conversation or to a user, not both",
        ),
        (
            vec![
                "--file".into(),
                file("unknown.json", grid(json!({"open_chat": {"data": {}}}))),
            ],
            "sender_buttons.rows[0].buttons[0].action.open_chat: unknown field `open_chat`",
        ),
        (
            args(&[&bot, &["--message", "m", "--button", "Go|INFO|open:x"]]),
            "--button (#1): \"open\" is not an action kenar-chat knows",
        ),
        (
            vec![
                "--file".into(),
                file("no_post.json", grid(json!({"open_post_page": {}}))),
            ],
            "sender_buttons.rows[0].buttons[0].action.open_post_page.post_token: missing",
        ),
        (
            args(&[&bot, &["--message", "m", "--button", "Go|INFO|manage:"]]),
            "buttons.rows[0].buttons[0].action.open_post_manage_page.post_token: must not be empty",
        ),
        (
            vec![
                "--file".into(),
                file(
                    "no_data.json",
                    grid(json!({"get_dynamic_action": {"data": [1]}})),
                ),
            ],
            "get_dynamic_action.data: must be a JSON object, not an array",
        ),
        (
            args(&[&[
                "--conversation-id",
                CONVERSATION,
                "--message",
                "m",
                "--button",
                "a|INFO|post:P",
            ]]),
            "--button: a chatbot message's button; give --bot",
        ),
        (
            args(&[
                &bot,
                &["--message", "m", "--receiver-button", "a|INFO|post:P"],
            ]),
            "--receiver-button: not part of a chatbot message; a chatbot message has one grid",
        ),
        (
            args(&[&["--bot", "--message", "m"]]),
            "conversation_id or user_id: missing (give --conversation-id or --user-id",
        ),
        // The user's ID is one path segment: a dot segment would send elsewhere.
        (
            args(&[&["--bot", "--user-id", "..", "--message", "m"]]),
            "user_id: must not be \"..\"",
        ),
        (
            args(&[&["--bot", "--user-id", ".", "--message", "m", "--dry-run"]]),
            "user_id: must not be \".\"",
        ),
        (
            vec![
                "--file".into(),
                file(
                    "dots.json",
                    json!({"bot": true, "user_id": "..", "text_message": "m"}),
                ),
            ],
            "user_id: must not be \"..\"",
        ),
    ];
    for (args, expected) in cases {
        let output = send_to(&server.url()).args(&args).output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{expected:?} not in {stderr}");
    }
    assert!(server.requests().is_empty());
}

const READ_ANSWER: &str = r#"{"conversation":{"id":"3f1c9a2e-7b44-4d0e-9a51-0c2b8e6d7f10","post_token":"AZf3Uqr3","type":"POST"},"messages":[{"id":"m1","conversation":{"id":"3f1c9a2e-7b44-4d0e-9a51-0c2b8e6d7f10"},"sender":{"side":"BUYER","type":"HUMAN"},"type":"TEXT","sent_at":"2024-10-20T13:12:06.140Z","text":"این آگهی هنوز هست؟"},{"id":"m2","sender":{"side":"SELLER","type":"HUMAN"},"type":"TEXT","sent_at":"2024-10-20T13:15:00Z","text":"Yes, 2 left"}]}"#;

/// `conversation show` of the demo conversation, read from `server`.
fn show(server: &TestServer) -> assert_cmd::Command {
    let mut cmd = common::with_credentials();
    cmd.args([
        "conversation",
        "show",
        CONVERSATION,
        "--base-url",
        &server.url(),
    ]);
    cmd
}

#[test]
fn a_conversation_reads_oldest_first_with_right_to_left_text_isolated() {
    let server = TestServer::start(|_, _| Reply::json(200, READ_ANSWER));
    show(&server)
        .assert()
        .success()
        .stdout(format!(
            "conversation {CONVERSATION} about post AZf3Uqr3\n\
             2024-10-20T13:12:06Z  buyer        \u{2068}این آگهی هنوز هست؟\u{2069}\n\
             2024-10-20T13:15:00Z  seller       \u{2068}Yes, 2 left\u{2069}\n"
        ))
        .stderr(predicates::str::contains(
            "Divar returns a conversation's text messages only",
        ));
    let request = server.only_request();
    assert_sent_with_bearer(
        &request,
        "GET",
        &format!("/v1/open-platform/chat/conversations/{CONVERSATION}"),
    );
    assert!(request.body.is_empty());

    let output = common::with_credentials()
        .args([
            "conversation",
            "show",
            CONVERSATION,
            "-o",
            "json",
            "--base-url",
            &server.url(),
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let shown: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(shown["messages"][0]["text"], "این آگهی هنوز هست؟");
    assert_eq!(shown["conversation"]["post_token"], "AZf3Uqr3");
}

#[test]
fn a_refused_read_says_so_and_a_bad_id_sends_nothing() {
    let server = TestServer::always(
        403,
        r#"{"code":7,"message":"permission denied","details":[]}"#,
    );
    show(&server)
        .assert()
        .code(3)
        .stderr(predicates::str::contains("HTTP 403"));
    let before = server.requests().len();
    common::with_credentials()
        .args(["conversation", "show", "a/b c", "--base-url", &server.url()])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("ID: must not contain whitespace"));
    assert_eq!(server.requests().len(), before);
}

#[test]
fn scope_and_oauth_url_know_the_chatbot_and_read_scopes() {
    kenar()
        .args(["scope", "bot", "-o", "scope"])
        .assert()
        .success()
        .stdout("CHAT_BOT_USER_MESSAGE_SEND\n");
    kenar()
        .args([
            "scope",
            "read",
            "--conversation-id",
            CONVERSATION,
            "-o",
            "scope",
        ])
        .assert()
        .success()
        .stdout(format!("CHAT_CONVERSATION_READ.{CONVERSATION}\n"));
    kenar()
        .args([
            "oauth-url",
            "--client-id",
            "app",
            "--redirect-uri",
            "https://app.example/cb",
        ])
        .args(["--platform", "current", "--state", "0123456789abcdef0123"])
        .args(["--bot", "--read-conversation", CONVERSATION])
        .assert()
        .success()
        .stdout(predicates::str::contains(format!(
            "scope=CHAT_BOT_USER_MESSAGE_SEND+CHAT_CONVERSATION_READ.{CONVERSATION}&"
        )));
}

/// `conversation show` of the conversation `messages` (each `[id, sent_at]`, all from the
/// buyer, with the ID as text), as the terminal shows it.
fn shown_with_times(messages: &[(&str, serde_json::Value)]) -> String {
    let messages: Vec<serde_json::Value> = messages
        .iter()
        .map(|(id, sent_at)| {
            json!({"id": id, "sender": {"side": "BUYER"}, "type": "TEXT",
                   "sent_at": sent_at, "text": id})
        })
        .collect();
    let answer = json!({"conversation": {"id": CONVERSATION}, "messages": messages}).to_string();
    let server = TestServer::start(move |_, _| Reply::json(200, &answer));
    let output = show(&server).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn times_with_an_offset_are_read_shown_in_utc_and_ordered_by_the_instant() {
    let shown = shown_with_times(&[
        ("first", json!("2025-07-16T10:00:00Z")),
        ("third", json!("2025-07-16T16:00:00+03:30")),
        ("second", json!("2025-07-16T11:00:00.5Z")),
        ("before", json!("2025-07-16T09:45:00-00:30")),
    ]);
    assert_eq!(
        shown,
        format!(
            "conversation {CONVERSATION}\n\
             2025-07-16T10:00:00Z  buyer        \u{2068}first\u{2069}\n\
             2025-07-16T10:15:00Z  buyer        \u{2068}before\u{2069}\n\
             2025-07-16T11:00:00Z  buyer        \u{2068}second\u{2069}\n\
             2025-07-16T12:30:00Z  buyer        \u{2068}third\u{2069}\n"
        )
    );
}

#[test]
fn an_odd_time_keeps_its_message_and_its_place_and_digits_are_microseconds() {
    // Past the year 9999, a time is still an instant, shown as it came.
    let shown = shown_with_times(&[
        ("late", json!("1752667200000000")),
        ("huge", json!(9_223_372_036_854_775_808_u64)),
        ("early", json!(1_752_662_700_000_000_u64)),
        ("float", json!(1.7e15)),
        ("object", json!({"a": 1})),
        ("negative", json!(-1)),
        ("missing", serde_json::Value::Null),
    ]);
    assert_eq!(
        shown,
        format!(
            "conversation {CONVERSATION}\n\
             2025-07-16T10:45:00Z  buyer        \u{2068}early\u{2069}\n\
             2025-07-16T12:00:00Z  buyer        \u{2068}late\u{2069}\n\
             9223372036854775808  buyer        \u{2068}huge\u{2069}\n\
             1700000000000000.0  buyer        \u{2068}float\u{2069}\n\
             {{\"a\":1}}  buyer        \u{2068}object\u{2069}\n\
             -1  buyer        \u{2068}negative\u{2069}\n\
             (no time)  buyer        \u{2068}missing\u{2069}\n"
        )
    );
}
