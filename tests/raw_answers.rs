//! Answers are read as they came, and masked only where they are shown: a secret that
//! happens to be short, or the beginning of another, neither changes what an answer means
//! nor garbles what is printed, and none is printed.

use crate::common;

use common::{CONVERSATION, Reply, TestServer, kenar};
use predicates::prelude::*;

/// `send` to `server`'s conversation with these credentials.
fn send(server: &TestServer, api_key: &str, access_token: &str) -> assert_cmd::Command {
    let mut cmd = kenar();
    cmd.env("KENAR_API_KEY", api_key)
        .env("KENAR_ACCESS_TOKEN", access_token)
        .env("KENAR_API_URL", server.url())
        .args(["send", "--conversation-id", CONVERSATION, "--message", "hi"]);
    cmd
}

#[test]
fn a_short_api_key_does_not_turn_a_delivered_message_into_a_doubt() {
    let server = TestServer::always(200, r#"{"status":200,"echo":"0 and t"}"#);
    let output = send(&server, "0", "t")
        .args(["-o", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        printed,
        serde_json::json!({"status": 200, "echo": "*** and ***"})
    );
    let request = server.only_request();
    assert_eq!(request.header("x-api-key"), Some("0"));
    assert_eq!(request.header("authorization"), Some("Bearer t"));
}

#[test]
fn a_short_secret_is_masked_as_a_word_and_never_inside_one() {
    let server = TestServer::always(
        403,
        r#"{"message":"the token t is not valid for this conversation"}"#,
    );
    send(&server, "0", "t")
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "the token *** is not valid for this conversation",
        ));
}

#[test]
fn a_secret_that_begins_another_leaves_none_of_the_longer_in_sight() {
    const KEY: &str = "prefix-9d1c";
    const TOKEN: &str = "prefix-9d1c-and-its-tail";
    let server = TestServer::start(|_, _| {
        Reply::json(
            403,
            &serde_json::json!({"message": format!("{TOKEN}, %2F{TOKEN}, {KEY}")}).to_string(),
        )
    });
    let output = send(&server, KEY, TOKEN)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("***, %2F***, ***"))
        .get_output()
        .clone();
    common::assert_no_secret(&output, &[KEY, "its-tail"]);
}
