//! `kenar-chat send` against a real HTTP server on 127.0.0.1: what the server received,
//! byte for byte, and every failure path with its exit code.

use crate::common;

use common::{ACCESS_TOKEN, API_KEY, PEER, POST, Reply, TestServer, USER, kenar};
use predicates::prelude::*;
use serde_json::json;

/// `send` pointed at `server`, with credentials from the environment.
fn send(server: &TestServer) -> assert_cmd::Command {
    common::send_to(&server.url())
}

fn ids() -> [&'static str; 6] {
    ["--user-id", USER, "--post-token", POST, "--peer-id", PEER]
}

fn assert_no_secret(output: &std::process::Output) {
    common::assert_no_secret(output, &[API_KEY, ACCESS_TOKEN]);
}

#[test]
fn sends_exactly_the_documented_request() {
    let server = TestServer::success();
    let output = send(&server)
        .args(ids())
        .args(["--message", "سفارش شما ارسال شد"])
        .assert()
        .success()
        .stdout(format!(
            "sent: message from {USER} to {PEER} in the chat about post {POST}\n"
        ))
        .get_output()
        .clone();
    assert_no_secret(&output);
    let request = server.only_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v2/open-platform/chat/conversation");
    let names: Vec<&str> = request.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "content-type",
            "x-api-key",
            "x-access-token",
            "accept",
            "user-agent",
            "host",
            "content-length"
        ]
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("accept"), Some("*/*"));
    assert_eq!(request.header("x-api-key"), Some(API_KEY));
    assert_eq!(request.header("x-access-token"), Some(ACCESS_TOKEN));
    assert_eq!(
        request.header("user-agent"),
        Some(concat!("kenar-chat/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(
        String::from_utf8(request.body).unwrap(),
        format!(
            r#"{{"user_id":"{USER}","post_token":"{POST}","peer_id":"{PEER}","type":"TEXT","message":"سفارش شما ارسال شد"}}"#
        )
    );
}

#[test]
fn sends_buttons_from_flags() {
    let server = TestServer::success();
    send(&server)
        .args(ids())
        .args(["--message", "hi"])
        .args(["--sender-caption", "Details", "--sender-icon", "info"])
        .args(["--sender-extra-data", r#"{"order":42,"z":1,"a":[true]}"#])
        .args(["--receiver-caption", "Track", "--receiver-icon", "truck"])
        .args(["--receiver-direct-link", "https://shop.example/t/42"])
        .assert()
        .success();
    let body = String::from_utf8(server.only_request().body).unwrap();
    let expected = format!(
        r#"{{"user_id":"{USER}","post_token":"{POST}","peer_id":"{PEER}","type":"TEXT","message":"hi","#
    ) + r#""sender_btn":{"action":"LINK","data":{"icon_name":"info","extra_data":{"order":42,"z":1,"a":[true]},"caption":"Details"}},"#
        + r#""receiver_btn":{"action":"DIRECT_LINK","data":{"icon_name":"truck","direct_link":"https://shop.example/t/42","caption":"Track"}}}"#;
    assert_eq!(body, expected);
}

#[test]
fn sends_a_message_file_with_flags_overriding_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("message.json");
    let file = json!({
        "user_id": USER, "post_token": POST, "peer_id": "someone-else", "type": "TEXT",
        "message": "from the file",
        "sender_btn": {"action": "LINK", "data": {"icon_name": "i", "caption": "c",
                       "extra_data": {"k": "v"}}}
    });
    std::fs::write(&path, serde_json::to_string_pretty(&file).unwrap()).unwrap();
    let server = TestServer::success();
    send(&server)
        .arg("--file")
        .arg(&path)
        .args(["--peer-id", PEER, "--sender-caption", "changed"])
        .assert()
        .success();
    let mut expected = file.clone();
    expected["peer_id"] = json!(PEER);
    expected["sender_btn"]["data"]["caption"] = json!("changed");
    assert_eq!(server.only_request().json(), expected);
}

#[test]
fn reads_the_message_file_from_standard_input() {
    let server = TestServer::success();
    let body = format!(
        r#"{{"user_id":"{USER}","post_token":"{POST}","peer_id":"{PEER}","type":"TEXT","message":"stdin"}}"#
    );
    send(&server)
        .args(["--file", "-", "-o", "json"])
        .write_stdin(body.clone())
        .assert()
        .success()
        .stdout("{\"status\":200,\"message\":\"success\"}\n");
    assert_eq!(String::from_utf8(server.only_request().body).unwrap(), body);
}

#[test]
fn reads_the_message_text_from_a_file_or_standard_input() {
    let server = TestServer::success();
    send(&server)
        .args(ids())
        .args(["--message-file", "-"])
        .write_stdin("line one\nline two\n")
        .assert()
        .success();
    assert_eq!(
        server.only_request().json()["message"],
        "line one\nline two"
    );
}

#[test]
fn credentials_from_files() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    let token = dir.path().join("token");
    std::fs::write(&key, "file-key\n").unwrap();
    std::fs::write(&token, "file-token\n").unwrap();
    let server = TestServer::success();
    kenar()
        .arg("send")
        .env("KENAR_API_URL", server.url())
        .args(ids())
        .args(["--message", "hi"])
        .arg("--api-key-file")
        .arg(&key)
        .arg("--access-token-file")
        .arg(&token)
        .assert()
        .success();
    let request = server.only_request();
    assert_eq!(request.header("x-api-key"), Some("file-key"));
    assert_eq!(request.header("x-access-token"), Some("file-token"));
}

#[test]
fn secret_flags_work_but_warn() {
    let server = TestServer::success();
    kenar()
        .arg("send")
        .env("KENAR_API_URL", server.url())
        .args(ids())
        .args(["--message", "hi", "--api-key", "k1", "--access-token", "t1"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning: --api-key is visible"))
        .stderr(predicate::str::contains(
            "warning: --access-token is visible",
        ));
    assert_eq!(server.only_request().header("x-api-key"), Some("k1"));
}

#[test]
fn dry_run_prints_the_request_with_secrets_masked_and_sends_nothing() {
    let server = TestServer::success();
    let output = send(&server)
        .args(ids())
        .args(["--message", "hi", "--dry-run"])
        .assert()
        .success()
        .stdout(format!(
            "POST {}/v2/open-platform/chat/conversation\n\
             content-type: application/json\n\
             x-api-key: ***\n\
             x-access-token: ***\n\
             \n\
             {{\"user_id\":\"{USER}\",\"post_token\":\"{POST}\",\"peer_id\":\"{PEER}\",\"type\":\"TEXT\",\"message\":\"hi\"}}\n",
            server.url()
        ))
        .get_output()
        .clone();
    assert_no_secret(&output);
    send(&server)
        .args(ids())
        .args([
            "--message",
            "hi",
            "--dry-run",
            "--show-secrets",
            "-o",
            "json",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            r#""x-api-key":"{API_KEY}""#
        )));
    assert!(server.requests().is_empty());
}

#[test]
fn body_status_other_than_200_is_a_failure_with_the_servers_message() {
    let server = TestServer::always(200, r#"{"status":403,"message":"peer blocked the app"}"#);
    send(&server)
        .args(ids())
        .args(["--message", "hi"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("peer blocked the app"));
}

#[test]
fn http_failures_map_to_documented_exit_codes() {
    for (status, body, code, text) in [
        (400, r#"{"message":"invalid peer"}"#, 3, "invalid peer"),
        (403, r#"{"message":"scope missing"}"#, 3, "HTTP 403"),
        (429, r#"{"message":"too many"}"#, 4, "rate limited"),
        (500, "oops", 5, "HTTP 500"),
        (200, "not json", 5, "not a JSON object"),
    ] {
        let server = TestServer::always(status, body);
        let output = send(&server)
            .args(ids())
            .args(["--message", "hi", "--retries", "0"])
            .assert()
            .code(code)
            .stderr(predicate::str::contains(text))
            .get_output()
            .clone();
        assert_no_secret(&output);
        assert_eq!(server.requests().len(), 1, "HTTP {status}");
    }
}

#[test]
fn redirects_are_not_followed() {
    let target = TestServer::success();
    let location = format!("{}/elsewhere", target.url());
    let server =
        TestServer::start(move |_, _| Reply::json(302, "").with_header("location", &location));
    send(&server)
        .args(ids())
        .args(["--message", "hi"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("redirect (HTTP 302)"))
        .stderr(predicate::str::contains("/elsewhere"));
    assert_eq!(server.requests().len(), 1);
    assert!(target.requests().is_empty());
}

#[test]
fn a_refused_connection_is_a_network_error() {
    let port = common::free_port();
    kenar()
        .arg("send")
        .env("KENAR_API_URL", format!("http://127.0.0.1:{port}"))
        .env("KENAR_API_KEY", API_KEY)
        .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN)
        .args(ids())
        .args(["--message", "hi", "--retries", "0"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("cannot connect"));
}

#[test]
fn a_silent_server_is_bounded_by_the_timeout() {
    let server = TestServer::start(|_, _| Reply::Hang(std::time::Duration::from_secs(10)));
    send(&server)
        .args(ids())
        .args(["--message", "hi", "--timeout", "0.5"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("timed out"));
}

#[test]
fn missing_values_are_listed_together_and_nothing_is_sent() {
    let server = TestServer::success();
    kenar()
        .arg("send")
        .env("KENAR_API_URL", server.url())
        .args(["--user-id", USER])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--post-token"))
        .stderr(predicate::str::contains("--peer-id"))
        .stderr(predicate::str::contains("--message or --message-file"))
        .stderr(predicate::str::contains("KENAR_API_KEY"))
        .stderr(predicate::str::contains("KENAR_ACCESS_TOKEN"));
    assert!(server.requests().is_empty());
}

#[test]
fn invalid_input_exits_2_and_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\n  \"user_id\": \"u\",\n  \"message\" \"x\"\n}").unwrap();
    let unknown = dir.path().join("unknown.json");
    std::fs::write(&unknown, r#"{"user_id":"u","colour":"red"}"#).unwrap();
    let big = dir.path().join("big.json");
    std::fs::write(&big, vec![b' '; 1024 * 1024 + 1]).unwrap();
    let broken_name = format!("{}: line 3 column 13", broken.display());

    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--file".into(), broken.display().to_string()],
            &broken_name,
        ),
        (
            vec!["--file".into(), unknown.display().to_string()],
            "unknown field `colour`",
        ),
        (
            vec!["--file".into(), big.display().to_string()],
            "larger than 1048576 bytes",
        ),
        (
            vec!["--file".into(), "/nonexistent/m.json".into()],
            "cannot open",
        ),
        (
            vec!["--user-id".into(), "a:b".into()],
            "user_id: must not contain ':'",
        ),
        (
            vec!["--peer-id".into(), "two words".into()],
            "peer_id: must not contain whitespace",
        ),
        (
            vec!["--message".into(), "   ".into()],
            "message: must not be blank",
        ),
        (
            vec!["--sender-caption".into(), "c".into()],
            "sender_btn.data.icon_name: missing",
        ),
        (
            vec![
                "--receiver-direct-link".into(),
                "javascript:alert(1)".into(),
            ],
            "receiver_btn.data.direct_link: must be an http or https URL",
        ),
        (
            vec!["--sender-extra-data".into(), "[1,2]".into()],
            "sender_btn.data.extra_data: must be a JSON object",
        ),
        (
            vec!["--sender-extra-data".into(), "{oops".into()],
            "--sender-extra-data: not valid JSON",
        ),
        (vec!["--base-url".into(), "not a url".into()], "--base-url"),
        (vec!["--timeout".into(), "0".into()], "--timeout"),
    ];
    let server = TestServer::success();
    for (extra, expected) in cases {
        let mut cmd = send(&server);
        // Valid values for every flag the case does not set itself.
        for pair in ids().chunks(2).chain([["--message", "hello"].as_slice()]) {
            if !extra.iter().any(|e| e == pair[0]) {
                cmd.args(pair);
            }
        }
        cmd.args(&extra);
        let output = cmd.assert().code(2).get_output().clone();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(expected),
            "{extra:?}: {expected:?} not in {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{extra:?}: {stderr}");
    }
    assert!(server.requests().is_empty());
}

/// A plain send to `server`, given `signal` once its one request arrived; its stderr.
#[cfg(unix)]
fn signalled_send(server: &TestServer, signal: &str) -> (std::process::Output, String) {
    let mut cmd = common::kenar_process();
    cmd.env("KENAR_API_KEY", common::API_KEY)
        .env("KENAR_ACCESS_TOKEN", common::ACCESS_TOKEN)
        .args(["send", "--conversation-id", common::CONVERSATION])
        .args(["--message", "hi", "--base-url", &server.url()]);
    let output = common::signalled_in_flight(cmd, server, signal);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stderr)
}

#[cfg(unix)]
#[test]
fn a_signal_while_a_plain_send_is_on_its_way_says_it_may_have_been_delivered() {
    for (signal, name, code) in [("INT", "SIGINT", 130), ("TERM", "SIGTERM", 143)] {
        let server = TestServer::start(|_, _| Reply::hang());
        let (output, stderr) = signalled_send(&server, signal);
        assert_eq!(output.status.code(), Some(code), "{signal}: {stderr}");
        assert!(
            stderr.contains(&format!("error: interrupted by {name}; the message")),
            "{stderr}"
        );
        assert!(stderr.contains("may have been delivered"), "{stderr}");
        assert!(output.stdout.is_empty(), "{output:?}");
        // Said, never sent again.
        assert_eq!(server.requests().len(), 1);
    }
}

/// A send waiting to try again after a 429 has nothing on its way: a signal ends it at
/// once, saying so, and nothing is sent again.
#[cfg(unix)]
#[test]
fn a_signal_while_a_send_waits_to_try_again_says_nothing_was_on_its_way() {
    for (signal, name, code) in [("INT", "SIGINT", 130), ("TERM", "SIGTERM", 143)] {
        let server =
            TestServer::script(vec![], Reply::status(429).with_header("retry-after", "20"));
        let (output, stderr) = signalled_send(&server, signal);
        assert_eq!(output.status.code(), Some(code), "{signal}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "error: interrupted by {name} while waiting to try again: no attempt was on \
                 its way, and none is sent again"
            )),
            "{stderr}"
        );
        assert!(!stderr.contains("may have been delivered"), "{stderr}");
        assert_eq!(server.requests().len(), 1);
    }
}
