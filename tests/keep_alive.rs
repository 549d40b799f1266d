//! A batch's requests go over kept-alive connections: the exact request each line makes,
//! how few connections a batch opens, and what a connection the server closes does to the
//! lines it carried.

use crate::common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{ACCESS_TOKEN, API_KEY, Reply, TestServer, kenar};
use serde_json::{Value, json};

const LINES: usize = 12;
const LINE_TOKEN: &str = "line-token-77d2e0";

fn line(peer: usize) -> String {
    json!({"user_id": "u1", "post_token": "AZf3Uqr3", "peer_id": format!("p{peer}"),
           "message": "Shipped"})
    .to_string()
}

fn batch_file(dir: &Path, lines: &[String]) -> PathBuf {
    let path = dir.join("batch.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// Sends the batch at concurrency `concurrency` and returns the exit code and the summary.
fn run(server: &TestServer, file: &Path, concurrency: &str) -> (Option<i32>, Value) {
    let out = kenar()
        .env("KENAR_API_KEY", API_KEY)
        .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN)
        .args(["send", "--base-url", &server.url(), "--batch"])
        .arg(file)
        .args(["--concurrency", concurrency, "-o", "json"])
        .output()
        .unwrap();
    common::assert_no_secret(&out, &[API_KEY, ACCESS_TOKEN, LINE_TOKEN]);
    let summary = serde_json::from_slice(&out.stdout).expect("one JSON summary");
    (out.status.code(), summary)
}

fn peers_lines() -> Vec<String> {
    (1..=LINES).map(line).collect()
}

#[test]
fn every_line_is_the_exact_request_of_a_single_send() {
    let server = TestServer::success();
    let dir = tempfile::tempdir().unwrap();
    let mut second: Value = serde_json::from_str(&line(2)).unwrap();
    second["access_token"] = LINE_TOKEN.into();
    let file = batch_file(dir.path(), &[line(1), second.to_string()]);
    let (code, _) = run(&server, &file, "1");
    assert_eq!(code, Some(0));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for (request, (peer, token)) in requests
        .iter()
        .zip([("p1", ACCESS_TOKEN), ("p2", LINE_TOKEN)])
    {
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/v2/open-platform/chat/conversation");
        let expected_body = format!(
            r#"{{"user_id":"u1","post_token":"AZf3Uqr3","peer_id":"{peer}","type":"TEXT","message":"Shipped"}}"#
        );
        let headers = request.header_pairs();
        assert_eq!(
            headers,
            [
                ("content-type", "application/json"),
                ("x-api-key", API_KEY),
                ("x-access-token", token),
                ("accept", "*/*"),
                (
                    "user-agent",
                    concat!("kenar-chat/", env!("CARGO_PKG_VERSION"))
                ),
                ("host", format!("127.0.0.1:{}", server.port).as_str()),
                ("content-length", expected_body.len().to_string().as_str()),
            ]
        );
        assert_eq!(String::from_utf8_lossy(&request.body), expected_body);
    }
}

#[test]
fn a_batch_keeps_its_connections_alive() {
    let dir = tempfile::tempdir().unwrap();
    let file = batch_file(dir.path(), &peers_lines());
    let server = TestServer::success();
    assert_eq!(run(&server, &file, "1").0, Some(0));
    assert_eq!(server.requests().len(), LINES);
    assert_eq!(server.connections(), 1);

    let server = TestServer::success();
    assert_eq!(run(&server, &file, "4").0, Some(0));
    assert_eq!(server.requests().len(), LINES);
    assert!(
        server.connections() <= 4,
        "{} connections",
        server.connections()
    );
}

/// A full answer, after which the server closes the connection without saying so.
fn answer_then_close() -> Reply {
    let body = r#"{"status":200,"message":"success"}"#;
    Reply::Raw(
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

#[test]
fn a_connection_closed_after_an_answer_loses_no_line_and_sends_none_twice() {
    // Every third request's connection is closed once answered: the lines after it go on
    // another connection. One that the client wrote to the closed connection before it saw
    // the close may be in doubt, never sent twice.
    let server = TestServer::start(|index, _| {
        if index % 3 == 2 {
            answer_then_close()
        } else {
            Reply::success()
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let file = batch_file(dir.path(), &peers_lines());
    let (_, summary) = run(&server, &file, "2");
    let mut received: HashMap<String, usize> = HashMap::new();
    for request in server.requests() {
        *received
            .entry(request.json()["peer_id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert!(received.values().all(|&n| n == 1), "{received:?}");
    let sent = summary["sent"].as_u64().unwrap();
    let in_doubt = summary["in_doubt"].as_u64().unwrap();
    assert_eq!(sent + in_doubt, LINES as u64, "{summary}");
    assert!(sent as usize <= received.len());
    assert!(
        server.connections() >= 4,
        "{} connections",
        server.connections()
    );
}

#[test]
fn a_connection_dropped_without_an_answer_leaves_its_line_in_doubt() {
    let server = TestServer::start(|index, _| {
        if index == 4 {
            Reply::Hang(Duration::ZERO)
        } else {
            Reply::success()
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let file = batch_file(dir.path(), &peers_lines());
    let (code, summary) = run(&server, &file, "1");
    assert_eq!(code, Some(6));
    assert_eq!(summary["sent"], (LINES - 1) as u64, "{summary}");
    assert_eq!(summary["in_doubt_lines"], json!([5]));
    // Not sent again: it may have been delivered.
    assert_eq!(server.requests().len(), LINES);
    assert_eq!(server.connections(), 2);
}
