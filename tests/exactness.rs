//! The body the server receives is the message as written: numbers with their digits,
//! keys in their order, text as UTF-8 without escapes. What cannot be sent as written (a key
//! named twice, JSON nested past the parser's limit) is refused, and nothing is sent.

use crate::common;

use common::{PEER, POST, TestServer, USER};
use predicates::prelude::*;

fn send(server: &TestServer) -> assert_cmd::Command {
    common::send_to(&server.url())
}

/// `send` of message "m" with a sender button whose extra data the caller adds.
fn send_link_button(server: &TestServer) -> assert_cmd::Command {
    let mut cmd = send(server);
    cmd.args(common::CHAT_IDS).args([
        "--message",
        "m",
        "--sender-caption",
        "c",
        "--sender-icon",
        "i",
    ]);
    cmd
}

/// A message file around a LINK button whose `extra_data` is `extra_data`, as written.
fn with_extra_data(extra_data: &str) -> String {
    format!(
        r#"{{"user_id":"{USER}","post_token":"{POST}","peer_id":"{PEER}","type":"TEXT","message":"m","sender_btn":{{"action":"LINK","data":{{"icon_name":"i","extra_data":{extra_data},"caption":"c"}}}}}}"#
    )
}

/// Numbers an app may put in `extra_data` and expect back exactly: integers past 2^64,
/// decimals with trailing zeros, negative zero, values past f64's range.
const NUMBERS: &str = r#"{"order":123456789012345678901234567890,"price":1.0,"rate":1.10,"zero":-0,"tiny":5e-324,"huge":1e+400,"list":[18446744073709551616,-9223372036854775809,0.1]}"#;

#[test]
fn numbers_in_extra_data_are_sent_with_their_digits() {
    let server = TestServer::success();
    let file = with_extra_data(NUMBERS);
    send(&server)
        .args(["--file", "-"])
        .write_stdin(file.clone())
        .assert()
        .success();
    assert_eq!(String::from_utf8(server.only_request().body).unwrap(), file);

    let server = TestServer::success();
    send_link_button(&server)
        .args(["--sender-extra-data", NUMBERS])
        .assert()
        .success();
    assert_eq!(String::from_utf8(server.only_request().body).unwrap(), file);
}

#[test]
fn the_dry_run_shows_the_numbers_as_they_are_sent() {
    let output = send(&TestServer::success())
        .args(["--file", "-", "--dry-run", "-o", "json"])
        .write_stdin(with_extra_data(NUMBERS))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8(output).unwrap();
    assert!(
        stdout.contains(&format!(r#""extra_data":{NUMBERS}"#)),
        "{stdout}"
    );
}

#[test]
fn text_is_sent_as_utf8_and_escapes_only_what_json_must() {
    let server = TestServer::success();
    let file = format!(
        r#"{{"user_id":"{USER}","post_token":"{POST}","peer_id":"{PEER}","message":"\u0633\u0644\u0627\u0645 <b>&amp;</b> \"q\" \\ \/ \t\u0000 😀"}}"#
    );
    send(&server)
        .args(["--file", "-"])
        .write_stdin(file)
        .assert()
        .success();
    assert_eq!(
        String::from_utf8(server.only_request().body).unwrap(),
        format!(
            r#"{{"user_id":"{USER}","post_token":"{POST}","peer_id":"{PEER}","type":"TEXT","message":"سلام <b>&amp;</b> \"q\" \\ / \t\u0000 😀"}}"#
        )
    );
}

#[test]
fn a_key_named_twice_is_refused_wherever_it_is() {
    let server = TestServer::success();
    let twice = with_extra_data(r#"{"order":1,"note":"x","order":2}"#);
    // The column is where the second `"order"` ends.
    let column = twice.rfind(r#""order""#).unwrap() + r#""order""#.len();
    send(&server)
        .args(["--file", "-"])
        .write_stdin(twice)
        .assert()
        .code(2)
        .stderr(format!(
            "error: standard input: line 1 column {column}: the key \"order\" appears twice \
             in one object\n"
        ));

    let top = format!(
        r#"{{"user_id":"{USER}","post_token":"{POST}","peer_id":"{PEER}","message":"a","message":"b"}}"#
    );
    send(&server)
        .args(["--file", "-"])
        .write_stdin(top.clone())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the key \"message\" appears twice in one object",
        ));

    send(&server)
        .args(common::CHAT_IDS)
        .args([
            "--message",
            "m",
            "--receiver-caption",
            "c",
            "--receiver-icon",
            "i",
        ])
        .args(["--receiver-extra-data", r#"{"a":{"b":1,"b":1}}"#])
        .assert()
        .code(2)
        .stderr(
            "error: --receiver-extra-data: not valid JSON (the key \"b\" appears twice in one \
             object at line 1 column 15)\n",
        );

    // A batch line is checked as a message file is, in the same words.
    send(&server)
        .args(["--batch", "-"])
        .write_stdin(format!("{top}\n"))
        .assert()
        .code(6)
        .stderr(predicate::str::contains(
            "the key \"message\" appears twice in one object",
        ));
    assert!(server.requests().is_empty());
}

#[test]
fn json_nested_past_the_limit_is_refused_without_crashing() {
    let deep = |depth: usize| format!(r#"{{"a":{}{}}}"#, "[".repeat(depth), "]".repeat(depth));
    let server = TestServer::success();
    send(&server)
        .args(["--file", "-"])
        .write_stdin(with_extra_data(&deep(100_000)))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("recursion limit exceeded"));
    send_link_button(&server)
        .args(["--sender-extra-data", &deep(10_000)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--sender-extra-data: not valid JSON (recursion limit exceeded",
        ));
    send(&server)
        .args(["--batch", "-"])
        .write_stdin(format!("{}\n", with_extra_data(&deep(100_000))))
        .assert()
        .code(6)
        .stderr(predicate::str::contains("recursion limit exceeded"));
    assert!(server.requests().is_empty());

    // Nested deep but within the limit, it is sent as written.
    let file = with_extra_data(&deep(100));
    send(&server)
        .args(["--file", "-"])
        .write_stdin(file.clone())
        .assert()
        .success();
    assert_eq!(String::from_utf8(server.only_request().body).unwrap(), file);
}
