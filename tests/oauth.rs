//! `kenar-chat oauth token|tokens|forget` and token use by `send`, against a real HTTP
//! server on 127.0.0.1 playing Divar's token endpoint, with the config directory in a
//! temporary directory.

use crate::common;

use std::path::Path;

use common::{API_KEY, PEER, POST, Reply, TestServer, USER, kenar};
use predicates::prelude::*;
use serde_json::json;

const CLIENT_SECRET: &str = "test-client-secret-71c0aa";
const STORED_TOKEN: &str = "stored-access-token-3e9f";
const REFRESH_TOKEN: &str = "stored-refresh-token-b2d4";
/// 2100-01-01T00:00:00Z: far enough never to expire while the tests run.
const FAR_FUTURE: u64 = 4_102_444_800;

fn token_answer() -> Reply {
    Reply::json(
        200,
        &format!(
            r#"{{"access_token":"{STORED_TOKEN}","refresh_token":"{REFRESH_TOKEN}","expires":"{FAR_FUTURE}"}}"#
        ),
    )
}

/// `kenar-chat oauth ARGS` with the app's credentials in the environment and `dir` as the
/// config directory.
fn oauth(dir: &Path, server: &TestServer) -> assert_cmd::Command {
    let mut cmd = kenar();
    cmd.arg("oauth")
        .env("KENAR_CONFIG_DIR", dir)
        .env("KENAR_API_URL", server.url())
        .env("KENAR_API_KEY", API_KEY)
        .env("KENAR_CLIENT_SECRET", CLIENT_SECRET);
    cmd
}

fn exchange(dir: &Path, server: &TestServer, code: &str) -> assert_cmd::Command {
    let mut cmd = oauth(dir, server);
    cmd.args([
        "token",
        "--client-id",
        "my-app",
        "--post-chats",
        POST,
        "--code",
        code,
    ]);
    cmd
}

fn send(dir: &Path, server: &TestServer) -> assert_cmd::Command {
    let mut cmd = kenar();
    cmd.arg("send")
        .env("KENAR_CONFIG_DIR", dir)
        .env("KENAR_API_URL", server.url())
        .env("KENAR_API_KEY", API_KEY)
        .args(common::CHAT_IDS)
        .args(["--message", "hi"]);
    cmd
}

fn assert_no_secret(output: &std::process::Output) {
    common::assert_no_secret(
        output,
        &[API_KEY, CLIENT_SECRET, STORED_TOKEN, REFRESH_TOKEN],
    );
}

fn credentials(dir: &Path) -> std::path::PathBuf {
    dir.join("credentials.json")
}

fn write_credentials(dir: &Path, tokens: serde_json::Value) {
    std::fs::write(
        credentials(dir),
        json!({ "profiles": { "default": tokens } }).to_string(),
    )
    .unwrap();
}

#[test]
fn exchanges_the_code_with_the_documented_request_and_stores_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(|_, _| token_answer());
    let output = exchange(
        dir.path(),
        &server,
        "https://my-app.example/callback?state=s-1&code=the-code",
    )
    .args(["--state", "s-1"])
    .assert()
    .success()
    .stdout(format!(
        "stored the access token of profile \"default\" in {}; it expires at \
         2100-01-01T00:00:00Z\n",
        credentials(dir.path()).display()
    ))
    .get_output()
    .clone();
    assert_no_secret(&output);

    let request = server.only_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v1/open-platform/oauth/access_token");
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("x-api-key"), Some(API_KEY));
    assert_eq!(
        String::from_utf8(request.body).unwrap(),
        format!(
            r#"{{"code":"the-code","client_id":"my-app","client_secret":"{CLIENT_SECRET}","grant_type":"authorization_code"}}"#
        )
    );

    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(credentials(dir.path())).unwrap()).unwrap();
    assert_eq!(
        stored,
        json!({"profiles": {"default": [{
            "scopes": [format!("CHAT_SEND_MESSAGE_POST_CONVERSATIONS__{POST}")],
            "access_token": STORED_TOKEN,
            "refresh_token": REFRESH_TOKEN,
            "expires": FAR_FUTURE,
        }]}})
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(credentials(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["credentials.json", "credentials.lock"],
        "a temporary file was left behind"
    );

    // `send` picks the stored token for a chat of that post.
    let api = TestServer::success();
    send(dir.path(), &api).assert().success();
    assert_eq!(
        api.only_request().header("x-access-token"),
        Some(STORED_TOKEN)
    );
}

#[test]
fn json_shows_the_token_answer_with_secrets_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(|_, _| token_answer());
    // -v logs the request, which carries the client secret in its body: never shown.
    let output = exchange(dir.path(), &server, "c1")
        .args(["-o", "json", "-v"])
        .assert()
        .success()
        .stdout(format!(
            "{{\"access_token\":\"***\",\"refresh_token\":\"***\",\"expires\":\"{FAR_FUTURE}\"}}\n"
        ))
        .get_output()
        .clone();
    assert_no_secret(&output);
    exchange(dir.path(), &server, "c2")
        .args(["-o", "json", "--show-secrets"])
        .assert()
        .success()
        .stdout(format!(
            "{{\"access_token\":\"{STORED_TOKEN}\",\"refresh_token\":\"{REFRESH_TOKEN}\",\"expires\":\"{FAR_FUTURE}\"}}\n"
        ));
}

