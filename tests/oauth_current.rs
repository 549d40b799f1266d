//! OAuth on the current platform (protocol section 5): `oauth-url`, `oauth token` and
//! `oauth refresh` against a real HTTP server on 127.0.0.1 playing `oauth.divar.ir`, and
//! the refreshes `send` and `send --batch` make by themselves, with the config directory
//! in a temporary directory.

use crate::common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{API_KEY, PEER, POST, Recorded, Reply, TestServer, USER, kenar};
use predicates::prelude::*;
use serde_json::{Value, json};
use url::Url;

pub(crate) const CLIENT_SECRET: &str = "current-client-secret-4b7e";
pub(crate) const CODE: &str = "ory_ac_code-6f1d2c";
pub(crate) const REDIRECT_URI: &str = "https://my-app.example/callback";
pub(crate) const OLD_ACCESS: &str = "ory_at_old-access-81ce";
pub(crate) const OLD_REFRESH: &str = "ory_rt_old-refresh-5d0a";
pub(crate) const NEW_ACCESS: &str = "ory_at_new-access-27b9";
pub(crate) const NEW_REFRESH: &str = "ory_rt_new-refresh-c3f4";
pub(crate) const CONVERSATION: &str = "conv-6a7b";
/// 2100-01-01T00:00:00Z: far enough never to expire while the tests run.
pub(crate) const FAR_FUTURE: u64 = 4_102_444_800;

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub(crate) fn token_answer(access: &str, refresh: &str, scope: &str) -> Reply {
    Reply::json(
        200,
        &json!({
            "access_token": access,
            "expires_in": 3600,
            "scope": scope,
            "token_type": "bearer",
            "refresh_token": refresh,
        })
        .to_string(),
    )
}

/// `kenar-chat oauth` with the app's client ID and secret in the environment, `dir` as the
/// config directory and `server` as the OAuth server.
pub(crate) fn oauth(dir: &Path, server: &TestServer) -> assert_cmd::Command {
    let mut cmd = kenar();
    cmd.arg("oauth")
        .env("KENAR_CONFIG_DIR", dir)
        .env("KENAR_TOKEN_URL", format!("{}/oauth2/token", server.url()))
        .env("KENAR_CLIENT_ID", "my-app")
        .env("KENAR_CLIENT_SECRET", CLIENT_SECRET);
    cmd
}

pub(crate) fn credentials(dir: &Path) -> std::path::PathBuf {
    dir.join("credentials.json")
}

pub(crate) fn stored(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(credentials(dir)).unwrap()).unwrap()
}

/// A stored current-platform token for the conversation that expires at `expires`.
pub(crate) fn store_token(dir: &Path, expires: u64) {
    std::fs::write(
        credentials(dir),
        json!({"profiles": {"default": [{
            "scopes": [format!("CONVERSATION_SEND_MESSAGE.{CONVERSATION}"), "offline_access"],
            "access_token": OLD_ACCESS,
            "refresh_token": OLD_REFRESH,
            "expires": expires,
            "redirect_uri": REDIRECT_URI,
        }]}})
        .to_string(),
    )
    .unwrap();
}

/// The form fields of a request body, in order.
pub(crate) fn form(request: &Recorded) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect()
}

pub(crate) fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

pub(crate) fn assert_no_secret(output: &std::process::Output) {
    common::assert_no_secret(
        output,
        &[
            CLIENT_SECRET,
            CODE,
            OLD_ACCESS,
            OLD_REFRESH,
            NEW_ACCESS,
            NEW_REFRESH,
        ],
    );
}

