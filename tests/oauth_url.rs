//! `kenar-chat oauth-url`: encoding, state, and refusals.

use crate::common;

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

/// Valid but unusual redirect URIs and raw scopes come back byte for byte from the URL.
#[test]
fn unusual_redirect_uris_and_raw_scopes_parse_back_exactly() {
    for redirect_uri in [
        "https://my-app.example/cb%2Fx%20y",
        "https://bücher.example:8443/کال‌بک",
        "http://127.0.0.1:8765/callback",
        "HTTPS://My-App.Example/Callback/",
        "https://[::1]:9/cb",
    ] {
        let output = kenar()
            .args(["oauth-url", "--client-id", "my app+1", "--redirect-uri"])
            .arg(redirect_uri)
            .args([
                "--scope", "A+B/C=D", "--scope", "X&y=1#z", "--state", "s t+u",
            ])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let url = Url::parse(String::from_utf8(output).unwrap().trim_end()).unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let expected: Vec<(String, String)> = [
            ("response_type", "code"),
            ("client_id", "my app+1"),
            ("redirect_uri", redirect_uri),
            ("scope", "A+B/C=D X&y=1#z"),
            ("state", "s t+u"),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .to_vec();
        assert_eq!(pairs, expected, "{url}");
        assert!(
            url.as_str().contains("&scope=A%2BB%2FC%3DD+X%26y%3D1%23z&"),
            "{url}"
        );
    }
}

#[test]
fn a_redirect_uri_with_whitespace_or_control_characters_is_refused() {
    for (redirect_uri, found) in [
        (" https://my-app.example/cb", "U+0020 space"),
        ("https://my-app.example/cb\n", "U+000A line feed"),
        ("https://my-app.example/c\tb", "U+0009 tab"),
        ("https://my-app.example/a b", "U+0020 space"),
    ] {
        kenar()
            .args(["oauth-url", "--client-id", "a", "--scope", "USER_PHONE"])
            .args(["--redirect-uri", redirect_uri])
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!(
                "error: --redirect-uri: {redirect_uri:?} must not contain whitespace or control \
                 characters (found {found}); write a space in a path as %20\n"
            ));
    }
}

#[test]
fn a_bad_redirect_uri_from_the_config_file_is_blamed_on_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        "[profiles.default]\nredirect_uri = \"http://x/cb?q=1\"\nclient_id = \"a\"\n",
    )
    .unwrap();
    kenar()
        .env("KENAR_CONFIG_DIR", dir.path())
        .args(["oauth-url", "--post-chats", POST, "--state", "s"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "error: redirect_uri under [profiles.default] in the config file {}: \
             \"http://x/cb?q=1\" must not carry a query string: Divar appends state and code \
             to it\n",
            file.display()
        ));
}

#[test]
fn a_client_id_or_state_with_control_or_invisible_characters_is_refused_naming_its_source() {
    let found = |c: &str| {
        format!(
            "must not contain control characters or invisible ones such as zero-width spaces \
             and bidi controls (found {c})"
        )
    };
    kenar()
        .args(["oauth-url", "--post-chats", POST])
        .args(["--redirect-uri", "http://127.0.0.1:1/cb"])
        .args(["--client-id", "a\x1b[31mb c", "--state", "s\u{202e}x"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "--client-id: {}",
            found("U+001B control character")
        )))
        .stderr(predicate::str::contains(format!(
            "--state: {}",
            found("U+202E bidi control")
        )));
    kenar()
        .env("KENAR_CLIENT_ID", "my\u{200b}app")
        .args(["oauth-url", "--post-chats", POST])
        .args(["--redirect-uri", "http://127.0.0.1:1/cb"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "KENAR_CLIENT_ID: must not contain",
        ));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, "[profiles.default]\nclient_id = \"a\\u0000b\"\n").unwrap();
    kenar()
        .env("KENAR_CONFIG_DIR", dir.path())
        .args(["oauth-url", "--post-chats", POST])
        .args(["--redirect-uri", "http://127.0.0.1:1/cb"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(format!(
            "error: client_id under [profiles.default] in the config file {}: {}\n",
            file.display(),
            found("U+0000 control character")
        ));
}