#[test]
fn a_state_mismatch_is_refused_and_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(|_, _| token_answer());
    let output = exchange(
        dir.path(),
        &server,
        "https://my-app.example/callback?state=forged&code=c",
    )
    .args(["--state", "s-1"])
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "the redirect's state (forged) is not the one sent (s-1)",
    ))
    .get_output()
    .clone();
    assert_no_secret(&output);
    assert!(server.requests().is_empty());
    assert!(!credentials(dir.path()).exists());
}

#[test]
fn a_redirect_without_a_code_reports_the_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(|_, _| token_answer());
    exchange(
        dir.path(),
        &server,
        "https://my-app.example/callback?state=s-1",
    )
    .args(["--state", "s-1"])
    .assert()
    .code(3)
    .stderr("error: the user did not grant access: the redirect carries no code\n");
    assert!(server.requests().is_empty());
}

#[test]
fn a_refused_exchange_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::always(400, r#"{"message":"code already used"}"#);
    exchange(dir.path(), &server, "c")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("code already used"));
    assert!(!credentials(dir.path()).exists());
}

#[test]
fn a_token_answer_that_cannot_be_sent_back_leaves_the_store_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let good = json!([{
        "scopes": [format!("CHAT_SEND_MESSAGE_POST_CONVERSATIONS__{POST}")],
        "access_token": STORED_TOKEN,
        "expires": FAR_FUTURE
    }]);
    write_credentials(dir.path(), good);
    let before = std::fs::read(credentials(dir.path())).unwrap();
    for body in [
        format!(r#"{{"access_token":"tok\r\nx-injected: 1","expires":"{FAR_FUTURE}"}}"#),
        format!(r#"{{"access_token":"tok","refresh_token":"r\nr","expires":"{FAR_FUTURE}"}}"#),
        r#"{"access_token":"tok","expires":"100"}"#.to_owned(),
    ] {
        let server = TestServer::start(move |_, _| Reply::json(200, &body));
        exchange(dir.path(), &server, "code-that-is-long")
            .assert()
            .code(5)
            .stdout(predicate::str::is_empty());
        assert_eq!(std::fs::read(credentials(dir.path())).unwrap(), before);
    }
}

#[test]
fn an_authorization_code_echoed_by_the_token_endpoint_is_masked() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::always(400, r#"{"message":"code auth-code-5f1e2d is used"}"#);
    exchange(dir.path(), &server, "auth-code-5f1e2d")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("code *** is used"))
        .stderr(predicate::str::contains("auth-code-5f1e2d").not());
}

#[cfg(unix)]
#[test]
fn stored_tokens_readable_by_others_get_a_warning() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    write_credentials(dir.path(), json!([]));
    let file = credentials(dir.path());
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    oauth(dir.path(), &TestServer::success())
        .arg("tokens")
        .assert()
        .success()
        .stderr(predicate::str::contains("can be read by other users"));
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    oauth(dir.path(), &TestServer::success())
        .arg("tokens")
        .assert()
        .success()
        .stderr(predicate::str::contains("can be read by other users").not());
}

