//! `kenar-chat scope`: the seed document's vector, every output form, and decoding.

use crate::common;

use common::{PEER, POST, RESOURCE_ID, USER, kenar};
use predicates::prelude::*;

fn chat_args() -> Vec<&'static str> {
    [["scope", "chat"].as_slice(), &common::CHAT_IDS].concat()
}

#[test]
fn chat_scope_prints_the_seed_vector_as_labelled_text() {
    kenar().args(chat_args()).assert().success().stdout(format!(
        "permission   CHAT_SEND_MESSAGE_OAUTH\n\
         user_id      {USER}\n\
         post_token   {POST}\n\
         peer_id      {PEER}\n\
         resource_id  {RESOURCE_ID}\n\
         scope        CHAT_SEND_MESSAGE_OAUTH__{RESOURCE_ID}\n"
    ));
}

#[test]
fn single_values_for_scripts() {
    kenar()
        .args(chat_args())
        .args(["-o", "scope"])
        .assert()
        .success()
        .stdout(format!("CHAT_SEND_MESSAGE_OAUTH__{RESOURCE_ID}\n"));
    kenar()
        .args(chat_args())
        .args(["-o", "resource-id"])
        .assert()
        .success()
        .stdout(format!("{RESOURCE_ID}\n"));
    kenar()
        .args(["scope", "post", "--post-token", POST, "-o", "scope"])
        .assert()
        .success()
        .stdout("CHAT_SEND_MESSAGE_POST_CONVERSATIONS__AZf3Uqr3\n");
}

#[test]
fn json_output_carries_every_field() {
    let out = kenar()
        .args(chat_args())
        .args(["-o", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        value,
        serde_json::json!({
            "permission": "CHAT_SEND_MESSAGE_OAUTH",
            "user_id": USER, "post_token": POST, "peer_id": PEER,
            "resource_id": RESOURCE_ID,
            "scope": format!("CHAT_SEND_MESSAGE_OAUTH__{RESOURCE_ID}"),
        })
    );
}

#[test]
fn decode_reads_scopes_and_bare_resource_ids() {
    for value in [
        RESOURCE_ID.to_owned(),
        format!("CHAT_SEND_MESSAGE_OAUTH__{RESOURCE_ID}"),
    ] {
        kenar()
            .args(["scope", "decode", &value, "-o", "json"])
            .assert()
            .success()
            .stdout(predicate::str::contains(format!(r#""user_id":"{USER}""#)))
            .stdout(predicate::str::contains(format!(r#""peer_id":"{PEER}""#)));
    }
    kenar()
        .args([
            "scope",
            "decode",
            "CHAT_SEND_MESSAGE_POST_CONVERSATIONS__AZf3Uqr3",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("post_token   AZf3Uqr3"));
}

#[test]
fn invalid_values_exit_2_with_a_clear_error() {
    kenar()
        .args(["scope", "decode", "not a scope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "neither a scope nor a resource ID",
        ));
    kenar()
        .args([
            "scope",
            "chat",
            "--user-id",
            "a:b",
            "--post-token",
            "p",
            "--peer-id",
            "",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("user_id: must not contain ':'"))
        .stderr(predicate::str::contains("peer_id: must not be empty"));
    kenar()
        .args(["scope", "decode", "USER_PHONE", "-o", "resource-id"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("carries no resource ID"));
}

#[test]
fn scope_without_a_kind_says_what_to_give() {
    kenar()
        .arg("scope")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "say what to compute (chat, post, conversation, supplier, bot, read, subscription or \
             decode), or give --interactive",
        ));
    kenar()
        .args(["scope", "-i", "post", "--post-token", POST])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "give it without a kind of scope or decode",
        ));
}

#[test]
fn current_platform_scopes_in_every_output_form() {
    let conversation = [
        "scope",
        "conversation",
        "--conversation-id",
        common::CONVERSATION,
    ];
    kenar()
        .args(conversation)
        .assert()
        .success()
        .stdout(format!(
            "permission       CONVERSATION_SEND_MESSAGE\n\
             conversation_id  {id}\n\
             resource_id      {id}\n\
             scope            CONVERSATION_SEND_MESSAGE.{id}\n",
            id = common::CONVERSATION
        ));
    kenar()
        .args(conversation)
        .args(["-o", "scope"])
        .assert()
        .success()
        .stdout(format!(
            "CONVERSATION_SEND_MESSAGE.{}\n",
            common::CONVERSATION
        ));
    kenar()
        .args(["scope", "supplier", "-o", "json"])
        .assert()
        .success()
        .stdout(
            "{\"permission\":\"CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND\",\
             \"scope\":\"CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND\"}\n",
        );
    kenar()
        .args(["scope", "supplier", "-o", "resource-id"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("carries no resource ID"));
    kenar()
        .args(["scope", "conversation", "--conversation-id", "a b"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "conversation_id: must not contain whitespace",
        ));
}

#[test]
fn decode_reads_both_syntaxes() {
    for (value, permission) in [
        (
            format!("CONVERSATION_SEND_MESSAGE.{}", common::CONVERSATION),
            "CONVERSATION_SEND_MESSAGE",
        ),
        (
            format!("CHAT_POST_CONVERSATIONS_MESSAGE_SEND.{POST}"),
            "CHAT_POST_CONVERSATIONS_MESSAGE_SEND",
        ),
        (
            "CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND".to_owned(),
            "CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND",
        ),
        (
            format!("CHAT_SEND_MESSAGE_POST_CONVERSATIONS__{POST}"),
            "CHAT_SEND_MESSAGE_POST_CONVERSATIONS",
        ),
    ] {
        let output = kenar()
            .args(["scope", "decode", &value, "-o", "json"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{value}: {output:?}");
        let decoded: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(decoded["permission"], permission, "{value}");
        assert_eq!(decoded["scope"], value.as_str());
    }
}

#[test]
fn the_platform_decides_a_post_scope() {
    kenar()
        .args([
            "scope",
            "post",
            "--post-token",
            POST,
            "--platform",
            "current",
            "-o",
            "scope",
        ])
        .assert()
        .success()
        .stdout(format!("CHAT_POST_CONVERSATIONS_MESSAGE_SEND.{POST}\n"));
    kenar()
        .env("KENAR_PLATFORM", "current")
        .args(["scope", "decode", POST, "-o", "scope"])
        .assert()
        .success()
        .stdout(format!("CHAT_POST_CONVERSATIONS_MESSAGE_SEND.{POST}\n"));
    kenar()
        .args(["scope", "decode", POST, "-o", "scope"])
        .assert()
        .success()
        .stdout(format!("CHAT_SEND_MESSAGE_POST_CONVERSATIONS__{POST}\n"));
    kenar()
        .env("KENAR_PLATFORM", "newest")
        .args(["scope", "post", "--post-token", POST])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "KENAR_PLATFORM: must be \"legacy\" or \"current\", not \"newest\"",
        ));
}