#[test]
fn the_authorization_url_parses_back_to_exactly_its_inputs() {
    let output = kenar()
        .args([
            "oauth-url",
            "--platform",
            "current",
            "--client-id",
            "my-app",
        ])
        .args(["--redirect-uri", REDIRECT_URI, "--state", "s-1"])
        .args(["--conversation", "c+1/x=", "--conversation", CONVERSATION])
        .args(["--post-chats", POST, "--supplier-chats"])
        .args(["--scope", "USER_PHONE", "--offline"])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(output.stdout).unwrap();
    let url = Url::parse(text.trim_end()).unwrap();
    assert_eq!(
        (url.scheme(), url.host_str(), url.path()),
        ("https", Some("oauth.divar.ir"), "/oauth2/auth")
    );
    assert!(
        url.query()
            .unwrap()
            .contains("CONVERSATION_SEND_MESSAGE.c%2B1%2Fx%3D+"),
        "{url}"
    );
    let scopes = [
        "CONVERSATION_SEND_MESSAGE.c+1/x=".to_owned(),
        format!("CONVERSATION_SEND_MESSAGE.{CONVERSATION}"),
        format!("CHAT_POST_CONVERSATIONS_MESSAGE_SEND.{POST}"),
        "CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND".to_owned(),
        "USER_PHONE".to_owned(),
        "offline_access".to_owned(),
    ]
    .join(" ");
    assert_eq!(
        url.query_pairs().into_owned().collect::<Vec<_>>(),
        pairs(&[
            ("response_type", "code"),
            ("client_id", "my-app"),
            ("redirect_uri", REDIRECT_URI),
            ("scope", &scopes),
            ("state", "s-1"),
        ])
    );
}

#[test]
fn a_flag_of_the_other_platform_is_refused_saying_why() {
    let url_args = [
        "oauth-url",
        "--client-id",
        "my-app",
        "--redirect-uri",
        REDIRECT_URI,
    ];
    kenar()
        .args(url_args)
        .args([
            "--platform",
            "current",
            "--chat",
            &format!("{USER}:{POST}:{PEER}"),
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "--chat: names a chat of the legacy platform",
        ));
    for flag in ["--supplier-chats", "--offline"] {
        kenar()
            .args(url_args)
            .arg(flag)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "{flag}: asks for a scope of the current platform"
            )))
            .stderr(predicate::str::contains("--platform current"));
    }
}

#[test]
fn the_platform_comes_from_the_flag_the_environment_or_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let url_args = [
        "oauth-url",
        "--client-id",
        "my-app",
        "--redirect-uri",
        REDIRECT_URI,
        "--post-chats",
        POST,
    ];
    let run = || {
        let mut cmd = kenar();
        cmd.env("KENAR_CONFIG_DIR", dir.path()).args(url_args);
        cmd
    };
    std::fs::write(
        dir.path().join("config.toml"),
        "[profiles.default]\nplatform = \"Current\"\n",
    )
    .unwrap();
    run()
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "platform under [profiles.default] in the config file {}: must be \"legacy\" or \
         \"current\", not \"Current\"",
            dir.path().join("config.toml").display()
        )));
    run()
        .env("KENAR_PLATFORM", "newest")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "KENAR_PLATFORM: must be \"legacy\" or \"current\", not \"newest\"",
        ));
    run()
        .env("KENAR_PLATFORM", "newest")
        .args(["--platform", "seed"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--platform: must be"));

    std::fs::write(
        dir.path().join("config.toml"),
        "[profiles.default]\nplatform = \"current\"\n",
    )
    .unwrap();
    run()
        .assert()
        .success()
        .stdout(predicate::str::starts_with(format!(
            "https://oauth.divar.ir/oauth2/auth?response_type=code&client_id=my-app\
         &redirect_uri=https%3A%2F%2Fmy-app.example%2Fcallback\
         &scope=CHAT_POST_CONVERSATIONS_MESSAGE_SEND.{POST}&state="
        )));
    // The flag beats the config.
    run()
        .args(["--platform", "legacy"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "&scope=CHAT_SEND_MESSAGE_POST_CONVERSATIONS__{POST}&"
        )));
}