#[test]
fn a_token_endpoint_echoing_the_client_secret_does_not_make_it_printed() {
    let dir = tempfile::tempdir().unwrap();
    let echo = format!(r#"{{"message":"client_secret {CLIENT_SECRET} is wrong"}}"#);
    let server = TestServer::start(move |_, _| Reply::json(401, &echo));
    let output = exchange(dir.path(), &server, "c")
        .arg("-v")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("client_secret *** is wrong"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_no_secret(&output);
}

#[test]
fn missing_app_credentials_are_listed_together_and_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(|_, _| token_answer());
    oauth(dir.path(), &server)
        .env_remove("KENAR_API_KEY")
        .env_remove("KENAR_CLIENT_SECRET")
        .args(["token", "--code", "c"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--client-id: missing"))
        .stderr(predicate::str::contains("client secret: missing"))
        .stderr(predicate::str::contains("API key: missing"));
    assert!(server.requests().is_empty());
}

#[test]
fn a_corrupt_credentials_file_is_a_clear_error_and_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let corrupt = b"{\"profiles\": {\"default\": [ oops";
    std::fs::write(credentials(dir.path()), corrupt).unwrap();
    let server = TestServer::start(|_, _| token_answer());
    let file_error = format!(
        "credentials file {}: cannot be read",
        credentials(dir.path()).display()
    );
    exchange(dir.path(), &server, "c")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(&file_error))
        .stderr(predicate::str::contains("it was left as it is"));
    assert!(server.requests().is_empty(), "the code was spent");
    let api = TestServer::success();
    send(dir.path(), &api)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(&file_error));
    assert!(api.requests().is_empty());
    oauth(dir.path(), &server)
        .arg("forget")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(&file_error));
    assert_eq!(std::fs::read(credentials(dir.path())).unwrap(), corrupt);
}

#[test]
fn send_skips_expired_tokens_and_says_to_log_in_again() {
    let dir = tempfile::tempdir().unwrap();
    let post_scope = format!("CHAT_SEND_MESSAGE_POST_CONVERSATIONS__{POST}");
    write_credentials(
        dir.path(),
        json!([{"scopes": [post_scope], "access_token": "old-token", "expires": 1000}]),
    );
    let api = TestServer::success();
    send(dir.path(), &api)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "access token: the stored token of profile \"default\" for this chat expired at \
             1970-01-01T00:16:40Z; log in again with `kenar-chat oauth login`",
        ))
        .stderr(predicate::str::contains("old-token").not());
    assert!(api.requests().is_empty());

    // A fresh token for another scope set that covers the chat is used instead.
    let chat_scope = format!("CHAT_SEND_MESSAGE_OAUTH__{}", common::RESOURCE_ID);
    write_credentials(
        dir.path(),
        json!([
            {"scopes": [post_scope], "access_token": "old-token", "expires": 1000},
            {"scopes": [chat_scope], "access_token": "fresh-token", "expires": FAR_FUTURE},
        ]),
    );
    send(dir.path(), &api).assert().success();
    assert_eq!(
        api.only_request().header("x-access-token"),
        Some("fresh-token")
    );
}

#[test]
fn explicit_tokens_beat_stored_ones_and_other_chats_find_none() {
    let dir = tempfile::tempdir().unwrap();
    let post_scope = format!("CHAT_SEND_MESSAGE_POST_CONVERSATIONS__{POST}");
    write_credentials(
        dir.path(),
        json!([{"scopes": [post_scope], "access_token": "stored", "expires": FAR_FUTURE}]),
    );
    let api = TestServer::success();
    send(dir.path(), &api)
        .env("KENAR_ACCESS_TOKEN", "from-env")
        .assert()
        .success();
    assert_eq!(
        api.only_request().header("x-access-token"),
        Some("from-env")
    );

    let profiles = TestServer::success();
    send(dir.path(), &profiles)
        .args(["--profile", "shop"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("access token: missing"));
    assert!(profiles.requests().is_empty());

    write_credentials(
        dir.path(),
        json!([{
            "scopes": ["CHAT_SEND_MESSAGE_POST_CONVERSATIONS__OtherPost", "USER_PHONE"],
            "access_token": "stored",
            "expires": FAR_FUTURE,
        }]),
    );
    let other = TestServer::success();
    send(dir.path(), &other)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "access token: missing (set KENAR_ACCESS_TOKEN, give --access-token-file, or log in \
             with `kenar-chat oauth login`)",
        ));
    assert!(other.requests().is_empty());
}

