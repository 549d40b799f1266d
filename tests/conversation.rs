//! `kenar-chat send --conversation-id`: the current platform's send, checked against
//! exactly what a local server received.

use crate::common;

use common::{
    ACCESS_TOKEN, API_KEY, CONVERSATION, Reply, TestServer, assert_no_secret, kenar, send_to,
};
use predicates::prelude::*;
use serde_json::{Value, json};

const RESTRICTED: &str =
    r#"{"code":9,"message":"message delivery failed due to recipient's restriction","details":[]}"#;

fn path() -> String {
    format!("/v2/open-platform/conversations/{CONVERSATION}/messages")
}

#[test]
fn a_conversation_message_goes_to_its_path_with_a_bearer_token_and_grids() {
    let server = TestServer::success();
    send_to(&server.url())
        .args([
            "--conversation-id",
            CONVERSATION,
            "--message",
            "سفارش شما ارسال شد",
        ])
        .args([
            "--receiver-button",
            "Track it|LOCAL_SHIPPING|https://shop.example/track/42",
            "--receiver-button",
            r#"Ask|INFO|{"order": 42}"#,
            "--sender-button",
            "Open|REAL_ESTATE|https://shop.example/admin/42",
        ])
        .assert()
        .success()
        .stdout(format!("sent: message in conversation {CONVERSATION}\n"));
    let request = server.only_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, path());
    assert_eq!(request.header("x-api-key"), Some(API_KEY));
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
    assert_eq!(request.header("x-access-token"), None);
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        String::from_utf8(request.body).unwrap(),
        json!({
            "type": "TEXT",
            "message": "سفارش شما ارسال شد",
            "sender_buttons": {"rows": [{"buttons": [
                {"action": {"open_direct_link": "https://shop.example/admin/42"}, "icon": "REAL_ESTATE", "caption": "Open"}
            ]}]},
            "receiver_buttons": {"rows": [{"buttons": [
                {"action": {"open_direct_link": "https://shop.example/track/42"}, "icon": "LOCAL_SHIPPING", "caption": "Track it"},
                {"action": {"open_server_link": {"data": {"order": 42}}}, "icon": "INFO", "caption": "Ask"}
            ]}]}
        })
        .to_string()
    );
}