#[test]
fn the_code_is_exchanged_with_the_documented_form_and_the_grant_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let granted = format!("CONVERSATION_SEND_MESSAGE.{CONVERSATION} offline_access");
    let server = TestServer::start({
        let granted = granted.clone();
        move |_, _| token_answer(OLD_ACCESS, OLD_REFRESH, &granted)
    });
    let before = now();
    let output = oauth(dir.path(), &server)
        .env("KENAR_API_KEY", API_KEY)
        .args([
            "token",
            "--platform",
            "current",
            "--conversation",
            CONVERSATION,
        ])
        .args(["--offline", "--redirect-uri", REDIRECT_URI])
        .args(["--code", &format!("{REDIRECT_URI}?state=s-1&code={CODE}")])
        .args(["--state", "s-1", "-v"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "stored the access token of profile \"default\"",
        ))
        .get_output()
        .clone();
    assert_no_secret(&output);

    let request = server.only_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/oauth2/token");
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(request.header("x-api-key"), None);
    assert_eq!(
        form(&request),
        pairs(&[
            ("code", CODE),
            ("client_id", "my-app"),
            ("client_secret", CLIENT_SECRET),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT_URI),
        ])
    );
    assert_eq!(
        String::from_utf8(request.body).unwrap(),
        format!(
            "code={CODE}&client_id=my-app&client_secret={CLIENT_SECRET}\
             &grant_type=authorization_code&redirect_uri=https%3A%2F%2Fmy-app.example%2Fcallback"
        )
    );

    let token = &stored(dir.path())["profiles"]["default"][0];
    let expires = token["expires"].as_u64().unwrap();
    assert!((before + 3600..=now() + 3600).contains(&expires), "{token}");
    assert_eq!(
        *token,
        json!({
            "scopes": granted.split(' ').collect::<Vec<_>>(),
            "access_token": OLD_ACCESS,
            "refresh_token": OLD_REFRESH,
            "expires": expires,
            "redirect_uri": REDIRECT_URI,
        })
    );
    oauth(dir.path(), &server)
        .args(["tokens", "-o", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"refreshable\":true"));
}

#[test]
fn without_a_scope_in_the_answer_the_scopes_asked_for_are_stored() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(|_, _| {
        Reply::json(
            200,
            &format!(r#"{{"access_token":"{OLD_ACCESS}","expires_in":60}}"#),
        )
    });
    oauth(dir.path(), &server)
        .env("KENAR_PLATFORM", "current")
        .env("KENAR_REDIRECT_URI", REDIRECT_URI)
        .args(["token", "--supplier-chats", "--code", CODE])
        .assert()
        .success();
    let token = &stored(dir.path())["profiles"]["default"][0];
    assert_eq!(
        token["scopes"],
        json!(["CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND"])
    );
    assert_eq!(token.get("refresh_token"), None);
}

#[test]
fn the_exchange_needs_the_redirect_uri_and_never_shows_an_echoed_secret() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(|_, request| {
        // A server that quotes what it was sent back in its refusal.
        let body = String::from_utf8_lossy(&request.body).into_owned();
        Reply::json(400, &json!({ "message": url_decoded(&body) }).to_string())
    });
    oauth(dir.path(), &server)
        .args([
            "token",
            "--platform",
            "current",
            "--supplier-chats",
            "--code",
            CODE,
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--redirect-uri: missing"));
    assert!(server.requests().is_empty());
    let output = oauth(dir.path(), &server)
        .args([
            "token",
            "--platform",
            "current",
            "--supplier-chats",
            "--code",
            CODE,
        ])
        .args(["--redirect-uri", REDIRECT_URI])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("client_secret=***"))
        .get_output()
        .clone();
    assert_no_secret(&output);
    assert!(!credentials(dir.path()).exists());
}

