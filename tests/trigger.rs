//! `kenar-chat trigger` and `kenar-chat events replay`: what reaches the app, as Divar would
//! send it.

use predicates::prelude::*;
use serde_json::json;

use crate::common::listen::{KEY, Listen, fixture};
use crate::common::{Reply, TestServer, kenar};

/// `events replay` of the log at `log`, with the identification key.
fn replay(log: &std::path::Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = kenar();
    cmd.args(["events", "replay", "--log"])
        .arg(log)
        .args(args)
        .env("KENAR_IDENTIFICATION_KEY", KEY);
    cmd
}

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
    replay(&listen.log, &[&id]).assert().success();
    let requests = app.requests();
    assert_eq!(requests.len(), 3);
    let again = &requests[2];
    assert_eq!(again.path, "/hook");
    assert_eq!(again.body, requests[0].body);
    assert_eq!(again.body, body);
    assert_eq!(again.header("authorization"), Some(KEY));
    assert_eq!(again.header("api-version"), Some("2"));
    let other = TestServer::success();
    replay(&listen.log, &["--last", "--to", &other.url()])
        .assert()
        .success();
    assert_eq!(other.only_request().body, fixture("POST_UPDATE"));
    replay(&listen.log, &["req_nope"])
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
    let replay = |args: &[&str]| replay(&listen.log, args);
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
fn a_header_that_frames_the_request_is_refused_and_nothing_is_sent() {
    let app = TestServer::success();
    for header in [
        "Content-Length: 2",
        "transfer-encoding: chunked",
        "Host: evil.example",
        "Connection: close",
        "Keep-Alive: timeout=5",
        "TE: trailers",
        "Trailer: x-check",
        "Upgrade: h2c",
    ] {
        trigger(&app, &["NEW_MESSAGE", "-H", header])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "invalid value '{header}' for '--header <NAME: VALUE>'"
            )))
            .stderr(predicate::str::contains("kenar-chat sets it itself"));
    }
    assert!(app.requests().is_empty(), "{:?}", app.requests());
}

#[test]
fn a_key_with_inner_spaces_goes_as_it_is() {
    let key = "the Divar identification key set in the Kenar panel";
    let app = TestServer::success();
    trigger(&app, &["NEW_MESSAGE"])
        .env("KENAR_IDENTIFICATION_KEY", key)
        .assert()
        .success();
    assert_eq!(app.only_request().header("authorization"), Some(key));
}

/// An app that answers with the `Authorization` it was sent, as a debugging app may.
fn echoing_app(status: u16) -> TestServer {
    TestServer::start(move |_, request| {
        let got = request.header("authorization").unwrap_or_default();
        Reply::json(
            status,
            &json!({"got": got, "said": format!("key {got}.")}).to_string(),
        )
    })
}

#[test]
fn the_key_an_app_echoes_is_never_shown() {
    for status in [200, 400] {
        for format in ["text", "json"] {
            let app = echoing_app(status);
            let output = trigger(&app, &["NEW_MESSAGE", "--format", format])
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(if status == 200 { 0 } else { 3 }),
                "{output:?}"
            );
            assert_eq!(app.only_request().header("authorization"), Some(KEY));
            crate::common::assert_no_secret(&output, &[KEY]);
            let shown = String::from_utf8_lossy(&output.stdout);
            assert!(shown.contains("***"), "{shown}");
        }
    }
    // The app's own key, and Divar's beside it, are both secrets.
    let app = echoing_app(400);
    let output = trigger(&app, &["NEW_MESSAGE"])
        .env("KENAR_FORWARD_KEY", "local-app-key-77")
        .output()
        .unwrap();
    assert_eq!(
        app.only_request().header("authorization"),
        Some("local-app-key-77")
    );
    crate::common::assert_no_secret(&output, &["local-app-key-77", KEY]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("error: the app refused the request (HTTP 400)"),
        "{stderr}"
    );
}

#[test]
fn replay_never_shows_the_key_an_app_echoes() {
    let app = echoing_app(200);
    let listen = Listen::start(&["-f", &app.url()]);
    assert_eq!(listen.deliver(&fixture("NEW_MESSAGE")).0, 200);
    let output = replay(&listen.log, &["--last"]).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(app.requests().len(), 2);
    crate::common::assert_no_secret(&output, &[KEY]);
}

#[test]
fn verbose_logs_the_request_with_its_key_masked_and_the_answer() {
    let app = TestServer::success();
    let output = trigger(&app, &["SERVER_LINK", "-v", "-H", "X-Run: 7"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let url = format!("{}/divar/events", app.url());
    let body = fixture("SERVER_LINK").trim_ascii_end().len();
    for line in [
        format!("> POST {url}\n"),
        "> content-type: application/json\n".to_owned(),
        "> api_version: 2\n".to_owned(),
        "> authorization: ***\n".to_owned(),
        "> x-run: 7\n".to_owned(),
        format!("> ({body} bytes of body)\n"),
        "< HTTP 200 after ".to_owned(),
    ] {
        assert!(stderr.contains(&line), "{line:?} not in {stderr}");
    }
    crate::common::assert_no_secret(&output, &[KEY]);
    let quiet = trigger(&app, &["SERVER_LINK"]).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&quiet.stderr).contains("> POST"),
        "{quiet:?}"
    );
}

