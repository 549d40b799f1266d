//! The one stored-token policy, as `send`, `send --batch` and `oauth refresh` follow it,
//! against a real HTTP server on 127.0.0.1 playing both the API and the token endpoint:
//! refreshes that keep the grant, that are tried again, that stop a batch when they never
//! can work, a batch that survives another run's refresh, a dry run that refreshes nothing,
//! and stored values checked as strictly as flags.

use crate::common;
use crate::oauth_current::{
    CLIENT_SECRET, CODE, CONVERSATION, FAR_FUTURE, NEW_ACCESS, NEW_REFRESH, OLD_ACCESS,
    OLD_REFRESH, REDIRECT_URI, assert_no_secret, credentials, form, now, oauth, refreshing_batch,
    send, store_token, stored, token_answer,
};

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::{Reply, TestServer};
use predicates::prelude::*;
use serde_json::json;

const TOKEN_PATH: &str = "/oauth2/token";
const SELLER: &str = "CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND";

/// A stored token of the seller's conversations (which cover every line of a batch) with
/// this access token and expiry.
fn store_seller_token(dir: &Path, access: &str, expires: u64) {
    std::fs::write(
        credentials(dir),
        json!({"profiles": {"default": [{
            "scopes": [SELLER, "offline_access"],
            "access_token": access,
            "refresh_token": OLD_REFRESH,
            "expires": expires,
            "redirect_uri": REDIRECT_URI,
        }]}})
        .to_string(),
    )
    .unwrap();
}

/// A batch file of `lines` messages to conversations of the seller.
fn batch_file(dir: &Path, lines: usize) -> std::path::PathBuf {
    let text: String = (0..lines)
        .map(|n| {
            format!(
                "{}\n",
                json!({"conversation_id": format!("c-{n}"), "message": "hi"})
            )
        })
        .collect();
    let file = dir.join("lines.jsonl");
    std::fs::write(&file, text).unwrap();
    file
}

fn token_requests(server: &TestServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.path == TOKEN_PATH)
        .count()
}