fn url_decoded(body: &str) -> String {
    url::form_urlencoded::parse(body.as_bytes())
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

#[test]
fn refresh_sends_the_documented_form_and_stores_the_new_pair() {
    let dir = tempfile::tempdir().unwrap();
    store_token(dir.path(), FAR_FUTURE);
    let server = TestServer::start(|_, _| {
        // An answer that echoes the old pair must not make it show either.
        Reply::json(
            200,
            &json!({
                "access_token": NEW_ACCESS,
                "expires_in": 3600,
                "refresh_token": NEW_REFRESH,
                "previous": [OLD_ACCESS, OLD_REFRESH],
            })
            .to_string(),
        )
    });
    let output = oauth(dir.path(), &server)
        .args(["refresh", "-v"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(format!(
            "the stored token of profile \"default\" for CONVERSATION_SEND_MESSAGE.{CONVERSATION} \
             offline_access: refreshed; it now expires at "
        )))
        .get_output()
        .clone();
    assert_no_secret(&output);

    let request = server.only_request();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/oauth2/token")
    );
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(request.header("x-api-key"), None);
    assert_eq!(
        form(&request),
        pairs(&[
            ("code", OLD_ACCESS),
            ("client_id", "my-app"),
            ("client_secret", CLIENT_SECRET),
            ("grant_type", "refresh_token"),
            ("redirect_uri", REDIRECT_URI),
            ("refresh_token", OLD_REFRESH),
        ])
    );
    let token = &stored(dir.path())["profiles"]["default"][0];
    assert_eq!(token["access_token"], NEW_ACCESS);
    assert_eq!(token["refresh_token"], NEW_REFRESH);
    assert_eq!(token["redirect_uri"], REDIRECT_URI);
    assert_eq!(
        token["scopes"],
        json!([
            format!("CONVERSATION_SEND_MESSAGE.{CONVERSATION}"),
            "offline_access"
        ])
    );

    let json = oauth(dir.path(), &server)
        .args([
            "refresh",
            "--conversation",
            CONVERSATION,
            "--offline",
            "-o",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_no_secret(&json);
    let answer: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(answer[0]["access_token"], "***");
    assert_eq!(answer[0]["refreshed"], true);
}

#[test]
fn a_refused_refresh_leaves_the_file_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    store_token(dir.path(), FAR_FUTURE);
    let before = std::fs::read(credentials(dir.path())).unwrap();
    let server = TestServer::always(
        400,
        r#"{"error":"invalid_grant","error_description":"the refresh token is inactive"}"#,
    );
    let output = oauth(dir.path(), &server)
        .arg("refresh")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("the refresh token is inactive"))
        .stderr(predicate::str::contains("log in again"))
        .get_output()
        .clone();
    assert_no_secret(&output);
    assert_eq!(server.requests().len(), 1);
    assert_eq!(std::fs::read(credentials(dir.path())).unwrap(), before);
}

#[test]
fn refresh_says_which_tokens_cannot_be_refreshed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        credentials(dir.path()),
        json!({"profiles": {"default": [
            {"scopes": ["USER_PHONE"], "access_token": OLD_ACCESS, "expires": FAR_FUTURE},
        ]}})
        .to_string(),
    )
    .unwrap();
    let server = TestServer::success();
    oauth(dir.path(), &server)
        .arg("refresh")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("none of which can be refreshed"));
    oauth(dir.path(), &server)
        .args(["refresh", "--supplier-chats"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no stored token of profile \"default\"",
        ));
    assert!(server.requests().is_empty());
}

#[test]
fn two_runs_refreshing_at_once_send_one_refresh_and_both_succeed() {
    let dir = tempfile::tempdir().unwrap();
    store_token(dir.path(), FAR_FUTURE);
    let refreshes = Arc::new(AtomicUsize::new(0));
    let server = TestServer::start({
        let refreshes = Arc::clone(&refreshes);
        move |_, _| {
            refreshes.fetch_add(1, Ordering::SeqCst);
            // Long enough for the other run to be waiting for the lock.
            std::thread::sleep(Duration::from_millis(1500));
            token_answer(NEW_ACCESS, NEW_REFRESH, "")
        }
    });
    let start = || oauth(dir.path(), &server).arg("refresh").output().unwrap();
    let (first, second) = std::thread::scope(|scope| {
        let first = scope.spawn(start);
        std::thread::sleep(Duration::from_millis(200));
        let second = scope.spawn(start);
        (first.join().unwrap(), second.join().unwrap())
    });
    for output in [&first, &second] {
        assert!(output.status.success(), "{output:?}");
        assert_no_secret(output);
    }
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&first.stdout),
        String::from_utf8_lossy(&second.stdout)
    );
    assert!(said.contains(": refreshed;"), "{said}");
    assert!(
        said.contains(": already refreshed by another run;"),
        "{said}"
    );
    assert_eq!(refreshes.load(Ordering::SeqCst), 1);
    let token = &stored(dir.path())["profiles"]["default"][0];
    assert_eq!(token["access_token"], NEW_ACCESS);
    assert_eq!(token["refresh_token"], NEW_REFRESH);
}