#[test]
fn tokens_lists_without_secrets_and_forget_removes() {
    let dir = tempfile::tempdir().unwrap();
    let post_scope = format!("CHAT_SEND_MESSAGE_POST_CONVERSATIONS__{POST}");
    std::fs::write(
        credentials(dir.path()),
        json!({"profiles": {
            "default": [
                {"scopes": [post_scope], "access_token": "secret-one", "refresh_token": "secret-two", "expires": FAR_FUTURE},
                {"scopes": ["USER_PHONE"], "access_token": "secret-three", "expires": 1000},
            ],
            "shop": [{"scopes": [], "access_token": "secret-four", "expires": FAR_FUTURE}],
        }})
        .to_string(),
    )
    .unwrap();
    let server = TestServer::success();
    let listed = oauth(dir.path(), &server)
        .arg("tokens")
        .assert()
        .success()
        .stdout(format!(
            "default  expires 2100-01-01T00:00:00Z  {post_scope}\n\
             default  expired 1970-01-01T00:16:40Z  USER_PHONE\n\
             shop  expires 2100-01-01T00:00:00Z  (no scopes)\n"
        ))
        .get_output()
        .clone();
    assert!(!String::from_utf8_lossy(&listed.stdout).contains("secret"));
    oauth(dir.path(), &server)
        .args(["tokens", "--profile", "shop", "-o", "json"])
        .assert()
        .success()
        .stdout(format!(
            "[{{\"profile\":\"shop\",\"scopes\":[],\"expires\":{FAR_FUTURE},\"expired\":false,\"refreshable\":false}}]\n"
        ));

    oauth(dir.path(), &server)
        .args(["forget", "--expired"])
        .assert()
        .success()
        .stdout("forgot 1 token of profile \"default\"\n");
    oauth(dir.path(), &server)
        .args(["forget", "--scope", "USER_PHONE"])
        .assert()
        .success()
        .stdout("forgot 0 tokens of profile \"default\"\n");
    oauth(dir.path(), &server)
        .args(["forget", "--profile", "shop"])
        .assert()
        .success()
        .stdout("forgot 1 token of profile \"shop\"\n");
    let left: serde_json::Value =
        serde_json::from_slice(&std::fs::read(credentials(dir.path())).unwrap()).unwrap();
    let profiles = left["profiles"].as_object().unwrap();
    assert_eq!(profiles.keys().collect::<Vec<_>>(), ["default"]);
    assert_eq!(profiles["default"][0]["access_token"], "secret-one");
    assert!(server.requests().is_empty());

    let empty = tempfile::tempdir().unwrap();
    oauth(empty.path(), &server)
        .arg("tokens")
        .assert()
        .success()
        .stdout(format!(
            "no stored tokens (in {})\n",
            credentials(empty.path()).display()
        ));
    oauth(empty.path(), &server)
        .arg("forget")
        .assert()
        .success()
        .stdout("forgot 0 tokens of profile \"default\"\n");
    assert!(!credentials(empty.path()).exists());
}