/// The `Authorization` of every message the server received, in order.
fn bearers(server: &TestServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|r| r.path != TOKEN_PATH)
        .map(|r| r.header("authorization").unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_refresh_answer_without_a_refresh_token_keeps_the_stored_one() {
    let dir = tempfile::tempdir().unwrap();
    store_token(dir.path(), FAR_FUTURE);
    let server = TestServer::start(|_, _| {
        Reply::json(
            200,
            &json!({"access_token": NEW_ACCESS, "expires_in": 3600}).to_string(),
        )
    });
    let output = oauth(dir.path(), &server)
        .arg("refresh")
        .assert()
        .success()
        .get_output()
        .clone();
    assert_no_secret(&output);
    let token = &stored(dir.path())["profiles"]["default"][0];
    assert_eq!(token["access_token"], NEW_ACCESS);
    assert_eq!(token["refresh_token"], OLD_REFRESH);
}

#[test]
fn oauth_refresh_reports_every_token_when_one_fails_in_words_of_the_token_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let token = |scope: &str, access: &str| {
        json!({
            "scopes": [scope, "offline_access"],
            "access_token": access,
            "refresh_token": format!("{access}-refresh"),
            "expires": FAR_FUTURE,
            "redirect_uri": REDIRECT_URI,
        })
    };
    std::fs::write(
        credentials(dir.path()),
        json!({"profiles": {"default": [
            token(&format!("CONVERSATION_SEND_MESSAGE.{CONVERSATION}"), OLD_ACCESS),
            token(SELLER, "ory_at_seller-9e1f"),
        ]}})
        .to_string(),
    )
    .unwrap();
    let server = TestServer::start(|_, request| {
        if form(request)[0].1 == OLD_ACCESS {
            token_answer(NEW_ACCESS, NEW_REFRESH, "")
        } else {
            Reply::json(
                400,
                r#"{"error":"invalid_grant","error_description":"the refresh token was revoked"}"#,
            )
        }
    });
    let output = oauth(dir.path(), &server)
        .arg("refresh")
        .assert()
        .code(3)
        .get_output()
        .clone();
    assert_no_secret(&output);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(
        stdout.contains(&format!(
            "for CONVERSATION_SEND_MESSAGE.{CONVERSATION} offline_access: refreshed; it now \
             expires at "
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("for {SELLER} offline_access: not refreshed")),
        "{stdout}"
    );
    let endpoint = format!("127.0.0.1:{}", server.port);
    assert!(
        stderr.contains(&format!(
            "1 of 2 stored token(s) not refreshed: the token endpoint at {endpoint} refused to \
             refresh the stored token of profile \"default\" for {SELLER} offline_access \
             (invalid_grant, HTTP 400)\n  Divar says: \"the refresh token was revoked\""
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("the API"), "{stderr}");
    assert_eq!(server.requests().len(), 2);
    let tokens = &stored(dir.path())["profiles"]["default"];
    let access: Vec<_> = tokens
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["access_token"].as_str().unwrap().to_owned())
        .collect();
    assert!(access.contains(&NEW_ACCESS.to_owned()), "{tokens}");
    assert!(
        access.contains(&"ory_at_seller-9e1f".to_owned()),
        "{tokens}"
    );
}

#[test]
fn a_run_waiting_for_the_lock_says_so_and_refreshes_an_expired_token_another_run_stored() {
    const THEIRS: &str = "ory_at_theirs-also-expired-3a9c";
    let dir = tempfile::tempdir().unwrap();
    store_token(dir.path(), 1000);
    let server = TestServer::start(|_, request| {
        if request.path == TOKEN_PATH {
            token_answer(NEW_ACCESS, NEW_REFRESH, "")
        } else {
            Reply::success()
        }
    });
    // Another run holds the lock on the stored tokens.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.path().join("credentials.lock"))
        .unwrap();
    lock.lock().unwrap();
    let mut child = common::kenar_process()
        .env("KENAR_CONFIG_DIR", dir.path())
        .env("KENAR_API_URL", server.url())
        .env("KENAR_API_KEY", common::API_KEY)
        .env("KENAR_TOKEN_URL", format!("{}{TOKEN_PATH}", server.url()))
        .env("KENAR_CLIENT_ID", "my-app")
        .env("KENAR_CLIENT_SECRET", CLIENT_SECRET)
        .args(["send", "--conversation-id", CONVERSATION, "--message", "hi"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (said, heard) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = said.send(line);
        }
    });
    let waiting = std::iter::from_fn(|| heard.recv_timeout(Duration::from_secs(20)).ok())
        .find(|line| line.starts_with("waiting for"));
    // Meanwhile that run stored a token for the same scopes, which has expired too.
    std::fs::write(
        credentials(dir.path()),
        json!({"profiles": {"default": [{
            "scopes": [format!("CONVERSATION_SEND_MESSAGE.{CONVERSATION}"), "offline_access"],
            "access_token": THEIRS,
            "refresh_token": OLD_REFRESH,
            "expires": 2000,
            "redirect_uri": REDIRECT_URI,
        }]}})
        .to_string(),
    )
    .unwrap();
    lock.unlock().unwrap();
    let status = child.wait().unwrap();
    let rest: Vec<String> = heard.try_iter().collect();
    let waiting = waiting.expect("the run said nothing while it waited");
    assert!(
        waiting.starts_with(&format!(
            "waiting for another kenar-chat run, which holds the lock on the stored tokens ({})",
            dir.path().join("credentials.lock").display()
        )),
        "{waiting}"
    );
    assert!(status.success(), "{status:?}: {rest:?}");
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    assert_eq!(
        form(&requests[0])[0],
        ("code".to_owned(), THEIRS.to_owned())
    );
    assert_eq!(
        requests[1].header("authorization"),
        Some(format!("Bearer {NEW_ACCESS}").as_str())
    );
}

#[test]
fn a_batch_tries_a_failed_refresh_again_and_sends_every_line() {
    let dir = tempfile::tempdir().unwrap();
    store_seller_token(dir.path(), OLD_ACCESS, 1000);
    let server = TestServer::start(|index, request| match (index, request.path.as_str()) {
        // A blip at the first refresh: the token endpoint fails once.
        (0, TOKEN_PATH) => Reply::json(503, r#"{"error":"temporarily_unavailable"}"#),
        (_, TOKEN_PATH) => token_answer(NEW_ACCESS, NEW_REFRESH, ""),
        _ => Reply::success(),
    });
    let file = batch_file(dir.path(), 3);
    let output = refreshing_batch(dir.path(), &server, &file)
        .assert()
        .success()
        .stderr(predicate::str::contains("trying the refresh again in"))
        .get_output()
        .clone();
    assert_no_secret(&output);
    assert_eq!(token_requests(&server), 2);
    assert_eq!(bearers(&server), vec![format!("Bearer {NEW_ACCESS}"); 3]);
}

#[test]
fn a_batch_stops_when_the_token_endpoint_refuses_the_refresh() {
    let dir = tempfile::tempdir().unwrap();
    store_seller_token(dir.path(), OLD_ACCESS, 1000);
    let before = std::fs::read(credentials(dir.path())).unwrap();
    let server = TestServer::start(|_, request| {
        if request.path == TOKEN_PATH {
            Reply::json(400, r#"{"error":"invalid_grant"}"#)
        } else {
            Reply::success()
        }
    });
    let file = batch_file(dir.path(), 5);
    let output = refreshing_batch(dir.path(), &server, &file)
        .args(["--concurrency", "1"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains(
            "stopping: line 1: the token endpoint refused to refresh the stored token; log in \
             again",
        ))
        .get_output()
        .clone();
    assert_no_secret(&output);
    assert_eq!(token_requests(&server), 1);
    assert!(bearers(&server).is_empty());
    assert_eq!(std::fs::read(credentials(dir.path())).unwrap(), before);
}

#[test]
fn a_batch_whose_stored_token_another_run_refreshed_goes_on_with_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    store_seller_token(dir.path(), OLD_ACCESS, FAR_FUTURE);
    let config = dir.path().to_owned();
    let server = TestServer::start(move |_, request| {
        if request.header("authorization") == Some(&format!("Bearer {OLD_ACCESS}")) {
            // Another run refreshed the token, and the grace of the old one is over.
            store_seller_token(&config, NEW_ACCESS, FAR_FUTURE);
            Reply::json(401, r#"{"message":"token expired"}"#)
        } else {
            Reply::success()
        }
    });
    let file = batch_file(dir.path(), 3);
    let output = refreshing_batch(dir.path(), &server, &file)
        .args(["--concurrency", "1"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_no_secret(&output);
    assert_eq!(token_requests(&server), 0);
    let (old, new) = (
        format!("Bearer {OLD_ACCESS}"),
        format!("Bearer {NEW_ACCESS}"),
    );
    assert_eq!(bearers(&server), [old, new.clone(), new.clone(), new]);
}

#[test]
fn retry_unsafe_never_sends_a_code_again_once_it_may_have_arrived() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(|index, _| match index {
        0 => Reply::Hang(Duration::from_secs(3)),
        _ => token_answer(NEW_ACCESS, NEW_REFRESH, ""),
    });
    let output = oauth(dir.path(), &server)
        .env("KENAR_PLATFORM", "current")
        .env("KENAR_REDIRECT_URI", REDIRECT_URI)
        .args(["token", "--supplier-chats", "--code", CODE])
        .args(["--retry-unsafe", "--timeout", "1"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains(format!(
            "token endpoint 127.0.0.1:{}: ",
            server.port
        )))
        .stderr(predicate::str::contains(
            "the token request may have been acted on",
        ))
        .get_output()
        .clone();
    assert_no_secret(&output);
    assert_eq!(server.requests().len(), 1);
    assert!(!credentials(dir.path()).exists());
}

#[test]
fn a_dry_run_refreshes_nothing_and_says_what_a_send_would_refresh() {
    let dir = tempfile::tempdir().unwrap();
    store_token(dir.path(), now() - 10);
    let before = std::fs::read(credentials(dir.path())).unwrap();
    let server = TestServer::start(|_, _| token_answer(NEW_ACCESS, NEW_REFRESH, ""));
    let output = send(dir.path(), &server)
        .env("KENAR_CLIENT_ID", "my-app")
        .env("KENAR_CLIENT_SECRET", CLIENT_SECRET)
        .arg("--dry-run")
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "the stored token of profile \"default\" for CONVERSATION_SEND_MESSAGE.{CONVERSATION} \
             offline_access expired at "
        )))
        .stderr(predicate::str::contains(format!(
            "a run that is not a dry run would first refresh it at the token endpoint \
             127.0.0.1:{}; nothing was refreshed",
            server.port
        )))
        .get_output()
        .clone();
    assert_no_secret(&output);
    assert!(server.requests().is_empty());
    assert_eq!(std::fs::read(credentials(dir.path())).unwrap(), before);
}

#[test]
fn a_stored_token_that_cannot_travel_in_a_header_is_refused_naming_its_profile_and_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        credentials(dir.path()),
        json!({"profiles": {"shop": [{
            "scopes": [format!("CONVERSATION_SEND_MESSAGE.{CONVERSATION}")],
            "access_token": "ory_at_line\nbreak",
            "expires": FAR_FUTURE,
        }]}})
        .to_string(),
    )
    .unwrap();
    let before = std::fs::read(credentials(dir.path())).unwrap();
    let server = TestServer::success();
    send(dir.path(), &server)
        .args(["--profile", "shop", "--dry-run"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "credentials file {}: the token of profile \"shop\" for \
             CONVERSATION_SEND_MESSAGE.{CONVERSATION}: access_token: contains a space, control \
             or non-ASCII character",
            credentials(dir.path()).display()
        )))
        .stderr(predicate::str::contains("break").not());
    assert!(server.requests().is_empty());
    assert_eq!(std::fs::read(credentials(dir.path())).unwrap(), before);
}