/// A stored token for the seller's conversations that comes due in two seconds, and a
/// server that refreshes it and takes every message.
fn seller_token_due_soon(dir: &Path) -> TestServer {
    std::fs::write(
        credentials(dir),
        json!({"profiles": {"default": [{
            "scopes": ["CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND", "offline_access"],
            "access_token": OLD_ACCESS,
            "refresh_token": OLD_REFRESH,
            "expires": now() + 62,
            "redirect_uri": REDIRECT_URI,
        }]}})
        .to_string(),
    )
    .unwrap();
    TestServer::start(|_, request| {
        if request.path == "/oauth2/token" {
            token_answer(NEW_ACCESS, NEW_REFRESH, "")
        } else {
            Reply::success()
        }
    })
}

/// A batch of `file` against `server`, with the stored tokens of `dir` and the app's
/// credentials to refresh them.
pub(crate) fn refreshing_batch(
    dir: &Path,
    server: &TestServer,
    file: &Path,
) -> assert_cmd::Command {
    let mut cmd = kenar();
    cmd.env("KENAR_CONFIG_DIR", dir)
        .env("KENAR_API_KEY", API_KEY)
        .env("KENAR_TOKEN_URL", format!("{}/oauth2/token", server.url()))
        .env("KENAR_CLIENT_ID", "my-app")
        .env("KENAR_CLIENT_SECRET", CLIENT_SECRET)
        .args(["send", "--base-url", &server.url(), "--batch"])
        .arg(file);
    cmd
}

#[test]
fn a_batch_refreshes_its_stored_token_once_when_it_comes_due_and_sends_every_line() {
    const LINES: usize = 400;
    let dir = tempfile::tempdir().unwrap();
    // The seller's scope covers every line's conversation. Due in two seconds, when the
    // reader, a few chunks ahead of the lines sent at 100 a second, is half way.
    let server = seller_token_due_soon(dir.path());
    let lines: String = (0..LINES)
        .map(|n| {
            format!(
                "{}\n",
                json!({"conversation_id": format!("c-{n}"), "message": "hi"})
            )
        })
        .collect();
    let file = dir.path().join("lines.jsonl");
    std::fs::write(&file, lines).unwrap();
    let output = refreshing_batch(dir.path(), &server, &file)
        .args(["--rate", "100/s"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_no_secret(&output);
    let requests = server.requests();
    let refreshes: Vec<_> = requests
        .iter()
        .filter(|r| r.path == "/oauth2/token")
        .collect();
    assert_eq!(refreshes.len(), 1, "{refreshes:#?}");
    assert_eq!(
        form(refreshes[0])[0],
        ("code".to_owned(), OLD_ACCESS.to_owned())
    );
    // In input order: requests in flight at once may arrive in any order.
    let mut sends: Vec<_> = requests
        .iter()
        .filter(|r| r.path != "/oauth2/token")
        .map(|r| {
            let line: usize = r
                .path
                .trim_start_matches("/v2/open-platform/conversations/c-")
                .trim_end_matches("/messages")
                .parse()
                .unwrap();
            (line, r.header("authorization").unwrap().to_owned())
        })
        .collect();
    sends.sort();
    let tokens: Vec<_> = sends.into_iter().map(|(_, token)| token).collect();
    assert_eq!(tokens.len(), LINES);
    let (old, new) = (
        format!("Bearer {OLD_ACCESS}"),
        format!("Bearer {NEW_ACCESS}"),
    );
    let with_old = tokens.iter().take_while(|t| **t == old).count();
    assert!(
        with_old > 0 && with_old < LINES,
        "{with_old} of {LINES} lines went with the old token"
    );
    assert!(tokens[with_old..].iter().all(|t| *t == new));
    assert_eq!(
        stored(dir.path())["profiles"]["default"][0]["access_token"],
        NEW_ACCESS
    );
}

/// `send --conversation-id` with the API and the token endpoint on `server`, and no app
/// credentials.
pub(crate) fn send(dir: &Path, server: &TestServer) -> assert_cmd::Command {
    let mut cmd = kenar();
    cmd.env("KENAR_CONFIG_DIR", dir)
        .env("KENAR_API_URL", server.url())
        .env("KENAR_API_KEY", API_KEY)
        .env("KENAR_TOKEN_URL", format!("{}/oauth2/token", server.url()))
        .args(["send", "--conversation-id", CONVERSATION, "--message", "hi"]);
    cmd
}

#[test]
fn an_expired_token_without_the_app_credentials_says_how_to_refresh_it() {
    let dir = tempfile::tempdir().unwrap();
    store_token(dir.path(), 1000);
    let server = TestServer::success();
    send(dir.path(), &server)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "for this conversation expired at 1970-01-01T00:16:40Z; set KENAR_CLIENT_ID and \
             KENAR_CLIENT_SECRET",
        ));
    assert!(server.requests().is_empty());
}

