//! `kenar-chat trigger` and `kenar-chat events replay`: what reaches the app, as Divar would
//! send it.

use predicates::prelude::*;
use serde_json::json;

use crate::common::listen::{KEY, Listen, fixture};
use crate::common::{Reply, TestServer, kenar};

fn trigger(app: &TestServer, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = kenar();
    cmd.arg("trigger")
        .args(["--to", &format!("{}/divar/events", app.url())])
        .args(args)
        .env("KENAR_IDENTIFICATION_KEY", KEY);
    cmd
}

#[test]
fn a_sample_reaches_the_app_with_its_edits_and_the_answer_is_shown() {
    let app = TestServer::start(|_, _| Reply::json(200, r#"{"ok":true}"#));
    trigger(
        &app,
        &[
            "NEW_MESSAGE",
            "--override",
            "new_message.text=سلام",
            "--override",
            "new_message.sent_at:=\"2025-07-16T10:41:42.648410Z\"",
            "--add",
            "new_message.conversation.extra:=[1]",
            "--remove",
            "metadata",
        ],
    )
    .assert()
    .success()
    .stdout("{\"ok\":true}\n")
    .stderr(predicate::str::starts_with("[200] POST "));
    let received = app.only_request();
    assert_eq!(
        (received.method.as_str(), received.path.as_str()),
        ("POST", "/divar/events")
    );
    assert_eq!(received.header("authorization"), Some(KEY));
    assert_eq!(received.header("content-type"), Some("application/json"));
    assert_eq!(
        received.json(),
        json!({"type":"NEW_MESSAGE","new_message":{"id":"e7a08a2c-8ee4-11ef-af85-4e9e9bfa3c12",
            "conversation":{"id":"edbb9499-cccc-4d35-b21f-621fa95f2b3e","type":"POST",
            "post_token":"gZd7omnS","extra":[1]},"sender":{"side":"SELLER","type":"BOT"},
            "type":"TEXT","sent_at":"2025-07-16T10:41:42.648410Z","text":"سلام"}})
    );
}

#[test]
fn a_sample_without_edits_goes_byte_for_byte_with_its_headers() {
    let app = TestServer::start(|_, _| Reply::json(500, r#"{"error":"boom"}"#));
    trigger(&app, &["SERVER_LINK", "--format", "json", "-H", "X-Run: 7"])
        .env("KENAR_FORWARD_KEY", "local-key")
        .assert()
        .code(3)
        .stdout(predicate::str::contains(r#""status":500"#))
        .stdout(predicate::str::contains(r#""answer":{"error":"boom"}"#));
    let received = app.only_request();
    assert_eq!(received.body, fixture("SERVER_LINK").trim_ascii_end());
    assert_eq!(received.header("api_version"), Some("2"));
    assert_eq!(received.header("authorization"), Some("local-key"));
    assert_eq!(received.header("x-run"), Some("7"));
}

#[test]
fn a_file_goes_byte_for_byte_with_its_last_newline() {
    let app = TestServer::success();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("event.json");
    for body in [
        &b"{\"type\":\"NEW_MESSAGE\"}\n"[..],
        b"{\"type\": \"POST_UPDATE\"}\r\n\r\n",
        b"  {\"type\":\"NEW_MESSAGE\",\"text\":\"\xff\"}  ",
    ] {
        std::fs::write(&file, body).unwrap();
        trigger(&app, &["--file", file.to_str().unwrap()])
            .assert()
            .success();
        assert_eq!(app.requests().last().unwrap().body, body);
    }
}

#[test]
fn a_bad_edit_or_no_key_sends_nothing() {
    let app = TestServer::success();
    trigger(
        &app,
        &[
            "NEW_MESSAGE",
            "--override",
            "new_mesage.text=x",
            "--add",
            "text",
        ],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "new_mesage.text: there is no \"new_mesage\" in the body",
    ))
    .stderr(predicate::str::contains(
        "--add: \"text\" is not PATH=VALUE",
    ));
    kenar()
        .args(["trigger", "NEW_MESSAGE", "--to", &app.url()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("KENAR_IDENTIFICATION_KEY"));
    assert!(app.requests().is_empty());
}

/// `events replay` of `listen`'s log, with `args`.
fn replay(listen: &Listen, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = kenar();
    cmd.args(["events", "replay", "--log"])
        .arg(&listen.log)
        .args(args)
        .env("KENAR_IDENTIFICATION_KEY", KEY);
    cmd
}

#[test]
fn replay_resends_a_recorded_request_byte_for_byte() {
    let app = TestServer::success();
    let listen = Listen::start(&["-f", &format!("{}/hook", app.url())]);
    let body = b"{\"type\":\"NEW_MESSAGE\",  \"new_message\":{\"id\":\"m\",\"conversation\":{\"id\":\"c\"},\"sender\":{},\"type\":\"TEXT\",\"text\":\"\\u0633 spaced\"}}";
    let (status, _) = listen.post(
        "/divar/events",
        &[
            ("authorization", KEY),
            ("content-type", "application/json"),
            ("API-Version", "2"),
        ],
        body,
    );
    assert_eq!(status, 200);
    let id = listen.next_line()["id"].as_str().unwrap().to_owned();
    listen.deliver(&fixture("POST_UPDATE"));
    let replay = |args: &[&str]| replay(&listen, args);
    replay(&[&id]).assert().success();
    let requests = app.requests();
    assert_eq!(requests.len(), 3);
    let again = &requests[2];
    assert_eq!(again.path, "/hook");
    assert_eq!(again.body, requests[0].body);
    assert_eq!(again.body, body);
    assert_eq!(again.header("authorization"), Some(KEY));
    assert_eq!(again.header("api-version"), Some("2"));
    let other = TestServer::success();
    replay(&["--last", "--to", &other.url()]).assert().success();
    assert_eq!(other.only_request().body, fixture("POST_UPDATE"));
    replay(&["req_nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no request \"req_nope\""));
}

#[test]
fn every_sample_reaches_the_app_as_divar_sends_it() {
    let app = TestServer::success();
    for (name, version) in [
        ("NEW_MESSAGE", None),
        ("NEW_CHATBOT_MESSAGE", None),
        ("USER_ACCESS_REVOCATION", None),
        ("POST_UPDATE", None),
        ("PAYMENT_TRANSACTION", None),
        ("SERVER_LINK", Some(("api_version", "2"))),
        ("SESSION_INIT", Some(("api-version", "2"))),
        ("DYNAMIC_ACTION", None),
    ] {
        trigger(&app, &[name]).assert().success();
        let requests = app.requests();
        let received = requests.last().unwrap();
        assert_eq!(received.method, "POST");
        // The sample's file less its last newline.
        assert_eq!(received.body, fixture(name).trim_ascii_end(), "{name}");
        let mut expected = vec![("content-type", "application/json"), ("authorization", KEY)];
        expected.extend(version);
        let mut headers: Vec<(&str, &str)> = received
            .header_pairs()
            .into_iter()
            .filter(|(header, _)| expected.iter().any(|(n, _)| n == header))
            .collect();
        headers.sort_unstable();
        expected.sort_unstable();
        assert_eq!(headers, expected, "{name}");
        assert!(
            received
                .headers
                .iter()
                .all(|(header, _)| !header.contains("version") || version.is_some()),
            "{name}: {:?}",
            received.headers
        );
    }
}

#[test]
fn replay_sends_a_request_never_forwarded_where_told_and_refuses_one_cut_short() {
    let listen = Listen::start(&["--max-body", "200"]);
    assert_eq!(listen.deliver(&fixture("USER_ACCESS_REVOCATION")).0, 200);
    assert_eq!(listen.deliver(&[b' '; 201]).0, 413);
    let records = listen.records();
    let id = |index: usize| records[index]["id"].as_str().unwrap().to_owned();
    let replay = |args: &[&str]| replay(&listen, args);
    replay(&[&id(0)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "request {} was not forwarded anywhere: give --to URL",
            id(0)
        )));
    let app = TestServer::success();
    replay(&[&id(0), "--to", &app.url()]).assert().success();
    let received = app.only_request();
    assert_eq!(received.body, fixture("USER_ACCESS_REVOCATION"));
    assert_eq!(received.header("authorization"), Some(KEY));
    replay(&["--last", "--to", &app.url()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "request {} was answered 413 by listen before its whole request arrived (the body \
             is larger than 200 bytes)",
            id(1)
        )));
    assert_eq!(app.requests().len(), 1);
}

#[test]
fn replay_keeps_a_last_newline_and_bytes_that_are_not_utf8() {
    let app = TestServer::success();
    let listen = Listen::start(&["-f", &app.url()]);
    for body in [
        &b"{\"type\":\"POST_UPDATE\",\"post_update\":{}}\n"[..],
        b"{\"type\":\"NEW_MESSAGE\",\"text\":\"\xff\xfe\"}\r\n",
    ] {
        listen.deliver(body);
        let id = listen.next_line()["id"].as_str().unwrap().to_owned();
        listen.next_line();
        let other = TestServer::success();
        kenar()
            .args(["events", "replay", &id, "--to", &other.url(), "--log"])
            .arg(&listen.log)
            .env("KENAR_IDENTIFICATION_KEY", KEY)
            .assert()
            .success();
        assert_eq!(other.only_request().body, body);
    }
}

#[test]
fn an_app_that_echoes_the_key_in_any_spelling_never_shows_it() {
    let key = "app+key/SECRET{7}==";
    let echoed = [
        "app+key/SECRET{7}==",
        "app%2Bkey%2FSECRET%7B7%7D%3D%3D",
        "app+key/SECRET%7B7%7D==",
        "app-key_SECRET{7}",
    ]
    .join(" ");
    for (status, format) in [(200, "text"), (200, "json"), (403, "text")] {
        let body = serde_json::to_string(&json!({ "seen": echoed })).unwrap();
        let app = TestServer::start(move |_, _| Reply::json(status, &body));
        let output = kenar()
            .args([
                "trigger",
                "NEW_MESSAGE",
                "--to",
                &app.url(),
                "--format",
                format,
            ])
            .env("KENAR_IDENTIFICATION_KEY", key)
            .output()
            .unwrap();
        assert_eq!(app.only_request().header("authorization"), Some(key));
        for bytes in [&output.stdout, &output.stderr] {
            let text = String::from_utf8_lossy(bytes);
            assert!(!text.contains("SECRET"), "{format} {status}: {text}");
        }
        let shown = String::from_utf8_lossy(if status == 200 {
            &output.stdout
        } else {
            &output.stderr
        });
        assert!(shown.contains("*** *** *** ***"), "{shown}");
    }
}

#[test]
fn an_edit_that_cannot_be_made_names_the_flag_that_would_and_nothing_is_sent() {
    let app = TestServer::start(|_, _| Reply::json(200, "{}"));
    trigger(
        &app,
        &[
            "NEW_MESSAGE",
            "--override",
            "new_message.nope=x",
            "--add",
            "new_message.text=x",
        ],
    )
    .assert()
    .code(2)
    .stdout("")
    .stderr(predicate::str::contains(
        "new_message.nope: not in the body (use --add to add it)",
    ))
    .stderr(predicate::str::contains(
        "new_message.text: already in the body (use --override)",
    ));
    assert!(app.requests().is_empty());
}