#[test]
fn a_stored_token_that_cannot_travel_in_a_header_is_listed_as_unusable_and_can_be_forgotten() {
    let dir = tempfile::tempdir().unwrap();
    let scope = format!("CONVERSATION_SEND_MESSAGE.{CONVERSATION}");
    std::fs::write(
        credentials(dir.path()),
        json!({"profiles": {
            "default": [{"scopes": [scope], "access_token": OLD_ACCESS, "expires": FAR_FUTURE}],
            "shop": [{"scopes": [scope], "access_token": "ory_at_line\nbreak", "expires": FAR_FUTURE}],
        }})
        .to_string(),
    )
    .unwrap();
    let server = TestServer::success();
    let why = "access_token: contains a space, control or non-ASCII character, which cannot be \
               sent in an HTTP header";
    let listed = oauth(dir.path(), &server)
        .arg("tokens")
        .assert()
        .success()
        .stdout(format!(
            "default  expires 2100-01-01T00:00:00Z  {scope}\n\
             shop  expires 2100-01-01T00:00:00Z  {scope}  (unusable: {why})\n"
        ))
        .get_output()
        .clone();
    assert_no_secret(&listed);
    assert!(!String::from_utf8_lossy(&listed.stdout).contains("break"));
    oauth(dir.path(), &server)
        .args(["tokens", "--profile", "shop", "-o", "json"])
        .assert()
        .success()
        .stdout(format!(
            "[{{\"profile\":\"shop\",\"scopes\":[\"{scope}\"],\"expires\":{FAR_FUTURE},\
             \"expired\":false,\"refreshable\":false,\"unusable\":\"{why}\"}}]\n"
        ));
    // Another profile's token still sends.
    send(dir.path(), &server).assert().success();
    let sent = server.only_request();
    assert_eq!(sent.method, "POST");
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {OLD_ACCESS}").as_str())
    );

    oauth(dir.path(), &server)
        .args(["forget", "--profile", "shop"])
        .assert()
        .success()
        .stdout("forgot 1 token of profile \"shop\"\n");
    let profiles = stored(dir.path())["profiles"].clone();
    let profiles = profiles.as_object().unwrap();
    assert_eq!(profiles.keys().collect::<Vec<_>>(), ["default"]);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_send_whose_stored_token_another_run_refreshed_goes_once_more_with_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    store_token(dir.path(), FAR_FUTURE);
    let config = dir.path().to_owned();
    let server = TestServer::start(move |_, request| {
        if request.header("authorization") == Some(&format!("Bearer {OLD_ACCESS}")) {
            // Another run refreshed the token, and the grace of the old one is over.
            std::fs::write(
                credentials(&config),
                std::fs::read_to_string(credentials(&config))
                    .unwrap()
                    .replace(OLD_ACCESS, NEW_ACCESS),
            )
            .unwrap();
            Reply::json(401, r#"{"message":"token expired"}"#)
        } else {
            Reply::success()
        }
    });
    let output = send(dir.path(), &server)
        .assert()
        .success()
        .get_output()
        .clone();
    assert_no_secret(&output);
    assert_eq!(
        bearers(&server),
        [
            format!("Bearer {OLD_ACCESS}"),
            format!("Bearer {NEW_ACCESS}")
        ]
    );
}

#[test]
fn a_token_endpoint_out_of_reach_is_named_as_such_with_its_host() {
    let dir = tempfile::tempdir().unwrap();
    store_token(dir.path(), FAR_FUTURE);
    let before = std::fs::read(credentials(dir.path())).unwrap();
    let port = common::free_port();
    let output = common::kenar()
        .env("KENAR_CONFIG_DIR", dir.path())
        .env(
            "KENAR_TOKEN_URL",
            format!("http://127.0.0.1:{port}{TOKEN_PATH}"),
        )
        .env("KENAR_CLIENT_ID", "my-app")
        .env("KENAR_CLIENT_SECRET", CLIENT_SECRET)
        .args(["oauth", "refresh", "--retries", "0"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains(format!(
            "cannot connect to the token endpoint at 127.0.0.1:{port} (the connection was \
             refused)"
        )))
        .stderr(predicate::str::contains(
            "the token request never reached it",
        ))
        .get_output()
        .clone();
    assert_no_secret(&output);
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("the API"),
        "{output:?}"
    );
    assert_eq!(std::fs::read(credentials(dir.path())).unwrap(), before);
}