#[test]
fn send_to_a_conversation_refreshes_its_stored_token_once_then_sends_the_new_bearer() {
    let dir = tempfile::tempdir().unwrap();
    store_token(dir.path(), now() + 30);
    let server = TestServer::start(|_, request| {
        if request.path == "/oauth2/token" {
            token_answer(NEW_ACCESS, NEW_REFRESH, "")
        } else {
            Reply::success()
        }
    });
    let output = kenar()
        .env("KENAR_CONFIG_DIR", dir.path())
        .env("KENAR_API_URL", server.url())
        .env("KENAR_API_KEY", API_KEY)
        .env("KENAR_TOKEN_URL", format!("{}/oauth2/token", server.url()))
        .env("KENAR_CLIENT_ID", "my-app")
        .env("KENAR_CLIENT_SECRET", CLIENT_SECRET)
        .args([
            "send",
            "--conversation-id",
            CONVERSATION,
            "--message",
            "hi",
            "-v",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_no_secret(&output);
    let requests = server.requests();
    let paths: Vec<_> = requests.iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths,
        [
            "/oauth2/token".to_owned(),
            format!("/v2/open-platform/conversations/{CONVERSATION}/messages")
        ]
    );
    assert_eq!(
        form(&requests[0]),
        pairs(&[
            ("code", OLD_ACCESS),
            ("client_id", "my-app"),
            ("client_secret", CLIENT_SECRET),
            ("grant_type", "refresh_token"),
            ("redirect_uri", REDIRECT_URI),
            ("refresh_token", OLD_REFRESH),
        ])
    );
    assert_eq!(
        requests[1].header("authorization"),
        Some(format!("Bearer {NEW_ACCESS}").as_str())
    );
    assert_eq!(requests[1].header("x-access-token"), None);
    let token = &stored(dir.path())["profiles"]["default"][0];
    assert_eq!(token["access_token"], NEW_ACCESS);
    assert_eq!(token["refresh_token"], NEW_REFRESH);
}

#[test]
fn secrets_echoed_form_encoded_or_json_escaped_never_show() {
    let dir = tempfile::tempdir().unwrap();
    // Secrets with characters that a form, a URL and JSON each spell their own way.
    let secret = "s3cr+t/=~!";
    let code = "C0DE+/=abcdefghijklmnop";
    for echo in ["raw form", "escaped json"] {
        let server = TestServer::start(move |_, request| {
            let body = String::from_utf8_lossy(&request.body).into_owned();
            match echo {
                "raw form" => Reply::json(400, &json!({ "message": body }).to_string()),
                _ => Reply::json(
                    400,
                    &format!(
                        r#"{{"message":"{}"}}"#,
                        url_decoded(&body)
                            .replace('/', "\\/")
                            .replace('+', "\\u002B")
                    ),
                ),
            }
        });
        let output = oauth(dir.path(), &server)
            .env("KENAR_CLIENT_SECRET", secret)
            .args([
                "token",
                "--platform",
                "current",
                "--supplier-chats",
                "--code",
                code,
            ])
            .args(["--redirect-uri", REDIRECT_URI])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(3), "{echo}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        for shown in [
            secret.to_owned(),
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
            code.to_owned(),
            url::form_urlencoded::byte_serialize(code.as_bytes()).collect(),
        ] {
            assert!(!stderr.contains(&shown), "{echo}: {shown} in {stderr}");
        }
        assert!(stderr.contains("client_secret=***"), "{echo}: {stderr}");
    }
}