/// One record as listen writes it, of a request with `body` forwarded to `to`.
fn record(id: &str, to: &str, body: &str) -> String {
    json!({"id": id, "received_at": "2026-12-06T12:00:00.000000Z", "method": "POST",
           "path": "/divar/events", "headers": [["content-type", "application/json"]],
           "body": body, "forwarded_to": to})
    .to_string()
}

#[test]
fn a_record_cut_short_by_a_crash_leaves_the_next_run_s_requests_whole() {
    let app = TestServer::success();
    let old = record("req_0ld-1", &app.url(), r#"{"old":1}"#);
    let cut = &record("req_0ld-2", &app.url(), r#"{"old":2}"#)[..60];
    let listen = Listen::start_on_log(
        &["-f", &app.url()],
        &[("KENAR_IDENTIFICATION_KEY", KEY)],
        format!("{old}\n{cut}").as_bytes(),
    );
    assert!(
        listen
            .ready
            .iter()
            .any(|line| line.contains("ended in a record cut short")),
        "{:?}",
        listen.ready
    );
    assert_eq!(listen.deliver(&fixture("SERVER_LINK")).0, 200);
    let id = listen.next_line()["id"].as_str().unwrap().to_owned();
    replay(&listen.log, &["--last"]).assert().success();
    replay(&listen.log, &[&id]).assert().success();
    replay(&listen.log, &["req_0ld-1"]).assert().success();
    let bodies: Vec<Vec<u8>> = app.requests().into_iter().map(|r| r.body).collect();
    assert_eq!(
        bodies,
        [
            fixture("SERVER_LINK"),
            fixture("SERVER_LINK"),
            fixture("SERVER_LINK"),
            br#"{"old":1}"#.to_vec()
        ]
    );
    // The cut record stays as it was, on a line of its own.
    let log = std::fs::read_to_string(&listen.log).unwrap();
    assert_eq!(log.lines().nth(1), Some(cut), "{log}");
}

#[test]
fn replay_of_the_last_request_refuses_one_cut_short() {
    let app = TestServer::success();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("events.jsonl");
    let old = record("req_0ld-1", &app.url(), r#"{"old":1}"#);
    let cut = &record("req_0ld-2", &app.url(), r#"{"old":2}"#)[..60];
    std::fs::write(&log, format!("{old}\n{cut}")).unwrap();
    replay(&log, &["--last"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "event log {}: line 2, the last, is a record cut short",
            log.display()
        )));
    replay(&log, &["req_0ld-2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no request \"req_0ld-2\" (line 2 is a record cut short, which may have been it)",
        ));
    assert!(app.requests().is_empty());
    replay(&log, &["req_0ld-1"]).assert().success();
    assert_eq!(app.only_request().body, br#"{"old":1}"#);
}

#[test]
fn replay_refuses_a_line_longer_than_any_record() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("events.jsonl");
    // Sparse: 65 MiB of zeros without a line break, on no disk.
    std::fs::File::create(&log)
        .unwrap()
        .set_len(65 << 20)
        .unwrap();
    replay(&log, &["--last"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "event log {}: line 1 is longer than 64 MiB, more than any request listen records",
            log.display()
        )));
}

/// A FIFO would block replay in its open for good, and a device or a directory holds no
/// records: each is refused at once, naming the flag.
#[cfg(unix)]
#[test]
fn replay_refuses_a_log_that_is_not_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = crate::common::fifo(dir.path());
    for log in [
        fifo.as_path(),
        std::path::Path::new("/dev/zero"),
        dir.path(),
    ] {
        replay(log, &["--last"])
            .timeout(std::time::Duration::from_secs(30))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "--log: event log {}: not a regular file",
                log.display()
            )));
    }
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

/// `--resolve` names a host on one port: an app on another port of it is refused before
/// anything is sent, as `send` refuses it, not reached through the given address.
#[test]
fn trigger_and_replay_refuse_an_address_given_for_another_port() {
    let app = TestServer::success();
    let other = crate::common::free_port();
    let to = format!("https://app.test:{}/", app.port);
    let resolve = format!("app.test:{other}:127.0.0.1");
    let refused = format!(
        "--resolve: app.test is given for port {other}, but the request goes to port {}",
        app.port
    );
    kenar()
        .args(["trigger", "NEW_MESSAGE", "--to", &to, "--resolve", &resolve])
        .env("KENAR_IDENTIFICATION_KEY", KEY)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(refused.as_str()));
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("events.jsonl");
    std::fs::write(&log, format!("{}\n", record("req_1", &to, "{}"))).unwrap();
    replay(&log, &["--last", "--resolve", &resolve])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(refused.as_str()));
    assert_eq!(app.connections(), 0);
}
