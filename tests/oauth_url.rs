//! `kenar-chat oauth-url`: encoding, state, and refusals.

mod common;

use common::{PEER, POST, RESOURCE_ID, USER, kenar};
use predicates::prelude::*;
use url::Url;

fn base() -> assert_cmd::Command {
    let mut cmd = kenar();
    cmd.args([
        "oauth-url",
        "--client-id",
        "my-app",
        "--redirect-uri",
        "https://my-app.example/callback",
    ]);
    cmd
}

#[test]
fn builds_the_url_the_protocol_describes() {
    let chat = format!("{USER}:{POST}:{PEER}");
    base()
        .args(["--chat", &chat, "--post-chats", POST, "--scope", "USER_PHONE"])
        .args(["--state", "xyz"])
        .assert()
        .success()
        .stderr("")
        .stdout(format!(
            "https://open-platform-redirect.divar.ir/oauth?response_type=code&client_id=my-app\
             &redirect_uri=https%3A%2F%2Fmy-app.example%2Fcallback\
             &scope=CHAT_SEND_MESSAGE_OAUTH__{}+CHAT_SEND_MESSAGE_POST_CONVERSATIONS__{POST}+USER_PHONE\
             &state=xyz\n",
            RESOURCE_ID.replace('=', "%3D")
        ));
}

#[test]
fn generated_state_is_reported_and_json_parses_back() {
    let out = base()
        .args(["--post-chats", POST, "-o", "json"])
        .env("KENAR_OAUTH_URL", "http://127.0.0.1:9/oauth")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let state = value["state"].as_str().unwrap();
    assert!(state.len() >= 22, "state too short: {state}");
    let url = Url::parse(value["url"].as_str().unwrap()).unwrap();
    assert_eq!(url.host_str(), Some("127.0.0.1"));
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(
        pairs,
        [
            ("response_type", "code"),
            ("client_id", "my-app"),
            ("redirect_uri", "https://my-app.example/callback"),
            ("scope", "CHAT_SEND_MESSAGE_POST_CONVERSATIONS__AZf3Uqr3"),
            ("state", state),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    assert_eq!(
        value["scopes"],
        serde_json::json!(["CHAT_SEND_MESSAGE_POST_CONVERSATIONS__AZf3Uqr3"])
    );

    base()
        .args(["--post-chats", POST])
        .assert()
        .success()
        .stderr(predicate::str::starts_with("state: "));
}

#[test]
fn refuses_bad_redirects_missing_scopes_and_bad_chats() {
    kenar()
        .args([
            "oauth-url",
            "--client-id",
            "a",
            "--redirect-uri",
            "https://a.example/cb?x=1",
        ])
        .args(["--scope", "USER_PHONE"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("must not carry a query string"));
    kenar()
        .args([
            "oauth-url",
            "--client-id",
            "a",
            "--redirect-uri",
            "/relative",
        ])
        .args(["--scope", "USER_PHONE"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not an absolute URL"));
    base()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no scope requested"));
    base()
        .args(["--chat", "only:two"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("USER_ID:POST_TOKEN:PEER_ID"));
}