#[test]
fn a_line_read_long_before_it_leaves_goes_with_the_token_of_when_it_leaves() {
    const LINES: usize = 6;
    let dir = tempfile::tempdir().unwrap();
    // Every line is read at once, while the token is not due; it comes due two seconds
    // later, while the lines still leave one a second.
    let server = seller_token_due_soon(dir.path());
    let lines: String = (0..LINES)
        .map(|n| {
            format!(
                "{}\n",
                json!({"conversation_id": format!("c-{n}"), "message": "hi"})
            )
        })
        .collect();
    let file = dir.path().join("lines.jsonl");
    std::fs::write(&file, lines).unwrap();
    let started = std::time::Instant::now();
    let output = refreshing_batch(dir.path(), &server, &file)
        .args(["--rate", "1/s", "--concurrency", "1"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_no_secret(&output);
    assert!(
        started.elapsed().as_secs() >= 4,
        "the lines did not wait their turns"
    );
    let requests = server.requests();
    let tokens: Vec<&str> = requests
        .iter()
        .filter_map(|r| r.header("authorization"))
        .collect();
    assert_eq!(tokens.len(), LINES);
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.path == "/oauth2/token")
            .count(),
        1
    );
    let old = format!("Bearer {OLD_ACCESS}");
    let with_old = tokens.iter().take_while(|t| **t == old).count();
    assert!((1..=3).contains(&with_old), "{tokens:?}");
    assert!(
        tokens[with_old..]
            .iter()
            .all(|t| *t == format!("Bearer {NEW_ACCESS}")),
        "{tokens:?}"
    );
}

#[test]
fn a_token_is_named_by_its_sending_scopes_whether_it_came_with_a_refresh_token_or_not() {
    let dir = tempfile::tempdir().unwrap();
    store_token(dir.path(), FAR_FUTURE);
    let server = TestServer::start(|_, _| token_answer(NEW_ACCESS, NEW_REFRESH, ""));
    oauth(dir.path(), &server)
        .args(["refresh", "--conversation", CONVERSATION])
        .assert()
        .success();
    assert_eq!(server.requests().len(), 1);
    assert_eq!(
        stored(dir.path())["profiles"]["default"][0]["access_token"],
        NEW_ACCESS
    );
    oauth(dir.path(), &server)
        .args([
            "forget",
            "--platform",
            "current",
            "--conversation",
            CONVERSATION,
        ])
        .assert()
        .success()
        .stdout("forgot 1 token of profile \"default\"\n");
}