#[test]
fn flag_buttons_fill_rows_of_three_and_a_file_gives_full_control_of_rows() {
    let server = TestServer::success();
    let mut cmd = send_to(&server.url());
    cmd.args(["--conversation-id", CONVERSATION, "--message", "m"]);
    for i in 1..=4 {
        cmd.args([
            "--sender-button",
            &format!("b{i}|INFO|https://a.example/{i}"),
        ]);
    }
    cmd.assert().success();
    let body = server.only_request().json();
    let rows: Vec<usize> = body["sender_buttons"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["buttons"].as_array().unwrap().len())
        .collect();
    assert_eq!(rows, [3, 1]);

    let server = TestServer::success();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("message.json");
    let grid = json!({"rows": [
        {"buttons": [{"action": {"open_direct_link": "https://a.example/1"}, "icon": "INFO", "caption": "one"}]},
        {"buttons": [
            {"action": {"open_server_link": {"data": {}}}, "icon": "INFO", "caption": "two"},
            {"action": {"open_server_link": {"data": {"n": [1, 2.50]}}}, "icon": "INFO", "caption": "three"}
        ]}
    ]});
    let text = format!(
        r#"{{"conversation_id": "{CONVERSATION}", "type": "TEXT", "message": "m", "receiver_buttons": {grid}}}"#
    );
    std::fs::write(&file, text).unwrap();
    send_to(&server.url())
        .arg("--file")
        .arg(&file)
        .assert()
        .success();
    let request = server.only_request();
    assert_eq!(request.path, path());
    assert_eq!(
        String::from_utf8(request.body).unwrap(),
        format!(r#"{{"type":"TEXT","message":"m","receiver_buttons":{grid}}}"#)
    );
}

/// Runs a send that must be refused before anything leaves, and returns its stderr.
fn refused(args: &[&str], file: Option<&str>) -> String {
    let server = TestServer::success();
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = send_to(&server.url());
    cmd.args(args);
    if let Some(text) = file {
        let path = dir.path().join("m.json");
        std::fs::write(&path, text).unwrap();
        cmd.arg("--file").arg(&path);
    }
    let output = cmd.output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(server.requests().is_empty(), "something was sent");
    assert!(output.stdout.is_empty());
    String::from_utf8(output.stderr).unwrap()
}

fn grid_file(rows: &Value) -> String {
    json!({"conversation_id": CONVERSATION, "message": "m", "sender_buttons": {"rows": rows}})
        .to_string()
}

#[test]
fn every_grid_and_icon_refusal_sends_nothing() {
    let button = json!({"action": {"open_direct_link": "https://a.example/"}, "icon": "INFO", "caption": "c"});
    let conversation = ["--conversation-id", CONVERSATION, "--message", "m"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        conversation.iter().chain(extra).copied().collect()
    };
    for (args, file, expected) in [
        (
            with(&["--receiver-button", "Go|REAL_STATE|https://a.example/"]),
            None,
            "receiver_buttons.rows[0].buttons[0].icon: \"REAL_STATE\" is not one of Divar's 822 icon names; did you mean REAL_ESTATE?".to_owned(),
        ),
        (
            with(&["--sender-button", " |INFO|https://a.example/"]),
            None,
            "sender_buttons.rows[0].buttons[0].caption: must not be blank".to_owned(),
        ),
        (
            with(&["--sender-button", "Go|INFO|ftp://a.example/"]),
            None,
            "sender_buttons.rows[0].buttons[0].action.open_direct_link:".to_owned(),
        ),
        (
            with(&["--sender-button", "Go|INFO"]),
            None,
            "--sender-button (#1): \"Go|INFO\" is not CAPTION|ICON|TARGET".to_owned(),
        ),
        (
            with(&["--sender-button", "Go|INFO|{\"a\":"]),
            None,
            "--sender-button (#1): the server-link data is not valid JSON".to_owned(),
        ),
        (
            Vec::new(),
            Some(grid_file(&json!([{"buttons": [button, button, button, button]}]))),
            "sender_buttons.rows[0].buttons: 4 buttons, but a row has at most 3".to_owned(),
        ),
        (
            Vec::new(),
            Some(grid_file(&json!([{"buttons": [button]}, {"buttons": [button]}, {"buttons": [button]}, {"buttons": [button]}]))),
            "sender_buttons.rows: 4 rows, but a grid has at most 3".to_owned(),
        ),
        (
            Vec::new(),
            Some(grid_file(&json!([{"buttons": [{"action": {"open_direct_link": "https://a.example/", "open_server_link": {"data": {}}}, "icon": "INFO", "caption": "c"}]}]))),
            "a button has exactly one action".to_owned(),
        ),
        (
            Vec::new(),
            Some(grid_file(&json!([{"buttons": [{"action": {"open_server_link": {"data": "x"}}, "icon": "INFO", "caption": "c"}]}]))),
            "open_server_link.data: must be a JSON object, not a string".to_owned(),
        ),
        (
            Vec::new(),
            Some(grid_file(&json!([{"buttons": [{"action": {"open_direct_link": "https://a.example/"}, "icon_name": "INFO", "caption": "c"}]}]))),
            "icon_name: deprecated by Divar; name the icon in \"icon\"".to_owned(),
        ),
        (
            Vec::new(),
            Some(grid_file(&json!([{"buttons": [{"action": {"open_direct_link": "https://a.example/"}, "icon": "INFO", "caption": "c", "color": "red"}]}]))),
            "sender_buttons.rows[0].buttons[0].color: unknown field `color`".to_owned(),
        ),
    ] {
        let stderr = refused(&args, file.as_deref());
        assert!(stderr.contains(&expected), "expected {expected:?} in: {stderr}");
    }
    // Ten buttons from flags are four rows: one too many.
    let mut many = conversation.to_vec();
    for _ in 0..10 {
        many.extend(["--sender-button", "x|INFO|https://a.example/"]);
    }
    let stderr = refused(&many, None);
    assert!(stderr.contains("sender_buttons.rows: 4 rows, but a grid has at most 3 (10 buttons in all; at most 9 fit)"), "{stderr}");
}

#[test]
fn the_platforms_flags_do_not_mix_and_say_why() {
    let stderr = refused(
        &[
            "--conversation-id",
            CONVERSATION,
            "--user-id",
            "u",
            "--peer-id",
            "p",
            "--sender-caption",
            "c",
            "--message",
            "m",
        ],
        None,
    );
    assert!(stderr.contains("--user-id: belongs to the legacy platform, but a conversation ID makes this a current-platform message"), "{stderr}");
    assert!(
        stderr.contains("--peer-id: belongs to the legacy platform"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--sender-caption: belongs to the legacy platform"),
        "{stderr}"
    );
    assert!(stderr.contains("give --sender-button instead"), "{stderr}");
    let stderr = refused(
        &common::CHAT_IDS
            .iter()
            .copied()
            .chain([
                "--message",
                "m",
                "--receiver-button",
                "x|INFO|https://a.example/",
            ])
            .collect::<Vec<_>>(),
        None,
    );
    assert!(
        stderr.contains(
            "--receiver-button: a grid button is the current platform's; give --conversation-id"
        ),
        "{stderr}"
    );
    // A message file's conversation_id decides the platform just as the flag does.
    let stderr = refused(
        &["--user-id", "u"],
        Some(&json!({"conversation_id": CONVERSATION, "message": "m"}).to_string()),
    );
    assert!(
        stderr.contains("--user-id: belongs to the legacy platform"),
        "{stderr}"
    );
}

#[test]
fn a_recipients_restriction_is_a_refusal_never_retried() {
    let server = TestServer::always(412, RESTRICTED);
    send_to(&server.url())
        .args(["--conversation-id", CONVERSATION, "--message", "m", "--retry-unsafe", "--retries", "3"])
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains(
            "refused by the recipient's restriction (HTTP 412, code 9): code 9: message delivery failed due to recipient's restriction; sending again will not help",
        ));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn errors_are_shown_from_their_code_message_and_details() {
    let server = TestServer::always(
        400,
        r#"{"code":3,"message":"invalid icon","details":[{"field":"receiver_buttons"}]}"#,
    );
    send_to(&server.url())
        .args(["--conversation-id", CONVERSATION, "--message", "m"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            r#"the API refused the request (HTTP 400): code 3: invalid icon; details: [{"field":"receiver_buttons"}]"#,
        ));
    // A server that echoes the token back never gets it printed.
    let echo = format!(r#"{{"code":16,"message":"bad token Bearer {ACCESS_TOKEN}"}}"#);
    let server = TestServer::start(move |_, _| Reply::json(401, &echo));
    let output = send_to(&server.url())
        .args(["--conversation-id", CONVERSATION, "--message", "m", "-v"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert_no_secret(&output, &[ACCESS_TOKEN, API_KEY]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("> authorization: Bearer ***"));
}

#[test]
fn dry_runs_show_the_current_platforms_request_with_the_token_masked() {
    let output = common::with_credentials()
        .args([
            "send",
            "--dry-run",
            "--conversation-id",
            "a/b",
            "--message",
            "m",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_no_secret(&output, &[ACCESS_TOKEN, API_KEY]);
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "POST https://open-api.divar.ir/v2/open-platform/conversations/a%2Fb/messages\n\
         content-type: application/json\n\
         x-api-key: ***\n\
         authorization: Bearer ***\n\
         \n\
         {\"type\":\"TEXT\",\"message\":\"m\"}\n"
    );
    let output = common::with_credentials()
        .args([
            "send",
            "--dry-run",
            "-o",
            "json",
            "--conversation-id",
            CONVERSATION,
            "--message",
            "m",
        ])
        .output()
        .unwrap();
    let shown: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(shown["headers"]["authorization"], "Bearer ***");
    assert_eq!(shown["body"], json!({"type": "TEXT", "message": "m"}));
    assert_no_secret(&output, &[ACCESS_TOKEN, API_KEY]);
}

/// Writes a credentials file with one token per `(scopes, token)` pair, lasting a day.
fn store_tokens(dir: &std::path::Path, tokens: &[(&[&str], &str)]) {
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 86_400;
    let tokens: Vec<Value> = tokens
        .iter()
        .map(|(scopes, token)| json!({"scopes": scopes, "access_token": token, "expires": expires}))
        .collect();
    std::fs::write(
        dir.join("credentials.json"),
        json!({"profiles": {"default": tokens}}).to_string(),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            dir.join("credentials.json"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
    }
}

/// The Bearer token a send to `conversation` (with `extra` flags) picks from the store.
fn picked(dir: &std::path::Path, conversation: &str, extra: &[&str]) -> Option<String> {
    let server = TestServer::success();
    let output = kenar()
        .env("KENAR_CONFIG_DIR", dir)
        .env("KENAR_API_KEY", API_KEY)
        .args([
            "send",
            "--base-url",
            &server.url(),
            "--conversation-id",
            conversation,
            "--message",
            "m",
        ])
        .args(extra)
        .output()
        .unwrap();
    let requests = server.requests();
    if !output.status.success() {
        assert!(requests.is_empty());
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        return None;
    }
    Some(requests[0].header("authorization").unwrap().to_owned())
}

#[test]
fn a_stored_token_is_picked_exact_conversation_then_seller_then_post() {
    let dir = tempfile::tempdir().unwrap();
    store_tokens(
        dir.path(),
        &[
            (
                &["CHAT_POST_CONVERSATIONS_MESSAGE_SEND.AZf3Uqr3"],
                "post-token-1",
            ),
            (
                &["CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND"],
                "supplier-token-2",
            ),
            (
                &["CONVERSATION_SEND_MESSAGE.c-exact", "offline_access"],
                "exact-token-3",
            ),
            (
                &["CHAT_SEND_MESSAGE_POST_CONVERSATIONS__AZf3Uqr3"],
                "legacy-token-4",
            ),
        ],
    );
    assert_eq!(
        picked(dir.path(), "c-exact", &[]).as_deref(),
        Some("Bearer exact-token-3")
    );
    assert_eq!(
        picked(dir.path(), "c-other", &["--post-token", "AZf3Uqr3"]).as_deref(),
        Some("Bearer supplier-token-2")
    );

    let dir = tempfile::tempdir().unwrap();
    store_tokens(
        dir.path(),
        &[
            (
                &["CHAT_POST_CONVERSATIONS_MESSAGE_SEND.AZf3Uqr3"],
                "post-token-1",
            ),
            (
                &["CHAT_SEND_MESSAGE_POST_CONVERSATIONS__AZf3Uqr3"],
                "legacy-token-4",
            ),
        ],
    );
    // A conversation ID alone does not say its post; named, the post's token covers it.
    assert_eq!(picked(dir.path(), "c-other", &[]), None);
    assert_eq!(
        picked(dir.path(), "c-other", &["--post-token", "AZf3Uqr3"]).as_deref(),
        Some("Bearer post-token-1")
    );
    assert_eq!(
        picked(dir.path(), "c-other", &["--post-token", "other"]),
        None
    );
}

#[test]
fn a_batch_takes_lines_of_either_platform_and_counts_restrictions_apart() {
    let server = TestServer::start(|_, request| {
        if request.path.contains("/restricted/") {
            Reply::json(412, RESTRICTED)
        } else {
            Reply::success()
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("batch.jsonl");
    let journal = dir.path().join("batch.journal");
    let lines = [
        json!({"conversation_id": CONVERSATION, "message": "hello", "receiver_buttons": {"rows": [{"buttons": [{"action": {"open_direct_link": "https://a.example/"}, "icon": "INFO", "caption": "c"}]}]}}),
        json!({"user_id": "u", "post_token": "AZf3Uqr3", "peer_id": "p", "message": "hello"}),
        json!({"conversation_id": "restricted", "message": "hello"}),
        // The same text in another conversation is another message.
        json!({"conversation_id": "other", "message": "hello"}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, text).unwrap();
    let run = || {
        common::with_credentials()
            .args([
                "send",
                "--base-url",
                &server.url(),
                "-o",
                "json",
                "--concurrency",
                "1",
                "--batch",
            ])
            .arg(&file)
            .arg("--journal")
            .arg(&journal)
            .output()
            .unwrap()
    };
    let output = run();
    assert_eq!(output.status.code(), Some(6), "{output:?}");
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["sent"], 3);
    assert_eq!(summary["failed"]["refused"], 1);
    assert_eq!(summary["failed"]["refused_by_recipient"], 1);
    let mut seen: Vec<(String, Option<String>, Option<String>)> = server
        .requests()
        .iter()
        .map(|r| {
            (
                r.path.clone(),
                r.header("authorization").map(str::to_owned),
                r.header("x-access-token").map(str::to_owned),
            )
        })
        .collect();
    seen.sort();
    let bearer = Some(format!("Bearer {ACCESS_TOKEN}"));
    assert_eq!(
        seen,
        vec![
            (
                "/v2/open-platform/chat/conversation".to_owned(),
                None,
                Some(ACCESS_TOKEN.to_owned())
            ),
            (path(), bearer.clone(), None),
            (
                "/v2/open-platform/conversations/other/messages".to_owned(),
                bearer.clone(),
                None
            ),
            (
                "/v2/open-platform/conversations/restricted/messages".to_owned(),
                bearer,
                None
            ),
        ]
    );
    // A re-run sends only what was refused, and the text summary names the restriction.
    let output = common::with_credentials()
        .args(["send", "--base-url", &server.url(), "--batch"])
        .arg(&file)
        .arg("--journal")
        .arg(&journal)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(6));
    assert_eq!(server.requests().len(), 5);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("already sent   3"), "{stdout}");
    assert!(
        stdout.contains("(refused 1, 1 of them by the recipient, rate limited 0, unavailable 0)"),
        "{stdout}"
    );
}

#[test]
fn print_line_writes_the_batch_line_that_sends_the_same_request() {
    let line = kenar()
        .args([
            "send",
            "--print-line",
            "--conversation-id",
            CONVERSATION,
            "--post-token",
            "AZf3Uqr3",
        ])
        .args([
            "--message",
            "m",
            "--sender-button",
            "Go|INFO|https://a.example/",
        ])
        .output()
        .unwrap();
    assert!(line.status.success(), "{line:?}");
    let text = String::from_utf8(line.stdout).unwrap();
    assert_eq!(
        text,
        format!(
            "{{\"conversation_id\":\"{CONVERSATION}\",\"post_token\":\"AZf3Uqr3\",\"type\":\"TEXT\",\"message\":\"m\",\
             \"sender_buttons\":{{\"rows\":[{{\"buttons\":[{{\"action\":{{\"open_direct_link\":\"https://a.example/\"}},\"icon\":\"INFO\",\"caption\":\"Go\"}}]}}]}}}}\n"
        )
    );
    let direct = TestServer::success();
    send_to(&direct.url())
        .args([
            "--conversation-id",
            CONVERSATION,
            "--message",
            "m",
            "--sender-button",
            "Go|INFO|https://a.example/",
        ])
        .assert()
        .success();
    let batched = TestServer::success();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one.jsonl");
    std::fs::write(&file, &text).unwrap();
    send_to(&batched.url())
        .arg("--batch")
        .arg(&file)
        .assert()
        .success();
    let (a, b) = (direct.only_request(), batched.only_request());
    assert_eq!((a.path, a.body), (b.path, b.body));
    // Bad input is refused as for a send, and nothing needs credentials.
    kenar()
        .args(["send", "--print-line", "--conversation-id", CONVERSATION])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "message: missing (give --message or --message-file, or a medium: --image, --video, \
             --voice, --document or --media-token, or set it in --file)",
        ));
}

#[test]
fn a_token_echoed_json_escaped_is_masked_in_errors_and_json_output() {
    let token = "tok/en\"x";
    let escaped = r#"tok\/en\u0022x"#;
    let refusal = format!(r#"{{"code":16,"message":"bad token {escaped}"}}"#);
    let server = TestServer::start(move |_, _| Reply::json(401, &refusal));
    let output = send_to(&server.url())
        .env("KENAR_ACCESS_TOKEN", token)
        .args(["--conversation-id", CONVERSATION, "--message", "m"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert_no_secret(&output, &[token, "tok/en"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("bad token ***"));
    let answer = format!(r#"{{"status":200,"message":"success","echo":"{escaped}"}}"#);
    let server = TestServer::start(move |_, _| Reply::json(200, &answer));
    let output = send_to(&server.url())
        .env("KENAR_ACCESS_TOKEN", token)
        .args([
            "--conversation-id",
            CONVERSATION,
            "--message",
            "m",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_no_secret(&output, &[token, "tok/en"]);
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "{\"status\":200,\"message\":\"success\",\"echo\":\"***\"}\n"
    );
}

#[test]
fn button_flags_are_taken_as_written_and_every_one_is_checked() {
    let conversation = ["--conversation-id", CONVERSATION, "--message", "m"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        conversation.iter().chain(extra).copied().collect()
    };
    let stderr = refused(
        &with(&["--sender-button", "x|INFO", "--receiver-button", "a|INFO"]),
        None,
    );
    assert!(
        stderr.contains("--sender-button (#1): \"x|INFO\" is not"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--receiver-button (#1): \"a|INFO\" is not"),
        "{stderr}"
    );
    let stderr = refused(
        &with(&["--receiver-button", "b| INFO|https://a.example/"]),
        None,
    );
    assert!(
        stderr.contains("\" INFO\" is not one of Divar's 822 icon names; did you mean INFO?"),
        "{stderr}"
    );
    let stderr = refused(
        &with(&["--receiver-button", "b|INFO| https://a.example/"]),
        None,
    );
    assert!(stderr.contains("must not contain whitespace"), "{stderr}");
    let stderr = refused(
        &with(&[
            "--receiver-button",
            r"b|INFO|https://a.example/\evil.example",
        ]),
        None,
    );
    assert!(stderr.contains("must not contain a backslash"), "{stderr}");
}