#[test]
fn the_config_file_gives_per_profile_defaults_below_flags_and_environment() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(|_, _| token_answer());
    std::fs::write(
        dir.path().join("config.toml"),
        format!(
            "[profiles.shop]\napi_url = \"{}\"\nclient_id = \"shop-app\"\n\
             redirect_uri = \"https://shop.example/cb\"\nauth_url = \"http://127.0.0.1:9/auth\"\n",
            server.url()
        ),
    )
    .unwrap();
    // The profile's api_url and client_id are used when no flag or variable gives them.
    kenar()
        .env("KENAR_CONFIG_DIR", dir.path())
        .env("KENAR_API_KEY", API_KEY)
        .env("KENAR_CLIENT_SECRET", CLIENT_SECRET)
        .args(["oauth", "token", "--profile", "shop", "--code", "c1"])
        .assert()
        .success();
    assert_eq!(server.only_request().json()["client_id"], "shop-app");
    // The environment beats the file, and a flag beats both.
    oauth(dir.path(), &server)
        .env("KENAR_CLIENT_ID", "env-app")
        .args(["token", "--profile", "shop", "--code", "c2"])
        .assert()
        .success();
    oauth(dir.path(), &server)
        .env("KENAR_CLIENT_ID", "env-app")
        .args([
            "token",
            "--profile",
            "shop",
            "--code",
            "c3",
            "--client-id",
            "flag-app",
        ])
        .assert()
        .success();
    let ids: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.json()["client_id"].clone())
        .collect();
    assert_eq!(ids, ["shop-app", "env-app", "flag-app"]);

    kenar()
        .env("KENAR_CONFIG_DIR", dir.path())
        .env("KENAR_PROFILE", "shop")
        .args(["oauth-url", "--post-chats", POST, "--state", "s"])
        .assert()
        .success()
        .stdout(format!(
            "http://127.0.0.1:9/auth?response_type=code&client_id=shop-app\
             &redirect_uri=https%3A%2F%2Fshop.example%2Fcb\
             &scope=CHAT_SEND_MESSAGE_POST_CONVERSATIONS__{POST}&state=s\n"
        ));
    kenar()
        .env("KENAR_CONFIG_DIR", dir.path())
        .args(["oauth-url", "--post-chats", POST])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--client-id: missing (give --client-id, set KENAR_CLIENT_ID, or set client_id \
             under [profiles.default] in the config file)",
        ));

    std::fs::write(dir.path().join("config.toml"), "[profiles.shop]\napi = 1\n").unwrap();
    kenar()
        .env("KENAR_CONFIG_DIR", dir.path())
        .args(["oauth-url", "--post-chats", POST, "--profile", "shop"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "config.toml: TOML parse error at line 2",
        ));
}

#[test]
fn batch_lines_without_a_token_use_the_stored_one_for_their_chat() {
    let dir = tempfile::tempdir().unwrap();
    let post_scope = format!("CHAT_SEND_MESSAGE_POST_CONVERSATIONS__{POST}");
    write_credentials(
        dir.path(),
        json!([{"scopes": [post_scope], "access_token": "stored-post", "expires": FAR_FUTURE}]),
    );
    let batch = dir.path().join("batch.jsonl");
    let line = |post: &str| {
        json!({"user_id": USER, "post_token": post, "peer_id": PEER, "message": "hi"}).to_string()
    };
    std::fs::write(&batch, format!("{}\n{}\n", line(POST), line("OtherPost"))).unwrap();
    let server = TestServer::success();
    kenar()
        .env("KENAR_CONFIG_DIR", dir.path())
        .env("KENAR_API_KEY", API_KEY)
        .args(["send", "--base-url", &server.url(), "--batch"])
        .arg(&batch)
        .assert()
        .code(6)
        .stderr(predicate::str::contains(
            "line 2: access_token: missing, and neither a default access token nor a stored \
             token for this chat was given",
        ))
        .stderr(predicate::str::contains("stored-post").not());
    let request = server.only_request();
    assert_eq!(request.json()["post_token"], POST);
    assert_eq!(request.header("x-access-token"), Some("stored-post"));
}

/// Runs that store tokens at the same time all keep theirs: each reads the file, adds its
/// token and writes it back under the lock, so no run writes over another's token.
#[test]
fn tokens_stored_at_the_same_time_are_all_kept() {
    const RUNS: usize = 12;
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(|_, _| token_answer());
    let runs: Vec<_> = (0..RUNS)
        .map(|run| {
            let mut cmd = common::kenar_process();
            cmd.env("KENAR_CONFIG_DIR", dir.path())
                .env("KENAR_API_URL", server.url())
                .env("KENAR_API_KEY", API_KEY)
                .env("KENAR_CLIENT_SECRET", CLIENT_SECRET)
                .args(["oauth", "token", "--client-id", "my-app", "--code", "c"])
                .args(["--post-chats", &format!("post{run}")])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut run in runs {
        assert!(run.wait().unwrap().success());
    }
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(credentials(dir.path())).unwrap()).unwrap();
    let mut posts: Vec<String> = stored["profiles"]["default"]
        .as_array()
        .unwrap()
        .iter()
        .map(|token| token["scopes"][0].as_str().unwrap().to_owned())
        .collect();
    posts.sort();
    let mut expected: Vec<String> = (0..RUNS)
        .map(|run| format!("CHAT_SEND_MESSAGE_POST_CONVERSATIONS__post{run}"))
        .collect();
    expected.sort();
    assert_eq!(posts, expected);
}