#[test]
fn a_refresh_answered_with_the_same_refresh_token_stores_that_token() {
    // Rotation is optional (RFC 6749 section 6): the answer may hand the same refresh
    // token back. It is read as it came, and only what is shown is masked.
    let dir = tempfile::tempdir().unwrap();
    store_token(dir.path(), FAR_FUTURE);
    let server = TestServer::start(|_, _| token_answer(NEW_ACCESS, OLD_REFRESH, ""));
    let output = oauth(dir.path(), &server)
        .args(["refresh", "-v"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_no_secret(&output);
    let token = &stored(dir.path())["profiles"]["default"][0];
    assert_eq!(token["access_token"], NEW_ACCESS);
    assert_eq!(token["refresh_token"], OLD_REFRESH);
}

/// A token endpoint that refuses everything with a 100 KB `error` code, and that code.
fn refusing_with_a_huge_code() -> (String, TestServer) {
    let code = "x".repeat(100_000);
    let answer = json!({ "error": code }).to_string();
    (
        code,
        TestServer::start(move |_, _| Reply::json(400, &answer)),
    )
}

#[test]
fn a_huge_error_code_from_the_token_endpoint_is_quoted_as_an_excerpt() {
    let dir = tempfile::tempdir().unwrap();
    let (code, server) = refusing_with_a_huge_code();
    let exchange = |format: &str| {
        oauth(dir.path(), &server)
            .args(["token", "--platform", "current", "--supplier-chats"])
            .args(["--code", CODE, "--redirect-uri", REDIRECT_URI, "-o", format])
            .output()
            .unwrap()
    };
    let text = exchange("text");
    assert_eq!(text.status.code(), Some(3), "{text:?}");
    let stderr = String::from_utf8_lossy(&text.stderr);
    assert!(
        stderr.contains(&format!("refused the code ({}…, HTTP 400)", &code[..200])),
        "{stderr}"
    );
    assert!(stderr.len() < 2_000, "{} bytes: {stderr}", stderr.len());

    let json = exchange("json");
    assert_eq!(json.status.code(), Some(3), "{json:?}");
    let printed = if json.stdout.is_empty() {
        &json.stderr
    } else {
        &json.stdout
    };
    let refusal: Value = serde_json::from_slice(printed).unwrap();
    let excerpt = format!("{}…", &code[..200]);
    assert_eq!(refusal["error"], excerpt.as_str(), "{refusal}");
    let message = refusal["message"].as_str().unwrap();
    assert!(
        message.contains(&excerpt) && message.len() < 500,
        "{message}"
    );

    for request in server.requests() {
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/oauth2/token");
        assert!(form(&request).contains(&("code".to_owned(), CODE.to_owned())));
    }
    assert!(!credentials(dir.path()).exists());
}

/// The one request `server` received at its token endpoint.
fn only_token_request(server: &TestServer) -> Recorded {
    let mut token_requests: Vec<Recorded> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/oauth2/token")
        .collect();
    assert_eq!(token_requests.len(), 1, "{token_requests:?}");
    token_requests.remove(0)
}

/// `oauth doctor` of the current platform, with `server` as the token endpoint and the API.
fn doctor(dir: &Path, server: &TestServer) -> std::process::Output {
    oauth(dir, server)
        .args([
            "doctor",
            "--platform",
            "current",
            "--base-url",
            &server.url(),
        ])
        .env("KENAR_REDIRECT_URI", REDIRECT_URI)
        .env("KENAR_API_KEY", API_KEY)
        .output()
        .unwrap()
}

#[test]
fn doctor_quotes_a_huge_error_code_from_the_token_endpoint_as_an_excerpt() {
    let dir = tempfile::tempdir().unwrap();
    let (code, server) = refusing_with_a_huge_code();
    let output = doctor(dir.path(), &server);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("answered HTTP 400 ({}…)", &code[..200])),
        "{stdout}"
    );
    assert!(
        output.stdout.len() + output.stderr.len() < 5_000,
        "{stdout}"
    );
    assert_eq!(only_token_request(&server).method, "POST");
}

#[test]
fn doctor_says_what_a_token_endpoint_s_refusal_of_the_app_means() {
    let cases = [
        (
            "unauthorized_client",
            "the app may not use this grant type or redirect URI",
            "check the app's redirect URIs and grants in the Kenar panel",
        ),
        (
            "invalid_request",
            "the redirect URI is not registered",
            "register the redirect URI in the Kenar panel, exactly as it is sent",
        ),
        (
            "invalid_scope",
            "is not opened for this app",
            "open it in the Kenar panel",
        ),
    ];
    for (code, cause, fix) in cases {
        let dir = tempfile::tempdir().unwrap();
        let answer = json!({"error": code, "error_description": "refused"}).to_string();
        let server = TestServer::start(move |_, request| {
            if request.path == "/oauth2/token" {
                Reply::json(400, &answer)
            } else {
                Reply::json(200, r#"{"scopes":[]}"#)
            }
        });
        let output = doctor(dir.path(), &server);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(8), "{code}: {stdout}");
        let line = stdout
            .lines()
            .skip_while(|line| !line.starts_with("FAIL  token endpoint and client secret:"))
            .take(2)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(line.contains(&format!("({code})")), "{code}: {stdout}");
        assert!(line.contains(cause), "{code}: {stdout}");
        assert!(line.contains(&format!("fix: {fix}")), "{code}: {stdout}");
        assert!(!line.contains("check the token URL"), "{code}: {stdout}");
        if code != "invalid_scope" {
            assert!(line.contains(REDIRECT_URI), "{code}: {stdout}");
        }
        let sent = form(&only_token_request(&server));
        assert!(
            sent.contains(&("grant_type".to_owned(), "refresh_token".to_owned())),
            "{sent:?}"
        );
        assert!(
            sent.contains(&("redirect_uri".to_owned(), REDIRECT_URI.to_owned())),
            "{sent:?}"
        );
    }
}
